//! cfn-lint over every template codegen emits for the example lakes (the
//! environments' stacks, the bootstrap templates and the pipeline stacks): no
//! errors and no warnings. Rules silenced in a template's metadata are listed,
//! with their reasons, in docs/output.md.

mod common;

use std::process::Command;

use common::fixtures;
use dlc::diagnostic::{Code, Diagnostics};
use dlc::model::{AttributeType, KeyAttribute, Lake, NatGateways};

/// last-mile-health with the options the examples leave at their defaults:
/// one NAT gateway in Dev, none in Test, two zones and a /16 in Prod, more
/// interface endpoints, a sort key, a public warehouse, no lifecycle, no
/// warehouse or audit table in Prod.
fn variants() -> Lake {
    let mut lake = fixtures::last_mile_health();
    let dev = lake.environments.get_mut("Dev").unwrap();
    dev.network.nat_gateways = NatGateways::One;
    dev.network.interface_endpoints = ["ecr-api", "ecr-dkr", "logs", "sts", "redshift-data"]
        .map(String::from)
        .to_vec();
    dev.audit_table.as_mut().unwrap().sort_key = Some(KeyAttribute {
        name: "started_at".into(),
        kind: AttributeType::Number,
    });
    dev.warehouse.as_mut().unwrap().publicly_accessible = true;
    dev.warehouse.as_mut().unwrap().max_capacity = None;
    let test = lake.environments.get_mut("Test").unwrap();
    test.network.nat_gateways = NatGateways::None;
    test.network.gateway_endpoints = vec!["s3".into()];
    test.zones.iter_mut().for_each(|z| z.lifecycle = None);
    let prod = lake.environments.get_mut("Prod").unwrap();
    prod.network.availability_zones = 2;
    prod.network.cidr = "10.0.0.0/16".parse().unwrap();
    prod.audit_table = None;
    prod.warehouse = None; // it needs three zones
    lake
}

#[test]
fn every_template_passes_cfn_lint() {
    let mut failures = Vec::new();
    for (example, lake) in fixtures::examples().into_iter().chain([
        ("variants", variants()),
        ("seed-token", common::seed_with_token()),
        ("seed-codecommit", common::seed_with_codecommit()),
        ("seed-prod-elsewhere", common::seed_with_prod_elsewhere()),
    ]) {
        failures.extend(lint(example, &lake));
    }
    assert!(
        failures.is_empty(),
        "cfn-lint findings:\n{}",
        failures.join("\n")
    );
}

/// The seed lake with tags at AWS's limits: a key of 128 characters once
/// written under the resource prefix, a value of 256 in several scripts and
/// every allowed symbol, and 48 tags of the lake's and Dev's together, which
/// dlc's own `environment` and `Name` (or `pipeline`) bring to 50.
fn tags_at_the_limits() -> Lake {
    let mut lake = fixtures::seed();
    let room = dlc::checks::tags::MAX_KEY_CHARS - lake.resource_prefix.len() - 1;
    let symbols = "Données ünd 数据 _.:/=+-@ 0123456789 ";
    let value: String = symbols.chars().cycle().take(256).collect();
    lake.tags.insert("k".repeat(room), value);
    let dev = lake.environments.get_mut("Dev").unwrap();
    // A key of the lake's, set again: one tag, not two.
    dev.tags.insert("team".into(), "DataLakeDev".into());
    while lake.tags.len() + dev.tags.len() - 1 < 48 {
        let n = dev.tags.len();
        dev.tags.insert(format!("area{n:02}"), format!("Area {n}"));
    }
    lake
}

fn tag_findings(lake: &Lake) -> Vec<Code> {
    let mut diagnostics = Diagnostics::new();
    dlc::checks::check_lake(lake, &mut diagnostics);
    diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|c| c.as_str().starts_with("DL039"))
        .collect()
}

#[test]
fn tags_at_the_limits_check_clean_and_pass_cfn_lint_and_one_more_does_not() {
    let lake = tags_at_the_limits();
    assert_eq!(tag_findings(&lake), []);
    let failures = lint("seed", &lake);
    assert!(
        failures.is_empty(),
        "cfn-lint findings:\n{}",
        failures.join("\n")
    );

    let mut one_more = lake.clone();
    let dev = one_more.environments.get_mut("Dev").unwrap();
    dev.tags.insert("one-more".into(), "x".into());
    assert_eq!(tag_findings(&one_more), [Code::TooManyTags]);

    let mut longer_key = lake.clone();
    let key = longer_key
        .tags
        .keys()
        .find(|k| k.starts_with("kkk"))
        .unwrap()
        .clone();
    let value = longer_key.tags.shift_remove(&key).unwrap();
    longer_key.tags.insert(format!("{key}k"), value);
    assert_eq!(tag_findings(&longer_key), [Code::InvalidTagKey]);

    let mut longer_value = lake;
    longer_value.tags.values_mut().for_each(|v| {
        if v.chars().count() == 256 {
            v.push('v');
        }
    });
    assert_eq!(tag_findings(&longer_value), [Code::InvalidTagValue]);
}

/// cfn-lint's findings on every template of `lake`, one entry per region
/// that has any.
fn lint(example: &'static str, lake: &Lake) -> Vec<String> {
    let cfn_lint = common::cfn_lint();
    let mut failures = Vec::new();
    // The variants are examples edited in memory: their spans still apply.
    let locate = fixtures::locate_in(match example {
        "variants" => "last-mile-health",
        "seed-token" | "seed-codecommit" | "seed-prod-elsewhere" => "seed",
        other => other,
    });
    let output = dlc::codegen::compile(lake, None, &locate).expect("compiles");
    let dir = common::scratch_dir(&format!("cfn-lint/{example}"));
    common::write(&output, &dir);
    // Lint the templates of each region together, against that region.
    let mut by_region: indexmap::IndexMap<&str, Vec<std::path::PathBuf>> =
        indexmap::IndexMap::new();
    let manifest = &output.manifest;
    let templates = manifest
        .stacks
        .iter()
        .map(|s| (&s.region, &s.template))
        .chain(manifest.bootstrap.iter().map(|s| (&s.region, &s.template)))
        .chain(
            manifest
                .pipelines
                .iter()
                .map(|p| (&p.stack.region, &p.stack.template)),
        );
    for (region, template) in templates {
        by_region
            .entry(region.as_str())
            .or_default()
            .push(dir.join(template));
    }
    for (region, templates) in by_region {
        let out = Command::new(&cfn_lint)
            .args(["--format", "parseable", "--regions", region, "--"])
            .args(&templates)
            .output()
            .expect("cfn-lint runs");
        let findings = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Exit status bits: 2 errors, 4 warnings, 8 informational; 1 a crash.
        let code = out.status.code().unwrap_or(1);
        if code & 0b111 != 0 || !stderr.trim().is_empty() {
            failures.push(format!("{example} (exit {code}):\n{findings}{stderr}"));
        }
    }
    failures
}
