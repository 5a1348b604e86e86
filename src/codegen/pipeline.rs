//! One environment's pipeline, as the single model that both its
//! CloudFormation resource (`pipeline_template`) and CodePipeline's own
//! declaration (`pipeline_declaration`) are rendered from, by one walker
//! ([`render`]): the two can differ only in how a value is written (an
//! intrinsic function in the template, the resolved text in the declaration)
//! and in the case of the keys.
//!
//! Stages, in order:
//! - `Source`: the lake's repository, on pushes to the environment's branch;
//! - `Build`: a CodeBuild project that hands the repository's committed
//!   `out/` on as the `Build` artifact (see `build_step`);
//! - `UpdatePipeline`: CloudFormation updates the pipeline's own stack from
//!   `Build::pipelines/<Env>.template.json`; a changed pipeline restarts on its
//!   new definition before it deploys anything;
//! - `Deploy`: for each dependency level of the environment's stacks, their
//!   change sets (`CHANGE_SET_REPLACE`), then, when the environment wants an
//!   approval, a manual approval naming those change sets, then their
//!   execution (`CHANGE_SET_EXECUTE`). A level waits for the one before it:
//!   a stack's change set can only be made once the exports it imports exist.

use super::value::{json, Object, Text, Value};

use super::naming::{self, PipelineNames};
use super::pipeline_declaration::Placeholder;
use super::{Error, Stack};
use crate::concat::concat_string;
use crate::model::{EnvField, Environment, Lake, Source};

/// The partition of every region the stdlib knows (commercial regions only):
/// what the declaration writes where the template says `${AWS::Partition}`.
pub const PARTITION: &str = "aws";

/// The change set each deploy action prepares and executes.
pub const CHANGE_SET: &str = "PipelineChange";

/// The artifact of the source stage: the repository at the pushed commit.
pub const SOURCE_ARTIFACT: &str = "Source";
/// The artifact of the build stage: the compiled `out/` folder.
pub const BUILD_ARTIFACT: &str = "Build";

/// The name of the source action (a V2 trigger names it).
pub const SOURCE_ACTION: &str = "Checkout";

/// CodePipeline's limit on an approval's message (`CustomData`).
const MAX_APPROVAL_MESSAGE: usize = 500;

/// A value that the template writes with an intrinsic function and the
/// declaration writes resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// The same text in both.
    Text(String),
    /// An ARN written with `${AWS::Partition}`: `Fn::Sub` in the template,
    /// the partition substituted in the declaration.
    Arn(String),
    /// A resource of the pipeline stack: `Ref` in the template, its name in
    /// the declaration.
    Ref { logical_id: String, name: String },
    /// An attribute of a resource of the pipeline stack: `Fn::GetAtt` in the
    /// template; in the declaration `resolved`, an equivalent known before the
    /// stack exists (a role's ARN), or a placeholder (a KMS key's ARN: a key's
    /// ID is only known once it is created, and cross-account actions take no
    /// alias).
    Att {
        logical_id: String,
        attribute: &'static str,
        resolved: String,
    },
    /// A secret: in the template, the dynamic reference CloudFormation
    /// resolves; in the declaration, a placeholder (the API resolves none).
    Secret {
        reference: String,
        placeholder: Placeholder,
    },
    /// A value given when the pipeline stack is deployed: `Ref` of the
    /// template's parameter `name`; in the declaration, the placeholder
    /// `dlc pipeline-declaration` fills with the same value.
    Param {
        name: &'static str,
        placeholder: Placeholder,
    },
    /// Text that names a parameter: `Fn::Sub` of `template` in the template;
    /// `declared`, which writes the parameter's placeholder, in the declaration.
    Sub { template: String, declared: String },
}

impl Val {
    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(s.into())
    }

    /// The ARN of a role in `account`.
    pub fn role_arn(account: &str, name: &str) -> Val {
        Val::Arn(concat_string!(
            "arn:${AWS::Partition}:iam::",
            account,
            ":role/",
            name
        ))
    }

    pub fn render(&self, style: Style) -> Value {
        match (self, style) {
            (Val::Text(s), _) => json!(s),
            (Val::Arn(s), Style::Template) => json!({ "Fn::Sub": s }),
            (Val::Arn(s), Style::Declaration) => {
                json!(s.replace("${AWS::Partition}", PARTITION))
            }
            (Val::Ref { logical_id, .. }, Style::Template) => json!({ "Ref": logical_id }),
            (Val::Ref { name, .. }, Style::Declaration) => json!(name),
            (
                Val::Att {
                    logical_id,
                    attribute,
                    ..
                },
                Style::Template,
            ) => json!({ "Fn::GetAtt": [logical_id, attribute] }),
            (Val::Att { resolved, .. }, Style::Declaration) => json!(resolved),
            (Val::Secret { reference, .. }, Style::Template) => json!(reference),
            (Val::Secret { placeholder, .. }, Style::Declaration) => json!(placeholder.text()),
            (Val::Param { name, .. }, Style::Template) => json!({ "Ref": name }),
            (Val::Param { placeholder, .. }, Style::Declaration) => json!(placeholder.text()),
            (Val::Sub { template, .. }, Style::Template) => json!({ "Fn::Sub": template }),
            (Val::Sub { declared, .. }, Style::Declaration) => json!(declared),
        }
    }
}

/// Which of the two forms to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// An `AWS::CodePipeline::Pipeline`'s properties: PascalCase keys, intrinsics.
    Template,
    /// CodePipeline's API (`create-pipeline --cli-input-json`): camelCase keys,
    /// resolved values.
    Declaration,
}

impl Style {
    /// A key as this form spells it: `RoleArn` or `roleArn` (the keys are
    /// ASCII).
    fn key(self, pascal: &'static str) -> Text {
        match self {
            Style::Template => Text::Borrowed(pascal),
            Style::Declaration => {
                let mut camel = pascal.to_string();
                if let Some(first) = camel.get_mut(..1) {
                    first.make_ascii_lowercase();
                }
                Text::Owned(camel)
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// The environment it deploys.
    pub environment: String,
    pub name: String,
    /// The role CodePipeline acts as.
    pub role: Val,
    /// The region it runs in: the deployment region.
    pub region: String,
    pub artifact_bucket: Val,
    pub artifact_key: Val,
    /// The artifact stores of the other regions its actions run in; none
    /// when every action runs in the pipeline's region.
    pub regional_stores: Vec<RegionalStore>,
    pub stages: Vec<Stage>,
    /// Git triggers (pipeline type V2): only a connection source has them; a
    /// GitHub token source is started by a webhook, CodeCommit by an
    /// EventBridge rule, both resources of the pipeline stack.
    pub triggers: Vec<Trigger>,
    pub tags: Vec<(String, String)>,
}

/// An artifact store in a region other than the pipeline's, from the
/// bootstrap: CodePipeline copies the artifacts there for the actions of
/// that region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionalStore {
    pub region: String,
    pub bucket: String,
    /// Its key's ARN: the key is another stack's, in another region, which
    /// a template cannot reference, and cross-account actions take no alias;
    /// so the pipeline stack takes the ARN as a parameter
    /// ([`REGIONAL_KEY_PARAMETER`]) and the declaration as a placeholder.
    pub key: Val,
}

/// The pipeline stack's parameter that takes the ARN of its artifact key in
/// the environment's region: the `ArtifactKeyArn` output of the
/// `<Env>...Artifacts` setup stack.
pub const REGIONAL_KEY_PARAMETER: &str = "RegionalArtifactKeyArn";

/// The regional key's parameter as the self-update passes it on: the stack
/// keeps the value it was deployed with.
fn regional_key_overrides() -> Val {
    let json_with =
        |value: &str| concat_string!("{\"", REGIONAL_KEY_PARAMETER, "\":\"", value, "\"}");
    Val::Sub {
        template: json_with(&concat_string!("${", REGIONAL_KEY_PARAMETER, "}")),
        declared: json_with(Placeholder::RegionalArtifactKeyArn.text()),
    }
}

/// Whether `env`'s pipeline deploys outside the deployment region, and so
/// needs an artifact store in the environment's region.
pub fn crosses_regions(lake: &Lake, env: &Environment) -> bool {
    env.region.name != lake.deployment_region.name
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub name: String,
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub name: String,
    pub category: &'static str,
    pub owner: &'static str,
    pub provider: &'static str,
    pub run_order: u32,
    /// In the order written. Keys are CodePipeline's, the same in both forms.
    pub configuration: Vec<(&'static str, Val)>,
    pub input_artifacts: Vec<String>,
    pub output_artifacts: Vec<String>,
    /// The role the action acts as, when not the pipeline's.
    pub role: Option<Val>,
    /// The region it runs in, when the pipeline crosses regions.
    pub region: Option<String>,
}

/// Start the pipeline on a push to `branch`, seen by the source action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub source_action: String,
    pub branch: String,
}

/// The pipeline of `env` (which has a branch), deploying `stacks` (the
/// environment's stacks, in deploy order).
pub fn build(
    lake: &Lake,
    env: &Environment,
    names: &PipelineNames,
    stacks: &[Stack],
) -> Result<Pipeline, Error> {
    let span = env.field_spans.get_or(EnvField::Branch, env.span);
    let Some(branch) = &env.branch else {
        return Err(Error::new(
            env.span,
            concat_string!("`", env.name, "` has no branch, so no pipeline"),
        ));
    };
    for (name, what, limit) in names.limited() {
        // The bucket names bound the prefix and environment name well below
        // these limits; codegen still refuses rather than emit a bad name.
        if name.len() > limit {
            return Err(Error::new(
                span,
                format!("the {what} name `{name}` is over AWS's {limit} characters"),
            ));
        }
    }
    let account = &lake.deployment_account;
    let region = &lake.deployment_region.name;

    let mut triggers = Vec::new();
    let source = source_action(lake, branch, &mut triggers);
    let stages = vec![
        Stage {
            name: "Source".into(),
            actions: vec![source],
        },
        Stage {
            name: "Build".into(),
            actions: vec![Action {
                name: "Compile".into(),
                category: "Build",
                owner: "AWS",
                provider: "CodeBuild",
                run_order: 1,
                configuration: vec![(
                    "ProjectName",
                    Val::Ref {
                        logical_id: "BuildProject".into(),
                        name: names.build_project.clone(),
                    },
                )],
                input_artifacts: vec![SOURCE_ARTIFACT.into()],
                output_artifacts: vec![BUILD_ARTIFACT.into()],
                role: None,
                region: None,
            }],
        },
        Stage {
            name: "UpdatePipeline".into(),
            actions: vec![Action {
                name: "SelfUpdate".into(),
                category: "Deploy",
                owner: "AWS",
                provider: "CloudFormation",
                run_order: 1,
                configuration: vec![
                    ("ActionMode", Val::text("CREATE_UPDATE")),
                    (
                        "StackName",
                        Val::text(naming::pipeline_stack_name(lake, env)),
                    ),
                    (
                        "TemplatePath",
                        Val::text(concat_string!(
                            BUILD_ARTIFACT,
                            "::",
                            naming::pipeline_template_path(env)
                        )),
                    ),
                    ("Capabilities", Val::text("CAPABILITY_NAMED_IAM")),
                    ("RoleArn", Val::role_arn(account, &names.update_role)),
                ]
                .into_iter()
                .chain(
                    crosses_regions(lake, env)
                        .then(|| ("ParameterOverrides", regional_key_overrides())),
                )
                .collect(),
                input_artifacts: vec![BUILD_ARTIFACT.into()],
                output_artifacts: vec![],
                role: None,
                region: None,
            }],
        },
        Stage {
            name: "Deploy".into(),
            actions: deploy_actions(lake, env, names, stacks)?,
        },
    ];

    let mut tags = naming::tags(lake, env);
    tags.push((
        concat_string!(lake.resource_prefix, ":pipeline"),
        env.name.clone(),
    ));
    Ok(Pipeline {
        environment: env.name.clone(),
        name: names.pipeline.clone(),
        region: region.clone(),
        role: Val::Att {
            logical_id: "PipelineRole".into(),
            attribute: "Arn",
            resolved: concat_string!(
                "arn:",
                PARTITION,
                ":iam::",
                account,
                ":role/",
                names.pipeline_role
            ),
        },
        artifact_bucket: Val::Ref {
            logical_id: "ArtifactBucket".into(),
            name: names.bucket.clone(),
        },
        artifact_key: Val::Att {
            logical_id: "ArtifactKey".into(),
            attribute: "Arn",
            resolved: Placeholder::ArtifactKeyArn.text().into(),
        },
        regional_stores: if crosses_regions(lake, env) {
            vec![RegionalStore {
                region: env.region.name.clone(),
                bucket: naming::regional_artifact_bucket(lake, env),
                key: Val::Param {
                    name: REGIONAL_KEY_PARAMETER,
                    placeholder: Placeholder::RegionalArtifactKeyArn,
                },
            }]
        } else {
            Vec::new()
        },
        stages,
        triggers,
        tags,
    })
}

fn source_action(lake: &Lake, branch: &str, triggers: &mut Vec<Trigger>) -> Action {
    let (owner, provider, configuration): (_, _, Vec<(&'static str, Val)>) = match &lake.source {
        Source::GitHub {
            repository,
            token_secret,
            ..
        } => {
            let (owner, repo) = repository.split_once('/').unwrap_or(("", repository));
            (
                "ThirdParty",
                "GitHub",
                vec![
                    ("Owner", Val::text(owner)),
                    ("Repo", Val::text(repo)),
                    ("Branch", Val::text(branch)),
                    (
                        "OAuthToken",
                        Val::Secret {
                            reference: oauth_token_reference(token_secret),
                            placeholder: Placeholder::GitHubToken,
                        },
                    ),
                    // The pipeline stack's webhook starts the pipeline.
                    ("PollForSourceChanges", Val::text("false")),
                ],
            )
        }
        Source::GitHubConnection {
            repository,
            connection,
            ..
        } => {
            triggers.push(Trigger {
                source_action: SOURCE_ACTION.into(),
                branch: branch.to_string(),
            });
            (
                "AWS",
                "CodeStarSourceConnection",
                vec![
                    ("ConnectionArn", Val::text(connection)),
                    ("FullRepositoryId", Val::text(repository)),
                    ("BranchName", Val::text(branch)),
                    ("OutputArtifactFormat", Val::text("CODE_ZIP")),
                    ("DetectChanges", Val::text("true")),
                ],
            )
        }
        Source::CodeCommit { repository, .. } => (
            "AWS",
            "CodeCommit",
            vec![
                ("RepositoryName", Val::text(repository)),
                ("BranchName", Val::text(branch)),
                ("OutputArtifactFormat", Val::text("CODE_ZIP")),
                // The pipeline stack's EventBridge rule starts the pipeline.
                ("PollForSourceChanges", Val::text("false")),
            ],
        ),
    };
    Action {
        name: SOURCE_ACTION.into(),
        category: "Source",
        owner,
        provider,
        run_order: 1,
        configuration,
        input_artifacts: vec![],
        output_artifacts: vec![SOURCE_ARTIFACT.into()],
        role: None,
        region: None,
    }
}

/// The dynamic reference CloudFormation resolves to the GitHub token, as the
/// seed writes it. Only the secret's name is in the template.
pub fn oauth_token_reference(secret: &str) -> String {
    concat_string!("{{resolve:secretsmanager:", secret, ":SecretString:::}}")
}

/// The stacks grouped by dependency level: a stack's level is one more than
/// the highest of the stacks it imports from, wherever those come in
/// `stacks` (a `Network` imports from the `Storage` after it). Stacks of
/// other environments do not count; the manifest orders those.
pub fn levels(stacks: &[Stack]) -> Vec<Vec<&Stack>> {
    let mut level_of: Vec<usize> = vec![0; stacks.len()];
    // Raising each stack above its dependencies until nothing moves takes at
    // most one pass per stack, as imports never form a cycle (CloudFormation
    // could not deploy one); the bound keeps a cycle from looping.
    for _ in 0..stacks.len() {
        let mut moved = false;
        for (i, stack) in stacks.iter().enumerate() {
            let level = stacks
                .iter()
                .zip(&level_of)
                .filter(|(other, _)| stack.depends_on.contains(&other.name))
                .map(|(_, level)| level + 1)
                .max()
                .unwrap_or(0);
            if level != level_of[i] {
                level_of[i] = level;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    let depth = level_of.iter().max().map_or(0, |l| l + 1);
    (0..depth)
        .map(|l| {
            stacks
                .iter()
                .zip(&level_of)
                .filter(|(_, level)| **level == l)
                .map(|(s, _)| s)
                .collect()
        })
        .collect()
}

fn deploy_actions(
    lake: &Lake,
    env: &Environment,
    names: &PipelineNames,
    stacks: &[Stack],
) -> Result<Vec<Action>, Error> {
    let deploy_role = Val::role_arn(&env.account, &names.deploy_role);
    let deploy_region = crosses_regions(lake, env).then(|| env.region.name.clone());
    let execution_role = Val::role_arn(&env.account, &names.execution_role);
    let cloudformation = |name: String, run_order, configuration, input: bool| Action {
        name,
        category: "Deploy",
        owner: "AWS",
        provider: "CloudFormation",
        run_order,
        configuration,
        input_artifacts: if input {
            vec![BUILD_ARTIFACT.into()]
        } else {
            vec![]
        },
        output_artifacts: vec![],
        role: Some(deploy_role.clone()),
        region: deploy_region.clone(),
    };
    let mut actions = Vec::new();
    let mut run_order = 1;
    for level in levels(stacks) {
        for stack in &level {
            let mut configuration = vec![
                ("ActionMode", Val::text("CHANGE_SET_REPLACE")),
                ("StackName", Val::text(&stack.name)),
                ("ChangeSetName", Val::text(CHANGE_SET)),
                (
                    "TemplatePath",
                    Val::text(concat_string!(BUILD_ARTIFACT, "::", stack.path)),
                ),
            ];
            if !stack.capabilities.is_empty() {
                configuration.push(("Capabilities", Val::text(stack.capabilities.join(","))));
            }
            configuration.push(("RoleArn", execution_role.clone()));
            actions.push(cloudformation(
                concat_string!(stack.kind.as_str(), ".Prepare"),
                run_order,
                configuration,
                true,
            ));
        }
        run_order += 1;
        if env.approval {
            actions.push(approval(env, &level, run_order)?);
            run_order += 1;
        }
        for stack in &level {
            actions.push(cloudformation(
                concat_string!(stack.kind.as_str(), ".Execute"),
                run_order,
                vec![
                    ("ActionMode", Val::text("CHANGE_SET_EXECUTE")),
                    ("StackName", Val::text(&stack.name)),
                    ("ChangeSetName", Val::text(CHANGE_SET)),
                ],
                false,
            ));
        }
        run_order += 1;
    }
    Ok(actions)
}

/// A manual approval of one level's change sets, named in its message.
fn approval(env: &Environment, level: &[&Stack], run_order: u32) -> Result<Action, Error> {
    let kinds: Vec<&str> = level.iter().map(|s| s.kind.as_str()).collect();
    let stacks: Vec<&str> = level.iter().map(|s| s.name.as_str()).collect();
    let message = concat_string!(
        "Approve to deploy ",
        env.name,
        ": review the change set",
        if stacks.len() == 1 { "" } else { "s" },
        " ",
        CHANGE_SET,
        " of ",
        stacks.join(", "),
        " in account ",
        env.account,
        " (",
        env.region.name,
        ") first."
    );
    if message.len() > MAX_APPROVAL_MESSAGE {
        return Err(Error::new(
            env.span,
            format!("the approval message of `{}` is over CodePipeline's {MAX_APPROVAL_MESSAGE} characters", env.name),
        ));
    }
    Ok(Action {
        name: concat_string!("Approve.", kinds.join("-")),
        category: "Approval",
        owner: "AWS",
        provider: "Manual",
        run_order,
        configuration: vec![("CustomData", Val::Text(message))],
        input_artifacts: vec![],
        output_artifacts: vec![],
        role: None,
        region: None,
    })
}

/// The pipeline's structure in one of its two forms. In the template these
/// are the properties of the `AWS::CodePipeline::Pipeline`, less those only
/// CloudFormation has (`RestartExecutionOnUpdate`, `Tags`); in the
/// declaration, the `pipeline` object of `create-pipeline`'s input.
pub fn render(pipeline: &Pipeline, style: Style) -> Object {
    let k = |key: &'static str| style.key(key);
    let artifacts = |names: &[String]| -> Value {
        names
            .iter()
            .map(|n| {
                let mut m = Object::new();
                m.insert(k("Name"), json!(n));
                Value::Object(m)
            })
            .collect()
    };
    let stages: Vec<Value> = pipeline
        .stages
        .iter()
        .map(|stage| {
            let actions: Vec<Value> = stage
                .actions
                .iter()
                .map(|a| {
                    let mut action = Object::new();
                    action.insert(k("Name"), json!(&a.name));
                    let mut type_id = Object::new();
                    type_id.insert(k("Category"), json!(a.category));
                    type_id.insert(k("Owner"), json!(a.owner));
                    type_id.insert(k("Provider"), json!(a.provider));
                    type_id.insert(k("Version"), json!("1"));
                    action.insert(k("ActionTypeId"), Value::Object(type_id));
                    action.insert(k("RunOrder"), json!(a.run_order));
                    // Configuration keys are the action's own: never re-cased.
                    let configuration: Object = a
                        .configuration
                        .iter()
                        .map(|(key, v)| (key.to_string(), v.render(style)))
                        .collect();
                    action.insert(k("Configuration"), Value::Object(configuration));
                    if !a.input_artifacts.is_empty() {
                        action.insert(k("InputArtifacts"), artifacts(&a.input_artifacts));
                    }
                    if !a.output_artifacts.is_empty() {
                        action.insert(k("OutputArtifacts"), artifacts(&a.output_artifacts));
                    }
                    if let Some(role) = &a.role {
                        action.insert(k("RoleArn"), role.render(style));
                    }
                    if let Some(region) = &a.region {
                        action.insert(k("Region"), json!(region));
                    }
                    Value::Object(action)
                })
                .collect();
            let mut s = Object::new();
            s.insert(k("Name"), json!(&stage.name));
            s.insert(k("Actions"), Value::Array(actions));
            Value::Object(s)
        })
        .collect();

    let store = |bucket: Value, key_id: Value| {
        let mut key = Object::new();
        key.insert(k("Id"), key_id);
        key.insert(k("Type"), json!("KMS"));
        let mut store = Object::new();
        store.insert(k("Type"), json!("S3"));
        store.insert(k("Location"), bucket);
        store.insert(k("EncryptionKey"), Value::Object(key));
        Value::Object(store)
    };
    let home = store(
        pipeline.artifact_bucket.render(style),
        pipeline.artifact_key.render(style),
    );

    let mut out = Object::new();
    out.insert(k("Name"), json!(&pipeline.name));
    out.insert(k("RoleArn"), pipeline.role.render(style));
    out.insert(k("PipelineType"), json!("V2"));
    // A newer push overtakes an older one that has not reached its stage yet.
    out.insert(k("ExecutionMode"), json!("SUPERSEDED"));
    if pipeline.regional_stores.is_empty() {
        out.insert(k("ArtifactStore"), home);
    } else {
        // One store per region; CodePipeline takes either form, not both.
        let mut stores = vec![(pipeline.region.as_str(), home)];
        stores.extend(pipeline.regional_stores.iter().map(|r| {
            (
                r.region.as_str(),
                store(json!(&r.bucket), r.key.render(style)),
            )
        }));
        let stores = match style {
            // CloudFormation: a list of { Region, ArtifactStore }.
            Style::Template => Value::Array(
                stores
                    .into_iter()
                    .map(|(region, store)| json!({ "Region": region, "ArtifactStore": store }))
                    .collect(),
            ),
            // The API: a map from region to store.
            Style::Declaration => Value::Object(
                stores
                    .into_iter()
                    .map(|(region, store)| (region.to_string(), store))
                    .collect(),
            ),
        };
        out.insert(k("ArtifactStores"), stores);
    }
    out.insert(k("Stages"), Value::Array(stages));
    if !pipeline.triggers.is_empty() {
        let triggers: Vec<Value> = pipeline
            .triggers
            .iter()
            .map(|t| {
                let mut includes = Object::new();
                includes.insert(k("Includes"), json!([&t.branch]));
                let mut push = Object::new();
                push.insert(k("Branches"), Value::Object(includes));
                let mut git = Object::new();
                git.insert(k("SourceActionName"), json!(&t.source_action));
                git.insert(k("Push"), json!([Value::Object(push)]));
                let mut trigger = Object::new();
                trigger.insert(k("ProviderType"), json!("CodeStarSourceConnection"));
                trigger.insert(k("GitConfiguration"), Value::Object(git));
                Value::Object(trigger)
            })
            .collect();
        out.insert(k("Triggers"), Value::Array(triggers));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_camel_case_in_the_declaration() {
        assert_eq!(Style::Declaration.key("RoleArn"), "roleArn");
        assert_eq!(Style::Declaration.key("ActionTypeId"), "actionTypeId");
        assert_eq!(Style::Template.key("RoleArn"), "RoleArn");
    }

    #[test]
    fn values_resolve_in_the_declaration() {
        let arn = Val::role_arn("111111111111", "r");
        assert_eq!(
            arn.render(Style::Template),
            json!({ "Fn::Sub": "arn:${AWS::Partition}:iam::111111111111:role/r" })
        );
        assert_eq!(
            arn.render(Style::Declaration),
            json!("arn:aws:iam::111111111111:role/r")
        );
        let project = Val::Ref {
            logical_id: "BuildProject".into(),
            name: "dev-x-pipeline-build".into(),
        };
        assert_eq!(
            project.render(Style::Template),
            json!({ "Ref": "BuildProject" })
        );
        assert_eq!(
            project.render(Style::Declaration),
            json!("dev-x-pipeline-build")
        );
    }

    #[test]
    fn the_token_is_a_dynamic_reference() {
        assert_eq!(
            oauth_token_reference("/DataLake/GitHubToken"),
            "{{resolve:secretsmanager:/DataLake/GitHubToken:SecretString:::}}"
        );
    }
}
