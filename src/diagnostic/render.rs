//! Renderers: one diagnostic model, three outputs.
//!
//! - human: codespan-reporting, with source lines and labels;
//! - short: `file:line:col: severity[CODE]: message`, one line each;
//! - json: a versioned document, see [`JSON_SCHEMA_VERSION`].

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde_json::{json, Value};

use super::{Diagnostic, Label, Severity};
use crate::source::SourceMap;

/// Bumped when a field of the JSON output changes meaning or disappears.
/// Adding a field does not bump it.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Source lines longer than this many bytes are not shown under a
/// diagnostic: a generated file can hold a 10 MB line, and a thousand
/// diagnostics on it would print ten gigabytes.
const MAX_SHOWN_LINE: usize = 1000;

/// Writes diagnostics the way a person reads them: source line, labels, notes, help.
pub fn human(
    out: &mut dyn WriteColor,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    let config = term::Config::default();
    for diagnostic in diagnostics {
        let rendered = to_codespan(sources, diagnostic);
        term::emit(out, &config, sources, &rendered).map_err(|e| match e {
            codespan_reporting::files::Error::Io(io) => io,
            other => std::io::Error::other(other.to_string()),
        })?;
    }
    Ok(())
}

fn to_codespan(
    sources: &SourceMap,
    diagnostic: &Diagnostic,
) -> cs::Diagnostic<crate::source::FileId> {
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = Vec::new();
    // A label on a line too long to show becomes a note with its position.
    let mut long_line_notes = Vec::new();
    let all = diagnostic
        .primary
        .iter()
        .map(|label| (label, true))
        .chain(diagnostic.secondary.iter().map(|label| (label, false)));
    for (label, primary) in all {
        let file = sources.get(label.span.file);
        let too_long = [label.span.start, label.span.end].iter().any(|&offset| {
            file.line_range(file.line_index(offset as usize))
                .is_some_and(|line| line.len() > MAX_SHOWN_LINE)
        });
        if too_long {
            let (line, column) = file.line_col(label.span.start as usize);
            long_line_notes.push(format!(
                "at {}:{line}:{column}: {} (the line is too long to show)",
                file.name, label.message
            ));
            continue;
        }
        let style = if primary {
            cs::LabelStyle::Primary
        } else {
            cs::LabelStyle::Secondary
        };
        labels.push(
            cs::Label::new(style, label.span.file, label.span.range())
                .with_message(label.message.clone()),
        );
    }
    let mut notes = long_line_notes;
    notes.extend(diagnostic.notes.iter().cloned());
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// `file:line:col: severity[CODE]: message`, for grep, editors and CI logs;
/// `dlc: severity[CODE]: message` for a diagnostic with no place in a file.
pub fn short(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let place = match diagnostic.span() {
            Some(span) => {
                let file = sources.get(span.file);
                let (line, column) = file.line_col(span.start as usize);
                format!("{}:{line}:{column}", file.name)
            }
            None => "dlc".to_string(),
        };
        out.push_str(&format!(
            "{place}: {}[{}]: {}\n",
            diagnostic.severity.as_str(),
            diagnostic.code.as_str(),
            diagnostic.message
        ));
    }
    out
}

/// The JSON document: `{"version": 1, "diagnostics": [...]}` (see README).
pub fn json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Value {
    json!({
        "version": JSON_SCHEMA_VERSION,
        "diagnostics": diagnostics.iter().map(|d| json_diagnostic(sources, d)).collect::<Vec<_>>(),
    })
}

fn json_diagnostic(sources: &SourceMap, diagnostic: &Diagnostic) -> Value {
    let primary = diagnostic
        .primary
        .as_ref()
        .map_or(Value::Null, |label| json_label(sources, label, true));
    let mut labels: Vec<Value> = diagnostic.primary.iter().map(|_| primary.clone()).collect();
    labels.extend(
        diagnostic
            .secondary
            .iter()
            .map(|label| json_label(sources, label, false)),
    );
    json!({
        "code": diagnostic.code.as_str(),
        "severity": diagnostic.severity.as_str(),
        "message": diagnostic.message,
        "file": primary["file"],
        "line": primary["line"],
        "column": primary["column"],
        "end_line": primary["end_line"],
        "end_column": primary["end_column"],
        "start_offset": primary["start_offset"],
        "end_offset": primary["end_offset"],
        "labels": labels,
        "notes": diagnostic.notes,
        "help": diagnostic.help,
    })
}

fn json_label(sources: &SourceMap, label: &Label, primary: bool) -> Value {
    let file = sources.get(label.span.file);
    let (line, column) = file.line_col(label.span.start as usize);
    let (end_line, end_column) = file.line_col(label.span.end as usize);
    json!({
        "file": file.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "start_offset": label.span.start,
        "end_offset": label.span.end,
        "message": label.message,
        "primary": primary,
    })
}
