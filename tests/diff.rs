//! `dlc diff`: one case per kind of change (human, markdown and JSON
//! snapshots, exit status), the seed lake's two scenarios of issue 18,
//! `--base` through a temporary git repository, and the replacement table's
//! coverage of every resource type and property dlc writes.

mod random_lake;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn dlc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlc"))
        .current_dir(dir)
        .args(args)
        .env_remove("DLC_ALLOW_DESTRUCTIVE")
        .output()
        .expect("dlc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// A one-environment lake; each case changes one thing in it.
const SMALL: &str = r#"lake Shop {
    logical_id_prefix = "Shop"
    resource_prefix = "shop"
    deployment_account = "111111111111"
    deployment_region = us-east-1
    source = CodeCommit { repository = "shop-lake" }
}

env Dev {
    account = "222222222222"
    region = us-east-1
    network = { cidr = 10.1.0.0/24 }
    branch = "main"
    retention = destroy
    execution_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    zones = [{ name = "raw" }, { name = "curated" }]
    lifecycle = { expire_after = 90d }
}
"#;

const NEW_ENVIRONMENT: &str = r#"
env Test {
    account = "333333333333"
    region = us-east-1
    network = { cidr = 10.2.0.0/24 }
    branch = "test"
    retention = retain
    approval = true
    execution_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    zones = [{ name = "raw" }]
}
"#;

fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is in the lake");
    text.replacen(from, to, 1)
}

/// (case, OLD, NEW, expected exit status)
fn cases() -> Vec<(&'static str, String, String, i32)> {
    let retained = replaced(SMALL, "retention = destroy", "retention = retain");
    vec![
        (
            "new_environment",
            SMALL.to_string(),
            format!("{SMALL}{NEW_ENVIRONMENT}"),
            4,
        ),
        (
            "removed_environment",
            format!("{SMALL}{NEW_ENVIRONMENT}"),
            SMALL.to_string(),
            4,
        ),
        (
            "removed_zone",
            SMALL.to_string(),
            replaced(SMALL, r#", { name = "curated" }"#, ""),
            5,
        ),
        (
            "changed_vpc_range",
            SMALL.to_string(),
            replaced(SMALL, "10.1.0.0/24", "10.3.0.0/24"),
            4,
        ),
        (
            "resource_prefix_under_destroy",
            SMALL.to_string(),
            replaced(SMALL, r#""shop""#, r#""store""#),
            5,
        ),
        (
            "resource_prefix_under_retain",
            retained.clone(),
            replaced(&retained, r#""shop""#, r#""store""#),
            5,
        ),
        (
            "changed_lifecycle",
            SMALL.to_string(),
            replaced(SMALL, "expire_after = 90d", "expire_after = 120d"),
            4,
        ),
        (
            "added_approval",
            SMALL.to_string(),
            replaced(
                SMALL,
                r#"branch = "main""#,
                "branch = \"main\"\n    approval = true",
            ),
            4,
        ),
        (
            "changed_branch",
            SMALL.to_string(),
            replaced(SMALL, r#"branch = "main""#, r#"branch = "release""#),
            4,
        ),
    ]
}

fn write_pair(old: &str, new: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("old.dl"), old).unwrap();
    std::fs::write(dir.path().join("lake.dl"), new).unwrap();
    dir
}

#[test]
fn each_kind_of_change_in_every_format() {
    for (case, old, new, status) in cases() {
        let dir = write_pair(&old, &new);
        for format in ["human", "markdown", "json"] {
            let output = dlc(
                dir.path(),
                &[
                    "diff", "old.dl", "lake.dl", "--format", format, "--color", "never",
                ],
            );
            assert_eq!(
                output.status.code(),
                Some(status),
                "{case} ({format}): {}",
                String::from_utf8_lossy(&output.stderr)
            );
            insta::assert_snapshot!(format!("{case}.{format}"), stdout(&output));
        }
    }
}

#[test]
fn a_lake_against_itself_is_no_change_and_exits_0() {
    let dir = write_pair(SMALL, SMALL);
    let output = dlc(dir.path(), &["diff", "old.dl", "lake.dl"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "no changes: deploying the new lake changes nothing\n"
    );
}

#[test]
fn destructive_changes_are_acknowledged_by_flag_or_environment() {
    let new = replaced(SMALL, r#""shop""#, r#""store""#);
    let dir = write_pair(SMALL, &new);
    let run = |args: &[&str], allow: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dlc"));
        command.current_dir(dir.path()).args(args);
        match allow {
            Some(v) => command.env("DLC_ALLOW_DESTRUCTIVE", v),
            None => command.env_remove("DLC_ALLOW_DESTRUCTIVE"),
        };
        command.output().expect("dlc runs").status.code()
    };
    let diff = ["diff", "old.dl", "lake.dl", "--format", "json"];
    assert_eq!(run(&diff, None), Some(5));
    assert_eq!(
        run(&[&diff[..], &["--allow-destructive"]].concat(), None),
        Some(4)
    );
    assert_eq!(run(&diff, Some("1")), Some(4));
    assert_eq!(run(&diff, Some("0")), Some(5));
    let hook = [&diff[..], &["--fail-on", "destructive"]].concat();
    assert_eq!(run(&hook, None), Some(5));
    assert_eq!(run(&hook, Some("1")), Some(0));
    // Changes that destroy nothing do not fail the hook.
    let lifecycle = replaced(SMALL, "expire_after = 90d", "expire_after = 120d");
    std::fs::write(dir.path().join("lake.dl"), lifecycle).unwrap();
    assert_eq!(run(&hook, None), Some(0));
}

#[test]
fn a_lake_with_errors_is_reported_as_by_check_and_exits_1() {
    let dir = write_pair(SMALL, &replaced(SMALL, "10.1.0.0/24", "10.1.0.0/33"));
    let output = dlc(
        dir.path(),
        &["diff", "old.dl", "lake.dl", "--color", "never"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("lake.dl:12"),
        "{}",
        stdout(&output)
    );
}

fn seed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl");
    std::fs::read_to_string(path).expect("the seed lake")
}

fn json_diff(old: &str, new: &str) -> (Option<i32>, Value) {
    let dir = write_pair(old, new);
    let output = dlc(
        dir.path(),
        &["diff", "old.dl", "lake.dl", "--format", "json"],
    );
    let report = serde_json::from_slice(&output.stdout).expect("a JSON report");
    (output.status.code(), report)
}

/// (environment, stack, logical ID, type, action, fate, cause field, cause line)
fn entries(report: &Value) -> Vec<[String; 8]> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    for environment in report["environments"].as_array().unwrap() {
        for e in environment["entries"].as_array().unwrap() {
            out.push([
                text(&environment["name"]),
                text(&e["stack"]),
                text(&e["resource"]["logical_id"]),
                text(&e["resource"]["type"]),
                text(&e["action"]),
                text(&e["consequence"]["fate"]),
                text(&e["cause"]["field"]),
                e["cause"]["at"]["line"].to_string(),
            ]);
        }
    }
    out
}

#[test]
fn seed_a_new_resource_prefix_replaces_every_bucket_pointing_at_the_prefix_line() {
    let seed = seed();
    let prefix_line = seed
        .lines()
        .position(|l| l.contains("resource_prefix ="))
        .unwrap()
        + 1;
    let new = replaced(&seed, r#""cdkblog-e2e""#, r#""cdkblog-e3e""#);
    let (status, report) = json_diff(&seed, &new);
    assert_eq!(status, Some(5));
    assert_eq!(report["outcome"], "destructive");
    let all = entries(&report);
    let storage_buckets: Vec<&[String; 8]> = all
        .iter()
        .filter(|e| e[1].ends_with("Storage") && e[3] == "AWS::S3::Bucket")
        .collect();
    // Three zones and the access-log bucket in each of three environments.
    assert_eq!(storage_buckets.len(), 12, "{all:#?}");
    for e in &storage_buckets {
        let fate = if e[0] == "Dev" { "deleted" } else { "orphaned" };
        assert_eq!(e[4], "replace", "{e:?}");
        assert_eq!(e[5], fate, "{e:?}");
        assert_eq!(e[6], "resource_prefix", "{e:?}");
        assert_eq!(e[7], prefix_line.to_string(), "{e:?}");
    }
    for environment in ["Dev", "Test", "Prod"] {
        assert!(storage_buckets.iter().any(|e| e[0] == environment));
    }
    // Every bucket anywhere is replaced and said to lose or orphan its data.
    for e in all.iter().filter(|e| e[3] == "AWS::S3::Bucket") {
        assert_eq!(e[4], "replace", "{e:?}");
        assert!(!e[5].is_empty(), "{e:?}");
    }
}

#[test]
fn seed_a_new_prod_lifecycle_updates_prods_buckets_in_place_only() {
    let seed = seed();
    let new = replaced(&seed, "expire_after = 2555d", "expire_after = 3000d");
    let (status, report) = json_diff(&seed, &new);
    assert_eq!(status, Some(4));
    let all = entries(&report);
    let ids: BTreeSet<&str> = all.iter().map(|e| e[2].as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from(["ConformedBucket", "PurposeBuiltBucket", "RawBucket"])
    );
    for e in &all {
        assert_eq!(
            (&e[0][..], &e[1][..], &e[4][..], &e[6][..]),
            (
                "Prod",
                "ProdDataLakeCDKBlogStorage",
                "update",
                "Prod.lifecycle.expire_after"
            )
        );
    }
}

/// One edit of two fields: each entry points at the field that explains it,
/// replacements that follow a replaced resource included.
#[test]
fn seed_a_new_prefix_and_a_new_prod_range_are_told_apart() {
    let seed = seed();
    let new = replaced(&seed, r#""cdkblog-e2e""#, r#""cdkblog-e3e""#);
    let new = replaced(&new, "10.0.0.0/24", "10.0.8.0/24");
    let (status, report) = json_diff(&seed, &new);
    assert_eq!(status, Some(5));
    let prod: Vec<[String; 8]> = entries(&report)
        .into_iter()
        .filter(|e| e[0] == "Prod" && e[4] == "replace")
        .collect();
    let network: Vec<&[String; 8]> = prod.iter().filter(|e| e[1].ends_with("Network")).collect();
    assert!(network.len() > 20, "{prod:#?}");
    for e in network {
        assert_eq!(e[6], "Prod.network.cidr", "{e:?}");
    }
    let storage: Vec<&[String; 8]> = prod.iter().filter(|e| e[1].ends_with("Storage")).collect();
    assert!(
        storage.iter().any(|e| e[2] == "RawBucketPolicy"),
        "{prod:#?}"
    );
    for e in storage {
        assert_eq!(e[6], "resource_prefix", "{e:?}");
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=dlc", "-c", "user.email=dlc@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// The small lake with its zones in an imported file, committed twice: the
/// second commit drops a zone in the imported file.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("temp dir");
    let dir = repo.path();
    std::fs::create_dir(dir.join("infra")).unwrap();
    let lake = replaced(
        SMALL,
        r#"zones = [{ name = "raw" }, { name = "curated" }]"#,
        "zones = shop_zones",
    );
    let lake = format!("import \"zones.dl\"\n\n{lake}");
    std::fs::write(dir.join("infra/lake.dl"), lake).unwrap();
    let zones = "let shop_zones: [Zone] = [{ name = \"raw\" }, { name = \"curated\" }]\n";
    std::fs::write(dir.join("infra/zones.dl"), zones).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "lake"]);
    let fewer = "let shop_zones: [Zone] = [{ name = \"raw\" }]\n";
    std::fs::write(dir.join("infra/zones.dl"), fewer).unwrap();
    git(dir, &["commit", "-q", "-am", "one zone"]);
    repo
}

#[test]
fn base_reads_the_lake_and_its_imports_as_committed() {
    let repo = repository();
    let dir = repo.path();
    // The working tree is the second commit: nothing changed since HEAD.
    let head = dlc(dir, &["diff", "--base", "HEAD", "infra/lake.dl"]);
    assert_eq!(head.status.code(), Some(0), "{}", stdout(&head));
    // Against the first commit, the imported file's zone is gone.
    let first = dlc(
        dir,
        &[
            "diff",
            "--base",
            "HEAD~1",
            "infra/lake.dl",
            "--format",
            "json",
        ],
    );
    assert_eq!(first.status.code(), Some(5), "{}", stdout(&first));
    let report: Value = serde_json::from_slice(&first.stdout).unwrap();
    let removed: Vec<[String; 8]> = entries(&report)
        .into_iter()
        .filter(|e| e[4] == "remove")
        .collect();
    assert!(
        removed
            .iter()
            .any(|e| e[2] == "CuratedBucket" && e[5] == "deleted"),
        "{removed:#?}"
    );
    // From a folder inside the repository, too.
    let inside = dlc(&dir.join("infra"), &["diff", "--base", "HEAD~1", "lake.dl"]);
    assert_eq!(inside.status.code(), Some(5), "{}", stdout(&inside));
}

#[test]
fn base_says_when_the_errors_are_in_the_committed_lake() {
    let repo = repository();
    let dir = repo.path();
    let lake = std::fs::read_to_string(dir.join("infra/lake.dl")).unwrap();
    std::fs::write(
        dir.join("infra/lake.dl"),
        replaced(&lake, "10.1.0.0/24", "10.1.0.0/33"),
    )
    .unwrap();
    git(dir, &["commit", "-q", "-am", "a bad range"]);
    std::fs::write(dir.join("infra/lake.dl"), lake).unwrap();
    let output = dlc(
        dir,
        &[
            "diff",
            "--base",
            "HEAD",
            "infra/lake.dl",
            "--color",
            "never",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.starts_with("the lake as committed at HEAD:\n") && text.contains("DL0"),
        "{text}"
    );
}

#[test]
fn base_explains_a_missing_ref_a_missing_file_and_a_folder_outside_git() {
    let repo = repository();
    let dir = repo.path();
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();
    let unknown = dlc(dir, &["diff", "--base", "no-such-ref", "infra/lake.dl"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("`no-such-ref` is not a commit"),
        "{}",
        stderr(&unknown)
    );
    let option = dlc(dir, &["diff", "--base=--output=x", "infra/lake.dl"]);
    assert_eq!(option.status.code(), Some(2));
    assert!(
        stderr(&option).contains("`--output=x` is not a commit"),
        "{}",
        stderr(&option)
    );
    std::fs::write(dir.join("infra/new.dl"), SMALL).unwrap();
    let uncommitted = dlc(dir, &["diff", "--base", "HEAD", "infra/new.dl"]);
    assert_eq!(uncommitted.status.code(), Some(2));
    assert!(
        stderr(&uncommitted).contains("is not in the commit `HEAD`"),
        "{}",
        stderr(&uncommitted)
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("lake.dl"), SMALL).unwrap();
    let no_repo = dlc(outside.path(), &["diff", "--base", "HEAD", "lake.dl"]);
    assert_eq!(no_repo.status.code(), Some(2));
    assert!(
        stderr(&no_repo).contains("is not in a git repository"),
        "{}",
        stderr(&no_repo)
    );
}

/// Every resource type and top-level property in `templates`, by type.
fn written(templates: impl Iterator<Item = String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for text in templates {
        let template: Value = serde_json::from_str(&text).expect("JSON");
        for resource in template["Resources"].as_object().unwrap().values() {
            let kind = resource["Type"].as_str().unwrap().to_string();
            let properties = found.entry(kind).or_default();
            if let Some(map) = resource["Properties"].as_object() {
                properties.extend(map.keys().cloned());
            }
        }
    }
    found
}

fn compiled_templates(checked: &dlc::driver::Checked) -> Vec<String> {
    let Some(lake) = &checked.model else {
        return Vec::new();
    };
    let locate = dlc::codegen::locate_in(&checked.sources);
    dlc::codegen::compile(lake, None, &locate)
        .expect("a clean lake compiles")
        .files
        .into_iter()
        .filter(|f| f.path.ends_with(".template.json"))
        .map(|f| f.contents)
        .collect()
}

#[test]
fn the_replacement_table_covers_every_type_and_property_dlc_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples");
    let mut lakes: Vec<PathBuf> = vec![
        root.join("seed/lake.dl"),
        root.join("last-mile-health/lake.dl"),
    ];
    let mut templates = Vec::new();
    for path in lakes.drain(..) {
        let text = std::fs::read_to_string(&path).unwrap();
        let checked = dlc::driver::check_source(
            &path.to_string_lossy(),
            &path,
            text,
            &mut dlc::host::FsLoader,
        );
        templates.extend(compiled_templates(&checked));
    }
    for seed in 0..40 {
        let lake = random_lake::lake(&mut random_lake::SplitMix(seed));
        templates.extend(compiled_templates(&lake.check_in_memory()));
    }
    let table = dlc::diff::replacement::table();
    let mut missing = Vec::new();
    for (kind, properties) in written(templates.into_iter()) {
        let Some(entry) = table.types.get(&kind) else {
            missing.push(format!("type {kind}"));
            continue;
        };
        for property in properties {
            if !entry.properties.contains(&property) {
                missing.push(format!("{kind}.{property}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in src/diff/replacement-table.json (add the type to scripts/replacement-table.py and rerun it): {missing:?}"
    );
}

/// `dlc diff` checks CloudFormation's quotas on the templates it compiles to
/// compare, not in its checks: a lake over one is reported as `dlc check`
/// reports it, whether the other side is clean, over a quota too, or has
/// errors of its own (and so is not compiled).
#[test]
fn a_lake_over_a_quota_is_reported_as_by_check() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/checks");
    let over = "too-many-resources.dl";
    let checked = stdout(&dlc(&cases, &["check", over, "--color", "never"]));
    assert!(checked.contains("DL0397"), "{checked}");
    let seed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl");
    let seed_path = seed_path.to_str().unwrap();
    let clean = dlc(&cases, &["diff", seed_path, over, "--color", "never"]);
    assert_eq!(clean.status.code(), Some(1));
    assert_eq!(stdout(&clean), checked);
    let both = dlc(&cases, &["diff", over, over, "--color", "never"]);
    assert_eq!(both.status.code(), Some(1));
    assert_eq!(stdout(&both), format!("{checked}{checked}"));
    let dir = write_pair(SMALL, &replaced(SMALL, "10.1.0.0/24", "10.1.0.0/33"));
    let broken = dir.path().join("lake.dl");
    let broken = broken.to_str().unwrap();
    let errors = dlc(&cases, &["diff", over, broken, "--color", "never"]);
    assert_eq!(errors.status.code(), Some(1));
    let printed = stdout(&errors);
    assert!(printed.starts_with(&checked), "{printed}");
    assert!(printed.contains("DL0003"), "{printed}");
}
