//! `accord verify`: check that each position was made by the party it names.

use crate::error::Result;
use crate::ui::Ui;

/// Check that every position was made by the party it names
///
/// Each position commit's author email, mapped by the `.mailmap` committed at HEAD, must match
/// its `Accord-Party`; commits with `Accord-` trailers that do not make a position, and
/// positions naming a revision that is not a revision of their agreement, are reported too.
/// With `--signed`, every position must also carry a good git signature by that party: SSH
/// signatures are checked with `ssh-keygen -Y verify` against `gpg.ssh.allowedSignersFile`
/// when your git configuration sets it (your trust wins), else `allowed_signers` from
/// accord.toml (read from HEAD); OpenPGP signatures need a key your keyring holds valid and a
/// valid user id with the party's email. Exit 1 and name each failing commit.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only positions on this agreement (under any id it had before a rename)
    pub id: Option<String>,
    /// Require a good signature by the named party on every position
    #[arg(long)]
    pub signed: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    super::no_markdown(ui, "verify")?;
    if let Some(id) = &args.id {
        super::check_id(id)?;
    }
    let store = super::open(ui)?;
    let head = store.head_required()?;
    // Every agreement judged is read as every command reads it: an unknown one is an error,
    // not "all good", and one that cannot be read or breaks a rule is exit 2 (SPEC §3).
    let ids: Vec<String> = match &args.id {
        Some(id) => vec![id.clone()],
        None => store.ids_at(head)?.into_iter().map(|(id, _)| id).collect(),
    };
    let mut agreements = std::collections::HashMap::new();
    for id in &ids {
        agreements.insert(id.clone(), super::load_at(&store, head, id)?.1);
    }
    let judged: Vec<String> = ids.iter().map(|id| store.path_of(id)).collect();
    super::fail_closed_if_shallow(&store, &judged)?;
    let report =
        super::verify_positions(&store, head, &agreements, args.id.as_deref(), args.signed)?;
    crate::render::verify::write(ui, &report, args.signed)?;
    if !report.ok {
        return Ok(super::Outcome::No(format!(
            "{} problem(s) in {} position(s)",
            report.failures.len(),
            report.checked
        )));
    }
    Ok(super::Outcome::Done)
}
