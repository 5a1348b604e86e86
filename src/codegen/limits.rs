//! CloudFormation's quotas on a single template, measured on the templates
//! codegen writes: [`measure`] builds every stack with the functions
//! [`compile`](super::compile) uses and renders it, so `dlc check` and
//! `dlc compile` cannot disagree about a template's size or counts.
//!
//! The numbers are those of AWS's "Understand CloudFormation quotas" page.
//! Its fourth per-template quota, 200 parameters, needs no measure: only a
//! pipeline template that deploys into another region declares one.

use super::template::Template;
use super::{
    environment_stacks, setup_stacks_each, CompileError, Error, SetupStack, Stack, StackKind,
};
use crate::model::{Environment, Lake};
use crate::source::Span;

/// The largest template body a `CreateStack` request carries inline: what
/// `aws cloudformation deploy --template-file` sends without `--s3-bucket`.
pub const BODY_IN_REQUEST: usize = 51_200;
/// The largest template body CloudFormation reads from S3 ("1 MB"; read as
/// 1,000,000 bytes, the smaller of its two meanings).
pub const BODY_FROM_S3: usize = 1_000_000;
/// Resources declared in one template.
pub const RESOURCES: usize = 500;
/// Outputs declared in one template.
pub const OUTPUTS: usize = 200;

/// Which stack a template is, as far as its limits and the advice go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// One of an environment's stacks.
    Environment(StackKind),
    /// The deployment account's bootstrap, one for every pipeline.
    DeploymentBootstrap,
    /// An environment account's bootstrap.
    Bootstrap,
    /// A pipeline's stack, in the deployment account.
    Pipeline,
}

/// How a stack reaches CloudFormation, which decides its size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A person runs `aws cloudformation deploy` with the template file: the
    /// body goes inline unless they add `--s3-bucket`.
    ByHand,
    /// A pipeline deploys it from its S3 artifact.
    FromS3,
}

/// One template's size and counts.
#[derive(Clone, Debug)]
pub struct Measured {
    pub stack: String,
    /// The environment it belongs to; `None` for the deployment bootstrap.
    pub environment: Option<String>,
    pub account: String,
    pub region: String,
    /// Relative to the output folder.
    pub path: String,
    pub role: Role,
    pub delivery: Delivery,
    /// The rendered template's length in bytes.
    pub bytes: usize,
    pub resources: usize,
    pub outputs: usize,
    /// Where in the lake file the stack comes from.
    pub span: Span,
}

impl Measured {
    /// Over one of the quotas above, for some delivery: only such a
    /// template can be reported.
    pub fn over_a_quota(&self) -> bool {
        self.bytes > BODY_IN_REQUEST || self.resources > RESOURCES || self.outputs > OUTPUTS
    }
}

/// Every template a full compile of `lake` writes, measured. Fails where
/// compile fails. `dlc compile` measures the templates as it writes them
/// instead ([`super::compile_measured`]), so that each is built once.
pub fn measure(lake: &Lake) -> Result<Vec<Measured>, Vec<Error>> {
    let environments: Vec<&Environment> = lake.environments.values().collect();
    let mut measured = Vec::new();
    let mut stacks = Vec::new();
    let mut errors = Vec::new();
    for env in &environments {
        match environment_stacks(lake, env) {
            Ok(env_stacks) => {
                for mut stack in env_stacks {
                    let template = std::mem::take(&mut stack.template);
                    measured.push(of_stack(env, &stack, &template, template.rendered_len()));
                    stacks.push(stack);
                }
            }
            Err(mut env_errors) => errors.append(&mut env_errors),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let result = setup_stacks_each(lake, &environments, &stacks, |s| {
        measured.push(of_setup(s, s.template.rendered_len()));
        drop(std::mem::take(&mut s.template));
        Ok::<(), std::convert::Infallible>(())
    });
    match result {
        Ok(_) => Ok(measured),
        Err(CompileError::Codegen(errors)) => Err(errors),
        Err(CompileError::Emit(never)) => match never {},
    }
}

/// An environment's stack, whose template (taken out of `stack`) renders to
/// `bytes`.
pub(super) fn of_stack(
    env: &Environment,
    stack: &Stack,
    template: &Template,
    bytes: usize,
) -> Measured {
    Measured {
        stack: stack.name.clone(),
        environment: Some(env.name.clone()),
        account: stack.account.clone(),
        region: stack.region.clone(),
        path: stack.path.clone(),
        role: Role::Environment(stack.kind),
        delivery: if env.branch.is_some() {
            Delivery::FromS3
        } else {
            Delivery::ByHand
        },
        bytes,
        resources: template.resources.len(),
        outputs: template.outputs.len(),
        span: stack.span,
    }
}

/// A bootstrap or pipeline stack, whose template renders to `bytes`.
pub(super) fn of_setup(s: &SetupStack, bytes: usize) -> Measured {
    let role = match (&s.environment, &s.pipeline) {
        (None, _) => Role::DeploymentBootstrap,
        (Some(_), None) => Role::Bootstrap,
        (Some(_), Some(_)) => Role::Pipeline,
    };
    Measured {
        stack: s.name.clone(),
        environment: s.environment.clone(),
        account: s.account.clone(),
        region: s.region.clone(),
        path: s.path.clone(),
        role,
        delivery: Delivery::ByHand,
        bytes,
        resources: s.template.resources.len(),
        outputs: s.template.outputs.len(),
        span: s.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::{compile, fixtures};

    /// What `dlc check` measures is what `dlc compile` writes: every
    /// template, at its exact size and counts.
    #[test]
    fn measures_every_template_compile_writes() {
        for (example, lake) in fixtures::examples() {
            let locate = fixtures::locate_in(example);
            let output = compile(&lake, None, &locate).expect("the example compiles");
            let measured = measure(&lake).expect("the example measures");
            let templates: Vec<&str> = output
                .files
                .iter()
                .filter(|f| f.path.ends_with(".template.json"))
                .map(|f| f.path.as_str())
                .collect();
            let paths: Vec<&str> = measured.iter().map(|m| m.path.as_str()).collect();
            assert_eq!(paths, templates, "{example}");
            for m in &measured {
                let file = output.file(&m.path).expect("written");
                let json: serde_json::Value = serde_json::from_str(&file.contents).expect("JSON");
                let count = |section: &str| json[section].as_object().map_or(0, |o| o.len());
                assert_eq!(m.bytes, file.contents.len(), "{}", m.path);
                assert_eq!(m.resources, count("Resources"), "{}", m.path);
                assert_eq!(m.outputs, count("Outputs"), "{}", m.path);
            }
        }
    }

    /// `dlc compile` checks the quotas on what [`compile_measured`] hands
    /// it: the same measures as `dlc check`'s.
    #[test]
    fn compile_measures_as_check_measures() {
        let key = |m: &Measured| {
            format!(
                "{} {:?} {} {} {:?} {:?} {} {} {} {:?}",
                m.stack,
                m.environment,
                m.account,
                m.region,
                m.role,
                m.delivery,
                m.bytes,
                m.resources,
                m.outputs,
                m.span
            )
        };
        for (example, lake) in fixtures::examples() {
            let locate = fixtures::locate_in(example);
            let mut while_compiling = Vec::new();
            crate::codegen::compile_measured(
                &lake,
                None,
                &locate,
                |_| Ok::<(), std::convert::Infallible>(()),
                |m| while_compiling.push(key(&m)),
            )
            .expect("the example compiles");
            let measured: Vec<String> = measure(&lake).expect("measures").iter().map(key).collect();
            assert_eq!(while_compiling, measured, "{example}");
        }
    }

    #[test]
    fn only_environments_with_a_branch_are_deployed_from_s3() {
        let mut lake = fixtures::seed();
        // Prod deployed by hand.
        lake.environments.get_mut("Prod").expect("Prod").branch = None;
        let measured = measure(&lake).expect("the seed measures");
        assert!(measured
            .iter()
            .any(|m| m.environment.as_deref() == Some("Prod") && m.delivery == Delivery::ByHand));
        for m in &measured {
            let pipelined = m
                .environment
                .as_ref()
                .and_then(|e| lake.environments.get(e))
                .is_some_and(|e| e.branch.is_some());
            let expected = match m.role {
                Role::Environment(_) if pipelined => Delivery::FromS3,
                _ => Delivery::ByHand,
            };
            assert_eq!(m.delivery, expected, "{}", m.stack);
        }
    }
}
