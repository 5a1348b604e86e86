//! Names and sizes derived from the model, shared by the checks (which
//! validate them) and codegen (which emits them), so that both agree. Every
//! physical name dlc gives a resource, stack, export or output file is
//! computed here and nowhere else: codegen emits these names and
//! `checks::names` proves them valid and unique in their AWS scope.

use super::{AuditTable, Environment, Lake};
use crate::concat::concat_string;

/// The public and the private tier.
pub const SUBNET_TIERS: u32 = 2;

/// The smallest subnet AWS allows.
pub const SMALLEST_SUBNET_PREFIX: u8 = 28;

/// `<env>-<resource_prefix>-<account>-<region>-<suffix>`, as the reference
/// names its buckets (`dev-lmd-v2-002190277880-us-east-1-raw`).
pub fn bucket_name(lake: &Lake, env: &Environment, suffix: &str) -> String {
    concat_string!(
        env.name.to_lowercase(),
        "-",
        lake.resource_prefix,
        "-",
        env.account,
        "-",
        env.region.name,
        "-",
        suffix
    )
}

/// The suffix of the access-logs bucket.
pub const ACCESS_LOGS_SUFFIX: &str = "access-logs";

/// The suffix of a pipeline's artifact bucket.
pub const PIPELINE_BUCKET_SUFFIX: &str = "pipeline";

/// A pipeline's artifact bucket, in the deployment account and region:
/// `<env>-<resource_prefix>-<deployment account>-<deployment region>-pipeline`.
pub fn pipeline_bucket_name(lake: &Lake, env: &Environment) -> String {
    concat_string!(
        env.name.to_lowercase(),
        "-",
        lake.resource_prefix,
        "-",
        lake.deployment_account,
        "-",
        lake.deployment_region.name,
        "-",
        PIPELINE_BUCKET_SUFFIX
    )
}

/// The physical names of one environment's pipeline and its bootstrap roles.
/// All start with `<env>-<resource_prefix>-`, like the buckets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineNames {
    /// The CodePipeline pipeline: `<env>-<prefix>-pipeline`.
    pub pipeline: String,
    /// The role CodePipeline acts as: `<env>-<prefix>-pipeline`.
    pub pipeline_role: String,
    /// The CodeBuild project of the build step: `<env>-<prefix>-pipeline-build`.
    pub build_project: String,
    /// The role of that project: `<env>-<prefix>-pipeline-build`.
    pub build_role: String,
    /// The role EventBridge starts the pipeline with (CodeCommit sources):
    /// `<env>-<prefix>-pipeline-events`.
    pub events_role: String,
    /// The EventBridge rule that starts the pipeline (CodeCommit sources).
    pub trigger_rule: String,
    /// The GitHub webhook that starts the pipeline (GitHub token sources).
    pub webhook: String,
    /// The artifact bucket.
    pub bucket: String,
    /// The artifact key's alias: `alias/<env>-<prefix>-pipeline`.
    pub key_alias: String,
    /// In the deployment account: the role CloudFormation updates the
    /// pipeline's own stack with: `<env>-<prefix>-update-pipeline`.
    pub update_role: String,
    /// In the target account: the role the deploy actions act as:
    /// `<env>-<prefix>-deploy`.
    pub deploy_role: String,
    /// In the target account: the role CloudFormation deploys the
    /// environment's stacks with: `<env>-<prefix>-cfn-exec`.
    pub execution_role: String,
}

/// IAM role and EventBridge rule names: at most 64 characters.
pub const MAX_ROLE_NAME: usize = 64;
/// CodePipeline pipeline and webhook names: at most 100 characters.
pub const MAX_PIPELINE_NAME: usize = 100;

impl PipelineNames {
    pub fn new(lake: &Lake, env: &Environment) -> PipelineNames {
        let base = concat_string!(env.name.to_lowercase(), "-", lake.resource_prefix);
        PipelineNames {
            pipeline: concat_string!(base, "-pipeline"),
            pipeline_role: concat_string!(base, "-pipeline"),
            build_project: concat_string!(base, "-pipeline-build"),
            build_role: concat_string!(base, "-pipeline-build"),
            events_role: concat_string!(base, "-pipeline-events"),
            trigger_rule: concat_string!(base, "-pipeline-trigger"),
            webhook: concat_string!(base, "-pipeline-webhook"),
            bucket: pipeline_bucket_name(lake, env),
            key_alias: concat_string!("alias/", base, "-pipeline"),
            update_role: concat_string!(base, "-update-pipeline"),
            deploy_role: concat_string!(base, "-deploy"),
            execution_role: concat_string!(base, "-cfn-exec"),
        }
    }

    /// Every name with a length limit below what a lake can reach, with what
    /// it names and the limit: (name, what, limit).
    pub fn limited(&self) -> Vec<(&str, &'static str, usize)> {
        vec![
            (self.pipeline.as_str(), "pipeline", MAX_PIPELINE_NAME),
            (self.webhook.as_str(), "webhook", MAX_PIPELINE_NAME),
            (self.pipeline_role.as_str(), "IAM role", MAX_ROLE_NAME),
            (self.build_role.as_str(), "IAM role", MAX_ROLE_NAME),
            (self.events_role.as_str(), "IAM role", MAX_ROLE_NAME),
            (self.update_role.as_str(), "IAM role", MAX_ROLE_NAME),
            (self.deploy_role.as_str(), "IAM role", MAX_ROLE_NAME),
            (self.execution_role.as_str(), "IAM role", MAX_ROLE_NAME),
            (
                self.trigger_rule.as_str(),
                "EventBridge rule",
                MAX_ROLE_NAME,
            ),
        ]
    }
}

/// `purpose-built` -> `PurposeBuilt`: a zone's part of logical IDs and export names.
pub fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The export of a zone's bucket name: `DevRawBucketName`.
pub fn zone_bucket_export(env: &Environment, zone: &str) -> String {
    concat_string!(env.name, pascal_case(zone), "BucketName")
}

/// A zone bucket's logical ID in the `Storage` template: `RawBucket`.
pub fn zone_bucket_id(zone: &str) -> String {
    concat_string!(pascal_case(zone), "Bucket")
}

/// Every export name an environment's stacks create.
pub fn export_names(env: &Environment) -> Vec<String> {
    let mut names = vec![export(env, "VpcId")];
    for i in 1..=env.network.availability_zones {
        names.push(export(
            env,
            &concat_string!("AvailabilityZone", i.to_string()),
        ));
        names.push(export(env, &concat_string!("SubnetId", i.to_string())));
        names.push(export(env, &concat_string!("RouteTable", i.to_string())));
    }
    names.push(export(env, "SharedSecurityGroupId"));
    names.push(export(env, "S3KmsKeyArn"));
    names.push(export(env, "S3AccessLogBucket"));
    names.extend(env.zones.iter().map(|z| zone_bucket_export(env, &z.name)));
    if env.audit_table.is_some() {
        names.push(export(env, "AuditTableName"));
        names.push(export(env, "AuditTableArn"));
    }
    if env.warehouse.is_some() {
        names.push(export(env, "WarehouseNamespaceName"));
        names.push(export(env, "WarehouseWorkgroupName"));
        names.push(export(env, "WarehouseRoleArn"));
    }
    names
}

/// An export name: `<Env><Name>`, e.g. `DevVpcId`, `DevRawBucketName`.
pub fn export(env: &Environment, name: &str) -> String {
    concat_string!(env.name, name)
}

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

/// The stacks an environment deploys: a `Warehouse` only with a warehouse.
pub fn stack_kinds(env: &Environment) -> Vec<StackKind> {
    StackKind::ALL
        .into_iter()
        .filter(|kind| *kind != StackKind::Warehouse || env.warehouse.is_some())
        .collect()
}

/// The CloudFormation stack name: `<Env><LogicalIdPrefix><Stack>`, e.g.
/// `DevDataLakeCDKBlogNetwork`.
pub fn stack_name(lake: &Lake, env: &Environment, kind: StackKind) -> String {
    concat_string!(env.name, lake.logical_id_prefix, kind.as_str())
}

/// The template's path relative to the output folder: `Dev/Network.template.json`.
pub fn template_path(env: &Environment, kind: StackKind) -> String {
    concat_string!(env.name, "/", kind.as_str(), ".template.json")
}

/// The pipeline stack of an environment, in the deployment account:
/// `<Env><LogicalIdPrefix>Pipeline`.
pub fn pipeline_stack_name(lake: &Lake, env: &Environment) -> String {
    concat_string!(env.name, lake.logical_id_prefix, "Pipeline")
}

/// The bootstrap stack of an environment, in its account:
/// `<Env><LogicalIdPrefix>Bootstrap`.
pub fn bootstrap_stack_name(lake: &Lake, env: &Environment) -> String {
    concat_string!(env.name, lake.logical_id_prefix, "Bootstrap")
}

/// The bootstrap stack of the deployment account: `<LogicalIdPrefix>Bootstrap`.
pub fn deployment_bootstrap_stack_name(lake: &Lake) -> String {
    concat_string!(lake.logical_id_prefix, "Bootstrap")
}

/// `pipelines/<Env>.template.json`: the pipeline stack.
pub fn pipeline_template_path(env: &Environment) -> String {
    concat_string!("pipelines/", env.name, ".template.json")
}

/// `pipelines/<Env>.pipeline.json`: the same pipeline as CodePipeline's declaration.
pub fn pipeline_declaration_path(env: &Environment) -> String {
    concat_string!("pipelines/", env.name, ".pipeline.json")
}

/// `bootstrap/<Env>.template.json`: the roles in the environment's account.
pub fn bootstrap_path(env: &Environment) -> String {
    concat_string!("bootstrap/", env.name, ".template.json")
}

/// `bootstrap/<Lake>.template.json`: the deployment account's part. The lake
/// shares its namespace with the environments, so no environment has its name.
pub fn deployment_bootstrap_path(lake: &Lake) -> String {
    concat_string!("bootstrap/", lake.name, ".template.json")
}

/// The permissions boundary of every pipeline role: `<resource_prefix>-pipeline-boundary`.
/// The permissions boundary of one pipeline's roles:
/// `<env>-<resource_prefix>-pipeline-boundary`.
pub fn boundary_policy_name(lake: &Lake, env: &Environment) -> String {
    concat_string!(
        env_lower(env),
        "-",
        lake.resource_prefix,
        "-pipeline-boundary"
    )
}

/// The stack of a pipeline's artifact store in its environment's region, in
/// the deployment account (only when that region is not the deployment
/// region): `<Env><LogicalIdPrefix>Artifacts`.
pub fn regional_artifacts_stack_name(lake: &Lake, env: &Environment) -> String {
    concat_string!(env.name, lake.logical_id_prefix, "Artifacts")
}

/// `bootstrap/<Env>.artifacts.template.json`: that stack's template.
pub fn regional_artifacts_path(env: &Environment) -> String {
    concat_string!("bootstrap/", env.name, ".artifacts.template.json")
}

/// The artifact bucket of `env`'s pipeline in the environment's region:
/// `<env>-<resource_prefix>-<deployment account>-<env region>-pipeline`. It
/// is shorter than the environment's access-logs bucket name, which the
/// checks hold to S3's limits, and made of the same characters.
pub fn regional_artifact_bucket(lake: &Lake, env: &Environment) -> String {
    concat_string!(
        env_lower(env),
        "-",
        lake.resource_prefix,
        "-",
        lake.deployment_account,
        "-",
        env.region.name,
        "-",
        PIPELINE_BUCKET_SUFFIX
    )
}

/// The bucket of an artifact bucket's access logs: its name with `pipelogs`
/// in place of the final `pipeline`, so exactly as long and as valid.
pub fn artifact_logs_bucket(artifact_bucket: &str) -> String {
    match artifact_bucket.strip_suffix(PIPELINE_BUCKET_SUFFIX) {
        Some(base) => concat_string!(base, "pipelogs"),
        None => concat_string!(artifact_bucket, "-logs"),
    }
}

/// The environment's name in lowercase, as it starts physical names: `dev`.
pub fn env_lower(env: &Environment) -> String {
    env.name.to_lowercase()
}

/// `alias/<env>-<resource_prefix>-kms-key`, as in the reference.
pub fn kms_alias(lake: &Lake, env: &Environment) -> String {
    concat_string!(
        "alias/",
        env_lower(env),
        "-",
        lake.resource_prefix,
        "-kms-key"
    )
}

/// The audit table's default name: `<env>-<resource_prefix>-etl-audit`.
pub fn audit_table_name(lake: &Lake, env: &Environment) -> String {
    concat_string!(env_lower(env), "-", lake.resource_prefix, "-etl-audit")
}

/// The name the audit table gets: its own `name`, or the default.
pub fn audit_table_physical_name(lake: &Lake, env: &Environment, table: &AuditTable) -> String {
    table
        .name
        .clone()
        .unwrap_or_else(|| audit_table_name(lake, env))
}

/// The Redshift Serverless namespace and workgroup name: `<env>-<resource_prefix>`.
pub fn warehouse_name(lake: &Lake, env: &Environment) -> String {
    concat_string!(env_lower(env), "-", lake.resource_prefix)
}

/// The logical ID of the update role of `env`'s pipeline in the deployment
/// bootstrap, which holds one per pipeline: `DevUpdatePipelineRole`.
pub fn update_role_id(env: &Environment) -> String {
    concat_string!(pascal_case(&env.name), "UpdatePipelineRole")
}

/// The logical ID part for a VPC endpoint's service: `secretsmanager`
/// -> `SecretsManager`, `states` -> `StepFunctions`.
pub fn endpoint_id(service: &str) -> String {
    match service {
        "secretsmanager" => "SecretsManager".into(),
        "states" => "StepFunctions".into(),
        "dynamodb" => "DynamoDb".into(),
        other => pascal_case(other),
    }
}

/// The prefix length of each subnet when a VPC of `vpc_prefix` is split into
/// a public and a private subnet per availability zone: a /24 over 3 zones
/// gives six /27s. `None` when the subnets would be smaller than AWS allows.
pub fn subnet_prefix(vpc_prefix: u8, availability_zones: u32) -> Option<u8> {
    let subnets = availability_zones.max(1) * SUBNET_TIERS;
    let extra_bits = u32::BITS - (subnets - 1).leading_zeros();
    let prefix = u32::from(vpc_prefix) + extra_bits;
    (prefix <= u32::from(SMALLEST_SUBNET_PREFIX)).then_some(prefix as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_are_carved_as_the_reference_does() {
        assert_eq!(subnet_prefix(24, 3), Some(27));
        assert_eq!(subnet_prefix(24, 2), Some(26));
        assert_eq!(subnet_prefix(24, 4), Some(27));
        assert_eq!(subnet_prefix(16, 1), Some(17));
        assert_eq!(subnet_prefix(25, 3), Some(28));
        assert_eq!(subnet_prefix(26, 3), None);
        assert_eq!(subnet_prefix(28, 1), None);
    }

    #[test]
    fn zone_names_become_pascal_case() {
        assert_eq!(pascal_case("purpose-built"), "PurposeBuilt");
        assert_eq!(pascal_case("raw"), "Raw");
    }
}
