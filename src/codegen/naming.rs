//! The names codegen uses: the model's physical names (stacks, template
//! paths, resources, exports; see `model::naming`), the service names of VPC
//! endpoints and the tags.

use super::value::Number;
use crate::concat::concat_string;
use crate::model::{Environment, Lake};

// Physical names are the model's, which the checks prove valid and unique:
// codegen emits them and makes up none of its own.
pub use crate::model::naming::{
    artifact_logs_bucket, audit_table_physical_name, bootstrap_path, bootstrap_stack_name,
    boundary_policy_name, bucket_name, deployment_bootstrap_path, deployment_bootstrap_stack_name,
    endpoint_id, export, kms_alias, pascal_case as pascal, pipeline_declaration_path,
    pipeline_stack_name, pipeline_template_path, regional_artifact_bucket, regional_artifacts_path,
    regional_artifacts_stack_name, stack_name, template_path, update_role_id, warehouse_name,
    zone_bucket_id, PipelineNames, StackKind, ACCESS_LOGS_SUFFIX as ACCESS_LOGS,
};

/// The service part of a VPC endpoint's service name: `ecr-api` -> `ecr.api`.
pub fn endpoint_service(service: &str) -> &str {
    match service {
        "ecr-api" => "ecr.api",
        "ecr-dkr" => "ecr.dkr",
        other => other,
    }
}

/// The lake's own tags, each key written `<resource_prefix>:<key>`: the tags
/// of what belongs to no environment (the deployment account's bootstrap).
pub fn lake_tags(lake: &Lake) -> Vec<(String, String)> {
    lake.tags
        .iter()
        .map(|(k, v)| (concat_string!(lake.resource_prefix, ":", k), v.clone()))
        .collect()
}

/// The tags of every resource of an environment: the lake's, then the
/// environment's (a key in both takes the environment's value), then
/// `<resource_prefix>:environment`, each key written `<resource_prefix>:<key>`.
pub fn tags(lake: &Lake, env: &Environment) -> Vec<(String, String)> {
    let mut out: indexmap::IndexMap<String, String> = indexmap::IndexMap::new();
    for (key, value) in lake.tags.iter().chain(env.tags.iter()) {
        out.insert(
            concat_string!(lake.resource_prefix, ":", key),
            value.clone(),
        );
    }
    out.insert(
        concat_string!(lake.resource_prefix, ":environment"),
        env.name.clone(),
    );
    out.into_iter().collect()
}

/// `prefix` and the number `n`: `PublicSubnet1`. A concatenation, not
/// `format!`'s machinery: a network names dozens of resources this way.
pub fn numbered(prefix: &str, n: usize) -> String {
    // usize is at most 64 bits on every target Rust supports.
    [prefix, Number::Unsigned(n as u64).digits(&mut [0; 20])].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_names() {
        assert_eq!(numbered("PublicSubnet", 1), "PublicSubnet1");
        assert_eq!(numbered("RouteTable", 10), "RouteTable10");
        assert_eq!(numbered("", 0), "0");
    }

    #[test]
    fn pascal_case_of_zone_names() {
        assert_eq!(pascal("raw"), "Raw");
        assert_eq!(pascal("purpose-built"), "PurposeBuilt");
        assert_eq!(pascal("ecr-api"), "EcrApi");
        assert_eq!(pascal("zone2"), "Zone2");
    }

    #[test]
    fn endpoint_names() {
        assert_eq!(endpoint_id("secretsmanager"), "SecretsManager");
        assert_eq!(endpoint_id("glue"), "Glue");
        assert_eq!(endpoint_service("ecr-dkr"), "ecr.dkr");
        assert_eq!(endpoint_service("redshift-data"), "redshift-data");
    }
}
