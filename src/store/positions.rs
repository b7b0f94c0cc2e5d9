//! The positions branch (SPEC §4 "Where positions live"): writing a position as a commit on
//! `accord/positions` (or the branch `accord.toml` names) with a compare-and-swap, and reading
//! every position on the local branch and its remote-tracking copies in SPEC §4's order.
//!
//! A position commit there has the previous tip as its only parent (none for the first) and a
//! tree holding one file, `<id>.toml`: the exact text signed. Keeping the text in the commit's
//! own tree keeps it reachable after the pull request's branch is deleted and garbage-collected,
//! so the position stays judgeable by meaning forever.

use std::sync::Arc;
use std::time::{Duration, Instant};

use git2::{ErrorCode, Oid};

use super::{CommitKind, Graph, Ident, SignFn, Store};
use crate::error::{Error, Result};
use crate::ledger::Position;
use crate::oid::ObjectId;
use crate::signing::SignConfig;

/// The positions branch unless `accord.toml` names another.
pub const DEFAULT_BRANCH: &str = "accord/positions";

/// Whether `name` can name the positions branch (`refs/heads/<name>` is a valid ref name).
pub fn valid_branch_name(name: &str) -> bool {
    // As `git check-ref-format --branch`: no leading `-`, and not `HEAD`, which every git
    // command would then find ambiguous (and whose remote-tracking copy is `origin/HEAD`).
    !name.is_empty()
        && !name.starts_with('-')
        && name != "HEAD"
        && git2::Reference::is_valid_name(&format!("refs/heads/{name}"))
}

impl Store {
    /// The name of the positions branch: `positions_branch` in `accord.toml` (working tree; in a
    /// bare repository HEAD), else `accord/positions`.
    pub fn positions_branch(&self) -> &str {
        self.config.positions_branch_name()
    }

    /// The local positions branch's tip, if it exists.
    pub fn positions_tip(&self, branch: &str) -> Result<Option<ObjectId>> {
        match self.repo.refname_to_id(&format!("refs/heads/{branch}")) {
            Ok(id) => Ok(Some(id.into())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every ref that holds positions: the local branch and `refs/remotes/*/<branch>`.
    pub fn positions_refs(&self, branch: &str) -> Result<Vec<(String, ObjectId)>> {
        let mut out = Vec::new();
        let odb = self.repo.odb()?;
        let local = format!("refs/heads/{branch}");
        let suffix = format!("/{branch}");
        for r in self.repo.references()? {
            let r = r?;
            let Some(name) = r.name() else { continue };
            let wanted = name == local
                || name
                    .strip_prefix("refs/remotes/")
                    .and_then(|rest| rest.strip_suffix(&suffix))
                    .is_some_and(|remote| !remote.is_empty() && !remote.contains('/'));
            if !wanted {
                continue;
            }
            // The id the ref names, without parsing the commit: libgit2 refuses commits git
            // reads (an author line without an email), and a tip it cannot parse must not hide
            // the positions under it. Only an annotated tag is peeled.
            let target = r.resolve().ok().and_then(|r| r.target());
            let Some(target) = target else { continue };
            let kind = odb.read_header(target).map(|(_, k)| k);
            match kind {
                Ok(git2::ObjectType::Commit) => out.push((name.to_string(), target.into())),
                Ok(git2::ObjectType::Tag) => {
                    if let Ok(commit) = r.peel_to_commit() {
                        out.push((name.to_string(), commit.id().into()));
                    }
                }
                _ => {}
            }
        }
        out.sort();
        Ok(out)
    }

    /// The commits on the positions branch and its remote-tracking copies (those `held` does
    /// not hold: its history judges them) that carry `Accord-` trailers without being a
    /// position, with the reason: trailers that do not make a position, or a merge (merges
    /// there only join histories). For `verify`, which reports them; every other command
    /// passes them by. Commits are read as git reads them, not through libgit2's full parse or
    /// walk, which refuse commits git accepts (an author line without an email) and would stop
    /// at one anywhere on the branch.
    pub fn branch_non_positions(
        &self,
        branch: &str,
        held: &Graph,
    ) -> Result<Vec<(ObjectId, String)>> {
        // Through accord's pack reader: libgit2 maps the pack, and every page it touches for
        // the branch's commits, spread over a million-commit pack, stayed the process's memory
        // (`verify` rose by 350 MB here).
        let packs = self.packs();
        let mut objects = super::pack::Objects::new(&packs, self.repo.odb()?);
        let mut out = Vec::new();
        let mut stack: Vec<Oid> =
            self.positions_refs(branch)?.into_iter().map(|(_, tip)| tip.into()).collect();
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if held.contains(&id) || !seen.insert(id) {
                continue;
            }
            let data = match objects.read(id)? {
                Some((_, data)) => data,
                // Missing: libgit2's own error says so.
                None => self.repo.odb()?.read(id)?.data().to_vec(),
            };
            let commit = super::raw_commit::parse_commit(&data);
            stack.extend(&commit.parents);
            if !crate::trailers::mentions_accord(commit.message) {
                continue;
            }
            let why = match crate::trailers::parse(&String::from_utf8_lossy(commit.message)) {
                crate::trailers::Parsed::None => continue,
                crate::trailers::Parsed::Malformed(why) => format!("not a position: {why}"),
                crate::trailers::Parsed::Position(_) if commit.parents.len() > 1 => {
                    "not a position: a merge commit (on the positions branch merges only join histories)".to_string()
                }
                crate::trailers::Parsed::Position(_) => continue,
            };
            out.push((id.into(), why));
        }
        Ok(out)
    }

    /// Every position on the positions branch and its remote-tracking copies that is not
    /// reachable from `hide` (those are judged by the working-branch rule), newest first in
    /// SPEC §4's order. A commit with at most one parent whose final trailer block is a
    /// position is one, whatever its tree; merge commits only join histories.
    pub fn branch_positions(
        &self,
        branch: &str,
        hide: Option<ObjectId>,
    ) -> Result<Vec<Arc<Position>>> {
        let mut tips: Vec<Oid> =
            self.positions_refs(branch)?.into_iter().map(|(_, t)| Oid::from(t)).collect();
        if tips.is_empty() {
            return Ok(Vec::new());
        }
        tips.sort();
        tips.dedup();
        self.branch_positions_cached(branch, &tips, hide.map(Oid::from))
    }

    /// Record a position on the positions branch: a commit whose parent is the branch's tip
    /// (none when the branch does not exist yet) and whose tree holds the signed text as
    /// `<id>.toml`, then move the branch with a compare-and-swap, retrying for up to 10 s while
    /// it moves or its lock is held. HEAD, the index and the working tree are untouched.
    #[allow(clippy::too_many_arguments)]
    pub fn append_position(
        &self,
        branch: &str,
        id: &str,
        revision: ObjectId,
        author: &Ident,
        committer: &Ident,
        message: &str,
        sign: Option<&SignFn<'_>>,
    ) -> Result<ObjectId> {
        let refname = format!("refs/heads/{branch}");
        self.refuse_checked_out(&refname)?;
        let reflog = message.lines().next().unwrap_or("accord: position");
        let mut builder = self.repo.treebuilder(None)?;
        builder.insert(format!("{id}.toml"), revision.into(), 0o100644)?;
        let tree = self.repo.find_tree(builder.write()?)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut delay = Duration::from_millis(2);
        loop {
            let old = match self.repo.refname_to_id(&refname) {
                Ok(o) => Some(o),
                Err(e) if e.code() == ErrorCode::NotFound => None,
                Err(e) => return Err(e.into()),
            };
            let parents: Vec<Oid> = old.into_iter().collect();
            let new = self.create_commit(&tree, &parents, author, committer, message, sign)?;
            let result = match old {
                Some(old) => self.repo.reference_matching(&refname, new, true, old, reflog),
                // A new branch: refuse to overwrite one created meanwhile, then retry on top.
                // Not `reference(.., force = false)`: libgit2 checks that the ref is absent
                // before it takes the ref's lock, so two processes creating it at once are both
                // told they did, and the later one silently overwrites the other's position.
                // The zero id as the expected old value is checked under the lock.
                None => self.repo.reference_matching(&refname, new, true, Oid::zero(), reflog),
            };
            match result {
                Ok(_) => return Ok(new.into()),
                Err(e)
                    if matches!(
                        e.code(),
                        ErrorCode::Modified | ErrorCode::Locked | ErrorCode::Exists
                    ) =>
                {
                    if Instant::now() >= deadline {
                        let lock = self.repo.path().join(format!("{refname}.lock"));
                        return Err(Error::new(format!(
                            "cannot lock ref '{refname}': '{}' exists or the branch keeps moving",
                            lock.display()
                        ))
                        .hint("another git process seems to be running; if none is, remove the lock file"));
                    }
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_millis(50));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Refuse to move `refname` while a working tree has it checked out (this one or a linked
    /// worktree, as `git branch -f` refuses): its HEAD, index and files would no longer agree.
    /// The positions branch is never the checked-out branch (SPEC §4).
    pub(super) fn refuse_checked_out(&self, refname: &str) -> Result<()> {
        if self.repo.is_bare() {
            return Ok(());
        }
        let common = self.repo.commondir().to_path_buf();
        let mut heads = vec![(common.join("HEAD"), common.parent().map(|p| p.to_path_buf()))];
        if let Ok(dirs) = std::fs::read_dir(common.join("worktrees")) {
            for d in dirs.flatten() {
                let gitdir = std::fs::read_to_string(d.path().join("gitdir")).ok();
                let at = gitdir
                    .map(|g| std::path::PathBuf::from(g.trim()))
                    .and_then(|g| g.parent().map(|p| p.to_path_buf()));
                heads.push((d.path().join("HEAD"), at));
            }
        }
        for (head, at) in heads {
            let Ok(text) = std::fs::read_to_string(&head) else { continue };
            if text.trim().strip_prefix("ref:").map(str::trim) == Some(refname) {
                let branch = refname.strip_prefix("refs/heads/").unwrap_or(refname);
                let place = at.map_or_else(String::new, |p| format!(" in {}", p.display()));
                return Err(Error::new(format!(
                    "the positions branch `{branch}` is checked out{place}: recording a position there would change that working tree's files"
                ))
                .hint("positions go on a branch of their own: check out another branch there, or set `positions_branch` in accord.toml to a branch nobody checks out (the default is accord/positions)"));
            }
        }
        Ok(())
    }

    /// Write (and, when `sign` is given, sign) a commit object; moves no ref.
    pub(super) fn create_commit(
        &self,
        tree: &git2::Tree<'_>,
        parents: &[Oid],
        author: &Ident,
        committer: &Ident,
        message: &str,
        sign: Option<&SignFn<'_>>,
    ) -> Result<Oid> {
        let sig = |i: &Ident| -> Result<git2::Signature<'static>> {
            Ok(match i.when {
                Some((t, off)) => {
                    git2::Signature::new(&i.name, &i.email, &git2::Time::new(t, off))?
                }
                None => git2::Signature::now(&i.name, &i.email)?,
            })
        };
        let (a, c) = (sig(author)?, sig(committer)?);
        // The parents are written in by hand after the tree line: libgit2 would parse each
        // parent commit, and it refuses some that git accepts (an author without an email), so
        // one such commit on the positions branch would stop everyone from signing on top.
        let buf = self.repo.commit_create_buffer(&a, &c, message, tree, &[])?;
        let after_tree = buf.iter().position(|&b| b == b'\n').map_or(buf.len(), |i| i + 1);
        let mut raw = buf[..after_tree].to_vec();
        for parent in parents {
            raw.extend_from_slice(format!("parent {parent}\n").as_bytes());
        }
        raw.extend_from_slice(&buf[after_tree..]);
        match sign {
            None => Ok(self.repo.odb()?.write(git2::ObjectType::Commit, &raw)?),
            Some(sign) => {
                let text = std::str::from_utf8(&raw)
                    .map_err(|_| Error::new("commit buffer is not UTF-8"))?;
                let signature = sign(&raw)?;
                Ok(self.repo.commit_signed(text, &signature, None)?)
            }
        }
    }

    /// Positions taken in a range (`review`): reachable from `head_graph`'s tip but not from
    /// `merge_base`, and those on the positions branch made since the merge base was committed.
    pub fn positions_in_range(
        &self,
        head_graph: &Graph,
        merge_base: ObjectId,
    ) -> Result<Vec<Arc<Position>>> {
        let trusted = self.trusted(merge_base)?;
        let mut out: Vec<Arc<Position>> = head_graph
            .order(|n| matches!(n.accord, CommitKind::Position(_)) && !trusted.holds(n))
            .into_iter()
            .filter_map(|i| match &head_graph.nodes[i as usize].accord {
                CommitKind::Position(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let since = trusted.base_time;
        let head = head_graph.nodes.first().map(|n| ObjectId::from(n.id));
        let branch = self.branch_positions(self.positions_branch(), head)?;
        out.extend(branch.into_iter().filter(|p| p.time >= since));
        Ok(out)
    }

    /// Record a position on the positions branch, signed when `sign` says how.
    pub fn record_on_branch(
        &self,
        branch: &str,
        w: &PositionWrite<'_>,
        message: &str,
        sign: Option<&SignConfig>,
    ) -> Result<ObjectId> {
        let sign_fn = |payload: &[u8]| signed(sign, payload);
        let f: Option<&SignFn<'_>> = sign.map(|_| &sign_fn as _);
        self.append_position(branch, w.id, w.revision, w.author, w.committer, message, f)
    }

    /// Record a position on the current branch (`--here`): an empty commit on HEAD. When the
    /// branch moved meanwhile, the position still binds to the revision the party saw, so it is
    /// refused if the agreement at `path` itself changed since `head`.
    pub fn record_here(
        &self,
        head: ObjectId,
        path: &str,
        w: &PositionWrite<'_>,
        message: &str,
        sign: Option<&SignConfig>,
    ) -> Result<ObjectId> {
        let sign_fn = |payload: &[u8]| signed(sign, payload);
        let f: Option<&SignFn<'_>> = sign.map(|_| &sign_fn as _);
        let reflog = message.lines().next().unwrap_or("accord: position").to_string();
        self.append_empty_commit(&reflog, |parent| {
            if parent != head {
                let now = self.blob_at(parent, path)?.map(|(b, _)| b);
                if now != Some(w.revision) {
                    return Err(Error::new(format!(
                        "{path} changed on the branch while recording"
                    ))
                    .hint("read the new text, then take your position again"));
                }
            }
            self.write_commit(parent, w.author, w.committer, message, f)
        })
    }
}

/// Who records a position on which text.
pub struct PositionWrite<'a> {
    pub id: &'a str,
    pub revision: ObjectId,
    pub author: &'a Ident,
    pub committer: &'a Ident,
}

/// The armoured signature of a commit buffer, as git would make it.
fn signed(sign: Option<&SignConfig>, payload: &[u8]) -> Result<String> {
    let Some(cfg) = sign else { return Err(Error::new("no signing configuration")) };
    crate::signing::sign(cfg, payload).map_err(|e| {
        Error::new(format!("cannot sign the position commit: {e}"))
            .hint("check user.signingkey and gpg.format, or pass --no-gpg-sign")
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use super::*;

    /// Several writers creating the positions branch at the same moment all land, one on top
    /// of another. libgit2's "create unless it exists" checks before it takes the ref's lock:
    /// with it, two first positions were both written and one overwrote the other (a sign
    /// lost now and then in a concurrent test).
    #[test]
    fn writers_creating_the_branch_at_once_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let blob: ObjectId = repo.blob(b"title = \"t\"\n").unwrap().into();
        const WRITERS: usize = 6;
        for trial in 0..60 {
            let branch = format!("accord/p{trial}");
            let barrier = Arc::new(Barrier::new(WRITERS));
            let threads: Vec<_> = (0..WRITERS)
                .map(|i| {
                    let (dir, branch, barrier) =
                        (dir.path().to_path_buf(), branch.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        let store = Store::open(Some(&dir)).unwrap();
                        let who =
                            Ident { name: format!("P{i}"), email: format!("p{i}@x"), when: None };
                        let message = format!("accord: sign a{i}\n\nAccord-Position: sign\n");
                        barrier.wait();
                        store.append_position(&branch, "a", blob, &who, &who, &message, None)
                    })
                })
                .collect();
            let written: Vec<ObjectId> =
                threads.into_iter().map(|t| t.join().unwrap().unwrap()).collect();
            let mut walk = repo.revwalk().unwrap();
            walk.push_ref(&format!("refs/heads/{branch}")).unwrap();
            let on_branch: Vec<ObjectId> = walk.map(|c| c.unwrap().into()).collect();
            for w in &written {
                assert!(
                    on_branch.contains(w),
                    "trial {trial}: {w} was told it landed, and is lost"
                );
            }
            assert_eq!(on_branch.len(), WRITERS, "trial {trial}");
        }
    }
}
