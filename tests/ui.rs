//! UI tests: one failing lake per diagnostic code in `tests/ui/`.
//!
//! A marker comment `//~ DL0204` on a line names a code that must fire with
//! its primary label on that line (several codes may follow one marker). Every
//! error must be marked, and each file is snapshotted with its source and
//! rendered diagnostics, so a change in wording is reviewed. One run reports
//! every failing case (see tests/README.md).
//!
//! A case may import helpers (`*.import.dl`); a diagnostic whose primary label
//! is in a helper is marked in that helper. Cases are read as bytes, so a case
//! may hold invalid UTF-8 on purpose (DL0005).

use std::collections::BTreeSet;
use std::path::Path;

use dlc::analysis::analyze_bytes;
use dlc::diagnostic::{render, Code};
use dlc::driver::{check_bytes, check_bytes_with, Checked, Keep, Quotas};
use dlc::host::FsLoader;

mod common;

use common::{is_ui_helper, ui_cases, ui_files_and_helpers};

/// A file's text; invalid bytes become U+FFFD, which leaves markers readable.
fn read_lossy(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).expect("readable ui file")).into_owned()
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
    // Relative to the package root (the working directory of `cargo test`),
    // so that imported files are named the same on every machine.
    let relative = path.strip_prefix(root).unwrap_or(path);
    let name = relative.to_string_lossy().replace('\\', "/");
    let bytes = std::fs::read(path).expect("readable ui file");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let checked = check_bytes(&name, relative, bytes, &mut FsLoader);
    (text, checked)
}

/// (file, 1-based line, code) named by markers in the case and the helpers it loaded.
fn expected(checked: &Checked) -> BTreeSet<(String, usize, String)> {
    checked
        .sources
        .files()
        .filter(|(_, file)| !file.name.starts_with("std/"))
        .flat_map(|(_, file)| {
            markers(&file.text)
                .into_iter()
                .map(|(line, code)| (file.name.clone(), line, code))
        })
        .collect()
}

fn fired(checked: &Checked) -> BTreeSet<(String, usize, String)> {
    checked
        .diagnostics
        .iter()
        .filter_map(|d| {
            let span = d.span()?;
            let file = checked.sources.get(span.file);
            let (line, _) = file.line_col(span.start as usize);
            Some((file.name.clone(), line, d.code.as_str().to_string()))
        })
        .collect()
}

#[test]
fn each_marked_code_fires_on_its_line_and_nothing_else_fires() {
    let mut failures = Vec::new();
    for path in ui_cases() {
        let (_, checked) = check(&path);
        let expected = expected(&checked);
        let actual = fired(&checked);
        if expected.is_empty() {
            failures.push(format!("{}: no `//~ CODE` marker", path.display()));
        }
        for (file, line, code) in expected.difference(&actual) {
            failures.push(format!("{file}:{line}: expected {code} to fire"));
        }
        for (file, line, code) in actual.difference(&expected) {
            failures.push(format!("{file}:{line}: unexpected {code}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The three ways a lake is checked report the same diagnostics: the
/// library's check (these snapshots), the editor's analysis (`dlc lsp`),
/// and the check that drops the trees and values once the model is built
/// (`dlc check`, `dlc compile`). Over every ui case and every example.
#[test]
fn the_cli_the_editor_and_the_library_report_the_same_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let examples = [
        "lang-examples/seed/lake.dl",
        "lang-examples/last-mile-health/lake.dl",
    ];
    let mut differ = Vec::new();
    for path in ui_cases()
        .into_iter()
        .chain(examples.iter().map(|example| root.join(example)))
    {
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let name = relative.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&path).expect("readable lake");
        let library = check_bytes(&name, relative, bytes.clone(), &mut FsLoader);
        let editor =
            analyze_bytes(&name, relative, bytes.clone(), &mut FsLoader, Quotas::Check).checked;
        let cli = check_bytes_with(
            &name,
            relative,
            bytes,
            &mut FsLoader,
            Quotas::Check,
            Keep::Model,
        );
        if editor.diagnostics != library.diagnostics || cli.diagnostics != library.diagnostics {
            differ.push(name);
        }
        assert_eq!(
            cli.model.is_some(),
            library.model.is_some(),
            "{}",
            path.display()
        );
    }
    assert!(differ.is_empty(), "diagnostics differ for: {differ:?}");
}

#[test]
fn every_code_in_the_catalogue_has_a_ui_case() {
    let mut covered = BTreeSet::new();
    for path in ui_files_and_helpers() {
        covered.extend(
            markers(&read_lossy(&path))
                .into_iter()
                .map(|(_, code)| code),
        );
    }
    // A file over the size limit (16 MiB) is no UI case; the corpus test
    // fires DL0006 with generated inputs.
    // A retired code fires nowhere: no case may expect it.
    let retired: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.retired_since().is_some())
        .map(|c| c.as_str())
        .collect();
    assert_eq!(retired, ["DL0385"], "the retired codes");
    // Codes about dlc's run (I/O, usage, internal) fire on no lake file:
    // tests/explain.rs runs their pages' commands, and tests/cli.rs tests them.
    let uncovered: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| **c != Code::SourceTooLarge && !c.is_host())
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c) && !retired.contains(c))
        .collect();
    assert!(
        uncovered.is_empty(),
        "codes without a tests/ui case: {uncovered:?}"
    );
    let expected_retired: Vec<&&str> = retired.iter().filter(|c| covered.contains(**c)).collect();
    assert!(
        expected_retired.is_empty(),
        "tests/ui cases expect retired codes: {expected_retired:?}"
    );
}

#[test]
fn ui_snapshots() {
    // glob! runs every case and reports all failing snapshots at the end.
    insta::glob!("ui/**/*.dl", |path| {
        if is_ui_helper(path) {
            return;
        }
        let (text, checked) = check(path);
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
        // Named after the case alone, as before glob!: `checks__dl0303.snap`.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("ui/snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.remove_snapshot_suffix();
        settings.remove_input_file();
        settings.bind(|| insta::assert_snapshot!(name, snapshot));
    });
}
