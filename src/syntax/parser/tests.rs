//! The parser's unit tests.

use super::build::without_trailing_trivia;
use super::recovery::item_chunks;
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
    let (_, diagnostics) = parse(
        "let a = 10.0.0.0/33\nlet b = 300.0.0.0/8\nlet c = 99999999999999999999\nlet d = \"\\q\"\n",
    );
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
        diagnostics[0].span().map(|s| s.start as usize),
        Some("let a = 1\nlet b = ".len() + 64)
    );
}

#[test]
fn a_letter_outside_ascii_is_blamed_with_its_code_point() {
    let (_, diagnostics) = parse("let n\u{430}me = 1\n");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].span().map(|s| s.start), Some(5));
    let help = diagnostics[0].help.as_deref().unwrap_or("");
    assert!(help.starts_with("U+0430"), "{help}");
    let (_, diagnostics) = parse("let x = \u{201c}hello\u{201d}\n");
    let help = diagnostics[0].help.as_deref().unwrap_or("");
    assert!(help.contains("straight quote"), "{help}");
}

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

/// Every lake file the repository holds, with its path.
fn lake_files() -> Vec<(String, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    let mut dirs: Vec<std::path::PathBuf> = [
        "stdlib",
        "lang-examples",
        "tests/ui",
        "tests/corpus/bad",
        "tests/fmt",
        "tests/explain",
    ]
    .iter()
    .map(|dir| std::path::Path::new(root).join(dir))
    .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "dl") {
                let bytes = std::fs::read(&path).unwrap();
                if let Ok(text) = String::from_utf8(bytes) {
                    files.push((path.display().to_string(), text));
                }
            }
        }
    }
    files
}

/// Every pair pest builds from `text`: its rule and span.
fn pest_pairs(text: &str) -> Option<Vec<(Rule, usize, usize)>> {
    let pairs = DlParser::parse(Rule::file, text).ok()?;
    Some(
        pairs
            .flatten()
            .map(|p| (p.as_rule(), p.as_span().start(), p.as_span().end()))
            .collect(),
    )
}

/// The shared lexer reads strings, comments and doc lines as the grammar
/// does: over every lake file that parses, its strings are pest's strings
/// and its doc lines pest's doc lines; its comments are trivia to pest (the
/// file blanked of them parses to the same pairs); and no `//` is outside
/// what it read.
#[test]
fn the_lexer_reads_strings_and_comments_as_the_grammar_does() {
    use crate::syntax::lexer::{pieces, PieceKind};
    use std::collections::BTreeSet;

    let mut parsed = 0;
    for (path, text) in lake_files() {
        let Some(pairs) = pest_pairs(&text) else {
            continue;
        };
        parsed += 1;
        let of_rule = |rule: Rule| -> BTreeSet<(usize, usize)> {
            pairs
                .iter()
                .filter(|(r, _, _)| *r == rule)
                .map(|(_, start, end)| (*start, *end))
                .collect()
        };
        let lexed: Vec<_> = pieces(&text).collect();
        let of_kind = |kind: PieceKind| -> BTreeSet<(usize, usize)> {
            lexed
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| (p.start, p.end))
                .collect()
        };
        assert_eq!(
            of_kind(PieceKind::Str),
            of_rule(Rule::string),
            "{path}: strings"
        );
        assert!(
            of_kind(PieceKind::OpenStr).is_empty(),
            "{path}: a string left open"
        );
        assert_eq!(
            of_kind(PieceKind::DocLine),
            of_rule(Rule::doc_line),
            "{path}: doc lines"
        );
        let mut blanked = text.clone().into_bytes();
        for comment in lexed.iter().filter(|p| p.kind == PieceKind::Comment) {
            blanked[comment.start..comment.end].fill(b' ');
        }
        let blanked = String::from_utf8(blanked).unwrap();
        assert_eq!(
            pest_pairs(&blanked),
            Some(pairs.clone()),
            "{path}: comments"
        );
        for (at, _) in text.match_indices("//") {
            assert!(
                lexed.iter().any(|p| p.start <= at && at < p.end),
                "{path}: `//` at {at} read as code"
            );
        }
    }
    assert!(parsed > 150, "only {parsed} lake files parse");
}

/// No keyword is an identifier, whatever letter it starts with (the
/// grammar tests `keyword` only after `keyword_start`, the keywords' first
/// letters), and a longer word that starts with one is.
#[test]
fn keywords_are_never_identifiers_and_longer_words_are() {
    let whole_ident = |text: &str| {
        DlParser::parse(Rule::ident, text)
            .ok()
            .and_then(|mut pairs| pairs.next())
            .is_some_and(|pair| pair.as_str() == text)
    };
    for keyword in KEYWORDS {
        assert!(!whole_ident(keyword), "{keyword} parsed as an identifier");
        for longer in [
            format!("{keyword}s"),
            format!("{keyword}_x"),
            format!("{keyword}-x"),
        ] {
            assert!(whole_ident(&longer), "{longer} is an identifier");
        }
    }
    for word in [
        "account",
        "Environment",
        "_private",
        "zones",
        "true1",
        "f",
        "w",
    ] {
        assert!(whole_ident(word), "{word} is an identifier");
    }
}
