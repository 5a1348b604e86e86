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
    let per_environment = map_in_parallel(&environments, |env| {
        environment_stacks(lake, env).map(|env_stacks| {
            env_stacks
                .into_iter()
                .map(|mut stack| {
                    let template = std::mem::take(&mut stack.template);
                    (
                        of_stack(env, &stack, &template, template.rendered_len()),
                        stack,
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    for result in per_environment {
        match result {
            Ok(env_stacks) => {
                for (one, stack) in env_stacks {
                    measured.push(one);
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

/// Below this many environments, measuring on one thread is as fast as
/// starting others.
const PARALLEL_FROM: usize = 64;

/// `f` of each item, in order, on the machine's cores once there are enough
/// items: the environments' templates are independent, and building them is
/// most of a large lake's check (and of each edit in `dlc lsp`).
fn map_in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < PARALLEL_FROM {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(results) => results,
                // A panic in a worker is a bug in codegen: let it surface as one.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
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

    /// Everything a measure says, for comparing two of them.
    fn key(m: &Measured) -> String {
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
    }

    /// The measures [`compile_measured`] hands over while it writes.
    fn while_compiling(lake: &Lake, locate: crate::codegen::Locate<'_>) -> Vec<String> {
        let mut measures = Vec::new();
        crate::codegen::compile_measured(
            lake,
            None,
            locate,
            |_| Ok::<(), std::convert::Infallible>(()),
            |m| measures.push(key(&m)),
        )
        .expect("the lake compiles");
        measures
    }

    /// `dlc compile` checks the quotas on what [`compile_measured`] hands
    /// it: the same measures as `dlc check`'s.
    #[test]
    fn compile_measures_as_check_measures() {
        for (example, lake) in fixtures::examples() {
            let locate = fixtures::locate_in(example);
            let measured: Vec<String> = measure(&lake).expect("measures").iter().map(key).collect();
            assert_eq!(while_compiling(&lake, &locate), measured, "{example}");
        }
    }

    /// A lake large enough to be measured on several threads gives the
    /// measures, in the order, of the one-threaded compile.
    #[test]
    fn measuring_in_parallel_gives_what_compile_measures() {
        let text = crate::synth::lake(PARALLEL_FROM * 2);
        let path = std::path::Path::new("synth.dl");
        let checked =
            crate::driver::check_source("synth.dl", path, text, &mut crate::host::FsLoader);
        let lake = checked.model.expect("the synthetic lake checks clean");
        let locate = |span: Span| {
            (
                std::sync::Arc::<str>::from("synth.dl"),
                span.start as usize,
                0,
            )
        };
        let measured: Vec<String> = measure(&lake).expect("measures").iter().map(key).collect();
        assert!(
            measured.len() > PARALLEL_FROM * 2,
            "every environment's stacks measured"
        );
        assert_eq!(while_compiling(&lake, &locate), measured);
    }

    #[test]
    fn parallel_map_keeps_the_order() {
        let items: Vec<usize> = (0..PARALLEL_FROM * 3 + 1).collect();
        assert_eq!(
            map_in_parallel(&items, |i| i * 2),
            items.iter().map(|i| i * 2).collect::<Vec<_>>()
        );
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
