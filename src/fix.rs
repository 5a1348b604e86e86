//! `dlc check --fix`: which machine-applicable fixes go together, and the
//! texts they make. Pure: the command line reads the files and writes them
//! back through [`crate::host`].
//!
//! A fix is all the edits of one diagnostic (see [`Diagnostic::edits`]).
//! Fixes are taken in diagnostic order; one whose edits overlap a fix
//! already taken is skipped this round, as rustfix and ruff do: the
//! command checks the fixed text again and the next round picks it up if
//! its diagnostic is still there.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};

/// The most rounds of fix-and-check one `--fix` runs. A fix that reveals
/// another (a name corrected, then its value's range) needs a second round;
/// a help that never makes its diagnostic go away must not loop forever.
pub const MAX_ROUNDS: usize = 8;

/// One replacement as it was applied: where, the text it replaced, and the
/// text it put there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub span: Span,
    pub old: String,
    pub new: String,
}

/// A diagnostic's fix, applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub code: Code,
    pub message: String,
    pub edits: Vec<Applied>,
}

/// A diagnostic's fix that was not applied, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub code: Code,
    pub span: Span,
    pub reason: SkipReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Its edits overlap those of a fix applied before it in this round.
    Overlaps,
    /// An edit is in a file that is not written: the standard library, or
    /// an import of a lake read from standard input.
    NotWritable,
    /// An edit's span is not in its file's text: a bug in the check that
    /// made it; the file is left alone rather than mangled.
    BadSpan,
}

/// The outcome of one round: the fixes taken, those skipped, and the new
/// text of each file a fix changed.
#[derive(Debug, Default)]
pub struct Plan {
    pub fixes: Vec<Fix>,
    pub skipped: Vec<Skipped>,
    pub texts: BTreeMap<FileId, String>,
}

/// Plans the fixes of `diagnostics` (in their order) over `sources`;
/// `writable` says which files may change.
pub fn plan(
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    writable: impl Fn(FileId) -> bool,
) -> Plan {
    let mut plan = Plan::default();
    // The ranges taken so far, per file.
    let mut taken: BTreeMap<FileId, Vec<Range<usize>>> = BTreeMap::new();
    for diagnostic in diagnostics.iter().filter(|d| !d.edits.is_empty()) {
        let skip = |reason| Skipped {
            code: diagnostic.code,
            span: diagnostic.span().unwrap_or(diagnostic.edits[0].span),
            reason,
        };
        let mut edits = Vec::new();
        let mut reason = None;
        for edit in &diagnostic.edits {
            if !writable(edit.span.file) {
                reason = Some(SkipReason::NotWritable);
                break;
            }
            let Some(old) = sources.get(edit.span.file).text.get(edit.span.range()) else {
                reason = Some(SkipReason::BadSpan);
                break;
            };
            edits.push(Applied {
                span: edit.span,
                old: old.to_string(),
                new: edit.replacement.clone(),
            });
        }
        let overlaps = |a: &Applied, b: &Range<usize>| {
            let a = a.span.range();
            // Two insertions at one place overlap too: their order is not known.
            a.start < b.end && b.start < a.end || a == *b
        };
        let clashes = edits.iter().enumerate().any(|(i, edit)| {
            taken
                .get(&edit.span.file)
                .is_some_and(|ranges| ranges.iter().any(|r| overlaps(edit, r)))
                || edits[..i].iter().any(|other| {
                    other.span.file == edit.span.file && overlaps(edit, &other.span.range())
                })
        });
        if reason.is_none() && clashes {
            reason = Some(SkipReason::Overlaps);
        }
        if let Some(reason) = reason {
            plan.skipped.push(skip(reason));
            continue;
        }
        // A fix that changes nothing would be reported forever.
        if edits.iter().all(|edit| edit.old == edit.new) {
            continue;
        }
        for edit in &edits {
            taken
                .entry(edit.span.file)
                .or_default()
                .push(edit.span.range());
        }
        plan.fixes.push(Fix {
            code: diagnostic.code,
            message: diagnostic.message.clone(),
            edits,
        });
    }
    let mut by_file: BTreeMap<FileId, Vec<&Applied>> = BTreeMap::new();
    for edit in plan.fixes.iter().flat_map(|fix| &fix.edits) {
        by_file.entry(edit.span.file).or_default().push(edit);
    }
    for (file, mut edits) in by_file {
        // From the end, so earlier offsets stay valid.
        edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
        let mut text = sources.get(file).text.to_string();
        for edit in edits {
            text.replace_range(edit.span.range(), &edit.new);
        }
        plan.texts.insert(file, text);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(code: Code, edits: &[(Span, &str)]) -> Diagnostic {
        let mut d = Diagnostic::new(code, edits[0].0, "m");
        for (span, replacement) in edits {
            d = d.with_edit(*span, *replacement);
        }
        d
    }

    #[test]
    fn overlapping_fixes_are_not_applied_together() {
        let mut sources = SourceMap::new();
        let f = sources.add("lake.dl", "abcdef");
        let at = |s, e| Span::new(f, s, e);
        let diagnostics = [
            diagnostic(Code::UndefinedName, &[(at(0, 2), "X")]),
            diagnostic(Code::UnknownField, &[(at(1, 3), "Y")]),
            diagnostic(Code::UnknownField, &[(at(4, 5), "Z"), (at(5, 6), "W")]),
        ];
        let plan = plan(&sources, &diagnostics, |_| true);
        assert_eq!(plan.fixes.len(), 2);
        assert_eq!(plan.skipped.len(), 1);
        assert_eq!(plan.skipped[0].reason, SkipReason::Overlaps);
        assert_eq!(plan.texts[&f], "XcdZW");
    }

    #[test]
    fn a_fix_outside_the_written_files_or_the_text_is_skipped() {
        let mut sources = SourceMap::new();
        let std = sources.add("std/aws.dl", "abc");
        let lake = sources.add("lake.dl", "abc");
        let diagnostics = [
            diagnostic(Code::UndefinedName, &[(Span::new(std, 0, 1), "X")]),
            diagnostic(Code::UndefinedName, &[(Span::new(lake, 2, 9), "X")]),
        ];
        let plan = plan(&sources, &diagnostics, |file| file == lake);
        let reasons: Vec<SkipReason> = plan.skipped.iter().map(|s| s.reason).collect();
        assert_eq!(reasons, [SkipReason::NotWritable, SkipReason::BadSpan]);
        assert!(plan.texts.is_empty());
    }
}
