//! A branch written as a git ref (`refs/heads/main`): CodePipeline watches
//! the branch by its name, so a ref would watch a branch nobody pushes to.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Lake;

const HEADS: &str = "refs/heads/";

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    for env in lake.environments.values() {
        let Some(branch) = &env.branch else { continue };
        let Some(name) = branch.strip_prefix(HEADS).filter(|name| !name.is_empty()) else {
            continue;
        };
        // One message for every environment that shares the value: an
        // inherited branch is reported once, where it is written.
        diagnostics.push(
            Diagnostic::new(
                Code::BranchWrittenAsRef,
                env.field_spans.get_or("branch", env.span),
                format!("`{branch}` is a git ref, not a branch name"),
            )
            .with_label("a ref")
            .with_note(format!(
                "the pipeline would watch a branch named `{branch}`, and pushes to `{name}` would deploy nothing"
            ))
            .with_help(format!("write the branch's name: \"{name}\""))
            .with_edit(env.field_spans.get_or("branch", env.span), format!("\"{name}\"")),
        );
    }
}
