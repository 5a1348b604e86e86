//! CloudFormation for each environment of a checked lake, and the manifest
//! that says how to deploy it.
//!
//! Pure: [`compile`] reads a [`model::Lake`] and returns the files to write
//! (paths relative to the output folder, pretty JSON with a trailing newline);
//! the driver writes them. The same lake always gives the same bytes.
//!
//! Each environment gets up to three stacks, deployed in this order:
//! `Network` (VPC, subnets, NAT, endpoints, shared security group), `Storage`
//! (KMS key, access-logs bucket, zone buckets, audit table) and, when the
//! environment has one, `Warehouse` (Redshift Serverless). Later stacks import
//! the earlier ones' exports.
//!
//! Each environment with a branch also gets a pipeline that deploys those
//! stacks (`pipelines/<Env>.template.json` and the same pipeline as
//! CodePipeline's declaration, `pipelines/<Env>.pipeline.json`) and a
//! bootstrap template for its account (`bootstrap/<Env>.template.json`); the
//! deployment account gets one bootstrap template for all the pipelines
//! (`bootstrap/<Lake>.template.json`), and a pipeline that deploys outside
//! the deployment region an artifact store in that region
//! (`bootstrap/<Env>.artifacts.template.json`). A team deploys these by hand, once, in
//! the manifest's `setup_order`. See `docs/output.md`.

pub mod bootstrap;
pub mod build_step;
// Test support that reads the example lakes from the repository: shared
// with the integration tests, and no part of the library.
#[cfg(test)]
#[path = "../../tests/common/fixtures.rs"]
pub(crate) mod fixtures;
pub mod json;
pub mod limits;
pub mod manifest;
pub mod naming;
pub mod pipeline;
pub mod pipeline_declaration;
pub mod pipeline_template;
pub mod template;
pub mod value;

mod audit;
pub(crate) mod network;
mod storage;
mod warehouse;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use value::Value;

use crate::concat::concat_string;
use crate::model::{EnvField, Environment, Lake, LakeField, Retention};
use crate::source::Span;
pub use manifest::{locate_in, locate_in_project, Locate, Manifest};
pub use naming::StackKind;
use template::{Policy, Template};

/// Something in the model that codegen cannot turn into a valid template.
/// The checker rejects these first; codegen still never panics on them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub span: Span,
    pub message: String,
}

impl Error {
    pub fn new(span: Span, message: impl Into<String>) -> Error {
        Error {
            span,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One file to write, relative to the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// `Dev/Network.template.json`, `manifest.json`.
    pub path: String,
    pub contents: String,
}

/// Everything one compile produces.
#[derive(Clone, Debug)]
pub struct Output {
    /// The environments' templates in deploy order, then the bootstrap
    /// templates, then each pipeline's template and declaration, then
    /// `manifest.json`.
    pub files: Vec<File>,
    pub manifest: Manifest,
}

impl Output {
    pub fn file(&self, path: &str) -> Option<&File> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// One stack of one environment, before rendering.
#[derive(Clone, Debug)]
pub struct Stack {
    pub kind: StackKind,
    pub name: String,
    pub environment: String,
    pub account: String,
    pub region: String,
    pub path: String,
    /// Names of the stacks whose exports this one imports.
    pub depends_on: Vec<String>,
    /// Capabilities `CreateStack` needs (`CAPABILITY_IAM` for unnamed roles).
    pub capabilities: Vec<&'static str>,
    /// Stack-level tags (CloudFormation puts these on the stack at deploy time).
    pub tags: Vec<(String, String)>,
    pub template: Template,
    pub span: Span,
}

/// A stack a team deploys by hand, once, before the pipelines deploy the
/// environments' stacks: a bootstrap stack or a pipeline stack.
#[derive(Clone, Debug)]
pub struct SetupStack {
    pub name: String,
    /// `None` for the deployment account's bootstrap, which serves every
    /// environment.
    pub environment: Option<String>,
    pub account: String,
    pub region: String,
    pub path: String,
    /// Stacks that must be deployed first.
    pub depends_on: Vec<String>,
    pub capabilities: Vec<&'static str>,
    pub tags: Vec<(String, String)>,
    pub template: Template,
    pub span: Span,
    /// For a pipeline stack: the pipeline it holds.
    pub pipeline: Option<PipelineStack>,
}

/// What the manifest says of a pipeline beyond its stack.
#[derive(Clone, Debug)]
pub struct PipelineStack {
    pub model: pipeline::Pipeline,
    pub branch: String,
    /// The path of its declaration (`pipelines/<Env>.pipeline.json`).
    pub declaration: String,
    /// The environment's stacks it deploys, in deploy order.
    pub deploys: Vec<String>,
    /// The ARN of the role CloudFormation deploys the pipeline stack with
    /// (from the deployment account's bootstrap): `--role-arn` when a person
    /// deploys it the first time, as the pipeline does after.
    pub update_role: String,
    /// The stack's parameters, each filled from an output of a setup stack
    /// deployed before it (in another region, so no export can carry it).
    pub parameters: Vec<(String, manifest::ParameterSource)>,
}

/// The file name of the manifest in the output folder.
pub const MANIFEST: &str = "manifest.json";

/// Compiles every environment of `lake`, or only `only_env`. `locate` maps a
/// span to (file, line, column) for the manifest.
pub fn compile(
    lake: &Lake,
    only_env: Option<&str>,
    locate: Locate<'_>,
) -> Result<Output, Vec<Error>> {
    compile_in_memory(lake, only_env, locate, |_| {})
}

/// [`compile`], with the measures of each template over a CloudFormation
/// quota ([`limits::Measured::over_a_quota`]): for a caller whose check
/// left the quotas to the compile, so that each template is built once.
pub fn compile_over_quota(
    lake: &Lake,
    only_env: Option<&str>,
    locate: Locate<'_>,
) -> Result<(Output, Vec<limits::Measured>), Vec<Error>> {
    let mut over_quota = Vec::new();
    let output = compile_in_memory(lake, only_env, locate, |template| {
        if template.over_a_quota() {
            over_quota.push(template);
        }
    })?;
    Ok((output, over_quota))
}

fn compile_in_memory(
    lake: &Lake,
    only_env: Option<&str>,
    locate: Locate<'_>,
    measured: impl FnMut(limits::Measured),
) -> Result<Output, Vec<Error>> {
    let mut files = Vec::new();
    let result = compile_measured(
        lake,
        only_env,
        locate,
        |file| {
            files.push(file);
            Ok::<(), std::convert::Infallible>(())
        },
        measured,
    );
    match result {
        Ok(manifest) => Ok(Output { files, manifest }),
        Err(CompileError::Codegen(errors)) => Err(errors),
        Err(CompileError::Emit(never)) => match never {},
    }
}

/// Why [`compile_each`] stopped.
#[derive(Debug)]
pub enum CompileError<E> {
    /// The lake cannot be compiled (the checks should have caught it).
    Codegen(Vec<Error>),
    /// `emit` failed.
    Emit(E),
}

/// Like [`compile`], but hands each file to `emit` as soon as it is rendered
/// and keeps only what the manifest needs of each template, so a lake of
/// thousands of environments never has all its templates in memory. Files
/// come in the same order as [`Output::files`]; on an error, the files
/// already emitted are not a complete output.
pub fn compile_each<E>(
    lake: &Lake,
    only_env: Option<&str>,
    locate: Locate<'_>,
    emit: impl FnMut(File) -> Result<(), E>,
) -> Result<Manifest, CompileError<E>> {
    compile_measured(lake, only_env, locate, emit, |_| {})
}

/// [`compile_each`], handing each template's size and counts to `measured`
/// as it is written: what [`limits::measure`] finds, without building the
/// templates a second time.
pub fn compile_measured<E>(
    lake: &Lake,
    only_env: Option<&str>,
    locate: Locate<'_>,
    mut emit: impl FnMut(File) -> Result<(), E>,
    measured: impl FnMut(limits::Measured),
) -> Result<Manifest, CompileError<E>> {
    let mut manifest_text = String::new();
    let whole_files = |emitted: Emitted<'_>| match emitted {
        Emitted::File(file) => emit(file),
        Emitted::Piece(piece) => {
            manifest_text.push_str(piece);
            Ok(())
        }
        Emitted::ManifestEnd => emit(File {
            path: MANIFEST.to_string(),
            contents: std::mem::take(&mut manifest_text),
        }),
    };
    compile_streaming(lake, only_env, locate, whole_files, measured, true)
}

/// What a compile in pieces ([`compile_in_pieces`]) hands its caller: the
/// files in the order of [`Output::files`] and, among them, the pieces of
/// the manifest (the last file): its head first, each stack's entry after
/// the stack's template, the rest after the last file, then
/// [`Emitted::ManifestEnd`].
#[derive(Debug)]
pub enum Emitted<'a> {
    /// A whole file.
    File(File),
    /// The next piece of [`MANIFEST`]: it lists every stack, so it is
    /// written as the stacks are, never held whole.
    Piece(&'a str),
    /// [`MANIFEST`] is complete.
    ManifestEnd,
}

/// [`compile_measured`] for a caller that writes the manifest in pieces:
/// a lake of thousands of environments then never holds its manifest, its
/// text or its entries, in memory.
pub fn compile_in_pieces<E>(
    lake: &Lake,
    only_env: Option<&str>,
    locate: Locate<'_>,
    emit: impl FnMut(Emitted<'_>) -> Result<(), E>,
    measured: impl FnMut(limits::Measured),
) -> Result<(), CompileError<E>> {
    compile_streaming(lake, only_env, locate, emit, measured, false).map(drop)
}

/// The compile itself. The manifest it returns lists its stacks only with
/// `keep_stacks` (the pieces always do).
fn compile_streaming<E>(
    lake: &Lake,
    only_env: Option<&str>,
    locate: Locate<'_>,
    mut emit: impl FnMut(Emitted<'_>) -> Result<(), E>,
    mut measured: impl FnMut(limits::Measured),
    keep_stacks: bool,
) -> Result<Manifest, CompileError<E>> {
    let environments: Vec<&Environment> = match only_env {
        None => lake.environments.values().collect(),
        Some(name) => match lake.environments.get(name) {
            Some(env) => vec![env],
            None => {
                let known: Vec<&str> = lake.environments.keys().map(String::as_str).collect();
                return Err(CompileError::Codegen(vec![Error::new(
                    lake.span,
                    concat_string!(
                        "the lake has no environment `",
                        name,
                        "`; it has ",
                        known.join(", ")
                    ),
                )]));
            }
        },
    };

    // Each template is dropped once written and recorded in the manifest:
    // what is kept of a stack is its name, place and dependencies, which the
    // pipelines need. The manifest's entry for a stack is written with it.
    let deploy_order = manifest::planned_deploy_order(lake, &environments);
    let mut manifest = manifest::ManifestWriter::new(locate, deploy_order, keep_stacks);
    emit(Emitted::Piece(&manifest.head(lake))).map_err(CompileError::Emit)?;
    let mut stacks = Vec::new();
    let mut errors = Vec::new();
    for env in &environments {
        match environment_stacks(lake, env) {
            Ok(env_stacks) => {
                for mut stack in env_stacks {
                    if errors.is_empty() {
                        let contents = stack.template.render();
                        measured(limits::of_stack(
                            env,
                            &stack,
                            &stack.template,
                            contents.len(),
                        ));
                        emit(Emitted::File(File {
                            path: stack.path.clone(),
                            contents,
                        }))
                        .map_err(CompileError::Emit)?;
                        emit(Emitted::Piece(&manifest.stack(&stack)))
                            .map_err(CompileError::Emit)?;
                    }
                    drop(std::mem::take(&mut stack.template));
                    stacks.push(stack);
                }
            }
            Err(mut env_errors) => errors.append(&mut env_errors),
        }
    }
    if !errors.is_empty() {
        return Err(CompileError::Codegen(errors));
    }
    setup_stacks_each(lake, &environments, &stacks, |s| {
        let contents = s.template.render();
        measured(limits::of_setup(s, contents.len()));
        emit(Emitted::File(File {
            path: s.path.clone(),
            contents,
        }))?;
        if let Some(p) = &s.pipeline {
            emit(Emitted::File(File {
                path: p.declaration.clone(),
                contents: pipeline_declaration::render(&p.model),
            }))?;
        }
        manifest.setup(s);
        drop(std::mem::take(&mut s.template));
        Ok(())
    })?;
    drop(stacks);

    let (tail, manifest) = manifest
        .finish(lake)
        .map_err(|error| CompileError::Codegen(vec![error]))?;
    emit(Emitted::Piece(&tail)).map_err(CompileError::Emit)?;
    emit(Emitted::ManifestEnd).map_err(CompileError::Emit)?;
    Ok(manifest)
}

/// The bootstrap stacks (the deployment account's, each environment's, and
/// the artifact stores of pipelines that cross regions), then the pipeline
/// stacks, of `environments` (those with a branch). The deployment account's bootstrap always covers every
/// pipeline of the lake, so that deploying it after a `--env` compile
/// removes none.
pub fn setup_stacks(
    lake: &Lake,
    environments: &[&Environment],
    stacks: &[Stack],
) -> Result<Vec<SetupStack>, Vec<Error>> {
    setup_stacks_each(lake, environments, stacks, |_| {
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|error| match error {
        CompileError::Codegen(errors) => errors,
        CompileError::Emit(never) => match never {},
    })
}

/// [`setup_stacks`], handing each stack to `finish` as soon as it is built
/// (to render it and let go of its properties).
fn setup_stacks_each<E>(
    lake: &Lake,
    environments: &[&Environment],
    stacks: &[Stack],
    mut finish: impl FnMut(&mut SetupStack) -> Result<(), E>,
) -> Result<Vec<SetupStack>, CompileError<E>> {
    let mut by_environment: HashMap<&str, Vec<&Stack>> = HashMap::new();
    for stack in stacks {
        by_environment
            .entry(stack.environment.as_str())
            .or_default()
            .push(stack);
    }
    let pipelined = lake.pipelined();
    let selected: Vec<&Environment> = environments
        .iter()
        .copied()
        .filter(|e| e.branch.is_some())
        .collect();
    if pipelined.is_empty() {
        return Ok(Vec::new());
    }
    let mut errors = Vec::new();
    let mut setup = Vec::new();
    let mut push = |mut stack: SetupStack, setup: &mut Vec<SetupStack>| {
        finish(&mut stack).map_err(CompileError::Emit)?;
        setup.push(stack);
        Ok(())
    };
    let deployment_name = naming::deployment_bootstrap_stack_name(lake);
    match bootstrap::deployment(lake, &pipelined) {
        Ok(template) => push(
            SetupStack {
                name: deployment_name.clone(),
                environment: None,
                account: lake.deployment_account.clone(),
                region: lake.deployment_region.name.clone(),
                path: naming::deployment_bootstrap_path(lake),
                depends_on: vec![],
                capabilities: vec!["CAPABILITY_NAMED_IAM"],
                tags: naming::lake_tags(lake),
                template,
                span: lake
                    .field_spans
                    .get_or(LakeField::DeploymentAccount, lake.span),
                pipeline: None,
            },
            &mut setup,
        )?,
        Err(e) => errors.push(e),
    }
    // Made once for each environment's bootstrap, pipeline, template and
    // stack (the deployment bootstrap above names every pipelined one).
    let names: Vec<naming::PipelineNames> = selected
        .iter()
        .map(|env| naming::PipelineNames::new(lake, env))
        .collect();
    for (env, names) in selected.iter().zip(&names) {
        match bootstrap::target(lake, env, names) {
            Ok(template) => push(
                SetupStack {
                    name: naming::bootstrap_stack_name(lake, env),
                    environment: Some(env.name.clone()),
                    account: env.account.clone(),
                    region: env.region.name.clone(),
                    path: naming::bootstrap_path(env),
                    depends_on: vec![],
                    capabilities: vec!["CAPABILITY_NAMED_IAM"],
                    tags: naming::tags(lake, env),
                    template,
                    span: env.span,
                    pipeline: None,
                },
                &mut setup,
            )?,
            Err(e) => errors.push(e),
        }
    }
    for env in selected
        .iter()
        .filter(|env| pipeline::crosses_regions(lake, env))
    {
        match bootstrap::regional_artifacts(lake, env) {
            Ok(template) => push(
                SetupStack {
                    name: naming::regional_artifacts_stack_name(lake, env),
                    environment: Some(env.name.clone()),
                    account: lake.deployment_account.clone(),
                    region: env.region.name.clone(),
                    path: naming::regional_artifacts_path(env),
                    // Its key and bucket policies name the deploy role.
                    depends_on: vec![naming::bootstrap_stack_name(lake, env)],
                    capabilities: vec![],
                    tags: naming::tags(lake, env),
                    template,
                    span: env.field_spans.get_or(EnvField::Region, env.span),
                    pipeline: None,
                },
                &mut setup,
            )?,
            Err(e) => errors.push(e),
        }
    }
    for (env, names) in selected.iter().zip(&names) {
        let env_stacks: Vec<Stack> = by_environment
            .get(env.name.as_str())
            .map(|found| found.iter().map(|s| (*s).clone()).collect())
            .unwrap_or_default();
        let built = pipeline::build(lake, env, names, &env_stacks).and_then(|model| {
            pipeline_template::template(lake, env, names, &model).map(|t| (model, t))
        });
        match built {
            Ok((model, template)) => push(
                SetupStack {
                    name: naming::pipeline_stack_name(lake, env),
                    environment: Some(env.name.clone()),
                    account: lake.deployment_account.clone(),
                    region: lake.deployment_region.name.clone(),
                    path: naming::pipeline_template_path(env),
                    depends_on: {
                        let mut first = vec![
                            deployment_name.clone(),
                            naming::bootstrap_stack_name(lake, env),
                        ];
                        if pipeline::crosses_regions(lake, env) {
                            first.push(naming::regional_artifacts_stack_name(lake, env));
                        }
                        first
                    },
                    capabilities: vec!["CAPABILITY_NAMED_IAM"],
                    tags: model.tags.clone(),
                    template,
                    span: env.field_spans.get_or(EnvField::Branch, env.span),
                    pipeline: Some(PipelineStack {
                        branch: env.branch.clone().unwrap_or_default(),
                        declaration: naming::pipeline_declaration_path(env),
                        deploys: pipeline::levels(&env_stacks)
                            .into_iter()
                            .flatten()
                            .map(|s| s.name.clone())
                            .collect(),
                        update_role: concat_string!(
                            "arn:",
                            pipeline::PARTITION,
                            ":iam::",
                            lake.deployment_account,
                            ":role/",
                            names.update_role
                        ),
                        parameters: model
                            .regional_stores
                            .iter()
                            .map(|_| {
                                (
                                    pipeline::REGIONAL_KEY_PARAMETER.to_string(),
                                    manifest::ParameterSource {
                                        stack: naming::regional_artifacts_stack_name(lake, env),
                                        output: bootstrap::REGIONAL_KEY_OUTPUT.to_string(),
                                    },
                                )
                            })
                            .collect(),
                        model,
                    }),
                },
                &mut setup,
            )?,
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(setup)
    } else {
        Err(CompileError::Codegen(errors))
    }
}

/// The stacks of one environment, in deploy order.
pub fn environment_stacks(lake: &Lake, env: &Environment) -> Result<Vec<Stack>, Vec<Error>> {
    let ctx = Ctx::new(lake, env);
    let mut errors = Vec::new();
    let network = network::template(&ctx).map_err(|e| errors.push(e)).ok();
    let storage = storage::template(&ctx).map_err(|e| errors.push(e)).ok();
    let warehouse = match &env.warehouse {
        Some(w) => warehouse::template(&ctx, w)
            .map_err(|e| errors.push(e))
            .ok(),
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }

    let templates: Vec<(StackKind, Template)> = [
        (StackKind::Network, network),
        (StackKind::Storage, storage),
        (StackKind::Warehouse, warehouse),
    ]
    .into_iter()
    .filter_map(|(kind, t)| t.map(|t| (kind, t)))
    .collect();

    // The stacks whose exports each one imports, in deploy order; computed
    // before the templates move into their stacks.
    let depends: Vec<Vec<StackKind>> = templates
        .iter()
        .map(|(_, template)| {
            let mut depends: Vec<StackKind> = templates
                .iter()
                .filter(|(_, other)| {
                    other
                        .outputs
                        .values()
                        .filter_map(|o| o.export.as_ref())
                        .any(|export| template.imports.contains(export))
                })
                .map(|(k, _)| *k)
                .collect();
            depends.sort();
            depends
        })
        .collect();

    let mut stacks = Vec::new();
    for ((kind, template), depends) in templates.into_iter().zip(depends) {
        let needs_iam = template
            .resources
            .values()
            .any(|r| r.kind == "AWS::IAM::Role");
        stacks.push(Stack {
            kind,
            name: naming::stack_name(lake, env, kind),
            environment: env.name.clone(),
            account: env.account.clone(),
            region: env.region.name.clone(),
            path: naming::template_path(env, kind),
            depends_on: depends
                .into_iter()
                .map(|k| naming::stack_name(lake, env, k))
                .collect(),
            capabilities: if needs_iam {
                vec!["CAPABILITY_IAM"]
            } else {
                vec![]
            },
            tags: ctx.tags.clone(),
            template,
            span: match kind {
                StackKind::Network => env.network.span,
                StackKind::Storage => env.span,
                StackKind::Warehouse => env.warehouse.as_ref().map_or(env.span, |w| w.span),
            },
        });
    }
    Ok(stacks)
}

/// What every generator of one environment needs.
pub(crate) struct Ctx<'a> {
    pub lake: &'a Lake,
    pub env: &'a Environment,
    pub tags: Vec<(String, String)>,
    /// Each of `tags` as a CloudFormation tag, built once: most resources
    /// carry them all.
    tag_items: Vec<Value>,
}

impl<'a> Ctx<'a> {
    fn new(lake: &'a Lake, env: &'a Environment) -> Ctx<'a> {
        let tags = naming::tags(lake, env);
        let tag_items = tags
            .iter()
            .map(|(key, value)| Value::shared(template::tag(key.clone(), value.clone())))
            .collect();
        Ctx {
            lake,
            env,
            tags,
            tag_items,
        }
    }

    /// The environment's tags as a CloudFormation `Tags` list.
    pub fn tags(&self) -> Value {
        Value::Array(self.tag_items.clone())
    }

    /// The tags plus a `Name` tag, which the EC2 console shows.
    pub fn tags_named(&self, name: String) -> Value {
        let mut items = Vec::with_capacity(self.tag_items.len() + 1);
        items.extend(self.tag_items.iter().cloned());
        items.push(template::tag(Value::literal("Name"), name));
        Value::Array(items)
    }

    /// `<Env><LogicalIdPrefix>/<logical id>`: the `Name` tag of an EC2 resource.
    pub fn ec2_name(&self, logical_id: &str) -> String {
        concat_string!(self.env.name, self.lake.logical_id_prefix, "/", logical_id)
    }

    /// Deletion and update-replace policy of stateful resources.
    pub fn retention(&self) -> Policy {
        match self.env.retention {
            Retention::Retain => Policy::Retain,
            Retention::Destroy => Policy::Delete,
        }
    }

    pub fn retained(&self) -> bool {
        self.env.retention == Retention::Retain
    }

    pub fn export(&self, name: &str) -> String {
        naming::export(self.env, name)
    }
}
