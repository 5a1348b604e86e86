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

/// Writes diagnostics the way a person reads them: source line, labels, notes, help.
pub fn human(
    out: &mut dyn WriteColor,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    let config = term::Config::default();
    for diagnostic in diagnostics {
        let rendered = to_codespan(diagnostic);
        term::emit(out, &config, sources, &rendered).map_err(|e| match e {
            codespan_reporting::files::Error::Io(io) => io,
            other => std::io::Error::other(other.to_string()),
        })?;
    }
    Ok(())
}

fn to_codespan(diagnostic: &Diagnostic) -> cs::Diagnostic<crate::source::FileId> {
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let primary = &diagnostic.primary;
    let mut labels = vec![cs::Label::primary(primary.span.file, primary.span.range())
        .with_message(primary.message.clone())];
    labels.extend(diagnostic.secondary.iter().map(|label| {
        cs::Label::secondary(label.span.file, label.span.range())
            .with_message(label.message.clone())
    }));
    let mut notes = diagnostic.notes.clone();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// `file:line:col: severity[CODE]: message`, for grep, editors and CI logs.
pub fn short(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let file = sources.get(diagnostic.primary.span.file);
        let (line, column) = file.line_col(diagnostic.primary.span.start as usize);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {}\n",
            file.name,
            line,
            column,
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
    let primary = json_label(sources, &diagnostic.primary, true);
    let mut labels = vec![primary.clone()];
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
