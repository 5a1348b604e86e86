//! Diagnostics with their positions resolved against their sources: what the
//! machine formats (JSON, SARIF) serialize. Resolving needs the sources; the
//! result does not, so diagnostics of several lakes go in one document.

use serde::{Serialize, Serializer};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Where a span is: lines and columns 1-based (columns count characters, as
/// in the human output), offsets in bytes. The end is exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start_offset: u32,
    pub end_offset: u32,
}

impl Position {
    fn of(sources: &SourceMap, span: Span) -> Position {
        let file = sources.get(span.file);
        let (line, column) = file.line_col(span.start as usize);
        let (end_line, end_column) = file.line_col(span.end as usize);
        Position {
            file: file.name.clone(),
            line,
            column,
            end_line,
            end_column,
            start_offset: span.start,
            end_offset: span.end,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocatedLabel {
    #[serde(flatten)]
    pub position: Position,
    pub message: String,
    pub primary: bool,
}

/// Replace the text at `position` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocatedEdit {
    #[serde(flatten)]
    pub position: Position,
    pub replacement: String,
}

/// A diagnostic, positions resolved. Its fields are those of the JSON output
/// (README, "JSON diagnostics").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Located {
    #[serde(serialize_with = "code_text")]
    pub code: Code,
    #[serde(serialize_with = "severity_text")]
    pub severity: Severity,
    pub message: String,
    /// The primary label's position; absent for a diagnostic with no place
    /// in a file (an I/O, usage or internal error).
    #[serde(flatten)]
    pub position: Option<Position>,
    /// The primary label first, then the secondary ones.
    pub labels: Vec<LocatedLabel>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    /// The help as edits, when it can be applied as written: together, one fix.
    pub edits: Vec<LocatedEdit>,
}

/// Resolves the positions of `diagnostics`, whose spans point into `sources`.
pub fn locate(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<Located> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let label = |span: Span, message: &str, primary: bool| LocatedLabel {
                position: Position::of(sources, span),
                message: message.to_string(),
                primary,
            };
            let labels = diagnostic
                .primary
                .iter()
                .map(|l| label(l.span, &l.message, true))
                .chain(
                    diagnostic
                        .secondary
                        .iter()
                        .map(|l| label(l.span, &l.message, false)),
                )
                .collect();
            Located {
                code: diagnostic.code,
                severity: diagnostic.severity,
                message: diagnostic.message.clone(),
                position: diagnostic.span().map(|span| Position::of(sources, span)),
                labels,
                notes: diagnostic.notes.clone(),
                help: diagnostic.help.clone(),
                edits: diagnostic
                    .edits
                    .iter()
                    .map(|edit| LocatedEdit {
                        position: Position::of(sources, edit.span),
                        replacement: edit.replacement.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A fix `dlc check --fix` applied: the diagnostic it answered, and each
/// replacement with the text it replaced. Positions are in the text before
/// the fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocatedFix {
    #[serde(serialize_with = "code_text")]
    pub code: Code,
    pub message: String,
    pub edits: Vec<AppliedEdit>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedEdit {
    #[serde(flatten)]
    pub position: Position,
    pub original: String,
    pub replacement: String,
}

/// Resolves the positions of a fix applied to `sources`.
pub fn locate_fix(sources: &SourceMap, fix: &crate::fix::Fix) -> LocatedFix {
    LocatedFix {
        code: fix.code,
        message: fix.message.clone(),
        edits: fix
            .edits
            .iter()
            .map(|edit| AppliedEdit {
                position: Position::of(sources, edit.span),
                original: edit.old.clone(),
                replacement: edit.new.clone(),
            })
            .collect(),
    }
}

fn code_text<S: Serializer>(code: &Code, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(code.as_str())
}

fn severity_text<S: Serializer>(severity: &Severity, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(severity.as_str())
}
