//! cfn-guard with AWS Control Tower's proactive controls (the Guard rules AWS
//! publishes in `@cdklabs/cdk-validator-cfnguard`, pinned in
//! tests/guard/package-lock.json) over every template of both examples: no
//! failed rule but the ones in `SUPPRESSED`, each with its reason and the
//! resources it may fail on. docs/output.md lists them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use common::fixtures;

const INSTALL: &str = "bash tests/run-all.sh once (it runs `npm ci --prefix tests/guard`)";

/// (rule, the logical IDs it may fail on, why it does).
const SUPPRESSED: &[(&str, &[&str], &str)] = &[
    (
        "s3_bucket_logging_enabled_check",
        &["AccessLogsBucket", "ArtifactLogsBucket"],
        "these are the buckets the others log their access to; logging their own would take \
         another log bucket, and that one another (checkov's CKV_AWS_18, skipped the same way)",
    ),
    (
        "s3_bucket_default_encryption_kms_check",
        &["AccessLogsBucket", "ArtifactLogsBucket"],
        "S3 server access logging delivers only to a bucket encrypted with SSE-S3, not SSE-KMS; \
         every other bucket uses the environment's or the pipeline's KMS key",
    ),
    (
        "s3_bucket_object_lock_enabled_check",
        &["*Bucket"],
        "Object Lock would make an environment with retention = destroy impossible to delete; \
         retained environments keep their buckets through versioning, DeletionPolicy Retain and \
         a bucket policy that denies s3:DeleteBucket",
    ),
    (
        "s3_event_notifications_enabled_check",
        &["*Bucket"],
        "nothing in the lake consumes bucket events; notifications need a target, which the \
         ETL stacks that read the zones bring",
    ),
    (
        "s3_bucket_policy_ssl_requests_only_check",
        &["*BucketPolicy"],
        "every bucket policy denies requests without TLS; the rule compares the condition with \
         the string \"false\", the templates write the boolean false, which IAM reads the same",
    ),
    (
        "kms_create_grant_aws_service_check",
        &["*Key"],
        "the key policy's KeyAdministration statement gives the key's own account kms:Create* \
         among the administrative actions, as AWS's default key policy does, so that IAM \
         policies of that account decide who administers the key; no other account gets it",
    ),
];

/// The cfn-guard binary and the rules folder that tests/guard's package ships.
fn guard() -> (PathBuf, PathBuf) {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guard/node_modules/@cdklabs/cdk-validator-cfnguard");
    let arch = match std::env::consts::ARCH {
        "aarch64" => "aarch64",
        _ => "x86_64",
    };
    let os = if cfg!(target_os = "macos") {
        "macos"
    } else {
        "ubuntu"
    };
    let binary = package.join("bin").join(os).join(arch).join("cfn-guard");
    match Command::new(&binary).arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "cfn-guard is not installed at {}: run `{INSTALL}`",
            binary.display()
        ),
    }
    (binary, package.join("rules/control-tower/cfn-guard"))
}

/// Every logical ID a failure's report names in a path (`/Resources/<Id>/...`).
fn resources_in(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(text) => {
            if let Some(rest) = text.strip_prefix("/Resources/") {
                out.insert(rest.split('/').next().unwrap_or(rest).to_string());
            }
        }
        Value::Array(items) => items.iter().for_each(|item| resources_in(item, out)),
        Value::Object(map) => map.values().for_each(|item| resources_in(item, out)),
        _ => {}
    }
}

fn matches(pattern: &str, logical_id: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => logical_id.ends_with(suffix),
        None => pattern == logical_id,
    }
}

#[test]
fn every_template_passes_the_control_tower_guard_rules() {
    let (binary, rules) = guard();
    let mut unexpected = Vec::new();
    // Per suppressed rule, the example of each resource it spared.
    let mut used: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (example, lake) in fixtures::examples() {
        let dir = common::scratch_dir(&format!("guard/{example}"));
        common::write(&common::compile(example, &lake), &dir);
        std::fs::remove_file(dir.join("manifest.json")).expect("the manifest is written");
        let out = Command::new(&binary)
            .arg("validate")
            .arg("--rules")
            .arg(&rules)
            .arg("--data")
            .arg(&dir)
            .args(["--output-format", "json", "--show-summary", "none"])
            .output()
            .expect("cfn-guard runs");
        // One JSON report per data file and rules file, one after another.
        let reports: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| {
                panic!(
                    "{example}: cfn-guard's report is not JSON ({e}):\n{}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
        assert!(!reports.is_empty(), "{example}: cfn-guard reported nothing");
        let mut failures = 0;
        for report in &reports {
            let file = report["name"].as_str().unwrap_or("?");
            let file = file.strip_prefix(dir.to_str().unwrap()).unwrap_or(file);
            for failure in report["not_compliant"].as_array().into_iter().flatten() {
                let rule = failure["Rule"]["name"].as_str().unwrap_or("?");
                let mut ids = BTreeSet::new();
                resources_in(failure, &mut ids);
                for id in &ids {
                    failures += 1;
                    match SUPPRESSED.iter().find(|(r, patterns, _)| {
                        *r == rule && patterns.iter().any(|p| matches(p, id))
                    }) {
                        Some((r, _, _)) => used.entry(r).or_default().push(example),
                        None => unexpected.push(format!("{example}: {rule} on {id} in {file}")),
                    }
                }
                if ids.is_empty() {
                    unexpected.push(format!("{example}: {rule} in {file} (no resource named)"));
                }
            }
        }
        println!(
            "{example}: {} rule files x templates evaluated, {failures} resources failed a rule",
            reports.len()
        );
    }
    for (rule, examples) in &used {
        let count = |name: &str| examples.iter().filter(|e| **e == name).count();
        println!(
            "suppressed {rule}: seed {}, last-mile-health {}",
            count("seed"),
            count("last-mile-health")
        );
    }
    assert!(
        unexpected.is_empty(),
        "cfn-guard (Control Tower rules):\n{}",
        unexpected.join("\n")
    );
    // A suppression nothing needs any more goes, so the list stays true.
    let unused: Vec<&str> = SUPPRESSED
        .iter()
        .map(|(rule, _, _)| *rule)
        .filter(|rule| !used.contains_key(rule))
        .collect();
    assert!(
        unused.is_empty(),
        "suppressions no longer needed: {unused:?}"
    );
}
