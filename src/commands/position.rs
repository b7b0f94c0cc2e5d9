//! `accord sign | object | abstain | withdraw`: record a position as a commit with a pure
//! `Accord-*` trailer block, on the positions branch (SPEC §4) or, with `--here`, on the current
//! branch as a commit whose tree is its parent's tree.

use crate::error::{Error, Result};
use crate::ledger::State;
use crate::model::{Party, Role};
use crate::signing;
use crate::store::FileState;
use crate::trailers::{self, Stance, Trailers};
use crate::ui::Ui;

#[derive(Debug, clap::Args)]
pub struct Common {
    /// Agreement id
    pub id: String,
    /// GPG/SSH-sign the position commit (as `git commit -S`)
    #[arg(short = 'S', long = "gpg-sign", conflicts_with = "no_gpg_sign")]
    pub gpg_sign: bool,
    /// Do not sign the commit even if commit.gpgsign is set
    #[arg(long = "no-gpg-sign")]
    pub no_gpg_sign: bool,
    /// Record on the current branch instead of the positions branch (the older layout; git
    /// config `accord.positions = here` makes it the default)
    #[arg(long)]
    pub here: bool,
}

/// Sign off on the committed revision of an agreement
///
/// Records your consent to the exact text committed at HEAD (its blob id). An edit that changes
/// the meaning later makes your sign-off stale; an edit that keeps it (comments, whitespace, key
/// order) carries it over. Signing a revision you already signed records nothing.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub common: Common,
    /// A note to go with your sign-off
    // Notes may start with `-` (a bulleted list, "-5 people"), as `git commit -m` allows.
    #[arg(short, long, value_name = "NOTE", allow_hyphen_values = true)]
    pub message: Option<String>,
}

/// Object to an agreement, with a reason
///
/// An open objection blocks ratification under consent, unanimous and quorum, across revisions,
/// until you lift it with `withdraw`, `sign` or `abstain`. Nobody else can close it.
#[derive(Debug, clap::Args)]
pub struct ObjectArgs {
    #[command(flatten)]
    pub common: Common,
    /// Why you object: what would have to change (required)
    #[arg(short, long, value_name = "REASON", required = true, allow_hyphen_values = true)]
    pub message: String,
}

/// Stand aside: take a position without blocking and without signing
///
/// Records that you neither consent nor object to the exact text committed at HEAD (its blob
/// id): you do not block, and you do not count as a sign-off. Like a sign-off it binds to that
/// text: an edit that changes the meaning makes it stale. Lift it with `withdraw`, or replace it
/// with `sign` or `object`.
#[derive(Debug, clap::Args)]
pub struct AbstainArgs {
    #[command(flatten)]
    pub common: Common,
    /// A note
    #[arg(short, long, value_name = "NOTE", allow_hyphen_values = true)]
    pub message: Option<String>,
}

/// Take back your standing position: a sign-off, an abstention or an objection
///
/// Afterwards you are silent: withdrawing is not consent, and a withdrawn sign-off no longer
/// counts. Refused when you are already silent (no position, or already withdrawn).
#[derive(Debug, clap::Args)]
pub struct WithdrawArgs {
    #[command(flatten)]
    pub common: Common,
    /// A note
    #[arg(short, long, value_name = "NOTE", allow_hyphen_values = true)]
    pub message: Option<String>,
}

pub fn run_sign(a: SignArgs, ui: &mut Ui) -> Result<()> {
    record(Stance::Sign, a.common, a.message.unwrap_or_default(), ui)
}

pub fn run_object(a: ObjectArgs, ui: &mut Ui) -> Result<()> {
    record(Stance::Object, a.common, a.message, ui)
}

pub fn run_abstain(a: AbstainArgs, ui: &mut Ui) -> Result<()> {
    record(Stance::Abstain, a.common, a.message.unwrap_or_default(), ui)
}

pub fn run_withdraw(a: WithdrawArgs, ui: &mut Ui) -> Result<()> {
    record(Stance::Withdraw, a.common, a.message.unwrap_or_default(), ui)
}

/// Signs a commit buffer, giving the armoured signature (what `Store::write_commit` takes).
type SignFn<'a> = &'a dyn Fn(&[u8]) -> Result<String>;

fn record(stance: Stance, common: Common, note: String, ui: &mut Ui) -> Result<()> {
    let id = common.id.clone();
    super::check_id(&id)?;
    let note = note.trim().to_string();
    if stance == Stance::Object && note.is_empty() {
        return Err(Error::new("an objection needs a reason")
            .hint(format!("accord object {id} -m \"what would have to change, and why\"")));
    }
    trailers::check_note(&note).map_err(|e| {
        Error::new(format!("refusing the note: {e}")).hint("reword that line; nothing was recorded")
    })?;
    let store = super::open(ui)?;
    let here = common.here || store.config_string("accord.positions").as_deref() == Some("here");
    if here {
        store.check_writable()?;
    }
    let head = store.head_required()?;
    let path = store.path_of(&id);
    let state = if store.is_bare() { FileState::Clean } else { store.file_state(&path)? };
    match state {
        FileState::Clean => {}
        FileState::Modified => {
            return Err(Error::new(format!("{path} has uncommitted changes"))
                .hint("commit them (or `git restore` the file): positions bind to committed text"))
        }
        FileState::Untracked => {
            return Err(Error::new(format!("{path} is not committed"))
                .hint(format!("git add {path} && git commit, then take your position")))
        }
        FileState::Missing => {
            if store.blob_at(head, &path)?.is_some() {
                return Err(Error::new(format!("{path} is deleted in the working tree"))
                    .hint(format!("restore it with `git restore {path}`")));
            }
        }
    }
    let (revision, agreement) = super::load_at(&store, head, &id)?;
    if stance == Stance::Sign {
        super::refuse_unagreeable(&store, revision, &path)?;
    }
    let author = store.author()?;
    // git's .mailmap may say which party this commit identity is (SPEC §4).
    let (_, signer) = store.resolve_identity(&author.name, &author.email)?;
    // What does this party stand on now?
    let evals = super::evaluate_at(&store, head, std::slice::from_ref(&id))?;
    let Some(eval) = evals.first() else { return Err(Error::new(format!("no agreement `{id}`"))) };
    // A party an edit removed may still lift the objection they left standing (SPEC §5).
    let removed = eval
        .removed_objecting
        .iter()
        .find(|(_, e)| stance == Stance::Withdraw && crate::model::same_email(e, &signer))
        .map(|(name, email)| Party {
            name: name.clone(),
            email: email.clone(),
            role: Role::Partner,
        });
    let Some(party) = agreement.party(&signer).or(removed.as_ref()) else {
        // Named in full up to a screenful; a file may list thousands.
        const SHOWN: usize = 20;
        let mut parties: Vec<String> =
            agreement.parties.iter().take(SHOWN).map(|p| p.ident()).collect();
        if agreement.parties.len() > SHOWN {
            parties.push(format!("and {} more", agreement.parties.len() - SHOWN));
        }
        let mapped =
            if signer == author.email { String::new() } else { format!(" (.mailmap: {signer})") };
        return Err(Error::new(format!(
            "{} <{}>{mapped} is not a party of {id}; its parties are: {}",
            author.name,
            author.email,
            parties.join(", ")
        ))
        .hint("take positions with the email listed in the agreement (git config user.email)"));
    };
    let committer = store.committer(&author)?;
    let mine = eval.parties.iter().find(|p| crate::model::same_email(&p.email, &party.email));
    let state = match mine {
        Some(p) => p.state,
        None if removed.is_some() => State::Objecting,
        None => State::Silent,
    };
    match (stance, state) {
        (Stance::Sign, State::Signed) | (Stance::Abstain, State::Abstained)
            if mine.is_some_and(|p| !p.carried_over) =>
        {
            ui.status(format!(
                "{} already {} revision {:.10} of {id}; nothing recorded",
                party.email,
                if stance == Stance::Sign { "signed" } else { "abstained on" },
                revision.to_string()
            ));
            return Ok(());
        }
        (Stance::Withdraw, State::Silent) => {
            return Err(Error::new(format!(
                "{} has no standing position on {id} to withdraw",
                party.email
            ))
            .hint(format!(
                "you are silent already; `accord sign|object|abstain {id}` takes a position"
            )));
        }
        _ => {}
    }

    let t = Trailers {
        stance,
        agreement: id.clone(),
        revision: revision.to_string(),
        // The party's name as the agreement lists it, so the trailer names the party exactly.
        name: party.name.clone(),
        email: party.email.clone(),
    };
    let message = trailers::format(&t, &note);
    let signer = store.sign_config(common.gpg_sign, common.no_gpg_sign, &committer);
    let sign_fn = |payload: &[u8]| -> Result<String> {
        let cfg = signer.as_ref().expect("only called when signing");
        signing::sign(cfg, payload).map_err(|e| {
            Error::new(format!("cannot sign the position commit: {e}"))
                .hint("check user.signingkey and gpg.format, or pass --no-gpg-sign")
        })
    };
    let sign: Option<SignFn> = signer.as_ref().map(|_| &sign_fn as _);
    if !here {
        let branch = store.positions_branch().to_string();
        let commit =
            store.append_position(&branch, &id, revision, &author, &committer, &message, sign)?;
        ui.status(format!(
            "{} {} {id} (revision {revision:.10}) on {branch} in commit {commit:.10}",
            party.email,
            crate::render::position::verb(stance, state)
        ));
        ui.hint(format!("publish it with `accord sync` (or `git push origin {branch}`)"));
        return Ok(());
    }
    let commit = store.append_empty_commit(&format!("accord: {stance} {id}"), |parent| {
        if parent != head {
            // The branch moved while we worked: the position still binds to the revision the
            // party saw, so refuse if the agreement itself changed.
            let now = store.blob_at(parent, &path)?.map(|(b, _)| b);
            if now != Some(revision) {
                return Err(Error::new(format!("{path} changed on the branch while recording"))
                    .hint("read the new text, then take your position again"));
            }
        }
        store.write_commit(parent, &author, &committer, &message, sign)
    })?;
    ui.status(format!(
        "{} {} {id} (revision {revision:.10}) in commit {commit:.10}",
        party.email,
        crate::render::position::verb(stance, state)
    ));
    Ok(())
}
