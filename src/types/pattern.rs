//! A type's `matches` pattern. Compiling a regular expression costs far more
//! than matching one: the stdlib's patterns are compiled when dlc is built
//! (see [`crate::automata`]), and read back the first time a value is matched.

use std::sync::OnceLock;

use regex::Regex;

use crate::automata::Matcher;

#[derive(Debug)]
pub struct Pattern {
    source: String,
    compiled: OnceLock<Matcher>,
}

impl Pattern {
    /// A user's pattern, compiled now: its error is the user's diagnostic.
    pub fn compile(source: &str) -> Result<Pattern, regex::Error> {
        let regex = Regex::new(source)?;
        Ok(Pattern {
            source: source.to_string(),
            compiled: OnceLock::from(Matcher::compiled(regex)),
        })
    }

    /// A stdlib pattern, read from the embedded DFAs on first use. A test
    /// compiles every one (`every_stdlib_pattern_compiles`).
    pub fn deferred(source: &str) -> Pattern {
        Pattern {
            source: source.to_string(),
            compiled: OnceLock::new(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.matcher().is_match(text)
    }

    #[allow(
        clippy::expect_used,
        reason = "only the stdlib's patterns are deferred, and a test compiles each"
    )]
    fn matcher(&self) -> &Matcher {
        self.compiled
            .get_or_init(|| Matcher::fixed(&self.source).expect("a stdlib pattern compiles"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
    use crate::source::FileId;
    use crate::syntax::ast::{ConstraintKind, ItemKind};

    /// Every `matches` pattern of the stdlib's types, with its module's name,
    /// in the order the modules declare them (repeats included).
    pub(crate) fn stdlib_patterns() -> Vec<(&'static str, String)> {
        let mut patterns = Vec::new();
        for (index, module) in crate::stdlib::MODULES.iter().enumerate() {
            let mut diagnostics = Diagnostics::new();
            let parsed =
                crate::syntax::parse_module(FileId(index as u32), module.text, &mut diagnostics);
            assert!(!diagnostics.has_errors(), "{}", module.name);
            for item in &parsed.items {
                let ItemKind::Type(decl) = &item.kind else {
                    continue;
                };
                for constraint in &decl.constraints {
                    if let ConstraintKind::Matches(pattern) = &constraint.kind {
                        patterns.push((module.name, pattern.clone()));
                    }
                }
            }
        }
        patterns
    }

    /// What lets [`Pattern::deferred`] expect its pattern to compile.
    #[test]
    fn every_stdlib_pattern_compiles() {
        let patterns = stdlib_patterns();
        for (module, pattern) in &patterns {
            assert!(Regex::new(pattern).is_ok(), "{module}: {pattern}");
        }
        assert!(patterns.len() >= 12, "found {} patterns", patterns.len());
    }

    #[test]
    fn a_deferred_pattern_matches_as_a_compiled_one() {
        let deferred = Pattern::deferred("^[0-9]{12}$");
        let compiled = Pattern::compile("^[0-9]{12}$").expect("valid");
        for text in ["123456789012", "12345678901", "12345678901a"] {
            assert_eq!(deferred.is_match(text), compiled.is_match(text), "{text}");
        }
        assert!(Pattern::compile("[a-").is_err());
    }
}
