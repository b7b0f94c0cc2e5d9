//! Checks a command makes before it acts or answers: shallow clones fail closed, removals after
//! a ratified retirement, texts nobody can agree to, positions not yet synced. They read the
//! store and refuse or warn; they decide no verdict and render nothing.

use crate::error::{Error, Result};
use crate::model;
use crate::oid::ObjectId;
use crate::store::{FileState, Store, Timeline};
use crate::ui::Ui;

use super::load_error;

/// Say on stderr when positions recorded here have not reached the default remote yet, and when
/// positions fetched from it are not yet joined here.
pub fn note_unsynced(store: &Store, ui: &Ui) -> Result<()> {
    let branch = store.positions_branch();
    if store.positions_tip(branch)?.is_none() {
        return Ok(());
    }
    let Some(remote) = store.default_remote()? else { return Ok(()) };
    // A mirror or a bare clone keeps the remote's branches as its own: there is no
    // remote-tracking copy to compare with, so nothing is said.
    if store.keeps_remote_branches_as_its_own(&remote, branch)? {
        return Ok(());
    }
    let state = store.sync_state(branch, &remote)?;
    if state.ahead > 0 {
        ui.status(format!(
            "{} position(s) on {branch} not yet synced to {remote}: run `accord sync`",
            state.ahead
        ));
    }
    // Fetched positions count already (SPEC §4 rule 2); joining them is `sync`'s work.
    if state.behind > 0 {
        ui.status(format!(
            "{} position(s) on {remote}/{branch} not yet joined into {branch} (they count \
             already): run `accord sync`",
            state.behind
        ));
    }
    Ok(())
}

/// Refuse a revision nobody can agree to (SPEC §9): conflict markers or template placeholders.
pub fn refuse_unagreeable(store: &Store, blob: ObjectId, path: &str) -> Result<()> {
    let bytes = store.read_blob(blob)?.unwrap_or_default();
    let a = model::parse(&bytes, path).map_err(load_error)?;
    let problems = model::unagreeable(&a, std::str::from_utf8(&bytes).unwrap_or_default(), path);
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    Err(Error::new(format!("nobody can agree to this text yet: {}", list.join("; ")))
        .hint("edit the file, commit, then sign; `accord check` lists every problem"))
}

/// A gate (`review --require-ratified`, `check --ratified`, `verify`) in a shallow clone fails
/// closed when the cut-off history could hide a position or an edit of what it judges.
pub fn fail_closed_if_shallow(store: &Store, paths: &[String]) -> Result<()> {
    if store.is_shallow() && store.shallow_could_hide(paths)? {
        return Err(Error::new(
            "this is a shallow clone and its history is cut off where an agreement it judges already existed: an older position or edit may be missing",
        )
        .hint("fetch the whole history first: `git fetch --unshallow` (in CI: fetch-depth: 0)"));
    }
    Ok(())
}

/// Whether agreement `id`, removed in `head`'s history, was retired first: the last text before
/// the removal says `retired = true` and stood ratified when it was removed (SPEC §4), counting
/// only the positions `keep` keeps (`review --signed`: those whose signatures verify).
pub fn removed_after_ratified_retirement(
    store: &Store,
    head: ObjectId,
    id: &str,
    keep: &dyn Fn(&crate::ledger::Position) -> bool,
) -> Result<bool> {
    let graph = store.graph_for(head, id)?;
    let timeline = Timeline::build_keeping(store, &graph, id, Some(keep))?;
    let ratified = timeline.replay(store)?;
    for (k, e) in timeline.events.iter().enumerate() {
        let crate::store::Event::Edit(edit) = e else { continue };
        if edit.blob.is_some() {
            return Ok(false); // the newest edit is not a removal
        }
        let Some(before) = edit.before else { return Ok(false) };
        // The text it removed must be the one that stood last in this history: a removal made
        // long ago on top of an old retirement, merged back in, removes the text that came
        // after it, which was never retired.
        let stood_last = timeline.events[k + 1..].iter().find_map(|e| match e {
            crate::store::Event::Edit(x) => Some(x.blob),
            _ => None,
        });
        if stood_last != Some(Some(before)) {
            return Ok(false);
        }
        let retired = timeline.agreement(store, before)?.is_some_and(|a| a.retired);
        let stood_ratified = ratified.get(k + 1).copied().flatten() == Some(true);
        return Ok(retired && stood_ratified);
    }
    Ok(false)
}

/// With `review --signed`, which positions count: those whose commit carries a good signature
/// by the party, checked against the allowed signers at `base` (or the verifier's own file).
pub struct SignedFilter<'a> {
    store: &'a Store,
    signers: Option<Option<crate::store::AllowedSigners>>,
    checkers: crate::signing::Checkers,
    /// Why a signature could not be checked at all (its program is missing), when one could not.
    unable: std::cell::RefCell<Option<String>>,
}

impl SignedFilter<'_> {
    /// Whether `p` counts: always without `--signed`; with it, only with a good signature. A
    /// signature that could not be checked does not count, and [`SignedFilter::checked`] says so.
    pub fn keeps(&self, p: &crate::ledger::Position) -> bool {
        let Some(signers) = &self.signers else { return true };
        let Ok(Some((payload, signature))) = self.store.commit_signature(p.commit) else {
            return false;
        };
        let path = signers.as_ref().map(|s| s.path.as_path());
        match crate::signing::verify(path, &self.checkers, &p.trailers.email, &payload, &signature)
        {
            crate::signing::Verdict::Good { .. } => true,
            crate::signing::Verdict::Bad(_) => false,
            crate::signing::Verdict::Unable(why) => {
                self.unable.borrow_mut().get_or_insert(why);
                false
            }
        }
    }

    /// An error when some signature could not be checked: the answer would be the machine's.
    pub fn checked(&self) -> Result<()> {
        match self.unable.borrow_mut().take() {
            Some(why) => Err(cannot_check(why)),
            None => Ok(()),
        }
    }
}

pub fn signed_filter(store: &Store, signed: bool, base: ObjectId) -> Result<SignedFilter<'_>> {
    let signers = if signed { Some(store.allowed_signers(base)?) } else { None };
    let checkers = store.signature_checkers();
    Ok(SignedFilter { store, signers, checkers, unable: std::cell::RefCell::new(None) })
}

/// The error for a signature check that could not run: a missing or broken `gpg`/`ssh-keygen`
/// (or the program git is told to use) is the verifier's to fix, not a verdict on the signer.
pub fn cannot_check(why: String) -> Error {
    Error::new(format!("cannot check signatures: {why}")).hint(
        "install the program, or name it in git's configuration (gpg.ssh.program for SSH \
         signatures, gpg.program for OpenPGP); without --signed, positions are checked by author",
    )
}

/// Refuse to record a position unless the agreement at `path` is committed as it is in the
/// working tree: positions bind to committed text (SPEC §4).
pub fn refuse_uncommitted(store: &Store, head: ObjectId, path: &str) -> Result<()> {
    let state = if store.is_bare() { FileState::Clean } else { store.file_state(path)? };
    match state {
        FileState::Clean => Ok(()),
        FileState::Modified => Err(Error::new(format!("{path} has uncommitted changes"))
            .hint("commit them (or `git restore` the file): positions bind to committed text")),
        FileState::Untracked => Err(Error::new(format!("{path} is not committed"))
            .hint(format!("git add {path} && git commit, then take your position"))),
        FileState::Missing if store.blob_at(head, path)?.is_some() => {
            Err(Error::new(format!("{path} is deleted in the working tree"))
                .hint(format!("restore it with `git restore {path}`")))
        }
        FileState::Missing => Ok(()),
    }
}

/// The error for a signer who is not a party, naming the parties (up to a screenful).
pub fn not_a_party(
    agreement: &model::Agreement,
    id: &str,
    author: &crate::store::Ident,
    signer: &str,
) -> Error {
    const SHOWN: usize = 20;
    let mut parties: Vec<String> =
        agreement.parties.iter().take(SHOWN).map(|p| p.ident()).collect();
    if agreement.parties.len() > SHOWN {
        parties.push(format!("and {} more", agreement.parties.len() - SHOWN));
    }
    let mapped =
        if signer == author.email { String::new() } else { format!(" (.mailmap: {signer})") };
    Error::new(format!(
        "{} <{}>{mapped} is not a party of {id}; its parties are: {}",
        author.name,
        author.email,
        parties.join(", ")
    ))
    .hint("take positions with the email listed in the agreement (git config user.email)")
}
