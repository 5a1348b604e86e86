//! Diagnostics the way a person reads them, through codespan-reporting:
//! source lines with the labels under them, then notes and help. A
//! diagnostic with no place in a file is its message and help alone.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor::WriteColor};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

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
