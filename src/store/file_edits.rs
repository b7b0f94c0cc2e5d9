//! Every agreement file's edits along a [`Graph`], found in one pass over the folder-change
//! index for all agreements at once (SPEC §8: `status` pays once for what each agreement's
//! revision history needs, not once per agreement).
//!
//! An *edit* of a file is a commit where the file differs from every parent (a root, or the
//! edge of a shallow clone, where it appears), and a merge that keeps one parent's text over
//! another's when that text is not the one current just before the merge in SPEC §4's order
//! ([`brought_back`]). The folder-change index names the files a commit changed against its
//! first parent; a merge that keeps its first parent's text of a file (`merge -s ours`) is
//! found by comparing the folders at its parents, read only where the index says they may
//! differ. For a merge, the blob at the other parents is looked up in their trees.

use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;

use super::folder_index::{FileChange, FolderView};
use super::graph::Graph;
use super::Store;
use crate::core::counting::Lineage;
use crate::core::Meaning;
use crate::error::Result;
use crate::oid::ObjectId;

/// One edit of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileEdit {
    /// The node of the commit in the graph.
    pub node: u32,
    /// The blob after, `None` when the commit removed the file.
    pub blob: Option<Oid>,
    /// The blob at the first parent, `None` when the commit added the file.
    pub before: Option<Oid>,
}

/// Each file of the agreements folder, its edits newest first (one order over every file's
/// edits: SPEC §4's order with every edit of the folder interesting).
#[derive(Debug, Default)]
pub struct FolderEdits {
    pub by_file: HashMap<String, Vec<FileEdit>>,
    /// Nodes whose commit removed some file of the folder (where a rename may start).
    removes: std::collections::HashSet<u32>,
    /// For each file, the texts an edit (or a merge taking one parent's text) replaced at one
    /// of its parents, with the node: the text was current on that parent's line until then.
    displaced: HashMap<String, Vec<(u32, Oid)>>,
}

impl FolderEdits {
    /// The edits of `file` (a name in the folder), newest first.
    pub fn of(&self, file: &str) -> &[FileEdit] {
        self.by_file.get(file).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether `file`'s history may continue an older id (its first edit added it in a commit
    /// that also removed a file), or its file may have been renamed away (it was removed
    /// before its newest edit) and the name taken by a new agreement: then renames must be
    /// followed the slow way.
    pub fn may_be_renamed(&self, g: &Graph, file: &str) -> bool {
        let edits = self.of(file);
        edits.iter().skip(1).any(|e| e.blob.is_none())
            || edits.last().is_some_and(|first| {
                first.before.is_none()
                    && !g.nodes[first.node as usize].parents.is_empty()
                    && self.removes.contains(&first.node)
            })
    }

    /// Every blob `file` had in any commit of the graph, newest first, each once.
    pub fn blobs(&self, file: &str) -> Vec<Oid> {
        let mut out: Vec<Oid> = Vec::new();
        for b in self.of(file).iter().filter_map(|e| e.blob) {
            if !out.contains(&b) {
                out.push(b);
            }
        }
        out
    }

    /// The file's lineage as counting reads it ([`crate::core::counting`]), renames not
    /// followed; `meaning` gives each text's meaning.
    pub fn lineage(
        &self,
        g: &Graph,
        file: &str,
        mut meaning: impl FnMut(Oid) -> Result<Option<Meaning>>,
    ) -> Result<Lineage> {
        let mut edits = Vec::new();
        for e in self.of(file).iter().rev() {
            let text = match e.blob {
                Some(blob) => Some(meaning(blob)?),
                None => None,
            };
            edits.push((g.nodes[e.node as usize].time, text));
        }
        let mut displaced = Vec::new();
        for &(node, blob) in self.displaced.get(file).map(Vec::as_slice).unwrap_or(&[]) {
            displaced.push((displaced_at(g, node), meaning(blob)?));
        }
        Ok(Lineage::from_edits(&edits).displacing(&displaced))
    }
}

impl Store {
    /// Every text agreement `id`'s file had in any commit of `g`, newest first, each once
    /// (renames not followed).
    pub fn texts_along(&self, g: &Graph, id: &str) -> Result<Vec<ObjectId>> {
        let edits = self.folder_edits(g)?;
        Ok(edits.blobs(&format!("{id}.toml")).into_iter().map(ObjectId::from).collect())
    }

    /// [`Store::texts_along`] for `id`'s lineage: a file that first appeared by a rename
    /// (`git mv`, or a rename that also rewrote it) continues the older id's texts, and what
    /// the name held before the file was renamed away was another agreement's.
    pub fn lineage_texts_along(&self, g: &Graph, id: &str) -> Result<Vec<ObjectId>> {
        match self.folder_edits(g)?.may_be_renamed(g, &format!("{id}.toml")) {
            true => {
                let timeline = super::Timeline::lineage_texts(self, g, id)?;
                Ok(timeline.into_iter().rev().map(ObjectId::from).collect())
            }
            false => self.texts_along(g, id),
        }
    }

    /// Every agreement file's edits along `g`, computed once per graph.
    pub(super) fn folder_edits(&self, g: &Graph) -> Result<Arc<FolderEdits>> {
        if let Some(e) = g.edits.get() {
            return Ok(e.clone());
        }
        let view = self.folder_view(g)?;
        let t0 = std::time::Instant::now();
        let edits = Arc::new(self.find_edits(g, &view)?);
        super::trace(&format!("folder edits: {} files", edits.by_file.len()), t0);
        Ok(g.edits.get_or_init(|| edits).clone())
    }

    fn find_edits(&self, g: &Graph, view: &FolderView) -> Result<FolderEdits> {
        let mut out = FolderEdits::default();
        // Each file's edits newest first, with whether each is a merge that takes another
        // parent's text (decided at the end, when the order before it is known).
        let mut found: HashMap<String, Vec<(FileEdit, bool)>> = HashMap::new();
        let changed = |i: u32| view.entry_of.get(i as usize).is_some_and(|&e| e != u32::MAX);
        // Listings of parents' folders by root tree, for merges and for the edge of a shallow
        // history (where an entry lists the whole folder).
        let mut folders: HashMap<Oid, Vec<(String, Oid)>> = HashMap::new();
        let t0 = std::time::Instant::now();
        let kept = self.kept_over_others(g, view)?;
        super::trace(&format!("kept over others: {} merges", kept.len()), t0);
        for i in g.order_by(|i| changed(i) || kept.contains_key(&i)) {
            let node = &g.nodes[i as usize];
            for (name, blob, others) in kept.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
                let e = FileEdit { node: i, blob: *blob, before: *blob };
                found.entry(name.clone()).or_default().push((e, true));
                // What the other parents held stood on their lines until this merge.
                let list = out.displaced.entry(name.clone()).or_default();
                list.extend(others.iter().map(|&b| (i, b)));
            }
            if !changed(i) {
                continue;
            }
            let entry = &view.entries[view.entry_of[i as usize] as usize];
            let mut changes: Vec<FileChange> = entry.changes.clone();
            if entry.full && !node.parents.is_empty() {
                // A whole listing with parents present: what a parent had and this commit
                // lacks was removed here.
                for &p in &node.parents {
                    let listing = self.listing_at(&mut folders, g.nodes[p as usize].tree)?;
                    for (name, blob) in listing {
                        if !changes.iter().any(|c| c.name == *name) {
                            changes.push(FileChange {
                                name: name.clone(),
                                old: Some(*blob),
                                new: None,
                            });
                        }
                    }
                }
            }
            let mut replaced = Vec::new();
            for c in &changes {
                if c.new.is_none() {
                    out.removes.insert(i);
                }
                let mut edit = !(node.parents.is_empty() && c.new.is_none());
                let mut before = None;
                let mut differs = false;
                for (k, &p) in node.parents.iter().enumerate() {
                    let at_parent = if k == 0 && !entry.full {
                        c.old
                    } else {
                        let listing = self.listing_at(&mut folders, g.nodes[p as usize].tree)?;
                        listing.iter().find(|(n, _)| *n == c.name).map(|(_, b)| *b)
                    };
                    if k == 0 {
                        before = at_parent;
                    }
                    differs |= at_parent != c.new;
                    edit &= at_parent != c.new;
                    if let Some(old) = at_parent.filter(|&b| Some(b) != c.new) {
                        replaced.push(old);
                    }
                }
                // The same as some parent and not as another: which one it keeps is decided
                // once the order before it is known.
                let merge = !edit && node.parents.len() > 1 && differs;
                if edit || merge {
                    let e = FileEdit { node: i, blob: c.new, before };
                    found.entry(c.name.clone()).or_default().push((e, merge));
                    let list = out.displaced.entry(c.name.clone()).or_default();
                    list.extend(replaced.drain(..).map(|b| (i, b)));
                }
                replaced.clear();
            }
        }
        out.by_file = found
            .into_iter()
            .map(|(name, edits)| (name, brought_back(edits, |e| e.blob)))
            .collect();
        Ok(out)
    }

    /// The merges that keep their first parent's blob of some file where another parent has
    /// another (`merge -s ours`, or a merge resolved in its first parent's favour), with the
    /// files and the blobs they keep. The folder index compares each commit with its first
    /// parent only, so it names no such file; the folders at both parents are read where the
    /// index says they may differ (the newest commits with an entry along their first-parent
    /// chains are not the same one). Merges whose entry lists the whole folder are left to the
    /// caller, which compares every file with every parent.
    fn kept_over_others(&self, g: &Graph, view: &FolderView) -> Result<HashMap<u32, Vec<Kept>>> {
        let mut out = HashMap::new();
        let mut answered = Vec::new();
        let packs = self.packs();
        let mut objects = super::pack::Objects::new(&packs, self.repo.odb()?);
        let mut folders = Default::default();
        for (i, node) in g.nodes.iter().enumerate() {
            let [first, others @ ..] = node.parents.as_slice() else { continue };
            if others.is_empty() {
                continue;
            }
            let own = match view.entry_of[i] {
                u32::MAX => None,
                e if view.entries[e as usize].full => continue,
                e => Some(&view.entries[e as usize]),
            };
            let ours = view.answered_by(g, &mut answered, *first);
            let mut files: Vec<Kept> = Vec::new();
            for &p in others {
                if view.answered_by(g, &mut answered, p) == ours {
                    continue;
                }
                let (a, b) = (g.nodes[*first as usize].tree, g.nodes[p as usize].tree);
                for c in self.folder_diff(&mut objects, &mut folders, a, b)? {
                    if own.is_some_and(|e| e.find(&c.name).is_some()) {
                        continue;
                    }
                    match files.iter_mut().find(|(n, ..)| *n == c.name) {
                        Some((.., others)) => others.extend(c.new),
                        None => files.push((c.name, c.old, c.new.into_iter().collect())),
                    }
                }
            }
            if !files.is_empty() {
                out.insert(i as u32, files);
            }
        }
        Ok(out)
    }

    /// The listing of the folder in root tree `tree`, read once per run.
    fn listing_at<'m>(
        &self,
        folders: &'m mut HashMap<Oid, Vec<(String, Oid)>>,
        tree: Oid,
    ) -> Result<&'m Vec<(String, Oid)>> {
        Ok(match folders.entry(tree) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(self.folder_listing(tree)?),
        })
    }
}

/// A file a merge keeps from its first parent over another parent's: its name, its blob
/// there, and the other parents' blobs of it that differ.
type Kept = (String, Option<Oid>, Vec<Oid>);

/// When a text that node `i` replaced at a parent stopped being current there: the commit's
/// time, and no earlier than its parents' (a commit dated before its parent cannot end a
/// text's span before the positions made while it stood).
pub(super) fn displaced_at(g: &Graph, i: u32) -> i64 {
    let node = &g.nodes[i as usize];
    node.parents.iter().map(|&p| g.nodes[p as usize].time).fold(node.time, i64::max)
}

/// A file's edits, newest first, from candidates that are plain edits (`false`) and merges
/// that keep one parent's text over another's (`true`: whichever parent's, `merge -s ours`
/// keeping its first parent's). Such a merge is an edit when that text is not the one current
/// just before it in the order: it brings an older text back (a merge with an old commit of
/// the same history, or with a branch whose own edit came before the text it replaces), and
/// the text it replaces stood until then (SPEC §4: each revision is current until the commit
/// that replaced it). A merge of a branch whose edit is the newest before it changes nothing
/// and is left out, as `git log -- <file>` leaves it.
pub(super) fn brought_back<E, T: PartialEq>(
    newest_first: Vec<(E, bool)>,
    text: impl Fn(&E) -> T,
) -> Vec<E> {
    let mut current: Option<T> = None;
    let mut kept = Vec::with_capacity(newest_first.len());
    for (e, merge) in newest_first.into_iter().rev() {
        let t = text(&e);
        if merge && current.as_ref() == Some(&t) {
            continue;
        }
        current = Some(t);
        kept.push(e);
    }
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::store::commit_graph::tests::{git, git_with_input};

    fn write(d: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(d.join("agreements")).expect("mkdir");
        std::fs::write(d.join("agreements").join(file), text).expect("write");
    }

    fn commit(d: &Path, file: &str, text: &str) {
        write(d, file, text);
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", file]);
    }

    /// The edits of `file` found the slow way, as (commit, blob): the blob at every commit; an
    /// edit wherever it differs from every parent, and a merge taking another parent's blob
    /// where that blob is not the last edit's in the order of the commits that may be edits.
    fn reference(store: &Store, g: &Graph, file: &str) -> Vec<(Oid, Option<Oid>)> {
        let blobs = store.blobs_along(g, &format!("agreements/{file}")).expect("blobs");
        let edit = |i: usize| {
            let node = &g.nodes[i];
            match node.parents.is_empty() {
                true => blobs[i].is_some(),
                false => node.parents.iter().all(|&p| blobs[p as usize] != blobs[i]),
            }
        };
        let merge = |i: usize| {
            let parents = &g.nodes[i].parents;
            parents.len() > 1
                && parents.iter().any(|&p| blobs[p as usize] != blobs[i])
                && parents.iter().any(|&p| blobs[p as usize] == blobs[i])
        };
        let order = g.order_by(|i| edit(i as usize) || merge(i as usize));
        let candidates = order.into_iter().map(|i| (i, !edit(i as usize))).collect();
        let mut out: Vec<(Oid, Option<Oid>)> = brought_back(candidates, |&i| blobs[i as usize])
            .into_iter()
            .map(|i| (g.nodes[i as usize].id, blobs[i as usize]))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn one_pass_finds_what_each_file_history_finds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        write(d, "x.toml", "x1");
        commit(d, "y.toml", "y1");
        git(d, &["checkout", "-q", "-b", "side"]);
        commit(d, "x.toml", "x2");
        git(d, &["checkout", "-q", "main"]);
        commit(d, "x.toml", "x3");
        commit(d, "y.toml", "y2");
        // Takes the side's x: it differs from the first parent only, so it is not an edit.
        git(d, &["merge", "-q", "--no-ff", "-X", "theirs", "side", "-m", "theirs"]);
        git(d, &["checkout", "-q", "-b", "side2"]);
        commit(d, "x.toml", "x4");
        commit(d, "y.toml", "y3");
        git(d, &["checkout", "-q", "main"]);
        commit(d, "x.toml", "x5");
        // Neither side's x: an edit of the merge itself. y: main left it alone since side2
        // began, so the merge takes side2's y3, the newest text: no edit.
        git(d, &["merge", "-q", "--no-ff", "--no-commit", "-X", "ours", "side2"]);
        write(d, "x.toml", "x6");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "neither"]);
        // Back to x1 by a merge with the commit that wrote it, taking its text: x6 stood until
        // this merge, which is an edit though it differs from its first parent only.
        let root = git_with_input(d, &["rev-list", "--max-parents=0", "HEAD"], "");
        let root = root.trim();
        git(d, &["checkout", root, "--", "agreements/x.toml"]);
        let tree = git_with_input(d, &["write-tree"], "");
        let back = git_with_input(
            d,
            &["commit-tree", tree.trim(), "-p", "HEAD", "-p", root, "-m", "back"],
            "",
        );
        git(d, &["reset", "-q", "--hard", back.trim()]);
        // `-s ours` with a branch that wrote a newer x and y: both kept texts come back, in a
        // merge whose folder is its first parent's (the folder index has no entry for it).
        git(d, &["checkout", "-q", "-b", "side3"]);
        commit(d, "x.toml", "x7");
        commit(d, "y.toml", "y4");
        git(d, &["checkout", "-q", "main"]);
        git(d, &["merge", "-q", "--no-ff", "-s", "ours", "side3", "-m", "ours"]);
        // A rename, then a removal.
        git(d, &["mv", "agreements/y.toml", "agreements/z.toml"]);
        git(d, &["commit", "-q", "-m", "rename"]);
        git(d, &["rm", "-q", "agreements/x.toml"]);
        git(d, &["commit", "-q", "-m", "remove"]);

        let store = Store::open(Some(d)).expect("open");
        let head = store.head_required().expect("head");
        let g = store.graph(head).expect("graph");
        let edits = store.folder_edits(&g).expect("edits");
        for file in ["x.toml", "y.toml", "z.toml"] {
            let mut found: Vec<(Oid, Option<Oid>)> =
                edits.of(file).iter().map(|e| (g.nodes[e.node as usize].id, e.blob)).collect();
            found.sort();
            assert_eq!(found, reference(&store, &g, file), "{file}");
        }
        assert_eq!(
            edits.of("x.toml").len(),
            10,
            "x1 to x7, the merge back to x1, the `-s ours` merge and the removal; not the merge \
             taking x2 (x2 is the newest edit before it in the order: all commits share one \
             time, and ids decide)"
        );
        let x = edits.of("x.toml");
        assert!(x[0].blob.is_none(), "newest first: the removal");
        assert_eq!((x[1].blob, x[1].before), (x[9].blob, x[9].blob), "`-s ours` keeps x1");
        assert_eq!(x[3].blob, x[9].blob, "x1 again");
        let y = edits.of("y.toml");
        assert_eq!(y.len(), 6, "y1 to y4, the `-s ours` merge and the rename");
        assert_eq!((y[1].blob, y[1].before), (y[3].blob, y[3].blob), "`-s ours` keeps y3");
        assert!(edits.may_be_renamed(&g, "z.toml"));
        assert!(!edits.may_be_renamed(&g, "x.toml"));
        assert_eq!(edits.blobs("y.toml").len(), 4);
        // Every text a file had at some commit, as a walk of its path finds them (`verify`
        // asks this of every agreement).
        for id in ["x", "y", "z"] {
            let mut texts = store.texts_along(&g, id).expect("texts");
            texts.sort();
            let path = format!("agreements/{id}.toml");
            let along = store.blobs_along(&g, &path).expect("blobs along");
            let mut walked: Vec<ObjectId> =
                along.into_iter().flatten().map(ObjectId::from).collect();
            walked.sort();
            walked.dedup();
            assert_eq!(texts, walked, "{id}");
            assert!(!texts.is_empty(), "{id}");
        }
    }
}
