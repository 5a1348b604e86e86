//! Each code's explanation page carries a failing example; checking it must
//! fire that code (a retired code's example must no longer fire it). The page is what `dlc explain CODE` prints.
//!
//! A code about dlc's run rather than a lake (DL09xx: I/O, usage, internal)
//! shows a command instead, in a ```console block (`$ dlc check missing.dl`):
//! it is run in a fresh folder holding a copy of the seed lake as `lake.dl`,
//! and must exit with status 2 and report the code.
//!
//! In an example, `\xHH` stands for the raw byte 0xHH, so that a page can
//! show a file that is not UTF-8 (DL0005). dl has no `\x` escape, so the
//! notation never means anything else.

use std::path::Path;
use std::process::Command;

use dlc::diagnostic::Code;
use dlc::driver::check_bytes;
use dlc::host::FsLoader;

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

/// The command of a page's first ```console block, without its `$ dlc `.
fn command(page: &str) -> Option<Vec<String>> {
    let start = page.find("```console\n$ dlc ")? + "```console\n$ dlc ".len();
    let line = page[start..].lines().next()?;
    Some(line.split_whitespace().map(str::to_string).collect())
}

/// Runs a host code's example; a failure, if it does not fire the code.
fn run_command(code: Code, page: &str) -> Option<String> {
    let Some(args) = command(page) else {
        return Some(format!("{}: no ```console example", code.as_str()));
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl");
    std::fs::copy(seed, dir.path().join("lake.dl")).expect("copy the seed lake");
    let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(&args)
        .current_dir(dir.path())
        .output()
        .expect("dlc runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let fired = text.contains(&format!("[{}]", code.as_str()));
    (output.status.code() != Some(2) || !fired).then(|| {
        format!(
            "{}: `dlc {}` exits {:?} and prints:\n{text}",
            code.as_str(),
            args.join(" "),
            output.status.code()
        )
    })
}

/// Codes whose input cannot be shown in full on a page (a 100 MB file): their
/// pages show an example, and tests/corpus.rs makes the real input. And
/// DL0999, which only a bug in dlc fires: src/cli.rs tests how it is made.
const SHOWN_NOT_RUN: &[Code] = &[Code::SourceTooLarge, Code::InternalError];

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
        if code.is_host() {
            if !SHOWN_NOT_RUN.contains(code) {
                failures.extend(run_command(*code, page));
            }
            continue;
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
