//! Hover: a field's doc, type and default; a variant's doc; what an
//! environment compiles to; a CIDR's subnet plan and neighbours.

use super::compiled;
use crate::analysis::{Analysis, Node, NodeKind};
use crate::syntax::ast::{Docs, Item, ItemKind};
use crate::types::TypeDef;

/// The Markdown shown over `node`, if it has something to say.
pub fn hover(analysis: &Analysis, node: &Node) -> Option<String> {
    let sources = &analysis.checked.sources;
    let types = &analysis.syntax.types;
    match &node.kind {
        NodeKind::Field { record, field, .. } => {
            let def = types.record(record)?.fields.get(field)?;
            let mut out = format!("```dl\n{}: {}", def.name, def.ty);
            if let Some(default) = &def.default {
                out.push_str(&format!(" = {}", sources.text(default.span)));
            }
            out.push_str(&format!("\n```\nA field of `{record}`"));
            if def.is_required() {
                out.push_str(", required");
            }
            out.push_str(".\n");
            with_docs(out, &def.docs)
        }
        NodeKind::Variant {
            enum_name, variant, ..
        } => {
            let Some(TypeDef::Enum(def)) = types.get(enum_name) else {
                return None;
            };
            let docs = &def.variants.get(variant)?.docs;
            with_docs(format!("```dl\n{enum_name}.{variant}\n```\n"), docs)
        }
        NodeKind::Reference { name, .. } | NodeKind::Declaration { name, .. } => {
            if let Some(summary) = environment(analysis, name) {
                return Some(summary);
            }
            let item = item(analysis, name)?;
            let keyword = keyword(&item.kind);
            with_docs(format!("```dl\n{keyword} {name}\n```\n"), &item.docs)
        }
        NodeKind::Cidr(_) => {
            let lake = compiled::lake(analysis)?;
            let env = lake
                .environments
                .values()
                .find(|env| env.network.cidr_span == node.span)?;
            Some(compiled::cidr(&lake, env))
        }
        NodeKind::Import { written, target } => Some(match target {
            Some(_) => format!("imports `{written}`"),
            None => format!("`{written}` could not be loaded"),
        }),
        NodeKind::Record { .. } => None,
    }
}

fn environment(analysis: &Analysis, name: &str) -> Option<String> {
    let lake = compiled::lake(analysis)?;
    let env = lake.environments.get(name)?;
    Some(compiled::environment(&lake, env))
}

fn item<'a>(analysis: &'a Analysis, name: &str) -> Option<&'a Item> {
    let r = analysis.syntax.scope.get(name)?;
    analysis.syntax.modules.get(r.module)?.items.get(r.item)
}

fn keyword(kind: &ItemKind) -> &'static str {
    match kind {
        ItemKind::Import(_) => "import",
        ItemKind::Lake(_) => "lake",
        ItemKind::Env(_) => "env",
        ItemKind::Let(_) => "let",
        ItemKind::Type(_) => "type",
        ItemKind::Record(_) => "record",
        ItemKind::Enum(_) => "enum",
    }
}

fn with_docs(mut out: String, docs: &Docs) -> Option<String> {
    if !docs.lines.is_empty() {
        out.push('\n');
        out.push_str(&docs.text());
        out.push('\n');
    }
    Some(out)
}
