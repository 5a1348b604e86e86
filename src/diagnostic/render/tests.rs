//! Each renderer over the same diagnostics: an error with a secondary label
//! in another file, a note, a help and an edit; a warning with a label
//! alone; and an I/O error with no place in a file.

use super::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceMap, Span};

fn sample() -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let lake = sources.add(
        "lake.dl",
        "env Dev {\n    account = \"22222222222\"\n    vpc_cidr = 172.17.0.0/16\n}\n",
    );
    let std = sources.add(
        "std/aws.dl",
        "type AccountId = String where length 12, matches \"^[0-9]+$\"\n",
    );
    let account = Span::new(lake, 24, 37);
    let diagnostics = vec![
        Diagnostic::new(
            Code::RefinementViolation,
            account,
            "an `AccountId` is exactly 12 digits long; this has 11",
        )
        .with_label("not a valid `AccountId`")
        .with_secondary(Span::new(std, 24, 40), "the rule")
        .with_note("AWS account IDs have 12 digits, leading zeros included")
        .with_help("write the 12 digits: `\"022222222222\"`")
        .with_edit(account, "\"022222222222\""),
        Diagnostic::new(
            Code::DockerBridgeVpcRange,
            Span::new(lake, 53, 66),
            "`172.17.0.0/16` is Docker's default bridge network",
        )
        .with_label("Docker's range"),
        Diagnostic::unlocated(
            Code::CannotRead,
            "cannot read missing.dl: No such file or directory (os error 2)",
        )
        .with_help("check the path; lake files usually end in .dl"),
    ];
    (sources, diagnostics)
}

#[test]
fn human() {
    let (sources, diagnostics) = sample();
    let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    super::human(&mut out, &sources, &diagnostics).expect("render");
    insta::assert_snapshot!(String::from_utf8(out.into_inner()).expect("UTF-8"));
}

#[test]
fn short() {
    let (sources, diagnostics) = sample();
    insta::assert_snapshot!(super::short(&sources, &diagnostics));
}

#[test]
fn json() {
    let (sources, diagnostics) = sample();
    insta::assert_snapshot!(json::json(&locate(&sources, &diagnostics)).expect("JSON"));
}

#[test]
fn sarif() {
    let (sources, diagnostics) = sample();
    let text = sarif::sarif(&locate(&sources, &diagnostics)).expect("SARIF");
    // The rules carry whole explain pages: the snapshot keeps their first
    // lines, which is enough to see which page is where.
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for rule in value["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules")
    {
        for field in ["text", "markdown"] {
            let page = rule["help"][field].as_str().expect("help").to_string();
            let head = page.lines().next().unwrap_or_default();
            rule["help"][field] = format!("{head}\n...").into();
        }
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&value).expect("JSON"));
}

#[test]
fn sarif_uris_are_encoded_and_absolute_paths_are_file_uris() {
    let mut sources = SourceMap::new();
    let file = sources.add("/tmp/my lake/<x>.dl", "let a = \n");
    let diagnostic = Diagnostic::new(Code::SyntaxError, Span::new(file, 8, 8), "expected a value");
    let log = sarif::log(&locate(&sources, &[diagnostic]));
    let value = serde_json::to_value(&log).expect("JSON");
    assert_eq!(
        value["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({ "uri": "file:///tmp/my%20lake/%3Cx%3E.dl" })
    );
}
