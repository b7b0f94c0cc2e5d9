//! `accord sync` (SPEC §4): publish and collect positions. Fetch the remote's positions branch,
//! join it with the local one — a fast-forward or a merge commit, never a rebase, so every
//! position keeps its id and its signature — push, and start again when the push is rejected
//! because someone else pushed first. Network work runs the `git` program (git2 is built
//! without network support), so credentials, SSH and URLs work exactly as for `git push`.

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use git2::{ErrorCode, Oid};

use super::process::run_program;
use super::{Ident, SignFn, Store};
use crate::error::{Error, Result};

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub remote: String,
    pub branch: String,
    /// Positions that came in from the remote.
    pub received: usize,
    /// Positions the remote did not have before the push.
    pub sent: usize,
    /// Whether the join needed a merge commit.
    pub merged: bool,
    /// Pushes rejected because someone else pushed first.
    pub retries: usize,
}

/// How far the local positions branch is from a remote's copy of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub remote: String,
    /// Positions recorded here and not yet on the remote.
    pub ahead: usize,
    /// Positions fetched from the remote and not yet joined here.
    pub behind: usize,
}

/// How long `sync` keeps retrying a rejected push.
const RETRY_FOR: Duration = Duration::from_secs(120);

/// How long a ref's lock held by another process is waited for (SPEC §4: 10 s).
const LOCK_WAIT: Duration = Duration::from_secs(10);

impl Store {
    /// The remote `sync` uses when none is named: the current branch's upstream remote, else
    /// `origin`, else the only remote.
    pub fn default_remote(&self) -> Result<Option<String>> {
        if let Ok(head) = self.repo.head() {
            if let Some(name) = head.name() {
                if let Ok(buf) = self.repo.branch_upstream_remote(name) {
                    // `.` is the repository itself (a branch tracking a local branch).
                    if let Some(r) = buf.as_str().filter(|r| self.repo.find_remote(r).is_ok()) {
                        return Ok(Some(r.to_string()));
                    }
                }
            }
        }
        let remotes = self.repo.remotes()?;
        let names: Vec<&str> = remotes.iter().flatten().collect();
        if names.contains(&"origin") {
            return Ok(Some("origin".into()));
        }
        Ok(match names.as_slice() {
            [one] => Some((*one).to_string()),
            _ => None,
        })
    }

    /// Names of the configured remotes.
    pub fn remotes(&self) -> Result<Vec<String>> {
        Ok(self.repo.remotes()?.iter().flatten().map(str::to_string).collect())
    }

    /// Run `git` in this repository.
    fn git(&self, args: &[&str]) -> Result<std::process::Output> {
        let dir = self.workdir().unwrap_or(self.git_dir()).to_path_buf();
        let mut argv: Vec<&OsStr> = vec!["-C".as_ref(), dir.as_os_str()];
        argv.extend(args.iter().map(OsStr::new));
        run_program("git".as_ref(), &argv, &[], &[])
    }

    fn ref_id(&self, name: &str) -> Result<Option<Oid>> {
        match self.repo.refname_to_id(name) {
            Ok(id) => Ok(Some(id)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Positions in `from` that `not_in` lacks (commits with a position's trailer block count;
    /// merge commits and other commits do not).
    fn positions_between(&self, from: Option<Oid>, not_in: Option<Oid>) -> Result<usize> {
        let Some(from) = from else { return Ok(0) };
        let mut walk = self.repo.revwalk()?;
        walk.push(from)?;
        if let Some(n) = not_in {
            walk.hide(n)?;
        }
        let mut count = 0;
        for id in walk {
            let commit = self.repo.find_commit(id?)?;
            // A position: at most one parent and a position's trailer block (other commits a
            // remote's branch may hold are not counted as received or sent).
            let message = String::from_utf8_lossy(commit.message_bytes());
            if commit.parent_count() <= 1
                && matches!(crate::trailers::parse(&message), crate::trailers::Parsed::Position(_))
            {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Whether this repository keeps `remote`'s branches as its own, so that there is no
    /// remote-tracking copy of `branch` to compare with: a mirror (`remote.<name>.mirror`, as
    /// `git clone --mirror` sets it), or a remote with no fetch refspec (`git clone --bare`)
    /// before any `accord sync` made that copy.
    pub fn keeps_remote_branches_as_its_own(&self, remote: &str, branch: &str) -> Result<bool> {
        if self.config_bool(&format!("remote.{remote}.mirror")).unwrap_or(false) {
            return Ok(true);
        }
        if self.ref_id(&format!("refs/remotes/{remote}/{branch}"))?.is_some() {
            return Ok(false);
        }
        Ok(self.repo.find_remote(remote)?.fetch_refspecs()?.is_empty())
    }

    /// How the local positions branch stands against `remote`'s copy (as last fetched).
    pub fn sync_state(&self, branch: &str, remote: &str) -> Result<SyncState> {
        let local = self.ref_id(&format!("refs/heads/{branch}"))?;
        let theirs = self.ref_id(&format!("refs/remotes/{remote}/{branch}"))?;
        Ok(SyncState {
            remote: remote.to_string(),
            ahead: self.positions_between(local, theirs)?,
            behind: self.positions_between(theirs, local)?,
        })
    }

    /// Fetch, join, push; again while the push is rejected because the remote moved.
    pub fn sync(&self, remote: &str, branch: &str) -> Result<SyncReport> {
        // git itself refuses such a name (`git remote add`); handed to `git fetch`, it would
        // be read as an option (`--upload-pack=…` runs a command).
        if remote.starts_with('-') {
            return Err(Error::new(format!("`{remote}` is not a valid remote name"))
                .hint("a remote name never starts with `-`: rename it with `git remote rename`"));
        }
        if !self.remotes()?.iter().any(|r| r == remote) {
            return Err(Error::new(format!("no remote `{remote}`"))
                .hint("add one with `git remote add origin <url>`, or name another"));
        }
        let local_ref = format!("refs/heads/{branch}");
        let tracking = format!("refs/remotes/{remote}/{branch}");
        let mut report = SyncReport {
            remote: remote.to_string(),
            branch: branch.to_string(),
            received: 0,
            sent: 0,
            merged: false,
            retries: 0,
        };
        self.refuse_checked_out(&local_ref)?;
        // A ref where the remote-tracking copy's folder goes (`origin/accord`, a branch deleted
        // there long ago and never pruned here): the copy could not be written after the
        // push, so it is found before anything is fetched or pushed.
        for (slash, _) in branch.match_indices('/') {
            let prefix = format!("refs/remotes/{remote}/{}", &branch[..slash]);
            if self.ref_id(&prefix)?.is_some() {
                return Err(Error::new(format!(
                    "the remote-tracking branch {} is in the way of {tracking}",
                    prefix.trim_start_matches("refs/remotes/")
                ))
                .hint(format!("an old remote-tracking branch: `git remote prune {remote}` removes it (or `git update-ref -d {prefix}`); nothing was changed")));
            }
        }
        let deadline = Instant::now() + RETRY_FOR;
        let mut locked_since: Option<Instant> = None;
        let mut delay = Duration::from_millis(50);
        let start = self.ref_id(&local_ref)?;
        loop {
            // What the remote-tracking copy held before this fetch: the fetch forces it to
            // the remote's tip, which may have lost positions (a branch rewound there).
            let held = self.ref_id(&tracking)?;
            if !self.fetch(remote, branch, &tracking)? {
                // The remote has no such branch (new, or deleted there): an old copy of it
                // here says nothing about the remote. What it holds is joined first, so that
                // nothing is lost, then it goes, and the push below creates the branch.
                if let Some(stale) = self.ref_id(&tracking)? {
                    let (_, merged, _) = self.join_now(&local_ref, Some(stale), remote)?;
                    report.merged |= merged;
                    self.repo.find_reference(&tracking)?.delete()?;
                }
            }
            let theirs = self.ref_id(&tracking)?;
            // A copy the remote's branch no longer holds (rewound, or rewritten there): its
            // positions counted here, so they are joined too, and the push below restores them.
            if let (Some(held), Some(now)) = (held, theirs) {
                if held != now && !self.repo.graph_descendant_of(now, held)? {
                    let (_, merged, _) = self.join_now(&local_ref, Some(held), remote)?;
                    report.merged |= merged;
                }
            }
            // Counted against where the branch started, not added up over the rounds.
            report.received = self.positions_between(theirs, start)?;
            // Another process moving the branch (a `sign` in this clone) holds its lock for a
            // moment, or moves it under the join: waited for, and joined again.
            let (joined, merged, before) = self.join_now(&local_ref, theirs, remote)?;
            report.merged |= merged;
            let Some(joined) = joined else { return Ok(report) }; // nothing on either side
            if Some(joined) == theirs {
                return Ok(report); // the remote has everything already
            }
            let sent = self.positions_between(Some(joined), theirs)?;
            let spec = format!("{local_ref}:{local_ref}");
            let out = self.git(&["push", "--porcelain", "--end-of-options", remote, &spec])?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.success() {
                report.sent += sent;
                // Remember what the remote now has, as `git push` does, unless git did
                // (with a fetch refspec it records the tip it pushed, which may be newer:
                // a `sign` here since the join).
                let _ = self.repo.reference_matching(
                    &tracking,
                    joined,
                    true,
                    theirs.unwrap_or_else(Oid::zero),
                    "accord sync: pushed",
                );
                return Ok(report);
            }
            // A lock on the remote's branch is held for a moment by another push; one that
            // stays is stale, and waiting longer than a position waits for a lock here would
            // only hide it.
            let locked = is_locked(&stdout, &stderr);
            let locked_for = match locked {
                true => locked_since.get_or_insert_with(Instant::now).elapsed(),
                false => {
                    locked_since = None;
                    Duration::ZERO
                }
            };
            if locked && locked_for >= LOCK_WAIT {
                return Err(Error::new(format!(
                    "git push {remote} {branch} failed: {}",
                    first_lines(&stderr, &stdout)
                ))
                .hint("the remote's branch stayed locked: if no push is running there, remove the lock file git names on the remote; your positions are kept on the local branch"));
            }
            if !is_race(&stdout, &stderr) || Instant::now() >= deadline {
                return Err(Error::new(format!(
                    "git push {remote} {branch} failed: {}",
                    first_lines(&stderr, &stdout)
                ))
                .hint("your positions are kept on the local branch; fix the problem and run `accord sync` again"));
            }
            report.retries += 1;
            // The join was never published: go back to our own tip (unless the branch moved
            // meanwhile), so that the next round makes one merge with the remote's new tip
            // rather than a merge on top of this one.
            if let (true, Some(own)) = (merged, before) {
                let _ = self.repo.reference_matching(
                    &local_ref,
                    own,
                    true,
                    joined,
                    "accord sync: retry",
                );
            }
            // Someone pushed first: back off a little (spread out by process id), then again.
            let jitter = Duration::from_millis(u64::from(std::process::id() % 97));
            std::thread::sleep(delay + jitter);
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    /// `git fetch` the remote's positions branch into its remote-tracking ref: `Ok(false)` when
    /// the remote does not have the branch (not an error: the first sync creates it).
    fn fetch(&self, remote: &str, branch: &str, tracking: &str) -> Result<bool> {
        let spec = format!("+refs/heads/{branch}:{tracking}");
        let deadline = Instant::now() + LOCK_WAIT;
        let (out, stderr) = loop {
            let out =
                self.git(&["fetch", "--quiet", "--no-tags", "--end-of-options", remote, &spec])?;
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            // A second `sync` here fetching into the same ref at the same moment. A ref in the
            // way (a remote branch `accord` long deleted there, never pruned here) is no lock.
            if out.status.success()
                || !stderr.contains("cannot lock ref")
                || stderr.contains("exists; cannot create")
            {
                break (out, stderr);
            }
            if Instant::now() >= deadline {
                return Err(Error::new(format!("git fetch {remote} failed: {}", first_lines(&stderr, "")))
                    .hint("another git process in this repository holds the ref; try again when it is done"));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        if out.status.success() {
            return Ok(true);
        }
        if stderr.contains("couldn't find remote ref")
            || stderr.contains("could not find remote ref")
        {
            return Ok(false);
        }
        if stderr.contains("exists; cannot create") {
            return Err(Error::new(format!("git fetch {remote} failed: {}", first_lines(&stderr, "")))
                .hint(format!("an old remote-tracking branch is in the way: `git remote prune {remote}` removes it; nothing was changed locally")));
        }
        Err(Error::new(format!("git fetch {remote} failed: {}", first_lines(&stderr, "")))
            .hint("check the remote's URL and your access (`git fetch` says the same); nothing was changed locally"))
    }

    /// Wait while another process holds `refname`'s lock file, for up to [`LOCK_WAIT`]; then
    /// fail naming the lock file, as git does.
    fn wait_for_lock(&self, refname: &str) -> Result<()> {
        let lock = self.repo.commondir().join(format!("{refname}.lock"));
        let deadline = Instant::now() + LOCK_WAIT;
        while lock.exists() {
            if Instant::now() >= deadline {
                return Err(Error::new(format!(
                    "cannot lock ref '{refname}': '{}' exists",
                    lock.display()
                ))
                .hint(
                    "another git process seems to be running; if none is, remove the lock file",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Join the remote's positions into the local branch: create it, fast-forward it, or add a
    /// merge commit whose parents are both tips (never a rebase). Returns the joined tip and
    /// whether a merge commit was made.
    fn join(
        &self,
        local_ref: &str,
        ours: Option<Oid>,
        theirs: Option<Oid>,
        remote: &str,
    ) -> Result<Option<(Option<Oid>, bool)>> {
        // A branch that moved since `ours` was read, or is being moved (a `sign` here): `None`,
        // to join again.
        let moved = |r: std::result::Result<git2::Reference<'_>, git2::Error>| match r {
            Ok(_) => Ok(false),
            Err(e)
                if matches!(
                    e.code(),
                    ErrorCode::Modified | ErrorCode::Exists | ErrorCode::Locked
                ) =>
            {
                Ok(true)
            }
            Err(e) => Err(Error::from(e)),
        };
        let (ours, theirs) = match (ours, theirs) {
            (None, None) => return Ok(Some((None, false))),
            (Some(o), None) => return Ok(Some((Some(o), false))),
            (None, Some(t)) => {
                // Created only if still absent, checked under the ref's lock (the zero id):
                // `reference(.., force = false)` checks before locking, and would overwrite a
                // first position a `sign` here writes at the same moment.
                let r = self.repo.reference_matching(
                    local_ref,
                    t,
                    true,
                    Oid::zero(),
                    "accord sync: fetched",
                );
                if moved(r)? {
                    return Ok(None);
                }
                return Ok(Some((Some(t), false)));
            }
            (Some(o), Some(t)) => (o, t),
        };
        if ours == theirs || self.repo.graph_descendant_of(ours, theirs)? {
            return Ok(Some((Some(ours), false)));
        }
        if self.repo.graph_descendant_of(theirs, ours)? {
            let r = self.repo.reference_matching(
                local_ref,
                theirs,
                true,
                ours,
                "accord sync: fast-forward",
            );
            if moved(r)? {
                return Ok(None);
            }
            return Ok(Some((Some(theirs), false)));
        }
        // Two histories of positions (perhaps unrelated: two clones that each started the
        // branch): a merge commit joins them and rewrites nothing.
        let o = self.repo.find_commit(ours)?;
        let t = self.repo.find_commit(theirs)?;
        let ident = self.author().ok();
        let fallback =
            Ident { name: "accord".into(), email: "accord@localhost".into(), when: None };
        let who = ident.as_ref().unwrap_or(&fallback);
        let message = format!("accord: join positions from {remote}\n");
        // Signed as git would sign it (`commit.gpgsign`): a remote that requires signed commits
        // on the branch takes the join too.
        let cfg = ident.as_ref().and_then(|i| self.sign_config(false, false, i));
        let sign_with = cfg.as_ref().map(|cfg| {
            move |payload: &[u8]| -> Result<String> {
                crate::signing::sign(cfg, payload).map_err(|e| {
                    Error::new(format!("cannot sign the merge that joins the positions: {e}"))
                        .hint("check user.signingkey and gpg.format; your positions are kept on the local branch")
                })
            }
        });
        let sign: Option<&SignFn<'_>> = sign_with.as_ref().map(|f| f as _);
        let merge = self.create_commit(&o.tree()?, &[o.id(), t.id()], who, who, &message, sign)?;
        if moved(self.repo.reference_matching(local_ref, merge, true, ours, "accord sync: join"))? {
            return Ok(None);
        }
        Ok(Some((Some(merge), true)))
    }

    /// [`Store::join`] with the local branch as it is now, again while another process here
    /// moves it (a `sign` during the sync), for up to [`LOCK_WAIT`]. The tip joined from too.
    fn join_now(
        &self,
        local_ref: &str,
        theirs: Option<Oid>,
        remote: &str,
    ) -> Result<(Option<Oid>, bool, Option<Oid>)> {
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            self.wait_for_lock(local_ref)?;
            let before = self.ref_id(local_ref)?;
            if let Some((joined, merged)) = self.join(local_ref, before, theirs, remote)? {
                return Ok((joined, merged, before));
            }
            if Instant::now() >= deadline {
                return Err(Error::new(format!("{local_ref} kept moving while sync joined it"))
                    .hint("another accord or git process here keeps writing positions; run `accord sync` again when it is done"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether a failed `git push --porcelain` lost a race (someone else pushed first, or held
/// the remote's ref for a moment): then fetching and joining again will do. A hook that
/// declined the push, or a branch name the remote cannot hold (`accord` exists as a branch
/// there), fails the same way every time: no retry.
/// Whether a push failed because the remote's branch was locked (another push holds it, or a
/// stale lock file).
fn is_locked(stdout: &str, stderr: &str) -> bool {
    let all = format!("{stdout}\n{stderr}");
    all.contains("cannot lock ref") && !all.contains("exists; cannot create")
}

fn is_race(stdout: &str, stderr: &str) -> bool {
    let all = format!("{stdout}\n{stderr}");
    if all.contains("hook declined") || all.contains("exists; cannot create") {
        return false;
    }
    stdout.lines().any(|l| l.starts_with('!') && !l.contains("[remote rejected]"))
        || stderr.contains("[rejected]")
        || all.contains("failed to update ref")
        || all.contains("cannot lock ref")
}

/// The first lines of git's own message, for an error that says what git said.
fn first_lines(stderr: &str, stdout: &str) -> String {
    let text = if stderr.trim().is_empty() { stdout } else { stderr };
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).take(3).collect();
    if lines.is_empty() {
        "git gave no reason".into()
    } else {
        lines.join(" / ")
    }
}
