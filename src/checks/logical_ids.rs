//! CloudFormation logical IDs are unique within a template, and dlc makes
//! some of them from names the user writes: a zone's bucket (`stage-1` ->
//! `Stage1Bucket`) and each pipeline's update role in the deployment
//! bootstrap (`dev-eu` -> `DevEuUpdatePipelineRole`). Names that differ only
//! in hyphens or in the case of a word's first letter give the same ID.

use std::collections::HashMap;

use super::inherited::Findings;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::naming::{update_role_id, zone_bucket_id};
use crate::model::{Lake, ZoneField};
use crate::source::Span;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        // The message names no environment, so zones inherited through
        // `extends` are reported once.
        let mut seen: HashMap<String, (&str, Span)> = HashMap::new();
        for zone in &env.zones {
            let id = zone_bucket_id(&zone.name);
            let span = zone.field_spans.get_or(ZoneField::Name, zone.span);
            match seen.get(&id) {
                // The same name twice is DL0312's (`names::check_zone_names`).
                Some((first, _)) if *first == zone.name => {}
                Some((first, first_span)) => findings.push(
                    &env.name,
                    &zone.field_spans,
                    ZoneField::Name,
                    Diagnostic::new(
                        Code::DuplicateLogicalId,
                        span,
                        format!(
                            "the zones `{first}` and `{}` would both get the logical ID `{id}` in the Storage template",
                            zone.name
                        ),
                    )
                    .with_label(format!("`{}` becomes `{id}`", zone.name))
                    .with_secondary(*first_span, format!("`{first}` becomes `{id}` first"))
                    .with_note("a logical ID keeps only letters and digits: hyphens are dropped and each word starts with a capital")
                    .with_help("rename one of the zones so that they differ in more than hyphens"),
                ),
                None => {
                    seen.insert(id, (&zone.name, span));
                }
            }
        }
    }
    findings.report(diagnostics);

    let mut seen: HashMap<String, (&str, Span)> = HashMap::new();
    for env in lake.pipelined() {
        let id = update_role_id(env);
        match seen.get(&id) {
            // Names equal but for case already share every pipeline name,
            // which DL0312 reports; one error for one cause.
            Some((first, _)) if first.eq_ignore_ascii_case(&env.name) => {}
            Some((first, first_span)) => diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateLogicalId,
                    env.span,
                    format!(
                        "`{first}` and `{}` would both get the logical ID `{id}` in the deployment account's bootstrap template",
                        env.name
                    ),
                )
                .with_label(format!("`{}` becomes `{id}`", env.name))
                .with_secondary(*first_span, format!("`{first}` becomes `{id}` first"))
                .with_note("the bootstrap holds one update role per pipeline; a logical ID keeps only letters and digits: hyphens and underscores are dropped and each word starts with a capital")
                .with_help("rename one of the environments so that they differ in more than hyphens, underscores and capitals"),
            ),
            None => {
                seen.insert(id, (&env.name, env.span));
            }
        }
    }
}
