//! The last-mile-health example against what the CDK app synthesizes today
//! (`tests/fixtures/cdk-reference`, see its README): the same bucket
//! names, export names, subnets, lifecycle rules and bucket-policy statements,
//! so that existing ETL stacks and runbooks keep working. CDK-only parts (the
//! BucketDeployment, bootstrap parameters) are ignored.
//!
//! Where dlc's default is deliberately better, the check says so: a policy
//! statement of ours must *cover* the reference's (same Sid and effect, at
//! least its actions and resources, no extra conditions), not equal it.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use common::fixtures;

fn reference_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cdk-reference");
    assert!(
        dir.join("Dev/Vpc.template.json").is_file(),
        "the CDK reference templates are missing from {}: they are committed with the \
         repository (restore them with `git checkout -- tests/fixtures/cdk-reference`); \
         its README.md says how they were produced",
        dir.display()
    );
    dir
}

fn load(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Env {
    name: &'static str,
    reference_vpc: Value,
    reference_zones: Value,
    reference_namespace: Value,
    reference_workgroup: Value,
    network: Value,
    storage: Value,
    warehouse: Value,
}

fn environments() -> Vec<Env> {
    let output = common::compile("last-mile-health", &fixtures::last_mile_health());
    let ours = |path: &str| -> Value {
        serde_json::from_str(&output.file(path).expect(path).contents).unwrap()
    };
    let dir = reference_dir();
    ["Dev", "Test", "Prod"]
        .into_iter()
        .map(|name| Env {
            name,
            reference_vpc: load(dir.join(name).join("Vpc.template.json")),
            reference_zones: load(dir.join(name).join("S3BucketZones.template.json")),
            reference_namespace: load(
                dir.join(name)
                    .join("RedshiftServerlessNamespace.template.json"),
            ),
            reference_workgroup: load(
                dir.join(name)
                    .join("RedshiftServerlessWorkgroup.template.json"),
            ),
            network: ours(&format!("{name}/Network.template.json")),
            storage: ours(&format!("{name}/Storage.template.json")),
            warehouse: ours(&format!("{name}/Warehouse.template.json")),
        })
        .collect()
}

/// (logical ID, resource) of every resource of `kind`.
fn resources<'a>(template: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.as_str(), r))
        .collect()
}

fn exports(template: &Value) -> BTreeSet<String> {
    template["Outputs"]
        .as_object()
        .map(|o| {
            o.values()
                .map(|out| out["Export"]["Name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn bucket_names(template: &Value) -> BTreeSet<String> {
    resources(template, "AWS::S3::Bucket")
        .into_iter()
        .map(|(_, r)| r["Properties"]["BucketName"].as_str().unwrap().to_string())
        .collect()
}

/// The bucket with this name, and its logical ID.
fn bucket<'a>(template: &'a Value, name: &str) -> (&'a str, &'a Value) {
    resources(template, "AWS::S3::Bucket")
        .into_iter()
        .find(|(_, r)| r["Properties"]["BucketName"] == name)
        .unwrap_or_else(|| panic!("no bucket {name}"))
}

/// The statements of the policy of the bucket with this logical ID.
fn policy_statements<'a>(template: &'a Value, bucket_id: &str) -> &'a Vec<Value> {
    resources(template, "AWS::S3::BucketPolicy")
        .into_iter()
        .find(|(_, r)| r["Properties"]["Bucket"]["Ref"] == bucket_id)
        .unwrap_or_else(|| panic!("no policy for {bucket_id}"))
        .1["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
}

fn as_set(value: &Value) -> BTreeSet<String> {
    match value {
        Value::Array(items) => items.iter().flat_map(as_set).collect(),
        Value::String(s) => [s.clone()].into(),
        other => [other.to_string()].into(),
    }
}

/// The value with `"true"` and `"false"` as booleans: IAM's `Bool` condition
/// reads both spellings alike.
fn booleans(value: &Value) -> Value {
    match value {
        Value::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), booleans(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(booleans).collect()),
        other => other.clone(),
    }
}

/// A statement resource as `bucket` or `objects`, whatever the intrinsic.
fn resource_kinds(value: &Value) -> BTreeSet<&'static str> {
    match value {
        Value::Array(items) => items.iter().flat_map(resource_kinds).collect(),
        Value::Object(o) if o.contains_key("Fn::GetAtt") => ["bucket"].into(),
        Value::Object(o) if o.contains_key("Fn::Sub") => {
            assert!(o["Fn::Sub"].as_str().unwrap().ends_with(".Arn}/*"));
            ["objects"].into()
        }
        Value::Object(o) if o.contains_key("Fn::Join") => {
            let parts = &o["Fn::Join"][1];
            assert_eq!(parts[1], "/*", "{value}");
            ["objects"].into()
        }
        other => panic!("unexpected policy resource {other}"),
    }
}

fn actions_cover(ours: &BTreeSet<String>, theirs: &BTreeSet<String>) -> bool {
    theirs
        .iter()
        .all(|a| ours.contains(a) || ours.contains("s3:*"))
}

#[test]
fn bucket_names_are_the_references() {
    for env in environments() {
        assert_eq!(
            bucket_names(&env.storage),
            bucket_names(&env.reference_zones),
            "{}",
            env.name
        );
    }
}

#[test]
fn export_names_are_the_references() {
    for env in environments() {
        // The network exports are exactly the reference's 11.
        assert_eq!(
            exports(&env.network),
            exports(&env.reference_vpc),
            "{}",
            env.name
        );
        assert_eq!(exports(&env.network).len(), 11);
        // The storage stack exports the reference's 5, and the audit table.
        let ours = exports(&env.storage);
        let theirs = exports(&env.reference_zones);
        assert_eq!(theirs.len(), 5);
        let extra: Vec<&String> = ours.difference(&theirs).collect();
        assert!(theirs.is_subset(&ours), "{}: {ours:?}", env.name);
        assert_eq!(
            extra,
            [
                &format!("{}AuditTableArn", env.name),
                &format!("{}AuditTableName", env.name)
            ]
        );
    }
}

#[test]
fn subnets_and_zones_are_the_references() {
    let subnets = |t: &Value| -> BTreeSet<(String, String)> {
        resources(t, "AWS::EC2::Subnet")
            .into_iter()
            .map(|(_, r)| {
                let p = &r["Properties"];
                (
                    p["CidrBlock"].as_str().unwrap().to_string(),
                    p["AvailabilityZone"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for env in environments() {
        assert_eq!(
            subnets(&env.network),
            subnets(&env.reference_vpc),
            "{}",
            env.name
        );
        let output_value = |t: &Value, export: &str| -> Value {
            t["Outputs"]
                .as_object()
                .unwrap()
                .values()
                .find(|o| o["Export"]["Name"] == export)
                .unwrap()["Value"]
                .clone()
        };
        for n in 1..=3 {
            let export = format!("{}AvailabilityZone{n}", env.name);
            assert_eq!(
                output_value(&env.network, &export),
                output_value(&env.reference_vpc, &export)
            );
        }
    }
}

#[test]
fn lifecycle_rules_are_the_references() {
    for env in environments() {
        for (_, theirs) in resources(&env.reference_zones, "AWS::S3::Bucket") {
            let name = theirs["Properties"]["BucketName"].as_str().unwrap();
            let (_, ours) = bucket(&env.storage, name);
            let Some(their_rules) =
                theirs["Properties"]["LifecycleConfiguration"]["Rules"].as_array()
            else {
                // The access-logs bucket: no rules in the reference; ours
                // keeps every current log as the reference does, and only
                // expires old versions and abandoned uploads.
                let rules = ours["Properties"]["LifecycleConfiguration"]["Rules"].as_array();
                for rule in rules.into_iter().flatten() {
                    assert!(rule.get("ExpirationInDays").is_none(), "{name}: {rule}");
                    assert!(rule.get("Transitions").is_none(), "{name}: {rule}");
                }
                continue;
            };
            let our_rules = ours["Properties"]["LifecycleConfiguration"]["Rules"]
                .as_array()
                .unwrap();
            // The lake's rule is the reference's, with an Id; the one other
            // rule is our default that aborts unfinished multipart uploads.
            assert_eq!(their_rules.len(), 1, "{name}");
            assert_eq!(our_rules.len(), 2, "{name}");
            let mut lake_rule = our_rules[0].clone();
            lake_rule.as_object_mut().unwrap().remove("Id");
            assert_eq!(lake_rule, their_rules[0], "{}: {name}", env.name);
            assert_eq!(our_rules[1]["Id"], "AbortIncompleteMultipartUploads");
        }
    }
}

#[test]
fn policy_statements_cover_the_references() {
    for env in environments() {
        let retained = env.name != "Dev";
        for (their_id, theirs) in resources(&env.reference_zones, "AWS::S3::Bucket") {
            let name = theirs["Properties"]["BucketName"].as_str().unwrap();
            if name.ends_with("-access-logs") {
                continue; // the reference's logs bucket has no policy
            }
            let (our_id, _) = bucket(&env.storage, name);
            let their_statements = policy_statements(&env.reference_zones, their_id);
            let our_statements = policy_statements(&env.storage, our_id);
            let sids = |s: &Vec<Value>| -> Vec<String> {
                s.iter()
                    .map(|st| st["Sid"].as_str().unwrap().to_string())
                    .collect()
            };
            assert_eq!(
                sids(our_statements),
                sids(their_statements),
                "{}: {name}",
                env.name
            );
            let expected: &[&str] = if retained {
                &["OnlyAllowSecureTransport", "BlockUserDeletionOfBucket"]
            } else {
                &["OnlyAllowSecureTransport"]
            };
            assert_eq!(sids(their_statements), expected);

            for (ours, theirs) in our_statements.iter().zip(their_statements) {
                let what = format!("{}: {name}: {}", env.name, theirs["Sid"]);
                assert_eq!(ours["Effect"], theirs["Effect"], "{what}");
                assert_eq!(ours["Effect"], "Deny", "{what}");
                assert_eq!(ours["Principal"], theirs["Principal"], "{what}");
                assert!(
                    actions_cover(&as_set(&ours["Action"]), &as_set(&theirs["Action"])),
                    "{what}: our actions {} do not cover {}",
                    ours["Action"],
                    theirs["Action"]
                );
                assert!(
                    resource_kinds(&ours["Resource"])
                        .is_superset(&resource_kinds(&theirs["Resource"])),
                    "{what}: our resources {} do not cover {}",
                    ours["Resource"],
                    theirs["Resource"]
                );
                // A deny with the same or fewer conditions denies at least as much.
                let our_conditions = ours.get("Condition").cloned().unwrap_or(Value::Null);
                match &our_conditions {
                    Value::Null => {}
                    c => assert_eq!(booleans(c), booleans(&theirs["Condition"]), "{what}"),
                }
            }
        }
    }
}

#[test]
fn key_alias_and_warehouse_names_are_the_references() {
    for env in environments() {
        let alias =
            |t: &Value| resources(t, "AWS::KMS::Alias")[0].1["Properties"]["AliasName"].clone();
        assert_eq!(alias(&env.storage), alias(&env.reference_zones));

        let (_, their_ns) = resources(
            &env.reference_namespace,
            "AWS::RedshiftServerless::Namespace",
        )[0];
        let (_, our_ns) = resources(&env.warehouse, "AWS::RedshiftServerless::Namespace")[0];
        for key in ["NamespaceName", "DbName", "AdminUsername"] {
            assert_eq!(
                our_ns["Properties"][key], their_ns["Properties"][key],
                "{key}"
            );
        }
        // The reference keeps a generated password in a secret; ours lets Redshift manage it.
        assert!(our_ns["Properties"].get("AdminUserPassword").is_none());
        assert_eq!(our_ns["Properties"]["ManageAdminPassword"], true);

        let (_, their_wg) = resources(
            &env.reference_workgroup,
            "AWS::RedshiftServerless::Workgroup",
        )[0];
        let (_, our_wg) = resources(&env.warehouse, "AWS::RedshiftServerless::Workgroup")[0];
        for key in ["WorkgroupName", "BaseCapacity", "MaxCapacity"] {
            assert_eq!(
                our_wg["Properties"][key], their_wg["Properties"][key],
                "{key}"
            );
        }
        // The reference's workgroup is public; the lake keeps it private.
        assert_eq!(their_wg["Properties"]["PubliclyAccessible"], true);
        assert_eq!(our_wg["Properties"]["PubliclyAccessible"], false);
    }
}
