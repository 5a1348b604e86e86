//! Between dlc's byte spans and files and the protocol's ranges and URIs.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
    Url,
};

use crate::analysis::{self, LineIndex};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap, Span};

/// The scheme of the stdlib's read-only documents: `dlc-std:std/aws.dl`.
pub const STD_SCHEME: &str = "dlc-std";

/// The URI of a loaded file: a `file:` URI for a lake file (named by its
/// absolute path), a `dlc-std:` one for a stdlib module.
pub fn uri_of(sources: &SourceMap, file: FileId) -> Option<Url> {
    let name = &sources.get(file).name;
    if name.starts_with("std/") {
        return Url::parse(&format!("{STD_SCHEME}:{name}")).ok();
    }
    Url::from_file_path(name).ok()
}

/// Line indexes of the files of one lake, built once per question.
#[derive(Default)]
pub struct Lines {
    indexes: HashMap<FileId, LineIndex>,
}

impl Lines {
    pub fn position(&mut self, sources: &SourceMap, file: FileId, offset: usize) -> Position {
        let text = &sources.get(file).text;
        let index = self
            .indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(text));
        let position = index.position(text, offset);
        Position::new(position.line, position.utf16_column)
    }

    pub fn range(&mut self, sources: &SourceMap, span: Span) -> Range {
        Range::new(
            self.position(sources, span.file, span.start as usize),
            self.position(sources, span.file, span.end as usize),
        )
    }

    pub fn location(&mut self, sources: &SourceMap, span: Span) -> Option<Location> {
        Some(Location::new(
            uri_of(sources, span.file)?,
            self.range(sources, span),
        ))
    }
}

pub fn to_analysis(position: Position) -> analysis::Position {
    analysis::Position {
        line: position.line,
        utf16_column: position.character,
    }
}

/// A dlc diagnostic as the protocol's, in the file of its primary span.
/// The code has no page on the web, so it goes without a description link.
pub fn diagnostic(
    sources: &SourceMap,
    lines: &mut Lines,
    diagnostic: &Diagnostic,
    fallback: Span,
) -> lsp_types::Diagnostic {
    let span = diagnostic.span().unwrap_or(fallback);
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: lines.location(sources, label.span)?,
                message: label.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: lines.range(sources, span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        source: Some("dlc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

/// The path of a `file:` URI.
pub fn path_of(uri: &Url) -> Option<std::path::PathBuf> {
    (uri.scheme() == "file")
        .then(|| uri.to_file_path().ok())
        .flatten()
}

/// The name a file goes by in diagnostics: its path.
pub fn display_name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
