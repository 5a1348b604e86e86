//! The messages of syntax errors: what pest expected, said the way a person
//! reads it, with a help for the common slips.

use super::{Rule, ITEM_KEYWORDS, KEYWORDS};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// A diagnostic for a parse error in `text[start..end]` (the whole file, or
/// one item's chunk of it when recovering).
pub(super) fn syntax_diagnostic(
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
