//! `dlc check --cidr-report`: how the lake's address pool is used, block by
//! block, with the free blocks left.

use std::fmt::Write;

use ipnet::Ipv4Net;

use super::cidr::{bounds, private_block};
use crate::model::Lake;

/// How many free blocks the report lists per pool, largest first.
const FREE_LISTED: usize = 8;

/// The report, as text.
pub fn cidr_report(lake: &Lake) -> String {
    let mut ranges: Vec<(Ipv4Net, String)> = lake
        .environments
        .values()
        .map(|env| (env.network.cidr.trunc(), format!("VPC of {}", env.name)))
        .chain(
            lake.reserved
                .iter()
                .map(|r| (r.cidr.trunc(), format!("reserved: {}", r.name))),
        )
        .collect();
    ranges.sort_by_key(|(net, _)| (bounds(net).0, net.prefix_len()));

    let mut pools: Vec<(Ipv4Net, &str)> = Vec::new();
    match lake.address_pool {
        Some(pool) => pools.push((pool.trunc(), "the lake's address_pool")),
        None => {
            for (net, _) in &ranges {
                if let Some(block) = private_block(net) {
                    if !pools.iter().any(|(p, _)| *p == block) {
                        pools.push((block, "RFC 1918; the lake declares no address_pool"));
                    }
                }
            }
        }
    }

    let mut out = format!("Address report for lake {}\n", lake.name);
    for (pool, why) in &pools {
        let inside: Vec<&(Ipv4Net, String)> = ranges
            .iter()
            .filter(|(net, _)| pool.contains(net))
            .collect();
        let used = covered_addresses(inside.iter().map(|(net, _)| *net));
        let total = 1u64 << (32 - pool.prefix_len());
        let _ = writeln!(
            out,
            "\npool {pool} ({why}): {} ranges, {used} of {total} addresses allocated ({:.4}%)",
            inside.len(),
            used as f64 * 100.0 / total as f64
        );
        out.push_str("  allocated:\n");
        for (net, owner) in &inside {
            let _ = writeln!(out, "    {:<18} {owner}", net.to_string());
        }
        let mut free = free_blocks(*pool, inside.iter().map(|(net, _)| *net));
        let count = free.len();
        free.sort_by_key(|net| (net.prefix_len(), bounds(net).0));
        let _ = writeln!(out, "  free: {count} blocks; the largest:");
        for net in free.iter().take(FREE_LISTED) {
            let _ = writeln!(out, "    {net}");
        }
    }
    let outside: Vec<&(Ipv4Net, String)> = ranges
        .iter()
        .filter(|(net, _)| !pools.iter().any(|(pool, _)| pool.contains(net)))
        .collect();
    if !outside.is_empty() {
        out.push_str("\noutside every pool:\n");
        for (net, owner) in outside {
            let _ = writeln!(out, "    {:<18} {owner}", net.to_string());
        }
    }
    out
}

/// Addresses covered by the union of `nets`.
fn covered_addresses(nets: impl Iterator<Item = Ipv4Net>) -> u64 {
    merged(nets).iter().map(|(s, e)| e - s + 1).sum()
}

fn merged(nets: impl Iterator<Item = Ipv4Net>) -> Vec<(u64, u64)> {
    let mut all: Vec<(u64, u64)> = nets
        .map(|n| {
            let (s, e) = bounds(&n);
            (u64::from(s), u64::from(e))
        })
        .collect();
    all.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (s, e) in all {
        match out.last_mut() {
            Some(last) if s <= last.1 + 1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The free space of `pool` as the fewest aligned CIDR blocks.
pub fn free_blocks(pool: Ipv4Net, used: impl Iterator<Item = Ipv4Net>) -> Vec<Ipv4Net> {
    let (pool_start, pool_end) = bounds(&pool);
    let mut blocks = Vec::new();
    let mut cursor = u64::from(pool_start);
    let end = u64::from(pool_end);
    let mut gaps = Vec::new();
    for (s, e) in merged(used) {
        if e < cursor || s > end {
            continue;
        }
        if s > cursor {
            gaps.push((cursor, s - 1));
        }
        cursor = cursor.max(e + 1);
    }
    if cursor <= end {
        gaps.push((cursor, end));
    }
    for (mut start, gap_end) in gaps {
        while start <= gap_end {
            // The largest block aligned at `start` that fits in the gap.
            let mut size = if start == 0 {
                1u64 << 32
            } else {
                1u64 << start.trailing_zeros().min(32)
            };
            while start + size - 1 > gap_end {
                size /= 2;
            }
            let prefix = 32 - size.trailing_zeros() as u8;
            if let Ok(net) = Ipv4Net::new((start as u32).into(), prefix) {
                blocks.push(net);
            }
            start += size;
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::free_blocks;

    #[test]
    fn free_space_is_the_fewest_aligned_blocks() {
        let pool = "10.0.0.0/16".parse().unwrap();
        let used = ["10.0.0.0/24", "10.0.4.0/24"].map(|s| s.parse().unwrap());
        let free: Vec<String> = free_blocks(pool, used.into_iter())
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(
            free,
            [
                "10.0.1.0/24",
                "10.0.2.0/23",
                "10.0.5.0/24",
                "10.0.6.0/23",
                "10.0.8.0/21",
                "10.0.16.0/20",
                "10.0.32.0/19",
                "10.0.64.0/18",
                "10.0.128.0/17"
            ]
        );
    }
}
