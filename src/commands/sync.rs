//! `accord sync`: publish the positions recorded here and collect everyone else's.

use crate::error::{Error, Result};
use crate::ui::Ui;

/// Publish and collect positions: fetch, join, push
///
/// Fetches the remote's positions branch (`accord/positions` unless accord.toml names another),
/// joins it with the local one — a fast-forward or a merge commit, never a rebase, so every
/// position keeps its id and its signature — and pushes. When someone else pushed first, it
/// fetches and joins again, and retries. The network work is done by `git` itself, so URLs,
/// SSH keys and credential helpers work as for `git push`.
///
/// A plain `git clone` or `git fetch` already brings everyone's positions (as
/// `refs/remotes/<remote>/accord/positions`), and accord counts them; `sync` is how yours get
/// there.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The remote (default: the current branch's upstream remote, else `origin`)
    pub remote: Option<String>,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, "sync", "status lines")?;
    let store = super::open(ui)?;
    let remote = match args.remote {
        Some(r) => r,
        None => store.default_remote()?.ok_or_else(|| {
            Error::new("no remote to sync with").hint(
                "add one with `git remote add origin <url>`, or name it: `accord sync <remote>`",
            )
        })?,
    };
    let branch = store.positions_branch().to_string();
    let r = store.sync(&remote, &branch)?;
    ui.status(format!(
        "{branch}: received {} position(s) from {remote}, sent {}{}{}",
        r.received,
        r.sent,
        if r.merged { "; joined both histories with a merge commit" } else { "" },
        if r.retries > 0 {
            format!(" (after {} rejected push(es))", r.retries)
        } else {
            String::new()
        },
    ));
    Ok(())
}
