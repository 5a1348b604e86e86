//! The formatter over real files: the shipped files are fixed points, and
//! formatting any file that parses is idempotent, keeps its syntax tree and
//! keeps its comments.

use std::path::{Path, PathBuf};

use dlc::diagnostic::{Code, Diagnostics};
use dlc::fmt::{comments, format_source, without_spans, FormatError};
use dlc::source::FileId;
use dlc::syntax::parse_module;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.dl` file under `dir`, recursively, sorted.
fn dl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "dl") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn shipped_files() -> Vec<PathBuf> {
    let mut files = dl_files(&root().join("stdlib"));
    files.extend(dl_files(&root().join("lang-examples")));
    assert!(files.len() >= 11, "found only {files:?}");
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parses(text: &str) -> bool {
    let mut diagnostics = Diagnostics::new();
    parse_module(FileId(0), text, &mut diagnostics);
    let broken = diagnostics
        .iter()
        .any(|d| matches!(d.code, Code::SyntaxError | Code::LimitExceeded));
    !broken
}

fn format(path: &Path, text: &str) -> String {
    format_source(FileId(0), text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn tree(text: &str) -> dlc::syntax::ast::Module {
    without_spans(&parse_module(FileId(0), text, &mut Diagnostics::new()))
}

/// The characters of a text other than white space and commas, sorted: the
/// formatter may move comments and change white space and separating commas,
/// but it must not lose or add anything else.
fn ink(text: &str) -> Vec<char> {
    let mut chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    chars.sort_unstable();
    chars
}

/// Checks everything the formatter promises about one input that parses.
fn check_properties(name: &str, text: &str) -> String {
    let formatted = format_source(FileId(0), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let again = format_source(FileId(0), &formatted).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(again, formatted, "{name}: formatting is not idempotent");
    assert_eq!(
        tree(&formatted),
        tree(text),
        "{name}: the syntax tree changed"
    );
    assert_eq!(
        comments(&formatted),
        comments(text),
        "{name}: comments changed"
    );
    assert_eq!(ink(&formatted), ink(text), "{name}: text was lost or added");
    assert!(
        !formatted.contains('\r') && !formatted.contains('\t'),
        "{name}: CR or tab left in the output"
    );
    assert!(
        formatted.lines().all(|line| line == line.trim_end()),
        "{name}: trailing white space"
    );
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{name}: the file must end with exactly one newline"
    );
    assert!(
        !formatted.starts_with('\n'),
        "{name}: blank line at the start"
    );
    assert!(
        !formatted.contains("\n\n\n"),
        "{name}: a run of blank lines"
    );
    assert!(
        !formatted.contains("{\n\n"),
        "{name}: a blank line at the start of a body"
    );
    formatted
}

#[test]
fn shipped_files_are_fixed_points() {
    let mut failures = Vec::new();
    for path in shipped_files() {
        let text = read(&path);
        let formatted = format(&path, &text);
        if formatted != text {
            failures.push(format!(
                "{}:\n{}",
                path.display(),
                line_diff(&text, &formatted)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_file_with_every_construct_is_a_fixed_point() {
    let path = root().join("tests/fmt/constructs.dl");
    let text = read(&path);
    let formatted = format(&path, &text);
    assert!(formatted == text, "{}", line_diff(&text, &formatted));
}

#[test]
fn formatting_keeps_meaning_and_comments_and_is_idempotent() {
    let mut files = shipped_files();
    files.extend(dl_files(&root().join("tests/ui")));
    files.extend(dl_files(&root().join("tests/fmt")));
    let mut checked = 0;
    for path in files {
        // tests/ui holds broken files on purpose, some not even UTF-8.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !parses(&text) {
            continue;
        }
        check_properties(&path.display().to_string(), &text);
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} files checked");
}

/// Strips the indentation of every line.
fn deindent(text: &str) -> String {
    text.lines()
        .map(|line| format!("{}\n", line.trim_start()))
        .collect()
}

#[test]
fn formatting_the_deindented_seed_lake_gives_it_back() {
    let path = root().join("lang-examples/seed/lake.dl");
    let seed = read(&path);
    assert_eq!(format(&path, &deindent(&seed)), seed);
}

/// The layout damage of a careless editor: random-looking indentation with
/// tabs, trailing spaces, CRLF line ends and doubled blank lines.
fn scramble(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.is_empty() {
            out.push_str(" \t\r\n\r\n");
            continue;
        }
        out.push_str(["", "\t", "  ", " \t  ", "\t\t\t"][i % 5]);
        out.push_str(code);
        out.push_str(["", " ", "\t", "   "][i % 4]);
        out.push_str("\r\n");
    }
    out
}

#[test]
fn shipped_files_survive_scrambled_layout() {
    for path in shipped_files() {
        let text = read(&path);
        let scrambled = scramble(&text);
        check_properties(&path.display().to_string(), &scrambled);
        assert_eq!(format(&path, &scrambled), text, "{}", path.display());
    }
}

/// Positions of `text` outside strings and comments where a line comment can
/// be inserted: before a space or a line break.
fn comment_slots(text: &str) -> Vec<usize> {
    let mut slots = Vec::new();
    let mut in_string = false;
    let mut in_comment = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_comment {
            if b == b'\n' {
                in_comment = false;
                slots.push(i);
            }
        } else if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'/' if bytes.get(i + 1) == Some(&b'/') => in_comment = true,
                b' ' | b'\n' => slots.push(i),
                _ => {}
            }
        }
        i += 1;
    }
    slots
}

/// A comment between any two tokens, on a line of its own or at the end of a
/// line, must survive formatting in its place in the order of comments,
/// without changing the syntax tree (`format_source` checks both on its own
/// output, and fails if either breaks).
#[test]
fn a_comment_anywhere_is_kept() {
    let mut checked = 0;
    // Every slot of the file that has every construct; the line ends of the
    // seed lake, for a real layout with comments and blank lines (every slot
    // there would take seconds in a debug build).
    for (file, every_slot) in [
        ("tests/fmt/constructs.dl", true),
        ("lang-examples/seed/lake.dl", false),
    ] {
        let text = read(&root().join(file));
        for slot in comment_slots(&text) {
            let line_end = text.as_bytes()[slot] == b'\n';
            if !every_slot && !line_end {
                continue;
            }
            for insert in [" // own line\n", " // at the end"] {
                if insert == " // at the end" && !line_end {
                    continue;
                }
                let mutated = format!("{}{insert}{}", &text[..slot], &text[slot..]);
                let name = format!("{file} with {insert:?} at byte {slot}");
                let formatted = match format_source(FileId(0), &mutated) {
                    Ok(formatted) => formatted,
                    Err(FormatError::Syntax(_)) => continue,
                    Err(e) => panic!("{name}: {e}"),
                };
                let again = format_source(FileId(0), &formatted)
                    .unwrap_or_else(|e| panic!("{name}, formatted again: {e}"));
                assert_eq!(again, formatted, "{name}: not idempotent");
                assert_eq!(ink(&formatted), ink(&mutated), "{name}: text lost or added");
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} variants checked");
}

#[test]
fn the_messy_file_is_formatted_the_way_a_careful_user_would_write_it() {
    let path = root().join("tests/fmt/messy.dl");
    let messy = read(&path);
    // Guard the mess itself: an editor that "fixes" the input spoils the test.
    assert!(messy.contains("\r\n"), "messy.dl lost its CRLF line ends");
    assert!(messy.contains("\n\t"), "messy.dl lost its tab indentation");
    assert!(messy.contains(" \r\n"), "messy.dl lost its trailing spaces");
    let formatted = check_properties("messy.dl", &messy);
    insta::assert_snapshot!("messy", formatted);
}

fn line_diff(before: &str, after: &str) -> String {
    let mut out = String::new();
    for (i, (a, b)) in before.lines().zip(after.lines()).enumerate() {
        if a != b {
            out.push_str(&format!("  line {}:\n  - {a:?}\n  + {b:?}\n", i + 1));
        }
    }
    let (a, b) = (before.lines().count(), after.lines().count());
    if a != b {
        out.push_str(&format!("  {a} lines before, {b} after\n"));
    }
    out
}

/// A file the parser could only partly read (brackets nested past the limit)
/// is refused, not formatted without the part it dropped.
#[test]
fn a_file_over_the_nesting_limit_is_refused_not_truncated() {
    let text = format!(
        "let ok = 1\nlet deep = {}1{}\n",
        "[".repeat(70),
        "]".repeat(70)
    );
    match format_source(FileId(0), &text) {
        Err(dlc::fmt::FormatError::Syntax(diagnostics)) => {
            assert!(diagnostics.iter().any(|d| d.code == Code::LimitExceeded));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
