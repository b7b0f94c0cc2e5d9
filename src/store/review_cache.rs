//! A review's answer, remembered for the same question (`reviews-v3.bin`).
//!
//! A review judges the range's own commits as made no earlier than the moment it runs
//! ([`Store::judge_range_from`]), so the caches that hold answers under the commits' own dates
//! cannot serve it, and each review walked HEAD's whole history again. Yet its answer depends on
//! that moment only through the order of times: when every commit it consulted that the base
//! reaches, and every position on the positions branch, is older than the moment, and every
//! other commit is no newer (so all of those are judged as made at that moment), a later
//! moment orders everything the same way and gives the same answer. Such an answer is kept
//! here, keyed by everything else it was made from: the question as asked (format, colour, the
//! range as typed), HEAD, BASE and their merge base, the agreements folder and the positions
//! branch named at BASE with every tip of that branch, the shallow horizon, and this build of
//! accord (version, and the executable's size and time, so a rebuilt binary asks again).
//!
//! An answer is kept with its moment and given only at that moment or later (a clock set back
//! could order the base's times differently), and only when the positions branch's tips and
//! the shallow file read before and after judging agree (a `sign` or a fetch meanwhile makes
//! it another question's answer).
//!
//! Like every cache here it is never the source of truth: a missing, corrupt or foreign file is
//! ignored, `ACCORD_NO_CACHE` neither reads nor writes it, and answers that verify signatures
//! (`--signed`, which read keys from outside the repository) are never kept. Two inputs are
//! not in the key, as in the other caches: objects that arrive without moving a ref (a blob a
//! position names, fetched later, changes what that position's text means), and git's
//! `diff.renameLimit`, which matters only past some thousand files changed at once.

use super::cache::{header, no_cache, open_sealed, put_str, seal};
use super::graph::Graph;
use super::Store;
use crate::error::Result;
use crate::oid::ObjectId;

const FILE: &str = "reviews-v3.bin";
const MAGIC: &[u8; 8] = b"ACCRDRVG";
/// Answers kept, the newest first (a few pull requests reviewed in turn).
const KEPT: usize = 16;

/// What a review printed on standard output and the problems its gate found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    pub out: Vec<u8>,
    pub problems: Vec<String>,
}

/// One review's question, in full (see the module's documentation).
pub struct ReviewKey {
    bytes: Vec<u8>,
    head: ObjectId,
    /// The part that refs and the shallow file give ([`Store::positions_key`]), asked again
    /// before an answer is kept: they may move while the review runs.
    positions: Vec<u8>,
}

struct Entry {
    key: Vec<u8>,
    /// The moment the answer was judged at: it holds for that moment and any later one, so
    /// it is not given when the clock reads earlier (set back, or another machine's).
    floor: i64,
    answer: Reviewed,
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

fn decode(data: &[u8]) -> Option<Vec<Entry>> {
    let mut r = open_sealed(data, MAGIC)?;
    let n = r.u32()? as usize;
    let mut entries = Vec::with_capacity(n.min(KEPT));
    for _ in 0..n {
        let len = r.u32()? as usize;
        let key = r.take(len)?.to_vec();
        let floor = r.i64()?;
        let len = r.u32()? as usize;
        let out = r.take(len)?.to_vec();
        let k = r.u32()? as usize;
        let mut problems = Vec::with_capacity(k.min(64));
        for _ in 0..k {
            problems.push(r.string()?);
        }
        entries.push(Entry { key, floor, answer: Reviewed { out, problems } });
    }
    (r.at == r.data.len()).then_some(entries)
}

fn encode(entries: &[Entry]) -> Vec<u8> {
    let size: usize = entries.iter().map(|e| e.key.len() + e.answer.out.len() + 64).sum();
    let mut out = header(MAGIC, size);
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for e in entries {
        put_bytes(&mut out, &e.key);
        out.extend_from_slice(&e.floor.to_le_bytes());
        put_bytes(&mut out, &e.answer.out);
        out.extend_from_slice(&(e.answer.problems.len() as u32).to_le_bytes());
        for p in &e.answer.problems {
            put_str(&mut out, p);
        }
    }
    out
}

/// Seconds since the epoch: the moment a review's range is judged at
/// ([`Store::judge_range_from`]).
pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The running executable's size and modification time: a rebuilt accord of the same version
/// may judge differently.
fn this_build() -> Vec<u8> {
    let mut out = Vec::new();
    put_str(&mut out, env!("CARGO_PKG_VERSION"));
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    if let Ok(m) = meta {
        out.extend_from_slice(&m.len().to_le_bytes());
        let since = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        out.extend_from_slice(&since.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    out
}

impl Store {
    /// The full question of a review of `merge_base..head` asked with `base` (whose
    /// `accord.toml` must already be the store's, [`Store::set_config`]); `asked` is how the
    /// command was asked (format, colour, the range as typed). `None` when answers are not kept
    /// (`ACCORD_NO_CACHE`).
    pub fn review_key(
        &self,
        asked: &[&str],
        base: ObjectId,
        head: ObjectId,
        merge_base: ObjectId,
    ) -> Result<Option<ReviewKey>> {
        if no_cache() {
            return Ok(None);
        }
        let mut key = this_build();
        for a in asked {
            put_str(&mut key, a);
        }
        key.extend_from_slice(base.as_bytes());
        key.extend_from_slice(merge_base.as_bytes());
        // The agreements folder, the positions branch, the horizon, HEAD and every tip.
        let positions = self.positions_key(head)?;
        key.extend_from_slice(&positions);
        Ok(Some(ReviewKey { bytes: key, head, positions }))
    }

    /// Whether any review's answer is kept (else no question can be answered from the file).
    pub fn keeps_reviews(&self) -> bool {
        !super::cache::no_cache() && self.shared_state_dir().join(FILE).exists()
    }

    /// The answer kept for `key`, if any.
    pub fn reviewed(&self, key: &ReviewKey) -> Option<Reviewed> {
        let t0 = std::time::Instant::now();
        let data = super::cache::read(self.shared_state_dir().join(FILE)).ok()?;
        let now = now();
        let found = decode(&data)?
            .into_iter()
            .find(|e| e.key == key.bytes && e.floor <= now)
            .map(|e| e.answer);
        if found.is_some() {
            super::trace("review answered from the cache", t0);
        }
        found
    }

    /// Keep `answer` for `key`, when the review that made it was judged at a moment later than
    /// every time it consulted ([`Store::judged_times_settled`]); else keep nothing.
    pub fn remember_review(&self, key: ReviewKey, head_graph: &Graph, answer: Reviewed) {
        let Some((_, floor)) = self.time_floor.get() else { return };
        let t0 = std::time::Instant::now();
        match self.judged_times_settled(head_graph) {
            Ok(true) => {}
            _ => return super::trace("review not kept: a time at or after its moment", t0),
        }
        // A ref or the shallow file moved while the review ran: the answer is another
        // question's.
        if self.positions_key(key.head).ok().as_ref() != Some(&key.positions) {
            return super::trace("review not kept: the positions branch moved meanwhile", t0);
        }
        let dir = self.shared_state_dir();
        let mut entries =
            super::cache::read(dir.join(FILE)).ok().and_then(|d| decode(&d)).unwrap_or_default();
        entries.retain(|e| e.key != key.bytes);
        entries.insert(0, Entry { key: key.bytes, floor, answer });
        entries.truncate(KEPT);
        seal(&dir, FILE, encode(&entries));
    }

    /// Whether the range under review was judged at a moment that orders every time the same
    /// way as any later moment would: every commit of `head_graph` that the base reaches and
    /// every position on the positions branch older than the moment, every other commit of
    /// `head_graph` judged as made at it (none dated later).
    fn judged_times_settled(&self, head_graph: &Graph) -> Result<bool> {
        let Some((base, floor)) = self.time_floor.get() else { return Ok(false) };
        let trusted = self.trusted(base.into())?;
        let graph_settled = head_graph.nodes.iter().all(|n| match trusted.holds(n) {
            true => n.time < floor,
            false => n.time == floor,
        });
        if !graph_settled {
            return Ok(false);
        }
        let head = head_graph.nodes.first().map(|n| ObjectId::from(n.id));
        let branch = self.branch_positions(self.positions_branch(), head)?;
        Ok(branch.iter().all(|p| p.time < floor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_damage_is_ignored() {
        let entries = vec![
            Entry {
                key: b"one".to_vec(),
                floor: 1_795_168_800,
                answer: Reviewed { out: b"out\n".to_vec(), problems: vec!["p".into()] },
            },
            Entry {
                key: vec![0; 40],
                floor: 0,
                answer: Reviewed { out: Vec::new(), problems: Vec::new() },
            },
        ];
        let mut data = encode(&entries);
        let sum = super::super::cache::fnv(&data);
        data.extend_from_slice(&sum.to_le_bytes());
        let back = decode(&data).expect("decodes");
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].key, b"one");
        assert_eq!(back[0].answer.out, b"out\n");
        assert_eq!(back[0].answer.problems, vec!["p".to_string()]);
        assert_eq!(back[0].floor, 1_795_168_800);
        assert_eq!(back[1].key, vec![0; 40]);
        for at in [0, 9, data.len() / 2, data.len() - 1] {
            let mut bad = data.clone();
            bad[at] ^= 0x40;
            assert!(decode(&bad).is_none(), "a flipped byte at {at} is noticed");
        }
        assert!(decode(&data[..data.len() - 3]).is_none(), "a truncated file is ignored");
    }
}
