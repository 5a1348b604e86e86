//! Address arithmetic for the network checks: overlaps by sort and sweep, and
//! the nearest free blocks, handed out so that no two collide.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// The aligned starts a free block of one size can take, as disjoint
/// `first -> last` runs.
type StartRuns = BTreeMap<u64, u64>;

/// Occupied address space, and the free blocks left in it. Suggestions are
/// taken from it one by one, so that no two of them collide.
pub struct Occupied {
    /// The ranges it was made with, merged into sorted disjoint intervals.
    intervals: Vec<(u32, u32)>,
    /// Blocks taken since, as inclusive bounds.
    taken: BTreeSet<(u32, u32)>,
    /// For a (pool, prefix) asked before: the aligned starts a free block of
    /// that size can take.
    starts: HashMap<(u32, u8, u8), StartRuns>,
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
        Occupied {
            intervals,
            taken: BTreeSet::new(),
            starts: HashMap::new(),
        }
    }

    /// The aligned starts of free `size` blocks in `pool`, one run per gap
    /// that can hold one. Computed once per pool and size, then kept up to
    /// date as blocks are taken: a dense pool has many gaps too small to
    /// matter, and skipping them once is what keeps a thousand suggestions
    /// from each walking the whole lake.
    fn free_starts(&mut self, pool: &Ipv4Net, prefix: u8) -> &mut StartRuns {
        let key = (u32::from(pool.network()), pool.prefix_len(), prefix);
        let (intervals, taken) = (&self.intervals, &self.taken);
        self.starts.entry(key).or_insert_with(|| {
            let (pool_start, pool_end) = bounds(pool);
            let (pool_start, pool_end) = (u64::from(pool_start), u64::from(pool_end));
            let size = 1u64 << (32 - prefix);
            let mut runs = Vec::new();
            let mut push_gap = |low: u64, high: u64| {
                let first = low.div_ceil(size) * size;
                if let Some(last) = (high + 1).checked_sub(size).map(|l| l / size * size) {
                    if first <= last {
                        runs.push((first, last));
                    }
                }
            };
            let from = intervals.partition_point(|&(_, end)| u64::from(end) < pool_start);
            let mut lake = intervals[from..].iter().copied().peekable();
            let mut taken = taken.iter().copied().peekable();
            let mut cursor = pool_start;
            // Both in order of start, merged.
            while let Some((start, end)) = match (lake.peek(), taken.peek()) {
                (Some(a), Some(b)) if b < a => taken.next(),
                (Some(_), _) => lake.next(),
                (None, _) => taken.next(),
            } {
                let (start, end) = (u64::from(start), u64::from(end));
                if start > pool_end {
                    break;
                }
                if start > cursor {
                    push_gap(cursor, start - 1);
                }
                cursor = cursor.max(end + 1);
            }
            if cursor <= pool_end {
                push_gap(cursor, pool_end);
            }
            // Sorted already: the map is built in one pass.
            runs.into_iter().collect()
        })
    }

    /// The free block of `prefix` length inside `pool` whose start is nearest
    /// to `near` (the higher one on a tie) and that overlaps nothing occupied.
    pub fn nearest_free(&mut self, pool: &Ipv4Net, prefix: u8, near: u32) -> Option<Ipv4Net> {
        if prefix < pool.prefix_len() || prefix > 32 {
            return None;
        }
        let size = 1u64 << (32 - prefix);
        let near = u64::from(near);
        let runs = self.free_starts(pool, prefix);
        let mut best: Option<(u64, u64)> = None;
        let mut consider = |start: u64| {
            let distance = start.abs_diff(near);
            if best.is_none_or(|(d, s)| distance < d || (distance == d && start > s)) {
                best = Some((distance, start));
            }
        };
        if let Some((&first, &last)) = runs.range(..=near).next_back() {
            // The run at or below `near`: the aligned starts around it.
            let below = (near / size * size).clamp(first, last);
            consider(below);
            consider((below + size).min(last));
        }
        if let Some((&first, _)) = runs.range(near + 1..).next() {
            consider(first);
        }
        best.and_then(|(_, start)| Ipv4Net::new((start as u32).into(), prefix).ok())
    }

    /// Marks `net` occupied: no later suggestion overlaps it.
    pub fn take(&mut self, net: Ipv4Net) {
        let (start, end) = bounds(&net);
        self.taken.insert((start, end));
        let (start, end) = (u64::from(start), u64::from(end));
        for (&(_, _, prefix), runs) in &mut self.starts {
            // The aligned starts whose block meets [start, end].
            let size = 1u64 << (32 - prefix);
            let (low, high) = (start / size * size, end / size * size);
            let hit: Vec<(u64, u64)> = runs
                .range(..=high)
                .rev()
                .take_while(|&(_, &last)| last >= low)
                .map(|(&first, &last)| (first, last))
                .collect();
            for (first, last) in hit {
                runs.remove(&first);
                if first < low {
                    runs.insert(first, low - size);
                }
                if last > high {
                    runs.insert(high + size, last);
                }
            }
        }
    }

    /// The nearest free block (see [`Occupied::nearest_free`]), taken.
    pub fn allocate(&mut self, pool: &Ipv4Net, prefix: u8, near: u32) -> Option<Ipv4Net> {
        let free = self.nearest_free(pool, prefix, near)?;
        self.take(free);
        Some(free)
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

            let mut occupied = Occupied::new(nets.iter().copied());
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

    /// The outward search finds a block as near as the nearest free block
    /// found by trying every aligned block of a small pool.
    #[test]
    fn the_suggestion_is_the_nearest_free_block() {
        let mut rng = Lcg(11);
        let pool = net("10.0.0.0/16");
        for round in 0..300 {
            let count = 1 + (rng.next() % 30) as usize;
            let nets: Vec<Ipv4Net> = (0..count)
                .map(|_| {
                    let address = 0x0A00_0000 | (rng.next() & 0xFFFF);
                    Ipv4Net::new(address.into(), 18 + (rng.next() % 11) as u8)
                        .unwrap()
                        .trunc()
                })
                .collect();
            let mut occupied = Occupied::new(nets.iter().copied());
            let prefix = 20 + (rng.next() % 9) as u8;
            let near = 0x0A00_0000 | (rng.next() & 0xFFFF);
            let size = 1u32 << (32 - prefix);
            let brute = (0..(1u32 << 16) / size)
                .map(|k| 0x0A00_0000 + k * size)
                .filter(|&start| {
                    let end = start + size - 1;
                    nets.iter().all(|n| {
                        let (s, e) = bounds(n);
                        end < s || e < start
                    })
                })
                .map(|start| start.abs_diff(near))
                .min();
            let found = occupied
                .nearest_free(&pool, prefix, near)
                .map(|n| bounds(&n).0.abs_diff(near));
            assert_eq!(
                found, brute,
                "round {round}: /{prefix} near {near:#x} in {nets:?}"
            );
        }
    }

    /// The first free block by brute force: every aligned block of the pool,
    /// nearest start first, the higher one on a tie.
    fn brute_nearest(pool: Ipv4Net, taken: &[Ipv4Net], prefix: u8, near: u32) -> Option<Ipv4Net> {
        let (pool_start, pool_end) = bounds(&pool);
        let size = 1u64 << (32 - prefix);
        (u64::from(pool_start)..=u64::from(pool_end))
            .step_by(size as usize)
            .filter(|&start| {
                let end = start + size - 1;
                taken.iter().all(|n| {
                    let (s, e) = bounds(n);
                    end < u64::from(s) || u64::from(e) < start
                })
            })
            .min_by_key(|&start| (start.abs_diff(u64::from(near)), std::cmp::Reverse(start)))
            .and_then(|start| Ipv4Net::new((start as u32).into(), prefix).ok())
    }

    /// Suggestions handed out one after another never collide, and each is
    /// the nearest block that is free once the earlier ones are taken.
    #[test]
    fn allocated_blocks_are_the_nearest_free_and_never_collide() {
        let mut rng = Lcg(13);
        let pool = net("10.0.0.0/16");
        for round in 0..300 {
            let count = (rng.next() % 30) as usize;
            let mut taken: Vec<Ipv4Net> = (0..count)
                .map(|_| {
                    let address = 0x0A00_0000 | (rng.next() & 0xFFFF);
                    Ipv4Net::new(address.into(), 18 + (rng.next() % 11) as u8)
                        .unwrap()
                        .trunc()
                })
                .collect();
            let mut occupied = Occupied::new(taken.iter().copied());
            for request in 0..1 + rng.next() % 12 {
                // Several sizes at once, so that a block taken for one size
                // must also leave the cached starts of another.
                let prefix = 20 + (rng.next() % 9) as u8;
                let near = 0x0A00_0000 | (rng.next() & 0xFFFF);
                let expected = brute_nearest(pool, &taken, prefix, near);
                let found = occupied.allocate(&pool, prefix, near);
                assert_eq!(
                    found, expected,
                    "round {round}, request {request}: /{prefix} near {near:#x} with {taken:?}"
                );
                taken.extend(found);
            }
        }
    }

    #[test]
    fn suggests_the_nearest_free_block_of_the_same_size() {
        let nets = [net("10.0.0.0/16"), net("10.0.0.0/24"), net("10.10.0.0/24")];
        let mut occupied = Occupied::new(nets);
        let pool = net("10.0.0.0/8");
        assert_eq!(
            occupied.nearest_free(&pool, 16, bounds(&nets[0]).0),
            Some(net("10.1.0.0/16"))
        );
        assert_eq!(
            occupied.nearest_free(&pool, 24, bounds(&nets[2]).0),
            Some(net("10.10.1.0/24"))
        );
        let mut full = Occupied::new([net("10.0.0.0/8")]);
        assert_eq!(full.nearest_free(&pool, 16, 0), None);
    }
}
