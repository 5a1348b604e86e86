//! The one diagnostic type of dlc, and its renderers.
//!
//! Everything dlc reports is a [`Diagnostic`]: a problem in a lake, and also
//! an I/O error (a file that cannot be read or written), a usage error (an
//! `--env` the lake lacks) and an internal error (a bug in dlc). Each has a
//! stable code, a message, a primary label when it has a place in a source
//! (a problem in a lake always has one; a file that cannot be read has
//! none), secondary labels (possibly in other files), notes and a help line.
//! Renderers live in [`render`].

mod codes;
pub mod render;

pub use codes::Code;

use std::collections::HashSet;

use crate::source::Span;

/// The most diagnostics one check reports. A broken generated file can hold
/// millions of mistakes; past this many, nobody reads them, and building and
/// printing them would take minutes and gigabytes.
pub const MAX_DIAGNOSTICS: usize = 1000;

/// `1 day`, `0 days`, `30 days`: a number with its noun, plural unless one.
pub fn count(n: impl Into<i128>, noun: &str) -> String {
    let n = n.into();
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A machine-applicable part of a help: put `replacement` where `span` is.
/// A help that names the text to write carries it as edits, so JSON, SARIF
/// and editors can apply it without parsing the help's prose.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Where the problem is, and what to say there. `None` for a problem
    /// with no place in a source: an I/O, usage or internal error.
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    /// The help as edits, when it can be applied as written. All of them
    /// together make one fix.
    pub edits: Vec<Edit>,
}

impl Diagnostic {
    /// An error whose severity comes from its code.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            primary: Some(Label {
                span,
                message: String::new(),
            }),
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
            edits: Vec::new(),
        }
    }

    /// A diagnostic with no place in a source: an I/O, usage or internal
    /// error. Its message names what it is about (a path, a flag).
    pub fn unlocated(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
            edits: Vec::new(),
        }
    }

    /// The text under the primary span; nothing for an unlocated diagnostic.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        if let Some(primary) = &mut self.primary {
            primary.message = message.into();
        }
        self
    }

    /// The primary span, if the diagnostic has a place in a source.
    pub fn span(&self) -> Option<Span> {
        self.primary.as_ref().map(|label| label.span)
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds an edit to the fix this diagnostic's help describes.
    pub fn with_edit(mut self, span: Span, replacement: impl Into<String>) -> Diagnostic {
        self.edits.push(Edit {
            span,
            replacement: replacement.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics collected by a stage. Stages keep going after an error, so one
/// run reports every independent mistake.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// (span, code, message) of each item: a repeat is not kept twice.
    seen: HashSet<(Option<Span>, Code, String)>,
    /// Whether diagnostics were dropped past [`MAX_DIAGNOSTICS`].
    truncated: bool,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Keeps a diagnostic, unless it repeats one already kept or
    /// [`MAX_DIAGNOSTICS`] are kept already.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.is_full() {
            self.truncated = true;
            return;
        }
        let key = (
            diagnostic.span(),
            diagnostic.code,
            diagnostic.message.clone(),
        );
        if self.seen.insert(key) {
            self.items.push(diagnostic);
        }
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        for diagnostic in other {
            self.push(diagnostic);
        }
    }

    /// True once [`MAX_DIAGNOSTICS`] are kept: further ones are dropped, so a
    /// stage may skip the work of building them (suggestions, mostly).
    pub fn is_full(&self) -> bool {
        self.items.len() >= MAX_DIAGNOSTICS
    }

    /// After the last stage: says that diagnostics were dropped, if they were,
    /// at `span` (the start of the root file).
    pub fn finish(&mut self, span: Span) {
        if self.truncated {
            self.items.push(
                Diagnostic::new(
                    Code::LimitExceeded,
                    span,
                    format!("too many problems: dlc stops after the first {MAX_DIAGNOSTICS}"),
                )
                .with_label("more problems in this lake are not shown")
                .with_help("fix the problems shown and check again"),
            );
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted by file and position, with exact repeats removed: a value
    /// inherited through `extends` is checked once per environment but its
    /// mistake is reported once.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut items = self.items;
        items.sort_by(|a, b| (a.span(), a.code, &a.message).cmp(&(b.span(), b.code, &b.message)));
        items.dedup_by(|a, b| a.span() == b.span() && a.code == b.code && a.message == b.message);
        items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn repeats_are_dropped_and_the_count_is_capped_with_a_note() {
        let mut diagnostics = Diagnostics::new();
        let at = |i: usize| Span::new(FileId(0), i, i + 1);
        for _ in 0..3 {
            diagnostics.push(Diagnostic::new(Code::UndefinedName, at(0), "same"));
        }
        assert_eq!(diagnostics.len(), 1);
        for i in 1..MAX_DIAGNOSTICS * 2 {
            diagnostics.push(Diagnostic::new(Code::UndefinedName, at(i), "other"));
        }
        assert!(diagnostics.is_full());
        diagnostics.finish(at(0));
        let sorted = diagnostics.into_sorted();
        assert_eq!(sorted.len(), MAX_DIAGNOSTICS + 1);
        assert!(sorted.iter().any(|d| d.code == Code::LimitExceeded));
    }
}
