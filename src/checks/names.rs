//! Computed names: every bucket name must satisfy S3's rules, and no zone
//! repeats a bucket name within its environment (`unique_names` compares
//! names across environments).

use std::collections::HashMap;

use super::inherited::Findings;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::naming::{bucket_name, ACCESS_LOGS_SUFFIX};
use crate::model::{Environment, Lake, LakeField, Zone, ZoneField};
use crate::source::Span;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let prefix_span = lake
        .field_spans
        .get_or(LakeField::ResourcePrefix, lake.span);
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        // Each bucket's name, where it comes from, and its zone (none for
        // the access-logs bucket).
        let mut names: Vec<(String, Span, Option<&Zone>)> = env
            .zones
            .iter()
            .map(|z| {
                (
                    bucket_name(lake, env, &z.name),
                    z.field_spans.get_or(ZoneField::Name, z.span),
                    Some(z),
                )
            })
            .collect();
        names.push((bucket_name(lake, env, ACCESS_LOGS_SUFFIX), env.span, None));

        let invalid: Vec<(&String, &Span, Option<&Zone>, BucketProblem)> = names
            .iter()
            .filter_map(|(name, span, zone)| {
                s3_bucket_problem(name).map(|p| (name, span, *zone, p))
            })
            .collect();
        if let Some((name, span, zone, problem)) =
            invalid.iter().max_by_key(|(name, _, _, _)| name.len())
        {
            let reason = &problem.reason;
            let shape = "bucket names are <env>-<resource_prefix>-<account>-<region>-<zone>";
            let mut diagnostic = match problem.part {
                // The zone name ends the bucket name: it is to blame, in
                // every environment alike, so the message names no
                // environment and inherited zones are reported once.
                NamePart::End => Diagnostic::new(
                    Code::InvalidBucketName,
                    **span,
                    format!("this zone gives bucket names that S3 rejects: {reason}"),
                )
                .with_label(format!("`{}` creates `{name}`", env.name))
                .with_note(shape)
                .with_help("rename the zone"),
                NamePart::Length => Diagnostic::new(
                    Code::InvalidBucketName,
                    prefix_span,
                    format!(
                        "`{}` would create the bucket `{name}`, which S3 rejects: {reason}",
                        env.name
                    ),
                )
                .with_label(format!(
                    "the resource prefix is {} of the name's {} characters",
                    lake.resource_prefix.len(),
                    name.len()
                ))
                .with_secondary(
                    **span,
                    format!("`{}`'s bucket is named from this", env.name),
                )
                .with_note(format!("{shape}: {name} ({} characters)", name.len())),
                NamePart::Start | NamePart::Whole => Diagnostic::new(
                    Code::InvalidBucketName,
                    env.span,
                    format!(
                        "`{}` would create the bucket `{name}`, which S3 rejects: {reason}",
                        env.name
                    ),
                )
                .with_label(format!(
                    "bucket names start with `{}-`",
                    env.name.to_lowercase()
                ))
                .with_secondary(prefix_span, "followed by the resource prefix")
                .with_note(format!("{shape}: {name}"))
                .with_help("rename the environment or change the resource prefix"),
            };
            if invalid.len() > 1 && problem.part != NamePart::End {
                diagnostic = diagnostic.with_note(format!(
                    "{} of `{}`'s {} bucket names break S3's rules",
                    invalid.len(),
                    env.name,
                    names.len()
                ));
            }
            if name.len() > 63 {
                let excess = name.len() - 63;
                diagnostic = diagnostic.with_help(format!(
                    "shorten the resource prefix (or the zone name) by {excess} character{}",
                    if excess == 1 { "" } else { "s" }
                ));
            }
            match zone {
                Some(zone) if problem.part == NamePart::End => {
                    findings.push(&env.name, &zone.field_spans, ZoneField::Name, diagnostic)
                }
                _ => diagnostics.push(diagnostic),
            }
        }

        check_zone_names(env, &mut findings);
    }
    findings.report(diagnostics);
}

/// A zone listed twice, or named like the access-logs bucket, names a bucket
/// twice within its environment. The message names no environment, so zones
/// inherited through `extends` are reported once.
fn check_zone_names<'a>(env: &'a Environment, findings: &mut Findings<'a>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for zone in &env.zones {
        let span = zone.field_spans.get_or(ZoneField::Name, zone.span);
        if zone.name == ACCESS_LOGS_SUFFIX {
            findings.push(
                &env.name,
                &zone.field_spans,
                ZoneField::Name,
                Diagnostic::new(
                    Code::DuplicateResourceName,
                    span,
                    format!("the zone `{ACCESS_LOGS_SUFFIX}` would get the same bucket name as the access-logs bucket"),
                )
                .with_label("a zone name dlc keeps for access logs")
                .with_note(format!(
                    "every environment has a bucket for access logs, named <env>-<resource_prefix>-<account>-<region>-{ACCESS_LOGS_SUFFIX}"
                ))
                .with_help("rename the zone"),
            );
        } else if let Some(first) = seen.get(zone.name.as_str()) {
            findings.push(
                &env.name,
                &zone.field_spans,
                ZoneField::Name,
                Diagnostic::new(
                    Code::DuplicateResourceName,
                    span,
                    format!(
                        "the zone `{}` is listed twice, so its bucket would be created twice",
                        zone.name
                    ),
                )
                .with_label("listed again here")
                .with_secondary(*first, "first listed here")
                .with_help("remove one of them, or rename it"),
            );
        } else {
            seen.insert(&zone.name, span);
        }
    }
}

/// Which part of a bucket name breaks S3's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamePart {
    /// The whole name is too long or too short.
    Length,
    /// Its start: the environment's name (and the resource prefix).
    Start,
    /// Its end: the zone's name.
    End,
    /// Its characters or its shape.
    Whole,
}

/// Why S3 would reject a bucket name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketProblem {
    pub part: NamePart,
    pub reason: String,
}

/// Why S3 would reject a bucket name, if it would.
pub fn s3_bucket_problem(name: &str) -> Option<BucketProblem> {
    let problem = |part, reason: String| Some(BucketProblem { part, reason });
    let length = name.len();
    if !(3..=63).contains(&length) {
        return problem(
            NamePart::Length,
            format!("a bucket name is 3 to 63 characters, and this is {length}"),
        );
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return problem(
            NamePart::Whole,
            format!("`{c}` is not allowed: only lowercase letters, digits, `-` and `.`"),
        );
    }
    let first_last_ok =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return problem(
            NamePart::Whole,
            "it must start and end with a letter or a digit".into(),
        );
    }
    if name.contains("..") {
        return problem(NamePart::Whole, "it must not contain `..`".into());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return problem(
            NamePart::Whole,
            "it must not look like an IP address".into(),
        );
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return problem(
                NamePart::Start,
                format!("it must not start with `{prefix}`"),
            );
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return problem(NamePart::End, format!("it must not end with `{suffix}`"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::s3_bucket_problem;

    #[test]
    fn s3_rules() {
        assert_eq!(
            s3_bucket_problem("dev-cdkblog-e2e-222222222222-us-east-2-raw"),
            None
        );
        assert!(s3_bucket_problem(&"a".repeat(64))
            .unwrap()
            .reason
            .contains("63"));
        assert!(s3_bucket_problem("ab").is_some());
        assert!(s3_bucket_problem("Abc").is_some());
        assert!(s3_bucket_problem("a..b").is_some());
        assert!(s3_bucket_problem("192.168.1.1").is_some());
        assert!(s3_bucket_problem("xn--abc").is_some());
        assert_eq!(
            s3_bucket_problem("abc-s3alias").unwrap().part,
            super::NamePart::End
        );
        assert!(s3_bucket_problem("-abc").is_some());
    }
}
