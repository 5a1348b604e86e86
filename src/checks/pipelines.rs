//! Branches: one environment per branch, names git accepts, and an approval
//! before environments that keep their data.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Lake, Retention};

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for env in lake.environments.values() {
        let Some(branch) = &env.branch else { continue };
        let span = env.field_spans.get_or("branch", env.span);
        if let Some(problem) = git_branch_problem(branch) {
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
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateBranch,
                    span,
                    format!("`{first}` and `{}` both deploy from the branch `{branch}`", env.name),
                )
                .with_label(format!("`{}` deploys from `{branch}`", env.name))
                .with_secondary(
                    first_env.field_spans.get_or("branch", first_env.span),
                    format!("`{first}` deploys from `{branch}`"),
                )
                .with_note("a push would deploy both environments at once, from two pipelines racing each other")
                .with_help("give each environment its own branch"),
            );
        } else {
            seen.insert(branch, &env.name);
        }
        // An explicit `approval = false` is a decision, not an oversight.
        let approval_written = env.field_spans.get_or("approval", env.span) != env.span;
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
    use super::git_branch_problem;

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
