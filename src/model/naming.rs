//! Names and sizes derived from the model, shared by the checks (which
//! validate them) and codegen (which emits them), so that both agree.

use super::{Environment, Lake};

/// The public and the private tier.
pub const SUBNET_TIERS: u32 = 2;

/// The smallest subnet AWS allows.
pub const SMALLEST_SUBNET_PREFIX: u8 = 28;

/// `<env>-<resource_prefix>-<account>-<region>-<suffix>`, as the reference
/// names its buckets (`dev-lmd-v2-002190277880-us-east-1-raw`).
pub fn bucket_name(lake: &Lake, env: &Environment, suffix: &str) -> String {
    format!(
        "{}-{}-{}-{}-{suffix}",
        env.name.to_lowercase(),
        lake.resource_prefix,
        env.account,
        env.region.name
    )
}

/// The suffix of the access-logs bucket.
pub const ACCESS_LOGS_SUFFIX: &str = "access-logs";

/// The suffix of a pipeline's artifact bucket.
pub const PIPELINE_BUCKET_SUFFIX: &str = "pipeline";

/// A pipeline's artifact bucket, in the deployment account and region:
/// `<env>-<resource_prefix>-<deployment account>-<deployment region>-pipeline`.
pub fn pipeline_bucket_name(lake: &Lake, env: &Environment) -> String {
    format!(
        "{}-{}-{}-{}-{PIPELINE_BUCKET_SUFFIX}",
        env.name.to_lowercase(),
        lake.resource_prefix,
        lake.deployment_account,
        lake.deployment_region.name
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
        let base = format!("{}-{}", env.name.to_lowercase(), lake.resource_prefix);
        PipelineNames {
            pipeline: format!("{base}-pipeline"),
            pipeline_role: format!("{base}-pipeline"),
            build_project: format!("{base}-pipeline-build"),
            build_role: format!("{base}-pipeline-build"),
            events_role: format!("{base}-pipeline-events"),
            trigger_rule: format!("{base}-pipeline-trigger"),
            webhook: format!("{base}-pipeline-webhook"),
            bucket: pipeline_bucket_name(lake, env),
            key_alias: format!("alias/{base}-pipeline"),
            update_role: format!("{base}-update-pipeline"),
            deploy_role: format!("{base}-deploy"),
            execution_role: format!("{base}-cfn-exec"),
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
    format!("{}{}BucketName", env.name, pascal_case(zone))
}

/// Every export name an environment's stacks create.
pub fn export_names(env: &Environment) -> Vec<String> {
    let e = &env.name;
    let mut names = vec![format!("{e}VpcId")];
    for i in 1..=env.network.availability_zones {
        names.push(format!("{e}AvailabilityZone{i}"));
        names.push(format!("{e}SubnetId{i}"));
        names.push(format!("{e}RouteTable{i}"));
    }
    names.push(format!("{e}SharedSecurityGroupId"));
    names.push(format!("{e}S3KmsKeyArn"));
    names.push(format!("{e}S3AccessLogBucket"));
    names.extend(env.zones.iter().map(|z| zone_bucket_export(env, &z.name)));
    names
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
