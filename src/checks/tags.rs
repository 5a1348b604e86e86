//! Tags: what AWS accepts on every resource and stack dlc tags. A key is
//! checked as dlc writes it, `<resource_prefix>:<key>`, and a resource's
//! tags are counted with the ones dlc adds, so that a lake that checks clean
//! compiles to tags AWS takes.

use std::sync::OnceLock;

use indexmap::IndexSet;
use regex::Regex;

use super::inherited::Findings;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{EnvField, Environment, Lake, LakeField, TagSpans};
use crate::source::Span;

/// The longest tag key AWS accepts, in Unicode characters.
pub const MAX_KEY_CHARS: usize = 128;
/// The longest tag value AWS accepts, in Unicode characters.
pub const MAX_VALUE_CHARS: usize = 256;
/// The most user tags (those not under `aws:`) a resource may carry.
pub const MAX_TAGS: usize = 50;

/// The tag dlc puts on every resource of an environment, with its name
/// (`codegen::naming::tags`).
const ENVIRONMENT_TAG: &str = "environment";
/// The tag dlc puts on an environment's pipeline (`codegen::pipeline`).
const PIPELINE_TAG: &str = "pipeline";
/// Besides `environment`, dlc adds one tag to some resources: `Name` to the
/// EC2 resources of every environment's network, `pipeline` to its pipeline.
const OTHER_ADDED_TAGS: usize = 1;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let prefix = &lake.resource_prefix;
    reserved_prefix(lake, diagnostics);
    let lake_span = lake.field_spans.get_or(LakeField::Tags, lake.span);
    for (key, value) in &lake.tags {
        diagnostics.extend(check_tag(prefix, key, value, &lake.tag_spans, lake_span));
    }
    // An environment's tags merge into those it extends: each tag keeps its origin.
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        let env_span = env.field_spans.get_or(EnvField::Tags, env.span);
        for (key, value) in &env.tags {
            let provenance = env.tag_spans.provenance(key);
            for diagnostic in check_tag(prefix, key, value, &env.tag_spans, env_span) {
                findings.push_value(&env.name, "tags", provenance, diagnostic);
            }
        }
        count(lake, env, &mut findings, diagnostics);
    }
    findings.report(diagnostics);
}

/// A resource prefix `aws` makes every key start with `aws:`, which AWS
/// keeps for its own tags.
fn reserved_prefix(lake: &Lake, diagnostics: &mut Diagnostics) {
    let prefix = &lake.resource_prefix;
    if !prefix.eq_ignore_ascii_case("aws") {
        return;
    }
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidTagKey,
            lake.field_spans.get_or(LakeField::ResourcePrefix, lake.span),
            format!("with the resource prefix `{prefix}`, every tag key starts with `aws:`, which AWS reserves for its own tags"),
        )
        .with_label(format!("tag keys are written `{prefix}:<key>`"))
        .with_note(format!("dlc tags every resource with `{prefix}:{ENVIRONMENT_TAG}`; AWS refuses keys that start with `aws:`, so no stack deploys"))
        .with_help("choose another resource prefix, e.g. `resource_prefix = \"awsdata\"`"),
    );
}

fn check_tag(
    prefix: &str,
    key: &str,
    value: &str,
    spans: &TagSpans,
    fallback: Span,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let span = spans.get_or(key, fallback);
    let written = format!("{prefix}:{key}");
    let length = written.chars().count();
    if length > MAX_KEY_CHARS {
        let room = MAX_KEY_CHARS - prefix.chars().count() - 1;
        let trimmed: String = key.chars().take(room).collect();
        diagnostics.push(with_literal(
            Diagnostic::new(
                Code::InvalidTagKey,
                span.key,
                format!("the tag key `{prefix}:{key}` is {length} characters; AWS takes at most {MAX_KEY_CHARS}"),
            )
            .with_label(format!("{} characters, written under `{prefix}:`", key.chars().count()))
            .with_note(format!("dlc writes each key under the resource prefix, which leaves {room} characters for the key"))
            .with_help(format!("shorten the key to {room} characters or fewer, e.g. `\"{trimmed}\"`")),
            span.key,
            &trimmed,
        ));
    }
    if [ENVIRONMENT_TAG, PIPELINE_TAG].contains(&key) {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidTagKey,
                span.key,
                format!("dlc sets the tag `{prefix}:{key}` itself, to the environment's name"),
            )
            .with_label("a key dlc reserves")
            .with_note(format!("dlc tags every resource with `{prefix}:{ENVIRONMENT_TAG}` and each pipeline with `{prefix}:{PIPELINE_TAG}`: a tag of the lake's with either key would be overwritten or given twice"))
            .with_help(format!("give the tag another key, e.g. `\"{key}-kind\"`, or drop it")),
        );
    }
    let length = value.chars().count();
    if length > MAX_VALUE_CHARS {
        let trimmed: String = value.chars().take(MAX_VALUE_CHARS).collect();
        let ending: String = trimmed
            .chars()
            .skip(MAX_VALUE_CHARS.saturating_sub(24))
            .collect();
        diagnostics.push(with_literal(
            Diagnostic::new(
                Code::InvalidTagValue,
                span.value,
                format!("the value of the tag `{key}` is {length} characters; AWS takes at most {MAX_VALUE_CHARS}"),
            )
            .with_label(format!("{length} characters"))
            .with_help(match length - MAX_VALUE_CHARS {
                1 => format!("drop its last character: end it `…{ending}`"),
                excess => format!("shorten it by {excess} characters: end it `…{ending}`"),
            }),
            span.value,
            &trimmed,
        ));
    } else if value.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidTagValue,
                span.value,
                format!("the tag `{key}` has an empty value, which CloudFormation refuses in a stack's tags"),
            )
            .with_label("empty")
            .with_note("the manifest lists these tags for each stack, and a stack tag's value has at least one character")
            .with_help(format!("give the tag a value, or drop `{key}`")),
        );
    }
    for (what, text, at) in [("key", key, span.key), ("value", value, span.value)] {
        let refused = refused_characters(text);
        if refused.is_empty() {
            continue;
        }
        let shown: Vec<String> = refused.iter().map(|c| format!("{c:?}")).collect();
        let cleaned: String = text.chars().filter(|c| !refused.contains(c)).collect();
        let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        diagnostics.push(with_literal(
            Diagnostic::new(
                Code::InvalidTagCharacter,
                at,
                format!(
                    "the tag {what} `{text}` holds {} AWS does not allow in tags",
                    if refused.len() == 1 {
                        "a character"
                    } else {
                        "characters"
                    }
                ),
            )
            .with_label(format!("{} not allowed", shown.join(", ")))
            .with_note("tag keys and values take letters, digits, spaces and `_ . : / = + - @`")
            .with_help(format!("remove {}, e.g. `\"{cleaned}\"`", shown.join(", "))),
            at,
            &cleaned,
        ));
    }
    diagnostics
}

/// AWS's tag alphabet, one character.
const ALLOWED_CHARACTER: &str = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]$";

/// `diagnostic` with the edit that writes `text` as a string literal at
/// `span`; none for an empty text or one that would need escapes (the help
/// shows it, the user writes it).
fn with_literal(diagnostic: Diagnostic, span: Span, text: &str) -> Diagnostic {
    if text.is_empty() || text.contains(['"', '\\', '$']) {
        return diagnostic;
    }
    diagnostic.with_edit(span, format!("\"{text}\""))
}

/// The characters of `text` outside AWS's tag alphabet, each once, in order.
#[allow(
    clippy::expect_used,
    reason = "a constant pattern, which the tests run"
)]
fn refused_characters(text: &str) -> IndexSet<char> {
    static ALLOWED: OnceLock<Regex> = OnceLock::new();
    let mut buffer = [0u8; 4];
    let mut allowed = |c: char| {
        if c.is_ascii() {
            return allowed_ascii(c);
        }
        ALLOWED
            .get_or_init(|| Regex::new(ALLOWED_CHARACTER).expect("a valid pattern"))
            .is_match(c.encode_utf8(&mut buffer))
    };
    text.chars().filter(|&c| !allowed(c)).collect()
}

/// The pattern's answer for an ASCII character, without compiling it: the
/// only ASCII letters, separators and numbers are `A-Z a-z`, the space and
/// `0-9`. Compiling the Unicode classes was a tenth of a small lake's check,
/// and nearly every tag is ASCII.
fn allowed_ascii(c: char) -> bool {
    c.is_ascii_alphanumeric() || " _.:/=+-@".contains(c)
}

/// The tags on an environment's most tagged resource: the lake's and the
/// environment's (one per key), `environment`, and `Name` or `pipeline`.
fn count<'a>(
    lake: &'a Lake,
    env: &'a Environment,
    findings: &mut Findings<'a>,
    diagnostics: &mut Diagnostics,
) {
    let mut keys: IndexSet<&str> = lake.tags.keys().map(String::as_str).collect();
    keys.extend(env.tags.keys().map(String::as_str));
    let added =
        |keys: &IndexSet<&str>| OTHER_ADDED_TAGS + usize::from(!keys.contains(ENVIRONMENT_TAG));
    let allowed = MAX_TAGS - added(&keys);
    // The first tag with no room left says who must trim.
    let Some(first_over) = keys.get_index(allowed).copied() else {
        return;
    };
    let own = env.tags.contains_key(first_over);
    let (span, whose, total) = if own {
        let fallback = env.field_spans.get_or(EnvField::Tags, env.span);
        let span = env.tag_spans.get_or(first_over, fallback).key;
        (
            span,
            format!("`{}`'s resources", env.name),
            keys.len() + added(&keys),
        )
    } else {
        // The lake's tags alone are too many: counted alone, so that every
        // environment reports the same finding, once.
        let lake_keys: IndexSet<&str> = lake.tags.keys().map(String::as_str).collect();
        let fallback = lake.field_spans.get_or(LakeField::Tags, lake.span);
        let span = lake.tag_spans.get_or(first_over, fallback).key;
        (
            span,
            "every resource".to_string(),
            lake_keys.len() + added(&lake_keys),
        )
    };
    let diagnostic = Diagnostic::new(
            Code::TooManyTags,
            span,
            format!("{whose} would carry {total} tags; AWS allows {MAX_TAGS} on a resource"),
        )
        .with_label(format!("tag number {}: only {allowed} fit beside dlc's own", allowed + 1))
        .with_note(format!("dlc adds `{ENVIRONMENT_TAG}` to every resource, and `Name` to the network's or `pipeline` to the pipeline: {allowed} tags are left for the lake and its environments together"))
        .with_help(match total - MAX_TAGS {
            1 => "drop a tag, or merge two into one value".to_string(),
            excess => format!("drop {excess} tags, or merge some into one value"),
        });
    if own {
        let provenance = env.tag_spans.provenance(first_over);
        findings.push_value(&env.name, "tags", provenance, diagnostic);
    } else {
        diagnostics.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::refused_characters;

    /// The ASCII shortcut answers as the Unicode pattern would.
    #[test]
    fn ascii_characters_are_judged_as_the_pattern_judges_them() {
        let pattern = regex::Regex::new(super::ALLOWED_CHARACTER).expect("a valid pattern");
        for c in (0u8..128).map(char::from) {
            let mut buffer = [0u8; 4];
            assert_eq!(
                super::allowed_ascii(c),
                pattern.is_match(c.encode_utf8(&mut buffer)),
                "{c:?}"
            );
        }
    }

    #[test]
    fn the_tag_alphabet_is_letters_digits_spaces_and_seven_symbols() {
        assert!(refused_characters("Données 数据 ٣ _.:/=+-@\u{a0}").is_empty());
        let refused: Vec<char> = refused_characters("a#b, c#d\t'e'").into_iter().collect();
        assert_eq!(refused, ['#', ',', '\t', '\'']);
    }
}
