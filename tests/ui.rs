//! UI tests: one failing lake per diagnostic code in `tests/ui/`.
//!
//! A marker comment `//~ DL0204` on a line names a code that must fire with
//! its primary label on that line (several codes may follow one marker). Every
//! error must be marked, and each file is snapshotted with its source and
//! rendered diagnostics, so a change in wording is reviewed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dlc::diagnostic::{render, Code};
use dlc::driver::{check_source, Checked, FsLoader};

fn ui_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui"),
        &mut files,
    );
    files.sort();
    files
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("tests/ui exists") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "dl") && !is_helper(&path) {
            files.push(path);
        }
    }
}

/// Files named `*.import.dl` are imported by a case, not cases themselves.
fn is_helper(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".import.dl")
}

/// (1-based line, code) pairs named by `//~` markers.
fn markers(text: &str) -> BTreeSet<(usize, String)> {
    let mut expected = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        if let Some((_, codes)) = line.split_once("//~") {
            for code in codes.split_whitespace() {
                expected.insert((index + 1, code.to_string()));
            }
        }
    }
    expected
}

fn check(path: &Path) -> (String, Checked) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = path.strip_prefix(root).unwrap_or(path);
    let name = relative.to_string_lossy().replace('\\', "/");
    let text = std::fs::read_to_string(path).expect("ui file is UTF-8");
    // The path relative to the package root (cargo runs tests from there), so
    // that imported files are named as `dlc check tests/ui/...` names them,
    // not by an absolute path that differs from machine to machine.
    let checked = check_source(&name, relative, text.clone(), &mut FsLoader);
    (text, checked)
}

fn fired(checked: &Checked) -> BTreeSet<(usize, String)> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let file = checked.sources.get(d.primary.span.file);
            let (line, _) = file.line_col(d.primary.span.start as usize);
            (line, d.code.as_str().to_string())
        })
        .collect()
}

#[test]
fn each_marked_code_fires_on_its_line_and_nothing_else_fires() {
    let mut failures = Vec::new();
    for path in ui_files() {
        let (text, checked) = check(&path);
        let expected = markers(&text);
        let actual = fired(&checked);
        if expected.is_empty() {
            failures.push(format!("{}: no `//~ CODE` marker", path.display()));
        }
        for missing in expected.difference(&actual) {
            failures.push(format!(
                "{}:{}: expected {} to fire",
                path.display(),
                missing.0,
                missing.1
            ));
        }
        for extra in actual.difference(&expected) {
            failures.push(format!(
                "{}:{}: unexpected {}",
                path.display(),
                extra.0,
                extra.1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_in_the_catalogue_has_a_ui_case() {
    let mut covered = BTreeSet::new();
    for path in ui_files() {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        covered.extend(markers(&text).into_iter().map(|(_, code)| code));
    }
    let uncovered: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(
        uncovered.is_empty(),
        "codes without a tests/ui case: {uncovered:?}"
    );
}

#[test]
fn ui_snapshots() {
    for path in ui_files() {
        let (text, checked) = check(&path);
        let mut human = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        render::human(&mut human, &checked.sources, &checked.diagnostics).expect("render");
        let human = String::from_utf8(human.into_inner()).expect("UTF-8");
        let short = render::short(&checked.sources, &checked.diagnostics);
        let name = path
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui"))
            .expect("under tests/ui")
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        let snapshot = format!("{text}\n---- short ----\n{short}\n---- human ----\n{human}");
        insta::with_settings!({ snapshot_path => "ui/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
}
