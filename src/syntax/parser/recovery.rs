//! Recovery from syntax errors: a file that does not parse is cut into its
//! top-level items, each parsed on its own; an item whose error is inside a
//! field is parsed again without that field.

use pest::Parser as _;

use super::build::{children, Builder};
use super::messages::syntax_diagnostic;
use super::{nesting_diagnostic, too_deep, DlParser, ErrorDetail, Rule, ITEM_KEYWORDS};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use crate::syntax::lexer::{code_bytes, pieces, PieceKind};

/// Parses each top-level item on its own and reports the errors of those that
/// fail (or, if none does, the error of the whole file).
pub(super) fn recover(file: FileId, text: &str, diagnostics: &mut Diagnostics) -> Module {
    let _detail = ErrorDetail::on();
    let mut items = Vec::new();
    let mut unparsed = Vec::new();
    let mut lost_fields = Vec::new();
    let mut reported = false;
    for (start, end) in item_chunks(text) {
        let chunk = &text[start..end];
        if is_blank(chunk) {
            continue;
        }
        if let Some(offset) = too_deep(chunk) {
            diagnostics.push(nesting_diagnostic(file, start + offset));
            reported = true;
            continue;
        }
        let first_error = match DlParser::parse(Rule::lone_item, chunk) {
            Ok(pairs) => {
                items.extend(build_lone_item(file, start, pairs, diagnostics));
                continue;
            }
            Err(error) => syntax_diagnostic(file, text, start, end, &error),
        };
        reported = true;
        match without_broken_fields(file, text, start, end, first_error.clone()) {
            Some(recovered) => {
                let parsed = DlParser::parse(Rule::lone_item, &recovered.chunk);
                diagnostics.extend(recovered.errors);
                lost_fields.extend(recovered.lost);
                if let Ok(pairs) = parsed {
                    items.extend(build_lone_item(file, start, pairs, diagnostics));
                }
            }
            None => {
                diagnostics.push(first_error);
                unparsed.extend(declared_name(chunk));
            }
        }
    }
    if !reported {
        if let Some(offset) = too_deep(text) {
            diagnostics.push(nesting_diagnostic(file, offset));
        } else if let Err(error) = DlParser::parse(Rule::file, text) {
            diagnostics.push(syntax_diagnostic(file, text, 0, text.len(), &error));
        }
    }
    Module {
        file,
        items,
        unparsed,
        lost_fields,
    }
}

fn build_lone_item(
    file: FileId,
    offset: usize,
    mut pairs: pest::iterators::Pairs<Rule>,
    diagnostics: &mut Diagnostics,
) -> Option<Item> {
    let mut builder = Builder::new(file, offset, diagnostics);
    let item = pairs
        .next()
        .and_then(|p| children(p, Rule::item, &[Rule::EOI]).next())?;
    Some(builder.item(item))
}

/// How many broken fields one item may lose before it is given up whole:
/// past a few, the errors are more likely echoes of one than independent.
const MAX_LOST_FIELDS: usize = 8;

/// An item that parses once the fields with syntax errors are left out.
struct Recovered {
    /// The item's chunk with those fields blanked out (offsets unchanged).
    chunk: String,
    /// One syntax error per field left out.
    errors: Vec<Diagnostic>,
    lost: Vec<Span>,
}

/// Recovery inside an item: blanks out the field that holds the syntax
/// error (its line, and the lines its brackets span) and parses again, until
/// the item parses. `None` when an error is outside any field (in the item's
/// first line, or its closing brace) or the item still fails after
/// [`MAX_LOST_FIELDS`]: the item is then left out whole, as before.
fn without_broken_fields(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    first: Diagnostic,
) -> Option<Recovered> {
    let mut chunk = text[start..end].to_string();
    let header_end = item_header_end(&chunk)?;
    let mut errors = vec![first];
    let mut lost = Vec::new();
    loop {
        let at = (errors.last()?.span()?.start as usize).checked_sub(start)?;
        let (field_start, field_end) = match unclosed_field(&chunk, header_end, at) {
            Some((field_start, field_end, open)) => {
                let error = errors.pop()?;
                errors.push(unclosed_bracket(error, &chunk, start, open));
                (field_start, field_end)
            }
            None => field_around(&chunk, at)?,
        };
        // Errors go forward: one before the last field lost is an echo of it.
        let after_lost = lost
            .last()
            .map_or(header_end, |l: &Span| l.end as usize - start);
        if field_start < after_lost || lost.len() >= MAX_LOST_FIELDS {
            return None;
        }
        blank(&mut chunk, field_start, field_end);
        lost.push(Span::new(file, start + field_start, start + field_end));
        match DlParser::parse(Rule::lone_item, &chunk) {
            Ok(_) => {
                return Some(Recovered {
                    chunk,
                    errors,
                    lost,
                })
            }
            Err(error) => {
                // Described against the blanked text, which is the text the
                // parser saw; offsets are those of the file.
                let mut blanked = text.to_string();
                blanked.replace_range(start..end, &chunk);
                errors.push(syntax_diagnostic(file, &blanked, start, end, &error));
            }
        }
    }
}

/// The offset just past the line that starts the item (after its doc
/// comments): a syntax error there is not inside a field.
fn item_header_end(chunk: &str) -> Option<usize> {
    let mut offset = 0;
    for line in chunk.split_inclusive('\n') {
        offset += line.len();
        if starts_item(line.trim_start()) {
            return Some(offset);
        }
    }
    None
}

/// The lines of the field that holds offset `at`: its line, and the lines
/// after it up to where the brackets opened on it close. `None` when the
/// line closes what holds the field, or its brackets never close.
fn field_around(chunk: &str, at: usize) -> Option<(usize, usize)> {
    let start = line_start(chunk, at);
    let mut depth = 0i64;
    for (i, b) in code_bytes(chunk, start, chunk.len()) {
        match b {
            b'[' | b'{' => depth += 1,
            // A line that starts by closing a bracket closes what holds the
            // field; one closed after the field's text is stray, part of the error.
            b']' | b'}' if depth == 0 && chunk[start..i].trim().is_empty() => return None,
            b']' | b'}' if depth == 0 => {}
            b']' | b'}' => depth -= 1,
            b'\n' if depth == 0 && !after_open_string(chunk, start, i) => return Some((start, i)),
            _ => {}
        }
    }
    None
}

/// The field whose bracket is still open at the error at `at`, when that
/// error is on a later line that sits no deeper than the field: a `[` (or `{`)
/// left unclosed swallows what follows, so the error shows on the next field
/// or on the item's closing brace. The field runs from its line up to the
/// error's line, which is kept; the third offset is the open bracket.
fn unclosed_field(chunk: &str, from: usize, at: usize) -> Option<(usize, usize, usize)> {
    let open = outermost_open_bracket(chunk, from, at)?;
    let field_start = line_start(chunk, open);
    let error_line = line_start(chunk, at);
    let is_assignment = chunk[field_start..open].contains('=');
    let no_deeper = indent(chunk, error_line) <= indent(chunk, field_start);
    (is_assignment && error_line > field_start && no_deeper).then_some((
        field_start,
        error_line,
        open,
    ))
}

/// The syntax error that a bracket left open causes, showing the bracket.
fn unclosed_bracket(error: Diagnostic, chunk: &str, start: usize, open: usize) -> Diagnostic {
    let (bracket, close) = if chunk.as_bytes()[open] == b'[' {
        ("[", "]")
    } else {
        ("{", "}")
    };
    let Some(file) = error.span().map(|span| span.file) else {
        return error;
    };
    let span = Span::new(file, start + open, start + open + 1);
    let error = error.with_secondary(span, format!("this `{bracket}` is never closed"));
    if error.help.is_some() {
        return error;
    }
    error.with_help(format!("close it with `{close}` where its value ends"))
}

/// True when a string left open runs up to the line break at `at`: the field
/// then runs on to the next line, which most likely holds the rest of it.
fn after_open_string(chunk: &str, line_start: usize, at: usize) -> bool {
    pieces(&chunk[line_start..at])
        .last()
        .is_some_and(|piece| piece.kind == PieceKind::OpenStr && line_start + piece.end == at)
}

/// The first bracket opened in `chunk[from..to]` and not closed before `to`.
/// Brackets in strings and comments do not count.
fn outermost_open_bracket(chunk: &str, from: usize, to: usize) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    for (i, b) in code_bytes(chunk, from, to) {
        match b {
            b'[' | b'{' => open.push(i),
            b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.first().copied()
}

/// The offset where the line holding `at` starts.
fn line_start(chunk: &str, at: usize) -> usize {
    chunk[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// How many spaces and tabs start the line at `start`.
fn indent(chunk: &str, start: usize) -> usize {
    let line = &chunk[start..];
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// Replaces `chunk[start..end]` with spaces, keeping line breaks and every
/// byte offset.
fn blank(chunk: &mut String, start: usize, end: usize) {
    let blanked: String = chunk[start..end]
        .chars()
        .map(|c| match c {
            '\n' | '\r' => c.to_string(),
            c => " ".repeat(c.len_utf8()),
        })
        .collect();
    chunk.replace_range(start..end, &blanked);
}

/// The keyword and name that a chunk which failed to parse declares
/// (`("env", "Dev")` for `env Dev {`), so that later stages do not report
/// uses of `Dev` as undefined: the syntax error already covers them.
fn declared_name(chunk: &str) -> Option<(String, String)> {
    let line = chunk
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with("//") && starts_item(line))?;
    let (keyword, rest) = line.split_once([' ', '\t', '"'])?;
    let name: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    Some((keyword.to_string(), name))
}

/// Byte ranges of the top-level items: a chunk starts at a line whose first
/// word is an item keyword, or at the doc comments just above it.
pub(super) fn item_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![0];
    let mut offset = 0;
    let mut doc_run_start: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("///") && !trimmed.starts_with("////") {
            doc_run_start.get_or_insert(offset);
        } else if starts_item(trimmed) {
            starts.push(doc_run_start.unwrap_or(offset));
            doc_run_start = None;
        } else if !trimmed.is_empty() {
            doc_run_start = None;
        }
        offset += line.len();
    }
    starts.dedup();
    let mut chunks: Vec<(usize, usize)> = starts.windows(2).map(|w| (w[0], w[1])).collect();
    if let Some(&last) = starts.last() {
        chunks.push((last, text.len()));
    }
    chunks
}

fn starts_item(line: &str) -> bool {
    ITEM_KEYWORDS.iter().any(|keyword| {
        line.strip_prefix(keyword)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '"']))
    })
}

/// True when the text holds only white space and comments (a doc comment
/// is not blank: an item must follow it).
fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        let is_doc = line.starts_with("///") && !line.starts_with("////");
        line.is_empty() || (line.starts_with("//") && !is_doc)
    })
}
