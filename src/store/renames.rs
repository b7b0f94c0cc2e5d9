//! Renames keep an agreement's lineage (SPEC §4): git's rename detection at its default
//! similarity (50%) on the agreements folder, so `log`, `history`, `diff`, `review` and the
//! positions follow `git mv`. A copy under a new id (the old file stays) is a new agreement.

use git2::{Delta, DiffFindOptions, DiffOptions, Oid};

use super::{Graph, Store, Timeline};
use crate::error::Result;
use crate::ledger::Position;
use crate::oid::ObjectId;
use crate::trailers::Stance;

/// Most renames followed in one lineage (a cycle of renames ends there too).
const MAX_RENAMES: usize = 32;

impl Store {
    /// The agreement id that `commit` renamed into `id` (compared with its first parent), if
    /// it was a rename of another agreement file.
    pub fn renamed_from(&self, commit: Oid, id: &str) -> Result<Option<String>> {
        self.rename_at(commit, |old, new| (new == id).then(|| old.to_string()))
    }

    /// The agreement id that `commit` renamed `id` into, if it did.
    pub fn renamed_to(&self, commit: Oid, id: &str) -> Result<Option<String>> {
        self.rename_at(commit, |old, new| (old == id).then(|| new.to_string()))
    }

    fn rename_at(
        &self,
        commit: Oid,
        pick: impl Fn(&str, &str) -> Option<String>,
    ) -> Result<Option<String>> {
        let c = self.repo.find_commit(commit)?;
        let Ok(parent) = c.parent(0) else { return Ok(None) };
        let mut opts = DiffOptions::new();
        opts.pathspec(format!("{}/", self.dir));
        let mut diff = self.repo.diff_tree_to_tree(
            Some(&parent.tree()?),
            Some(&c.tree()?),
            Some(&mut opts),
        )?;
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
        for delta in diff.deltas().filter(|d| d.status() == Delta::Renamed) {
            let (Some(old), Some(new)) = (delta.old_file().path(), delta.new_file().path()) else {
                continue;
            };
            let stem = |p: &std::path::Path| -> Option<String> {
                let p = p.to_str()?.strip_prefix(&format!("{}/", self.dir))?;
                let id = p.strip_suffix(".toml")?;
                crate::model::valid_id(id).then(|| id.to_string())
            };
            if let (Some(o), Some(n)) = (stem(old), stem(new)) {
                if let Some(hit) = pick(&o, &n) {
                    return Ok(Some(hit));
                }
            }
        }
        Ok(None)
    }

    /// Where agreement `old` (no longer at `graph`'s tip) lives now, when it was renamed (perhaps
    /// several times) into an id in `current`.
    pub fn renamed_into(
        &self,
        graph: &Graph,
        old: &str,
        current: &[String],
    ) -> Result<Option<String>> {
        let mut id = old.to_string();
        for _ in 0..MAX_RENAMES {
            // The newest commit where the file went away by a rename: a file that took the
            // freed name later and was removed again (or renamed back onto another name the
            // lineage left) does not hide where the agreement went.
            let Some((next, _)) = self.renamed_away_to(graph, &id, true)? else { return Ok(None) };
            match current.contains(&next) {
                true => return Ok(Some(next)),
                false => id = next,
            }
        }
        Ok(None)
    }

    /// The last id agreement `old` had, when renames (`git mv`) made since `base` took it to a
    /// name removed later, at none of the ids in `current` (`old` is not at `graph`'s tip).
    /// Each rename must be the newest removal of the name it left.
    pub fn renamed_then_removed(
        &self,
        graph: &Graph,
        old: &str,
        current: &[String],
        base: ObjectId,
    ) -> Result<Option<String>> {
        let mut id = old.to_string();
        let mut first = None;
        for _ in 0..MAX_RENAMES {
            match self.renamed_away_to(graph, &id, false)? {
                Some((next, _)) if current.contains(&next) => return Ok(None),
                Some((next, commit)) => {
                    first.get_or_insert(commit);
                    id = next;
                }
                None => break,
            }
        }
        let Some(first) = first else { return Ok(None) };
        let reaches = graph.reaches(base);
        let since = graph.find(&first).is_some_and(|i| !reaches[i as usize]);
        Ok(since.then_some(id))
    }

    /// The id that the newest rename of `id`'s file away (`git mv`) gave it, and the renaming
    /// commit; with `any` false, only when the newest removal of the file was that rename.
    fn renamed_away_to(&self, graph: &Graph, id: &str, any: bool) -> Result<Option<(String, Oid)>> {
        let blobs = self.blobs_along(graph, &self.path_of(id))?;
        let gone = graph.order_by(|i| {
            let node = &graph.nodes[i as usize];
            blobs[i as usize].is_none()
                && node.parents.first().is_some_and(|&p| blobs[p as usize].is_some())
        });
        for i in gone {
            let commit = graph.nodes[i as usize].id;
            match self.renamed_to(commit, id)? {
                Some(next) if next != id => return Ok(Some((next, commit))),
                _ if !any => return Ok(None),
                _ => {}
            }
        }
        Ok(None)
    }

    /// Whether every commit of `base_graph` that changed `id`'s file is an edit of the
    /// agreement under `id` at `graph`'s tip (its own timeline, renames followed): no other
    /// agreement ever held the name.
    pub fn held_only_by(&self, graph: &Graph, base_graph: &Graph, id: &str) -> Result<bool> {
        let edits = self.folder_edits(base_graph)?;
        let mine = Timeline::edit_commits(self, graph, id)?;
        Ok(edits
            .of(&format!("{id}.toml"))
            .iter()
            .all(|e| mine.contains(&ObjectId::from(base_graph.nodes[e.node as usize].id))))
    }

    /// The agreement at `graph`'s tip whose lineage holds the rename of `id`'s file at
    /// `commit` (as its timeline follows renames back, [`Timeline::renames`]): `guess`, found
    /// by following the names forward, or `id` itself (a rename back, later renamed again);
    /// else, when the names led to an agreement whose lineage it is not, any other there.
    /// `None`: the renamed agreement was removed since.
    fn lineage_holding(
        &self,
        graph: &Graph,
        commit: Oid,
        id: &str,
        guess: Option<&str>,
        current: &[String],
    ) -> Result<Option<String>> {
        let holds = |x: &str| -> Result<bool> {
            let renames = Timeline::renames_of(self, graph, x)?;
            Ok(renames.iter().any(|r| Oid::from(r.commit) == commit && r.from == id))
        };
        let first: Vec<&str> = guess.into_iter().chain([id]).collect();
        for x in &first {
            if holds(x)? {
                return Ok(Some(x.to_string()));
            }
        }
        // Only an agreement whose file may continue an older one's is asked.
        let edits = self.folder_edits(graph)?;
        let others = current.iter().filter(|x| !first.contains(&x.as_str()));
        for x in others.filter(|x| edits.may_be_renamed(graph, &format!("{x}.toml"))) {
            if holds(x)? {
                return Ok(Some(x.clone()));
            }
        }
        Ok(None)
    }

    /// The renames of `id`'s file away to another agreement (`git mv`), oldest first, each
    /// with the agreement it went on in: for an id at `graph`'s tip (in `current`), those a
    /// new agreement took the name after; for one no longer there, every one. What the name
    /// held before each is the renamed agreement's, not the next holder's (SPEC §4: renames
    /// keep the lineage). A rename back to `id` is no renaming away.
    pub fn renamed_away(
        &self,
        graph: &Graph,
        id: &str,
        current: &[String],
    ) -> Result<Vec<RenamedAway>> {
        let edits = self.folder_edits(graph)?;
        let all = edits.of(&format!("{id}.toml"));
        let here = current.iter().any(|c| c == id);
        let mut out = Vec::new();
        for (k, e) in all.iter().enumerate().rev() {
            if e.blob.is_some() || e.before.is_none() {
                continue;
            }
            // At the tip, only a file made anew after it takes the name (as the timeline
            // decides): one a merge brings back from a parent that never renamed it goes on
            // the same lineage.
            if here && !all[..k].iter().any(|x| x.blob.is_some() && x.before.is_none()) {
                continue;
            }
            let commit = graph.nodes[e.node as usize].id;
            let Some(next) = self.renamed_to(commit, id)? else {
                continue;
            };
            let guess = match current.contains(&next) {
                true => Some(next.clone()),
                false => self.renamed_into(graph, &next, current)?,
            };
            // The names may mislead (a rename back, then away again, leaves the old agreement
            // under the name it was renamed to first, which a new file may hold now): the
            // lineages say where it went.
            let into = self.lineage_holding(graph, commit, id, guess.as_deref(), current)?;
            if into.as_deref() == Some(id) {
                continue;
            }
            // The next holder's commits: those that descend from a file of the name made anew
            // after the rename. Every other commit's file of the name is the renamed
            // agreement's, a branch's that forked before the rename and merged after it too.
            let before = graph.before(e.node);
            let anew: Vec<u32> = all[..k]
                .iter()
                .filter(|x| x.blob.is_some() && x.before.is_none() && !before[x.node as usize])
                .map(|x| x.node)
                .collect();
            let taken = graph.descendants(&anew);
            let (mut held_before, mut held_after) = (Vec::new(), Vec::new());
            for x in all {
                let Some(blob) = x.blob else { continue };
                match taken[x.node as usize] {
                    false => held_before.push(blob),
                    true => held_after.push(blob),
                }
            }
            let commit = ObjectId::from(commit);
            out.push(RenamedAway { into, to: next, commit, taken, held_before, held_after });
        }
        Ok(out)
    }
}

/// A rename of an agreement's file away to another agreement: see [`Store::renamed_away`].
#[derive(Debug)]
pub struct RenamedAway {
    /// The id the renamed agreement has at the tip (`None`: it was removed since).
    pub into: Option<String>,
    /// The id the rename gave it.
    pub to: String,
    /// The renaming commit.
    pub commit: ObjectId,
    /// Which nodes of the graph are the next holder's of the name: they descend from a file
    /// of that name made anew after the rename.
    taken: Vec<bool>,
    /// The texts the name held before the rename (the renamed agreement's), and after it.
    held_before: Vec<Oid>,
    held_after: Vec<Oid>,
}

/// Whose a positions-branch position under a renamed id is ([`RenamedAway::claims`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The renamed agreement's.
    Renamed,
    /// The next holder's of the name.
    Taken,
    /// Both held the text it names under that name (a file made anew from the renamed one's
    /// text): it is about both.
    Both,
    /// Neither held it (a draft that never reached this history): an objection is read as
    /// about both, any other position as the next holder's.
    Neither,
}

impl RenamedAway {
    /// Whether the rename is not in `base`'s history (a range from `base` made it).
    pub fn made_since(&self, graph: &Graph, base: ObjectId) -> bool {
        let reaches = graph.reaches(base);
        graph.find(&self.commit.into()).is_some_and(|i| !reaches[i as usize])
    }

    /// Whether a position made in `commit` (reachable in `graph`) under the old name is the
    /// renamed agreement's: it does not descend from a file of that name made anew after the
    /// rename.
    pub fn precedes(&self, graph: &Graph, commit: ObjectId) -> bool {
        graph.find(&commit.into()).is_some_and(|i| !self.taken[i as usize])
    }

    /// Whose a positions-branch position under the old name, on `revision`, is: by the text
    /// it names, when the name held that text only before the rename or only after it. Else
    /// (a new file started from the renamed one's text: [`Claim::Both`], or a text the name
    /// never held: [`Claim::Neither`]), its time cannot tell, since the renaming commit's date
    /// is its author's to choose (a rename dated years ahead would make every later position
    /// look older).
    pub fn claims(&self, revision: &str) -> Claim {
        let Ok(rev) = revision.parse::<ObjectId>() else { return Claim::Neither };
        let rev = Oid::from(rev);
        match (self.held_before.contains(&rev), self.held_after.contains(&rev)) {
            (true, false) => Claim::Renamed,
            (false, true) => Claim::Taken,
            (true, true) => Claim::Both,
            (false, false) => Claim::Neither,
        }
    }
}

/// Whether position `p` under an id whose file was renamed away (`away`, oldest first;
/// `named_here`: that id is at the tip) is agreement `id`'s. One reachable in `reachable`
/// (`None`: one on the positions branch) is the renamed agreement's unless it descends from a
/// file of the name made anew after the rename. One on the positions branch is the renamed
/// agreement's when it names a text the name held only before the rename. Else it is the next
/// holder's of the name (after the last rename, the agreement under that name now, or, the
/// name gone, the one the last rename went on in). A position on a text both held is about
/// both (its signer signed that very text of each; a file made anew from a template must not
/// take the renamed one's sign-offs away). An objection on a text neither held is about both,
/// unless what its party did next under that id on the positions branch (`later`: the party's
/// later positions there, [`Later::after`]; positions on texts neither held passed over) names
/// a text the name held only before the rename: then the party went on with the renamed
/// agreement (a withdraw there of an objection to drafts that never merged), and the objection
/// is the renamed one's alone. Any other position on a text neither held is the next holder's
/// (else a withdraw of an objection to a new agreement's draft would lift the renamed one's).
pub fn position_is(
    p: &Position,
    reachable: Option<&Graph>,
    named_here: bool,
    away: &[RenamedAway],
    id: &str,
    later: &[&Position],
) -> bool {
    for r in away {
        let mine = r.into.as_deref() == Some(id);
        let claim = match reachable {
            Some(g) if r.precedes(g, p.commit) => Claim::Renamed,
            Some(_) => Claim::Taken,
            None => r.claims(&p.trailers.revision),
        };
        match claim {
            Claim::Renamed => return mine,
            Claim::Both if mine => return true,
            Claim::Neither if p.trailers.stance == Stance::Object => {
                // `later` is newest first: the nearest is last.
                let next = later
                    .iter()
                    .rev()
                    .map(|q| r.claims(&q.trailers.revision))
                    .find(|c| *c != Claim::Neither);
                let settled = next == Some(Claim::Renamed);
                match (mine, settled) {
                    (true, _) => return true,
                    (false, true) => return false,
                    (false, false) => {}
                }
            }
            _ => {}
        }
    }
    match named_here {
        true => p.trailers.agreement == id,
        false => away.last().and_then(|r| r.into.as_deref()) == Some(id),
    }
}

/// Keep the positions of `list` (newest first) that `belongs` places with the agreement, given
/// each position and, on the positions branch (`on_branch`), what its party did next under the
/// same id ([`Later::after`]; nothing for positions reachable from the evaluated commit, which
/// descent places): what both [`super::Timeline`] and counting ask of [`position_is`].
pub fn retain_placed<P: std::borrow::Borrow<Position>>(
    list: &mut Vec<P>,
    on_branch: bool,
    mut belongs: impl FnMut(&Position, &[&Position]) -> Result<bool>,
) -> Result<()> {
    let later = on_branch.then(|| Later::of(list));
    let placed = list
        .iter()
        .enumerate()
        .map(|(k, p)| belongs(p.borrow(), later.as_ref().map_or(&[], |l| l.after(k))))
        .collect::<Result<Vec<bool>>>()?;
    drop(later);
    let mut placed = placed.into_iter();
    list.retain(|_| placed.next().unwrap_or(false));
    Ok(())
}

/// Each party's positions under each id, of positions-branch positions newest first: what
/// [`position_is`] reads of what a party did after a position.
struct Later<'p> {
    /// Each (party, id)'s positions, newest first.
    lists: Vec<Vec<&'p Position>>,
    /// For each position, its list and its place in it.
    at: Vec<(usize, usize)>,
}

impl<'p> Later<'p> {
    fn of<P: std::borrow::Borrow<Position>>(on: &'p [P]) -> Later<'p> {
        let mut index: std::collections::HashMap<(String, &str), usize> = Default::default();
        let mut lists: Vec<Vec<&Position>> = Vec::new();
        let mut at = Vec::with_capacity(on.len());
        for p in on {
            let p = p.borrow();
            let key = (crate::model::email_key(&p.trailers.email), p.trailers.agreement.as_str());
            let l = *index.entry(key).or_insert_with(|| {
                lists.push(Vec::new());
                lists.len() - 1
            });
            at.push((l, lists[l].len()));
            lists[l].push(p);
        }
        Later { lists, at }
    }

    /// The positions the party of the `k`th position took under the same id after it, newest
    /// first (the nearest last).
    fn after(&self, k: usize) -> &[&'p Position] {
        let (l, i) = self.at[k];
        &self.lists[l][..i]
    }
}
