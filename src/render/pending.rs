//! Human and markdown rendering of `accord pending`, and its JSON row. Knows nothing of git or
//! of how a party's state was decided; the command fills the rows.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::ledger::State;
use crate::ui::{Ui, WARN};

#[derive(Debug, Serialize)]
pub struct Pending {
    pub agreement: String,
    pub title: String,
    pub state: State,
    pub revision: String,
    /// The stance of a stale position (sign or abstain), for the wording.
    #[serde(skip)]
    pub stance: Option<crate::trailers::Stance>,
}

/// Writes what awaits `email` in the format `ui` asks for.
pub fn write(ui: &mut Ui, out: &[Pending], email: &str) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(&out)?,
        format => {
            if out.is_empty() {
                ui.status(format!("nothing awaits {}", email));
            }
            let markdown = format == OutputFormat::Markdown;
            for p in out {
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
                        md(&crate::render::escape::line(p.title.trim()))
                    )?;
                } else {
                    writeln!(ui.out(), "{}  {WARN}{}{WARN:#}  {} — {what}; `accord show {}`, then sign, object or abstain", p.agreement, p.state.as_str(), crate::render::escape::line(p.title.trim()), p.agreement)?;
                }
            }
        }
    }
    Ok(())
}
