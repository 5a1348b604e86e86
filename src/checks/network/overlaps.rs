//! DL0303: networks of the lake that overlap, one diagnostic per group.
//!
//! CIDR blocks nest or are disjoint, so the ranges under one outermost block
//! form a group, and a group is found by one sort and sweep. Equal ranges are
//! merged first, which leaves a nesting at most 33 deep: thousands of
//! environments sharing one range cost O(n log n), not one diagnostic per
//! pair.

use std::collections::HashMap;

use ipnet::Ipv4Net;

use super::free_ranges::{pool_for, within, FreeRanges};
use super::Network;
use crate::checks::cidr::bounds;
use crate::checks::inherited;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Lake, NetworkField};
use crate::source::Span;
use crate::suggest::{join_and, thousands};

/// How many members of a group a diagnostic names; the rest are counted.
pub const NAMED: usize = 10;

const VPC_NOTE: &str =
    "overlapping VPCs deploy, then break peering, Transit Gateway and VPN routes";
const RESERVED_NOTE: &str = "a VPC that overlaps a network outside the lake cannot route to it over VPN, Direct Connect or Transit Gateway";
const EXTENDS_NOTE: &str =
    "an environment that `extends` another inherits its network unless it sets its own";

/// Networks that overlap one another.
pub struct Group {
    /// Indices into the lake's networks, in source order: the VPCs, and the
    /// reserved ranges that overlap one of them.
    pub members: Vec<usize>,
    /// The VPCs that must move, in source order. The others keep their
    /// range: the smallest VPCs, first in source order among equal ones, that
    /// overlap no reserved range and no other VPC that keeps its range.
    pub movers: Vec<usize>,
    /// The outermost range of the group.
    pub outer: Ipv4Net,
}

impl Group {
    /// The members a diagnostic names: the first mover, then the others in
    /// source order, at most [`NAMED`].
    pub fn named(&self) -> Vec<usize> {
        let first = self.movers.first().copied();
        first
            .into_iter()
            .chain(self.members.iter().copied().filter(|&i| Some(i) != first))
            .take(NAMED)
            .collect()
    }

    /// The movers that the diagnostic names, and so suggests a range to.
    pub fn named_movers(&self) -> Vec<usize> {
        let named = self.named();
        self.movers
            .iter()
            .copied()
            .filter(|i| named.contains(i))
            .collect()
    }
}

/// A distinct range and the networks that have it, in source order.
struct Range {
    net: Ipv4Net,
    members: Vec<usize>,
}

/// Every group of overlapping networks that holds a VPC, in address order.
pub fn groups(networks: &[Network]) -> Vec<Group> {
    let nets: Vec<Ipv4Net> = networks.iter().map(|n| n.cidr.trunc()).collect();
    let mut order: Vec<usize> = (0..nets.len()).collect();
    order.sort_by_key(|&i| (bounds(&nets[i]).0, nets[i].prefix_len(), i));
    let mut ranges: Vec<Range> = Vec::new();
    for i in order {
        match ranges.last_mut() {
            Some(last) if last.net == nets[i] => last.members.push(i),
            _ => ranges.push(Range {
                net: nets[i],
                members: vec![i],
            }),
        }
    }
    // Sorted by start, larger first: a range that starts past the end of the
    // current outermost one begins the next group.
    let mut groups = Vec::new();
    let mut first = 0;
    for next in 1..=ranges.len() {
        let ends_group = ranges
            .get(next)
            .is_none_or(|r| bounds(&r.net).0 > bounds(&ranges[first].net).1);
        if ends_group {
            groups.extend(group(networks, &ranges[first..next]));
            first = next;
        }
    }
    groups
}

/// The group of `ranges`, nested in the first, if its networks overlap a VPC.
fn group(networks: &[Network], ranges: &[Range]) -> Option<Group> {
    let is_vpc = |i: &usize| networks[*i].environment.is_some();
    let total: usize = ranges.iter().map(|r| r.members.len()).sum();
    if total < 2 || !ranges.iter().any(|r| r.members.iter().any(is_vpc)) {
        return None;
    }
    // The range each one is nested in: parents come before their children.
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(ranges.len());
    let mut open: Vec<usize> = Vec::new();
    for (k, range) in ranges.iter().enumerate() {
        while open
            .last()
            .is_some_and(|&top| bounds(&ranges[top].net).1 < bounds(&range.net).0)
        {
            open.pop();
        }
        parent.push(open.last().copied());
        open.push(k);
    }
    let has_vpc: Vec<bool> = ranges
        .iter()
        .map(|r| r.members.iter().any(is_vpc))
        .collect();
    let has_reserved: Vec<bool> = ranges
        .iter()
        .map(|r| !r.members.iter().all(is_vpc))
        .collect();
    // At or above each range, top-down; at or below, bottom-up.
    let (mut vpc_above, mut reserved_above) = (has_vpc.clone(), has_reserved.clone());
    for k in 0..ranges.len() {
        if let Some(p) = parent[k] {
            vpc_above[k] |= vpc_above[p];
            reserved_above[k] |= reserved_above[p];
        }
    }
    let (mut vpc_below, mut reserved_below) = (has_vpc, has_reserved);
    for k in (0..ranges.len()).rev() {
        if let Some(p) = parent[k] {
            vpc_below[p] |= vpc_below[k];
            reserved_below[p] |= reserved_below[k];
        }
    }
    // Smallest first: children before their parents. A VPC keeps its range
    // unless a reserved range or a VPC that keeps its own overlaps it.
    let mut kept_below = vec![false; ranges.len()];
    let mut movers = Vec::new();
    let mut members = Vec::new();
    for k in (0..ranges.len()).rev() {
        let mut vpcs = ranges[k].members.iter().copied().filter(is_vpc);
        if !(reserved_above[k] || reserved_below[k] || kept_below[k]) && vpcs.next().is_some() {
            kept_below[k] = true;
        }
        movers.extend(vpcs);
        if let Some(p) = parent[k] {
            kept_below[p] |= kept_below[k];
        }
        members.extend(
            ranges[k]
                .members
                .iter()
                .copied()
                .filter(|i| is_vpc(i) || vpc_above[k] || vpc_below[k]),
        );
    }
    if movers.is_empty() {
        return None;
    }
    members.sort_unstable();
    movers.sort_unstable();
    Some(Group {
        members,
        movers,
        outer: ranges[0].net,
    })
}

/// The diagnostic for a group: two networks read as a sentence about both,
/// more as a list.
pub fn report(
    lake: &Lake,
    networks: &[Network],
    group: &Group,
    free: &FreeRanges,
) -> Option<Diagnostic> {
    match group.members[..] {
        [a, b] => {
            let blamed = *group.movers.first()?;
            let other = if a == blamed { b } else { a };
            Some(pair(
                lake,
                &networks[blamed],
                blamed,
                &networks[other],
                free,
            ))
        }
        _ => many(lake, networks, group, free),
    }
}

/// Two networks: `a` must move.
fn pair(lake: &Lake, a: &Network, index: usize, b: &Network, free: &FreeRanges) -> Diagnostic {
    let (a_net, b_net) = (a.cidr.trunc(), b.cidr.trunc());
    let suggestion = free.get(index);
    let within = within(lake, &a_net);
    let env = a.environment.as_deref().unwrap_or_default();
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
        let message =
            format!("`{first}` and `{env}` have the same VPC range, {a_net}, from one declaration");
        let both = format!("the range of both `{first}` and `{env}`");
        // Inherited through `extends`: the heir's clause is where to look.
        let heir = lake.environments.get(env).map(|e| &e.network.field_spans);
        let diagnostic =
            match heir.and_then(|spans| inherited::inherited_from(spans, NetworkField::Cidr)) {
                Some(from) => Diagnostic::new(
                    Code::NetworksOverlap,
                    heir.map_or(a.span, |spans| {
                        inherited::primary(spans, NetworkField::Cidr, a.span)
                    }),
                    message,
                )
                .with_label(format!("`{env}` inherits the range of `{from}` here"))
                .with_secondary(a.span, both),
                None => Diagnostic::new(Code::NetworksOverlap, a.span, message).with_label(both),
            };
        return diagnostic
            .with_note(EXTENDS_NOTE)
            .with_note(VPC_NOTE)
            .with_help(help);
    }
    let message = if a_net == b_net {
        format!("{} and {} are the same range, {a_net}", b.owner, a.owner)
    } else {
        // CIDR blocks nest, so the range they share is the smaller one.
        let shared = if a_net.prefix_len() > b_net.prefix_len() {
            a_net
        } else {
            b_net
        };
        format!(
            "{} ({a_net}) overlaps {} ({b_net}): they share {shared}",
            a.owner, b.owner
        )
    };
    let diagnostic = match suggestion {
        Some(free) => Diagnostic::new(Code::NetworksOverlap, a.span, message)
            .with_edit(a.span, free.to_string()),
        None => Diagnostic::new(Code::NetworksOverlap, a.span, message),
    };
    diagnostic
        .with_label(format!("{} is {a_net}", a.owner))
        .with_secondary(b.span, format!("{} is {b_net}", b.owner))
        .with_note(if b.environment.is_some() {
            VPC_NOTE
        } else {
            RESERVED_NOTE
        })
        .with_help(pair_help(lake, &a_net, env, suggestion, &within))
}

fn pair_help(
    lake: &Lake,
    net: &Ipv4Net,
    env: &str,
    suggestion: Option<Ipv4Net>,
    within: &str,
) -> String {
    match (suggestion, lake.address_pool) {
        (Some(free), _) => format!(
            "{free} is the nearest /{}{within} that overlaps nothing in the lake: use it for `{env}`",
            free.prefix_len()
        ),
        (None, Some(pool)) => format!(
            "the address pool {pool} has no free /{} left: widen the pool",
            net.prefix_len()
        ),
        (None, None) => "choose a range that overlaps no other network of the lake".into(),
    }
}

/// Three networks or more: each named member is labelled (members declared
/// by one range share a label), the rest are counted.
fn many(lake: &Lake, networks: &[Network], group: &Group, free: &FreeRanges) -> Option<Diagnostic> {
    let named = group.named();
    let name = |i: usize| match &networks[i].environment {
        Some(env) => format!("`{env}`"),
        None => networks[i].owner.clone(),
    };
    // Labels by span, in the order of the named members.
    let mut labels: Vec<(Span, Vec<usize>, usize)> = Vec::new();
    let mut at: HashMap<Span, usize> = HashMap::new();
    for &i in &named {
        let slot = *at.entry(networks[i].span).or_insert_with(|| {
            labels.push((networks[i].span, Vec::new(), 0));
            labels.len() - 1
        });
        labels[slot].1.push(i);
    }
    // Within a label, names read in source order.
    for (_, members, _) in &mut labels {
        members.sort_unstable();
    }
    // The members left unnamed are counted on the label of their range, or
    // in a note when no label shows it.
    let mut uncounted = 0;
    for &i in &group.members {
        if named.contains(&i) {
            continue;
        }
        match at.get(&networks[i].span) {
            Some(&slot) => labels[slot].2 += 1,
            None => uncounted += 1,
        }
    }
    let label = |(_, members, more): &(Span, Vec<usize>, usize)| match (&members[..], more) {
        ([one], 0) => format!(
            "{} is {}",
            networks[*one].owner,
            networks[*one].cidr.trunc()
        ),
        _ => {
            let mut names: Vec<String> = members.iter().map(|&i| name(i)).collect();
            if *more > 0 {
                names.push(format!("{} more environments", thousands(*more)));
            }
            format!("the range of {}", join_and(&names))
        }
    };

    let count = thousands(group.members.len());
    let all_vpcs = group
        .members
        .iter()
        .all(|&i| networks[i].environment.is_some());
    let same_range = group
        .members
        .iter()
        .all(|&i| networks[i].cidr.trunc() == group.outer);
    let outer = group.outer;
    let message = match (same_range, all_vpcs) {
        (true, true) if group.members.len() <= NAMED => {
            let names: Vec<String> = group.members.iter().map(|&i| name(i)).collect();
            format!("{} have the same VPC range, {outer}", join_and(&names))
        }
        (true, true) => format!("{count} environments have the same VPC range, {outer}"),
        (true, false) => format!("{count} networks are the same range, {outer}"),
        (false, _) => format!("{count} networks overlap in {outer}"),
    };

    let (primary, rest) = labels.split_first()?;
    let mut diagnostic =
        Diagnostic::new(Code::NetworksOverlap, primary.0, message).with_label(label(primary));
    for secondary in rest {
        diagnostic = diagnostic.with_secondary(secondary.0, label(secondary));
    }
    if labels
        .iter()
        .any(|(_, members, more)| members.len() + more > 1)
    {
        diagnostic = diagnostic.with_note(EXTENDS_NOTE);
    }
    if group
        .members
        .iter()
        .filter(|&&i| networks[i].environment.is_some())
        .count()
        > 1
    {
        diagnostic = diagnostic.with_note(VPC_NOTE);
    }
    if !all_vpcs {
        diagnostic = diagnostic.with_note(RESERVED_NOTE);
    }
    if uncounted > 0 {
        let uncounted = thousands(uncounted);
        diagnostic = diagnostic.with_note(match (same_range, all_vpcs) {
            (true, true) => {
                format!("and {uncounted} more environments with this range, not labelled")
            }
            _ => format!("and {uncounted} more networks in {outer}, not labelled"),
        });
    }
    for (span, range) in edits(networks, group, free) {
        diagnostic = diagnostic.with_edit(span, range.to_string());
    }
    Some(diagnostic.with_help(help(lake, networks, group, free)))
}

/// The help's moves as edits, when they are the whole fix: every mover is
/// named and has a free range, and writes its range where no other network
/// reads it (a range shared through `extends` or a `let` moves them all).
fn edits(networks: &[Network], group: &Group, free: &FreeRanges) -> Vec<(Span, Ipv4Net)> {
    let named_movers = group.named_movers();
    if named_movers.len() != group.movers.len() {
        return Vec::new();
    }
    let mut edits = Vec::new();
    for &i in &named_movers {
        let span = networks[i].span;
        let shared = group
            .members
            .iter()
            .any(|&other| other != i && networks[other].span == span);
        match free.get(i) {
            Some(range) if !shared => edits.push((span, range)),
            _ => return Vec::new(),
        }
    }
    edits
}

/// Where each named mover can go, and what to do about the others.
fn help(lake: &Lake, networks: &[Network], group: &Group, free: &FreeRanges) -> String {
    let named_movers = group.named_movers();
    let env = |i: usize| networks[i].environment.as_deref().unwrap_or_default();
    let mut moves = Vec::new();
    let mut stuck = Vec::new();
    for &i in &named_movers {
        match free.get(i) {
            Some(range) => moves.push((range, env(i))),
            None => stuck.push(format!("`{}`", env(i))),
        }
    }
    // The first mover's pool stands for all: they share the group's block.
    let first = named_movers
        .first()
        .map_or(group.outer, |&i| networks[i].cidr.trunc());
    let within = within(lake, &first);
    let mut parts = Vec::new();
    match &moves[..] {
        [] => {}
        [(range, env)] => parts.push(format!(
            "{range} is the nearest /{}{within} that overlaps nothing in the lake: use it for `{env}`",
            range.prefix_len()
        )),
        _ => {
            let what = if moves.iter().all(|(r, _)| r.prefix_len() == moves[0].0.prefix_len()) {
                format!("/{}s", moves[0].0.prefix_len())
            } else {
                "ranges".to_string()
            };
            let moves: Vec<String> = moves.iter().map(|(r, env)| format!("{r} for `{env}`")).collect();
            parts.push(format!(
                "use {}: the nearest free {what}{within} that overlap nothing in the lake nor each other",
                join_and(&moves)
            ));
        }
    }
    if !stuck.is_empty() {
        let pool = pool_for(lake, &first);
        parts.push(format!(
            "{pool} has no free range left for {}: widen the pool",
            join_and(&stuck)
        ));
    }
    let unnamed = group.movers.len() - named_movers.len();
    if unnamed > 0 {
        parts.push(format!(
            "give the {} other environments that must move a range of their own (`dlc check --cidr-report` lists the free blocks)",
            thousands(unnamed)
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn vpc(i: usize, cidr: &str) -> Network {
        Network {
            owner: format!("the VPC of `E{i}`"),
            environment: Some(format!("E{i}")),
            cidr: cidr.parse().unwrap(),
            span: Span::new(FileId(0), i * 10, i * 10 + 5),
        }
    }

    fn reserved(i: usize, cidr: &str) -> Network {
        Network {
            owner: format!("the reserved range `r{i}`"),
            environment: None,
            cidr: cidr.parse().unwrap(),
            span: Span::new(FileId(1), i * 10, i * 10 + 5),
        }
    }

    #[test]
    fn groups_keep_the_smallest_and_move_the_rest() {
        let networks = [
            vpc(0, "10.0.0.0/16"),
            vpc(1, "10.0.1.0/24"),
            vpc(2, "10.0.1.0/24"),
            vpc(3, "10.0.2.0/24"),
            vpc(4, "10.9.0.0/24"),
            vpc(5, "10.20.0.0/24"),
            reserved(6, "10.20.0.0/16"),
            reserved(7, "10.20.128.0/20"),
            reserved(8, "10.30.0.0/16"),
            reserved(9, "10.30.0.0/20"),
        ];
        let groups = groups(&networks);
        // E4 overlaps nothing, and reserved ranges may overlap each other.
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members, [0, 1, 2, 3]);
        assert_eq!(
            groups[0].movers,
            [0, 2],
            "the /16, and the later of two equal /24s"
        );
        assert_eq!(groups[0].outer, "10.0.0.0/16".parse::<Ipv4Net>().unwrap());
        // r7 does not overlap E5, so it is not a member.
        assert_eq!(groups[1].members, [5, 6]);
        assert_eq!(groups[1].movers, [5]);
    }

    /// Prints (never asserts) the time to group and report 10,000 VPCs on one
    /// range: `cargo test --lib equal_ranges -- --nocapture`.
    #[test]
    fn ten_thousand_equal_ranges_are_one_group() {
        let networks: Vec<Network> = (0..10_000).map(|i| vpc(i, "10.0.0.0/24")).collect();
        let started = std::time::Instant::now();
        let groups = groups(&networks);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].movers.len(), 9_999);
        assert_eq!(groups[0].named_movers().len(), NAMED - 1);
        let elapsed = started.elapsed();
        println!("grouping 10,000 VPCs on one range: {elapsed:.2?}");
    }
}
