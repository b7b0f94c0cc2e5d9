//! Human rendering of `accord verify`, and its JSON report. Knows nothing of git, signatures
//! or how a failure was found; the command fills the report.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::ui::{Ui, BAD, DIM, GOOD};

#[derive(Debug, Serialize)]
pub struct Failure {
    pub commit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    pub checked: usize,
    pub failures: Vec<Failure>,
    /// Positions by someone who is not a party of the agreement at HEAD: reported, not failed
    /// (they count for nothing, SPEC §4).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outsiders: Vec<Failure>,
}

/// Writes the report in the format `ui` asks for (markdown is refused before this); `signed`
/// says whether signatures were checked too.
pub fn write(ui: &mut Ui, report: &Report, signed: bool) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(report)?,
        _ => {
            let out = ui.out();
            for f in &report.failures {
                let what = match (&f.agreement, &f.party) {
                    (Some(a), Some(p)) => format!(" ({a}, {p})"),
                    _ => String::new(),
                };
                let line = format!("{}{what}: {}", f.commit, f.reason);
                writeln!(out, "{BAD}FAIL{BAD:#} {}", crate::render::escape::terminal(&line))?;
            }
            for f in &report.outsiders {
                let party = f.party.as_deref().unwrap_or("");
                let line = format!("{} ({party}): {}", f.commit, f.reason);
                writeln!(out, "{DIM}note{DIM:#} {}", crate::render::escape::terminal(&line))?;
            }
            if report.ok {
                let what = if signed {
                    "made and signed by the party it names"
                } else {
                    "authored by the party it names"
                };
                writeln!(out, "{GOOD}ok{GOOD:#}: {} position(s), each {what}", report.checked)?;
            }
        }
    }
    Ok(())
}
