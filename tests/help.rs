//! Every error says what to write instead: each error a ui case fires has a
//! help, unless the code table records why its code cannot have one, and a
//! help's edits, applied to the case, make its diagnostic go away.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dlc::diagnostic::{Code, Diagnostic};
use dlc::driver::{check_bytes, Checked};
use dlc::host::FsLoader;
use dlc::resolve::{LoadError, SourceLoader};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Checks a case as tests/ui.rs does: named relative to the package root.
fn check(path: &Path, loader: &mut dyn SourceLoader) -> Checked {
    let bytes = std::fs::read(path).expect("readable ui case");
    check_text(path, bytes, loader)
}

fn check_text(path: &Path, bytes: Vec<u8>, loader: &mut dyn SourceLoader) -> Checked {
    let relative = path.strip_prefix(root()).unwrap_or(path);
    let name = relative.to_string_lossy().replace('\\', "/");
    check_bytes(&name, relative, bytes, loader)
}

/// Where a lake diagnostic is: every diagnostic of a ui case has a place.
fn span_of(diagnostic: &Diagnostic) -> dlc::source::Span {
    diagnostic
        .span()
        .expect("a diagnostic about a lake has a place")
}

/// `file:line: DLxxxx message`, for failure messages.
fn locate(checked: &Checked, diagnostic: &Diagnostic) -> String {
    let file = checked.sources.get(span_of(diagnostic).file);
    let (line, _) = file.line_col(span_of(diagnostic).start as usize);
    format!(
        "{}:{line}: {} {}",
        file.name,
        diagnostic.code.as_str(),
        diagnostic.message
    )
}

#[test]
fn every_error_has_a_help_or_its_code_says_why_not() {
    let mut failures = Vec::new();
    for path in common::ui_cases() {
        let checked = check(&path, &mut FsLoader);
        for diagnostic in checked.diagnostics.iter().filter(|d| d.is_error()) {
            if diagnostic.help.is_none() && diagnostic.code.no_help_reason().is_none() {
                failures.push(locate(&checked, diagnostic));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "errors without a help (add one, or a `no_help` reason in codes.rs):\n{}",
        failures.join("\n")
    );
}

/// A did-you-mean names the text to write, so it can always be applied.
#[test]
fn every_did_you_mean_carries_its_edit() {
    let mut failures = Vec::new();
    for path in common::ui_cases() {
        let checked = check(&path, &mut FsLoader);
        for diagnostic in checked.diagnostics.iter() {
            let help = diagnostic.help.as_deref().unwrap_or_default();
            if help.starts_with("did you mean") && diagnostic.edits.is_empty() {
                failures.push(locate(&checked, diagnostic));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_reason_for_no_help_is_a_sentence() {
    for code in Code::ALL {
        if let Some(reason) = code.no_help_reason() {
            assert!(
                reason.len() > 20 && reason.ends_with('.'),
                "{}: {reason:?}",
                code.as_str()
            );
        }
    }
}

/// Reads files from disk, except the ones given in memory: a ui case with a
/// help's edits applied.
struct Patched {
    files: HashMap<PathBuf, String>,
}

impl SourceLoader for Patched {
    fn identity(&self, path: &Path) -> PathBuf {
        FsLoader.identity(path)
    }

    fn read(&mut self, path: &Path) -> Result<String, LoadError> {
        match self.files.get(&self.identity(path)) {
            Some(text) => Ok(text.clone()),
            None => FsLoader.read(path),
        }
    }
}

/// The files of `checked` that `diagnostic`'s edits change, edited. Edits are
/// applied from the last to the first, so earlier offsets stay valid.
fn apply(checked: &Checked, diagnostic: &Diagnostic) -> HashMap<PathBuf, String> {
    let mut by_file: HashMap<_, Vec<_>> = HashMap::new();
    for edit in &diagnostic.edits {
        by_file.entry(edit.span.file).or_default().push(edit);
    }
    let mut files = HashMap::new();
    for (file, mut edits) in by_file {
        let source = checked.sources.get(file);
        let mut text = source.text.to_string();
        edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
        for edit in edits {
            text.replace_range(edit.span.range(), &edit.replacement);
        }
        files.insert(FsLoader.identity(Path::new(&source.name)), text);
    }
    files
}

/// The line of `diagnostic` once its edits are applied: an edit before it that
/// adds or removes lines moves it.
fn line_after_edits(checked: &Checked, diagnostic: &Diagnostic) -> usize {
    let span = span_of(diagnostic);
    let file = checked.sources.get(span.file);
    let (line, _) = file.line_col(span.start as usize);
    let moved: isize = diagnostic
        .edits
        .iter()
        .filter(|edit| edit.span.file == span.file && edit.span.end <= span.start)
        .map(|edit| {
            let removed = file.text[edit.span.range()].matches('\n').count() as isize;
            edit.replacement.matches('\n').count() as isize - removed
        })
        .sum();
    (line as isize + moved) as usize
}

#[test]
fn applying_a_helps_edits_fixes_its_diagnostic() {
    let mut failures = Vec::new();
    let mut applied = 0;
    for path in common::ui_cases() {
        let checked = check(&path, &mut FsLoader);
        for diagnostic in checked.diagnostics.iter().filter(|d| !d.edits.is_empty()) {
            applied += 1;
            let file_name = &checked.sources.get(span_of(diagnostic).file).name;
            let line = line_after_edits(&checked, diagnostic);
            let mut loader = Patched {
                files: apply(&checked, diagnostic),
            };
            let fixed = match loader.files.get(&FsLoader.identity(&path)) {
                Some(text) => check_text(&path, text.clone().into_bytes(), &mut loader),
                None => check(&path, &mut loader),
            };
            let still_there = fixed.diagnostics.iter().any(|d| {
                let file = fixed.sources.get(span_of(d).file);
                d.code == diagnostic.code
                    && &file.name == file_name
                    && file.line_col(span_of(d).start as usize).0 == line
            });
            let broke_syntax = fixed
                .diagnostics
                .iter()
                .any(|d| d.code == Code::SyntaxError)
                && !checked
                    .diagnostics
                    .iter()
                    .any(|d| d.code == Code::SyntaxError);
            if still_there || broke_syntax {
                failures.push(format!(
                    "{}: edits {:?} {}",
                    locate(&checked, diagnostic),
                    diagnostic
                        .edits
                        .iter()
                        .map(|e| &e.replacement)
                        .collect::<Vec<_>>(),
                    if still_there {
                        "leave it in place"
                    } else {
                        "make a syntax error"
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(applied > 0, "no ui case carries an edit");
}
