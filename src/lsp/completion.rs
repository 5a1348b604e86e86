//! Completion: the fields a record still lacks, an enum's variants, the
//! environments after `extends`, the lake files after `import`.
//!
//! The context comes from the text before the cursor, and the record being
//! written from the index or, where the item did not parse, from the braces
//! around the cursor: completion answers in a file that does not parse.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

use crate::analysis::{Analysis, NodeKind};
use crate::source::FileId;
use crate::syntax::ast::{Docs, ItemKind};
use crate::types::{FieldDef, Type, TypeDef, TypeDefs};

/// What the text before the cursor asks for.
#[derive(Debug, PartialEq)]
pub enum Context {
    /// After `extends`.
    Extends,
    /// Inside `import "`: the folder part written so far.
    Import(String),
    /// The value of `key = `.
    Value(String),
    /// Where a field's key goes.
    Key,
}

pub fn context(text: &str, offset: usize) -> Option<Context> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    if let Some(at) = line.rfind("import \"") {
        let written = &line[at + "import \"".len()..];
        if !written.contains('"') {
            let folder = written.rfind('/').map_or("", |i| &written[..=i]);
            return Some(Context::Import(folder.to_string()));
        }
    }
    let trimmed = line.trim_end_matches(is_name_char);
    if trimmed.trim_end().ends_with("extends") {
        return Some(Context::Extends);
    }
    // The segment of the line after the last `{`, `,` or `[`.
    let segment = line.rsplit(['{', ',', '[']).next().unwrap_or(line);
    if let Some((key, value)) = segment.split_once('=') {
        let key = key.trim();
        let value = value.trim_start();
        if !key.is_empty() && key.chars().all(is_name_char) && value.chars().all(is_name_char) {
            return Some(Context::Value(key.to_string()));
        }
        return None;
    }
    segment
        .trim_start()
        .chars()
        .all(is_name_char)
        .then_some(Context::Key)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The record being written at `offset`, and the fields it already has.
pub fn record_at(
    analysis: &Analysis,
    file: FileId,
    text: &str,
    offset: usize,
) -> Option<(String, Vec<String>)> {
    if let Some(node) = analysis.index.record_at(file, offset) {
        if let NodeKind::Record { record, written } = &node.kind {
            return Some((record.clone(), written.clone()));
        }
    }
    let brace = enclosing(text, offset, '{', '}')?;
    let record = record_of_brace(analysis, text, brace, 0)?;
    Some((record, keys_in(text, brace, offset)))
}

/// The record type a `{` at `brace` opens, from the text before it.
fn record_of_brace(analysis: &Analysis, text: &str, brace: usize, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let types = &analysis.syntax.types;
    let before = text[..brace].trim_end();
    let word = last_word(before);
    if types.record(word).is_some() {
        return Some(word.to_string());
    }
    let mut words = before.split_whitespace().rev();
    let words: Vec<&str> = words.by_ref().take(4).collect();
    let keyword = |w: &str| words.iter().position(|x| *x == w);
    if keyword("lake") == Some(1) {
        return Some("Lake".into());
    }
    if keyword("env") == Some(1) || keyword("env") == Some(3) && keyword("extends") == Some(1) {
        return Some("Environment".into());
    }
    // `key = {` or `key = [{ ... }, {`.
    let mut before = before;
    if before.ends_with(',') || before.ends_with('[') {
        let open = enclosing(text, brace, '[', ']')?;
        before = text[..open].trim_end();
    }
    let before = before.strip_suffix('=')?.trim_end();
    let key = last_word(before);
    let outer = enclosing(text, before.len(), '{', '}')?;
    let parent = record_of_brace(analysis, text, outer, depth + 1)?;
    let field = types.record(&parent)?.fields.get(key)?;
    match innermost(types, &field.ty) {
        Type::Named(name) if types.record(name).is_some() => Some(name.clone()),
        _ => None,
    }
}

fn last_word(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !is_name_char(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

/// The unmatched `open` before `offset`.
fn enclosing(text: &str, offset: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text[..offset].char_indices().rev() {
        if c == close {
            depth += 1;
        } else if c == open {
            if depth == 0 {
                return Some(i);
            }
            depth -= 1;
        }
    }
    None
}

/// The keys written directly inside the braces that open at `brace`.
fn keys_in(text: &str, brace: usize, offset: usize) -> Vec<String> {
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let body = &text[brace + 1..];
    let mut at_key = true;
    let mut key = String::new();
    for (i, c) in body.char_indices() {
        if brace + 1 + i == offset {
            at_key = false;
        }
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' if depth == 0 => break,
            '}' | ']' => depth -= 1,
            '\n' | ',' if depth == 0 => {
                at_key = true;
                key.clear();
            }
            '=' if depth == 0 && at_key => {
                keys.push(key.trim().to_string());
                at_key = false;
            }
            _ if at_key => key.push(c),
            _ => {}
        }
    }
    keys
}

/// The type under optionality, lists and aliases.
fn innermost<'t>(types: &'t TypeDefs, mut ty: &'t Type) -> &'t Type {
    for _ in 0..16 {
        ty = match ty {
            Type::Optional(inner) | Type::List(inner) => inner,
            Type::Named(name) => match types.get(name) {
                Some(TypeDef::Alias(alias)) => &alias.base,
                _ => return ty,
            },
            _ => return ty,
        };
    }
    ty
}

pub fn missing_fields(
    analysis: &Analysis,
    record: &str,
    written: &[String],
) -> Vec<CompletionItem> {
    let Some(def) = analysis.syntax.types.record(record) else {
        return Vec::new();
    };
    def.fields
        .values()
        .filter(|field| !written.contains(&field.name))
        .map(|field| field_item(analysis, field))
        .collect()
}

fn field_item(analysis: &Analysis, field: &FieldDef) -> CompletionItem {
    let mut detail = field.ty.to_string();
    if let Some(default) = &field.default {
        detail.push_str(&format!(
            " = {}",
            analysis.checked.sources.text(default.span)
        ));
    } else if field.is_required() {
        detail.push_str(" (required)");
    }
    CompletionItem {
        label: field.name.clone(),
        kind: Some(CompletionItemKind::FIELD),
        detail: Some(detail),
        documentation: documentation(&field.docs),
        insert_text: Some(format!("{} = ", field.name)),
        // Required fields first, then in the schema's order.
        sort_text: Some(format!("{}", u8::from(!field.is_required()))),
        ..CompletionItem::default()
    }
}

/// The values the field `key` of `record` takes: an enum's variants, or
/// `true` and `false`.
pub fn values(analysis: &Analysis, record: &str, key: &str) -> Vec<CompletionItem> {
    let types = &analysis.syntax.types;
    let Some(field) = types.record(record).and_then(|r| r.fields.get(key)) else {
        return Vec::new();
    };
    match innermost(types, &field.ty) {
        Type::Bool => ["true", "false"]
            .into_iter()
            .map(|value| CompletionItem {
                label: value.into(),
                kind: Some(CompletionItemKind::VALUE),
                ..CompletionItem::default()
            })
            .collect(),
        Type::Named(name) => match types.get(name) {
            Some(TypeDef::Enum(def)) => def
                .variants
                .values()
                .map(|variant| CompletionItem {
                    label: variant.name.clone(),
                    kind: Some(CompletionItemKind::ENUM_MEMBER),
                    detail: Some(name.clone()),
                    documentation: documentation(&variant.docs),
                    ..CompletionItem::default()
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

pub fn environments(analysis: &Analysis) -> Vec<CompletionItem> {
    analysis
        .syntax
        .modules
        .iter()
        .flat_map(|module| &module.items)
        .filter_map(|item| match &item.kind {
            ItemKind::Env(d) => Some(CompletionItem {
                label: d.name.name.clone(),
                kind: Some(CompletionItemKind::MODULE),
                documentation: documentation(&item.docs),
                ..CompletionItem::default()
            }),
            _ => None,
        })
        .collect()
}

pub fn files(names: Vec<String>) -> Vec<CompletionItem> {
    names
        .into_iter()
        .map(|name| CompletionItem {
            label: name,
            kind: Some(CompletionItemKind::FILE),
            ..CompletionItem::default()
        })
        .collect()
}

fn documentation(docs: &Docs) -> Option<Documentation> {
    (!docs.lines.is_empty()).then(|| {
        Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: docs.text(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_before_the_cursor_tells_what_to_complete() {
        let at_end = |text: &str| context(text, text.len());
        assert_eq!(at_end("env Test extends D"), Some(Context::Extends));
        assert_eq!(
            at_end("import \"shared/zo"),
            Some(Context::Import("shared/".into()))
        );
        assert_eq!(
            at_end("    retention = re"),
            Some(Context::Value("retention".into()))
        );
        assert_eq!(at_end("    network = { cid"), Some(Context::Key));
        assert_eq!(at_end("    acc"), Some(Context::Key));
        assert_eq!(at_end("    branch = \"ma"), None);
    }
}
