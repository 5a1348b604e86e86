//! The free ranges that diagnostics suggest to VPCs that must move. They are
//! handed out together, in source order, so that the help of every
//! diagnostic holds for the whole lake: no two suggestions collide, none
//! overlaps a network of the lake or a range AWS advises against, and each is
//! the nearest free block of its size once the earlier ones are taken.

use std::collections::HashMap;

use ipnet::Ipv4Net;

use super::special_ranges::DISCOURAGED;
use super::Network;
use crate::checks::cidr::{bounds, private_block, Occupied};
use crate::model::Lake;

/// Where a VPC outside RFC 1918 is offered a range when the lake declares no pool.
const FALLBACK_POOL: Ipv4Net = Ipv4Net::new_assert(std::net::Ipv4Addr::new(10, 0, 0, 0), 8);

pub struct FreeRanges {
    /// By index into the lake's networks.
    given: HashMap<usize, Ipv4Net>,
}

impl FreeRanges {
    /// A free range for each network in `wanted` (indices into `networks`)
    /// that can have one.
    pub fn allocate(
        lake: &Lake,
        networks: &[Network],
        wanted: impl IntoIterator<Item = usize>,
    ) -> FreeRanges {
        let mut wanted: Vec<usize> = wanted.into_iter().collect();
        wanted.sort_unstable();
        wanted.dedup();
        // Ranges a partial check left out are taken too.
        let mut occupied = Occupied::new(
            networks
                .iter()
                .map(|n| n.cidr.trunc())
                .chain(lake.left_out_networks.iter().map(|n| n.trunc()))
                .chain(DISCOURAGED),
        );
        let mut given = HashMap::new();
        for index in wanted {
            let cidr = networks[index].cidr.trunc();
            let pool = pool_for(lake, &cidr);
            let (low, high) = bounds(&pool);
            let near = bounds(&cidr).0.clamp(low, high);
            if let Some(free) = occupied.allocate(&pool, cidr.prefix_len(), near) {
                given.insert(index, free);
            }
        }
        FreeRanges { given }
    }

    /// The range suggested to network `index`, if it wanted one and the pool
    /// had one left.
    pub fn get(&self, index: usize) -> Option<Ipv4Net> {
        self.given.get(&index).copied()
    }
}

/// Where a VPC's new range comes from: the lake's address pool, else the
/// RFC 1918 block the VPC is in, else 10.0.0.0/8.
pub fn pool_for(lake: &Lake, cidr: &Ipv4Net) -> Ipv4Net {
    lake.address_pool
        .map(|pool| pool.trunc())
        .or_else(|| private_block(cidr))
        .unwrap_or(FALLBACK_POOL)
}

/// Where the suggestion for `cidr` was looked for, for a help line:
/// " in the address pool 10.8.0.0/22", " in 10.0.0.0/8", or nothing when it
/// is the RFC 1918 block the VPC is already in.
pub fn within(lake: &Lake, cidr: &Ipv4Net) -> String {
    match lake.address_pool {
        Some(pool) => format!(" in the address pool {pool}"),
        None if private_block(cidr).is_some() => String::new(),
        None => format!(" in {FALLBACK_POOL}"),
    }
}
