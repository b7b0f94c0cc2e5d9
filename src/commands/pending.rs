//! `accord pending`: what awaits the current git identity.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::ledger::State;
use crate::ui::{Ui, WARN};

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

#[derive(Debug, Serialize)]
struct Pending {
    agreement: String,
    title: String,
    state: State,
    revision: String,
    /// The stance of a stale position (sign or abstain), for the wording.
    #[serde(skip)]
    stance: Option<crate::trailers::Stance>,
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
    for e in evals.into_iter().filter(|e| !e.retired && !superseded.contains_key(&e.agreement)) {
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
    match ui.format {
        OutputFormat::Json => ui.json(&out)?,
        format => {
            if out.is_empty() {
                ui.status(format!("nothing awaits {}", me.email));
            }
            let markdown = format == OutputFormat::Markdown;
            for p in &out {
                let what = match (p.state, p.stance) {
                    (State::Stale, Some(crate::trailers::Stance::Abstain)) => {
                        "you abstained on an earlier text"
                    }
                    (State::Stale, _) => "the text changed since you signed",
                    _ => "you have taken no position",
                };
                if markdown {
                    use crate::render::escape::markdown as md;
                    writeln!(
                        ui.out(),
                        "- `{}` **{}**: {} — {what}",
                        p.agreement,
                        p.state.as_str(),
                        md(&p.title)
                    )?;
                } else {
                    writeln!(ui.out(), "{}  {WARN}{}{WARN:#}  {} — {what}; `accord show {}`, then sign, object or abstain", p.agreement, p.state.as_str(), crate::render::human::sanitize(&p.title), p.agreement)?;
                }
            }
        }
    }
    if args.fail && !out.is_empty() {
        return Ok(super::Outcome::No(format!("{} agreement(s) await {}", out.len(), me.email)));
    }
    Ok(super::Outcome::Done)
}
