//! What a line compiles to, from the checked model and the names codegen
//! uses (src/model/naming.rs, src/codegen/network.rs): the facts behind
//! hovers and inlay hints.

use std::borrow::Cow;

use ipnet::Ipv4Net;

use crate::analysis::Analysis;
use crate::codegen::network::carve;
use crate::model::naming::{self, ACCESS_LOGS_SUFFIX};
use crate::model::{self, Environment, Lake};

/// The checked model or, while the lake has errors, the model of the
/// environments that type-check (what the domain checks saw): an overlap's
/// CIDR is worth a hover most while it is wrong.
pub fn lake(analysis: &Analysis) -> Option<Cow<'_, Lake>> {
    match &analysis.checked.model {
        Some(lake) => Some(Cow::Borrowed(lake)),
        None => model::build_partial_model(&analysis.checked.evaluated).map(Cow::Owned),
    }
}

/// An environment's stacks, buckets and network, as Markdown.
pub fn environment(lake: &Lake, env: &Environment) -> String {
    let mut out = format!("**{}** compiles to\n\n", env.name);
    out.push_str(&format!(
        "- account `{}`, region `{}`\n",
        env.account, env.region.name
    ));
    out.push_str("- stacks: ");
    let stacks: Vec<String> = naming::stack_kinds(env)
        .into_iter()
        .map(|kind| format!("`{}`", naming::stack_name(lake, env, kind)))
        .chain(
            env.branch
                .as_ref()
                .map(|_| format!("`{}`", naming::pipeline_stack_name(lake, env))),
        )
        .collect();
    out.push_str(&stacks.join(", "));
    out.push('\n');
    out.push_str("- buckets: ");
    let buckets: Vec<String> = env
        .zones
        .iter()
        .map(|zone| zone.name.as_str())
        .chain([ACCESS_LOGS_SUFFIX])
        .map(|suffix| format!("`{}`", naming::bucket_name(lake, env, suffix)))
        .collect();
    out.push_str(&buckets.join(", "));
    out.push('\n');
    out.push_str(&format!("- KMS key `{}`\n", naming::kms_alias(lake, env)));
    out.push_str(&format!("- VPC `{}`", env.network.cidr));
    if let Some((public, private)) = subnets(env) {
        out.push_str(&format!(
            "; public subnets {}; private subnets {}",
            join(&public),
            join(&private)
        ));
    }
    out.push('\n');
    out
}

/// The public and private subnets codegen carves from an environment's VPC.
pub fn subnets(env: &Environment) -> Option<(Vec<Ipv4Net>, Vec<Ipv4Net>)> {
    carve(env.network.cidr, env.network.availability_zones).ok()
}

pub fn join(nets: &[Ipv4Net]) -> String {
    nets.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A CIDR's subnet plan and its nearest neighbours among the lake's ranges.
pub fn cidr(lake: &Lake, env: &Environment) -> String {
    let cidr = env.network.cidr;
    let mut out = format!(
        "**{cidr}**: the VPC of {} ({} addresses)\n\n",
        env.name,
        1u64 << (32 - u32::from(cidr.prefix_len()))
    );
    if let Some((public, private)) = subnets(env) {
        out.push_str(&format!(
            "- subnets over {} availability zones: public {}; private {}\n",
            env.network.availability_zones,
            join(&public),
            join(&private)
        ));
    }
    let mut others: Vec<(Ipv4Net, String)> = lake
        .environments
        .values()
        .filter(|other| other.name != env.name)
        .map(|other| (other.network.cidr, format!("VPC of {}", other.name)))
        .chain(
            lake.reserved
                .iter()
                .map(|r| (r.cidr, format!("reserved: {}", r.name))),
        )
        .collect();
    let start = u32::from(cidr.network());
    others.sort_by_key(|(net, _)| (u32::from(net.network()).abs_diff(start), net.prefix_len()));
    let overlaps = |net: &Ipv4Net| net.contains(&cidr.network()) || cidr.contains(&net.network());
    for (net, what) in others.iter().filter(|(net, _)| overlaps(net)) {
        out.push_str(&format!("- overlaps `{net}` ({what})\n"));
    }
    others.retain(|(net, _)| !overlaps(net));
    let below = others
        .iter()
        .filter(|(net, _)| net.network() < cidr.network())
        .min_by_key(|(net, _)| start - u32::from(net.network()));
    let above = others
        .iter()
        .filter(|(net, _)| net.network() > cidr.network())
        .min_by_key(|(net, _)| u32::from(net.network()) - start);
    if let Some(pool) = lake.address_pool {
        out.push_str(&format!("- in the lake's address pool `{pool}`\n"));
    }
    for (side, neighbour) in [("below", below), ("above", above)] {
        if let Some((net, what)) = neighbour {
            out.push_str(&format!("- nearest {side}: `{net}` ({what})\n"));
        }
    }
    out
}
