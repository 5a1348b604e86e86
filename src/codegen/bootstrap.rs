//! Bootstrap templates: the roles the pipelines act through, deployed once by
//! hand before the pipelines (they replace `cdk bootstrap --trust`).
//!
//! - `bootstrap/<Env>.template.json`, in each environment's account: the
//!   deploy role, which only the environment's pipeline role in the
//!   deployment account may assume and which may only make and run change
//!   sets of the environment's stacks with the execution role; and the
//!   execution role CloudFormation deploys those stacks with, holding the
//!   managed policies the lake names.
//! - `bootstrap/<Lake>.template.json`, in the deployment account: for each
//!   pipeline, the role CloudFormation updates the pipeline's own stack with
//!   (scoped to that pipeline's resources), and the permissions boundary that
//!   pipeline's roles carry, so that no pipeline stack can give a role more
//!   than its own pipeline needs, nor anything of another pipeline.

use super::value::{json, Value};

use super::naming::{self, PipelineNames, StackKind};
use super::pipeline::{self, crosses_regions};
use super::pipeline_template::{
    add_artifact_store, codecommit_arn, connection_permission, regional_store_statements,
    statement, statement_if, ArtifactStore, ConnectionPermission, CODECOMMIT_READ, KEY_USE,
};
use super::template::{account_root, get_att, ref_, sub, tags, Resource, Template};
use super::Error;
use crate::concat::concat_string;
use crate::model::{EnvField, Environment, Lake, Source};

/// `arn:${AWS::Partition}:<rest>`.
fn arn(rest: &str) -> Value {
    sub(concat_string!("arn:${AWS::Partition}:", rest))
}

/// A managed policy's ARN with its partition left to CloudFormation.
fn managed_policy(policy_arn: &str) -> Value {
    match policy_arn.strip_prefix("arn:aws:") {
        Some(rest) => arn(rest),
        // Another partition, written out by the lake: keep it.
        None => json!(policy_arn),
    }
}

/// The bootstrap template of an environment with a branch, for its account.
pub fn target(lake: &Lake, env: &Environment, names: &PipelineNames) -> Result<Template, Error> {
    let span = env.field_spans.get_or(EnvField::Branch, env.span);
    let resource_tags = tags(
        naming::tags(lake, env)
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let deployment = &lake.deployment_account;
    // The deploy actions read the artifacts from the store of their region.
    let (artifact_bucket, artifact_region) = if crosses_regions(lake, env) {
        (
            naming::regional_artifact_bucket(lake, env),
            &env.region.name,
        )
    } else {
        (names.bucket.clone(), &lake.deployment_region.name)
    };
    let mut t = Template::new(concat_string!(
        lake.name,
        " ",
        env.name,
        ": the roles the ",
        env.name,
        " pipeline deploys through, in account ",
        env.account
    ));

    let stacks: Vec<Value> = StackKind::ALL
        .iter()
        .map(|kind| {
            sub(concat_string!(
                "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/",
                naming::stack_name(lake, env, *kind),
                "/*"
            ))
        })
        .collect();
    let execution_role = sub(concat_string!(
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/",
        names.execution_role
    ));
    t.add(
        "DeployRole",
        Resource::new(
            "AWS::IAM::Role",
            span,
            json!({
                "RoleName": &names.deploy_role,
                "Description": concat_string!("The ", env.name, " pipeline in account ", deployment, " makes and runs change sets of ", env.name, "'s stacks through this role"),
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "AWS": account_root(deployment) },
                        "Action": "sts:AssumeRole",
                        // Only the environment's pipeline, not every role of that account.
                        "Condition": {
                            "ArnEquals": {
                                "aws:PrincipalArn": arn(&concat_string!("iam::", deployment, ":role/", names.pipeline_role)),
                            },
                        },
                    }],
                },
                "Policies": [{
                    "PolicyName": "Deploy",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            statement(
                                "ReadStacks",
                                &[
                                    "cloudformation:DescribeStacks",
                                    "cloudformation:DescribeStackEvents",
                                    "cloudformation:DescribeChangeSet",
                                ],
                                json!(stacks.clone()),
                            ),
                            statement_if(
                                "MakeChangeSets",
                                &["cloudformation:CreateChangeSet"],
                                json!(stacks.clone()),
                                json!({ "StringEquals": { "cloudformation:RoleArn": execution_role.clone() } }),
                            ),
                            statement(
                                "RunChangeSets",
                                &["cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet"],
                                json!(stacks),
                            ),
                            // CloudFormation takes no resource for this read-only call.
                            statement("ValidateTemplates", &["cloudformation:ValidateTemplate"], json!("*")),
                            statement_if(
                                "PassExecutionRole",
                                &["iam:PassRole"],
                                execution_role.clone(),
                                json!({ "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }),
                            ),
                            statement(
                                "ReadArtifacts",
                                &["s3:GetObject", "s3:GetObjectVersion"],
                                arn(&concat_string!("s3:::", artifact_bucket, "/*")),
                            ),
                            // The artifact key's ID is not known here; its key
                            // policy names this role, and no other key's does.
                            statement(
                                "DecryptArtifacts",
                                &["kms:Decrypt", "kms:DescribeKey"],
                                arn(&concat_string!("kms:", artifact_region, ":", deployment, ":key/*")),
                            ),
                        ],
                    },
                }],
                "Tags": resource_tags.clone(),
            }),
        ),
    )?;
    t.add(
        "ExecutionRole",
        Resource::new(
            "AWS::IAM::Role",
            env.field_spans.get_or(EnvField::ExecutionPolicies, env.span),
            json!({
                "RoleName": &names.execution_role,
                "Description": concat_string!("CloudFormation deploys ", env.name, "'s stacks with this role"),
                "AssumeRolePolicyDocument": cloudformation_trust(),
                "ManagedPolicyArns": env.execution_policies.iter().map(|p| managed_policy(p)).collect::<Vec<_>>(),
                "Tags": resource_tags,
            }),
        )
        .property_span(
            "ManagedPolicyArns",
            env.field_spans.get_or(EnvField::ExecutionPolicies, env.span),
        ),
    )?;
    Ok(t)
}

/// The output of a regional artifacts stack that holds its key's ARN.
pub const REGIONAL_KEY_OUTPUT: &str = "ArtifactKeyArn";

/// The artifact store of `env`'s pipeline in the environment's region, for
/// a pipeline that crosses regions: deployed in the deployment account, in
/// that region. CodePipeline copies the artifacts there for the deploy
/// actions, which read them through the environment's deploy role.
pub fn regional_artifacts(lake: &Lake, env: &Environment) -> Result<Template, Error> {
    let names = PipelineNames::new(lake, env);
    let deployment = &lake.deployment_account;
    let role = |account: &str, name: &str| arn(&concat_string!("iam::", account, ":role/", name));
    let mut t = Template::new(concat_string!(
        lake.name,
        " ",
        env.name,
        ": the ",
        env.name,
        " pipeline's artifact store in ",
        env.region.name,
        ", in the deployment account ",
        deployment
    ));
    add_artifact_store(
        &mut t,
        lake,
        env.field_spans.get_or(EnvField::Region, env.span),
        ArtifactStore {
            description: concat_string!(
                "Encrypts the artifacts of the ",
                env.name,
                " pipeline of the ",
                lake.name,
                " lake in ",
                env.region.name
            ),
            bucket: &naming::regional_artifact_bucket(lake, env),
            logs_bucket: &naming::artifact_logs_bucket(&naming::regional_artifact_bucket(
                lake, env,
            )),
            key_alias: &names.key_alias,
            // Deployed by a person, not by the update role.
            manager: None,
            // The pipeline copies the artifacts here; the build runs in the
            // pipeline's region.
            users: vec![role(deployment, &names.pipeline_role)],
            reader: role(&env.account, &names.deploy_role),
            tags: tags(
                naming::tags(lake, env)
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            ),
        },
    )?;
    // The pipeline stack, in the deployment region, takes it as its
    // parameter: an export of this region could not be imported there.
    t.unexported_output(
        REGIONAL_KEY_OUTPUT,
        concat_string!(
            "The key's ARN: the ",
            pipeline::REGIONAL_KEY_PARAMETER,
            " parameter of the ",
            naming::pipeline_stack_name(lake, env),
            " stack"
        ),
        get_att("ArtifactKey", "Arn"),
        env.field_spans.get_or(EnvField::Region, env.span),
    )?;
    Ok(t)
}

/// Logical ID of the permissions boundary of `env`'s pipeline roles in the
/// deployment bootstrap.
pub fn boundary_id(env: &Environment) -> String {
    concat_string!(naming::pascal(&env.name), "PipelineBoundary")
}

/// The deployment account's bootstrap template, for the pipelines of
/// `pipelined` (every environment of the lake with a branch): for each, its
/// permissions boundary and its update role.
pub fn deployment(lake: &Lake, pipelined: &[&Environment]) -> Result<Template, Error> {
    let account = &lake.deployment_account;
    let mut t = Template::new(concat_string!(lake.name, ": the roles that update the lake's pipelines, and each pipeline's permissions boundary, in the deployment account ", account));
    let lake_tags = naming::lake_tags(lake);
    let lake_tags = tags(lake_tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    for env in pipelined {
        let names = PipelineNames::new(lake, env);
        let span = env.field_spans.get_or(EnvField::Branch, env.span);
        t.add(
            boundary_id(env),
            Resource::new(
                "AWS::IAM::ManagedPolicy",
                span,
                json!({
                    "ManagedPolicyName": naming::boundary_policy_name(lake, env),
                    "Description": concat_string!("The most any role of the ", env.name, " pipeline may do"),
                    "PolicyDocument": { "Version": "2012-10-17", "Statement": boundary(lake, env, &names) },
                }),
            ),
        )?;
        t.add(
            naming::update_role_id(env),
            Resource::new(
                "AWS::IAM::Role",
                span,
                json!({
                    "RoleName": &names.update_role,
                    "Description": concat_string!("CloudFormation updates the ", env.name, " pipeline's own stack with this role"),
                    "AssumeRolePolicyDocument": cloudformation_trust(),
                    "Policies": [{
                        "PolicyName": "UpdatePipeline",
                        "PolicyDocument": { "Version": "2012-10-17", "Statement": update_statements(lake, env, &names) },
                    }],
                    "Tags": lake_tags.clone(),
                }),
            ),
        )?;
    }
    Ok(t)
}

/// `arn:${AWS::Partition}:<service>:<deployment region>:<deployment account>:<rest>`.
fn deployment_arn(lake: &Lake, service: &str, rest: &str) -> Value {
    arn(&concat_string!(
        service,
        ":",
        lake.deployment_region.name,
        ":",
        lake.deployment_account,
        ":",
        rest
    ))
}

/// The permissions boundary of one pipeline's roles: everything they may ever
/// do, on that pipeline's resources only. A change pushed to the branch can
/// rewrite the roles' own policies (through the update role), so this, not
/// those policies, is what keeps one pipeline away from another's stacks,
/// roles, artifacts and deploy role.
fn boundary(lake: &Lake, env: &Environment, names: &PipelineNames) -> Vec<Value> {
    let account = &lake.deployment_account;
    let local = |service: &str, rest: &str| deployment_arn(lake, service, rest);
    let log_group = concat_string!("log-group:/aws/codebuild/", names.build_project);
    let mut statements = vec![
        statement(
            "ArtifactBucket",
            &[
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:GetBucketVersioning",
                "s3:GetBucketLocation",
                "s3:GetBucketAcl",
                "s3:ListBucket",
            ],
            json!([
                arn(&concat_string!("s3:::", names.bucket)),
                arn(&concat_string!("s3:::", names.bucket, "/*"))
            ]),
        ),
        // The key's ID is only known once the pipeline stack exists; its
        // alias is known now, and only the update role of this pipeline may
        // point it at a key.
        statement_if(
            "ArtifactKey",
            KEY_USE,
            local("kms", "key/*"),
            json!({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": &names.key_alias } }),
        ),
        statement(
            "BuildLogs",
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            json!([
                local("logs", &log_group),
                local("logs", &concat_string!(log_group, ":*"))
            ]),
        ),
        statement(
            "RunBuild",
            &[
                "codebuild:StartBuild",
                "codebuild:BatchGetBuilds",
                "codebuild:StopBuild",
            ],
            local(
                "codebuild",
                &concat_string!("project/", names.build_project),
            ),
        ),
        statement(
            "UpdatePipelineStack",
            &[
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
            ],
            local(
                "cloudformation",
                &concat_string!("stack/", naming::pipeline_stack_name(lake, env), "/*"),
            ),
        ),
        statement(
            "ValidateTemplates",
            &["cloudformation:ValidateTemplate"],
            json!("*"),
        ),
        statement_if(
            "PassUpdateRole",
            &["iam:PassRole"],
            arn(&concat_string!(
                "iam::",
                account,
                ":role/",
                names.update_role
            )),
            json!({ "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }),
        ),
        statement(
            "AssumeDeployRole",
            &["sts:AssumeRole"],
            arn(&concat_string!(
                "iam::",
                env.account,
                ":role/",
                names.deploy_role
            )),
        ),
    ];
    statements.extend(regional_store_statements(lake, env));
    match &lake.source {
        Source::GitHub { .. } => {}
        Source::GitHubConnection { connection, .. } => {
            statements.push(statement(
                "UseConnection",
                &[
                    "codestar-connections:UseConnection",
                    "codeconnections:UseConnection",
                ],
                json!(connection),
            ));
        }
        Source::CodeCommit { repository, .. } => {
            statements.push(statement(
                "ReadRepository",
                CODECOMMIT_READ,
                codecommit_arn(lake, repository),
            ));
            statements.push(statement(
                "StartPipeline",
                &["codepipeline:StartPipelineExecution"],
                local("codepipeline", &names.pipeline),
            ));
        }
    }
    statements
}

/// The update role's policy: this pipeline's roles (created only with this
/// pipeline's boundary), bucket, key alias, build project, pipeline, and what
/// starts it.
fn update_statements(lake: &Lake, env: &Environment, names: &PipelineNames) -> Vec<Value> {
    let account = &lake.deployment_account;
    let local = |service: &str, rest: &str| deployment_arn(lake, service, rest);
    let mut role_names = vec![&names.pipeline_role, &names.build_role];
    if matches!(lake.source, Source::CodeCommit { .. }) {
        role_names.push(&names.events_role);
    }
    let roles: Vec<Value> = role_names
        .iter()
        .map(|r| arn(&concat_string!("iam::", account, ":role/", r)))
        .collect();
    let mut statements = vec![
        statement_if(
            "CreatePipelineRoles",
            &["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            json!(roles.clone()),
            // A managed policy's Ref is its ARN.
            json!({ "StringEquals": { "iam:PermissionsBoundary": ref_(boundary_id(env)) } }),
        ),
        statement(
            "ManagePipelineRoles",
            &[
                "iam:GetRole",
                "iam:DeleteRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:ListRoleTags",
            ],
            json!(roles.clone()),
        ),
        statement_if(
            "PassPipelineRoles",
            &["iam:PassRole"],
            json!(roles),
            json!({ "StringEquals": { "iam:PassedToService": [
                "codepipeline.amazonaws.com",
                "codebuild.amazonaws.com",
                "events.amazonaws.com",
            ] } }),
        ),
        statement(
            "ArtifactBucket",
            &[
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:DeleteBucketPolicy",
                "s3:Get*",
                "s3:List*",
                "s3:Put*",
            ],
            json!([
                arn(&concat_string!("s3:::", names.bucket)),
                arn(&concat_string!(
                    "s3:::",
                    naming::artifact_logs_bucket(&names.bucket)
                )),
            ]),
        ),
        // CreateKey has no resource to scope to; the new key's own policy
        // then lets this role (and no other pipeline's) manage it.
        statement("CreateArtifactKey", &["kms:CreateKey"], json!("*")),
        statement(
            "ArtifactKeyAlias",
            &["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
            local("kms", &names.key_alias),
        ),
        statement("ListKeyAliases", &["kms:ListAliases"], json!("*")),
        statement(
            "BuildProject",
            &[
                "codebuild:CreateProject",
                "codebuild:UpdateProject",
                "codebuild:DeleteProject",
                "codebuild:BatchGetProjects",
            ],
            local(
                "codebuild",
                &concat_string!("project/", names.build_project),
            ),
        ),
        statement(
            "Pipeline",
            &[
                "codepipeline:CreatePipeline",
                "codepipeline:UpdatePipeline",
                "codepipeline:DeletePipeline",
                "codepipeline:GetPipeline",
                "codepipeline:GetPipelineState",
                "codepipeline:StartPipelineExecution",
                "codepipeline:ListTagsForResource",
                "codepipeline:TagResource",
                "codepipeline:UntagResource",
            ],
            local("codepipeline", &names.pipeline),
        ),
    ];
    match &lake.source {
        Source::GitHub { token_secret, .. } => {
            statements.push(statement(
                "Webhook",
                &[
                    "codepipeline:PutWebhook",
                    "codepipeline:DeleteWebhook",
                    "codepipeline:RegisterWebhookWithThirdParty",
                    "codepipeline:DeregisterWebhookWithThirdParty",
                ],
                local("codepipeline", &concat_string!("webhook:", names.webhook)),
            ));
            statements.push(statement(
                "ListWebhooks",
                &["codepipeline:ListWebhooks"],
                json!("*"),
            ));
            // CloudFormation resolves the token's dynamic reference with this role.
            statements.push(statement(
                "ReadGitHubToken",
                &[
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret",
                ],
                secret_arn(lake, token_secret),
            ));
            // The webhook's own secret: created with the stack, and read by
            // CloudFormation to register the webhook.
            statements.push(statement(
                "WebhookSecret",
                &[
                    "secretsmanager:CreateSecret",
                    "secretsmanager:DeleteSecret",
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:UpdateSecret",
                    "secretsmanager:TagResource",
                    "secretsmanager:UntagResource",
                ],
                secret_arn(lake, &names.webhook),
            ));
            // GenerateSecretString draws the value from Secrets Manager,
            // which takes no resource for it.
            statements.push(statement(
                "GenerateWebhookSecret",
                &["secretsmanager:GetRandomPassword"],
                json!("*"),
            ));
        }
        Source::CodeCommit { .. } => {
            statements.push(statement(
                "TriggerRule",
                &[
                    "events:PutRule",
                    "events:DeleteRule",
                    "events:DescribeRule",
                    "events:PutTargets",
                    "events:RemoveTargets",
                    "events:ListTargetsByRule",
                ],
                local("events", &concat_string!("rule/", names.trigger_rule)),
            ));
        }
        // Whoever creates or updates a pipeline that names a connection
        // passes the connection to CodePipeline: CloudFormation does, as
        // this role.
        Source::GitHubConnection { connection, .. } => {
            statements.push(statement_if(
                "PassConnection",
                &[connection_permission(connection, ConnectionPermission::Pass)],
                json!(connection),
                json!({ "StringEquals": {
                    connection_permission(connection, ConnectionPermission::PassedToService): "codepipeline.amazonaws.com",
                } }),
            ));
        }
    }
    statements
}

/// The GitHub token's secret: its ARN as written, or every version of the
/// secret of that name in the deployment account (Secrets Manager appends six
/// random characters to a secret's ARN).
fn secret_arn(lake: &Lake, secret: &str) -> Value {
    if secret.starts_with("arn:") {
        json!(secret)
    } else {
        arn(&concat_string!(
            "secretsmanager:",
            lake.deployment_region.name,
            ":",
            lake.deployment_account,
            ":secret:",
            secret,
            "-??????"
        ))
    }
}

/// The trust policy of a role that CloudFormation itself assumes.
fn cloudformation_trust() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "cloudformation.amazonaws.com" },
            "Action": "sts:AssumeRole",
        }],
    })
}
