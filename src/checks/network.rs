//! VPC ranges: host bits, allowed sizes, the subnet plan, the address pool,
//! and overlaps between every network the lake knows.

use ipnet::Ipv4Net;

use super::cidr::{bounds, overlapping_pairs, private_block, Occupied};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::naming::{subnet_prefix, SMALLEST_SUBNET_PREFIX, SUBNET_TIERS};
use crate::model::Lake;
use crate::source::Span;

/// A range the lake knows: an environment's VPC or a reserved range.
struct Network {
    /// "the VPC of `Dev`" or "the reserved range `on-premises`".
    owner: String,
    /// The environment that owns it, for suggestions.
    environment: Option<String>,
    cidr: Ipv4Net,
    span: Span,
}

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut networks = Vec::new();
    for env in lake.environments.values() {
        let net = &env.network;
        networks.push(Network {
            owner: format!("the VPC of `{}`", env.name),
            environment: Some(env.name.clone()),
            cidr: net.cidr,
            span: net.cidr_span,
        });
        check_vpc_size(&env.name, net.cidr, net.cidr_span, diagnostics);
        check_subnet_plan(&env.name, &env.network, diagnostics);
        check_zones_in_region(env, diagnostics);
    }
    for reserved in &lake.reserved {
        networks.push(Network {
            owner: format!("the reserved range `{}`", reserved.name),
            environment: None,
            cidr: reserved.cidr,
            span: reserved.span,
        });
    }
    for network in &networks {
        check_host_bits(network, diagnostics);
        check_in_pool(lake, network, diagnostics);
    }
    check_overlaps(lake, &networks, diagnostics);
}

fn check_host_bits(network: &Network, diagnostics: &mut Diagnostics) {
    let cidr = network.cidr;
    if cidr.addr() != cidr.network() {
        diagnostics.push(
            Diagnostic::new(
                Code::CidrHostBits,
                network.span,
                format!(
                    "`{cidr}` has host bits set: a /{} starts at {}",
                    cidr.prefix_len(),
                    cidr.network()
                ),
            )
            .with_label(format!(
                "{} is inside the range, not its start",
                cidr.addr()
            ))
            .with_note(format!("{} is {}", network.owner, cidr.trunc()))
            .with_help(format!("write the network address: {}", cidr.trunc())),
        );
    }
}

fn check_vpc_size(env: &str, cidr: Ipv4Net, span: Span, diagnostics: &mut Diagnostics) {
    let prefix = cidr.prefix_len();
    if !(16..=28).contains(&prefix) {
        let help = if prefix < 16 {
            format!(
                "split the range: {}/16 is the largest VPC AWS allows",
                cidr.network()
            )
        } else {
            format!("use at least a /28, e.g. {}/28", cidr.network())
        };
        diagnostics.push(
            Diagnostic::new(
                Code::VpcPrefixOutOfRange,
                span,
                format!("a VPC is /16 to /28; the VPC of `{env}` is /{prefix}"),
            )
            .with_label(format!("a /{prefix} VPC"))
            .with_note(
                "AWS accepts IPv4 VPC ranges from /16 (65,536 addresses) to /28 (16 addresses)",
            )
            .with_help(help),
        );
    }
}

fn check_subnet_plan(env: &str, network: &crate::model::Network, diagnostics: &mut Diagnostics) {
    let prefix = network.cidr.prefix_len();
    let azs = network.availability_zones;
    if !(16..=28).contains(&prefix) || subnet_prefix(prefix, azs).is_some() {
        return;
    }
    let needed = azs * SUBNET_TIERS;
    let fits = 1u64 << (SMALLEST_SUBNET_PREFIX - prefix);
    // The largest VPC prefix that holds the plan.
    let bits = u32::BITS - (needed - 1).leading_zeros();
    let largest_prefix = u32::from(SMALLEST_SUBNET_PREFIX) - bits;
    let span = network
        .field_spans
        .get_or("availability_zones", network.cidr_span);
    diagnostics.push(
        Diagnostic::new(
            Code::SubnetPlanDoesNotFit,
            network.cidr_span,
            format!(
                "the VPC of `{env}` cannot hold its subnets: {azs} zones × {SUBNET_TIERS} tiers need {needed} subnets of at least /{SMALLEST_SUBNET_PREFIX}, and a /{prefix} holds {fits}"
            ),
        )
        .with_label(format!("a /{prefix} holds {fits} subnets of /{SMALLEST_SUBNET_PREFIX}"))
        .with_secondary(span, format!("{azs} availability zones"))
        .with_help(format!(
            "use a /{largest_prefix} or larger VPC, or fewer availability zones"
        )),
    );
}

fn check_zones_in_region(env: &crate::model::Environment, diagnostics: &mut Diagnostics) {
    let wanted = env.network.availability_zones as usize;
    let available = &env.region.availability_zones;
    if wanted > available.len() {
        let span = env
            .network
            .field_spans
            .get_or("availability_zones", env.network.span);
        diagnostics.push(
            Diagnostic::new(
                Code::NotEnoughAvailabilityZones,
                span,
                format!(
                    "`{}` asks for {wanted} availability zones, and {} has {}",
                    env.name,
                    env.region.name,
                    available.len()
                ),
            )
            .with_label(format!("{wanted} zones"))
            .with_secondary(
                env.field_spans.get_or("region", env.span),
                format!("{} is chosen here", env.region.name),
            )
            .with_note(format!("{} has {}", env.region.name, available.join(", ")))
            .with_help(format!(
                "set `availability_zones = {}` or choose another region",
                available.len()
            )),
        );
    }
}

fn check_in_pool(lake: &Lake, network: &Network, diagnostics: &mut Diagnostics) {
    let Some(pool) = lake.address_pool else {
        return;
    };
    if pool.contains(&network.cidr.trunc()) {
        return;
    }
    diagnostics.push(
        Diagnostic::new(
            Code::OutsideAddressPool,
            network.span,
            format!(
                "{} ({}) is outside the lake's address pool {pool}",
                network.owner, network.cidr
            ),
        )
        .with_label(format!("not inside {pool}"))
        .with_secondary(
            lake.field_spans.get_or("address_pool", lake.span),
            "the pool is declared here",
        )
        .with_help("allocate the range from the pool, or widen the pool"),
    );
}

fn check_overlaps(lake: &Lake, networks: &[Network], diagnostics: &mut Diagnostics) {
    let nets: Vec<Ipv4Net> = networks.iter().map(|n| n.cidr.trunc()).collect();
    let occupied = Occupied::new(nets.iter().copied());
    for (outer, inner) in overlapping_pairs(&nets) {
        // Blame the larger range (it swallows the other); on equal ranges, the later one.
        let (blamed, other) = if nets[outer].prefix_len() < nets[inner].prefix_len() {
            (outer, inner)
        } else {
            (outer.max(inner), outer.min(inner))
        };
        let (a, b) = (&networks[blamed], &networks[other]);
        let shared = nets[other];
        let pool = lake.address_pool.or_else(|| private_block(&nets[blamed]));
        let suggestion = pool.and_then(|pool| {
            occupied.nearest_free(&pool, nets[blamed].prefix_len(), bounds(&nets[blamed]).0)
        });
        let help = match (suggestion, &a.environment) {
            (Some(free), Some(env)) => format!(
                "{free} is the nearest free /{} that overlaps nothing in the lake: use it for `{env}`",
                free.prefix_len()
            ),
            (Some(free), None) => format!(
                "{free} is the nearest free /{} that overlaps nothing in the lake",
                free.prefix_len()
            ),
            (None, _) => "choose a range that overlaps no other network of the lake".into(),
        };
        let message = if nets[blamed] == nets[other] {
            format!(
                "{} and {} are the same range, {}",
                a.owner, b.owner, nets[blamed]
            )
        } else {
            format!(
                "{} ({}) overlaps {} ({}): they share {shared}",
                a.owner, nets[blamed], b.owner, nets[other]
            )
        };
        diagnostics.push(
            Diagnostic::new(Code::NetworksOverlap, a.span, capitalize(&message))
                .with_label(format!("{} is {}", a.owner, nets[blamed]))
                .with_secondary(b.span, format!("{} is {}", b.owner, nets[other]))
                .with_note(
                    "overlapping VPCs deploy, then break peering, Transit Gateway and VPN routes",
                )
                .with_help(help),
        );
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
