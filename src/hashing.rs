//! The hasher of the compiler's own maps keyed by names (items, types,
//! fields). std's SipHash resists keys chosen to collide, which matters only
//! for input from a stranger; a lake is its user's own file. foldhash hashes
//! a short name in a fraction of SipHash's instructions, and its fixed state
//! keeps a map's layout the same on every run.

use indexmap::IndexMap;

/// The hasher state of every [`NameMap`].
pub type NameHasher = foldhash::fast::FixedState;

/// An insertion-ordered map keyed by names, hashed with [`NameHasher`].
pub type NameMap<K, V> = IndexMap<K, V, NameHasher>;

/// An empty [`NameMap`] with room for `capacity` entries.
pub fn name_map_with_capacity<K, V>(capacity: usize) -> NameMap<K, V> {
    NameMap::with_capacity_and_hasher(capacity, NameHasher::default())
}
