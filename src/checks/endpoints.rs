//! A VPC endpoint is listed once: each becomes one endpoint resource whose
//! logical ID is the service's, and a second one for the same service has
//! nothing to add (and, for an interface endpoint with private DNS, would
//! claim the same DNS name).

use std::collections::HashSet;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Lake;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    for env in lake.environments.values() {
        let network = &env.network;
        for (field, services) in [
            ("gateway_endpoints", &network.gateway_endpoints),
            ("interface_endpoints", &network.interface_endpoints),
        ] {
            let span = network.field_spans.get_or(field, network.span);
            let mut seen = HashSet::new();
            let mut repeated: Vec<&str> = Vec::new();
            for service in services {
                if !seen.insert(service.as_str()) && !repeated.contains(&service.as_str()) {
                    repeated.push(service);
                }
            }
            // The message names no environment, so a list inherited through
            // `extends` is reported once.
            for service in repeated {
                let times = match services.iter().filter(|s| *s == service).count() {
                    2 => "twice".to_string(),
                    n => format!("{n} times"),
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateEndpoint,
                        span,
                        format!("`{service}` is listed {times} in `{field}`"),
                    )
                    .with_label(format!("`{service}` appears {times} in this list"))
                    .with_note("each service gets one endpoint per VPC")
                    .with_help(format!(
                        "remove the repeated `{service}` (or replace it with the service you meant)"
                    )),
                );
            }
        }
    }
}
