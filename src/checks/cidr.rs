//! Address arithmetic for the network checks: overlaps by sort and sweep, and
//! the nearest free block.

use ipnet::Ipv4Net;

/// A range as inclusive `u32` bounds (host bits ignored).
pub fn bounds(net: &Ipv4Net) -> (u32, u32) {
    (u32::from(net.network()), u32::from(net.broadcast()))
}

/// Every pair `(outer, inner)` of indices whose ranges overlap, in
/// O(n log n + pairs). CIDR blocks never partly overlap: two of them are
/// either disjoint or one contains the other. So after sorting by start
/// (larger blocks first on ties), the blocks that contain the current one are
/// exactly those left on a stack of open blocks.
pub fn overlapping_pairs(nets: &[Ipv4Net]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..nets.len()).collect();
    order.sort_by_key(|&i| (bounds(&nets[i]).0, nets[i].prefix_len(), i));
    let mut open: Vec<usize> = Vec::new();
    let mut pairs = Vec::new();
    for i in order {
        let (start, _) = bounds(&nets[i]);
        while open.last().is_some_and(|&top| bounds(&nets[top]).1 < start) {
            open.pop();
        }
        pairs.extend(open.iter().map(|&outer| (outer, i)));
        open.push(i);
    }
    pairs
}

/// The RFC 1918 block that holds `net`, if any.
pub fn private_block(net: &Ipv4Net) -> Option<Ipv4Net> {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        .iter()
        .filter_map(|b| b.parse::<Ipv4Net>().ok())
        .find(|block| block.contains(net))
}

/// Occupied address space, merged into sorted disjoint intervals.
pub struct Occupied {
    intervals: Vec<(u32, u32)>,
}

impl Occupied {
    pub fn new(nets: impl IntoIterator<Item = Ipv4Net>) -> Occupied {
        let mut all: Vec<(u32, u32)> = nets.into_iter().map(|n| bounds(&n)).collect();
        all.sort_unstable();
        let mut intervals: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (start, end) in all {
            match intervals.last_mut() {
                Some(last) if u64::from(start) <= u64::from(last.1) + 1 => last.1 = last.1.max(end),
                _ => intervals.push((start, end)),
            }
        }
        Occupied { intervals }
    }

    /// The free gaps inside `pool`, as inclusive bounds, in order.
    fn gaps(&self, pool: (u32, u32)) -> Vec<(u32, u32)> {
        let mut gaps = Vec::new();
        let mut cursor = u64::from(pool.0);
        let first = self.intervals.partition_point(|&(_, end)| end < pool.0);
        for &(start, end) in &self.intervals[first..] {
            if start > pool.1 {
                break;
            }
            if u64::from(start) > cursor {
                gaps.push((cursor as u32, start - 1));
            }
            cursor = cursor.max(u64::from(end) + 1);
        }
        if cursor <= u64::from(pool.1) {
            gaps.push((cursor as u32, pool.1));
        }
        gaps
    }

    /// The free block of `prefix` length inside `pool` that is nearest to
    /// `near` and overlaps nothing occupied.
    pub fn nearest_free(&self, pool: &Ipv4Net, prefix: u8, near: u32) -> Option<Ipv4Net> {
        if prefix < pool.prefix_len() || prefix > 32 {
            return None;
        }
        let size = 1u64 << (32 - prefix);
        let mut best: Option<(u64, u32)> = None;
        for (gap_start, gap_end) in self.gaps(bounds(pool)) {
            let first = u64::from(gap_start).div_ceil(size) * size;
            let last_start = (u64::from(gap_end) + 1).checked_sub(size);
            let Some(last) = last_start.map(|l| l / size * size) else {
                continue;
            };
            if first > last {
                continue;
            }
            let target = (u64::from(near) / size * size).clamp(first, last);
            let distance = target.abs_diff(u64::from(near));
            // On a tie, the block above reads as "the next one".
            if best.is_none_or(|(d, _)| distance <= d) {
                best = Some((distance, target as u32));
            }
        }
        best.and_then(|(_, start)| Ipv4Net::new(start.into(), prefix).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn brute_force(nets: &[Ipv4Net]) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for i in 0..nets.len() {
            for j in i + 1..nets.len() {
                let (a, b) = (bounds(&nets[i]), bounds(&nets[j]));
                if a.0 <= b.1 && b.0 <= a.1 {
                    pairs.push((i.min(j), i.max(j)));
                }
            }
        }
        pairs.sort();
        pairs
    }

    /// A small deterministic generator, so the property test needs no crate.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as u32
        }
    }

    #[test]
    fn the_sweep_finds_exactly_the_pairs_brute_force_finds() {
        let mut rng = Lcg(7);
        for round in 0..300 {
            let count = 2 + (rng.next() % 40) as usize;
            let nets: Vec<Ipv4Net> = (0..count)
                .map(|_| {
                    // A narrow space so that overlaps are common.
                    let address = 0x0A00_0000 | (rng.next() & 0x0000_FFFF) << 8;
                    let prefix = 16 + (rng.next() % 13) as u8;
                    Ipv4Net::new(address.into(), prefix).unwrap().trunc()
                })
                .collect();
            let mut sweep: Vec<(usize, usize)> = overlapping_pairs(&nets)
                .into_iter()
                .map(|(a, b)| (a.min(b), a.max(b)))
                .collect();
            sweep.sort();
            assert_eq!(sweep, brute_force(&nets), "round {round}: {nets:?}");

            let occupied = Occupied::new(nets.iter().copied());
            let pool = net("10.0.0.0/8");
            for n in &nets {
                if let Some(free) = occupied.nearest_free(&pool, n.prefix_len(), bounds(n).0) {
                    assert_eq!(free.prefix_len(), n.prefix_len());
                    assert!(pool.contains(&free));
                    let (fs, fe) = bounds(&free);
                    for other in &nets {
                        let (os, oe) = bounds(other);
                        assert!(fe < os || oe < fs, "{free} overlaps {other}");
                    }
                }
            }
        }
    }

    #[test]
    fn suggests_the_nearest_free_block_of_the_same_size() {
        let nets = [net("10.0.0.0/16"), net("10.0.0.0/24"), net("10.10.0.0/24")];
        let occupied = Occupied::new(nets);
        let pool = net("10.0.0.0/8");
        assert_eq!(
            occupied.nearest_free(&pool, 16, bounds(&nets[0]).0),
            Some(net("10.1.0.0/16"))
        );
        assert_eq!(
            occupied.nearest_free(&pool, 24, bounds(&nets[2]).0),
            Some(net("10.10.1.0/24"))
        );
        let full = Occupied::new([net("10.0.0.0/8")]);
        assert_eq!(full.nearest_free(&pool, 16, 0), None);
    }
}
