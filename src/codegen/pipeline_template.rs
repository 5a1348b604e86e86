//! The pipeline stack of one environment, in the deployment account: the
//! artifact key and bucket, the pipeline's roles, the build project, the
//! pipeline (rendered from the model in `pipeline`) and what starts it on a
//! push (a GitHub webhook or an EventBridge rule; a connection source uses the
//! pipeline's own trigger).
//!
//! Every role has its pipeline's permissions boundary (from the deployment
//! account's bootstrap template) and inline policies on this pipeline's
//! resources only: no `*` action, no `service:*`, no resource `*`.

use super::value::{json, Value};

use super::build_step;
use super::naming::{self, PipelineNames};
use super::pipeline::{self, Pipeline, Style, SOURCE_ACTION};
use super::storage::{
    abort_incomplete_uploads, access_log_delivery, access_logs_bucket, public_access_block,
    tls_only, KEY_ADMINISTRATION,
};
use super::template::{
    account_root, get_att, ref_, sub, tags, Parameter, Policy, Resource, Template,
};
use super::Error;
use crate::concat::concat_string;
use crate::model::{EnvField, Environment, Lake, Source};

/// Days an artifact is kept: long enough to look at a failed run again.
const ARTIFACT_DAYS: u32 = 30;

/// Days the artifact bucket's access logs are kept: a year of who read and
/// wrote the artifacts.
const ACCESS_LOG_DAYS: u32 = 365;

/// The image of the build step: CodeBuild's standard Linux image.
pub const BUILD_IMAGE: &str = "aws/codebuild/standard:7.0";

/// Characters of the webhook's generated secret.
const WEBHOOK_SECRET_LENGTH: u32 = 40;

/// Minutes the build step may take (a lake's own `build.install` may build dlc).
const BUILD_TIMEOUT_MINUTES: u32 = 30;

/// What a pipeline role may do with the artifact key.
pub const KEY_USE: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
];

/// An IAM policy statement. Its ID and actions are the program's literals,
/// borrowed rather than copied: a template holds hundreds of them.
pub fn statement(sid: &'static str, actions: &[&'static str], resource: Value) -> Value {
    let actions: Vec<Value> = actions
        .iter()
        .map(|action| Value::literal(action))
        .collect();
    json!({ "Sid": Value::literal(sid), "Effect": "Allow", "Action": actions, "Resource": resource })
}

/// The same, with a condition.
pub fn statement_if(
    sid: &'static str,
    actions: &[&'static str],
    resource: Value,
    condition: Value,
) -> Value {
    let mut s = statement(sid, actions, resource);
    s["Condition"] = condition;
    s
}

/// A trust policy for an AWS service, from this account only.
fn service_trust(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } },
        }],
    })
}

/// `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<rest>`.
fn local_arn(service: &str, rest: &str) -> Value {
    sub(concat_string!(
        "arn:${AWS::Partition}:",
        service,
        ":${AWS::Region}:${AWS::AccountId}:",
        rest
    ))
}

/// The source's IAM statement for the pipeline role, if it needs one.
pub fn source_statement(lake: &Lake) -> Option<Value> {
    match &lake.source {
        // CodePipeline calls GitHub with the token itself.
        Source::GitHub { .. } => None,
        // The role of the service that uses a connection needs UseConnection.
        Source::GitHubConnection { connection, .. } => Some(statement(
            "UseConnection",
            &[connection_permission(connection, ConnectionPermission::Use)],
            json!(connection),
        )),
        Source::CodeCommit { repository, .. } => Some(statement(
            "ReadRepository",
            CODECOMMIT_READ,
            json!(codecommit_arn(lake, repository)),
        )),
    }
}

/// What a pipeline does with a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionPermission {
    Use,
    Pass,
    /// The condition key that names who a connection is passed to.
    PassedToService,
}

/// An IAM permission on a connection, in the service prefix of the
/// connection's ARN (`codestar-connections`, or `codeconnections` since the
/// service's rename): a literal, borrowed by the statements that name it.
pub fn connection_permission(connection: &str, permission: ConnectionPermission) -> &'static str {
    let renamed = connection.contains(":codeconnections:");
    match (permission, renamed) {
        (ConnectionPermission::Use, true) => "codeconnections:UseConnection",
        (ConnectionPermission::Use, false) => "codestar-connections:UseConnection",
        (ConnectionPermission::Pass, true) => "codeconnections:PassConnection",
        (ConnectionPermission::Pass, false) => "codestar-connections:PassConnection",
        (ConnectionPermission::PassedToService, true) => "codeconnections:PassedToService",
        (ConnectionPermission::PassedToService, false) => "codestar-connections:PassedToService",
    }
}

/// What CodePipeline's CodeCommit action does with the repository.
pub const CODECOMMIT_READ: &[&str] = &[
    "codecommit:GetBranch",
    "codecommit:GetCommit",
    "codecommit:GetRepository",
    "codecommit:UploadArchive",
    "codecommit:GetUploadArchiveStatus",
    "codecommit:CancelUploadArchive",
];

/// A CodeCommit repository of the deployment account.
pub fn codecommit_arn(lake: &Lake, repository: &str) -> Value {
    sub(concat_string!(
        "arn:${AWS::Partition}:codecommit:",
        lake.deployment_region.name,
        ":",
        lake.deployment_account,
        ":",
        repository
    ))
}

/// The permissions boundary every role of `env`'s pipeline stack carries.
pub fn boundary_arn(lake: &Lake, env: &Environment) -> Value {
    sub(concat_string!(
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/",
        naming::boundary_policy_name(lake, env)
    ))
}

/// An artifact store of the deployment account: what it is called, and who
/// may do what with it.
pub struct ArtifactStore<'a> {
    /// The key's description.
    pub description: String,
    pub bucket: &'a str,
    /// The bucket the artifact bucket's access logs go to.
    pub logs_bucket: &'a str,
    pub key_alias: &'a str,
    /// The role that manages the key, besides the account itself (whose root
    /// keeps the key manageable).
    pub manager: Option<Value>,
    /// The roles of the deployment account that may use the key: named by
    /// condition, since a key policy may not name a role that does not
    /// exist yet.
    pub users: Vec<Value>,
    /// The deploy role, which reads and decrypts the artifacts from the
    /// environment's account.
    pub reader: Value,
    /// The bucket's tags.
    pub tags: Value,
}

/// Adds an artifact store to `t`: `ArtifactKey`, its alias, `ArtifactBucket`
/// and its policy, and `ArtifactLogsBucket` (its access logs) and its policy.
pub fn add_artifact_store(
    t: &mut Template,
    lake: &Lake,
    span: crate::source::Span,
    store: ArtifactStore<'_>,
) -> Result<(), Error> {
    let deployment_root = account_root(&lake.deployment_account);
    let mut administrators = vec![deployment_root.clone()];
    administrators.extend(store.manager);
    t.add(
        "ArtifactKey",
        Resource::new(
            "AWS::KMS::Key",
            span,
            json!({
                "Description": store.description,
                "EnableKeyRotation": true,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "KeyAdministration",
                            "Effect": "Allow",
                            "Principal": { "AWS": administrators },
                            "Action": KEY_ADMINISTRATION,
                            "Resource": "*",
                        },
                        {
                            "Sid": "KeyUsage",
                            "Effect": "Allow",
                            "Principal": { "AWS": deployment_root },
                            "Action": KEY_USE,
                            "Resource": "*",
                            "Condition": { "ArnEquals": { "aws:PrincipalArn": store.users } },
                        },
                        {
                            "Sid": "DeployRoleReadsArtifacts",
                            "Effect": "Allow",
                            "Principal": { "AWS": store.reader.clone() },
                            "Action": ["kms:Decrypt", "kms:DescribeKey"],
                            "Resource": "*",
                        },
                    ],
                },
                // No tags: tagging a key as it is created takes kms:TagResource
                // on every key of the account, which the update role has not.
            }),
        )
        // Artifacts are passing: the key and bucket go with the stack (a
        // bucket that still holds artifacts fails the delete, visibly).
        .policy(Policy::Delete),
    )?;
    t.add(
        "ArtifactKeyAlias",
        Resource::new(
            "AWS::KMS::Alias",
            span,
            json!({ "AliasName": store.key_alias, "TargetKeyId": ref_("ArtifactKey") }),
        ),
    )?;
    t.add(
        "ArtifactBucket",
        Resource::new(
            "AWS::S3::Bucket",
            span,
            json!({
                "BucketName": store.bucket,
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [{
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": get_att("ArtifactKey", "Arn"),
                        },
                        "BucketKeyEnabled": true,
                    }],
                },
                "VersioningConfiguration": { "Status": "Enabled" },
                "PublicAccessBlockConfiguration": public_access_block(),
                "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
                "LoggingConfiguration": {
                    "DestinationBucketName": ref_("ArtifactLogsBucket"),
                    "LogFilePrefix": "artifacts/",
                },
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "ExpireArtifacts",
                            "Status": "Enabled",
                            "ExpirationInDays": ARTIFACT_DAYS,
                            "NoncurrentVersionExpiration": { "NoncurrentDays": 1 },
                        },
                        abort_incomplete_uploads(),
                    ],
                },
                "Tags": store.tags.clone(),
            }),
        )
        .policy(Policy::Delete),
    )?;
    // Server access logs take SSE-S3, not SSE-KMS; they outlive the
    // artifacts they describe.
    t.add(
        "ArtifactLogsBucket",
        Resource::new(
            "AWS::S3::Bucket",
            span,
            access_logs_bucket(
                store.logs_bucket,
                json!({
                    "Id": "ExpireAccessLogs",
                    "Status": "Enabled",
                    "ExpirationInDays": ACCESS_LOG_DAYS,
                    "NoncurrentVersionExpiration": { "NoncurrentDays": 1 },
                }),
                store.tags.clone(),
            ),
        )
        .policy(Policy::Delete)
        .skip_checkov(
            "CKV_AWS_18",
            "this bucket receives the artifact bucket's access logs; logging its own access would take another log bucket, and that one another",
        ),
    )?;
    t.add(
        "ArtifactLogsBucketPolicy",
        Resource::new(
            "AWS::S3::BucketPolicy",
            span,
            json!({
                "Bucket": ref_("ArtifactLogsBucket"),
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        tls_only("ArtifactLogsBucket"),
                        access_log_delivery(
                            "ArtifactLogsBucket",
                            json!(&lake.deployment_account),
                            vec![get_att("ArtifactBucket", "Arn")],
                        ),
                    ],
                },
            }),
        ),
    )?;
    t.add(
        "ArtifactBucketPolicy",
        Resource::new(
            "AWS::S3::BucketPolicy",
            span,
            json!({
                "Bucket": ref_("ArtifactBucket"),
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        tls_only("ArtifactBucket"),
                        {
                            "Sid": "DeployRoleReadsArtifacts",
                            "Effect": "Allow",
                            "Principal": { "AWS": store.reader },
                            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                            "Resource": sub("${ArtifactBucket.Arn}/*"),
                        },
                    ],
                },
            }),
        ),
    )?;
    Ok(())
}

/// What the pipeline role (and so its boundary) needs of the artifact store
/// in the environment's region, when the pipeline crosses regions: copying
/// artifacts there. Its key's ID is another stack's, so the key is named by
/// its alias.
pub fn regional_store_statements(lake: &Lake, env: &Environment) -> Vec<Value> {
    if !pipeline::crosses_regions(lake, env) {
        return Vec::new();
    }
    let bucket = naming::regional_artifact_bucket(lake, env);
    let names = PipelineNames::new(lake, env);
    vec![
        statement(
            "RegionalArtifactBucket",
            &[
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:GetBucketVersioning",
                "s3:GetBucketLocation",
                "s3:ListBucket",
            ],
            json!([
                sub(concat_string!("arn:${AWS::Partition}:s3:::", bucket)),
                sub(concat_string!("arn:${AWS::Partition}:s3:::", bucket, "/*")),
            ]),
        ),
        statement_if(
            "RegionalArtifactKey",
            KEY_USE,
            sub(concat_string!(
                "arn:${AWS::Partition}:kms:",
                env.region.name,
                ":",
                lake.deployment_account,
                ":key/*"
            )),
            json!({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": names.key_alias } }),
        ),
    ]
}

/// The parameter that takes the ARN of the pipeline's artifact key in
/// `region`: a key of the deployment account there, never an alias (which
/// the deploy actions of the environment's account could not resolve).
fn regional_key_parameter(lake: &Lake, env: &Environment, region: &str) -> Parameter {
    let account = &lake.deployment_account;
    Parameter {
        description: concat_string!(
            "The ARN of the ",
            env.name,
            " pipeline's artifact key in ",
            region,
            ": the ArtifactKeyArn output of the ",
            naming::regional_artifacts_stack_name(lake, env),
            " stack"
        ),
        allowed_pattern: concat_string!(
            "^arn:aws[a-z-]*:kms:",
            region,
            ":",
            account,
            ":key/[A-Za-z0-9-]+$"
        ),
        constraint_description: concat_string!(
            "a KMS key ARN of account ",
            account,
            " in ",
            region,
            " (arn:aws:kms:",
            region,
            ":",
            account,
            ":key/<key id>), not an alias"
        ),
    }
}

pub fn template(
    lake: &Lake,
    env: &Environment,
    names: &PipelineNames,
    pipeline: &Pipeline,
) -> Result<Template, Error> {
    let span = env.field_spans.get_or(EnvField::Branch, env.span);
    let source_span = lake.source.span();
    let build_span = lake.build.span;
    let resource_tags = tags(pipeline.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let deploy_role_arn = sub(concat_string!(
        "arn:${AWS::Partition}:iam::",
        env.account,
        ":role/",
        names.deploy_role
    ));
    let role_arn = |name: &str| {
        sub(concat_string!(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/",
            name
        ))
    };
    let update_role_arn = role_arn(&names.update_role);
    let mut t = Template::new(concat_string!(
        lake.name,
        " ",
        env.name,
        ": the pipeline that deploys ",
        env.name,
        " from the `",
        env.branch.as_deref().unwrap_or_default(),
        "` branch"
    ));

    add_artifact_store(
        &mut t,
        lake,
        span,
        ArtifactStore {
            description: concat_string!(
                "Encrypts the artifacts of the ",
                env.name,
                " pipeline of the ",
                lake.name,
                " lake"
            ),
            bucket: &names.bucket,
            logs_bucket: &naming::artifact_logs_bucket(&names.bucket),
            key_alias: &names.key_alias,
            // The update role manages this key through this policy alone:
            // its IAM policy can create keys but manage none.
            manager: Some(update_role_arn.clone()),
            users: vec![role_arn(&names.pipeline_role), role_arn(&names.build_role)],
            reader: deploy_role_arn.clone(),
            tags: resource_tags.clone(),
        },
    )?;

    let bucket_and_objects = json!([
        get_att("ArtifactBucket", "Arn"),
        sub("${ArtifactBucket.Arn}/*")
    ]);
    let mut pipeline_statements = vec![
        statement(
            "ArtifactBucket",
            &[
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:GetBucketVersioning",
                "s3:GetBucketLocation",
                "s3:ListBucket",
            ],
            bucket_and_objects.clone(),
        ),
        statement("ArtifactKey", KEY_USE, get_att("ArtifactKey", "Arn")),
        statement(
            "RunBuild",
            &[
                "codebuild:StartBuild",
                "codebuild:BatchGetBuilds",
                "codebuild:StopBuild",
            ],
            get_att("BuildProject", "Arn"),
        ),
        statement(
            "ReadPipelineStack",
            &[
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
            ],
            ref_("AWS::StackId"),
        ),
        // CloudFormation takes no resource for this read-only call.
        statement(
            "ValidateTemplates",
            &["cloudformation:ValidateTemplate"],
            json!("*"),
        ),
        statement_if(
            "UpdatePipelineStack",
            &["cloudformation:CreateStack", "cloudformation:UpdateStack"],
            ref_("AWS::StackId"),
            json!({ "StringEquals": { "cloudformation:RoleArn": update_role_arn.clone() } }),
        ),
        statement_if(
            "PassUpdateRole",
            &["iam:PassRole"],
            update_role_arn.clone(),
            json!({ "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }),
        ),
        statement(
            "AssumeDeployRole",
            &["sts:AssumeRole"],
            deploy_role_arn.clone(),
        ),
    ];
    pipeline_statements.extend(source_statement(lake));
    pipeline_statements.extend(regional_store_statements(lake, env));
    t.add(
        "PipelineRole",
        Resource::new(
            "AWS::IAM::Role",
            span,
            json!({
                "RoleName": &names.pipeline_role,
                "Description": concat_string!("The ", env.name, " pipeline: reads the source, runs the build, updates its own stack, deploys through ", names.deploy_role),
                "AssumeRolePolicyDocument": service_trust("codepipeline.amazonaws.com"),
                "PermissionsBoundary": boundary_arn(lake, env),
                "Policies": [{
                    "PolicyName": "Pipeline",
                    "PolicyDocument": { "Version": "2012-10-17", "Statement": pipeline_statements },
                }],
                "Tags": resource_tags.clone(),
            }),
        ),
    )?;

    let log_group = concat_string!("log-group:/aws/codebuild/", names.build_project);
    t.add(
        "BuildRole",
        Resource::new(
            "AWS::IAM::Role",
            build_span,
            json!({
                "RoleName": &names.build_role,
                "Description": concat_string!("The build step of the ", env.name, " pipeline: writes its logs and artifacts"),
                "AssumeRolePolicyDocument": service_trust("codebuild.amazonaws.com"),
                "PermissionsBoundary": boundary_arn(lake, env),
                "Policies": [{
                    "PolicyName": "Build",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            statement(
                                "Logs",
                                &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                                json!([local_arn("logs", &log_group), local_arn("logs", &concat_string!(log_group, ":*"))]),
                            ),
                            statement(
                                "ArtifactBucket",
                                &[
                                    "s3:GetObject",
                                    "s3:GetObjectVersion",
                                    "s3:PutObject",
                                    "s3:GetBucketAcl",
                                    "s3:GetBucketLocation",
                                ],
                                bucket_and_objects,
                            ),
                            statement("ArtifactKey", KEY_USE, get_att("ArtifactKey", "Arn")),
                        ],
                    },
                }],
                "Tags": resource_tags.clone(),
            }),
        ),
    )?;
    t.add(
        "BuildProject",
        Resource::new(
            "AWS::CodeBuild::Project",
            build_span,
            json!({
                "Name": &names.build_project,
                "Description": build_step::description(lake, &env.name),
                "ServiceRole": get_att("BuildRole", "Arn"),
                "EncryptionKey": get_att("ArtifactKey", "Arn"),
                "Source": { "Type": "CODEPIPELINE", "BuildSpec": build_step::buildspec(lake, pipeline) },
                "Artifacts": { "Type": "CODEPIPELINE" },
                "Environment": {
                    "Type": "LINUX_CONTAINER",
                    "ComputeType": "BUILD_GENERAL1_SMALL",
                    "Image": BUILD_IMAGE,
                    "ImagePullCredentialsType": "CODEBUILD",
                    "PrivilegedMode": false,
                },
                "TimeoutInMinutes": BUILD_TIMEOUT_MINUTES,
                // CodeBuild's default, written out: the logs go to the
                // project's own group, /aws/codebuild/<project>, the only
                // one the build role may write.
                "LogsConfig": { "CloudWatchLogs": { "Status": "ENABLED" } },
                "Tags": resource_tags.clone(),
            }),
        ),
    )?;

    for store in &pipeline.regional_stores {
        t.parameter(
            pipeline::REGIONAL_KEY_PARAMETER,
            regional_key_parameter(lake, env, &store.region),
            span,
        )?;
    }
    let mut properties = pipeline::render(pipeline, Style::Template);
    // A stack update that changes the pipeline restarts it on the new definition.
    properties.insert("RestartExecutionOnUpdate", json!(true));
    properties.insert("Tags", resource_tags.clone());
    t.add(
        "Pipeline",
        Resource::new(
            "AWS::CodePipeline::Pipeline",
            span,
            Value::Object(properties),
        ),
    )?;

    match &lake.source {
        Source::GitHub { .. } => {
            // The webhook signs with a secret of its own, not the token: a
            // webhook's secret is part of its definition, which ListWebhooks
            // returns, and must not open the repository.
            t.add(
                "WebhookSecret",
                Resource::new(
                    "AWS::SecretsManager::Secret",
                    source_span,
                    json!({
                        "Name": &names.webhook,
                        "Description": concat_string!("Signs GitHub's pushes to the ", env.name, " pipeline's webhook"),
                        "GenerateSecretString": {
                            "PasswordLength": WEBHOOK_SECRET_LENGTH,
                            "ExcludePunctuation": true,
                        },
                        "Tags": resource_tags.clone(),
                    }),
                )
                .policy(Policy::Delete),
            )?;
            t.add(
                "Webhook",
                Resource::new(
                    "AWS::CodePipeline::Webhook",
                    source_span,
                    json!({
                        "Name": &names.webhook,
                        "Authentication": "GITHUB_HMAC",
                        "AuthenticationConfiguration": {
                            // A secret's Ref is its ARN.
                            "SecretToken": sub("{{resolve:secretsmanager:${WebhookSecret}:SecretString}}"),
                        },
                        "Filters": [{ "JsonPath": "$.ref", "MatchEquals": "refs/heads/{Branch}" }],
                        "RegisterWithThirdParty": true,
                        "TargetPipeline": ref_("Pipeline"),
                        "TargetAction": SOURCE_ACTION,
                        "TargetPipelineVersion": get_att("Pipeline", "Version"),
                    }),
                ),
            )?;
        }
        Source::CodeCommit { repository, .. } => {
            let pipeline_arn = local_arn("codepipeline", "${Pipeline}");
            t.add(
                "TriggerRole",
                Resource::new(
                    "AWS::IAM::Role",
                    source_span,
                    json!({
                        "RoleName": &names.events_role,
                        "Description": concat_string!("Starts the ", env.name, " pipeline on a push to its branch"),
                        "AssumeRolePolicyDocument": service_trust("events.amazonaws.com"),
                        "PermissionsBoundary": boundary_arn(lake, env),
                        "Policies": [{
                            "PolicyName": "StartPipeline",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [statement("StartPipeline", &["codepipeline:StartPipelineExecution"], pipeline_arn.clone())],
                            },
                        }],
                        "Tags": resource_tags,
                    }),
                ),
            )?;
            t.add(
                "TriggerRule",
                Resource::new(
                    "AWS::Events::Rule",
                    source_span,
                    json!({
                        "Name": &names.trigger_rule,
                        "Description": concat_string!("Starts the ", env.name, " pipeline on a push to its branch"),
                        "EventPattern": {
                            "source": ["aws.codecommit"],
                            "detail-type": ["CodeCommit Repository State Change"],
                            "resources": [codecommit_arn(lake, repository)],
                            "detail": {
                                "event": ["referenceCreated", "referenceUpdated"],
                                "referenceType": ["branch"],
                                "referenceName": [env.branch.as_deref()],
                            },
                        },
                        "State": "ENABLED",
                        "Targets": [{
                            "Id": "Pipeline",
                            "Arn": pipeline_arn,
                            "RoleArn": get_att("TriggerRole", "Arn"),
                        }],
                    }),
                ),
            )?;
        }
        Source::GitHubConnection { .. } => {}
    }
    Ok(t)
}
