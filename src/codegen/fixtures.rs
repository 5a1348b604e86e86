//! The two example lakes (`lang-examples/seed` and `lang-examples/last-mile-health`)
//! as checked models, built by hand with the stdlib's defaults applied, until
//! the front end produces them. Spans are dummies (file 0, offset 0).
//!
//! Keep every hand-built model here, in one place, so it can be replaced by
//! `check(parse(lake.dl))` in one change.

use indexmap::IndexMap;

use crate::model::*;
use crate::source::{FileId, Span};
use crate::syntax::ast::{Duration, DurationUnit};

fn span() -> Span {
    Span::new(FileId(0), 0, 0)
}

fn days(amount: i64) -> Duration {
    Duration {
        amount,
        unit: DurationUnit::Days,
    }
}

fn map(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// `us-east-1` and `us-east-2` with their zones, as in `stdlib/aws.dl`.
pub fn region(name: &str) -> Region {
    let zones: &[&str] = match name {
        "us-east-1" => &[
            "us-east-1a",
            "us-east-1b",
            "us-east-1c",
            "us-east-1d",
            "us-east-1e",
            "us-east-1f",
        ],
        "us-east-2" => &["us-east-2a", "us-east-2b", "us-east-2c"],
        other => panic!("no fixture data for region {other}"),
    };
    Region {
        name: name.to_string(),
        availability_zones: strings(zones),
    }
}

/// A network with the stdlib's defaults: 3 zones, a NAT gateway per zone,
/// gateway endpoints for S3 and DynamoDB, and the five default interface endpoints.
pub fn default_network(cidr: &str) -> Network {
    Network {
        cidr: cidr.parse().expect("fixture CIDR"),
        availability_zones: 3,
        nat_gateways: NatGateways::PerAz,
        gateway_endpoints: strings(&["s3", "dynamodb"]),
        interface_endpoints: strings(&["glue", "kms", "ssm", "secretsmanager", "states"]),
        cidr_span: span(),
        span: span(),
    }
}

/// `audit_table = {}`: default name, partition key `execution_id` (string).
pub fn default_audit_table() -> AuditTable {
    AuditTable {
        name: None,
        partition_key: KeyAttribute {
            name: "execution_id".into(),
            kind: AttributeType::String,
        },
        sort_key: None,
        span: span(),
    }
}

/// `{ expire_after = 60d, noncurrent_expire_after = 30d }` (`std.presets.short_lived`).
pub fn short_lived() -> Lifecycle {
    Lifecycle {
        expire_after: Some(days(60)),
        noncurrent_expire_after: Some(days(30)),
        transitions: vec![],
        span: span(),
    }
}

/// Glacier after 365 days, expire after 2555, old versions after 90
/// (`std.presets.seven_year_archive`).
pub fn seven_year_archive() -> Lifecycle {
    Lifecycle {
        expire_after: Some(days(2555)),
        noncurrent_expire_after: Some(days(90)),
        transitions: vec![Transition {
            storage_class: StorageClass::Glacier,
            after: days(365),
            span: span(),
        }],
        span: span(),
    }
}

fn zones(names: &[&str], lifecycle: &Lifecycle) -> Vec<Zone> {
    names
        .iter()
        .map(|name| Zone {
            name: name.to_string(),
            lifecycle: Some(lifecycle.clone()),
            span: span(),
        })
        .collect()
}

/// `lang-examples/seed/lake.dl`.
pub fn seed() -> Lake {
    let home = region("us-east-2");
    let zone_names = ["raw", "conformed", "purpose-built"];
    let dev = Environment {
        name: "Dev".into(),
        account: "222222222222".into(),
        region: home.clone(),
        network: default_network("10.20.0.0/24"),
        branch: Some("main".into()),
        approval: false,
        retention: Retention::Destroy,
        zones: zones(&zone_names, &short_lived()),
        audit_table: Some(default_audit_table()),
        warehouse: None,
        tags: IndexMap::new(),
        span: span(),
    };
    let test = Environment {
        name: "Test".into(),
        account: "333333333333".into(),
        network: default_network("10.10.0.0/24"),
        branch: Some("test".into()),
        retention: Retention::Retain,
        ..dev.clone()
    };
    let prod = Environment {
        name: "Prod".into(),
        account: "444444444444".into(),
        network: default_network("10.0.0.0/24"),
        branch: Some("prod".into()),
        approval: true,
        zones: zones(&zone_names, &seven_year_archive()),
        ..test.clone()
    };
    Lake {
        name: "DataLake".into(),
        logical_id_prefix: "DataLakeCDKBlog".into(),
        resource_prefix: "cdkblog-e2e".into(),
        deployment_account: "111111111111".into(),
        deployment_region: home,
        source: Source::GitHub {
            repository: "aws-samples/aws-cdk-pipelines-datalake-infrastructure".into(),
            token_secret: "/DataLake/GitHubToken".into(),
            span: span(),
        },
        tags: map(&[
            ("cost-center", "DataLakeCDKBlogInfrastructure"),
            ("team", "DataLakeCDKBlogAdmin"),
            ("application", "DataLakeCDKBlogInfrastructure"),
        ]),
        environments: [dev, test, prod]
            .into_iter()
            .map(|e| (e.name.clone(), e))
            .collect(),
        span: span(),
    }
}

/// `lang-examples/last-mile-health/lake.dl` (with `zones.dl`).
pub fn last_mile_health() -> Lake {
    let region = region("us-east-1");
    let zone_names = ["raw", "staging", "curated"];
    let dev = Environment {
        name: "Dev".into(),
        account: "002190277880".into(),
        region: region.clone(),
        network: default_network("10.20.0.0/24"),
        branch: Some("main".into()),
        approval: false,
        retention: Retention::Destroy,
        zones: zones(&zone_names, &short_lived()),
        audit_table: Some(default_audit_table()),
        warehouse: Some(Warehouse {
            database: "liberia".into(),
            admin_username: "master".into(),
            base_capacity: 8,
            max_capacity: Some(8),
            publicly_accessible: false,
            log_exports: strings(&["useractivitylog", "userlog", "connectionlog"]),
            span: span(),
            publicly_accessible_span: None,
        }),
        tags: IndexMap::new(),
        span: span(),
    };
    let test = Environment {
        name: "Test".into(),
        account: "576140831944".into(),
        network: default_network("10.10.0.0/24"),
        branch: Some("test".into()),
        retention: Retention::Retain,
        ..dev.clone()
    };
    let prod = Environment {
        name: "Prod".into(),
        account: "301323023124".into(),
        network: default_network("10.0.0.0/24"),
        branch: Some("prod".into()),
        approval: true,
        zones: zones(&zone_names, &seven_year_archive()),
        ..test.clone()
    };
    Lake {
        name: "LastMileHealth".into(),
        logical_id_prefix: "LMDCDKDataLake".into(),
        resource_prefix: "lmd-v2".into(),
        deployment_account: "829553079673".into(),
        deployment_region: region,
        source: Source::GitHub {
            repository: "Last-Mile-Health/lmd-aws-cdk-pipelines-datalake-infrastructure".into(),
            token_secret: "/DataLake/GitHubToken".into(),
            span: span(),
        },
        tags: map(&[
            ("cost-center", "LMDCDKDataLakeInfrastructure"),
            ("team", "LMDCDKDataLakeAdmin"),
            ("application", "LMDCDKDataLakeInfrastructure"),
        ]),
        environments: [dev, test, prod]
            .into_iter()
            .map(|e| (e.name.clone(), e))
            .collect(),
        span: span(),
    }
}

/// Both examples, by folder name under `lang-examples/`.
pub fn examples() -> Vec<(&'static str, Lake)> {
    vec![("seed", seed()), ("last-mile-health", last_mile_health())]
}

/// A locator for fixtures: every span is line 1, column 1 of the example's `lake.dl`.
pub fn locate_in(example: &'static str) -> impl Fn(Span) -> (String, usize, usize) {
    move |_span| (format!("lang-examples/{example}/lake.dl"), 1, 1)
}
