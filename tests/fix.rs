//! `dlc check --fix`: every machine-applicable fix of every ui case, applied
//! by the command to a copy of the case, leaves none of those diagnostics;
//! fixes reach imports, overlapping fixes are applied one after the other,
//! standard input is fixed on standard output, and a second run changes
//! nothing. (tests/help.rs proves each help's edits one at a time; this
//! proves the command.)

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs dlc in `dir`, with no colour, whatever the terminal.
fn dlc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(args)
        .arg("--color=never")
        .current_dir(dir)
        .output()
        .expect("dlc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

/// The codes and lines of the diagnostics of `case` that carry edits.
fn fixable(dir: &Path, case: &str) -> Vec<String> {
    let output = dlc(dir, &["check", "--format", "json", case]);
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("a JSON document");
    document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| !d["edits"].as_array().expect("edits").is_empty())
        .map(|d| format!("{}:{} {}", d["file"], d["line"], d["code"]))
        .collect()
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(base, &path, files);
            } else {
                let relative = path.strip_prefix(base).expect("inside").to_path_buf();
                files.insert(relative, std::fs::read(&path).expect("readable file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn copy_tree(from: &Path, to: &Path) {
    for (relative, bytes) in tree(from) {
        let target = to.join(relative);
        std::fs::create_dir_all(target.parent().expect("a folder")).expect("mkdir");
        std::fs::write(target, bytes).expect("write");
    }
}

/// The ui cases (not their `*.import.dl` helpers), relative to tests/ui.
fn ui_cases(ui: &Path) -> Vec<String> {
    tree(ui)
        .into_keys()
        .map(|path| path.to_string_lossy().replace('\\', "/"))
        .filter(|path| path.ends_with(".dl") && !path.ends_with(".import.dl"))
        .collect()
}

#[test]
fn every_fixable_ui_case_is_fixed_and_a_second_fix_changes_nothing() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let ui = scratch.path();
    copy_tree(&root().join("tests/ui"), ui);
    let mut failures = Vec::new();
    let mut fixed_cases = 0;
    for case in ui_cases(ui) {
        if fixable(ui, &case).is_empty() {
            continue;
        }
        fixed_cases += 1;
        let first = dlc(ui, &["check", "--fix", &case]);
        let report = text(&first.stdout);
        if !report.lines().any(|line| line.starts_with("fixed ")) {
            failures.push(format!("{case}: --fix reported no fix:\n{report}"));
            continue;
        }
        let left = fixable(ui, &case);
        if !left.is_empty() {
            failures.push(format!(
                "{case}: fixable diagnostics left: {left:?}\n{report}"
            ));
        }
        let before = tree(ui);
        let second = dlc(ui, &["check", "--fix", &case]);
        let again = text(&second.stdout);
        if tree(ui) != before || again.lines().any(|line| line.starts_with("fixed ")) {
            failures.push(format!("{case}: a second --fix changed the lake:\n{again}"));
        }
        if second.status.code() != dlc(ui, &["check", &case]).status.code() {
            failures.push(format!("{case}: --fix does not exit as check does"));
        }
    }
    assert!(fixed_cases >= 40, "only {fixed_cases} ui cases carry edits");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The seed lake with `from` replaced by `to`, each once, in `dir`.
fn seed_with(dir: &Path, changes: &[(&str, &str)]) -> String {
    let mut lake =
        std::fs::read_to_string(root().join("lang-examples/seed/lake.dl")).expect("the seed lake");
    for (from, to) in changes {
        assert_eq!(lake.matches(from).count(), 1, "{from} is in the seed once");
        lake = lake.replacen(from, to, 1);
    }
    std::fs::write(dir.join("lake.dl"), &lake).expect("write lake");
    lake
}

/// Three independent mistakes: host bits in a range, a range overlapping
/// another environment's, a misspelled field.
const THREE_MISTAKES: &[(&str, &str); 3] = &[
    ("cidr = 10.20.0.0/24", "cidr = 10.20.0.1/24"),
    ("cidr = 10.0.0.0/24", "cidr = 10.10.0.0/24"),
    ("    approval = true", "    aproval = true"),
];

#[test]
fn the_seed_lake_with_three_mistakes_is_fixed_and_checks_clean() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path();
    seed_with(dir, THREE_MISTAKES);
    let output = dlc(dir, &["check", "--fix", "lake.dl"]);
    let report = text(&output.stdout);
    insta::assert_snapshot!(report);
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("```text\n{report}```")),
        "README.md shows this report under `dlc check --fix`:\n{report}"
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(dlc(dir, &["check", "lake.dl"]).status.code(), Some(0));
}

#[test]
fn a_fix_in_an_imported_file_is_written_there() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path();
    let lake = seed_with(
        dir,
        &[("let home: Region = us-east-2\n", "import \"regions.dl\"\n")],
    );
    std::fs::write(dir.join("regions.dl"), "let home: Region = us-est-2\n").expect("write");
    let output = dlc(dir, &["check", "--fix", "lake.dl"]);
    let report = text(&output.stdout);
    assert!(
        report.contains("fixed regions.dl:1: DL0205 `us-est-2` -> `us-east-2`"),
        "{report}"
    );
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(
        std::fs::read_to_string(dir.join("regions.dl")).expect("read"),
        "let home: Region = us-east-2\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("lake.dl")).expect("read"),
        lake
    );
}

#[test]
fn overlapping_fixes_are_applied_one_round_after_the_other() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let ui = scratch.path();
    copy_tree(&root().join("tests/ui"), ui);
    let case = "checks/network-inherited.dl";
    let output = dlc(ui, &["check", "--fix", case]);
    let report = text(&output.stdout);
    let skipped = report
        .lines()
        .find(|line| line.starts_with("not fixed ") && line.contains("overlap"))
        .unwrap_or_else(|| panic!("no fix was skipped for an overlap:\n{report}"));
    // The skipped fix's line is fixed by a later round, or its diagnostic
    // went away with the fix it overlapped.
    let place = skipped
        .trim_start_matches("not fixed ")
        .split(": ")
        .next()
        .expect("a place");
    assert!(fixable(ui, case).is_empty(), "{report}");
    assert!(report.contains(&format!("fixed {place}")), "{report}");
}

#[test]
fn standard_input_is_fixed_on_standard_output_and_reported_on_standard_error() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path();
    let lake = seed_with(dir, THREE_MISTAKES);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", "--fix", "--color=never", "-"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(lake.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("dlc ends");
    let fixed = text(&output.stdout);
    let report = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("fixed <stdin>:"), "{report}");
    assert!(fixed.contains("cidr = 10.20.0.0/24"), "{fixed}");
    assert!(fixed.contains("    approval = true"), "{fixed}");
    assert!(!fixed.contains("10.20.0.1/24") && !fixed.contains("aproval"));
    // Nothing was written: the folder holds the lake this test wrote, as written.
    let files = tree(dir);
    assert_eq!(files.len(), 1);
    assert_eq!(files[Path::new("lake.dl")], lake.as_bytes());
}

#[test]
fn json_lists_the_fixes_applied() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path();
    seed_with(dir, &[("cidr = 10.20.0.0/24", "cidr = 10.20.0.1/24")]);
    let output = dlc(dir, &["check", "--fix", "--format", "json", "lake.dl"]);
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("a JSON document");
    assert_eq!(document["version"], 2);
    assert_eq!(document["diagnostics"], serde_json::json!([]));
    let fixes = document["fixes"].as_array().expect("fixes");
    assert_eq!(fixes.len(), 1);
    assert_eq!(fixes[0]["code"], "DL0301");
    let edit = &fixes[0]["edits"][0];
    assert_eq!(edit["file"], "lake.dl");
    assert_eq!(edit["original"], "10.20.0.1/24");
    assert_eq!(edit["replacement"], "10.20.0.0/24");
    // Without --fix, the document has no `fixes`.
    let plain = dlc(dir, &["check", "--format", "json", "lake.dl"]);
    let document: serde_json::Value = serde_json::from_slice(&plain.stdout).expect("JSON");
    assert!(document.get("fixes").is_none());
}

#[test]
fn a_file_that_changed_since_it_was_read_is_not_written() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let path = scratch.path().join("lake.dl");
    std::fs::write(&path, "saved by an editor meanwhile").expect("write");
    let result = dlc::host::replace_if_unchanged(&path, "what dlc read", "the fixed text");
    assert!(matches!(result, Err(dlc::host::ReplaceError::Changed)));
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "saved by an editor meanwhile"
    );
    dlc::host::replace_if_unchanged(&path, "saved by an editor meanwhile", "fixed")
        .expect("an unchanged file is replaced");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "fixed");
}

#[test]
fn deleting_a_secret_leaves_no_empty_line_and_no_trailing_blanks() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path();
    seed_with(
        dir,
        &[
            (
                "        team = \"DataLakeCDKBlogAdmin\"\n",
                "        team = \"DataLakeCDKBlogAdmin\"\n        api-key = \"k-7f3a9c\"\n",
            ),
            (
                "    branch = \"main\"\n",
                "    branch = \"main\" // mirror: https://ci:s3cr3t-Pa55@git.example.com/lake\n",
            ),
        ],
    );
    let output = dlc(dir, &["check", "--fix", "lake.dl"]);
    let report = text(&output.stdout);
    assert!(
        report.contains("DL0344") && report.contains("DL0342"),
        "{report}"
    );
    assert_eq!(output.status.code(), Some(0), "{report}");
    let seed = std::fs::read_to_string(root().join("lang-examples/seed/lake.dl")).expect("seed");
    let fixed = std::fs::read_to_string(dir.join("lake.dl")).expect("read");
    assert_eq!(fixed, seed, "the fixes restore the seed lake exactly");
}

#[cfg(unix)]
#[test]
fn a_lake_behind_a_symbolic_link_is_fixed_in_its_target() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path();
    seed_with(dir, &[("cidr = 10.20.0.0/24", "cidr = 10.20.0.1/24")]);
    std::os::unix::fs::symlink("lake.dl", dir.join("link.dl")).expect("symlink");
    let output = dlc(dir, &["check", "--fix", "link.dl"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let link = std::fs::symlink_metadata(dir.join("link.dl")).expect("the link");
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let fixed = std::fs::read_to_string(dir.join("lake.dl")).expect("read");
    assert!(fixed.contains("cidr = 10.20.0.0/24"), "the target is fixed");
}
