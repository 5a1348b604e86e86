//! Every check that can fire on an environment's field must handle a value
//! the environment inherits through `extends`: its diagnostic labels the
//! heir's `extends` clause (as primary when the mistake is the heir's alone,
//! as secondary when it is reported once on the environment that wrote it).
//!
//! Proved over the ui cases: a domain check code counts as proved when one of
//! its diagnostics there has a label on the name after `extends`. A new check
//! code fails this test until a ui case proves it, or it is listed below with
//! the reason it is about no inherited value.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use dlc::diagnostic::{Code, Diagnostic};
use dlc::driver::{check_bytes, Checked};
use dlc::host::FsLoader;
use dlc::source::Span;

/// Domain check codes about no inherited value.
const NO_INHERITED_VALUE: &[(&str, &str)] = &[
    (
        "DL0341",
        "secrets are found in the source text, not in values",
    ),
    (
        "DL0342",
        "credentials in comments are found in the source text, not in values",
    ),
    (
        "DL0343",
        "a URL with a password is found in the string as written, once, not in values",
    ),
    (
        "DL0344",
        "a secret in a tag is found in the tag as written, once, not per environment",
    ),
    ("DL0381", "the lake's source record"),
    ("DL0382", "the lake's source record"),
    (
        "DL0383",
        "a default left out, not a value: one warning names every environment that leaves it out",
    ),
    ("DL0387", "the lake's build record"),
];

/// Domain check codes that label the heirs of an inherited value but have no
/// ui case that shows it; the test fails once one does, so the list only
/// shrinks.
const NO_CASE_YET: &[(&str, &str)] = &[(
    "DL0396",
    "an environment's template over 1 MB takes thousands of zones, far past DL0397's 500 resources",
)];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn check(path: &Path) -> Checked {
    let relative = path.strip_prefix(root()).unwrap_or(path);
    let name = relative.to_string_lossy().replace('\\', "/");
    let bytes = std::fs::read(path).expect("readable ui file");
    check_bytes(&name, relative, bytes, &mut FsLoader)
}

/// True when `span` is the name after `extends` in `env Heir extends Parent`.
fn is_extends_clause(checked: &Checked, span: Span) -> bool {
    let file = checked.sources.get(span.file);
    let before = &file.text[..span.start as usize];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let head = file.text[line_start..span.start as usize].trim_end();
    head.trim_start().starts_with("env ") && head.ends_with(" extends")
}

fn labels_an_heir(checked: &Checked, diagnostic: &Diagnostic) -> bool {
    diagnostic
        .primary
        .iter()
        .chain(&diagnostic.secondary)
        .any(|label| is_extends_clause(checked, label.span))
}

fn is_domain_check(code: &str) -> bool {
    code.starts_with("DL03")
}

#[test]
fn every_check_on_an_environment_field_labels_the_heir_of_an_inherited_value() {
    let mut proved = BTreeSet::new();
    for path in common::ui_cases() {
        let checked = check(&path);
        for diagnostic in &checked.diagnostics {
            if labels_an_heir(&checked, diagnostic) {
                proved.insert(diagnostic.code.as_str());
            }
        }
    }
    let exempt: Vec<&str> = NO_INHERITED_VALUE.iter().map(|(code, _)| *code).collect();
    let no_case: Vec<&str> = NO_CASE_YET.iter().map(|(code, _)| *code).collect();
    let unproved: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| code.retired_since().is_none())
        .map(|code| code.as_str())
        .filter(|code| is_domain_check(code))
        .filter(|code| !proved.contains(code) && !exempt.contains(code) && !no_case.contains(code))
        .collect();
    assert!(
        unproved.is_empty(),
        "no ui case shows these codes on an inherited value, labelling the heir's `extends`: {unproved:?}"
    );
    let stale: Vec<&&str> = no_case
        .iter()
        .filter(|code| proved.contains(**code))
        .collect();
    assert!(
        stale.is_empty(),
        "proved now, take them off NO_CASE_YET: {stale:?}"
    );
    let exempt_but_proved: Vec<&&str> = exempt
        .iter()
        .filter(|code| proved.contains(**code))
        .collect();
    assert!(
        exempt_but_proved.is_empty(),
        "these fire on inherited values after all: {exempt_but_proved:?}"
    );
}
