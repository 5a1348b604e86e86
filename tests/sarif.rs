//! `--format sarif` is SARIF 2.1.0 as Microsoft's validator reads it
//! (`@microsoft/sarif-multitool validate`: the JSON schema, then the
//! specification's rules): for the seed lake with three mistakes, through
//! the binary, and for a log with every part dlc writes (related locations,
//! fixes, a result with no location), through the library.

use std::path::{Path, PathBuf};
use std::process::Command;

use dlc::diagnostic::render::{locate, sarif};
use dlc::diagnostic::{Code, Diagnostic};
use dlc::source::{SourceMap, Span};

/// The validator, which tests/run-all.sh installs; a test that needs it
/// fails with how to install it, never skips.
fn validator() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sarif-validator/node_modules/.bin/sarif-multitool");
    assert!(
        path.is_file(),
        "the SARIF validator is not installed: run `bash tests/run-all.sh` once, \
         or `npm ci --prefix tests/sarif-validator`"
    );
    path
}

/// The validator's findings on `log` that break the schema or the
/// specification (its SARIF1xxx rules, or any at level `error`); its
/// SARIF2xxx advice (e.g. "provide informationUri") is not a failure.
fn violations(log: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("dlc.sarif");
    let report = dir.path().join("validation.sarif");
    std::fs::write(&input, log).expect("write the log");
    let output = Command::new(validator())
        .arg("validate")
        .arg(&input)
        .arg("--output")
        .arg(&report)
        .output()
        .expect("the validator runs");
    assert!(
        output.status.success() && report.is_file(),
        "the validator failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    report["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| {
            r["level"] == "error"
                || r["ruleId"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("SARIF1"))
        })
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect()
}

#[test]
fn the_seed_lake_with_three_mistakes_gives_sarif_that_validates() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl");
    let text = std::fs::read_to_string(seed).expect("seed");
    let mut broken = text.clone();
    for (from, to) in [
        ("\"222222222222\"", "\"22222222222\""),
        ("10.20.0.0/24", "10.20.0.0/33"),
        ("    retention = destroy", "    retension = destroy"),
    ] {
        assert!(broken.contains(from), "the seed lake has {from}");
        broken = broken.replacen(from, to, 1);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lake.dl"), broken).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", "--format", "sarif", "lake.dl"])
        .current_dir(dir.path())
        .output()
        .expect("dlc runs");
    assert_eq!(output.status.code(), Some(1));
    let log = String::from_utf8(output.stdout).expect("UTF-8");
    let value: serde_json::Value = serde_json::from_str(&log).expect("one JSON document");
    let rules: Vec<&str> = value["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["ruleId"].as_str().expect("ruleId"))
        .collect();
    assert_eq!(rules, ["DL0204", "DL0003", "DL0201"]);
    assert_eq!(violations(&log), Vec::<String>::new());
}

#[test]
fn a_log_with_fixes_related_locations_and_no_location_validates() {
    let mut sources = SourceMap::new();
    let lake = sources.add(
        "infra/lake.dl",
        "env Dev {\n    acount = \"222222222222\"\n}\n",
    );
    let std = sources.add(
        "std/environment.dl",
        "record Environment {\n    account: AccountId\n}\n",
    );
    let field = Span::new(lake, 14, 20);
    let diagnostics = [
        Diagnostic::new(
            Code::UnknownField,
            field,
            "`Environment` has no field `acount`",
        )
        .with_label("unknown field")
        .with_secondary(Span::new(std, 25, 32), "the field it may mean")
        .with_note("fields are spelled as in the schema")
        .with_help("did you mean `account`?")
        .with_edit(field, "account"),
        Diagnostic::unlocated(Code::CannotRead, "cannot read missing.dl: No such file"),
    ];
    let log = sarif::sarif(&locate(&sources, &diagnostics)).expect("SARIF");
    assert!(log.contains("\"fixes\"") && log.contains("\"relatedLocations\""));
    assert_eq!(violations(&log), Vec::<String>::new());
}

#[test]
fn an_unreadable_file_is_a_sarif_result_with_no_location() {
    let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", "--format", "sarif", "/nonexistent/lake.dl"])
        .output()
        .expect("dlc runs");
    assert_eq!(output.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let results = value["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "DL0901");
    assert!(results[0].get("locations").is_none());
}
