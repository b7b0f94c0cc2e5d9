//! The history's skeleton: the commits of one tip's history that an agreement's edits and
//! positions can be found among, linked to their nearest kept ancestors, kept in
//! `<git dir>/accord/skeleton-v1.bin`. With it, the first `history`, `log` or `diff` of an
//! agreement after a `status` walks nothing (unless its file was renamed: renames are followed
//! along the whole history): the agreement's events are found along the skeleton as they
//! would be along the whole history.
//!
//! Why that gives the same answer ([`super::timeline`]'s `lineage_events`):
//! - A commit is kept *whole* (with every parent it has) when its agreements folder may
//!   differ from a parent's: it has an entry in the folder-change index (it changed the folder
//!   against its first parent, or it lists the whole folder at a root or the edge of a shallow
//!   clone), it is a merge whose parents' folders may differ ([`FolderView::answered_by`]), or
//!   a parent of it is missing. So every edit, and every merge that keeps one parent's text,
//!   is there with its real parents, their texts and their times.
//! - Every commit that says something to accord is kept (positions), and the tip.
//! - Any other kept commit has the folder of all its parents, so its parents in the skeleton
//!   are its nearest kept ancestors (first the one along its first-parent chain): they hold the
//!   same folder, and ancestry among kept commits is the history's.
//! - SPEC §4's order over the commits of one agreement depends only on their times, ids and
//!   ancestry among them: [`Graph::order_by`] takes an interesting commit only when every
//!   interesting descendant is taken and nothing else is ready.
//!
//! The skeleton grows with positions and edits, not with commits. It is written whenever a
//! whole history's folder view is built (`status`, `verify`, a first `history` without Bloom
//! filters; not for a `review`'s sides, whose times are floored, nor for a walk asked about one
//! agreement), for that tip: the file holds one. A tip that only added ordinary commits on top of
//! it in a straight line ([`Store::quiet_since`]) reads it as it is: those commits are no
//! agreement's events and come before all of them. Like the other caches it is never the
//! source of truth: a missing, damaged (a cycle, a tip that does not reach every bone),
//! foreign-version, other-folder, other-horizon or other-tip file, or a position the event
//! cache no longer holds, sends the history back to the walk; `ACCORD_NO_CACHE=1` neither
//! reads nor writes it.

use git2::Oid;

use super::cache::{header, open_sealed, put_str, seal, Cache};
use super::folder_index::FolderView;
use super::graph::{Graph, Node};
use super::raw_commit::CommitKind;
use super::Store;

pub(super) const FILE: &str = "skeleton-v1.bin";
const MAGIC: &[u8; 8] = b"ACCRDSK1";
/// No skeleton where a commit would have more nearest kept ancestors than this (a history of
/// very many branches merged without touching the folder): the walk answers instead.
const MAX_REACH: usize = 64;

/// One kept commit.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bone {
    id: Oid,
    tree: Oid,
    time: i64,
    /// The parents the commit names in the history (the whole history's `parent_count`) for a
    /// commit kept whole, else the number of its skeleton parents.
    parent_count: u32,
    /// Indices of its parents in the skeleton.
    parents: Vec<u32>,
    /// A position (after the structural rules).
    position: bool,
}

/// A contracted history at `tip`, in the history's node order (the tip first).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Skeleton {
    tip: Oid,
    bones: Vec<Bone>,
}

/// The skeleton of `g` (a whole history, its folder view complete), or `None` where it would
/// not be small.
pub(super) fn contract(g: &Graph, view: &FolderView) -> Option<Skeleton> {
    let n = g.nodes.len();
    if n == 0 || view.entry_of.len() != n {
        return None;
    }
    let mut answered = Vec::new();
    let mut whole = vec![false; n];
    for (i, node) in g.nodes.iter().enumerate() {
        let parents = g.parents_of(i as u32);
        whole[i] = view.entry_of[i] != u32::MAX
            || parents.is_empty()
            || parents.len() != node.parent_count
            || (parents.len() > 1 && {
                let first = view.answered_by(g, &mut answered, parents[0]);
                parents[1..].iter().any(|&p| view.answered_by(g, &mut answered, p) != first)
            });
    }
    let mut kept = whole.clone();
    kept[0] = true;
    for &i in &g.said {
        kept[i as usize] = true;
    }
    for i in (0..n).filter(|&i| whole[i]) {
        for &p in g.parents_of(i as u32) {
            kept[p as usize] = true;
        }
    }
    // Parents before children: a topological order (children first), reversed.
    let (order, _) = children_first(n, |i| g.parents_of(i as u32))?;
    // For each commit not kept: its nearest kept ancestors (a set, shared along a chain), and
    // the first kept commit along its first-parent chain.
    const NONE: u32 = u32::MAX;
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let mut reach = vec![NONE; n];
    let mut single = vec![NONE; n];
    let mut first_kept = vec![NONE; n];
    let mut set_of = |p: usize, sets: &mut Vec<Vec<u32>>, reach: &[u32]| -> u32 {
        match kept[p] {
            true => {
                if single[p] == NONE {
                    single[p] = sets.len() as u32;
                    sets.push(vec![p as u32]);
                }
                single[p]
            }
            false => reach[p],
        }
    };
    for &i in order.iter().rev() {
        let i = i as usize;
        let parents = g.parents_of(i as u32);
        first_kept[i] = match (kept[i], parents.first()) {
            (true, _) => i as u32,
            (false, Some(&p)) => first_kept[p as usize],
            (false, None) => return None,
        };
        if kept[i] {
            continue;
        }
        let mut at = parents.iter().map(|&p| set_of(p as usize, &mut sets, &reach));
        let first = at.next()?;
        let rest: Vec<u32> = at.filter(|&s| s != first).collect();
        reach[i] = match rest.is_empty() {
            true => first,
            false => {
                let mut union = sets[first as usize].clone();
                for s in rest {
                    union.extend_from_slice(&sets[s as usize]);
                }
                union.sort_unstable();
                union.dedup();
                if union.len() > MAX_REACH {
                    return None;
                }
                sets.push(union);
                sets.len() as u32 - 1
            }
        };
    }
    let mut index_of = vec![NONE; n];
    let mut k = 0;
    for i in 0..n {
        if kept[i] {
            index_of[i] = k;
            k += 1;
        }
    }
    let mut bones = Vec::with_capacity(k as usize);
    for i in (0..n).filter(|&i| kept[i]) {
        let node = &g.nodes[i];
        let real = g.parents_of(i as u32);
        let parents: Vec<u32> = match whole[i] {
            true => real.iter().map(|&p| index_of[p as usize]).collect(),
            false => {
                let first = first_kept[real[0] as usize];
                let mut out = vec![index_of[first as usize]];
                for &p in real {
                    let near: &[u32] = match kept[p as usize] {
                        true => std::slice::from_ref(&p),
                        false => &sets[reach[p as usize] as usize],
                    };
                    for &q in near {
                        let q = index_of[q as usize];
                        if !out.contains(&q) {
                            out.push(q);
                        }
                    }
                }
                out
            }
        };
        bones.push(Bone {
            id: node.id,
            tree: node.tree,
            time: node.time,
            parent_count: match whole[i] {
                true => node.parent_count as u32,
                false => parents.len() as u32,
            },
            parents,
            position: matches!(node.accord, CommitKind::Position(_)),
        });
    }
    Some(Skeleton { tip: g.nodes[0].id, bones })
}

/// Nodes `0..n`, whose parents `parents` gives, children before parents (a topological order),
/// and how many have no child; `None` when they form a cycle.
fn children_first<'a>(n: usize, parents: impl Fn(usize) -> &'a [u32]) -> Option<(Vec<u32>, usize)> {
    let mut children = vec![0u32; n];
    for i in 0..n {
        for &p in parents(i) {
            children[p as usize] += 1;
        }
    }
    let mut ready: Vec<u32> = (0..n as u32).filter(|&i| children[i as usize] == 0).collect();
    let childless = ready.len();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop() {
        order.push(i);
        for &p in parents(i as usize) {
            children[p as usize] -= 1;
            if children[p as usize] == 0 {
                ready.push(p);
            }
        }
    }
    (order.len() == n).then_some((order, childless))
}

impl Skeleton {
    fn encode(&self, dir: &str, horizon: u64) -> Vec<u8> {
        let mut out = header(MAGIC, self.bones.len() * 64);
        put_str(&mut out, dir);
        out.extend_from_slice(&horizon.to_le_bytes());
        out.extend_from_slice(self.tip.as_bytes());
        out.extend_from_slice(&(self.bones.len() as u32).to_le_bytes());
        for b in &self.bones {
            out.extend_from_slice(b.id.as_bytes());
            out.extend_from_slice(b.tree.as_bytes());
            out.extend_from_slice(&b.time.to_le_bytes());
            out.extend_from_slice(&b.parent_count.to_le_bytes());
            out.push(b.position as u8);
            out.extend_from_slice(&(b.parents.len() as u32).to_le_bytes());
            for p in &b.parents {
                out.extend_from_slice(&p.to_le_bytes());
            }
        }
        out
    }

    fn decode(data: &[u8], dir: &str, horizon: u64) -> Option<Skeleton> {
        let mut r = open_sealed(data, MAGIC)?;
        if r.string()? != dir || r.i64()? as u64 != horizon {
            return None;
        }
        let tip = r.oid()?;
        let count = r.u32()?;
        // Each bone takes 57 bytes at least: a count larger than the file can hold is damage.
        if count as usize > data.len() / 57 {
            return None;
        }
        let mut bones = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let (id, tree, time, parent_count) = (r.oid()?, r.oid()?, r.i64()?, r.u32()?);
            let position = match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            };
            let k = r.u32()? as usize;
            if k > (r.data.len() - r.at) / 4 {
                return None;
            }
            let mut parents = Vec::with_capacity(k);
            for _ in 0..k {
                let p = r.u32()?;
                if p >= count {
                    return None;
                }
                parents.push(p);
            }
            if parents.len() > parent_count as usize {
                return None;
            }
            bones.push(Bone { id, tree, time, parent_count, parents, position });
        }
        let skeleton = Skeleton { tip, bones };
        (r.at == r.data.len() && skeleton.is_history()).then_some(skeleton)
    }

    /// Whether the bones make a history: the tip first, every bone reached from it, no cycle
    /// (a file that says otherwise is damaged, and a cycle would stall a pass along parents).
    fn is_history(&self) -> bool {
        // Without a cycle, and the first bone the only one without a child: every bone is one
        // of its ancestors.
        self.bones.first().is_some_and(|b| b.id == self.tip)
            && matches!(
                children_first(self.bones.len(), |i| &self.bones[i].parents),
                Some((order, 1)) if order[0] == 0
            )
    }

    /// The tip a skeleton file is about, without decoding its bones.
    fn tip_in(data: &[u8], dir: &str, horizon: u64) -> Option<Oid> {
        let mut r = open_sealed(data, MAGIC)?;
        if r.string()? != dir || r.i64()? as u64 != horizon {
            return None;
        }
        r.oid()
    }

    /// The skeleton as a [`Graph`], with the positions on `only` as the event cache holds
    /// them; `None` when the cache no longer holds one.
    fn graph(&self, cache: &Cache, only: &str) -> Option<Graph> {
        let mut g = Graph::default();
        g.skeleton = true;
        g.nodes.reserve(self.bones.len());
        for b in &self.bones {
            let accord = match b.position {
                true => cache.kind(&b.id, Some(only))?,
                false => CommitKind::Other,
            };
            if !matches!(accord, CommitKind::Other) {
                g.said.push(g.nodes.len() as u32);
            }
            g.nodes.push(Node {
                id: b.id,
                tree: b.tree,
                parents: b.parents.iter().copied().collect(),
                parent_count: b.parent_count as usize,
                time: b.time,
                accord,
                graph_pos: None,
            });
        }
        Some(g)
    }
}

impl Store {
    /// Write the skeleton of `g` (a whole history whose folder view is `view`) for its tip,
    /// on another thread, unless the file already holds that tip.
    pub(super) fn save_skeleton(&self, g: &Graph, view: &FolderView) {
        if super::cache::no_cache() || g.skeleton || !g.walked {
            return;
        }
        // Under review, the range's own commits are given later times than their own.
        if self.time_floor.get().is_some() {
            return;
        }
        let Some(tip) = g.nodes.first().map(|n| n.id) else { return };
        if self.skeleton_saved.get() == Some(tip) {
            return;
        }
        self.skeleton_saved.set(Some(tip));
        let (state, dir, horizon) = (self.state_dir(), self.dir.clone(), self.history_horizon());
        let file = state.join(FILE);
        let held = super::cache::read(&file).ok().and_then(|d| Skeleton::tip_in(&d, &dir, horizon));
        if held == Some(tip) {
            return;
        }
        let t0 = std::time::Instant::now();
        let Some(skeleton) = contract(g, view) else {
            return super::trace("no skeleton: too many branches", t0);
        };
        super::trace(&format!("skeleton of {} commits", skeleton.bones.len()), t0);
        let write = move || seal(&state, FILE, skeleton.encode(&dir, horizon));
        // (A thread that cannot start writes nothing: the cache is only an optimisation.)
        if let Ok(h) = std::thread::Builder::new().spawn(write) {
            self.writes.borrow_mut().push(h);
        }
    }

    /// The history at `tip` contracted to what agreement `only`'s events are found among, from
    /// the skeleton file (see the module's documentation), when it holds `tip`, or a commit
    /// that `tip` only added ordinary commits to (their history has the same events), and
    /// this process has not walked `tip`'s history already.
    pub(super) fn skeleton_graph(&self, tip: Oid, only: &str) -> Option<Graph> {
        if super::cache::no_cache() || self.time_floor.get().is_some() {
            return None;
        }
        if self.graph_memo.borrow().iter().any(|(t, _)| *t == tip) {
            return None;
        }
        let t0 = std::time::Instant::now();
        let mut memo = self.skeleton_memo.borrow_mut();
        if memo.as_ref().is_none_or(|(t, ..)| *t != tip) {
            let data = super::cache::read(self.state_dir().join(FILE)).ok()?;
            let skeleton = Skeleton::decode(&data, &self.dir, self.history_horizon())?;
            drop(data);
            if skeleton.tip != tip && !self.quiet_since(skeleton.tip, tip) {
                return None;
            }
            *memo = Some((tip, std::rc::Rc::new(skeleton), std::rc::Rc::new(self.events_cache())));
        }
        let (_, skeleton, cache) = memo.as_ref()?;
        let g = skeleton.graph(cache, only);
        super::trace("skeleton read", t0);
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bone(k: u8, parents: Vec<u32>) -> Bone {
        Bone {
            id: Oid::from_bytes(&[k; 20]).unwrap(),
            tree: Oid::from_bytes(&[k + 100; 20]).unwrap(),
            time: 1_700_000_000 + k as i64,
            parent_count: parents.len() as u32,
            parents,
            position: k % 2 == 0,
        }
    }

    #[test]
    fn a_skeleton_reads_back_as_written_and_refuses_other_keys_and_damage() {
        let s = Skeleton {
            tip: Oid::from_bytes(&[1; 20]).unwrap(),
            bones: vec![bone(1, vec![1, 2]), bone(2, vec![2]), bone(3, vec![])],
        };
        let mut data = s.encode("agreements", 7);
        let sum = super::super::cache::fnv(&data);
        data.extend_from_slice(&sum.to_le_bytes());
        assert_eq!(Skeleton::decode(&data, "agreements", 7), Some(s));
        assert_eq!(Skeleton::decode(&data, "charters", 7), None);
        assert_eq!(Skeleton::decode(&data, "agreements", 8), None);
        let mut bad = data.clone();
        bad[40] ^= 1;
        assert_eq!(Skeleton::decode(&bad, "agreements", 7), None);
        assert_eq!(Skeleton::decode(&data[..data.len() - 9], "agreements", 7), None);
    }

    /// A file whose checksum is right but whose bones are no history (a cycle, a tip that is
    /// not the first bone, a bone the tip does not reach) is refused: passes along parents
    /// would not end.
    #[test]
    fn bones_that_make_no_history_are_refused() {
        let sealed = |s: &Skeleton| {
            let mut data = s.encode("agreements", 0);
            let sum = super::super::cache::fnv(&data);
            data.extend_from_slice(&sum.to_le_bytes());
            Skeleton::decode(&data, "agreements", 0)
        };
        let tip = Oid::from_bytes(&[1; 20]).unwrap();
        let good = Skeleton { tip, bones: vec![bone(1, vec![1]), bone(2, vec![])] };
        assert!(sealed(&good).is_some());
        let cycle = Skeleton { tip, bones: vec![bone(1, vec![1]), bone(2, vec![1])] };
        assert_eq!(sealed(&cycle), None);
        let other_tip = Skeleton { tip, bones: vec![bone(2, vec![1]), bone(1, vec![])] };
        assert_eq!(sealed(&other_tip), None);
        let unreached = Skeleton { tip, bones: vec![bone(1, vec![]), bone(2, vec![])] };
        assert_eq!(sealed(&unreached), None);
        assert_eq!(sealed(&Skeleton { tip, bones: vec![] }), None);
        // A flag other than 0 or 1, and more parents than the commit names.
        let first_bone = header(MAGIC, 0).len() + 4 + "agreements".len() + 8 + 20 + 4;
        let patched = |at: usize, bytes: &[u8]| {
            let mut data = good.encode("agreements", 0);
            data[at..at + bytes.len()].copy_from_slice(bytes);
            let sum = super::super::cache::fnv(&data);
            data.extend_from_slice(&sum.to_le_bytes());
            Skeleton::decode(&data, "agreements", 0)
        };
        assert!(patched(first_bone + 52, &[1]).is_some(), "the flag's place");
        assert_eq!(patched(first_bone + 52, &[2]), None);
        assert!(patched(first_bone + 48, &1u32.to_le_bytes()).is_some(), "the count's place");
        assert_eq!(patched(first_bone + 48, &0u32.to_le_bytes()), None);
    }
}
