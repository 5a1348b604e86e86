//! VPC ranges: host bits, allowed sizes, the subnet plan, the address pool,
//! and overlaps between every network the lake knows.

use ipnet::Ipv4Net;

use super::cidr::{bounds, overlapping_pairs, private_block, Occupied};
use super::inherited;
use crate::diagnostic::{count, Code, Diagnostic, Diagnostics};
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
        check_vpc_size(net, diagnostics);
        check_subnet_plan(&env.network, diagnostics);
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
    // A suggested free range also avoids environments a partial check left out.
    let occupied = Occupied::new(
        networks
            .iter()
            .map(|n| n.cidr.trunc())
            .chain(lake.left_out_networks.iter().map(|n| n.trunc())),
    );
    for network in &networks {
        check_host_bits(network, diagnostics);
        check_in_pool(lake, network, &occupied, diagnostics);
    }
    check_overlaps(lake, &networks, &occupied, diagnostics);
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

fn check_vpc_size(network: &crate::model::Network, diagnostics: &mut Diagnostics) {
    let (cidr, span) = (network.cidr, network.cidr_span);
    let prefix = cidr.prefix_len();
    if !(16..=28).contains(&prefix) {
        let help = if prefix < 16 {
            format!(
                "a /16 is the largest VPC AWS allows: use one, e.g. {}/16",
                cidr.network()
            )
        } else {
            // A /28 is the smallest VPC, but the subnet plan may need more.
            let azs = network.availability_zones;
            let smallest = (16..=28)
                .rev()
                .find(|&p| subnet_prefix(p, azs).is_some())
                .unwrap_or(16);
            let example = Ipv4Net::new(cidr.network(), smallest)
                .map(|n| n.trunc())
                .unwrap_or(cidr);
            format!(
                "use a /{smallest} or larger, e.g. {example}: {azs} zones × {SUBNET_TIERS} tiers need {} subnets of at least /{SMALLEST_SUBNET_PREFIX}",
                azs * SUBNET_TIERS
            )
        };
        diagnostics.push(
            Diagnostic::new(
                Code::VpcPrefixOutOfRange,
                span,
                format!("a VPC is /16 to /28, and this is a /{prefix}"),
            )
            .with_label(format!("a /{prefix} VPC"))
            .with_note(
                "AWS accepts IPv4 VPC ranges from /16 (65,536 addresses) to /28 (16 addresses)",
            )
            .with_help(help),
        );
    }
}

fn check_subnet_plan(network: &crate::model::Network, diagnostics: &mut Diagnostics) {
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
    let mut diagnostic = Diagnostic::new(
        Code::SubnetPlanDoesNotFit,
        network.cidr_span,
        format!(
            "this VPC cannot hold its subnets: {} × {SUBNET_TIERS} tiers need {needed} subnets of at least /{SMALLEST_SUBNET_PREFIX}, and a /{prefix} holds {fits}",
            count(azs, "zone")
        ),
    )
    .with_label(format!("a /{prefix} holds {} of /{SMALLEST_SUBNET_PREFIX}", count(fits, "subnet")));
    // A default has no line in the lake: say so rather than label the whole network.
    let spans = &network.field_spans;
    diagnostic = if spans.is_given("availability_zones") {
        diagnostic.with_secondary(
            spans.get_or("availability_zones", network.span),
            count(azs, "availability zone"),
        )
    } else {
        diagnostic.with_note(format!("`availability_zones` is {azs} by default"))
    };
    diagnostics.push(diagnostic.with_help(format!(
        "use a /{largest_prefix} or larger VPC, or fewer availability zones"
    )));
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
                    "the network asks for {wanted} availability zones, and {} has {}",
                    env.region.name,
                    available.len()
                ),
            )
            .with_label(if !env.network.field_spans.is_given("availability_zones") {
                format!("{}, by default", count(wanted as u64, "zone"))
            } else {
                count(wanted as u64, "zone")
            })
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

fn check_in_pool(
    lake: &Lake,
    network: &Network,
    occupied: &Occupied,
    diagnostics: &mut Diagnostics,
) {
    let Some(pool) = lake.address_pool else {
        return;
    };
    // The pool is where the lake allocates its VPCs; reserved ranges belong
    // to networks outside the lake and may lie anywhere.
    let Some(env) = &network.environment else {
        return;
    };
    let cidr = network.cidr.trunc();
    if pool.contains(&cidr) {
        return;
    }
    let help = match occupied.nearest_free(&pool, cidr.prefix_len(), bounds(&cidr).0) {
        Some(free) => format!(
            "{free} is the nearest /{} in the pool that overlaps nothing in the lake: use it for `{env}`",
            free.prefix_len()
        ),
        None => format!("the pool has no free /{}: widen the pool", cidr.prefix_len()),
    };
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
        .with_help(help),
    );
}

fn check_overlaps(
    lake: &Lake,
    networks: &[Network],
    occupied: &Occupied,
    diagnostics: &mut Diagnostics,
) {
    let nets: Vec<Ipv4Net> = networks.iter().map(|n| n.cidr.trunc()).collect();
    for (outer, inner) in overlapping_pairs(&nets) {
        let (outer_vpc, inner_vpc) = (
            networks[outer].environment.is_some(),
            networks[inner].environment.is_some(),
        );
        // Reserved ranges are networks the lake does not own: only a VPC
        // must stay clear of them, and it is the VPC that has to move.
        let (blamed, other) = match (outer_vpc, inner_vpc) {
            (false, false) => continue,
            (true, false) => (outer, inner),
            (false, true) => (inner, outer),
            // Blame the larger range (it swallows the other); on equal ranges, the later one.
            (true, true) if nets[outer].prefix_len() < nets[inner].prefix_len() => (outer, inner),
            (true, true) => (outer.max(inner), outer.min(inner)),
        };
        let (a, b) = (&networks[blamed], &networks[other]);
        // CIDR blocks nest, so the range they share is the smaller one.
        let shared = if nets[blamed].prefix_len() > nets[other].prefix_len() {
            nets[blamed]
        } else {
            nets[other]
        };
        let pool = lake.address_pool.or_else(|| private_block(&nets[blamed]));
        let suggestion = pool.and_then(|pool| {
            occupied.nearest_free(&pool, nets[blamed].prefix_len(), bounds(&nets[blamed]).0)
        });
        let within = match lake.address_pool {
            Some(pool) => format!(" in the address pool {pool}"),
            None => String::new(),
        };
        let env = a.environment.as_deref().unwrap_or_default();
        let help = match (suggestion, lake.address_pool) {
            (Some(free), _) => format!(
                "{free} is the nearest /{}{within} that overlaps nothing in the lake: use it for `{env}`",
                free.prefix_len()
            ),
            (None, Some(pool)) => format!(
                "the address pool {pool} has no free /{} left: widen the pool",
                nets[blamed].prefix_len()
            ),
            (None, None) => "choose a range that overlaps no other network of the lake".into(),
        };
        if a.span == b.span {
            // One written range serves both: an environment that extends
            // another and sets no network of its own, or a shared `let`.
            let help = match suggestion {
                Some(free) => format!(
                    "give `{env}` a network of its own: {free} is the nearest /{}{within} that overlaps nothing in the lake",
                    free.prefix_len()
                ),
                None => format!("give `{env}` a network of its own"),
            };
            let first = b.environment.as_deref().unwrap_or_default();
            // Inherited through `extends`: the heir's clause is where to look.
            let heir = lake.environments.get(env).map(|e| &e.network.field_spans);
            let diagnostic = match heir.and_then(|spans| inherited::inherited_from(spans, "cidr")) {
                Some(from) => Diagnostic::new(
                    Code::NetworksOverlap,
                    heir.map_or(a.span, |spans| inherited::primary(spans, "cidr", a.span)),
                    format!(
                        "`{first}` and `{env}` have the same VPC range, {}, from one declaration",
                        nets[blamed]
                    ),
                )
                .with_label(format!("`{env}` inherits the range of `{from}` here"))
                .with_secondary(a.span, format!("the range of both `{first}` and `{env}`")),
                None => Diagnostic::new(
                    Code::NetworksOverlap,
                    a.span,
                    format!(
                        "`{first}` and `{env}` have the same VPC range, {}, from one declaration",
                        nets[blamed]
                    ),
                )
                .with_label(format!("the range of both `{first}` and `{env}`")),
            };
            diagnostics.push(
                diagnostic
                .with_note("an environment that `extends` another inherits its network unless it sets its own")
                .with_note("overlapping VPCs deploy, then break peering, Transit Gateway and VPN routes")
                .with_help(help),
            );
            continue;
        }
        let message = if nets[blamed] == nets[other] {
            format!(
                "{} and {} are the same range, {}",
                b.owner, a.owner, nets[blamed]
            )
        } else {
            format!(
                "{} ({}) overlaps {} ({}): they share {shared}",
                a.owner, nets[blamed], b.owner, nets[other]
            )
        };
        diagnostics.push(
            Diagnostic::new(Code::NetworksOverlap, a.span, message)
                .with_label(format!("{} is {}", a.owner, nets[blamed]))
                .with_secondary(b.span, format!("{} is {}", b.owner, nets[other]))
                .with_note(if b.environment.is_some() {
                    "overlapping VPCs deploy, then break peering, Transit Gateway and VPN routes"
                } else {
                    "a VPC that overlaps a network outside the lake cannot route to it over VPN, Direct Connect or Transit Gateway"
                })
                .with_help(help),
        );
    }
}
