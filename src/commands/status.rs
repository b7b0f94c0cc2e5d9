//! `accord status`: each party's state on the current revision, and whether it is ratified.

use crate::cli::OutputFormat;

use crate::error::Result;
use crate::render;
use crate::ui::Ui;

/// Show who stands where, and whether each agreement is ratified
///
/// For the revision committed at HEAD (or --rev), each party is signed, abstained, objecting,
/// stale (signed an earlier revision whose meaning differs) or silent. An unratified agreement
/// is explained in words: who is missing, which objection blocks.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement ids (default: every agreement)
    pub ids: Vec<String>,
    /// Evaluate at this commit instead of HEAD
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

pub fn run(mut args: Args, ui: &mut Ui) -> Result<()> {
    for id in &args.ids {
        super::check_id(id)?;
    }
    // An id named twice is shown once, where it was first named.
    let mut named = std::collections::HashSet::new();
    args.ids.retain(|id| named.insert(id.clone()));
    let store = super::open(ui)?;
    let commit = match &args.rev {
        Some(r) => store.resolve(r)?,
        None => store.head_required()?,
    };
    // `--rev C` judges C as of C's committer time (SPEC §4); the commit HEAD is at, as of now
    // (as plain `status` does: positions are made after the commit they sign).
    let evals = match args.rev.is_some() && store.head()? != Some(commit) {
        true => super::evaluate_as_of(&store, commit, &args.ids)?,
        false => super::evaluate_at(&store, commit, &args.ids)?,
    };
    super::note_unsynced(&store, ui)?;
    let supersessions = super::supersessions(&store, commit, &evals)?;
    let by = |e: &crate::core::Evaluation| {
        supersessions.get(&e.agreement).map(Vec::as_slice).unwrap_or(&[])
    };
    match ui.format {
        OutputFormat::Json => {
            ui.json(&render::json::statuses_superseded(&evals, &supersessions))?
        }
        OutputFormat::Markdown => {
            for (i, e) in evals.iter().enumerate() {
                if i > 0 {
                    writeln!(ui.out())?;
                }
                render::markdown::status_superseded(ui.out(), e, by(e))?;
            }
        }
        OutputFormat::Human => {
            if evals.is_empty() {
                ui.status("no agreements committed yet; draft one with `accord new <id>`");
            }
            for (i, e) in evals.iter().enumerate() {
                if i > 0 {
                    writeln!(ui.out())?;
                }
                render::human::status_superseded(ui.out(), e, by(e))?;
            }
        }
    }
    Ok(())
}
