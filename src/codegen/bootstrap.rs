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
//!   (scoped to that pipeline's resources), and the permissions boundary every
//!   pipeline role carries, so that no pipeline stack can create a role with
//!   more rights than a pipeline needs.

use serde_json::{json, Value};

use super::naming::{self, PipelineNames, StackKind};
use super::pipeline_template::{codecommit_arn, statement, statement_if, CODECOMMIT_READ, KEY_USE};
use super::template::{account_root, ref_, sub, tags, Resource, Template};
use super::Error;
use crate::model::{Environment, Lake, Source};

/// `arn:${AWS::Partition}:<rest>`.
fn arn(rest: impl std::fmt::Display) -> Value {
    sub(format!("arn:${{AWS::Partition}}:{rest}"))
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
pub fn target(lake: &Lake, env: &Environment) -> Result<Template, Error> {
    let names = PipelineNames::new(lake, env);
    let span = env.field_spans.get_or("branch", env.span);
    let resource_tags = tags(
        naming::tags(lake, env)
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let deployment = &lake.deployment_account;
    let mut t = Template::new(format!(
        "{} {}: the roles the {} pipeline deploys through, in account {}",
        lake.name, env.name, env.name, env.account
    ));

    let stacks: Vec<Value> = StackKind::ALL
        .iter()
        .map(|kind| {
            sub(format!(
                "arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{}/*",
                naming::stack_name(lake, env, *kind)
            ))
        })
        .collect();
    let execution_role = sub(format!(
        "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{}",
        names.execution_role
    ));
    t.add(
        "DeployRole",
        Resource::new(
            "AWS::IAM::Role",
            span,
            json!({
                "RoleName": names.deploy_role,
                "Description": format!(
                    "The {} pipeline in account {deployment} makes and runs change sets of {}'s stacks through this role",
                    env.name, env.name
                ),
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "AWS": account_root(deployment) },
                        "Action": "sts:AssumeRole",
                        // Only the environment's pipeline, not every role of that account.
                        "Condition": {
                            "ArnEquals": {
                                "aws:PrincipalArn": arn(format!("iam::{deployment}:role/{}", names.pipeline_role)),
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
                                json!(stacks),
                            ),
                            statement_if(
                                "MakeChangeSets",
                                &["cloudformation:CreateChangeSet"],
                                json!(stacks),
                                json!({ "StringEquals": { "cloudformation:RoleArn": execution_role } }),
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
                                arn(format!("s3:::{}/*", names.bucket)),
                            ),
                            // The artifact key's ID is not known here; its key
                            // policy names this role, and no other key's does.
                            statement(
                                "DecryptArtifacts",
                                &["kms:Decrypt", "kms:DescribeKey"],
                                arn(format!(
                                    "kms:{}:{deployment}:key/*",
                                    lake.deployment_region.name
                                )),
                            ),
                        ],
                    },
                }],
                "Tags": resource_tags,
            }),
        ),
    )?;
    t.add(
        "ExecutionRole",
        Resource::new(
            "AWS::IAM::Role",
            env.field_spans.get_or("execution_policies", env.span),
            json!({
                "RoleName": names.execution_role,
                "Description": format!("CloudFormation deploys {}'s stacks with this role", env.name),
                "AssumeRolePolicyDocument": cloudformation_trust(),
                "ManagedPolicyArns": env.execution_policies.iter().map(|p| managed_policy(p)).collect::<Vec<_>>(),
                "Tags": resource_tags,
            }),
        )
        .property_span(
            "ManagedPolicyArns",
            env.field_spans.get_or("execution_policies", env.span),
        ),
    )?;
    Ok(t)
}

/// The deployment account's bootstrap template, for the pipelines of
/// `pipelined` (every environment of the lake with a branch).
pub fn deployment(lake: &Lake, pipelined: &[&Environment]) -> Result<Template, Error> {
    let span = lake.field_spans.get_or("deployment_account", lake.span);
    let region = &lake.deployment_region.name;
    let account = &lake.deployment_account;
    let local = |service: &str, rest: &str| arn(format!("{service}:{region}:{account}:{rest}"));
    let all: Vec<PipelineNames> = pipelined
        .iter()
        .map(|env| PipelineNames::new(lake, env))
        .collect();
    let mut t = Template::new(format!(
        "{}: the roles that update the lake's pipelines, and the boundary of every pipeline role, in the deployment account {account}",
        lake.name
    ));

    // The boundary: everything a pipeline role may ever do, on the lake's
    // pipeline resources only.
    let mut boundary = vec![
        statement(
            "ArtifactBuckets",
            &[
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:GetBucketVersioning",
                "s3:GetBucketLocation",
                "s3:GetBucketAcl",
                "s3:ListBucket",
            ],
            json!(all
                .iter()
                .flat_map(|n| [
                    arn(format!("s3:::{}", n.bucket)),
                    arn(format!("s3:::{}/*", n.bucket))
                ])
                .collect::<Vec<_>>()),
        ),
        statement("ArtifactKeys", KEY_USE, local("kms", "key/*")),
        statement(
            "BuildLogs",
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            json!(all
                .iter()
                .flat_map(|n| {
                    let group = format!("log-group:/aws/codebuild/{}", n.build_project);
                    [local("logs", &group), local("logs", &format!("{group}:*"))]
                })
                .collect::<Vec<_>>()),
        ),
        statement(
            "RunBuilds",
            &[
                "codebuild:StartBuild",
                "codebuild:BatchGetBuilds",
                "codebuild:StopBuild",
            ],
            json!(all
                .iter()
                .map(|n| local("codebuild", &format!("project/{}", n.build_project)))
                .collect::<Vec<_>>()),
        ),
        statement(
            "UpdatePipelineStacks",
            &[
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
            ],
            json!(pipelined
                .iter()
                .map(|env| local(
                    "cloudformation",
                    &format!("stack/{}/*", naming::pipeline_stack_name(lake, env))
                ))
                .collect::<Vec<_>>()),
        ),
        statement(
            "ValidateTemplates",
            &["cloudformation:ValidateTemplate"],
            json!("*"),
        ),
        statement_if(
            "PassUpdateRoles",
            &["iam:PassRole"],
            json!(all
                .iter()
                .map(|n| arn(format!("iam::{account}:role/{}", n.update_role)))
                .collect::<Vec<_>>()),
            json!({ "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }),
        ),
        statement(
            "AssumeDeployRoles",
            &["sts:AssumeRole"],
            json!(pipelined
                .iter()
                .zip(&all)
                .map(|(env, n)| arn(format!("iam::{}:role/{}", env.account, n.deploy_role)))
                .collect::<Vec<_>>()),
        ),
    ];
    match &lake.source {
        Source::GitHub { .. } => {}
        Source::GitHubConnection { connection, .. } => {
            boundary.push(statement(
                "UseConnection",
                &[
                    "codestar-connections:UseConnection",
                    "codeconnections:UseConnection",
                ],
                json!(connection),
            ));
        }
        Source::CodeCommit { repository, .. } => {
            boundary.push(statement(
                "ReadRepository",
                CODECOMMIT_READ,
                codecommit_arn(lake, repository),
            ));
            boundary.push(statement(
                "StartPipelines",
                &["codepipeline:StartPipelineExecution"],
                json!(all
                    .iter()
                    .map(|n| local("codepipeline", &n.pipeline))
                    .collect::<Vec<_>>()),
            ));
        }
    }
    t.add(
        "PipelineBoundary",
        Resource::new(
            "AWS::IAM::ManagedPolicy",
            span,
            json!({
                "ManagedPolicyName": naming::boundary_policy_name(lake),
                "Description": format!("The most any role of the {} lake's pipelines may do", lake.name),
                "PolicyDocument": { "Version": "2012-10-17", "Statement": boundary },
            }),
        ),
    )?;

    // A managed policy's Ref is its ARN.
    let boundary_arn = ref_("PipelineBoundary");
    let lake_tags = naming::lake_tags(lake);
    let lake_tags = tags(lake_tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    for (env, names) in pipelined.iter().zip(&all) {
        let mut role_names = vec![&names.pipeline_role, &names.build_role];
        if matches!(lake.source, Source::CodeCommit { .. }) {
            role_names.push(&names.events_role);
        }
        let roles: Vec<Value> = role_names
            .iter()
            .map(|r| arn(format!("iam::{account}:role/{r}")))
            .collect();
        let mut statements = vec![
            statement_if(
                "CreatePipelineRoles",
                &["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
                json!(roles),
                json!({ "StringEquals": { "iam:PermissionsBoundary": boundary_arn } }),
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
                json!(roles),
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
                arn(format!("s3:::{}", names.bucket)),
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
                local("codebuild", &format!("project/{}", names.build_project)),
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
                    local("codepipeline", &format!("webhook:{}", names.webhook)),
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
                    local("events", &format!("rule/{}", names.trigger_rule)),
                ));
            }
            Source::GitHubConnection { .. } => {}
        }
        t.add(
            naming::update_role_id(env),
            Resource::new(
                "AWS::IAM::Role",
                env.field_spans.get_or("branch", env.span),
                json!({
                    "RoleName": names.update_role,
                    "Description": format!("CloudFormation updates the {} pipeline's own stack with this role", env.name),
                    "AssumeRolePolicyDocument": cloudformation_trust(),
                    "Policies": [{
                        "PolicyName": "UpdatePipeline",
                        "PolicyDocument": { "Version": "2012-10-17", "Statement": statements },
                    }],
                    "Tags": lake_tags.clone(),
                }),
            ),
        )?;
    }
    Ok(t)
}

/// The GitHub token's secret: its ARN as written, or every version of the
/// secret of that name in the deployment account (Secrets Manager appends six
/// random characters to a secret's ARN).
fn secret_arn(lake: &Lake, secret: &str) -> Value {
    if secret.starts_with("arn:") {
        json!(secret)
    } else {
        arn(format!(
            "secretsmanager:{}:{}:secret:{secret}-??????",
            lake.deployment_region.name, lake.deployment_account
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
