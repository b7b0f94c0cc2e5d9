//! `accord pending`: what awaits the current git identity.

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::ledger::State;
use crate::render::pending::Pending;
use crate::ui::Ui;

/// List agreements awaiting your position
///
/// Agreements at HEAD where your git identity is a counted party and you are silent (no
/// position yet, or you withdrew yours) or stale (you signed or abstained on an earlier
/// revision whose meaning has since changed). Silence is not consent.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exit 1 when anything awaits you (for CI and shell prompts)
    #[arg(long)]
    pub fail: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    let store = super::open(ui)?;
    let mut me = store.author()?;
    // git's .mailmap may say which party this identity is (SPEC §4).
    me.email = store.resolve_identity(&me.name, &me.email)?.1;
    let Some(head) = store.head()? else {
        match ui.format {
            OutputFormat::Json => ui.json(&Vec::<Pending>::new())?,
            _ => ui.status("nothing is committed yet"),
        }
        return Ok(super::Outcome::Done);
    };
    let evals = super::evaluate_at(&store, head, &[])?;
    super::note_unsynced(&store, ui)?;
    // A superseded agreement is treated like a retired one (SPEC §3): it awaits nobody.
    let superseded = super::supersessions(&store, head, &evals)?;
    let mut out = Vec::new();
    // Retired once the retirement is ratified (SPEC §4); until then it awaits positions on it.
    let ended = |e: &crate::core::Evaluation| e.retired && e.ratified;
    for e in evals.into_iter().filter(|e| !ended(e) && !superseded.contains_key(&e.agreement)) {
        let Some(p) = e.parties.iter().find(|p| crate::model::same_email(&p.email, &me.email))
        else {
            continue;
        };
        if p.role.counts() && matches!(p.state, State::Silent | State::Stale) {
            out.push(Pending {
                agreement: e.agreement.clone(),
                title: e.title.trim().to_string(),
                state: p.state,
                revision: e.revision.clone(),
                stance: p.stance,
            });
        }
    }
    crate::render::pending::write(ui, &out, &me.email)?;
    if args.fail && !out.is_empty() {
        return Ok(super::Outcome::No(format!("{} agreement(s) await {}", out.len(), me.email)));
    }
    Ok(super::Outcome::Done)
}
