//! Computed names: every bucket name must satisfy S3's rules, and no two
//! environments may create the same bucket or export.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::naming::{bucket_name, export_names, ACCESS_LOGS_SUFFIX};
use crate::model::Lake;
use crate::source::Span;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let prefix_span = lake.field_spans.get_or("resource_prefix", lake.span);
    // (name, span of what chose it, environment) for duplicates.
    let mut buckets: HashMap<String, (Span, String)> = HashMap::new();
    let mut exports: HashMap<String, (Span, String)> = HashMap::new();
    for env in lake.environments.values() {
        let mut names: Vec<(String, Span)> = env
            .zones
            .iter()
            .map(|z| {
                (
                    bucket_name(lake, env, &z.name),
                    z.field_spans.get_or("name", z.span),
                )
            })
            .collect();
        names.push((bucket_name(lake, env, ACCESS_LOGS_SUFFIX), env.span));

        let invalid: Vec<(&String, &Span, String)> = names
            .iter()
            .filter_map(|(name, span)| s3_bucket_problem(name).map(|p| (name, span, p)))
            .collect();
        if let Some((name, span, problem)) = invalid.iter().max_by_key(|(name, _, _)| name.len()) {
            let mut diagnostic = Diagnostic::new(
                Code::InvalidBucketName,
                prefix_span,
                format!("`{}` would create the bucket `{name}`, which S3 rejects: {problem}", env.name),
            )
            .with_label(format!(
                "the resource prefix is {} of its {} characters",
                lake.resource_prefix.len(),
                name.len()
            ))
            .with_secondary(**span, format!("`{}`'s bucket is named from this", env.name))
            .with_note(format!(
                "bucket names are <env>-<resource_prefix>-<account>-<region>-<zone>: {name} ({} characters)",
                name.len()
            ));
            if invalid.len() > 1 {
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
            diagnostics.push(diagnostic);
        }

        for (name, span) in names {
            duplicate(&mut buckets, name, span, &env.name, "bucket", diagnostics);
        }
        for name in export_names(env) {
            duplicate(
                &mut exports,
                name,
                env.span,
                &env.name,
                "export",
                diagnostics,
            );
        }
    }
}

fn duplicate(
    seen: &mut HashMap<String, (Span, String)>,
    name: String,
    span: Span,
    env: &str,
    what: &str,
    diagnostics: &mut Diagnostics,
) {
    if let Some((first_span, first_env)) = seen.get(&name) {
        let whose = if first_env == env {
            format!("`{env}` creates the {what} `{name}` twice")
        } else {
            format!("`{first_env}` and `{env}` would both create the {what} `{name}`")
        };
        diagnostics.push(
            Diagnostic::new(Code::DuplicateResourceName, span, whose)
                .with_label(format!("creates `{name}` again"))
                .with_secondary(*first_span, format!("`{name}` is first created here"))
                .with_help(format!(
                    "{what} names are global: rename the environment or the zone"
                )),
        );
    } else {
        seen.insert(name, (span, env.to_string()));
    }
}

/// Why S3 would reject a bucket name, if it would.
pub fn s3_bucket_problem(name: &str) -> Option<String> {
    let length = name.len();
    if !(3..=63).contains(&length) {
        return Some(format!(
            "a bucket name is 3 to 63 characters, and this is {length}"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Some(format!(
            "`{c}` is not allowed: only lowercase letters, digits, `-` and `.`"
        ));
    }
    let first_last_ok =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return Some("it must start and end with a letter or a digit".into());
    }
    if name.contains("..") {
        return Some("it must not contain `..`".into());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("it must not look like an IP address".into());
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return Some(format!("it must not start with `{prefix}`"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return Some(format!("it must not end with `{suffix}`"));
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
        assert!(s3_bucket_problem(&"a".repeat(64)).unwrap().contains("63"));
        assert!(s3_bucket_problem("ab").is_some());
        assert!(s3_bucket_problem("Abc").is_some());
        assert!(s3_bucket_problem("a..b").is_some());
        assert!(s3_bucket_problem("192.168.1.1").is_some());
        assert!(s3_bucket_problem("xn--abc").is_some());
        assert!(s3_bucket_problem("abc-s3alias").is_some());
        assert!(s3_bucket_problem("-abc").is_some());
    }
}
