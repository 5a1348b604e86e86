//! Codegen on variations of the example lakes: options the examples do not
//! use, the errors codegen reports, and spans in the manifest.

use serde_json::Value;

use super::{compile, fixtures, Output};
use crate::model::{AttributeType, KeyAttribute, Lake, NatGateways};
use crate::source::{FileId, Span};

/// Maps a span to ("lake.dl", start, end): distinct spans stay distinct.
fn locate(span: Span) -> (std::sync::Arc<str>, usize, usize) {
    ("lake.dl".into(), span.start as usize, span.end as usize)
}

fn build(lake: &Lake) -> Output {
    compile(lake, None, &locate).expect("compiles")
}

fn template(output: &Output, path: &str) -> Value {
    serde_json::from_str(&output.file(path).expect(path).contents).unwrap()
}

fn of_type<'a>(t: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

fn dev(lake: &mut Lake) -> &mut crate::model::Environment {
    lake.environments.get_mut("Dev").unwrap()
}

#[test]
fn one_nat_gateway_serves_every_private_subnet() {
    let mut lake = fixtures::seed();
    dev(&mut lake).network.nat_gateways = NatGateways::One;
    let t = template(&build(&lake), "Dev/Network.template.json");
    assert_eq!(of_type(&t, "AWS::EC2::NatGateway").len(), 1);
    assert_eq!(of_type(&t, "AWS::EC2::EIP").len(), 1);
    for n in 1..=3 {
        assert_eq!(
            t["Resources"][format!("PrivateDefaultRoute{n}")]["Properties"]["NatGatewayId"]["Ref"],
            "NatGateway1"
        );
    }
}

#[test]
fn without_nat_private_subnets_have_no_default_route() {
    let mut lake = fixtures::seed();
    dev(&mut lake).network.nat_gateways = NatGateways::None;
    let t = template(&build(&lake), "Dev/Network.template.json");
    assert!(of_type(&t, "AWS::EC2::NatGateway").is_empty());
    assert!(of_type(&t, "AWS::EC2::EIP").is_empty());
    // Only the public route to the internet gateway is left.
    assert_eq!(of_type(&t, "AWS::EC2::Route").len(), 1);
    // The subnets are the same whatever the NAT: changing it replaces no subnet.
    assert_eq!(of_type(&t, "AWS::EC2::Subnet").len(), 6);
}

#[test]
fn two_zones_and_a_larger_cidr() {
    let mut lake = fixtures::seed();
    let env = dev(&mut lake);
    env.network.availability_zones = 2;
    env.network.cidr = "10.1.0.0/16".parse().unwrap();
    env.network.interface_endpoints = vec!["ecr-dkr".into()];
    let output = build(&lake);
    let t = template(&output, "Dev/Network.template.json");
    let cidrs: Vec<&str> = of_type(&t, "AWS::EC2::Subnet")
        .iter()
        .map(|(_, r)| r["Properties"]["CidrBlock"].as_str().unwrap())
        .collect();
    assert_eq!(
        cidrs,
        [
            "10.1.0.0/18",
            "10.1.64.0/18",
            "10.1.128.0/18",
            "10.1.192.0/18"
        ]
    );
    assert_eq!(
        t["Resources"]["EcrDkrEndpoint"]["Properties"]["ServiceName"]["Fn::Sub"],
        "com.amazonaws.${AWS::Region}.ecr.dkr"
    );
    let exports = &output
        .manifest
        .stack("DevDataLakeCDKBlogNetwork")
        .unwrap()
        .exports;
    assert_eq!(exports.len(), 1 + 2 * 3 + 1);
}

#[test]
fn environment_tags_join_the_lakes() {
    let mut lake = fixtures::seed();
    dev(&mut lake).tags = [
        ("team".to_string(), "Platform".to_string()),
        ("tier".into(), "dev".into()),
    ]
    .into_iter()
    .collect();
    let t = template(&build(&lake), "Dev/Storage.template.json");
    let tags = &t["Resources"]["RawBucket"]["Properties"]["Tags"];
    let pairs: Vec<(&str, &str)> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("cdkblog-e2e:cost-center", "DataLakeCDKBlogInfrastructure"),
            ("cdkblog-e2e:team", "Platform"),
            ("cdkblog-e2e:application", "DataLakeCDKBlogInfrastructure"),
            ("cdkblog-e2e:tier", "dev"),
            ("cdkblog-e2e:environment", "Dev"),
        ]
    );
}

#[test]
fn audit_table_with_a_name_and_a_sort_key() {
    let mut lake = fixtures::seed();
    let table = dev(&mut lake).audit_table.as_mut().unwrap();
    table.name = Some("etl_runs".into());
    table.sort_key = Some(KeyAttribute {
        name: "started_at".into(),
        kind: AttributeType::Number,
    });
    let t = template(&build(&lake), "Dev/Storage.template.json");
    let props = &t["Resources"]["AuditTable"]["Properties"];
    assert_eq!(props["TableName"], "etl_runs");
    assert_eq!(props["KeySchema"][1]["KeyType"], "RANGE");
    assert_eq!(props["AttributeDefinitions"][1]["AttributeType"], "N");
    assert_eq!(props["DeletionProtectionEnabled"], false);
}

#[test]
fn without_an_audit_table_or_lifecycle() {
    let mut lake = fixtures::seed();
    let env = dev(&mut lake);
    env.audit_table = None;
    env.zones.iter_mut().for_each(|z| z.lifecycle = None);
    let t = template(&build(&lake), "Dev/Storage.template.json");
    assert!(t["Resources"].get("AuditTable").is_none());
    let rules = &t["Resources"]["RawBucket"]["Properties"]["LifecycleConfiguration"]["Rules"];
    assert_eq!(rules.as_array().unwrap().len(), 1);
    assert_eq!(rules[0]["Id"], "AbortIncompleteMultipartUploads");
}

#[test]
fn a_public_warehouse_is_public_and_says_where_from() {
    let mut lake = fixtures::last_mile_health();
    let warehouse = dev(&mut lake).warehouse.as_mut().unwrap();
    warehouse.publicly_accessible = true;
    warehouse.publicly_accessible_span = Some(Span::new(FileId(0), 40, 66));
    let output = build(&lake);
    let t = template(&output, "Dev/Warehouse.template.json");
    assert_eq!(
        t["Resources"]["WarehouseWorkgroup"]["Properties"]["PubliclyAccessible"],
        true
    );
    let stack = output.manifest.stack("DevLMDCDKDataLakeWarehouse").unwrap();
    let place = &stack.resources["WarehouseWorkgroup"].properties["PubliclyAccessible"];
    assert_eq!((place.line, place.column), (40, 66));
}

#[test]
fn the_manifest_points_at_each_resources_span() {
    let mut lake = fixtures::seed();
    let env = dev(&mut lake);
    env.network.span = Span::new(FileId(0), 10, 20);
    env.network.cidr_span = Span::new(FileId(0), 12, 14);
    env.zones[0].span = Span::new(FileId(0), 30, 40);
    env.span = Span::new(FileId(0), 5, 90);
    let output = compile(&lake, Some("Dev"), &locate).unwrap();
    let network = output.manifest.stack("DevDataLakeCDKBlogNetwork").unwrap();
    assert_eq!(network.resources["Vpc"].source.line, 10);
    assert_eq!(network.resources["Vpc"].properties["CidrBlock"].line, 12);
    assert_eq!(network.resources["PrivateSubnet3"].source.line, 10);
    let storage = output.manifest.stack("DevDataLakeCDKBlogStorage").unwrap();
    assert_eq!(storage.resources["RawBucket"].source.line, 30);
    assert_eq!(storage.resources["RawBucketPolicy"].source.line, 30);
    assert_eq!(storage.resources["KmsKey"].source.line, 5);
    assert_eq!(output.manifest.deploy_order.len(), 2);
}

#[test]
fn the_flow_logs_bucket_is_deployed_before_the_network_that_logs_into_it() {
    let output = build(&fixtures::seed());
    let network = template(&output, "Dev/Network.template.json");
    let flow_log = &network["Resources"]["VpcFlowLog"]["Properties"];
    assert_eq!(flow_log["ResourceId"]["Ref"], "Vpc");
    assert_eq!(flow_log["TrafficType"], "ALL");
    assert_eq!(
        flow_log["LogDestination"]["Fn::Sub"][1]["Bucket"]["Fn::ImportValue"],
        "DevS3AccessLogBucket"
    );
    let storage = template(&output, "Dev/Storage.template.json");
    let sids: Vec<&Value> = storage["Resources"]["AccessLogsBucketPolicy"]["Properties"]
        ["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["Sid"])
        .collect();
    assert!(
        sids.contains(&&Value::from("AWSLogDeliveryWrite")),
        "{sids:?}"
    );
    assert!(
        sids.contains(&&Value::from("AWSLogDeliveryAclCheck")),
        "{sids:?}"
    );
    // The pipeline executes Storage's change set before it prepares Network's,
    // though Network comes first among the environment's stacks.
    let declaration = template(&output, "pipelines/Dev.pipeline.json");
    let deploy = declaration["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|stage| stage["name"] == "Deploy")
        .unwrap();
    let run_order = |name: &str| {
        deploy["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|action| action["name"] == name)
            .unwrap_or_else(|| panic!("no action {name}"))["runOrder"]
            .as_u64()
            .unwrap()
    };
    assert!(run_order("Storage.Execute") < run_order("Network.Prepare"));
}

/// The VPC's default security group keeps the rules AWS gives it (no
/// CloudFormation resource can remove them; docs/output.md): nothing may
/// land in it, so every resource that takes security groups names the shared one.
#[test]
fn nothing_uses_the_vpcs_default_security_group() {
    fn walk<'a>(value: &'a Value, found: &mut Vec<&'a Value>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if key == "SecurityGroupIds" {
                        found.push(inner);
                    }
                    walk(inner, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    for lake in [fixtures::seed(), fixtures::last_mile_health()] {
        let output = build(&lake);
        let mut groups = 0;
        for file in output.files.iter().filter(|f| f.path.ends_with(".json")) {
            assert!(
                !file.contents.contains("DefaultSecurityGroup"),
                "{} refers to a VPC's default security group",
                file.path
            );
            let t: Value = serde_json::from_str(&file.contents).unwrap();
            let mut found = Vec::new();
            walk(&t, &mut found);
            for ids in found {
                let ids = ids.as_array().expect("a list of security groups");
                assert!(!ids.is_empty(), "{}: no security group", file.path);
                for id in ids {
                    let shared = id["Fn::GetAtt"][0] == "SharedSecurityGroup"
                        || id["Fn::ImportValue"]
                            .as_str()
                            .is_some_and(|e| e.ends_with("SharedSecurityGroupId"));
                    assert!(
                        shared,
                        "{}: {id} is not the shared security group",
                        file.path
                    );
                    groups += 1;
                }
            }
        }
        assert!(groups > 0, "the examples use the shared security group");
    }
}

#[test]
fn errors_point_at_the_lake_and_do_not_stop_at_the_first() {
    let mut lake = fixtures::seed();
    let env = dev(&mut lake);
    env.network.cidr = "10.0.0.0/27".parse().unwrap();
    env.network.cidr_span = Span::new(FileId(0), 1, 2);
    env.zones[0].name = "a-zone-name-long-enough-to-overflow".into();
    env.zones[0].span = Span::new(FileId(0), 3, 4);
    let test = lake.environments.get_mut("Test").unwrap();
    test.network.availability_zones = 4;
    test.network.span = Span::new(FileId(0), 5, 6);
    let errors = compile(&lake, None, &locate).unwrap_err();
    let found: Vec<(u32, &str)> = errors
        .iter()
        .map(|e| (e.span.start, e.message.as_str()))
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].1.contains("10.0.0.0/27 is too small"), "{found:?}");
    assert!(found[1].1.contains("at most 63"), "{found:?}");
    assert_eq!(found[2], (5, "us-east-2 has 3 availability zones, not 4"));
}

#[test]
fn zones_that_would_share_a_logical_id_are_an_error() {
    let mut lake = fixtures::seed();
    let env = dev(&mut lake);
    env.zones[1].name = "raw".into();
    let errors = compile(&lake, None, &locate).unwrap_err();
    assert_eq!(
        errors[0].message,
        "two resources would get the logical ID `RawBucket`"
    );
}

#[test]
fn a_warehouse_needs_three_zones() {
    let mut lake = fixtures::last_mile_health();
    dev(&mut lake).network.availability_zones = 2;
    let errors = compile(&lake, Some("Dev"), &locate).unwrap_err();
    assert_eq!(
        errors[0].message,
        "a Redshift Serverless workgroup needs subnets in at least 3 availability zones; \
         the Dev network spans 2"
    );
}

/// `Template::render` writes templates by hand, for speed: what it writes
/// must be canonical pretty JSON, the bytes serde_json prints for the same
/// value, on every stack of both examples.
#[test]
fn templates_render_as_canonical_pretty_json() {
    for (name, lake) in fixtures::examples() {
        let environments: Vec<&crate::model::Environment> = lake.environments.values().collect();
        let mut stacks = Vec::new();
        for env in &environments {
            stacks.extend(super::environment_stacks(&lake, env).expect("compiles"));
        }
        let setup = super::setup_stacks(&lake, &environments, &stacks).expect("compiles");
        let templates = stacks
            .iter()
            .map(|s| (&s.path, &s.template))
            .chain(setup.iter().map(|s| (&s.path, &s.template)));
        let mut compared = 0;
        for (path, template) in templates {
            let text = template.render();
            let value: Value = serde_json::from_str(&text).expect("JSON");
            let canonical = serde_json::to_string_pretty(&value).unwrap() + "\n";
            assert!(
                text == canonical,
                "{name}: {path} is not canonical pretty JSON"
            );
            compared += 1;
        }
        assert!(compared >= 12, "{name}: every stack was compared");
    }
}
