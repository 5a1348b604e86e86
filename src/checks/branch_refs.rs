//! A branch written as a git ref (`refs/heads/main`): CodePipeline watches
//! the branch by its name, so a ref would watch a branch nobody pushes to.

use super::inherited::Findings;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{EnvField, Lake};

const HEADS: &str = "refs/heads/";

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        let Some(branch) = &env.branch else { continue };
        let Some(name) = branch.strip_prefix(HEADS).filter(|name| !name.is_empty()) else {
            continue;
        };
        // An inherited branch is reported once, naming its heirs.
        let written = env.field_spans.get_or(EnvField::Branch, env.span);
        findings.push(
            &env.name,
            &env.field_spans,
            EnvField::Branch,
            Diagnostic::new(
                Code::BranchWrittenAsRef,
                written,
                format!("`{branch}` is a git ref, not a branch name"),
            )
            .with_label("a ref")
            .with_note(format!(
                "the pipeline would watch a branch named `{branch}`, and pushes to `{name}` would deploy nothing"
            ))
            .with_help(format!("write the branch's name: \"{name}\""))
            .with_edit(written, format!("\"{name}\"")),
        );
    }
    findings.report(diagnostics);
}
