//! SARIF 2.1.0 (`--format sarif`), the format GitHub code scanning, cfn-lint,
//! cfn-guard and checkov share. One run of one tool, dlc:
//!
//! - `tool.driver.rules`: the codes reported, each with its title and its
//!   explain page as help (GitHub shows it beside each result);
//! - `results`: one per diagnostic, its primary label as `locations` (none
//!   for an I/O, usage or internal error), secondary labels as
//!   `relatedLocations`, and its edits as one of `fixes`.
//!
//! Lines and columns are 1-based and columns count Unicode code points
//! (`columnKind`), as in dlc's other outputs; region ends are exclusive, as
//! SARIF defines them. A relative file name is relative to the project root,
//! `%SRCROOT%`, the base GitHub resolves against the repository; a file of
//! dlc's standard library (`std/...`) is relative to `DLC_STDLIB`.
//! Specification: <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>.

use std::collections::BTreeSet;

use serde::Serialize;

use super::located::{Located, Position};
use crate::diagnostic::{Code, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The address under which the explain pages are published, `<base>DL0204`,
/// for each rule's `helpUri`. SARIF requires an absolute URI there, and dlc
/// has no public address for its pages yet: until it has, rules carry no
/// `helpUri`, only the page itself as their help.
const HELP_URI_BASE: Option<&str> = None;

/// The SARIF log of `diagnostics`, pretty-printed, with no trailing newline.
pub fn sarif(diagnostics: &[Located]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&log(diagnostics))
}

/// The log as typed structs: one run, the rules of the codes reported.
pub fn log(diagnostics: &[Located]) -> Log {
    let codes: Vec<Code> = diagnostics
        .iter()
        .map(|d| d.code)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let results = diagnostics
        .iter()
        .map(|d| result(d, codes.binary_search(&d.code).unwrap_or_default()))
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "dlc",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: codes.into_iter().map(rule).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

fn rule(code: Code) -> Rule {
    let page = code.explanation();
    Rule {
        id: code.as_str(),
        name: code.name(),
        short_description: Message::new(code.title()),
        full_description: Message::new(first_paragraph(page)),
        help: MultiformatMessage {
            text: page.to_string(),
            markdown: page.to_string(),
        },
        help_uri: HELP_URI_BASE.map(|base| format!("{base}{}", code.as_str())),
        default_configuration: Configuration {
            level: level(code.severity()),
        },
    }
}

/// The page's first paragraph after its title: what the code means.
fn first_paragraph(page: &str) -> String {
    let body = page.split_once("\n\n").map_or(page, |(_, rest)| rest);
    let paragraph = body.split("\n\n").next().unwrap_or(body);
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(diagnostic: &Located, rule_index: usize) -> SarifResult {
    let primary = diagnostic.labels.iter().find(|l| l.primary);
    let locations = primary
        .map(|label| location(&label.position, None, &label.message))
        .into_iter()
        .collect();
    let related_locations = diagnostic
        .labels
        .iter()
        .filter(|l| !l.primary)
        .enumerate()
        .map(|(i, label)| location(&label.position, Some(i), &label.message))
        .collect();
    let fixes = if diagnostic.edits.is_empty() {
        Vec::new()
    } else {
        vec![fix(diagnostic)]
    };
    SarifResult {
        rule_id: diagnostic.code.as_str(),
        rule_index,
        level: level(diagnostic.severity),
        message: Message::new(&diagnostic.message),
        locations,
        related_locations,
        fixes,
        properties: (!diagnostic.notes.is_empty() || diagnostic.help.is_some()).then(|| {
            Properties {
                notes: diagnostic.notes.clone(),
                help: diagnostic.help.clone(),
            }
        }),
    }
}

fn location(position: &Position, id: Option<usize>, message: &str) -> Location {
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: artifact(&position.file),
            region: region(position),
        },
        message: (!message.is_empty()).then(|| Message::new(message)),
    }
}

fn region(position: &Position) -> Region {
    Region {
        start_line: position.line,
        start_column: position.column,
        end_line: position.end_line,
        end_column: position.end_column,
    }
}

/// The edits of a diagnostic as one fix, one change per file in the order
/// the files first appear.
fn fix(diagnostic: &Located) -> Fix {
    let mut changes: Vec<ArtifactChange> = Vec::new();
    for edit in &diagnostic.edits {
        let replacement = Replacement {
            deleted_region: region(&edit.position),
            inserted_content: Content {
                text: edit.replacement.clone(),
            },
        };
        let file = artifact(&edit.position.file);
        match changes.iter_mut().find(|c| c.artifact_location == file) {
            Some(change) => change.replacements.push(replacement),
            None => changes.push(ArtifactChange {
                artifact_location: file,
                replacements: vec![replacement],
            }),
        }
    }
    Fix {
        description: Message::new(diagnostic.help.as_deref().unwrap_or(&diagnostic.message)),
        artifact_changes: changes,
    }
}

/// A file name as dlc shows it, as a SARIF artifact location: an absolute
/// path as a `file` URI, a relative one relative to its base.
fn artifact(name: &str) -> ArtifactLocation {
    if name.starts_with('/') {
        return ArtifactLocation {
            uri: format!("file://{}", encode(name)),
            uri_base_id: None,
        };
    }
    let base = if name.starts_with("std/") {
        "DLC_STDLIB"
    } else {
        "%SRCROOT%"
    };
    ArtifactLocation {
        uri: encode(name),
        uri_base_id: Some(base),
    }
}

/// Percent-encodes what a URI path may not hold as it is (RFC 3986): a
/// file name can hold spaces, `#`, `%` or `<stdin>`'s angle brackets.
fn encode(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        let plain = byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte);
        if plain {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub column_kind: &'static str,
    pub results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub short_description: Message,
    pub full_description: Message,
    pub help: MultiformatMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    pub default_configuration: Configuration,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub text: String,
}

impl Message {
    fn new(text: impl Into<String>) -> Message {
        Message { text: text.into() }
    }
}

#[derive(Debug, Serialize)]
pub struct MultiformatMessage {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: &'static str,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Properties>,
}

/// What a SARIF result has no field for: the notes and the help as prose.
#[derive(Debug, Serialize)]
pub struct Properties {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    pub description: Message,
    pub artifact_changes: Vec<ArtifactChange>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactChange {
    pub artifact_location: ArtifactLocation,
    pub replacements: Vec<Replacement>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replacement {
    pub deleted_region: Region,
    pub inserted_content: Content,
}

#[derive(Debug, Serialize)]
pub struct Content {
    pub text: String,
}
