//! Branches and pipelines: one environment per branch, names git accepts, an
//! approval before environments that keep their data; a source the pipelines
//! can read, an execution policy chosen on purpose, and a build that
//! installs a dlc it names exactly.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::inherited::{self, Findings};
use crate::automata::Matcher;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{BuildField, EnvField, Environment, Lake, Retention, Source, SourceField};
use crate::source::Span;

/// The execution policy an environment gets when it names none.
pub const DEFAULT_EXECUTION_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut findings = Findings::default();
    branches(lake, &mut findings, diagnostics);
    source(lake, diagnostics);
    let pipelined = lake.pipelined();
    for env in &pipelined {
        foreign_execution_policies(env, &mut findings);
        if env.execution_policies.is_empty() {
            findings.push(
                &env.name,
                &env.field_spans,
                EnvField::ExecutionPolicies,
                Diagnostic::new(
                    Code::NoExecutionPolicy,
                    env.field_spans.get_or(EnvField::ExecutionPolicies, env.span),
                    format!("`{}` names no execution policy: CloudFormation could deploy none of its stacks", env.name),
                )
                .with_label("an empty list")
                .with_note("the execution role of the environment's bootstrap template gets exactly these policies; with none, every change set fails")
                .with_help(format!("name the managed policy (or policies) to deploy with, e.g. `execution_policies = [\"arn:aws:iam::{}:policy/DataLakeDeploy\"]`", env.account)),
            );
        }
    }
    findings.report(diagnostics);
    default_execution_policy(&pipelined, diagnostics);
    if !pipelined.is_empty() {
        build_install(lake, diagnostics);
    }
}

/// Why dlc cannot verify what a `build.install` installs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallProblem {
    /// A download piped into a shell: `curl ... | sh`.
    PipedToShell,
    /// A `cargo install` without `--locked` and an exact version or commit.
    CargoNotPinned,
    /// Something else, with no SHA-256 checksum checked.
    NoChecksum,
}

/// Whether dlc can verify what `install` installs, reading it (never running
/// it). Verifiable means: nothing is piped into a shell, and either a SHA-256
/// digest written in the command is checked (`sha256sum -c`, `sha256sum
/// --check`, `shasum -a 256 -c`), or it downloads nothing with curl or wget
/// and every `cargo install` in it has `--locked` and an exact version
/// (`--version X.Y.Z`, `--version =X.Y.Z`, `name@X.Y.Z`) or a full commit
/// (`--rev` and 40 hex digits). A tag or a branch can move; a URL can serve
/// other bytes tomorrow.
#[allow(
    clippy::expect_used,
    reason = "a constant pattern, which the tests run"
)]
pub fn install_problem(install: &str) -> Option<InstallProblem> {
    static PIPE_TO_SHELL: OnceLock<Regex> = OnceLock::new();
    static DIGEST: OnceLock<Regex> = OnceLock::new();
    static SHA256_CHECK: OnceLock<Regex> = OnceLock::new();
    static DOWNLOAD: OnceLock<Regex> = OnceLock::new();
    let pattern = |cell: &'static OnceLock<Regex>, re: &str| {
        cell.get_or_init(|| Regex::new(re).expect("a valid pattern"))
    };
    if pattern(
        &PIPE_TO_SHELL,
        r"\|\s*(sudo\s+)?(\S*/)?(sh|bash|zsh|dash|ksh)\b",
    )
    .is_match(install)
    {
        return Some(InstallProblem::PipedToShell);
    }
    let checksum = pattern(&DIGEST, r"\b[0-9a-fA-F]{64}\b").is_match(install)
        && pattern(
            &SHA256_CHECK,
            r"\b(sha256sum|shasum\s+-a\s*256)\b[^&|;]*\s(-c|--check)\b",
        )
        .is_match(install);
    if checksum {
        return None;
    }
    let cargo: Vec<Vec<&str>> = commands(install)
        .filter(|words| words.windows(2).any(|w| w == ["cargo", "install"]))
        .collect();
    if !cargo.is_empty() && !cargo.iter().all(|words| cargo_pinned(words)) {
        return Some(InstallProblem::CargoNotPinned);
    }
    let downloads = pattern(&DOWNLOAD, r"\b(curl|wget)\b").is_match(install);
    if cargo.is_empty() || downloads {
        return Some(InstallProblem::NoChecksum);
    }
    None
}

/// The words of each simple command of a shell line (split at `&&`, `||`,
/// `;`, `|` and newlines; quotes are not interpreted).
fn commands(line: &str) -> impl Iterator<Item = Vec<&str>> {
    line.split(['&', '|', ';', '\n'])
        .map(|command| command.split_whitespace().collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
}

/// `cargo install --locked` of an exact version or a full commit.
fn cargo_pinned(words: &[&str]) -> bool {
    let exact_version = |v: &str| {
        let v = v.strip_prefix('=').unwrap_or(v);
        let core = v.split(['-', '+']).next().unwrap_or_default();
        let parts: Vec<&str> = core.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let commit = |v: &str| v.len() == 40 && v.chars().all(|c| c.is_ascii_hexdigit());
    let value_of = |flag: &str| {
        words
            .iter()
            .enumerate()
            .find_map(|(i, w)| match w.strip_prefix(flag) {
                Some("") => words.get(i + 1).copied(),
                Some(rest) => rest.strip_prefix('='),
                None => None,
            })
    };
    let locked = words.contains(&"--locked");
    let version = value_of("--version").is_some_and(exact_version)
        || words.iter().any(|w| {
            !w.starts_with('-') && w.split_once('@').is_some_and(|(_, v)| exact_version(v))
        });
    let rev = value_of("--rev").is_some_and(commit);
    locked && (version || rev)
}

/// A warning when `build.install` installs something dlc cannot verify.
fn build_install(lake: &Lake, diagnostics: &mut Diagnostics) {
    let Some(install) = &lake.build.install else {
        return;
    };
    let Some(problem) = install_problem(install) else {
        return;
    };
    let (message, label, help) = match problem {
        InstallProblem::PipedToShell => (
            "`build.install` pipes a download into a shell: every build runs whatever that address serves at the time",
            "piped into a shell",
            "leave `build.install` out (the pipeline then deploys the committed out/ and needs no dlc), or download a file and check it against its SHA-256: `curl -fsSLo dlc.tar.gz <URL> && echo \"<sha256>  dlc.tar.gz\" | sha256sum -c - && tar -xzf dlc.tar.gz -C /usr/local/bin dlc`",
        ),
        InstallProblem::CargoNotPinned => (
            "`build.install` runs `cargo install` without pinning it (`--locked` and an exact version or full commit): a tag, a branch or a version range can give the build another dlc than the one that compiled out/",
            "not pinned",
            "add `--locked` and an exact version, e.g. `cargo install --locked dlc --version =0.1.0`, or `--git <URL> --rev <full commit hash>`; or leave `build.install` out",
        ),
        InstallProblem::NoChecksum => (
            "`build.install` is not pinned to an exact version or checksum: dlc cannot tell which dlc the build gets",
            "no exact version or SHA-256 checksum",
            "check what it downloads against its SHA-256, e.g. `... && echo \"<sha256>  dlc.tar.gz\" | sha256sum -c -`, or leave `build.install` out: the pipeline then deploys the committed out/ and needs no dlc",
        ),
    };
    diagnostics.push(
        Diagnostic::new(
            Code::UnpinnedBuildInstall,
            lake.build.field_spans.get_or(BuildField::Install, lake.build.span),
            message,
        )
        .with_label(label)
        .with_note("the build runs these commands with the pipeline's build role, and then checks out/ with the dlc they install: both should be exactly what you reviewed")
        .with_help(help),
    );
}

/// The git repository: no `.git` suffix, and a connection that is one.
fn source(lake: &Lake, diagnostics: &mut Diagnostics) {
    let source = &lake.source;
    let repository = source.repository();
    if let Some(stripped) = repository.strip_suffix(".git") {
        diagnostics.push(
            Diagnostic::new(
                Code::RepositoryGitSuffix,
                source.field_span(SourceField::Repository),
                format!("the repository `{repository}` ends in `.git`: that is part of a clone URL, not of the repository's name"),
            )
            .with_label("ends in `.git`")
            .with_note("the pipelines look the repository up by name, and no repository is named like this (CodeCommit forbids the suffix; GitHub drops it)")
            .with_help(format!("write `repository = \"{stripped}\"`"))
            .with_edit(source.field_span(SourceField::Repository), format!("\"{stripped}\"")),
        );
    }
    if let Source::GitHubConnection { connection, .. } = source {
        if !is_connection_arn(connection) {
            let mut diagnostic = Diagnostic::new(
                Code::InvalidConnectionArn,
                source.field_span(SourceField::Connection),
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
#[allow(
    clippy::expect_used,
    reason = "a constant pattern, which the tests run"
)]
pub fn is_connection_arn(arn: &str) -> bool {
    static RE: OnceLock<Matcher> = OnceLock::new();
    RE.get_or_init(|| Matcher::fixed(CONNECTION_ARN).expect("a valid pattern"))
        .is_match(arn)
}

/// The shape of a connection's ARN; its DFA is embedded (see
/// [`crate::automata`]).
pub(crate) const CONNECTION_ARN: &str = r"^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:connection/[A-Za-z0-9-]+$";

/// An execution policy is AWS's or one of the environment's own account:
/// IAM attaches no customer-managed policy of another account to a role.
fn foreign_execution_policies<'a>(env: &'a Environment, findings: &mut Findings<'a>) {
    for (index, arn) in env.execution_policies.iter().enumerate() {
        // The type has checked the shape: `arn:<partition>:iam::<account>:policy/<path>`.
        let Some(account) = arn.split(':').nth(4) else {
            continue;
        };
        if account == "aws" || account == env.account {
            continue;
        }
        let span = env
            .execution_policy_spans
            .get(index)
            .copied()
            .unwrap_or_else(|| {
                env.field_spans
                    .get_or(EnvField::ExecutionPolicies, env.span)
            });
        let own = arn.replacen(&format!(":{account}:"), &format!(":{}:", env.account), 1);
        findings.push(
            &env.name,
            &env.field_spans,
            EnvField::ExecutionPolicies,
            Diagnostic::new(
                Code::ForeignExecutionPolicy,
                span,
                format!(
                    "the execution policy `{arn}` belongs to account {account}, but `{}` deploys into account {}",
                    env.name, env.account
                ),
            )
            .with_label(format!("a policy of account {account}"))
            .with_secondary(
                env.field_spans.get_or(EnvField::Account, env.span),
                format!("`{}` deploys here", env.name),
            )
            .with_note("the execution role lives in the environment's account, and IAM attaches to it only AWS managed policies and that account's own: CloudFormation fails to create the bootstrap stack")
            .with_help(format!(
                "create the policy in account {} and name it, e.g. `{own}`, or use an AWS managed policy (`arn:aws:iam::aws:policy/...`)",
                env.account
            )),
        );
    }
}

/// One warning per lake for the environments that deploy with the default
/// `AdministratorAccess` because they name no policy.
fn default_execution_policy(pipelined: &[&Environment], diagnostics: &mut Diagnostics) {
    let defaulted: Vec<&&Environment> = pipelined
        .iter()
        .filter(|e| !e.field_spans.is_given(EnvField::ExecutionPolicies))
        .filter(|e| e.execution_policies == [DEFAULT_EXECUTION_POLICY])
        .collect();
    let Some((first, rest)) = defaulted.split_first() else {
        return;
    };
    let mut diagnostic = Diagnostic::new(
        Code::AdministratorExecutionPolicy,
        first.field_spans.get_or(EnvField::Branch, first.span),
        format!(
            "CloudFormation deploys the stacks of `{}` with AdministratorAccess, because it names no execution policy",
            first.name
        ),
    )
    .with_label("deployed by a pipeline from this branch");
    for env in rest {
        diagnostic = diagnostic.with_secondary(
            env.field_spans.get_or(EnvField::Branch, env.span),
            format!("`{}` too", env.name),
        );
    }
    diagnostics.push(
        diagnostic
            .with_note("the execution role of the bootstrap template can then do anything in the account: a change that slips into the lake's repository can, too")
            .with_help(format!("name a policy of your own that allows what the lake's stacks create, e.g. `execution_policies = [\"arn:aws:iam::{}:policy/DataLakeDeploy\"]`, or write the default out to say it is deliberate", first.account)),
    );
}

fn branches<'a>(lake: &'a Lake, findings: &mut Findings<'a>, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for env in lake.environments.values() {
        let Some(branch) = &env.branch else { continue };
        let span = env.field_spans.get_or(EnvField::Branch, env.span);
        if let Some(problem) = git_branch_problem(branch) {
            findings.push(
                &env.name,
                &env.field_spans,
                EnvField::Branch,
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
            let label = |env: &Environment| match inherited::inherited_from(
                &env.field_spans,
                EnvField::Branch,
            ) {
                Some(from) => format!(
                    "`{}` inherits the branch `{branch}` of `{from}` here",
                    env.name
                ),
                None => format!("`{}` deploys from `{branch}`", env.name),
            };
            let diagnostic = Diagnostic::new(
                Code::DuplicateBranch,
                inherited::primary(&env.field_spans, EnvField::Branch, env.span),
                format!("`{first}` and `{}` both deploy from the branch `{branch}`", env.name),
            )
            .with_label(label(env))
            .with_secondary(
                inherited::primary(&first_env.field_spans, EnvField::Branch, first_env.span),
                label(first_env),
            )
            .with_note("a push would deploy both environments at once, from two pipelines racing each other")
            .with_help("give each environment its own branch");
            let diagnostic =
                inherited::with_origin(diagnostic, &env.name, &env.field_spans, EnvField::Branch);
            diagnostics.push(inherited::with_origin(
                diagnostic,
                first,
                &first_env.field_spans,
                EnvField::Branch,
            ));
        } else {
            seen.insert(branch, &env.name);
        }
        // An explicit `approval = false` is a decision, not an oversight.
        let approval_written = env.field_spans.is_given(EnvField::Approval);
        if env.retention == Retention::Retain && !env.approval && !approval_written {
            let retention = env.field_spans.get_or(EnvField::Retention, env.span);
            let diagnostic = Diagnostic::new(
                Code::RetainedWithoutApproval,
                retention,
                format!(
                    "`{}` keeps its data but deploys without a manual approval",
                    env.name
                ),
            )
            .with_label("retained here")
            .with_note(
                "an environment that keeps its data is usually one whose mistakes are expensive",
            )
            .with_help(
                "add `approval = true`, or write `approval = false` to say it is deliberate",
            );
            // The approval goes on the line after `retention`, in the
            // environment that writes it (an heir's would change its parent).
            let diagnostic =
                if inherited::inherited_from(&env.field_spans, EnvField::Retention).is_none() {
                    let after = Span {
                        start: retention.end,
                        ..retention
                    };
                    diagnostic.with_edit(after, "\n    approval = true")
                } else {
                    diagnostic
                };
            findings.push(&env.name, &env.field_spans, EnvField::Retention, diagnostic);
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
    use super::{git_branch_problem, install_problem, is_connection_arn, InstallProblem};

    #[test]
    fn installs_dlc_can_verify() {
        let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        for good in [
            format!("curl -fsSLo dlc.tgz https://example.com/dlc.tgz && echo \"{digest}  dlc.tgz\" | sha256sum -c - && tar -xzf dlc.tgz"),
            format!("wget -q https://example.com/dlc && echo \"{digest}  dlc\" | shasum -a 256 --check"),
            "cargo install --locked dlc --version =0.1.0".to_string(),
            "cargo install --locked dlc --version 0.1.0".to_string(),
            "cargo install --locked dlc@0.1.0".to_string(),
            "cargo install --locked --git https://example.com/dlc --rev 4d84a55e0c1f1f2b3c4d5e6f708192a3b4c5d6e7 dlc".to_string(),
        ] {
            assert_eq!(install_problem(&good), None, "{good}");
        }
        for (bad, problem) in [
            (
                "curl -sSf https://sh.rustup.rs | sh -s -- -y",
                InstallProblem::PipedToShell,
            ),
            (
                &format!("curl https://x | bash # {digest} sha256sum -c") as &str,
                InstallProblem::PipedToShell,
            ),
            (
                "cargo install --locked --git https://example.com/dlc --tag v0.1.0 dlc",
                InstallProblem::CargoNotPinned,
            ),
            (
                "cargo install dlc --version 0.1.0",
                InstallProblem::CargoNotPinned,
            ),
            (
                "cargo install --locked dlc --version ^0.1",
                InstallProblem::CargoNotPinned,
            ),
            (
                "curl -fsSLo /usr/local/bin/dlc https://example.com/dlc",
                InstallProblem::NoChecksum,
            ),
            (
                "curl -fsSLo dlc.tgz https://x && cargo install --locked dlc@0.1.0",
                InstallProblem::NoChecksum,
            ),
            (
                "aws s3 cp s3://tools/dlc /usr/local/bin/dlc",
                InstallProblem::NoChecksum,
            ),
            (
                &format!("echo {digest}") as &str,
                InstallProblem::NoChecksum,
            ),
        ] {
            assert_eq!(install_problem(bad), Some(problem), "{bad}");
        }
    }

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
