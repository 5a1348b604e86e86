//! Branches and pipelines: one environment per branch, names git accepts, an
//! approval before environments that keep their data; a source the pipelines
//! can read, pipelines in the deployment region, and an execution policy
//! chosen on purpose.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::inherited;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Environment, Lake, Retention, Source};

/// The execution policy an environment gets when it names none.
pub const DEFAULT_EXECUTION_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    branches(lake, diagnostics);
    source(lake, diagnostics);
    let pipelined = lake.pipelined();
    for env in &pipelined {
        region(lake, env, diagnostics);
        if env.execution_policies.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    Code::NoExecutionPolicy,
                    env.field_spans.get_or("execution_policies", env.span),
                    format!("`{}` names no execution policy: CloudFormation could deploy none of its stacks", env.name),
                )
                .with_label("an empty list")
                .with_note("the execution role of the environment's bootstrap template gets exactly these policies; with none, every change set fails")
                .with_help(format!("name the managed policy (or policies) to deploy with, e.g. `execution_policies = [\"arn:aws:iam::{}:policy/DataLakeDeploy\"]`", env.account)),
            );
        }
    }
    default_execution_policy(&pipelined, diagnostics);
}

/// The git repository: no `.git` suffix, and a connection that is one.
fn source(lake: &Lake, diagnostics: &mut Diagnostics) {
    let source = &lake.source;
    let repository = source.repository();
    if let Some(stripped) = repository.strip_suffix(".git") {
        diagnostics.push(
            Diagnostic::new(
                Code::RepositoryGitSuffix,
                source.field_span("repository"),
                format!("the repository `{repository}` ends in `.git`: that is part of a clone URL, not of the repository's name"),
            )
            .with_label("ends in `.git`")
            .with_note("the pipelines look the repository up by name, and no repository is named like this (CodeCommit forbids the suffix; GitHub drops it)")
            .with_help(format!("write `repository = \"{stripped}\"`")),
        );
    }
    if let Source::GitHubConnection { connection, .. } = source {
        if !is_connection_arn(connection) {
            let mut diagnostic = Diagnostic::new(
                Code::InvalidConnectionArn,
                source.field_span("connection"),
                format!("`{connection}` is not the ARN of a CodeStar connection"),
            )
            .with_label("not a connection ARN")
            .with_note("a connection ARN reads `arn:aws:codestar-connections:<region>:<account>:connection/<id>` (or `codeconnections` in place of `codestar-connections`); the console shows it under Developer Tools > Settings > Connections");
            if connection.contains(":secretsmanager:") || !connection.starts_with("arn:") {
                diagnostic = diagnostic.with_help(
                    "to read GitHub with a token kept in Secrets Manager, write `source = GitHub { repository = ..., token_secret = ... }` instead",
                );
            } else {
                diagnostic = diagnostic.with_help(format!(
                    "copy the connection's ARN, e.g. `arn:aws:codestar-connections:{}:{}:connection/...`",
                    lake.deployment_region.name, lake.deployment_account
                ));
            }
            diagnostics.push(diagnostic);
        }
    }
}

/// Whether `arn` is the ARN of a CodeStar (CodeConnections) connection.
pub fn is_connection_arn(arn: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:connection/[A-Za-z0-9-]+$",
        )
        .expect("a valid pattern")
    })
    .is_match(arn)
}

/// A pipeline deploys only into its own region.
fn region(lake: &Lake, env: &Environment, diagnostics: &mut Diagnostics) {
    let home = &lake.deployment_region.name;
    if &env.region.name == home {
        return;
    }
    diagnostics.push(
        Diagnostic::new(
            Code::PipelineInOtherRegion,
            env.field_spans.get_or("region", env.span),
            format!(
                "`{}` is in {}, but its pipeline runs in the deployment region {home}; dlc does not yet write cross-region pipelines",
                env.name, env.region.name
            ),
        )
        .with_label(format!("`{}` is deployed here", env.name))
        .with_secondary(
            lake.field_spans.get_or("deployment_region", lake.span),
            "the pipelines run here",
        )
        .with_note("a CodePipeline action in another region needs an artifact bucket and key of its own in that region, which the bootstrap templates do not create yet")
        .with_help(format!(
            "put the environment in {home}, or drop its `branch` and deploy it from out/ by hand"
        )),
    );
}

/// One warning per lake for the environments that deploy with the default
/// `AdministratorAccess` because they name no policy.
fn default_execution_policy(pipelined: &[&Environment], diagnostics: &mut Diagnostics) {
    let defaulted: Vec<&&Environment> = pipelined
        .iter()
        .filter(|e| !e.field_spans.is_given("execution_policies"))
        .filter(|e| e.execution_policies == [DEFAULT_EXECUTION_POLICY])
        .collect();
    let Some((first, rest)) = defaulted.split_first() else {
        return;
    };
    let mut diagnostic = Diagnostic::new(
        Code::AdministratorExecutionPolicy,
        first.field_spans.get_or("branch", first.span),
        format!(
            "CloudFormation deploys the stacks of `{}` with AdministratorAccess, because it names no execution policy",
            first.name
        ),
    )
    .with_label("deployed by a pipeline from this branch");
    for env in rest {
        diagnostic = diagnostic.with_secondary(
            env.field_spans.get_or("branch", env.span),
            format!("`{}` too", env.name),
        );
    }
    diagnostics.push(
        diagnostic
            .with_note("the execution role of the bootstrap template can then do anything in the account: a change that slips into the lake's repository can, too")
            .with_help(format!("name a policy of your own that allows what the lake's stacks create, e.g. `execution_policies = [\"arn:aws:iam::{}:policy/DataLakeDeploy\"]`, or write the default out to say it is deliberate", first.account)),
    );
}

fn branches(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for env in lake.environments.values() {
        let Some(branch) = &env.branch else { continue };
        let span = env.field_spans.get_or("branch", env.span);
        // A branch another environment wrote is reported there, or as shared.
        let inherits_branch = inherited::inherited_from(&env.field_spans, "branch")
            .is_some_and(|from| lake.environments.contains_key(from));
        if let Some(problem) = git_branch_problem(branch).filter(|_| !inherits_branch) {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidBranchName,
                    span,
                    format!("git does not accept `{branch}` as a branch name: {problem}"),
                )
                .with_label("not a valid branch name")
                .with_help("use a name such as \"main\" or \"release/prod\""),
            );
        }
        if let Some(first) = seen.get(branch.as_str()) {
            let first_env = &lake.environments[*first];
            let label =
                |env: &Environment| match inherited::inherited_from(&env.field_spans, "branch") {
                    Some(from) => format!(
                        "`{}` inherits the branch `{branch}` of `{from}` here",
                        env.name
                    ),
                    None => format!("`{}` deploys from `{branch}`", env.name),
                };
            let diagnostic = Diagnostic::new(
                Code::DuplicateBranch,
                inherited::primary(&env.field_spans, "branch", env.span),
                format!("`{first}` and `{}` both deploy from the branch `{branch}`", env.name),
            )
            .with_label(label(env))
            .with_secondary(
                inherited::primary(&first_env.field_spans, "branch", first_env.span),
                label(first_env),
            )
            .with_note("a push would deploy both environments at once, from two pipelines racing each other")
            .with_help("give each environment its own branch");
            let diagnostic =
                inherited::with_origin(diagnostic, &env.name, &env.field_spans, "branch");
            diagnostics.push(inherited::with_origin(
                diagnostic,
                first,
                &first_env.field_spans,
                "branch",
            ));
        } else {
            seen.insert(branch, &env.name);
        }
        // An explicit `approval = false` is a decision, not an oversight.
        let approval_written = env.field_spans.is_given("approval");
        if env.retention == Retention::Retain && !env.approval && !approval_written {
            diagnostics.push(
                Diagnostic::new(
                    Code::RetainedWithoutApproval,
                    env.field_spans.get_or("retention", env.span),
                    format!("`{}` keeps its data but deploys without a manual approval", env.name),
                )
                .with_label("retained here")
                .with_note("an environment that keeps its data is usually one whose mistakes are expensive")
                .with_help("add `approval = true`, or write `approval = false` to say it is deliberate"),
            );
        }
    }
}

/// Why `git check-ref-format --branch` would reject a name, if it would.
pub fn git_branch_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name == "@" {
        return Some("`@` alone is not a branch");
    }
    if name.starts_with('-') {
        return Some("it starts with `-`");
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Some("it has an empty path component");
    }
    if name.ends_with('.') {
        return Some("it ends with `.`");
    }
    if name.contains("..") {
        return Some("it contains `..`");
    }
    if name.contains("@{") {
        return Some("it contains `@{`");
    }
    if name
        .chars()
        .any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c))
    {
        return Some("it contains a space, a control character or one of ~ ^ : ? * [ \\");
    }
    if name
        .split('/')
        .any(|part| part.starts_with('.') || part.ends_with(".lock"))
    {
        return Some("a component starts with `.` or ends with `.lock`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{git_branch_problem, is_connection_arn};

    #[test]
    fn connection_arns() {
        for good in [
            "arn:aws:codestar-connections:us-east-2:111111111111:connection/8d0f5c3e-1a2b-4c5d-9e8f-0a1b2c3d4e5f",
            "arn:aws:codeconnections:eu-west-1:111111111111:connection/abc-123",
            "arn:aws-cn:codestar-connections:cn-north-1:111111111111:connection/abc",
        ] {
            assert!(is_connection_arn(good), "{good}");
        }
        for bad in [
            "",
            "my-connection",
            "arn:aws:secretsmanager:us-east-2:111111111111:secret:github",
            "arn:aws:codestar-connections:us-east-2:111111111111:host/abc",
            "arn:aws:codestar-connections:us-east-2:1111:connection/abc",
            "arn:aws:codestar-connections::111111111111:connection/abc",
            "https://github.com/aws-samples/datalake",
        ] {
            assert!(!is_connection_arn(bad), "{bad}");
        }
    }

    #[test]
    fn branch_names_follow_git() {
        for good in ["main", "prod", "release/2026-11", "feature/x.y"] {
            assert_eq!(git_branch_problem(good), None, "{good}");
        }
        for bad in [
            "", "-x", "a..b", "a/", "a//b", "x.lock", "a/.b", "a b", "a~1", "@", "x.", "a@{b",
        ] {
            assert!(git_branch_problem(bad).is_some(), "{bad}");
        }
    }
}
