//! VPC ranges: host bits, allowed sizes, the subnet plan, the address pool,
//! ranges AWS rejects or advises against, and overlaps between every network
//! the lake knows.

mod free_ranges;
mod overlaps;
mod special_ranges;

use ipnet::Ipv4Net;

use super::cidr::private_block;
use super::inherited::Findings;
use crate::diagnostic::{count, Code, Diagnostic, Diagnostics};
use crate::model::naming::{subnet_prefix, SMALLEST_SUBNET_PREFIX, SUBNET_TIERS};
use crate::model::{EnvField, Lake, LakeField, NetworkField};
use crate::source::Span;
use free_ranges::{within, FreeRanges};

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
    // A network merges into the one it extends: each field keeps its origin.
    let mut findings = Findings::default();
    let mut networks = Vec::new();
    for env in lake.environments.values() {
        let net = &env.network;
        networks.push(Network {
            owner: format!("the VPC of `{}`", env.name),
            environment: Some(env.name.clone()),
            cidr: net.cidr,
            span: net.cidr_span,
        });
        let mut found = Vec::new();
        check_vpc_size(net, &mut found);
        check_subnet_plan(net, &mut found);
        for diagnostic in found {
            findings.push(&env.name, &net.field_spans, NetworkField::Cidr, diagnostic);
        }
        if let Some(diagnostic) = check_zones_in_region(env) {
            let field = NetworkField::AvailabilityZones;
            findings.push(&env.name, &net.field_spans, field, diagnostic);
        }
    }
    // A problem with a VPC's range is its environment's finding; with a
    // reserved range, the lake's.
    let mut report = |network: &Network, diagnostic: Diagnostic| match network
        .environment
        .as_ref()
        .and_then(|name| lake.environments.get(name))
    {
        Some(env) => {
            let spans = &env.network.field_spans;
            findings.push(&env.name, spans, NetworkField::Cidr, diagnostic);
        }
        None => diagnostics.push(diagnostic),
    };
    for reserved in &lake.reserved {
        networks.push(Network {
            owner: format!("the reserved range `{}`", reserved.name),
            environment: None,
            cidr: reserved.cidr,
            span: reserved.span,
        });
    }
    for network in &networks {
        if let Some(diagnostic) = check_host_bits(network) {
            report(network, diagnostic);
        }
    }

    // Find every VPC that must move first, so that the ranges suggested to
    // them are allocated together.
    let vpcs = || (0..networks.len()).filter(|&i| networks[i].environment.is_some());
    let outside_pool: Vec<usize> = vpcs()
        .filter(|&i| {
            lake.address_pool
                .is_some_and(|pool| !pool.contains(&networks[i].cidr.trunc()))
        })
        .collect();
    let special: Vec<(usize, special_ranges::Finding)> = vpcs()
        .filter_map(|i| special_ranges::classify(&networks[i].cidr.trunc()).map(|f| (i, f)))
        .collect();
    let groups = overlaps::groups(&networks);
    // Past the diagnostics limit nobody reads the rest: suggest no ranges for them.
    let shown = groups.len().min(crate::diagnostic::MAX_DIAGNOSTICS);
    // A pool outside RFC 1918 has only such ranges to offer.
    let private_pool = lake
        .address_pool
        .is_none_or(|pool| private_block(&pool.trunc()).is_some());
    let free = FreeRanges::allocate(
        lake,
        &networks,
        outside_pool
            .iter()
            .copied()
            .chain(special.iter().filter(|_| private_pool).map(|(i, _)| *i))
            .chain(groups[..shown].iter().flat_map(|g| g.named_movers())),
    );

    for &i in &outside_pool {
        if let Some(diagnostic) = report_outside_pool(lake, &networks[i], free.get(i)) {
            report(&networks[i], diagnostic);
        }
    }
    for (i, finding) in &special {
        let help = special_range_help(lake, &networks[*i], private_pool, free.get(*i));
        let mut diagnostic = special_ranges::report(&networks[*i], finding, help);
        // The free range is the fix only when the help offers it: not when
        // the pool itself must move out of public space.
        if let Some(free) = free
            .get(*i)
            .filter(|_| private_pool || lake.address_pool.is_none())
        {
            diagnostic = diagnostic.with_edit(networks[*i].span, free.to_string());
        }
        report(&networks[*i], diagnostic);
    }
    findings.report(diagnostics);
    for group in &groups {
        if diagnostics.is_full() {
            break;
        }
        diagnostics.extend(overlaps::report(lake, &networks, group, &free));
    }
}

/// The help of a VPC in a range AWS rejects or advises against: the free
/// range suggested, or, when the lake's pool is outside RFC 1918 itself, to
/// move the pool.
fn special_range_help(
    lake: &Lake,
    network: &Network,
    private_pool: bool,
    suggestion: Option<Ipv4Net>,
) -> String {
    let env = network.environment.as_deref().unwrap_or_default();
    let cidr = network.cidr.trunc();
    match (lake.address_pool, suggestion) {
        (Some(pool), _) if !private_pool => format!(
            "the lake's address pool {pool} is outside RFC 1918 too: move it into 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, then take `{env}`'s range from it"
        ),
        (_, Some(free)) => format!(
            "{free} is the nearest free /{}{}: use it for `{env}`",
            free.prefix_len(),
            within(lake, &cidr)
        ),
        (Some(pool), None) => format!(
            "the address pool {pool} has no free /{} left: widen the pool",
            cidr.prefix_len()
        ),
        (None, None) => format!(
            "choose a /{} in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 for `{env}`",
            cidr.prefix_len()
        ),
    }
}

fn check_host_bits(network: &Network) -> Option<Diagnostic> {
    let cidr = network.cidr;
    (cidr.addr() != cidr.network()).then(|| {
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
        .with_help(format!("write the network address: {}", cidr.trunc()))
        .with_edit(network.span, cidr.trunc().to_string())
    })
}

fn check_vpc_size(network: &crate::model::Network, diagnostics: &mut Vec<Diagnostic>) {
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
        let diagnostic = Diagnostic::new(
            Code::VpcPrefixOutOfRange,
            span,
            format!("a VPC is /16 to /28, and this is a /{prefix}"),
        )
        .with_label(format!("a /{prefix} VPC"))
        .with_note("AWS accepts IPv4 VPC ranges from /16 (65,536 addresses) to /28 (16 addresses)")
        .with_help(help);
        // The /16 at the same start lies inside the range written, so it
        // overlaps nothing new: the fix as an edit. A larger range than a
        // too-small one might, so that help stays an example.
        let diagnostic = match Ipv4Net::new(cidr.network(), 16) {
            Ok(largest) if prefix < 16 => diagnostic.with_edit(span, largest.to_string()),
            _ => diagnostic,
        };
        diagnostics.push(diagnostic);
    }
}

fn check_subnet_plan(network: &crate::model::Network, diagnostics: &mut Vec<Diagnostic>) {
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
    diagnostic = if spans.is_given(NetworkField::AvailabilityZones) {
        diagnostic.with_secondary(
            spans.get_or(NetworkField::AvailabilityZones, network.span),
            count(azs, "availability zone"),
        )
    } else {
        diagnostic.with_note(format!("`availability_zones` is {azs} by default"))
    };
    diagnostics.push(diagnostic.with_help(format!(
        "use a /{largest_prefix} or larger VPC, or fewer availability zones"
    )));
}

fn check_zones_in_region(env: &crate::model::Environment) -> Option<Diagnostic> {
    let wanted = env.network.availability_zones as usize;
    let available = &env.region.availability_zones;
    (wanted > available.len()).then(|| {
        let span = env
            .network
            .field_spans
            .get_or(NetworkField::AvailabilityZones, env.network.span);
        let given = env
            .network
            .field_spans
            .is_given(NetworkField::AvailabilityZones);
        let diagnostic = Diagnostic::new(
            Code::NotEnoughAvailabilityZones,
            span,
            format!(
                "the network asks for {wanted} availability zones, and {} has {}",
                env.region.name,
                available.len()
            ),
        )
        .with_label(if !given {
            format!("{}, by default", count(wanted as u64, "zone"))
        } else {
            count(wanted as u64, "zone")
        })
        .with_secondary(
            env.field_spans.get_or(EnvField::Region, env.span),
            format!("{} is chosen here", env.region.name),
        )
        .with_note(format!("{} has {}", env.region.name, available.join(", ")))
        .with_help(format!(
            "set `availability_zones = {}` or choose another region",
            available.len()
        ));
        // Where the count is written, the help's count replaces it.
        if given {
            diagnostic.with_edit(span, available.len().to_string())
        } else {
            diagnostic
        }
    })
}

fn report_outside_pool(
    lake: &Lake,
    network: &Network,
    suggestion: Option<Ipv4Net>,
) -> Option<Diagnostic> {
    let pool = lake.address_pool?;
    let env = network.environment.as_deref().unwrap_or_default();
    let help = match suggestion {
        Some(free) => format!(
            "{free} is the nearest /{} in the pool that overlaps nothing in the lake: use it for `{env}`",
            free.prefix_len()
        ),
        None => format!(
            "the pool has no free /{}: widen the pool",
            network.cidr.prefix_len()
        ),
    };
    let diagnostic = Diagnostic::new(
        Code::OutsideAddressPool,
        network.span,
        format!(
            "{} ({}) is outside the lake's address pool {pool}",
            network.owner, network.cidr
        ),
    )
    .with_label(format!("not inside {pool}"))
    .with_secondary(
        lake.field_spans.get_or(LakeField::AddressPool, lake.span),
        "the pool is declared here",
    )
    .with_help(help);
    Some(match suggestion {
        Some(free) => diagnostic.with_edit(network.span, free.to_string()),
        None => diagnostic,
    })
}
