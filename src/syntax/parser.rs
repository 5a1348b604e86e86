//! Builds the AST from pest pairs, one function per grammar rule. Literals are
//! validated here (escapes, CIDR octets, number ranges) so that later stages
//! see only well-formed values.
//!
//! Recovery: when the file does not parse, each top-level item is parsed on its
//! own, so one syntax error does not hide the items after it; and an item
//! whose error is inside a field is parsed again without that field, so it
//! does not hide the rest of the item either.

use std::borrow::Cow;
use std::net::Ipv4Addr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use ipnet::Ipv4Net;
use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::*;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{bom_len, FileId, Span};

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
            let mut builder = Builder {
                file,
                offset: 0,
                diagnostics,
            };
            let items = pairs
                .next()
                .map(|file_pair| {
                    file_pair
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::item)
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
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Strings end at their closing quote or at the end of the line.
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
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

/// Parses each top-level item on its own and reports the errors of those that
/// fail (or, if none does, the error of the whole file).
fn recover(file: FileId, text: &str, diagnostics: &mut Diagnostics) -> Module {
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
    let mut builder = Builder {
        file,
        offset,
        diagnostics,
    };
    let item = pairs
        .next()
        .and_then(|p| p.into_inner().find(|p| p.as_rule() == Rule::item))?;
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
        let at = (errors.last()?.primary.span.start as usize).checked_sub(start)?;
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
    let start = chunk[..at].rfind('\n').map_or(0, |i| i + 1);
    let bytes = chunk.as_bytes();
    let mut depth = 0i64;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
            }
            b'[' | b'{' => depth += 1,
            // A line that starts by closing a bracket closes what holds the
            // field; one closed after the field's text is stray, part of the error.
            b']' | b'}' if depth == 0 && chunk[start..i].trim().is_empty() => return None,
            b']' | b'}' if depth == 0 => {}
            b']' | b'}' => depth -= 1,
            b'\n' if depth == 0 => return Some((start, i)),
            _ => {}
        }
        i += 1;
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
    let span = Span::new(error.primary.span.file, start + open, start + open + 1);
    let error = error.with_secondary(span, format!("this `{bracket}` is never closed"));
    if error.help.is_some() {
        return error;
    }
    error.with_help(format!("close it with `{close}` where its value ends"))
}

/// The first bracket opened in `chunk[from..to]` and not closed before `to`.
/// Brackets in strings and comments do not count.
fn outermost_open_bracket(chunk: &str, from: usize, to: usize) -> Option<usize> {
    let bytes = chunk.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut i = from;
    while i < to.min(bytes.len()) {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
            }
            b'[' | b'{' => open.push(i),
            b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
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
fn item_chunks(text: &str) -> Vec<(usize, usize)> {
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

/// A diagnostic for a parse error in `text[start..end]` (the whole file, or
/// one item's chunk of it when recovering).
fn syntax_diagnostic(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    error: &pest::error::Error<Rule>,
) -> Diagnostic {
    let mut position = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    // pest reports where the last rule failed, but records the literal tokens
    // it tried at the furthest point it reached: after `account` in
    // `account: "..."`, it wanted `=`. When such a token exists, that point
    // is the error; the rules that failed earlier describe another place.
    let mut tokens: Vec<String> = Vec::new();
    let mut use_rules = true;
    if let Some(attempts) = error.parse_attempts() {
        // The token type is not exported by pest; its Display is the token text.
        // Only punctuation that a person would type next is worth naming.
        tokens = attempts
            .expected_tokens()
            .iter()
            .map(ToString::to_string)
            .filter(|t| {
                matches!(
                    t.as_str(),
                    "{" | "}" | "[" | "]" | "=" | ":" | "," | "|" | "?" | "\""
                )
            })
            .map(|t| format!("`{t}`"))
            .collect();
        // A name stops at a letter that is not ASCII (a Cyrillic `а` in
        // `nаme`), and pest then blames the start of the item: blame the letter.
        let furthest_is_foreign = text
            .get(start + attempts.max_position..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| !c.is_ascii());
        if attempts.max_position > position && (!tokens.is_empty() || furthest_is_foreign) {
            position = attempts.max_position;
            use_rules = false;
        } else if attempts.max_position != position {
            tokens.clear();
        }
    }
    let absolute = (start + position).min(end);
    let rest = &text[absolute..];
    let found = describe_found(rest);
    // A word is underlined whole; the end of a line or of the file is a point.
    let found_len = match rest.chars().next() {
        Some('\n' | '\r') | None => 0,
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len()),
        Some(c) => c.len_utf8(),
    };
    let mut expected: Vec<String> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant {
        if use_rules {
            expected.extend(
                positives
                    .iter()
                    .filter_map(|r| rule_description(*r))
                    .map(String::from),
            );
        }
    }
    expected.extend(tokens);
    // Brackets and quotes start values; "a value" says it better.
    if expected.iter().any(|e| e == "a value") {
        expected.retain(|e| !matches!(e.as_str(), "`[`" | "`{`" | "`\"`" | "`-`"));
    }
    expected.sort();
    expected.dedup();
    // pest stops with a message of its own when it runs short of stack.
    let message = if let pest::error::ErrorVariant::CustomError { message } = &error.variant {
        format!("cannot parse this: {message} (the input nests too deeply)")
    } else if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", one_of(&expected))
    };
    let span = Span::new(file, absolute, absolute + found_len);
    let code = match error.variant {
        pest::error::ErrorVariant::CustomError { .. } => Code::LimitExceeded,
        _ => Code::SyntaxError,
    };
    let mut diagnostic = Diagnostic::new(code, span, message).with_label(if expected.is_empty() {
        "not valid here".to_string()
    } else {
        format!("expected {} here", one_of(&expected))
    });
    // The character to explain: the first one outside ASCII in the word found
    // (`lаke` with a Cyrillic `а`), or else the one found.
    let suspect = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .find(|c| !c.is_ascii())
        .or_else(|| rest.chars().next());
    let chunk_ended = absolute >= end && end < text.len();
    if let Some(help) = suspect
        .and_then(non_ascii_help)
        .or_else(|| syntax_help(&text[start..absolute], &found, chunk_ended))
    {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// What a character that is not ASCII is, where dl expects its own syntax:
/// usually a look-alike that an editor or a chat client put in.
fn non_ascii_help(c: char) -> Option<String> {
    let what = match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' => {
            "a typographic quote: strings use the straight quote `\"`"
        }
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => {
            "a typographic apostrophe: strings use the straight double quote `\"`"
        }
        '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200D}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{2060}'
        | '\u{3000}'
        | '\u{FEFF}' => "a non-breaking or invisible space: use an ordinary space, or delete it",
        '\u{2010}'..='\u{2015}' | '\u{2212}' => "a typographic dash: use the hyphen `-`",
        c if c.is_ascii() => return None,
        c if c.is_alphabetic() => {
            "a letter outside ASCII: names and keywords are ASCII letters, digits, `_` and `-`; \
             a letter from another alphabet can look exactly like a Latin one"
        }
        _ => "not ASCII: outside strings and comments, dl is written in ASCII",
    };
    Some(format!("U+{:04X} `{c}` is {what}", c as u32))
}

/// A fix for the common slips, judged from the text before the error.
/// `chunk_ended` is true when the item ran into the next declaration.
fn syntax_help(before: &str, found: &str, chunk_ended: bool) -> Option<String> {
    let last_line = before.lines().last().unwrap_or("");
    if last_line.matches('"').count() % 2 == 1 {
        return Some(
            "close the string with `\"` on the same line: strings do not span lines".into(),
        );
    }
    if found.starts_with("`:`") {
        return Some("fields are set with `=`, as in `account = \"222222222222\"`; `:` declares a field's type in a `record`".into());
    }
    let word = found.trim_matches('`');
    if chunk_ended && ITEM_KEYWORDS.contains(&word) {
        return Some(format!(
            "`{word}` starts the next declaration: is a `}}` or `]` missing above it?"
        ));
    }
    if KEYWORDS.contains(&word) {
        return Some(format!(
            "`{word}` is a reserved word and cannot be a name; choose another"
        ));
    }
    None
}

fn one_of(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

fn describe_found(rest: &str) -> String {
    match rest.chars().next() {
        None => "the end of the file".into(),
        Some('\n') | Some('\r') => "the end of the line".into(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .take(40)
                .collect();
            format!("`{word}`")
        }
        Some(c) if c.is_control() => format!("the character U+{:04X}", c as u32),
        Some(c) => format!("`{c}`"),
    }
}

/// How a rule reads in an error message; `None` hides it.
fn rule_description(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::item | Rule::lone_item | Rule::file => {
            "a declaration (`lake`, `env`, `let`, `import`, ...)"
        }
        Rule::ident | Rule::path => "a name",
        Rule::expr | Rule::record | Rule::list => "a value",
        Rule::string => "a string",
        Rule::integer | Rule::duration_value => "a number",
        Rule::cidr => "a CIDR range",
        Rule::duration => "a duration",
        Rule::boolean => "`true` or `false`",
        Rule::type_expr | Rule::type_atom | Rule::named_type | Rule::list_type => "a type",
        Rule::record_body => "`{`",
        Rule::field | Rule::field_key => "a field",
        Rule::field_decl => "a field declaration",
        Rule::variant => "a variant",
        Rule::constraint
        | Rule::length_constraint
        | Rule::matches_constraint
        | Rule::range_constraint => "a constraint",
        Rule::extends_clause | Rule::kw_extends => "`extends`",
        Rule::refinement | Rule::kw_where => "`where`",
        Rule::union_rest => "`|`",
        Rule::std_module => "a module name (`std.presets`)",
        Rule::docs | Rule::doc_line => return None,
        Rule::kw_import => "`import`",
        Rule::kw_lake => "`lake`",
        Rule::kw_env => "`env`",
        Rule::kw_let => "`let`",
        Rule::kw_type => "`type`",
        Rule::kw_record => "`record`",
        Rule::kw_enum => "`enum`",
        Rule::duration_unit => "a unit (`d`, `h`, `m` or `s`)",
        Rule::optional => "`?`",
        Rule::interpolation => "`${`",
        Rule::int_range => "a range (`1..6`)",
        _ => return None,
    })
}

struct Builder<'d> {
    file: FileId,
    /// Where the parsed text starts in the file (non-zero when recovering).
    offset: usize,
    diagnostics: &'d mut Diagnostics,
}

impl Builder<'_> {
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

    fn item(&mut self, pair: Pair<Rule>) -> Item {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut kind = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::import_decl => kind = Some(ItemKind::Import(self.import_decl(inner))),
                Rule::lake_decl => kind = Some(ItemKind::Lake(self.declaration(inner))),
                Rule::env_decl => kind = Some(ItemKind::Env(self.declaration(inner))),
                Rule::let_decl => kind = Some(ItemKind::Let(self.let_decl(inner))),
                Rule::type_decl => kind = Some(ItemKind::Type(self.type_decl(inner))),
                Rule::record_decl => kind = Some(ItemKind::Record(self.record_decl(inner))),
                Rule::enum_decl => kind = Some(ItemKind::Enum(self.enum_decl(inner))),
                _ => {}
            }
        }
        Item {
            docs,
            // The grammar guarantees one of the alternatives.
            kind: kind.unwrap_or(ItemKind::Import(Import {
                target: ImportTarget::Std(String::new()),
                span,
            })),
            span,
        }
    }

    fn docs(&mut self, pair: Pair<Rule>) -> Docs {
        let lines = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::doc_line)
            .map(|line| {
                let text = line.into_inner().next().map_or("", |t| t.as_str());
                text.strip_prefix(' ')
                    .unwrap_or(text)
                    .trim_end()
                    .to_string()
            })
            .collect();
        Docs { lines }
    }

    fn ident(&mut self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn import_decl(&mut self, pair: Pair<Rule>) -> Import {
        let span = self.span(&pair);
        let mut target = ImportTarget::Std(String::new());
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::std_module => {
                    let name = inner.as_str().trim_start_matches("std.").to_string();
                    target = ImportTarget::Std(name);
                }
                Rule::string => {
                    let expr = self.string(inner);
                    target = ImportTarget::File(plain_text(&expr));
                }
                _ => {}
            }
        }
        Import { target, span }
    }

    fn declaration(&mut self, pair: Pair<Rule>) -> Declaration {
        let span = self.span(&pair);
        let mut name = None;
        let mut extends = None;
        let mut body = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::extends_clause => {
                    extends = inner
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::ident)
                        .map(|p| self.ident(p))
                }
                Rule::record_body => body = Some(self.record_body(inner, None)),
                _ => {}
            }
        }
        Declaration {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            extends,
            body: body.unwrap_or(RecordLit {
                type_name: None,
                fields: Vec::new(),
                span,
            }),
        }
    }

    fn let_decl(&mut self, pair: Pair<Rule>) -> LetDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = None;
        let mut value = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => ty = Some(self.type_expr(inner)),
                Rule::expr => value = Some(self.expr(inner)),
                _ => {}
            }
        }
        LetDecl {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            ty,
            value: value.unwrap_or(Expr {
                kind: ExprKind::Invalid,
                span,
            }),
        }
    }

    fn type_decl(&mut self, pair: Pair<Rule>) -> TypeDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut base = None;
        let mut union_rest = Vec::new();
        let mut constraints = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => base = Some(self.type_expr(inner)),
                Rule::union_rest => {
                    union_rest = inner
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::type_expr)
                        .map(|p| self.type_expr(p))
                        .collect()
                }
                Rule::refinement => {
                    constraints = inner
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::constraint)
                        .filter_map(|p| self.constraint(p))
                        .collect()
                }
                _ => {}
            }
        }
        let name = name.unwrap_or_else(|| placeholder_ident(span));
        TypeDecl {
            base: base.unwrap_or_else(|| TypeExpr {
                kind: TypeExprKind::Named(placeholder_ident(span), None),
                span,
            }),
            name,
            union_rest,
            constraints,
        }
    }

    fn constraint(&mut self, pair: Pair<Rule>) -> Option<Constraint> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next()?;
        let kind = match inner.as_rule() {
            Rule::length_constraint => {
                let value = inner
                    .into_inner()
                    .find(|p| p.as_rule() != Rule::kw_length)?;
                match value.as_rule() {
                    Rule::int_range => {
                        let (low, high) = self.int_range(value);
                        ConstraintKind::Length(low, high)
                    }
                    _ => {
                        let exact = self.integer(&value);
                        ConstraintKind::Length(exact, exact)
                    }
                }
            }
            Rule::matches_constraint => {
                let string = inner.into_inner().find(|p| p.as_rule() == Rule::string)?;
                let expr = self.string(string);
                ConstraintKind::Matches(plain_text(&expr))
            }
            Rule::range_constraint => {
                let range = inner.into_inner().next()?;
                let (low, high) = self.int_range(range);
                ConstraintKind::Range(low, high)
            }
            _ => return None,
        };
        Some(Constraint { kind, span })
    }

    fn int_range(&mut self, pair: Pair<Rule>) -> (Option<i64>, Option<i64>) {
        let dots = pair.as_span().start() + pair.as_str().find("..").unwrap_or(0);
        let mut low = None;
        let mut high = None;
        for inner in pair.into_inner() {
            let value = self.integer(&inner);
            if inner.as_span().start() < dots {
                low = value;
            } else {
                high = value;
            }
        }
        (low, high)
    }

    fn record_decl(&mut self, pair: Pair<Rule>) -> RecordDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut fields = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::field_decl => fields.push(self.field_decl(inner)),
                _ => {}
            }
        }
        RecordDecl {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            fields,
        }
    }

    fn field_decl(&mut self, pair: Pair<Rule>) -> FieldDecl {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => ty = Some(self.type_expr(inner)),
                Rule::expr => default = Some(self.expr(inner)),
                _ => {}
            }
        }
        let name = name.unwrap_or_else(|| placeholder_ident(span));
        FieldDecl {
            docs,
            ty: ty.unwrap_or_else(|| TypeExpr {
                kind: TypeExprKind::Named(placeholder_ident(span), None),
                span,
            }),
            name,
            default,
            span,
        }
    }

    fn enum_decl(&mut self, pair: Pair<Rule>) -> EnumDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut data_type = None;
        let mut variants = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => data_type = Some(self.type_expr(inner)),
                Rule::variant => variants.push(self.variant(inner)),
                _ => {}
            }
        }
        EnumDecl {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            data_type,
            variants,
        }
    }

    fn variant(&mut self, pair: Pair<Rule>) -> VariantDecl {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut name = None;
        let mut data = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::ident => name = Some(self.ident(inner)),
                Rule::record_body => data = Some(self.record_body(inner, None)),
                _ => {}
            }
        }
        VariantDecl {
            docs,
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            data,
            span,
        }
    }

    fn type_expr(&mut self, pair: Pair<Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut atom = None;
        let mut optional = false;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::type_atom => atom = inner.into_inner().next().map(|p| self.type_atom(p)),
                Rule::optional => optional = true,
                _ => {}
            }
        }
        let atom = atom.unwrap_or_else(|| TypeExpr {
            kind: TypeExprKind::Named(placeholder_ident(span), None),
            span,
        });
        if optional {
            TypeExpr {
                kind: TypeExprKind::Optional(Box::new(atom)),
                span,
            }
        } else {
            atom
        }
    }

    fn type_atom(&mut self, pair: Pair<Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::list_type => {
                let element = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::type_expr)
                    .map(|p| self.type_expr(p));
                match element {
                    Some(element) => TypeExprKind::List(Box::new(element)),
                    None => TypeExprKind::Named(placeholder_ident(span), None),
                }
            }
            _ => {
                let mut name = None;
                let mut argument = None;
                for inner in pair.into_inner() {
                    match inner.as_rule() {
                        Rule::ident => name = Some(self.ident(inner)),
                        Rule::type_expr => argument = Some(Box::new(self.type_expr(inner))),
                        _ => {}
                    }
                }
                TypeExprKind::Named(name.unwrap_or_else(|| placeholder_ident(span)), argument)
            }
        };
        TypeExpr { kind, span }
    }

    fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Expr {
                kind: ExprKind::Invalid,
                span,
            };
        };
        match inner.as_rule() {
            Rule::string => self.string(inner),
            Rule::cidr => self.cidr(inner),
            Rule::duration => self.duration(inner),
            Rule::integer => {
                let kind = match self.integer(&inner) {
                    Some(value) => ExprKind::Int(value),
                    None => ExprKind::Invalid,
                };
                Expr { kind, span }
            }
            Rule::boolean => Expr {
                kind: ExprKind::Bool(inner.as_str() == "true"),
                span,
            },
            Rule::list => Expr {
                kind: ExprKind::List(
                    inner
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::expr)
                        .map(|p| self.expr(p))
                        .collect(),
                ),
                span,
            },
            Rule::record => {
                let mut type_name = None;
                let mut record = None;
                for part in inner.into_inner() {
                    match part.as_rule() {
                        Rule::ident => type_name = Some(self.ident(part)),
                        Rule::record_body => record = Some(self.record_body(part, None)),
                        _ => {}
                    }
                }
                match record {
                    Some(mut record) => {
                        record.type_name = type_name;
                        record.span = span;
                        Expr {
                            kind: ExprKind::Record(record),
                            span,
                        }
                    }
                    None => Expr {
                        kind: ExprKind::Invalid,
                        span,
                    },
                }
            }
            Rule::path => Expr {
                kind: ExprKind::Path(self.path(inner)),
                span,
            },
            _ => Expr {
                kind: ExprKind::Invalid,
                span,
            },
        }
    }

    fn path(&mut self, pair: Pair<Rule>) -> Vec<Ident> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::ident)
            .map(|p| self.ident(p))
            .collect()
    }

    fn record_body(&mut self, pair: Pair<Rule>, type_name: Option<Ident>) -> RecordLit {
        let span = self.span(&pair);
        let fields = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::field)
            .map(|p| self.field(p))
            .collect();
        RecordLit {
            type_name,
            fields,
            span,
        }
    }

    fn field(&mut self, pair: Pair<Rule>) -> FieldAssign {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut key = None;
        let mut value = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::field_key => {
                    if let Some(k) = inner.into_inner().next() {
                        key = Some(match k.as_rule() {
                            Rule::string => {
                                let key_span = self.span(&k);
                                let expr = self.string(k);
                                Ident {
                                    name: plain_text(&expr),
                                    span: key_span,
                                }
                            }
                            _ => self.ident(k),
                        });
                    }
                }
                Rule::expr => value = Some(self.expr(inner)),
                _ => {}
            }
        }
        FieldAssign {
            docs,
            key: key.unwrap_or_else(|| placeholder_ident(span)),
            value: value.unwrap_or(Expr {
                kind: ExprKind::Invalid,
                span,
            }),
            span,
        }
    }

    fn string(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut parts: Vec<StrPart> = Vec::new();
        let mut valid = true;
        let push_text = |parts: &mut Vec<StrPart>, text: &str| match parts.last_mut() {
            Some(StrPart::Text(existing)) => existing.push_str(text),
            _ => parts.push(StrPart::Text(text.to_string())),
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::string_text => push_text(&mut parts, inner.as_str()),
                Rule::escape => match unescape(inner.as_str()) {
                    Some(c) => push_text(&mut parts, c.encode_utf8(&mut [0; 4])),
                    None => {
                        valid = false;
                        let escape_span = self.span(&inner);
                        self.error(
                            Diagnostic::new(
                                Code::InvalidEscape,
                                escape_span,
                                format!("unknown escape sequence `{}`", inner.as_str()),
                            )
                            .with_label("not an escape dl knows")
                            .with_help(
                                "use one of \\\" \\\\ \\n \\t \\r \\$ or \\u{HEX}; write \\\\ for a backslash",
                            ),
                        );
                    }
                },
                Rule::interpolation => {
                    let interp_span = self.span(&inner);
                    let path = inner
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::path)
                        .map(|p| self.path(p))
                        .unwrap_or_default();
                    parts.push(StrPart::Interpolation(path, interp_span));
                }
                _ => {}
            }
        }
        Expr {
            kind: if valid {
                ExprKind::Str(parts)
            } else {
                ExprKind::Invalid
            },
            span,
        }
    }

    fn cidr(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let text = pair.as_str();
        let kind = match parse_cidr(text) {
            Ok(net) => ExprKind::Cidr(net),
            Err((problem, help)) => {
                self.error(
                    Diagnostic::new(
                        Code::InvalidCidr,
                        span,
                        format!("invalid CIDR `{text}`: {problem}"),
                    )
                    .with_label(problem)
                    .with_help(help),
                );
                ExprKind::Invalid
            }
        };
        Expr { kind, span }
    }

    fn duration(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut amount = None;
        let mut unit = DurationUnit::Days;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::duration_value => amount = self.integer(&inner),
                Rule::duration_unit => {
                    unit = match inner.as_str() {
                        "h" => DurationUnit::Hours,
                        "m" => DurationUnit::Minutes,
                        "s" => DurationUnit::Seconds,
                        _ => DurationUnit::Days,
                    }
                }
                _ => {}
            }
        }
        let kind = match amount {
            Some(amount) => ExprKind::Duration(Duration { amount, unit }),
            None => ExprKind::Invalid,
        };
        Expr { kind, span }
    }

    /// An integer literal; out-of-range values are reported and give `None`.
    fn integer(&mut self, pair: &Pair<Rule>) -> Option<i64> {
        let text = pair.as_str().replace('_', "");
        match text.parse::<i64>() {
            Ok(value) => Some(value),
            Err(_) => {
                let span = self.span(pair);
                self.error(
                    Diagnostic::new(
                        Code::NumberOutOfRange,
                        span,
                        format!("the number `{}` is too large", pair.as_str()),
                    )
                    .with_label("does not fit in 64 bits")
                    .with_note(format!("numbers range from {} to {}", i64::MIN, i64::MAX))
                    .with_help(
                        "if this is an identifier such as an account ID, write it as a string",
                    ),
                );
                None
            }
        }
    }
}

/// `text` up to the end of its last token: trailing white space and `//`
/// comments removed. Strings are single-line, so a `//` is a comment unless
/// it is inside a string on its own line.
fn without_trailing_trivia(text: &str) -> &str {
    let mut rest = text.trim_end();
    loop {
        let line_start = rest.rfind('\n').map_or(0, |i| i + 1);
        let line = &rest[line_start..];
        match comment_start(line) {
            Some(at) => rest = rest[..line_start + at].trim_end(),
            None => return rest,
        }
    }
}

/// Where a `//` comment starts on a line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
    }
    None
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

fn unescape(escape: &str) -> Option<char> {
    let body = escape.strip_prefix('\\')?;
    match body {
        "\"" => Some('"'),
        "\\" => Some('\\'),
        "n" => Some('\n'),
        "t" => Some('\t'),
        "r" => Some('\r'),
        "$" => Some('$'),
        _ => {
            let hex = body.strip_prefix("u{")?.strip_suffix('}')?;
            if hex.is_empty() || hex.len() > 6 {
                return None;
            }
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)
        }
    }
}

/// Parses `a.b.c.d/n`. Host bits may be set: that is a domain check, not syntax.
fn parse_cidr(text: &str) -> Result<Ipv4Net, (String, String)> {
    let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
    let mut octets = [0u8; 4];
    for (i, part) in address.split('.').enumerate() {
        let value: u32 = part.parse().unwrap_or(u32::MAX);
        if i >= 4 || value > 255 {
            return Err((
                format!("`{part}` is not an octet (0 to 255)"),
                "each of the four parts of an IPv4 address is a number from 0 to 255".into(),
            ));
        }
        octets[i] = value as u8;
    }
    let prefix_len: u32 = prefix.parse().unwrap_or(u32::MAX);
    if prefix_len > 32 {
        return Err((
            format!("the prefix length /{prefix} is larger than 32"),
            "an IPv4 prefix length is 0 to 32; a VPC takes /16 to /28, e.g. 10.20.0.0/24".into(),
        ));
    }
    Ipv4Net::new(Ipv4Addr::from(octets), prefix_len as u8).map_err(|e| {
        (
            e.to_string(),
            "an IPv4 prefix length is 0 to 32".to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Module, Vec<Diagnostic>) {
        let mut diagnostics = Diagnostics::new();
        let module = parse_module(FileId(0), text, &mut diagnostics);
        (module, diagnostics.into_sorted())
    }

    #[test]
    fn spans_end_at_the_last_token() {
        assert_eq!(without_trailing_trivia("a = 1 // c\n\n    "), "a = 1");
        assert_eq!(without_trailing_trivia("a = \"x//y\" // c"), "a = \"x//y\"");
        assert_eq!(without_trailing_trivia("a\n// one\n  // two\n"), "a");
        assert_eq!(without_trailing_trivia("\"\\\"//\""), "\"\\\"//\"");
    }

    #[test]
    fn chunks_start_at_docs_above_an_item() {
        let text = "let a = 1\n/// doc\nlet b = 2\n// plain\nlet c = 3\n";
        let chunks = item_chunks(text);
        let starts: Vec<&str> = chunks.iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(
            starts,
            [
                "let a = 1\n",
                "/// doc\nlet b = 2\n// plain\n",
                "let c = 3\n"
            ]
        );
    }

    #[test]
    fn recovery_reports_each_broken_item_and_keeps_the_good_ones() {
        let (module, diagnostics) = parse("let a = \nlet b = 2\nlet c = }\nlet d = 4\n");
        let names: Vec<_> = module
            .items
            .iter()
            .filter_map(|i| i.kind.name().map(|n| n.name.clone()))
            .collect();
        assert_eq!(names, ["b", "d"]);
        assert_eq!(diagnostics.len(), 2);
        assert!(diagnostics.iter().all(|d| d.code == Code::SyntaxError));
    }

    #[test]
    fn a_syntax_error_in_a_field_loses_that_field_only() {
        let text = "env Dev {\n    a = 1 %\n    b = {\n        c = ]\n    }\n    d = 4\n}\n";
        let (module, diagnostics) = parse(text);
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        assert!(diagnostics.iter().all(|d| d.code == Code::SyntaxError));
        let Some(ItemKind::Env(env)) = module.items.first().map(|i| &i.kind) else {
            panic!("Dev is kept");
        };
        let b = env.body.fields.iter().find(|f| f.key.name == "b");
        let Some(ExprKind::Record(b)) = b.map(|f| &f.value.kind) else {
            panic!("`b` is kept, without `c`");
        };
        assert!(b.fields.is_empty());
        let keys: Vec<&str> = env
            .body
            .fields
            .iter()
            .map(|f| f.key.name.as_str())
            .collect();
        assert_eq!(keys, ["b", "d"]);
        assert_eq!(module.lost_fields.len(), 2);
        assert!(module.unparsed.is_empty());
        // An error on the item's first line or in its closing brace loses the item.
        let (module, diagnostics) = parse("env Dev extends {\n    a = 1\n}\nlet x = 1\n");
        assert_eq!((module.items.len(), diagnostics.len()), (1, 1));
    }

    #[test]
    fn an_unclosed_list_loses_its_field_only() {
        let text = "env Dev {\n    a = [1, 2\n    b = 3\n    c = [\n        4,\n}\n";
        let (module, diagnostics) = parse(text);
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        assert!(diagnostics
            .iter()
            .all(|d| d.secondary[0].message.contains("never closed")));
        let Some(ItemKind::Env(env)) = module.items.first().map(|i| &i.kind) else {
            panic!("Dev is kept");
        };
        let keys: Vec<&str> = env
            .body
            .fields
            .iter()
            .map(|f| f.key.name.as_str())
            .collect();
        assert_eq!(keys, ["b"]);
        assert_eq!(module.lost_fields.len(), 2);
    }

    #[test]
    fn literals_are_built_with_their_values() {
        let (module, diagnostics) =
            parse("let x = [10.20.0.0/24, 30d, 12h, 1_000, true, \"a${b.c}\\n\"]\n");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let ItemKind::Let(decl) = &module.items[0].kind else {
            panic!("not a let")
        };
        let ExprKind::List(items) = &decl.value.kind else {
            panic!("not a list")
        };
        assert_eq!(
            items[0].kind,
            ExprKind::Cidr("10.20.0.0/24".parse().unwrap())
        );
        assert_eq!(
            items[1].kind,
            ExprKind::Duration(Duration {
                amount: 30,
                unit: DurationUnit::Days
            })
        );
        assert_eq!(items[3].kind, ExprKind::Int(1000));
        assert_eq!(items[4].kind, ExprKind::Bool(true));
        let ExprKind::Str(parts) = &items[5].kind else {
            panic!("not a string")
        };
        assert_eq!(parts.len(), 3);
    }

    #[test]
    fn bad_literals_get_their_own_codes() {
        let (_, diagnostics) =
            parse("let a = 10.0.0.0/33\nlet b = 300.0.0.0/8\nlet c = 99999999999999999999\nlet d = \"\\q\"\n");
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::InvalidCidr,
                Code::InvalidCidr,
                Code::NumberOutOfRange,
                Code::InvalidEscape
            ]
        );
    }

    #[test]
    fn doc_comments_attach_to_the_next_item() {
        let (module, _) = parse("/// first\n/// second\nlet a = 1\n");
        assert_eq!(module.items[0].docs.lines, ["first", "second"]);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_nest() {
        let brackets = "[".repeat(MAX_NESTING + 1);
        let text = format!("let a = \"{brackets}\" // {brackets}\nlet b = \"\\\"{brackets}\"\n");
        assert_eq!(too_deep(&text), None);
        let deepest = format!(
            "let a = {}{}",
            "[".repeat(MAX_NESTING),
            "]".repeat(MAX_NESTING)
        );
        assert_eq!(too_deep(&deepest), None);
        let deeper = format!("let a = {}", "{[".repeat(MAX_NESTING));
        assert_eq!(too_deep(&deeper), Some("let a = ".len() + MAX_NESTING));
    }

    #[test]
    fn nesting_past_the_limit_is_reported_and_the_other_items_kept() {
        let deep = "[".repeat(100_000);
        let (module, diagnostics) = parse(&format!("let a = 1\nlet b = {deep}\nlet c = 3\n"));
        let names: Vec<_> = module
            .items
            .iter()
            .filter_map(|i| i.kind.name().map(|n| n.name.clone()))
            .collect();
        assert_eq!(names, ["a", "c"]);
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::LimitExceeded]);
        assert_eq!(
            diagnostics[0].primary.span.start as usize,
            "let a = 1\nlet b = ".len() + 64
        );
    }

    #[test]
    fn a_letter_outside_ascii_is_blamed_with_its_code_point() {
        let (_, diagnostics) = parse("let n\u{430}me = 1\n");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].primary.span.start, 5);
        let help = diagnostics[0].help.as_deref().unwrap_or("");
        assert!(help.starts_with("U+0430"), "{help}");
        let (_, diagnostics) = parse("let x = \u{201c}hello\u{201d}\n");
        let help = diagnostics[0].help.as_deref().unwrap_or("");
        assert!(help.contains("straight quote"), "{help}");
    }
}

#[cfg(test)]
mod shipped_files {
    use super::*;

    #[test]
    fn every_stdlib_and_example_file_parses() {
        let root = env!("CARGO_MANIFEST_DIR");
        for dir in [
            "stdlib",
            "lang-examples/seed",
            "lang-examples/last-mile-health",
        ] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let mut diagnostics = Diagnostics::new();
                parse_module(FileId(0), &text, &mut diagnostics);
                let d = diagnostics.into_sorted();
                assert!(d.is_empty(), "{}: {:?}", path.display(), d);
            }
        }
    }
}
