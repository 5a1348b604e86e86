//! Go to definition, find references and the outline of a document.

use lsp_types::{DocumentSymbol, Location, SymbolKind};

use super::convert::Lines;
use crate::analysis::{Analysis, Index, Node};
use crate::source::FileId;
use crate::syntax::ast::{Item, ItemKind};

pub fn definition(analysis: &Analysis, node: &Node) -> Option<Location> {
    let target = Index::definition(node)?;
    Lines::default().location(&analysis.checked.sources, target)
}

pub fn references(analysis: &Analysis, node: &Node, include_declaration: bool) -> Vec<Location> {
    let Some(target) = Index::definition(node) else {
        return Vec::new();
    };
    let mut lines = Lines::default();
    let sources = &analysis.checked.sources;
    analysis
        .index
        .references(target)
        .into_iter()
        .filter(|span| include_declaration || *span != target)
        .filter_map(|span| lines.location(sources, span))
        .collect()
}

/// The declarations of a file, an environment's and the lake's fields below them.
pub fn symbols(analysis: &Analysis, file: FileId) -> Vec<DocumentSymbol> {
    let Some(module) = analysis.syntax.modules.iter().find(|m| m.file == file) else {
        return Vec::new();
    };
    let mut lines = Lines::default();
    module
        .items
        .iter()
        .filter_map(|item| symbol(analysis, &mut lines, item))
        .collect()
}

fn symbol(analysis: &Analysis, lines: &mut Lines, item: &Item) -> Option<DocumentSymbol> {
    let sources = &analysis.checked.sources;
    let name = item.kind.name()?;
    let (kind, detail, children) = match &item.kind {
        ItemKind::Lake(d) | ItemKind::Env(d) => {
            let fields = d
                .body
                .fields
                .iter()
                .map(|field| {
                    make(
                        field.key.name.clone(),
                        SymbolKind::FIELD,
                        None,
                        lines.range(sources, field.span),
                        lines.range(sources, field.key.span),
                        None,
                    )
                })
                .collect();
            let (kind, detail) = if matches!(item.kind, ItemKind::Lake(_)) {
                (SymbolKind::MODULE, "lake".to_string())
            } else {
                let detail = match &d.extends {
                    Some(parent) => format!("env extends {}", parent.name),
                    None => "env".to_string(),
                };
                (SymbolKind::NAMESPACE, detail)
            };
            (kind, detail, Some(fields))
        }
        ItemKind::Let(_) => (SymbolKind::CONSTANT, "let".to_string(), None),
        ItemKind::Type(_) => (SymbolKind::TYPE_PARAMETER, "type".to_string(), None),
        ItemKind::Record(_) => (SymbolKind::STRUCT, "record".to_string(), None),
        ItemKind::Enum(_) => (SymbolKind::ENUM, "enum".to_string(), None),
        ItemKind::Import(_) => return None,
    };
    Some(make(
        name.name.clone(),
        kind,
        Some(detail),
        lines.range(sources, item.span),
        lines.range(sources, name.span),
        children,
    ))
}

fn make(
    name: String,
    kind: SymbolKind,
    detail: Option<String>,
    range: lsp_types::Range,
    selection_range: lsp_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    // `deprecated` is itself deprecated in favour of `tags`; the struct
    // still has the field.
    #[allow(deprecated)]
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children,
    }
}
