//! The grammar (`grammar/dl.pest`) and the parser's builders agree: every
//! lake file the repository holds is parsed in a debug build, where a
//! builder that meets a child rule it does not handle fails its debug
//! assertion. A rule added to the grammar without a builder fails here.

use std::path::{Path, PathBuf};

use dlc::diagnostic::Diagnostics;
use dlc::source::FileId;
use dlc::syntax::parse_module;

/// The folders that hold `.dl` files: the stdlib, the examples, and every
/// case the tests read (good, bad and in between).
const FOLDERS: &[&str] = &[
    "stdlib",
    "lang-examples",
    "tests/ui",
    "tests/corpus/bad",
    "tests/fmt",
    "tests/explain",
    "tests/fixtures",
    "editors/tests/fixtures",
];

fn dl_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in FOLDERS {
        collect(&root.join(folder), &mut files);
    }
    files.sort();
    files
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the folder exists") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "dl") {
            files.push(path);
        }
    }
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the builders' checks are debug assertions"
)]
fn every_builder_handles_every_child_the_grammar_gives_it() {
    let files = dl_files();
    assert!(files.len() > 400, "found only {} lake files", files.len());
    for path in files {
        let bytes = std::fs::read(&path).expect("readable lake file");
        let text = String::from_utf8_lossy(&bytes);
        let outcome = std::panic::catch_unwind(|| {
            parse_module(FileId(0), &text, &mut Diagnostics::new());
        });
        assert!(
            outcome.is_ok(),
            "{}: a builder met a rule it does not handle",
            path.display()
        );
    }
}
