//! An environment guarded by a manual approval that still deletes its data
//! with its stacks: the approval says its mistakes are expensive, and
//! `retention = destroy` makes the worst of them, a deleted stack, final.

use super::inherited::Findings;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{EnvField, Lake, Retention};

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    // A value inherited by heirs is one problem, reported once.
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        // Only a `destroy` written out: the default is for environments
        // nobody has thought about keeping, which DL0353 covers.
        let spans = &env.field_spans;
        if env.retention != Retention::Destroy
            || !env.approval
            || !spans.is_given(EnvField::Retention)
        {
            continue;
        }
        let retention = spans.get_or(EnvField::Retention, env.span);
        findings.push(
            &env.name,
            spans,
            EnvField::Retention,
            Diagnostic::new(
                Code::DestroyedWithApproval,
                retention,
                format!(
                    "`{}` deploys only after a manual approval, but deletes its data with its stacks",
                    env.name
                ),
            )
            .with_label("its buckets and tables are deleted with the stacks")
            .with_secondary(spans.get_or(EnvField::Approval, env.span), "approval is asked here")
            .with_note("an environment worth an approval is usually one whose data is worth keeping")
            .with_help("write `retention = retain` to keep its data when a stack is deleted")
            .with_edit(retention, "retain"),
        );
    }
    findings.report(diagnostics);
}
