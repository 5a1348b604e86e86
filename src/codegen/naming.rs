//! Every name codegen makes up: stacks, template paths, physical resource
//! names, export names and logical IDs. One place, so the rules are easy to
//! read and the manifest, templates and tests agree.

use crate::model::{Environment, Lake};

/// The stacks of one environment, in deploy order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StackKind {
    Network,
    Storage,
    Warehouse,
}

impl StackKind {
    /// Every kind, in deploy order.
    pub const ALL: [StackKind; 3] = [StackKind::Network, StackKind::Storage, StackKind::Warehouse];

    pub fn as_str(self) -> &'static str {
        match self {
            StackKind::Network => "Network",
            StackKind::Storage => "Storage",
            StackKind::Warehouse => "Warehouse",
        }
    }
}

/// The CloudFormation stack name: `<Env><LogicalIdPrefix><Stack>`, e.g.
/// `DevDataLakeCDKBlogNetwork`.
pub fn stack_name(lake: &Lake, env: &Environment, kind: StackKind) -> String {
    format!("{}{}{}", env.name, lake.logical_id_prefix, kind.as_str())
}

/// The template's path relative to the output folder: `Dev/Network.template.json`.
pub fn template_path(env: &Environment, kind: StackKind) -> String {
    format!("{}/{}.template.json", env.name, kind.as_str())
}

/// The pipeline stack of an environment, in the deployment account:
/// `<Env><LogicalIdPrefix>Pipeline`.
pub fn pipeline_stack_name(lake: &Lake, env: &Environment) -> String {
    format!("{}{}Pipeline", env.name, lake.logical_id_prefix)
}

/// The bootstrap stack of an environment, in its account:
/// `<Env><LogicalIdPrefix>Bootstrap`.
pub fn bootstrap_stack_name(lake: &Lake, env: &Environment) -> String {
    format!("{}{}Bootstrap", env.name, lake.logical_id_prefix)
}

/// The bootstrap stack of the deployment account: `<LogicalIdPrefix>Bootstrap`.
pub fn deployment_bootstrap_stack_name(lake: &Lake) -> String {
    format!("{}Bootstrap", lake.logical_id_prefix)
}

/// The stack of a pipeline's artifact store in its environment's region, in
/// the deployment account (only when that region is not the deployment
/// region): `<Env><LogicalIdPrefix>Artifacts`.
pub fn regional_artifacts_stack_name(lake: &Lake, env: &Environment) -> String {
    format!("{}{}Artifacts", env.name, lake.logical_id_prefix)
}

/// `bootstrap/<Env>.artifacts.template.json`: that stack's template.
pub fn regional_artifacts_path(env: &Environment) -> String {
    format!("bootstrap/{}.artifacts.template.json", env.name)
}

/// The artifact bucket of `env`'s pipeline in the environment's region:
/// `<env>-<resource_prefix>-<deployment account>-<env region>-pipeline`. It
/// is shorter than the environment's access-logs bucket name, which the
/// checks hold to S3's limits, and made of the same characters.
pub fn regional_artifact_bucket(lake: &Lake, env: &Environment) -> String {
    format!(
        "{}-{}-{}-{}-pipeline",
        env_lower(env),
        lake.resource_prefix,
        lake.deployment_account,
        env.region.name
    )
}

/// The bucket of an artifact bucket's access logs: its name with `pipelogs`
/// in place of the final `pipeline`, so exactly as long and as valid.
pub fn artifact_logs_bucket(artifact_bucket: &str) -> String {
    match artifact_bucket.strip_suffix("pipeline") {
        Some(base) => format!("{base}pipelogs"),
        None => format!("{artifact_bucket}-logs"),
    }
}

/// `pipelines/<Env>.template.json`: the pipeline stack.
pub fn pipeline_template_path(env: &Environment) -> String {
    format!("pipelines/{}.template.json", env.name)
}

/// `pipelines/<Env>.pipeline.json`: the same pipeline as CodePipeline's declaration.
pub fn pipeline_declaration_path(env: &Environment) -> String {
    format!("pipelines/{}.pipeline.json", env.name)
}

/// `bootstrap/<Env>.template.json`: the roles in the environment's account.
pub fn bootstrap_path(env: &Environment) -> String {
    format!("bootstrap/{}.template.json", env.name)
}

/// `bootstrap/<Lake>.template.json`: the deployment account's part. The lake
/// shares its namespace with the environments, so no environment has its name.
pub fn deployment_bootstrap_path(lake: &Lake) -> String {
    format!("bootstrap/{}.template.json", lake.name)
}

/// The permissions boundary of one pipeline's roles:
/// `<env>-<resource_prefix>-pipeline-boundary`.
pub fn boundary_policy_name(lake: &Lake, env: &Environment) -> String {
    format!(
        "{}-{}-pipeline-boundary",
        env_lower(env),
        lake.resource_prefix
    )
}

pub use crate::model::naming::PipelineNames;

/// The environment's name in lowercase, as it starts physical names: `dev`.
pub fn env_lower(env: &Environment) -> String {
    env.name.to_lowercase()
}

// Bucket names and zone name casing are shared with the checks, which
// validate exactly what codegen emits.
pub use crate::model::naming::{
    bucket_name, pascal_case as pascal, ACCESS_LOGS_SUFFIX as ACCESS_LOGS,
};

/// `alias/<env>-<resource_prefix>-kms-key`, as in the reference.
pub fn kms_alias(lake: &Lake, env: &Environment) -> String {
    format!("alias/{}-{}-kms-key", env_lower(env), lake.resource_prefix)
}

/// The audit table's default name: `<env>-<resource_prefix>-etl-audit`.
pub fn audit_table_name(lake: &Lake, env: &Environment) -> String {
    format!("{}-{}-etl-audit", env_lower(env), lake.resource_prefix)
}

/// The Redshift Serverless namespace and workgroup name: `<env>-<resource_prefix>`.
pub fn warehouse_name(lake: &Lake, env: &Environment) -> String {
    format!("{}-{}", env_lower(env), lake.resource_prefix)
}

/// An export name: `<Env><Name>`, e.g. `DevVpcId`, `DevRawBucketName`.
pub fn export(env: &Environment, name: &str) -> String {
    format!("{}{}", env.name, name)
}

/// The logical ID part for a VPC interface-endpoint service: `secretsmanager`
/// -> `SecretsManager`, `states` -> `StepFunctions`.
pub fn endpoint_id(service: &str) -> String {
    match service {
        "secretsmanager" => "SecretsManager".into(),
        "states" => "StepFunctions".into(),
        "dynamodb" => "DynamoDb".into(),
        other => pascal(other),
    }
}

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
        .map(|(k, v)| (format!("{}:{k}", lake.resource_prefix), v.clone()))
        .collect()
}

/// The tags of every resource of an environment: the lake's, then the
/// environment's (a key in both takes the environment's value), then
/// `<resource_prefix>:environment`, each key written `<resource_prefix>:<key>`.
pub fn tags(lake: &Lake, env: &Environment) -> Vec<(String, String)> {
    let mut out: indexmap::IndexMap<String, String> = indexmap::IndexMap::new();
    for (key, value) in lake.tags.iter().chain(env.tags.iter()) {
        out.insert(format!("{}:{}", lake.resource_prefix, key), value.clone());
    }
    out.insert(
        format!("{}:environment", lake.resource_prefix),
        env.name.clone(),
    );
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
