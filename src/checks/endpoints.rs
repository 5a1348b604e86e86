//! VPC endpoints: each service once per list. Codegen names an endpoint's
//! resource after its service, so a repeat would be two resources with one
//! logical ID, a template CloudFormation rejects.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Lake, Network};

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    for env in lake.environments.values() {
        let network = &env.network;
        check_list(
            network,
            "gateway_endpoints",
            "gateway",
            &network.gateway_endpoints,
            diagnostics,
        );
        check_list(
            network,
            "interface_endpoints",
            "interface",
            &network.interface_endpoints,
            diagnostics,
        );
    }
}

fn check_list(
    network: &Network,
    field: &str,
    kind: &str,
    services: &[String],
    diagnostics: &mut Diagnostics,
) {
    let span = network.field_spans.get_or(field, network.span);
    for (i, service) in services.iter().enumerate() {
        // Reported once, at its second appearance.
        let earlier = services[..i].iter().filter(|s| *s == service).count();
        if earlier != 1 {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::RepeatedEndpoint,
                span,
                format!("the {kind} endpoint `{service}` is listed twice"),
            )
            .with_label(format!("`{service}` appears more than once"))
            .with_note("dlc gives a VPC one endpoint per service, named after it")
            .with_help(format!("remove the repeated `{service}` from `{field}`")),
        );
    }
}
