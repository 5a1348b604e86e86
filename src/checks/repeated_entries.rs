//! Lists whose entries become one thing each list every entry once: a VPC
//! endpoint per service (its logical ID is the service's, and a second
//! interface endpoint would claim the same private DNS name), and a managed
//! policy attached to the execution role (CloudFormation allows no
//! duplicates in a role's `ManagedPolicyArns`). A repeat is an error rather
//! than silently dropped: it is most often a slip for another entry.

use std::collections::HashSet;

use super::inherited::Findings;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{EnvField, FieldKey, Lake, NetworkField};
use crate::source::Span;

const ONE_ENDPOINT: &str = "each service gets one endpoint per VPC";
const ONE_POLICY: &str = "each policy is attached to the execution role once; CloudFormation allows no duplicates in a role's `ManagedPolicyArns`";

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        let network = &env.network;
        let endpoints = [
            (NetworkField::GatewayEndpoints, &network.gateway_endpoints),
            (
                NetworkField::InterfaceEndpoints,
                &network.interface_endpoints,
            ),
        ];
        for (field, entries) in endpoints {
            let span = network.field_spans.get_or(field, network.span);
            for diagnostic in check_list(field.name(), entries, span, ONE_ENDPOINT) {
                findings.push(&env.name, &network.field_spans, field, diagnostic);
            }
        }
        let field = EnvField::ExecutionPolicies;
        let span = env.field_spans.get_or(field, env.span);
        for diagnostic in check_list(field.name(), &env.execution_policies, span, ONE_POLICY) {
            findings.push(&env.name, &env.field_spans, field, diagnostic);
        }
    }
    findings.report(diagnostics);
}

/// The message names no environment, so a list inherited through `extends`
/// is one finding.
fn check_list(field: &str, entries: &[String], span: Span, note: &str) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut repeated: Vec<&str> = Vec::new();
    for entry in entries {
        if !seen.insert(entry.as_str()) && !repeated.contains(&entry.as_str()) {
            repeated.push(entry);
        }
    }
    let mut found = Vec::new();
    for entry in repeated {
        let times = match entries.iter().filter(|e| *e == entry).count() {
            2 => "twice".to_string(),
            n => format!("{n} times"),
        };
        found.push(
            Diagnostic::new(
                Code::RepeatedListEntry,
                span,
                format!("`{entry}` is listed {times} in `{field}`"),
            )
            .with_label(format!("`{entry}` appears {times} in this list"))
            .with_note(note)
            .with_help(format!(
                "remove the repeated `{entry}` (or replace it with the one you meant)"
            )),
        );
    }
    found
}
