//! `accord pending`: what awaits the current git identity.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::ledger::State;
use crate::ui::{Ui, WARN};

/// List agreements awaiting your position
///
/// Agreements at HEAD where your git identity is a counted party and you are silent (no
/// position yet, or you withdrew an objection) or stale (you signed an earlier revision whose
/// meaning has since changed). Silence is not consent.
#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Serialize)]
struct Pending {
    agreement: String,
    title: String,
    state: State,
    revision: String,
}

pub fn run(_args: Args, ui: &mut Ui) -> Result<()> {
    super::no_markdown(ui, "pending")?;
    let store = super::open(ui)?;
    let me = store.author()?;
    let Some(head) = store.head()? else {
        return match ui.format {
            OutputFormat::Json => ui.json(&Vec::<Pending>::new()),
            _ => {
                ui.status("nothing is committed yet");
                Ok(())
            }
        };
    };
    let evals = super::evaluate_at(&store, head, &[])?;
    // A superseded agreement is treated like a retired one (SPEC §3): it awaits nobody.
    let superseded = super::supersessions(&store, head, &evals)?;
    let mut out = Vec::new();
    for e in evals.into_iter().filter(|e| !superseded.contains_key(&e.agreement)) {
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
            });
        }
    }
    match ui.format {
        OutputFormat::Json => ui.json(&out)?,
        _ => {
            if out.is_empty() {
                ui.status(format!("nothing awaits {}", me.email));
            }
            for p in &out {
                let what = if p.state == State::Stale {
                    "the text changed since you signed"
                } else {
                    "you have taken no position"
                };
                writeln!(ui.out(), "{}  {WARN}{}{WARN:#}  {} — {what}; `accord show {}`, then sign, object or abstain", p.agreement, p.state.as_str(), crate::render::human::sanitize(&p.title), p.agreement)?;
            }
        }
    }
    Ok(())
}
