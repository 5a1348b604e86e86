use super::*;

/// Formats `text`, checking that formatting the result changes nothing.
fn fmt(text: &str) -> String {
    let once = format_source(FileId(0), text).unwrap_or_else(|e| panic!("{e}"));
    let twice = format_source(FileId(0), &once).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(twice, once, "not idempotent on {text:?}");
    once
}

#[test]
fn spacing_is_canonical() {
    assert_eq!(fmt("let  a:Int=1"), "let a: Int = 1\n");
    assert_eq!(
        fmt("let z : [ Zone ] ? = [ {name=\"raw\"} , {name = \"x\",} , ]"),
        "let z: [Zone]? = [{ name = \"raw\" }, { name = \"x\" }]\n"
    );
    assert_eq!(
        fmt("type   T=String  where length 3..63 ,matches   \"^a  b$\""),
        "type T = String where length 3..63, matches \"^a  b$\"\n"
    );
    assert_eq!(fmt("type U=A|B  |  C"), "type U = A | B | C\n");
    assert_eq!(fmt("type N = Int where ..6"), "type N = Int where ..6\n");
    assert_eq!(fmt("import   std.presets"), "import std.presets\n");
    assert_eq!(fmt("import\t\"a b.dl\""), "import \"a b.dl\"\n");
    assert_eq!(
        fmt("env   Test   extends   Dev{}"),
        "env Test extends Dev {}\n"
    );
    assert_eq!(
        fmt("let m: Map [ String ] = {}"),
        "let m: Map[String] = {}\n"
    );
}

#[test]
fn one_line_bodies_stay_on_one_line() {
    assert_eq!(
        fmt("let a = GitHub{repository=\"o/r\"   token_secret = \"s\"}\n"),
        "let a = GitHub { repository = \"o/r\", token_secret = \"s\" }\n"
    );
    assert_eq!(
        fmt("record P {x: Int, y: Int = 2,}\nenum E {a, b}\nenum R: I { a { x = 1 } b }\n"),
        "record P { x: Int, y: Int = 2 }\nenum E { a, b }\nenum R: I { a { x = 1 }, b }\n"
    );
}

#[test]
fn multi_line_bodies_get_one_element_per_line() {
    let text = "lake L { a = 1, b = 2\n  c = [1,\n 2, 3] }\n";
    assert_eq!(
        fmt(text),
        "lake L {\n    a = 1\n    b = 2\n    c = [\n        1,\n        2,\n        3,\n    ]\n}\n"
    );
    let text = "record R { a: Int, b: Int\n }\nenum E { x, y\n}\n";
    assert_eq!(
        fmt(text),
        "record R {\n    a: Int\n    b: Int\n}\n\nenum E {\n    x\n    y\n}\n"
    );
}

#[test]
fn empty_bodies_close_up() {
    assert_eq!(
        fmt("env Dev {\n\n}\nlet a = [\n]\nrecord R {\n}\n"),
        "env Dev {}\nlet a = []\nrecord R {}\n"
    );
}

#[test]
fn blank_lines_are_kept_but_collapsed() {
    let text =
        "\n\n// head\n\n\n\nlet a = 1\nlet b = 2\n\n\nlake L {\n\n  x = 1\n\n\n  y = 2\n\n}\n\n\n";
    assert_eq!(
        fmt(text),
        "// head\n\nlet a = 1\nlet b = 2\n\nlake L {\n    x = 1\n\n    y = 2\n}\n"
    );
}

#[test]
fn items_of_several_lines_are_set_off_by_blank_lines() {
    let text = "import std.presets\nimport \"a.dl\"\nlet a = 1\n// on L\nlake L {\n a = 1\n}\n\
                env E {}\n/// Documented.\nlet b = 2\nlet c = 3\n// the end\n";
    assert_eq!(
        fmt(text),
        "import std.presets\nimport \"a.dl\"\nlet a = 1\n\n// on L\nlake L {\n    a = 1\n}\n\n\
         env E {}\n\n/// Documented.\nlet b = 2\n\nlet c = 3\n// the end\n"
    );
    // Inside bodies the source decides.
    assert_eq!(
        fmt("lake L {\n a = {\n  b = 1\n }\n c = 2\n}\n"),
        "lake L {\n    a = {\n        b = 1\n    }\n    c = 2\n}\n"
    );
}

#[test]
fn the_file_ends_with_one_newline() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \n"), "");
    assert_eq!(fmt("let a = 1"), "let a = 1\n");
    assert_eq!(fmt("// only a comment"), "// only a comment\n");
}

#[test]
fn comments_stay_where_they_were() {
    let text = "\
// head
lake L { // after the brace
  // before a
  a = 1 // after a
  b = [ // after the bracket
    1, // one
    2 // two
  ] // after the list
  // at the end
}  // after the lake
// tail
";
    let expected = "\
// head
lake L { // after the brace
    // before a
    a = 1 // after a
    b = [ // after the bracket
        1, // one
        2, // two
    ] // after the list
    // at the end
}  // after the lake

// tail
";
    // The comment after the lake keeps its text; only the space before it is
    // the formatter's.
    assert_eq!(fmt(text), expected.replace("}  //", "} //"));
}

#[test]
fn a_comment_on_one_line_with_two_fields_follows_the_second() {
    assert_eq!(
        fmt("lake L {\n  a = 1, b = 2 // on b\n}\n"),
        "lake L {\n    a = 1\n    b = 2 // on b\n}\n"
    );
}

#[test]
fn comments_inside_one_line_constructs_move_to_the_end_of_the_line() {
    assert_eq!(
        fmt("lake L {\n  a = // odd\n    5\n}\n"),
        "lake L {\n    a = 5 // odd\n}\n"
    );
    assert_eq!(
        fmt("type T = String where // one\n  length 3 // two\n"),
        "type T = String where length 3 // one\n// two\n"
    );
    assert_eq!(
        fmt("env Test extends // why\n  Dev {\n  a = 1\n}\n"),
        "env Test extends Dev { // why\n    a = 1\n}\n"
    );
    assert_eq!(fmt("let // odd\n  a = 1\n"), "// odd\nlet a = 1\n");
}

#[test]
fn a_comment_makes_a_one_line_body_multi_line() {
    assert_eq!(
        fmt("let a = { x = 1, // x\n y = 2 }\n"),
        "let a = {\n    x = 1 // x\n    y = 2\n}\n"
    );
    assert_eq!(
        fmt("let a = { // nothing yet\n}\n"),
        "let a = { // nothing yet\n}\n"
    );
    assert_eq!(
        fmt("let a = [\n  // nothing yet\n]\n"),
        "let a = [\n    // nothing yet\n]\n"
    );
}

#[test]
fn doc_comments_are_normalized_and_plain_comments_kept_verbatim() {
    let text = "///Doc\n///\n///   indented\n////not a doc\n//tight\nlet a = 1\n";
    assert_eq!(
        fmt(text),
        "/// Doc\n///\n///   indented\n////not a doc\n//tight\nlet a = 1\n"
    );
    let text = "record R {\n      /// The a.\n   // plain\n a: Int\n}\n";
    assert_eq!(
        fmt(text),
        "record R {\n    /// The a.\n    // plain\n    a: Int\n}\n"
    );
}

#[test]
fn literals_are_printed_as_written() {
    let text =
        "let a = [\"x\\u{41}\\$\\\"//\\t\", \"${ b.c }-${d}\", 1_000, -5, 30d, 10.0.0.0/8, true]\n";
    assert_eq!(fmt(text), text);
    let text = "lake L { \"team name\" = \"a\" }\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn crlf_and_tabs_are_accepted() {
    let text = "lake L {\r\n\t\ta = 1 // c \t\r\n\r\n\r\n\tb = 2\r\n}\r\n";
    assert_eq!(fmt(text), "lake L {\n    a = 1 // c\n\n    b = 2\n}\n");
    assert_eq!(fmt("let a = 1\rlet b = 2\r"), "let a = 1\nlet b = 2\n");
}

#[test]
fn a_byte_order_mark_is_kept_and_skipped() {
    assert_eq!(fmt("\u{feff}let  a = 1\r\n"), "\u{feff}let a = 1\n");
    assert_eq!(fmt("\u{feff}"), "\u{feff}");
    // A syntax error after the mark is reported at its byte offset in the file.
    let Err(FormatError::Syntax(diagnostics)) = format_source(FileId(0), "\u{feff}let = 1") else {
        panic!("a syntax error");
    };
    let span = diagnostics
        .iter()
        .next()
        .and_then(|d| d.span())
        .map(|s| s.start);
    assert_eq!(span, Some(7));
}

#[test]
fn files_that_do_not_parse_are_refused_with_the_parser_diagnostics() {
    let text = "let a = \nlet b = 2\nlet c = }\n";
    match format_source(FileId(7), text) {
        Err(FormatError::Syntax(diagnostics)) => {
            assert_eq!(diagnostics.len(), 2);
            assert!(diagnostics.iter().all(|d| d.code == Code::SyntaxError));
            assert!(diagnostics
                .iter()
                .all(|d| d.span().is_some_and(|s| s.file == FileId(7))));
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn bad_literals_are_left_for_the_checker() {
    let text = "let a = 10.0.0.0/33\nlet b = \"\\q\"\nlet c = 99999999999999999999\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn is_formatted_compares_with_the_canonical_form() {
    assert!(is_formatted(FileId(0), "let a = 1\n").unwrap());
    assert!(!is_formatted(FileId(0), "let a = 1").unwrap());
    assert!(is_formatted(FileId(0), "let a = ").is_err());
}

#[test]
fn syntax_is_compared_without_spans() {
    let parse = |text: &str| parse_module(FileId(0), text, &mut Diagnostics::new());
    let same = |a: &str, b: &str| same_syntax(&parse(a), &parse(b));
    let text = "/// d\nlake L { a = [1, \"${x.y}\"], b = T { c = 10.0.0.0/8 } }\n\
                record R { f: [Map[String]?] = {} }\nenum E: R { v { f = [] } }\n\
                type T = A | B\ntype U = String where length 1..2, matches \"x\"\n";
    let spread = text.replace(" = ", "\n\n  =   ");
    assert_eq!(parse(&spread).items.len(), 5);
    assert!(same(text, &spread));
    assert!(same("let a = 1", "\n\n  let   a=1"));
    assert!(!same("let a = 1", "let a = 2"));
    assert!(!same("let a = \"${x}\"", "let a = \"${y}\""));
    assert!(!same("/// x\nlet a = 1", "let a = 1"));
    assert!(!same(
        "type T = String where length 1..2",
        "type T = String where length 1..3"
    ));
}
