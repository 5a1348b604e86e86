//! Each code's explanation page carries a failing example; checking it must
//! fire that code (a retired code's example must no longer fire it). The page is what `dlc explain CODE` prints.
//!
//! In an example, `\xHH` stands for the raw byte 0xHH, so that a page can
//! show a file that is not UTF-8 (DL0005). dl has no `\x` escape, so the
//! notation never means anything else.

use std::path::Path;

use dlc::diagnostic::Code;
use dlc::driver::{check_bytes, FsLoader};

/// The example's bytes, with each `\xHH` replaced by the byte it names.
fn bytes(example: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = example.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let hex = tail
            .strip_prefix(b"x")
            .and_then(|t| t.get(..2))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (first, hex) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                rest = &tail[3..];
            }
            _ => {
                out.push(first);
                rest = tail;
            }
        }
    }
    out
}

/// The first ```dl block of a page.
fn example(page: &str) -> Option<String> {
    let start = page.find("```dl\n")? + "```dl\n".len();
    let end = start + page[start..].find("```")?;
    Some(page[start..end].to_string())
}

/// Codes whose input cannot be shown in full on a page (a 100 MB file): their
/// pages show an example, and tests/corpus.rs makes the real input.
const SHOWN_NOT_RUN: &[Code] = &[Code::SourceTooLarge];

#[test]
fn every_explanation_has_an_example_that_fires_its_code() {
    let mut failures = Vec::new();
    for code in Code::ALL {
        let page = code.explanation();
        if !page.starts_with(&format!("# {}: ", code.as_str())) {
            failures.push(format!(
                "{}: page must start with `# {}: <title>`",
                code.as_str(),
                code.as_str()
            ));
        }
        let Some(source) = example(page) else {
            failures.push(format!("{}: no ```dl example", code.as_str()));
            continue;
        };
        if SHOWN_NOT_RUN.contains(code) {
            continue;
        }
        let retired = code.retired_since().is_some();
        // Examples that import files read them from tests/explain/.
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/explain")
            .join(format!("{}.dl", code.as_str()));
        let checked = check_bytes("example.dl", &path, bytes(&source), &mut FsLoader);
        let fires = checked.diagnostics.iter().any(|d| d.code == *code);
        if retired && fires {
            failures.push(format!(
                "{}: retired, yet its example fires it",
                code.as_str()
            ));
        } else if !retired && !fires {
            let fired: Vec<&str> = checked
                .diagnostics
                .iter()
                .map(|d| d.code.as_str())
                .collect();
            failures.push(format!("{}: example fires {fired:?}", code.as_str()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
