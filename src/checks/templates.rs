//! CloudFormation's per-template quotas: body size, resources and outputs.
//! The templates are built and measured by [`codegen::limits`], with the
//! functions `dlc compile` uses, so a lake that passes here compiles to
//! templates CloudFormation accepts.

use super::inherited::Findings;
use crate::codegen::limits::{self, Delivery, Measured, Role};
use crate::codegen::StackKind;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{EnvField, Environment, Lake};
use crate::source::Span;

/// Runs on a lake without errors. A lake codegen cannot build is left to
/// `dlc compile`, which reports it as an internal error.
pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    if let Ok(measured) = limits::measure(lake) {
        check_measured(lake, &measured, diagnostics);
    }
}

/// The quotas on templates already measured: every template of `lake`, or
/// at least each one [`Measured::over_a_quota`].
pub fn check_measured(lake: &Lake, measured: &[Measured], diagnostics: &mut Diagnostics) {
    let mut findings = Findings::default();
    for template in measured {
        let mut found = Vec::new();
        check_template(lake, template, &mut found);
        // A template that grows with an environment's field is that
        // environment's finding, which may be a value it inherits.
        match grows_with(lake, template) {
            Some((env, field)) => {
                for diagnostic in found {
                    findings.push(&env.name, &env.field_spans, field, diagnostic);
                }
            }
            None => diagnostics.extend(found),
        }
    }
    findings.report(diagnostics);
}

fn check_template(lake: &Lake, t: &Measured, diagnostics: &mut Vec<Diagnostic>) {
    let span = span(lake, t);
    if t.bytes > limits::BODY_FROM_S3 {
        diagnostics.push(
            Diagnostic::new(
                Code::TemplateTooLarge,
                span,
                format!(
                    "the template of stack `{}` would be {} bytes, over the 1 MB CloudFormation accepts",
                    t.stack,
                    thousands(t.bytes)
                ),
            )
            .with_label(label(t))
            .with_note("a template body is at most 1 MB, even from S3")
            .with_help(smaller(lake, t)),
        );
    } else if t.bytes > limits::BODY_IN_REQUEST && t.delivery == Delivery::ByHand {
        diagnostics.push(
            Diagnostic::new(
                Code::TemplateNeedsS3Bucket,
                span,
                format!(
                    "the template of stack `{}` would be {} bytes, over the {} bytes `aws cloudformation deploy` sends inline",
                    t.stack,
                    thousands(t.bytes),
                    thousands(limits::BODY_IN_REQUEST)
                ),
            )
            .with_label(label(t))
            .with_note(
                "CloudFormation takes a template of up to 51,200 bytes in the request, and up to 1 MB from S3",
            )
            .with_help(format!(
                "deploy `{}` with `aws cloudformation deploy --stack-name {} --template-file {} --s3-bucket <a bucket in account {}, {}>`: the CLI uploads the template there first",
                t.stack, t.stack, t.path, t.account, t.region
            )),
        );
    }
    if t.resources > limits::RESOURCES {
        diagnostics.push(
            Diagnostic::new(
                Code::TooManyResources,
                span,
                format!(
                    "stack `{}` would declare {} resources, over CloudFormation's {} per template",
                    t.stack,
                    t.resources,
                    limits::RESOURCES
                ),
            )
            .with_label(label(t))
            .with_help(smaller(lake, t)),
        );
    }
    if t.outputs > limits::OUTPUTS {
        diagnostics.push(
            Diagnostic::new(
                Code::TooManyOutputs,
                span,
                format!(
                    "stack `{}` would declare {} outputs, over CloudFormation's {} per template",
                    t.stack,
                    t.outputs,
                    limits::OUTPUTS
                ),
            )
            .with_label(label(t))
            .with_help(smaller(lake, t)),
        );
    }
}

/// The lake value the template grows with.
fn span(lake: &Lake, t: &Measured) -> Span {
    grows_with(lake, t).map_or(t.span, |(env, field)| env.field_spans.get_or(field, t.span))
}

/// The environment field the template grows with, if it is one.
fn grows_with<'a>(lake: &'a Lake, t: &Measured) -> Option<(&'a Environment, EnvField)> {
    let env = lake.environments.get(t.environment.as_ref()?)?;
    match t.role {
        Role::Environment(StackKind::Storage) => Some((env, EnvField::Zones)),
        Role::Bootstrap => Some((env, EnvField::ExecutionPolicies)),
        _ => None,
    }
}

/// Names the template and what it grows with.
fn label(t: &Measured) -> String {
    let grows_with = match t.role {
        Role::Environment(StackKind::Network) => "availability zones and endpoints",
        Role::Environment(StackKind::Storage) => "each zone",
        Role::Environment(StackKind::Warehouse) => "the warehouse's settings",
        Role::DeploymentBootstrap => "each environment that has a `branch`",
        Role::Bootstrap => "the execution policies",
        Role::Pipeline => "the environment's stacks",
    };
    format!("`{}` grows with {grows_with}", t.path)
}

/// What to change in the lake so the template shrinks.
fn smaller(lake: &Lake, t: &Measured) -> String {
    let env = t.environment.as_deref().unwrap_or(&lake.name);
    match t.role {
        Role::Environment(StackKind::Network) => format!(
            "span fewer `availability_zones` or list fewer `interface_endpoints` in the network of `{env}`"
        ),
        Role::Environment(StackKind::Storage) => {
            let zones = lake.environments.get(env).map_or(0, |e| e.zones.len());
            format!(
                "give `{env}` fewer than its {zones} zones: each zone adds a bucket, its policy and an output; move some to another environment"
            )
        }
        Role::Environment(StackKind::Warehouse) => {
            format!("export fewer logs from the warehouse of `{env}`")
        }
        Role::DeploymentBootstrap => format!(
            "give fewer environments a `branch` ({} have one): each pipeline adds its roles to this template; split the environments over two lakes with different `logical_id_prefix`es",
            lake.pipelined().len()
        ),
        Role::Bootstrap => format!("name fewer `execution_policies` for `{env}`"),
        Role::Pipeline => format!("split `{env}` into smaller environments"),
    }
}

/// `59806` -> `59,806`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(51_200), "51,200");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
