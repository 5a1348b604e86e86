//! Secrets: a lake file names where a secret lives, never the secret. Any
//! string literal shaped like a credential is an error.

use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::resolve::Program;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, ItemKind, RecordLit, StrPart};

pub fn check(program: &Program, diagnostics: &mut Diagnostics) {
    for (r, item) in program.items() {
        if program.is_std(r) {
            continue;
        }
        match &item.kind {
            ItemKind::Let(decl) => expr(&decl.value, diagnostics),
            ItemKind::Lake(decl) | ItemKind::Env(decl) => record(&decl.body, diagnostics),
            _ => {}
        }
    }
}

fn record(record: &RecordLit, diagnostics: &mut Diagnostics) {
    for field in &record.fields {
        expr(&field.value, diagnostics);
    }
}

fn expr(expr: &Expr, diagnostics: &mut Diagnostics) {
    match &expr.kind {
        ExprKind::Str(parts) => {
            for part in parts {
                if let StrPart::Text(text) = part {
                    if let Some(kind) = credential_kind(text) {
                        report(kind, expr.span, diagnostics);
                    }
                }
            }
        }
        ExprKind::List(items) => items.iter().for_each(|e| self::expr(e, diagnostics)),
        ExprKind::Record(r) => record(r, diagnostics),
        _ => {}
    }
}

fn report(kind: &str, span: Span, diagnostics: &mut Diagnostics) {
    diagnostics.push(
        Diagnostic::new(Code::SecretInSource, span, format!("this string looks like {kind}"))
            .with_label("a credential in the lake file")
            .with_note("lake files are committed, reviewed and copied: a secret in one is a leaked secret")
            .with_help("store it in Secrets Manager and write only the secret's name, e.g. `token_secret = \"/DataLake/GitHubToken\"`; then rotate this one"),
    );
}

/// A shape of credential: a regular expression, compiled the first time a
/// string passes its quick test, a necessary condition for a match. Most
/// strings of a lake are short names, so most runs compile no expression.
struct Pattern {
    regex: &'static str,
    kind: &'static str,
    may_match: fn(&str) -> bool,
    /// A last test of what the expression found, where its shape alone
    /// would also match ordinary words.
    confirm: fn(&str) -> bool,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    const fn new(regex: &'static str, kind: &'static str, may_match: fn(&str) -> bool) -> Pattern {
        Pattern {
            regex,
            kind,
            may_match,
            confirm: |_| true,
            compiled: OnceLock::new(),
        }
    }

    const fn confirmed_by(mut self, confirm: fn(&str) -> bool) -> Pattern {
        self.confirm = confirm;
        self
    }

    fn find<'t>(&self, text: &'t str) -> Option<regex::Match<'t>> {
        if !(self.may_match)(text) {
            return None;
        }
        self.compiled
            .get_or_init(|| Regex::new(self.regex).ok())
            .as_ref()?
            .find(text)
    }
}

static PATTERNS: [Pattern; 5] = [
    Pattern::new(r"gh[pousr]_[A-Za-z0-9]{36,}", "a GitHub token", |t| {
        t.len() >= 40 && t.contains("gh")
    }),
    Pattern::new(
        r"github_pat_[A-Za-z0-9_]{22,}",
        "a GitHub fine-grained token",
        |t| t.contains("github_pat_"),
    ),
    Pattern::new(
        r"(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}",
        "an AWS access key ID",
        |t| {
            t.len() >= 20
                && ["AKIA", "ASIA", "ABIA", "ACCA"]
                    .iter()
                    .any(|p| t.contains(p))
        },
    ),
    Pattern::new(
        r"(^|[^A-Za-z0-9/+=])[A-Za-z0-9/+]{40}($|[^A-Za-z0-9/+=])",
        "an AWS secret access key",
        |t| t.len() >= 40,
    )
    .confirmed_by(mixes_digits_and_cases),
    Pattern::new(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        "a private key",
        |t| t.contains("-----BEGIN "),
    ),
];

/// What kind of credential `text` looks like, if any.
pub fn credential_kind(text: &str) -> Option<&'static str> {
    PATTERNS.iter().find_map(|pattern| {
        let found = pattern.find(text)?;
        (pattern.confirm)(found.as_str()).then_some(pattern.kind)
    })
}

/// A 40-character run of letters only, or of one case, is a word, not a key.
fn mixes_digits_and_cases(found: &str) -> bool {
    let key = found.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '+'));
    key.chars().any(|c| c.is_ascii_digit())
        && key.chars().any(|c| c.is_ascii_lowercase())
        && key.chars().any(|c| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::{credential_kind, PATTERNS};

    /// The quick test of a pattern only skips strings its expression cannot
    /// match: for every sample any expression matches, its test passes.
    #[test]
    fn every_match_passes_its_quick_test() {
        let samples = [
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "token: gho_0123456789abcdefghijABCDEFGHIJ0123456789",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
            "AKIAIOSFODNN7EXAMPLE",
            "id=ASIAIOSFODNN7EXAMPLE;",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "key \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"",
            "-----BEGIN RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----",
            "/DataLake/GitHubToken",
        ];
        let mut matched = 0;
        for pattern in &PATTERNS {
            let regex = regex::Regex::new(pattern.regex).expect("a valid pattern");
            for sample in samples {
                if regex.is_match(sample) {
                    matched += 1;
                    assert!(
                        (pattern.may_match)(sample),
                        "{} matches {sample:?}, but its quick test skips it",
                        pattern.kind
                    );
                }
            }
        }
        assert!(matched >= 9, "the samples exercise every pattern");
    }

    #[test]
    fn credentials_are_recognised_and_names_are_not() {
        assert_eq!(
            credential_kind("ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            Some("a GitHub token")
        );
        assert_eq!(
            credential_kind("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key ID")
        );
        assert_eq!(
            credential_kind("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            Some("an AWS secret access key")
        );
        assert_eq!(credential_kind("/DataLake/GitHubToken"), None);
        assert_eq!(
            credential_kind("aws-samples/aws-cdk-pipelines-datalake-infrastructure"),
            None
        );
        assert_eq!(credential_kind("DataLakeCDKBlogInfrastructure"), None);
        // Forty letters have a secret key's shape, but no digit: a name.
        let name = "DataLakeInfrastructurePipelineDeployRole";
        assert!(regex::Regex::new(PATTERNS[3].regex).unwrap().is_match(name));
        assert_eq!(credential_kind(name), None);
    }
}
