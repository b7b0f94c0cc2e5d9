//! What a range of commits did to each agreement (`review`): its change, semantic diff,
//! positions in the range and status at HEAD, with renames followed. Store → core glue; the
//! gate's wording is in `core::review` and the rendering in `render::review`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{
    evaluate_filtered, load_error, removed_after_ratified_retirement, supersessions_of_kept,
};
use crate::core::evaluate::Evaluation;
use crate::core::review::{self, FileChange};
use crate::diff;
use crate::error::Result;
use crate::ledger::Position;
use crate::model;
use crate::oid::ObjectId;
use crate::render::json::PositionView;
use crate::render::review::Review;
use crate::store::{Graph, RenamedAway, Store, Timeline};

/// One range under review.
pub struct Range<'a> {
    pub store: &'a Store,
    /// Where the two sides met: what was there before the range.
    pub merge_base: ObjectId,
    pub head: ObjectId,
    pub head_graph: &'a Graph,
    /// Positions taken in the range ([`Store::positions_in_range`]).
    pub in_range: &'a [Arc<Position>],
}

impl Range<'_> {
    /// Each agreement the range touched, and the ids it leaves unratified, removes without
    /// consent, or renames an agreement onto though an earlier agreement had them.
    #[allow(clippy::type_complexity)]
    pub fn review(
        &self,
        before: &BTreeMap<String, ObjectId>,
        after: &BTreeMap<String, ObjectId>,
        keep: &dyn Fn(&Position) -> bool,
    ) -> Result<(Vec<Review>, Vec<String>, Vec<String>, Vec<String>)> {
        let head = self.head;
        // A `git mv` in the range keeps the lineage: the old id is the new one's earlier name.
        let after_ids: Vec<String> = after.keys().cloned().collect();
        // The renames away the range made of each id at both ends (a new file taking the
        // name), found once.
        let mut away_since: BTreeMap<&str, Vec<RenamedAway>> = BTreeMap::new();
        for id in before.keys().filter(|id| after.contains_key(*id)) {
            let list: Vec<RenamedAway> = self
                .store
                .renamed_away(self.head_graph, id, &after_ids)?
                .into_iter()
                .filter(|r| r.made_since(self.head_graph, self.merge_base))
                .collect();
            if !list.is_empty() {
                away_since.insert(id, list);
            }
        }
        // Whether the agreement under `id` at BASE went on at HEAD under another id.
        let renamed_on =
            |id: &str| away_since.get(id).is_some_and(|l| l.iter().any(|r| r.into.is_some()));
        let mut renamed: BTreeMap<String, String> = BTreeMap::new(); // new id -> old id
        for id in before.keys().filter(|id| !after.contains_key(*id)) {
            if let Some(new) = self.store.renamed_into(self.head_graph, id, &after_ids)? {
                // Not onto an id that was there already: that agreement was removed (or
                // replaced), and is judged as such, and the renamed one as removed too. And
                // only when the new id's lineage, by which it is judged, holds the old one: a
                // file added beside the old one and the old one deleted later (which a merge
                // may show as one rename) is a new agreement and a removal.
                // (Onto an id whose agreement the range renamed away, where it goes on, is a
                // rename: onto an id used before, which the check below refuses by name.)
                let lineage = Timeline::lineage_ids(self.store, self.head_graph, &new)?;
                let free = !before.contains_key(&new) || renamed_on(&new);
                if free && lineage.contains(id) {
                    renamed.insert(new, id.clone());
                }
            }
        }
        // An id an earlier agreement had, removed before the range, is not taken again by a
        // rename: what was said of that agreement (its positions, and who supersedes it) would
        // bear on the renamed one, which no one agreed to.
        let mut reused = Vec::new();
        if !renamed.is_empty() {
            let base_graph = self.store.graph(self.merge_base)?;
            for new in renamed.keys() {
                let path = self.store.path_of(new);
                if !self.store.blobs_along(&base_graph, &path)?.iter().any(Option::is_some) {
                    continue;
                }
                // A rename back onto a name the agreement itself had (`git revert` of a
                // `git mv`): every earlier file under that name is its own.
                if !self.store.held_only_by(self.head_graph, &base_graph, new)? {
                    reused.push(new.clone());
                }
            }
        }
        // An id at both ends whose file the range renamed away, a new file taking the name:
        // the agreement that was at BASE went on under the new name. Where that name was
        // removed in the range too, the agreement was removed, and needs its consent like any
        // removal (judged under the name it last had); the new file under the old id is
        // judged as the new agreement it is.
        let mut removed_away = Vec::new();
        for (id, list) in &away_since {
            for r in list.iter().filter(|r| r.into.is_none()) {
                // The last agreement under the new name must be this one for its retirement
                // to count: another moved onto the freed name and retired says nothing of it.
                let last_there = Timeline::lineage_ids(self.store, self.head_graph, &r.to)?;
                let retired = last_there.iter().any(|x| x == id)
                    && removed_after_ratified_retirement(self.store, head, &r.to, keep)?;
                let said = format!("{id} (renamed to {}, then removed)", r.to);
                if !retired && !removed_away.contains(&said) {
                    removed_away.push(said);
                }
            }
        }
        // An id at both ends whose agreement the range renamed on to another id, now holding
        // a file renamed there from another agreement (`a` and `b` swapped through a scratch
        // name): a rename onto an id used before, as above.
        for id in away_since.keys().filter(|id| renamed_on(id)) {
            if reused.iter().any(|x| x == id) {
                continue;
            }
            let lineage = Timeline::lineage_ids(self.store, self.head_graph, id)?;
            if lineage.iter().any(|x| x != id) {
                reused.push(id.to_string());
            }
        }
        let ids: BTreeSet<String> = before
            .keys()
            .filter(|id| !renamed.values().any(|old| old == *id))
            .chain(after.keys())
            .cloned()
            .collect();
        // Positions in the range under an id an agreement had before a rename that happened
        // before BASE (a pull request signed under the old id, merged after the rename) are
        // that agreement's too: current id -> earlier ids.
        let mut earlier: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let orphans: BTreeSet<&String> = self
            .in_range
            .iter()
            .map(|p| &p.trailers.agreement)
            .filter(|a| !after.contains_key(*a) && !renamed.values().any(|old| old == *a))
            .collect();
        for orphan in orphans {
            if let Some(new) = self.store.renamed_into(self.head_graph, orphan, &after_ids)? {
                earlier.entry(new).or_default().push(orphan.clone());
            }
        }
        // What the range did to each agreement, and the positions it holds on it; an
        // agreement it neither changed nor took a position on is left out.
        let mut touched = Vec::new();
        for id in ids {
            let old = renamed.get(&id).cloned();
            let (b, a) = (before.get(old.as_ref().unwrap_or(&id)), after.get(&id));
            let positions: Vec<PositionView> = self
                .in_range
                .iter()
                .filter(|p| {
                    let named = &p.trailers.agreement;
                    (*named == id
                        || Some(named) == old.as_ref()
                        || earlier.get(&id).is_some_and(|e| e.contains(named)))
                        && keep(p)
                })
                .map(|p| PositionView::new(p))
                .collect();
            // A rename is shown even when the text stayed the same.
            let noted = !positions.is_empty() || old.is_some();
            if let Some(change) = review::classify(b, a, noted) {
                touched.push((id, old, b.copied(), a.copied(), positions, change));
            }
        }
        // Those still there at HEAD are judged in one evaluation (one history, one count of
        // the positions branch), the same answers as one at a time; should it fail, each is
        // judged on its own below, so that the error is the first failing agreement's.
        let at_head: Vec<String> = touched
            .iter()
            .filter(|(_, _, _, after, _, _)| after.is_some())
            .map(|(id, ..)| id.clone())
            .collect();
        // (No ids at all would mean every agreement.)
        let mut judged: BTreeMap<String, Evaluation> = match at_head.is_empty() {
            true => BTreeMap::new(),
            false => match evaluate_filtered(self.store, head, &at_head, keep) {
                Ok(all) => at_head.into_iter().zip(all).collect(),
                Err(_) => BTreeMap::new(),
            },
        };
        let mut reviews = Vec::new();
        let (mut unratified, mut removed) = (Vec::new(), removed_away);
        for (id, old, b, a, positions, change) in touched {
            let path = self.store.path_of(&id);
            let read = |blob: ObjectId| -> Result<model::Agreement> {
                let bytes = self.store.read_blob(blob)?.unwrap_or_default();
                model::parse(&bytes, &path).map_err(load_error)
            };
            let changes = match (b, a) {
                (Some(x), Some(y)) if x != y => diff::diff(&read(x)?, &read(y)?),
                _ => Vec::new(),
            };
            let status = match (a, judged.remove(&id)) {
                (Some(_), Some(e)) => Some(e),
                (Some(_), None) => {
                    evaluate_filtered(self.store, head, std::slice::from_ref(&id), keep)?.pop()
                }
                (None, _) => None,
            };
            // A removal needs consent: the last text was a ratified retirement, or a ratified
            // successor at HEAD supersedes it (SPEC §3, §4).
            // Renamed in the range, then removed under its last name: judged by what that
            // name held last, when that is this agreement (its lineage holds this id).
            let last_name = match change {
                FileChange::Removed => self.removed_under(&id, &after_ids)?,
                _ => None,
            };
            let (retired_first, superseded_by) = match change {
                FileChange::Removed => {
                    let judged = last_name.as_deref().unwrap_or(&id);
                    let retired =
                        removed_after_ratified_retirement(self.store, head, judged, keep)?;
                    let by: Vec<String> = match retired {
                        true => Vec::new(),
                        false => supersessions_of_kept(self.store, head, &id, keep)?
                            .get(&id)
                            .map(|v| v.iter().map(|s| s.id.clone()).collect())
                            .unwrap_or_default(),
                    };
                    (Some(retired || !by.is_empty()), by)
                }
                _ => (None, Vec::new()),
            };
            match review::blocks(change, status.as_ref().map(|s| s.ratified), retired_first) {
                Some(review::Block::Unratified) => unratified.push(id.clone()),
                Some(review::Block::Removed) => removed.push(match &last_name {
                    Some(last) => format!("{id} (renamed to {last}, then removed)"),
                    None => id.clone(),
                }),
                None => {}
            }
            reviews.push(Review {
                renamed_from: old,
                agreement: id,
                change,
                changes,
                positions,
                status,
                retired_first,
                superseded_by,
            });
        }
        Ok((reviews, unratified, removed, reused))
    }

    /// The name under which agreement `id` (at BASE, at no id of `after_ids`) was removed, when
    /// the range renamed it there first and that name's lineage holds it.
    fn removed_under(&self, id: &str, after_ids: &[String]) -> Result<Option<String>> {
        let graph = self.head_graph;
        let Some(last) = self.store.renamed_then_removed(graph, id, after_ids, self.merge_base)?
        else {
            return Ok(None);
        };
        let lineage = Timeline::lineage_ids(self.store, graph, &last)?;
        Ok(lineage.iter().any(|x| x == id).then_some(last))
    }
}
