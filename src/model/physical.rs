//! The inventory of physical names: every name the lake gives something in
//! AWS (or a file in the output folder), with the scope it must be unique
//! in. The names themselves come from [`naming`]; this module only says
//! where each one lives, so that `checks::names` can prove them unique.

use std::borrow::Cow;
use std::sync::Arc;

use super::naming::{self, PipelineNames, ACCESS_LOGS_SUFFIX};
use super::{AuditTableField, ZoneField};
use super::{Environment, Lake, Source};
use crate::concat::concat_string;
use crate::source::Span;

/// What a name names: names of different kinds never clash, even in one
/// scope (a pipeline and its role may share a name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Bucket,
    IamRole,
    ManagedPolicy,
    Stack,
    Export,
    Pipeline,
    Webhook,
    BuildProject,
    KmsAlias,
    DynamoDbTable,
    RedshiftNamespace,
    RedshiftWorkgroup,
    EventRule,
    OutputFile,
}

impl Kind {
    /// The kind in a sentence: "the IAM role `x`".
    pub fn what(self) -> &'static str {
        match self {
            Kind::Bucket => "bucket",
            Kind::IamRole => "IAM role",
            Kind::ManagedPolicy => "IAM managed policy",
            Kind::Stack => "CloudFormation stack",
            Kind::Export => "export",
            Kind::Pipeline => "pipeline",
            Kind::Webhook => "pipeline webhook",
            Kind::BuildProject => "CodeBuild project",
            Kind::KmsAlias => "KMS alias",
            Kind::DynamoDbTable => "DynamoDB table",
            Kind::RedshiftNamespace => "Redshift Serverless namespace",
            Kind::RedshiftWorkgroup => "Redshift Serverless workgroup",
            Kind::EventRule => "EventBridge rule",
            Kind::OutputFile => "output file",
        }
    }

    /// More than one, in a sentence: "the IAM roles".
    pub fn plural(self) -> String {
        match self {
            Kind::ManagedPolicy => "IAM managed policies".into(),
            Kind::KmsAlias => "KMS aliases".into(),
            other => concat_string!(other.what(), "s"),
        }
    }

    /// IAM does not distinguish names by case, and an output folder may be
    /// on a file system that does not either (macOS, Windows).
    pub fn ignores_case(self) -> bool {
        matches!(self, Kind::IamRole | Kind::ManagedPolicy | Kind::OutputFile)
    }
}

/// Where a name must be unique.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// All of AWS: S3 bucket names.
    Global,
    // Shared: each of an environment's names holds its scope, and a large
    // lake's inventory is held whole while the names are compared.
    /// One account: IAM.
    Account(Arc<str>),
    /// One account and region: most services.
    Region { account: Arc<str>, region: Arc<str> },
    /// The output folder of `dlc compile`.
    OutputFolder,
}

/// What the user renames to change a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NamedBy {
    /// The environment's name (or, for the lake's own names, the lake's).
    Owner,
    /// A zone's name.
    Zone,
    /// The audit table's `name`.
    AuditTable,
}

/// One physical name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhysicalName {
    pub kind: Kind,
    pub scope: Scope,
    pub name: String,
    pub named_by: NamedBy,
    /// Where what chose the name is written.
    pub span: Span,
}

impl PhysicalName {
    /// The name as compared in its scope (borrowed where case counts).
    pub fn key(&self) -> (Kind, &Scope, Cow<'_, str>) {
        let name = if self.kind.ignores_case() {
            Cow::Owned(self.name.to_lowercase())
        } else {
            Cow::Borrowed(self.name.as_str())
        };
        (self.kind, &self.scope, name)
    }
}

/// The names of the lake itself, in the deployment account (only when some
/// environment has a pipeline).
pub fn lake_names(lake: &Lake) -> Vec<PhysicalName> {
    if lake.pipelined().is_empty() {
        return Vec::new();
    }
    let span = lake.span;
    let region = deployment_region(lake);
    let name = |kind, scope: &Scope, name: String| PhysicalName {
        kind,
        scope: scope.clone(),
        name,
        named_by: NamedBy::Owner,
        span,
    };
    vec![
        name(
            Kind::Stack,
            &region,
            naming::deployment_bootstrap_stack_name(lake),
        ),
        name(
            Kind::OutputFile,
            &Scope::OutputFolder,
            naming::deployment_bootstrap_path(lake),
        ),
    ]
}

/// Every physical name `env` creates: in its own account and region, and,
/// when it has a branch, its pipeline's in the deployment account.
pub fn environment_names(lake: &Lake, env: &Environment) -> Vec<PhysicalName> {
    let span = env.span;
    let own_account = Scope::Account(env.account.as_str().into());
    let own_region = Scope::Region {
        account: env.account.as_str().into(),
        region: env.region.name.as_str().into(),
    };
    let mut names = Vec::new();
    let mut add = |kind, scope: &Scope, name: String, named_by, span| {
        names.push(PhysicalName {
            kind,
            scope: scope.clone(),
            name,
            named_by,
            span,
        })
    };

    for zone in &env.zones {
        add(
            Kind::Bucket,
            &Scope::Global,
            naming::bucket_name(lake, env, &zone.name),
            NamedBy::Zone,
            zone.field_spans.get_or(ZoneField::Name, zone.span),
        );
    }
    add(
        Kind::Bucket,
        &Scope::Global,
        naming::bucket_name(lake, env, ACCESS_LOGS_SUFFIX),
        NamedBy::Owner,
        span,
    );
    for kind in naming::stack_kinds(env) {
        let stack = naming::stack_name(lake, env, kind);
        add(Kind::Stack, &own_region, stack, NamedBy::Owner, span);
        let path = naming::template_path(env, kind);
        add(
            Kind::OutputFile,
            &Scope::OutputFolder,
            path,
            NamedBy::Owner,
            span,
        );
    }
    for export in naming::export_names(env) {
        add(Kind::Export, &own_region, export, NamedBy::Owner, span);
    }
    let alias = naming::kms_alias(lake, env);
    add(Kind::KmsAlias, &own_region, alias, NamedBy::Owner, span);
    if let Some(table) = &env.audit_table {
        let (named_by, table_span) = match table.name {
            Some(_) => (
                NamedBy::AuditTable,
                table.field_spans.get_or(AuditTableField::Name, table.span),
            ),
            None => (NamedBy::Owner, span),
        };
        add(
            Kind::DynamoDbTable,
            &own_region,
            naming::audit_table_physical_name(lake, env, table),
            named_by,
            table_span,
        );
    }
    if env.warehouse.is_some() {
        let warehouse = naming::warehouse_name(lake, env);
        add(
            Kind::RedshiftNamespace,
            &own_region,
            warehouse.clone(),
            NamedBy::Owner,
            span,
        );
        add(
            Kind::RedshiftWorkgroup,
            &own_region,
            warehouse,
            NamedBy::Owner,
            span,
        );
    }

    if env.branch.is_none() {
        return names;
    }
    let pipeline = PipelineNames::new(lake, env);
    let deployment_account = Scope::Account(lake.deployment_account.as_str().into());
    let deployment_region = deployment_region(lake);
    let entry = |kind, scope: &Scope, name: &str| (kind, scope.clone(), name.to_string());
    let mut pipeline_names = vec![
        // In the environment's account, from its bootstrap.
        entry(Kind::IamRole, &own_account, &pipeline.deploy_role),
        entry(Kind::IamRole, &own_account, &pipeline.execution_role),
        entry(
            Kind::Stack,
            &own_region,
            &naming::bootstrap_stack_name(lake, env),
        ),
        // In the deployment account, from its bootstrap and the pipeline stack.
        entry(
            Kind::ManagedPolicy,
            &deployment_account,
            &naming::boundary_policy_name(lake, env),
        ),
        entry(Kind::Bucket, &Scope::Global, &pipeline.bucket),
        entry(
            Kind::Bucket,
            &Scope::Global,
            &naming::artifact_logs_bucket(&pipeline.bucket),
        ),
        entry(Kind::IamRole, &deployment_account, &pipeline.pipeline_role),
        entry(Kind::IamRole, &deployment_account, &pipeline.build_role),
        entry(Kind::IamRole, &deployment_account, &pipeline.update_role),
        entry(Kind::Pipeline, &deployment_region, &pipeline.pipeline),
        entry(
            Kind::BuildProject,
            &deployment_region,
            &pipeline.build_project,
        ),
        entry(Kind::KmsAlias, &deployment_region, &pipeline.key_alias),
        entry(
            Kind::Stack,
            &deployment_region,
            &naming::pipeline_stack_name(lake, env),
        ),
    ];
    match lake.source {
        Source::GitHub { .. } => {
            pipeline_names.push(entry(Kind::Webhook, &deployment_region, &pipeline.webhook));
        }
        Source::CodeCommit { .. } => {
            pipeline_names.push(entry(
                Kind::IamRole,
                &deployment_account,
                &pipeline.events_role,
            ));
            pipeline_names.push(entry(
                Kind::EventRule,
                &deployment_region,
                &pipeline.trigger_rule,
            ));
        }
        Source::GitHubConnection { .. } => {}
    }
    // An environment outside the deployment region: its pipeline's artifact
    // store there, in the deployment account.
    if env.region.name != lake.deployment_region.name {
        let regional = Scope::Region {
            account: lake.deployment_account.as_str().into(),
            region: env.region.name.as_str().into(),
        };
        let bucket = naming::regional_artifact_bucket(lake, env);
        pipeline_names.push((
            Kind::Bucket,
            Scope::Global,
            naming::artifact_logs_bucket(&bucket),
        ));
        pipeline_names.push((Kind::Bucket, Scope::Global, bucket));
        pipeline_names.push((
            Kind::Stack,
            regional,
            naming::regional_artifacts_stack_name(lake, env),
        ));
        pipeline_names.push((
            Kind::OutputFile,
            Scope::OutputFolder,
            naming::regional_artifacts_path(env),
        ));
    }
    for path in [
        naming::pipeline_template_path(env),
        naming::pipeline_declaration_path(env),
        naming::bootstrap_path(env),
    ] {
        pipeline_names.push((Kind::OutputFile, Scope::OutputFolder, path));
    }
    for (kind, scope, name) in pipeline_names {
        add(kind, &scope, name, NamedBy::Owner, span);
    }
    names
}

fn deployment_region(lake: &Lake) -> Scope {
    Scope::Region {
        account: lake.deployment_account.as_str().into(),
        region: lake.deployment_region.name.as_str().into(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::codegen::{compile, fixtures};

    /// The physical names a template gives its resources, by property.
    fn emitted(template: &Value) -> Vec<(Kind, String)> {
        let mut names = Vec::new();
        let resources = template["Resources"].as_object().expect("resources");
        for (id, resource) in resources {
            let properties = &resource["Properties"];
            let kind = resource["Type"].as_str().expect("type");
            // The property that names each resource type dlc names.
            let field = match kind {
                "AWS::S3::Bucket" => Some(("BucketName", Kind::Bucket)),
                "AWS::IAM::Role" => Some(("RoleName", Kind::IamRole)),
                "AWS::IAM::ManagedPolicy" => Some(("ManagedPolicyName", Kind::ManagedPolicy)),
                "AWS::KMS::Alias" => Some(("AliasName", Kind::KmsAlias)),
                "AWS::DynamoDB::Table" => Some(("TableName", Kind::DynamoDbTable)),
                "AWS::RedshiftServerless::Namespace" => {
                    Some(("NamespaceName", Kind::RedshiftNamespace))
                }
                "AWS::RedshiftServerless::Workgroup" => {
                    Some(("WorkgroupName", Kind::RedshiftWorkgroup))
                }
                "AWS::CodePipeline::Pipeline" => Some(("Name", Kind::Pipeline)),
                "AWS::CodePipeline::Webhook" => Some(("Name", Kind::Webhook)),
                "AWS::CodeBuild::Project" => Some(("Name", Kind::BuildProject)),
                "AWS::Events::Rule" => Some(("Name", Kind::EventRule)),
                _ => None,
            };
            if let Some((field, kind)) = field {
                if let Some(value) = properties.get(field) {
                    // A name computed in the template (Fn::Sub) would escape
                    // the checks: every name is a plain string.
                    let name = value
                        .as_str()
                        .unwrap_or_else(|| panic!("{id}.{field} is not a plain name: {value}"));
                    names.push((kind, name.to_string()));
                }
            }
        }
        names
    }

    /// Codegen names nothing the inventory does not list, so the checks see
    /// every name a compile emits.
    #[test]
    fn every_name_codegen_emits_is_in_the_inventory() {
        let mut lakes = fixtures::examples();
        // A CodeCommit source adds the trigger rule and its role.
        let mut code_commit = fixtures::seed();
        code_commit.source = Source::CodeCommit {
            repository: "datalake".into(),
            span: code_commit.span,
            field_spans: Default::default(),
        };
        lakes.push(("seed with CodeCommit", code_commit));
        for (example, lake) in lakes {
            let listed: BTreeSet<(Kind, String)> = lake_names(&lake)
                .into_iter()
                .chain(
                    lake.environments
                        .values()
                        .flat_map(|env| environment_names(&lake, env)),
                )
                .map(|n| (n.kind, n.name))
                .collect();
            let locate = |_| (std::sync::Arc::<str>::from("lake.dl"), 0, 0);
            let output = compile(&lake, None, &locate).expect("compiles");
            let mut checked = 0;
            for file in &output.files {
                if file.path == crate::codegen::MANIFEST {
                    continue;
                }
                assert!(
                    listed.contains(&(Kind::OutputFile, file.path.clone())),
                    "{example}: the file {} is not in the inventory",
                    file.path
                );
                if !file.path.ends_with(".template.json") {
                    continue;
                }
                let template: Value = serde_json::from_str(&file.contents).unwrap();
                for (kind, name) in emitted(&template) {
                    assert!(
                        listed.contains(&(kind, name.clone())),
                        "{example}: {} names the {} `{name}`, which the inventory does not list",
                        file.path,
                        kind.what()
                    );
                    checked += 1;
                }
            }
            let manifest = &output.manifest;
            let stacks = manifest.deploy_order.iter().chain(&manifest.setup_order);
            for stack in stacks {
                assert!(
                    listed.contains(&(Kind::Stack, stack.clone())),
                    "{example}: the stack {stack} is not in the inventory"
                );
                checked += 1;
            }
            assert!(checked > 20, "{example}: only {checked} names seen");
        }
    }
}
