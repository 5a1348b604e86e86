//! cfn-lint over every template codegen emits for the example lakes (the
//! environments' stacks, the bootstrap templates and the pipeline stacks): no
//! errors and no warnings. Rules silenced in a template's metadata are listed,
//! with their reasons, in docs/output.md.

mod common;

use std::process::Command;

use dlc::codegen::fixtures;
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
    let version = Command::new("cfn-lint").arg("--version").output();
    match version {
        Ok(out) if out.status.success() => {}
        _ => panic!("cfn-lint is not installed: run `pip install cfn-lint` (CI installs it)"),
    }

    let mut failures = Vec::new();
    for (example, lake) in fixtures::examples().into_iter().chain([
        ("variants", variants()),
        ("seed-token", common::seed_with_token()),
        ("seed-codecommit", common::seed_with_codecommit()),
        ("seed-prod-elsewhere", common::seed_with_prod_elsewhere()),
    ]) {
        // The variants are examples edited in memory: their spans still apply.
        let locate = fixtures::locate_in(match example {
            "variants" => "last-mile-health",
            "seed-token" | "seed-codecommit" | "seed-prod-elsewhere" => "seed",
            other => other,
        });
        let output = dlc::codegen::compile(&lake, None, &locate).expect("compiles");
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
            let out = Command::new("cfn-lint")
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
    }
    assert!(
        failures.is_empty(),
        "cfn-lint findings:\n{}",
        failures.join("\n")
    );
}
