//! Human rendering of `accord check`, and its JSON per-file report. Knows nothing of git or of
//! how a file was judged; the command fills the reports.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::model::Diagnostic;
use crate::ui::{Ui, BAD, GOOD};

#[derive(Debug, Serialize)]
pub struct FileReport {
    pub agreement: String,
    pub file: String,
    /// parses as schema 1
    pub readable: bool,
    /// readable and breaks no rule
    pub valid: bool,
    pub problems: Vec<Diagnostic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratified: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocking: Vec<String>,
}

/// Writes the reports in the format `ui` asks for (markdown is refused before this).
pub fn write(ui: &mut Ui, reports: &[FileReport]) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(&reports)?,
        _ => {
            let out = ui.out();
            for r in reports {
                for p in &r.problems {
                    let p = crate::render::escape::terminal(&p.to_string()).into_owned();
                    writeln!(out, "{BAD}{p}{BAD:#}")?;
                }
                if r.valid {
                    match r.ratified {
                        Some(false) => writeln!(
                            out,
                            "{}: valid, {BAD}not ratified{BAD:#}: {}",
                            r.file,
                            crate::render::escape::terminal(&r.blocking.join("; "))
                        )?,
                        Some(true) => writeln!(out, "{}: valid, {GOOD}ratified{GOOD:#}", r.file)?,
                        None => writeln!(out, "{}: {GOOD}ok{GOOD:#}", r.file)?,
                    }
                }
            }
        }
    }
    Ok(())
}
