//! The canonical formatter behind `dlc fmt`.
//!
//! The style is the house style of the shipped files (`stdlib/`,
//! `lang-examples/`), each of which is already formatted:
//!
//! - four spaces of indentation per level; LF line ends; no trailing white
//!   space; exactly one newline at the end of a non-empty file;
//! - `key = value`, `name: Type = default`, `let name: Type = value`,
//!   `type Name = Base where length 1..3, matches "..."`, `A | B` with single
//!   spaces;
//! - a record, list, `record` or `enum` body the source wrote on one line,
//!   with no comment inside, stays on one line: `{ name = "raw" }`,
//!   `[a, b]`, `{ storage_class = glacier, after = 365d }`, `{}`, `[]`.
//!   Otherwise it gets one element per line and no commas, except in lists,
//!   where every element ends with a comma. The formatter never joins or
//!   splits a body because of its width: that choice stays with the author;
//! - blank lines between items, fields, variants, list elements and comments
//!   are kept where the source has them, a run of them as one; never at the
//!   start or the end of a body or of the file. A top-level item that takes
//!   several lines (a body, doc comments) always has a blank line before and
//!   after it; a run of one-line items (imports, lets) stays as written;
//! - literals (strings, numbers, CIDRs, durations) are printed exactly as
//!   written, so escapes and interpolations never change;
//! - doc comments are printed `/// text`; plain comments are kept verbatim
//!   (less trailing white space), on their own line or after a value on the
//!   same line, as in the source. A comment inside a construct that is
//!   printed on one line (between `=` and its value, say) moves to the end
//!   of that line, or to the next line that can hold it.
//!
//! The formatter checks its own output: it must parse to the same syntax tree
//! (spans aside) and carry the same comments in the same order. If it does
//! not, that is a bug in the formatter, reported as [`FormatError::Internal`]
//! rather than a rewritten file.

mod printer;
mod spanless;
mod trivia;

pub use spanless::{same_syntax, without_spans};

use std::borrow::Cow;
use std::fmt;

use crate::diagnostic::{Code, Diagnostics};
use crate::source::{bom_len, FileId};
use crate::syntax::ast::Module;
use crate::syntax::parse_module;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum FormatError {
    /// The file does not parse. Holds every diagnostic of the parser; nothing
    /// was formatted.
    Syntax(Diagnostics),
    /// The formatter would have changed the file's meaning or lost a comment:
    /// a bug in the formatter, never in the file.
    Internal(String),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(diagnostics) => {
                write!(
                    f,
                    "the file has {} syntax error(s); it was not formatted",
                    diagnostics.len()
                )
            }
            FormatError::Internal(message) => write!(f, "internal formatter error: {message}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats one file in the canonical style.
///
/// `file` is used only for the spans of the diagnostics returned when the
/// file does not parse; they point into `text` as given. A file whose only
/// problems are bad literals (`10.0.0.0/33`, an unknown escape) is still
/// formatted: the literals are kept as written, for the checker to report.
/// CRLF (and lone CR) line ends are accepted; the result uses LF. A
/// byte-order mark is kept.
pub fn format_source(file: FileId, text: &str) -> Result<String, FormatError> {
    let mut diagnostics = Diagnostics::new();
    let module = parse_module(file, text, &mut diagnostics);
    // Both mean the parser left items out: formatting would delete them.
    if diagnostics
        .iter()
        .any(|d| matches!(d.code, Code::SyntaxError | Code::LimitExceeded))
    {
        return Err(FormatError::Syntax(diagnostics));
    }
    // A byte-order mark is kept as it is, and what follows it formatted as a
    // file of its own.
    let (bom, text) = text.split_at(bom_len(text));
    // A CR can only be part of a line break (strings and comments end at
    // one), so turning line breaks into LF changes no value.
    let (text, module) = match normalize_line_ends(text) {
        Cow::Borrowed(text) if bom.is_empty() => (Cow::Borrowed(text), module),
        text => {
            let module = parse_module(file, &text, &mut Diagnostics::new());
            (text, module)
        }
    };
    let trivia = trivia::Trivia::lex(&text);
    let formatted = printer::print(&text, &trivia, &module);
    verify(file, &text, &module, &formatted)?;
    Ok(format!("{bom}{formatted}"))
}

/// Whether `text` is already formatted. Fails like [`format_source`].
pub fn is_formatted(file: FileId, text: &str) -> Result<bool, FormatError> {
    Ok(format_source(file, text)? == text)
}

/// The plain comments of a file (not `///` doc comments, which are in the
/// syntax tree), in order, without trailing white space.
pub fn comments(text: &str) -> Vec<String> {
    trivia::Trivia::lex(text)
        .comments
        .into_iter()
        .map(|comment| comment.text)
        .collect()
}

/// Checks that `formatted` means what `text` means and keeps its comments.
fn verify(file: FileId, text: &str, module: &Module, formatted: &str) -> Result<(), FormatError> {
    let mut diagnostics = Diagnostics::new();
    let reparsed = parse_module(file, formatted, &mut diagnostics);
    if diagnostics.iter().any(|d| d.code == Code::SyntaxError) {
        return Err(FormatError::Internal(
            "the formatted file does not parse".to_string(),
        ));
    }
    if !same_syntax(&reparsed, module) {
        return Err(FormatError::Internal(
            "the formatted file parses to a different syntax tree".to_string(),
        ));
    }
    if comments(formatted) != comments(text) {
        return Err(FormatError::Internal(
            "the formatted file does not keep every comment in order".to_string(),
        ));
    }
    Ok(())
}

fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests;
