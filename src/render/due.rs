//! Human rendering of `accord due` (its JSON view is `render::json::dues`). Knows nothing of
//! git or of how a date was found due; `core::due` decides that.

use jiff::civil::Date;

use crate::cli::OutputFormat;
use crate::core::due::{Due, DueReason};
use crate::error::Result;
use crate::render;
use crate::ui::{Ui, WARN};

/// Writes what is due as of `today` in the format `ui` asks for (markdown is refused before
/// this).
pub fn write(ui: &mut Ui, out: &[Due], today: Date) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(&render::json::dues(out))?,
        _ => {
            if out.is_empty() {
                ui.status(format!("nothing is due as of {today}"));
            }
            for d in out {
                let why = match d.reason {
                    DueReason::Ends => format!("ended on {}", d.due_on),
                    DueReason::ReviewBy => format!("review was due by {}", d.due_on),
                    DueReason::ReviewEvery => format!(
                        "review was due on {} ({} after it was last ratified, {})",
                        d.due_on,
                        d.every.as_deref().unwrap_or("?"),
                        d.last_ratified.map(render::rfc3339).as_deref().unwrap_or("?")
                    ),
                };
                writeln!(
                    ui.out(),
                    "{}  {WARN}due{WARN:#}  {} — {why}",
                    d.agreement,
                    crate::render::escape::line(d.title.trim())
                )?;
            }
        }
    }
    Ok(())
}
