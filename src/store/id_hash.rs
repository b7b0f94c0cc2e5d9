//! Hashing object ids for the maps a walk consults once per commit (the event cache's index,
//! the folder-change index): an id is already a uniform hash, so folding its bytes a word at a
//! time, seeded per process, is hash enough. SipHash over the id's 28 bytes (length and bytes)
//! cost some 100 ns a lookup there, 10 ms a pass over 100,000 commits. The seed keeps the
//! buckets unpredictable, so commits made to collide in a few bits cannot slow a run down.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// An odd constant with bits spread evenly (the golden ratio's).
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// Builds [`IdHasher`]s with this process's seed.
#[derive(Clone, Copy)]
pub(super) struct IdHashing {
    seed: u64,
}

impl Default for IdHashing {
    fn default() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed =
            *SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0u64));
        IdHashing { seed }
    }
}

impl BuildHasher for IdHashing {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher { h: self.seed }
    }
}

/// Folds what it is given eight bytes at a time.
pub(super) struct IdHasher {
    h: u64,
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            // Each word stirred in fully (folding the high bits down between two products),
            // so that no difference it leaves can be cancelled by the next word's.
            let mut x = (self.h ^ u64::from_le_bytes(word)).wrapping_mul(MIX);
            x ^= x >> 32;
            x = x.wrapping_mul(0xd6e8_feb8_6659_fd93);
            self.h = x ^ (x >> 32);
        }
    }

    fn finish(&self) -> u64 {
        // MurmurHash3's finalizer: every bit of the word reaches every bit of the hash, so
        // both the bucket (low bits) and the tag (high bits) the table takes are well mixed.
        let mut x = self.h;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

/// A map keyed by object ids.
pub(super) type IdMap<K, V> = std::collections::HashMap<K, V, IdHashing>;

/// A set of object ids.
pub(super) type IdSet<K> = std::collections::HashSet<K, IdHashing>;

/// An object id as a key of maps and heaps asked once per commit: compared as bytes (git2's
/// `==` and `cmp` on ids are calls into libgit2 that are not inlined), in the same order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(super) struct IdKey(pub [u8; 20]);

impl From<&git2::Oid> for IdKey {
    fn from(id: &git2::Oid) -> IdKey {
        IdKey(*id.as_bytes().first_chunk::<20>().unwrap_or(&[0; 20]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids that differ in any one bit land apart: in the bucket bits (low) always, and in the
    /// tag bits (high seven) as often as chance allows (1 in 128 alike).
    #[test]
    fn ids_differing_anywhere_hash_apart() {
        let hashing = IdHashing::default();
        let base = [7u8; 20];
        let b = hashing.hash_one(git2::Oid::from_bytes(&base).unwrap());
        let mut seen = std::collections::HashSet::new();
        let mut same_tag = 0;
        for i in 0..20 {
            for bit in 0..8 {
                let mut id = base;
                id[i] ^= 1 << bit;
                let h = hashing.hash_one(git2::Oid::from_bytes(&id).unwrap());
                assert!(seen.insert(h), "byte {i} bit {bit}");
                assert_ne!(h & 0xffff, b & 0xffff, "byte {i} bit {bit}: low bits");
                same_tag += usize::from(h >> 57 == b >> 57);
            }
        }
        assert!(same_tag <= 10, "{same_tag} of 160 share the tag");
    }
}
