//! The parser: pest parses with the grammar (`grammar/dl.pest`), the one
//! source of the syntax, and the builders turn its pairs into the AST.
//!
//! - this module: the entry point, and the limits checked before parsing;
//! - [`recovery`]: when the file does not parse, each top-level item is parsed
//!   on its own, so one syntax error does not hide the items after it; and an
//!   item whose error is inside a field is parsed again without that field,
//!   so it does not hide the rest of the item either;
//! - [`messages`]: what a syntax error says;
//! - [`build`]: one builder per grammar rule, by rule family, with the
//!   literals validated there (escapes, CIDR octets, number ranges) so that
//!   later stages see only well-formed values.

mod build;
mod messages;
mod recovery;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pest::Parser as _;

use super::ast::*;
use super::lexer::code_bytes;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{bom_len, FileId, Span};
use build::{children, Builder};
use recovery::recover;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/dl.pest"]
struct DlParser;

/// Words that start a top-level item. Recovery splits a broken file at them.
const ITEM_KEYWORDS: &[&str] = &["import", "lake", "env", "let", "type", "record", "enum"];

/// Every reserved word of the language, as the grammar's `keyword` rule lists them.
pub const KEYWORDS: &[&str] = &[
    "import", "lake", "env", "let", "extends", "type", "record", "enum", "where", "length",
    "matches", "true", "false",
];

/// How deeply brackets (`[` and `{`) may nest. Real lakes use a handful of
/// levels; the limit keeps the recursive parser and the stages after it
/// within a thread's stack whatever the input.
pub const MAX_NESTING: usize = 64;

/// Parses one file. Items that parse are returned even when others do not.
pub fn parse_module(file: FileId, text: &str, diagnostics: &mut Diagnostics) -> Module {
    // A byte-order mark is read as three spaces: skipped, and every span
    // still counts from the file's first byte.
    let text: Cow<str> = match bom_len(text) {
        0 => Cow::Borrowed(text),
        bom => Cow::Owned(format!("{}{}", " ".repeat(bom), &text[bom..])),
    };
    let text = text.as_ref();
    if too_deep(text).is_none() {
        if let Ok(mut pairs) = DlParser::parse(Rule::file, text) {
            let mut builder = Builder::new(file, 0, diagnostics);
            let items = pairs
                .next()
                .map(|file_pair| {
                    children(file_pair, Rule::item, &[Rule::EOI])
                        .map(|p| builder.item(p))
                        .collect()
                })
                .unwrap_or_default();
            return Module {
                file,
                items,
                unparsed: Vec::new(),
                lost_fields: Vec::new(),
            };
        }
    }
    recover(file, text, diagnostics)
}

/// pest collects what it expected at an error only while a process-wide
/// switch is on, and collecting it makes every parse a few times slower. A
/// file is parsed with it off; one that fails is parsed again with it on,
/// holding this lock, so that no other thread turns it off meanwhile (a
/// parse that succeeds does not depend on it).
struct ErrorDetail {
    _lock: MutexGuard<'static, ()>,
}

impl ErrorDetail {
    fn on() -> ErrorDetail {
        static LOCK: Mutex<()> = Mutex::new(());
        let guard = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        pest::set_error_detail(true);
        ErrorDetail { _lock: guard }
    }
}

impl Drop for ErrorDetail {
    fn drop(&mut self) {
        pest::set_error_detail(false);
    }
}

/// The offset of the first bracket that opens nesting level `MAX_NESTING + 1`,
/// outside strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in code_bytes(text, 0, text.len()) {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn nesting_diagnostic(file: FileId, offset: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        Span::new(file, offset, offset + 1),
        format!("brackets nest too deeply: more than {MAX_NESTING} levels"),
    )
    .with_label(format!("level {} opens here", MAX_NESTING + 1))
    .with_help(
        "a lake needs a few levels at most; give inner values a name with `let` and refer to it",
    )
}
