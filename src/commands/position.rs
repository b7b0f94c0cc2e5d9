//! `accord sign | object | abstain | withdraw`: record a position as a commit with a pure
//! `Accord-*` trailer block, on the positions branch (SPEC §4) or, with `--here`, on the current
//! branch as a commit whose tree is its parent's tree.

use crate::core::position::{self, Decision};
use crate::error::{Error, Result};
use crate::store::PositionWrite;
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

fn record(stance: Stance, common: Common, note: String, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, &stance.to_string(), "a commit and a status line")?;
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
    super::refuse_uncommitted(&store, head, &path)?;
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
    let Some(party) = position::taker(&agreement, eval, &signer, stance) else {
        return Err(super::not_a_party(&agreement, &id, &author, &signer));
    };
    let committer = store.committer(&author)?;
    let state = match position::decide(eval, &party, stance) {
        Decision::Record(state) => state,
        Decision::AlreadyTaken => {
            ui.status(format!(
                "{} already {} revision {revision:.10} of {id}; nothing recorded",
                party.email,
                if stance == Stance::Sign { "signed" } else { "abstained on" },
            ));
            return Ok(());
        }
        Decision::NothingToWithdraw => {
            return Err(Error::new(format!(
                "{} has no standing position on {id} to withdraw",
                party.email
            ))
            .hint(format!(
                "you are silent already; `accord sign|object|abstain {id}` takes a position"
            )));
        }
    };

    let t = Trailers {
        stance,
        agreement: id.clone(),
        revision: revision.to_string(),
        // The party's name as the agreement lists it, so the trailer names the party exactly.
        name: party.name.clone(),
        email: party.email.clone(),
        // What the text means, so the position stays judgeable once a rebase merge has put
        // another blob on `main` and the one named here is garbage-collected (SPEC §4).
        meaning: Some(crate::store::fingerprint(&agreement)?.to_string()),
    };
    let message = trailers::format(&t, &note);
    let sign = store.sign_config(common.gpg_sign, common.no_gpg_sign, &committer);
    let write = PositionWrite { id: &id, revision, author: &author, committer: &committer };
    if !here {
        let branch = store.positions_branch().to_string();
        let commit = store.record_on_branch(&branch, &write, &message, sign.as_ref())?;
        store.counted_recorded(head, commit)?;
        ui.status(format!(
            "{} {} {id} (revision {revision:.10}) on {branch} in commit {commit:.10}",
            party.email,
            crate::render::position::verb(stance, state)
        ));
        ui.hint(format!("publish it with `accord sync` (or `git push origin {branch}`)"));
        return Ok(());
    }
    let commit = store.record_here(head, &path, &write, &message, sign.as_ref())?;
    ui.status(format!(
        "{} {} {id} (revision {revision:.10}) in commit {commit:.10}",
        party.email,
        crate::render::position::verb(stance, state)
    ));
    Ok(())
}
