//! Secrets: a lake file names where a secret lives, never the secret. Any
//! string literal or comment shaped like a credential is an error, as are a
//! URL that carries a password and a tag that holds one.

use std::ops::Range;
use std::sync::OnceLock;

use super::comments;
use crate::automata::Matcher;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::resolve::{ItemRef, Program};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Expr, ExprKind, ItemKind, RecordLit, StrPart};

pub fn check(program: &Program, diagnostics: &mut Diagnostics) {
    for module in &program.modules {
        let file = program.sources.get(module.file);
        if !file.name.starts_with("std/") {
            check_comments(module.file, &file.text, diagnostics);
        }
    }
    // The text of the file an item is in: a fix that deletes looks around it.
    let source = |r: ItemRef| {
        program
            .sources
            .get(program.modules[r.module].file)
            .text
            .as_str()
    };
    for (r, item) in program.items() {
        if program.is_std(r) {
            continue;
        }
        match &item.kind {
            ItemKind::Let(decl) => expr(&decl.value, source(r), diagnostics),
            ItemKind::Lake(decl) | ItemKind::Env(decl) => {
                record(&decl.body, source(r), diagnostics)
            }
            _ => {}
        }
    }
}

/// `source` is the text of the file the record is in.
fn record(record: &RecordLit, source: &str, diagnostics: &mut Diagnostics) {
    for field in &record.fields {
        expr(&field.value, source, diagnostics);
        if field.key.name == "tags" {
            if let ExprKind::Record(tags) = &field.value.kind {
                check_tags(tags, source, diagnostics);
            }
        }
    }
}

/// A tag whose key names a secret (`db-password`, `api_key`) and whose value
/// is written out: tags are read by anyone who may list the resource.
fn check_tags(tags: &RecordLit, source: &str, diagnostics: &mut Diagnostics) {
    for tag in &tags.fields {
        let ExprKind::Str(parts) = &tag.value.kind else {
            continue;
        };
        let text: String = parts
            .iter()
            .filter_map(|part| match part {
                StrPart::Text(text) => Some(text.as_str()),
                StrPart::Interpolation(..) => None,
            })
            .collect();
        // A value of a credential's shape is reported as such (DL0341); the
        // ARN of a secret names it without holding it.
        let reported = credential_kind(&text).is_some() || url_password(&text).is_some();
        if !names_a_secret(&tag.key.name) || text.is_empty() || text.starts_with("arn:") || reported
        {
            continue;
        }
        let key = &tag.key.name;
        diagnostics.push(
            Diagnostic::new(
                Code::SecretInTag,
                tag.value.span,
                format!("the tag `{key}` holds what its key says is a secret"),
            )
            .with_label("a secret as a tag value")
            .with_secondary(tag.key.span, "the key names a secret")
            .with_note("tags are read by anyone who may list or describe the resource, and copied into billing reports")
            .with_help(format!("drop the tag `{key}`, keep the secret in Secrets Manager, then rotate it"))
            .with_edit(deletion(source, tag.span), ""),
        );
    }
}

/// What deleting `span` should delete so that neither an empty line nor
/// stray blanks are left: its whole line when it is alone on it, the blanks
/// before it when it ends its line (a trailing comment), else the blanks
/// after it (an entry followed by a comment).
fn deletion(text: &str, span: Span) -> Span {
    let range = span.range();
    let (Some(before), Some(after)) = (text.get(..range.start), text.get(range.end..)) else {
        return span;
    };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let blanks_before = before.len() - before.trim_end_matches([' ', '\t']).len();
    let line_rest = after.split('\n').next().unwrap_or("");
    let alone_after = line_rest.trim_matches([' ', '\t', '\r']).is_empty();
    let (start, end) = if range.start - blanks_before == line_start && alone_after {
        let newline = usize::from(line_rest.len() < after.len());
        (line_start, range.end + line_rest.len() + newline)
    } else if alone_after {
        (range.start - blanks_before, range.end)
    } else {
        let blanks_after = line_rest.len() - line_rest.trim_start_matches([' ', '\t']).len();
        (range.start, range.end + blanks_after)
    };
    Span::new(span.file, start, end)
}

/// `db-password`, `ApiKey`, `ci_token`: a key whose words name a secret
/// (and not where one is kept).
fn names_a_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let words: Vec<&str> = key
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let word = |w: &str| words.contains(&w);
    // `secret-name`, `token-arn`: where the secret is kept, not the secret.
    if ["name", "arn", "id"].iter().any(|w| word(w)) {
        return false;
    }
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
    ]
    .iter()
    // Long words are found inside others too: `dbpassword`.
    .any(|w| word(w) || (w.len() > 6 && key.contains(w)))
        || (word("api") && word("key"))
        || (word("private") && word("key"))
}

fn check_comments(file: FileId, text: &str, diagnostics: &mut Diagnostics) {
    let found = comments::comments(text);
    let mut rest = found.iter();
    while let Some(&(start, comment)) = rest.next() {
        let kind = credential_kind(comment).or_else(|| url_password(comment).map(|_| URL_KIND));
        if let Some(kind) = kind {
            // A private key pasted as comment lines is one finding, from its
            // BEGIN line to its END line, not one per line of base64.
            let mut end = start + comment.len();
            if comment.contains("-----BEGIN ") {
                let block_end = rest
                    .clone()
                    .position(|(_, line)| line.contains("-----END "));
                if let Some(index) = block_end {
                    let (last_start, last) = rest.nth(index).copied().unwrap_or((start, comment));
                    end = last_start + last.len();
                }
            }
            let span = Span::new(file, start, end);
            diagnostics.push(
                Diagnostic::new(Code::SecretInComment, span, format!("this comment holds {kind}"))
                    .with_label("a credential in a comment")
                    .with_note("comments are committed with the lake file: a secret in one is a leaked secret, in the history too")
                    .with_help("delete the comment, then rotate the credential: it stays in the repository's history")
                    .with_edit(deletion(text, span), ""),
            );
        }
    }
}

const URL_KIND: &str = "a URL with a password";

/// A URL up to its `user:password@`, which ends the match.
const URL_WITH_PASSWORD: &str = r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@";

/// The `user:password@` of a URL, as a byte range of `text`, if it has one.
fn url_password(text: &str) -> Option<Range<usize>> {
    if !(text.contains("://") && text.contains('@')) {
        return None;
    }
    static URL: OnceLock<Option<Matcher>> = OnceLock::new();
    let found = URL
        .get_or_init(|| Matcher::fixed(URL_WITH_PASSWORD))
        .as_ref()?
        .find(text)?;
    // The scheme has no `:`, so the first `://` of the match ends it.
    let scheme = text.get(found.clone())?.find("://")?;
    Some(found.start + scheme + 3..found.end)
}

/// `text` as a string literal of the language.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn expr(expr: &Expr, source: &str, diagnostics: &mut Diagnostics) {
    match &expr.kind {
        ExprKind::Str(parts) => {
            for part in parts {
                if let StrPart::Text(text) = part {
                    if let Some(kind) = credential_kind(text) {
                        report(kind, expr.span, diagnostics);
                    } else if let Some(range) = url_password(text) {
                        report_url(text, range, parts.len() == 1, expr.span, diagnostics);
                    }
                }
            }
        }
        ExprKind::List(items) => items
            .iter()
            .for_each(|e| self::expr(e, source, diagnostics)),
        ExprKind::Record(r) => record(r, source, diagnostics),
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

/// A URL with `user:password@`. The edit drops them from a string written
/// in one piece; a string with interpolations is left to its author.
fn report_url(
    text: &str,
    range: Range<usize>,
    whole: bool,
    span: Span,
    diagnostics: &mut Diagnostics,
) {
    let mut without = text.to_string();
    without.replace_range(range, "");
    let mut diagnostic = Diagnostic::new(
        Code::CredentialInUrl,
        span,
        "this URL carries a user name and password",
    )
    .with_label("a password in a URL")
    .with_note("lake files are committed, reviewed and copied: a password in one is a leaked password")
    .with_help(format!("write the URL without them, `{without}`, keep the password in Secrets Manager, then rotate it"));
    if whole {
        diagnostic = diagnostic.with_edit(span, quoted(&without));
    }
    diagnostics.push(diagnostic);
}

/// A shape of credential: a regular expression, read from its embedded DFAs
/// (see [`crate::automata`]) the first time a string passes its quick test,
/// a necessary condition for a match. Most strings of a lake are short
/// names, so most runs search with no expression.
struct Pattern {
    regex: &'static str,
    kind: &'static str,
    may_match: fn(&str) -> bool,
    /// A last test of what the expression found, where its shape alone
    /// would also match ordinary words.
    confirm: fn(&str) -> bool,
    compiled: OnceLock<Option<Matcher>>,
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

    /// The range of the leftmost-first match in `text`.
    fn find(&self, text: &str) -> Option<Range<usize>> {
        if !(self.may_match)(text) {
            return None;
        }
        self.compiled
            .get_or_init(|| Matcher::fixed(self.regex))
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
        |t| {
            has_run(t, 40, |b| {
                b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
            })
        },
    )
    .confirmed_by(mixes_digits_and_cases),
    Pattern::new(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        "a private key",
        |t| t.contains("-----BEGIN "),
    ),
];

/// Whether `text` has `length` bytes in a row that are all `in_class`.
fn has_run(text: &str, length: usize, in_class: fn(u8) -> bool) -> bool {
    let mut run = 0;
    text.bytes().any(|b| {
        run = if in_class(b) { run + 1 } else { 0 };
        run >= length
    })
}

/// What kind of credential `text` looks like, if any.
pub fn credential_kind(text: &str) -> Option<&'static str> {
    PATTERNS.iter().find_map(|pattern| {
        let found = text.get(pattern.find(text)?)?;
        (pattern.confirm)(found).then_some(pattern.kind)
    })
}

/// The patterns this module searches with, for the embedded tables.
#[cfg(test)]
pub(crate) fn searched_patterns() -> impl Iterator<Item = &'static str> {
    PATTERNS
        .iter()
        .map(|pattern| pattern.regex)
        .chain([URL_WITH_PASSWORD])
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
    use super::{credential_kind, deletion, names_a_secret, quoted, url_password, PATTERNS};
    use crate::automata::tests::{near, Random};
    use crate::source::{FileId, Span};

    /// `url_password` finds exactly the capture of the expression it used to
    /// run, which has the password as its group.
    #[test]
    fn url_password_is_the_capture_of_the_url_expression() {
        let captured = regex::Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://([^/\s:@]*:[^/\s@]+@)")
            .expect("a valid pattern");
        let seeds = [
            "see https://ana:hunter2@wiki.example.com/lake",
            "git+ssh://ci:p%40ss@host:22/repo and http://a:b@c",
            "https://:x@h x://a:b:c@d",
            "s3://bucket/key and https://u:p@h",
        ];
        let mut random = Random::new(0x000a_11ce);
        let mut found = 0;
        for text in near(&seeds, 20_000, &mut random) {
            let expected = captured
                .captures(&text)
                .and_then(|c| c.get(1))
                .map(|m| m.range());
            found += usize::from(expected.is_some());
            assert_eq!(url_password(&text), expected, "{text:?}");
        }
        assert!(found > 1000, "{found}");
    }

    #[test]
    fn keys_that_name_a_secret_and_urls_with_a_password() {
        for key in [
            "password",
            "db-password",
            "dbPassword",
            "ApiKey",
            "api_key",
            "ci-token",
            "private-key",
            "credentials",
        ] {
            assert!(names_a_secret(key), "{key}");
        }
        for key in [
            "owner",
            "cost-center",
            "keystone",
            "tokenizer-team",
            "secretariat",
            "secret-name",
            "token_arn",
        ] {
            assert!(!names_a_secret(key), "{key}");
        }
        let url = "see https://ana:hunter2@wiki.example.com/lake";
        assert_eq!(url_password(url).map(|r| &url[r]), Some("ana:hunter2@"));
        for text in [
            "https://wiki.example.com/lake",
            "git@github.com:example/lake.git",
            "https://ana@wiki.example.com",
            "mail ana@example.com: see https://example.com",
        ] {
            assert_eq!(url_password(text), None, "{text}");
        }
        assert_eq!(quoted("a\"b\\c$d"), "\"a\\\"b\\\\c\\$d\"");
    }

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
        // The samples, and many strings near them.
        let near_samples = near(&samples, 10_000, &mut Random::new(0x0071_c4e5));
        for pattern in &PATTERNS {
            let regex = regex::Regex::new(pattern.regex).expect("a valid pattern");
            let mut matched = 0;
            for sample in &near_samples {
                if regex.is_match(sample) {
                    matched += 1;
                    assert!(
                        (pattern.may_match)(sample),
                        "{} matches {sample:?}, but its quick test skips it",
                        pattern.kind
                    );
                }
            }
            assert!(matched >= 10, "the samples exercise {}", pattern.kind);
        }
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

    #[test]
    fn a_deletion_leaves_no_empty_line_and_no_stray_blanks() {
        let delete = |text: &str, what: &str| {
            let start = text.find(what).unwrap();
            let span = deletion(text, Span::new(FileId(0), start, start + what.len()));
            let mut out = text.to_string();
            out.replace_range(span.range(), "");
            out
        };
        let tags = "tags = {\n    team = \"a\"\n    api-key = \"k\"\n}\n";
        assert_eq!(
            delete(tags, "api-key = \"k\""),
            "tags = {\n    team = \"a\"\n}\n"
        );
        let trailing = "cidr = 10.0.0.0/24 // by ci:pw@host\nnext\n";
        assert_eq!(
            delete(trailing, "// by ci:pw@host"),
            "cidr = 10.0.0.0/24\nnext\n"
        );
        let followed = "    key = \"v\" // why\n";
        assert_eq!(delete(followed, "key = \"v\""), "    // why\n");
        assert_eq!(delete("// AKIA\n", "// AKIA"), "");
        assert_eq!(delete("x\n// AKIA", "// AKIA"), "x\n");
    }
}
