//! The builders: one method per grammar rule, turning pest pairs into the
//! AST. Grouped by rule family: items, types, values, and the literals,
//! which are validated here so that later stages see only well-formed values.

mod items;
mod literals;
mod types;
mod values;

use pest::iterators::Pair;

use super::Rule;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use crate::syntax::lexer::{pieces, Piece, PieceKind};

pub(super) struct Builder<'d> {
    file: FileId,
    /// Where the parsed text starts in the file (non-zero when recovering).
    offset: usize,
    diagnostics: &'d mut Diagnostics,
}

impl<'d> Builder<'d> {
    /// A builder for text that starts at `offset` in `file`.
    pub(super) fn new(file: FileId, offset: usize, diagnostics: &'d mut Diagnostics) -> Self {
        Builder {
            file,
            offset,
            diagnostics,
        }
    }

    /// The pair's span without trailing white space and comments: pest
    /// leaves the trivia it skipped looking for an optional part inside the pair.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let end = s.start() + without_trailing_trivia(pair.as_str()).len();
        Span::new(self.file, self.offset + s.start(), self.offset + end)
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// A child that no builder arm handles: the grammar has a rule the builders
/// do not know. Loud in debug builds (the tests parse every lake file the
/// repository holds); a release build leaves the child out.
fn unexpected(parent: Rule, child: Rule) {
    debug_assert!(
        false,
        "the builder of `{parent:?}` does not handle `{child:?}`"
    );
}

/// The children of `pair` that are `wanted`. Every other child must be one
/// of `skipped` (keywords the builder has no use for); anything else is
/// [`unexpected`].
pub(super) fn children<'i>(
    pair: Pair<'i, Rule>,
    wanted: Rule,
    skipped: &'static [Rule],
) -> impl Iterator<Item = Pair<'i, Rule>> {
    let parent = pair.as_rule();
    pair.into_inner().filter(move |child| {
        let rule = child.as_rule();
        if rule != wanted && !skipped.contains(&rule) {
            unexpected(parent, rule);
        }
        rule == wanted
    })
}

/// `text` up to the end of its last token: trailing white space and
/// comments removed.
pub(super) fn without_trailing_trivia(text: &str) -> &str {
    let mut end = text.trim_end().len();
    // A comment runs to the end of its line, so only one on the last line
    // can end the text. Without a `/` there, nothing is left to cut: this
    // spares lexing the whole pair, for every pair of the file.
    let last_line = &text[text[..end].rfind('\n').map_or(0, |i| i + 1)..end];
    if !last_line.contains('/') {
        return &text[..end];
    }
    // The comments, last first: each one that ends the text is cut off.
    let comments: Vec<Piece> = pieces(text)
        .filter(|p| matches!(p.kind, PieceKind::Comment | PieceKind::DocLine))
        .collect();
    for comment in comments.iter().rev() {
        if comment.end < end {
            break;
        }
        end = text[..comment.start].trim_end().len();
    }
    &text[..end]
}

fn placeholder_ident(span: Span) -> Ident {
    Ident {
        name: String::new(),
        span,
    }
}

/// The text of a string literal without its interpolations (used where the
/// grammar allows only plain strings: import paths, patterns, keys).
fn plain_text(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Str(parts) => parts
            .iter()
            .map(|part| match part {
                StrPart::Text(text) => text.clone(),
                StrPart::Interpolation(path, _) => format!(
                    "${{{}}}",
                    path.iter()
                        .map(|i| i.name.as_str())
                        .collect::<Vec<_>>()
                        .join(".")
                ),
            })
            .collect(),
        _ => String::new(),
    }
}
