//! Code actions and formatting. A diagnostic's `edits` are its fix as
//! written by the check that found it; a missing required field gets a stub
//! to fill in.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, TextEdit, Url, WorkspaceEdit};

use super::convert::{self, Lines};
use crate::analysis::{Analysis, NodeKind};
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::source::{FileId, Span};
use crate::types::{Type, TypeDef, TypeDefs};

/// The fixes for the diagnostics of `file` whose spans meet `range` (byte offsets).
pub fn code_actions(
    analysis: &Analysis,
    file: FileId,
    start: usize,
    end: usize,
) -> Vec<CodeAction> {
    let mut lines = Lines::default();
    analysis
        .checked
        .diagnostics
        .iter()
        .filter(|d| {
            d.span().is_some_and(|span| {
                span.file == file && span.start as usize <= end && start <= span.end as usize
            })
        })
        .filter_map(|d| {
            let (title, edits) = if d.edits.is_empty() {
                stub(analysis, d)?
            } else {
                let title = d.help.clone().unwrap_or_else(|| "apply the fix".into());
                (title, d.edits.clone())
            };
            let sources = &analysis.checked.sources;
            let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
            for edit in &edits {
                let uri = convert::uri_of(sources, edit.span.file)?;
                changes.entry(uri).or_default().push(TextEdit {
                    range: lines.range(sources, edit.span),
                    new_text: edit.replacement.clone(),
                });
            }
            let fallback = Span::new(file, 0, 0);
            Some(CodeAction {
                title: capitalize(&title),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![convert::diagnostic(sources, &mut lines, d, fallback)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            })
        })
        .collect()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `field = <placeholder>` added to the record a required field is missing
/// from.
fn stub(analysis: &Analysis, diagnostic: &Diagnostic) -> Option<(String, Vec<Edit>)> {
    if diagnostic.code != Code::MissingField {
        return None;
    }
    let span = diagnostic.span()?;
    let declared = diagnostic.secondary.first()?.span;
    // The span is the record's, or for `lake` and `env` their name's: the
    // record is then the first one after the name.
    let nodes = analysis.index.nodes();
    let (span, record) = nodes
        .iter()
        .filter(|n| n.span.file == span.file && n.span.start >= span.start)
        .filter_map(|n| match &n.kind {
            NodeKind::Record { record, .. } => Some((n.span, record)),
            _ => None,
        })
        .min_by_key(|(s, _)| s.start)?;
    let types = &analysis.syntax.types;
    let field = types
        .record(record)?
        .fields
        .values()
        .find(|f| f.span == declared)?;
    let assignment = format!("{} = {}", field.name, placeholder(types, &field.ty));
    let text = analysis.checked.sources.text(span);
    let close = span.start as usize + text.rfind('}')?;
    let file_text = &analysis.checked.sources.get(span.file).text;
    let edit = if text.contains('\n') {
        let line_start = file_text[..close].rfind('\n').map_or(0, |i| i + 1);
        let indent = &file_text[line_start..close];
        if !indent.chars().all(char::is_whitespace) {
            return None;
        }
        Edit {
            span: Span::new(span.file, line_start, line_start),
            replacement: format!("{indent}    {assignment}\n"),
        }
    } else {
        // After a type name, if the literal has one: `GitHub { ... }`.
        let open = span.start as usize + text.find('{')?;
        let inside = file_text[open + 1..close].trim_end();
        let at = open + 1 + inside.len();
        let replacement = if inside.trim().is_empty() {
            format!(" {assignment} ")
        } else {
            format!(", {assignment}")
        };
        Edit {
            span: Span::new(span.file, at, at),
            replacement,
        }
    };
    Some((format!("add `{assignment}`"), vec![edit]))
}

/// A value of the type to start from: the user replaces it.
fn placeholder(types: &TypeDefs, ty: &Type) -> String {
    match ty {
        Type::String | Type::Any | Type::Error => "\"\"".into(),
        Type::Int => "0".into(),
        Type::Bool => "false".into(),
        Type::Cidr => "10.0.0.0/24".into(),
        Type::Duration => "1d".into(),
        Type::List(_) => "[]".into(),
        Type::Map(_) => "{}".into(),
        Type::Optional(inner) => placeholder(types, inner),
        Type::Named(name) => match types.get(name) {
            Some(TypeDef::Alias(alias)) => placeholder(types, &alias.base),
            Some(TypeDef::Enum(def)) => def
                .variants
                .keys()
                .next()
                .cloned()
                .unwrap_or_else(|| "\"\"".into()),
            Some(TypeDef::Union(def)) => match def.members.first() {
                Some(member) => format!("{member} {{}}"),
                None => "{}".into(),
            },
            _ => "{}".into(),
        },
    }
}

/// The whole document in the canonical layout, when it parses and changes.
pub fn format(text: &str, lines: &crate::analysis::LineIndex) -> Option<Vec<TextEdit>> {
    let formatted = crate::fmt::format_source(FileId(0), text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let end = lines.position(text, text.len());
    Some(vec![TextEdit {
        range: lsp_types::Range::new(
            lsp_types::Position::new(0, 0),
            lsp_types::Position::new(end.line, end.utf16_column),
        ),
        new_text: formatted,
    }])
}
