//! Human and markdown rendering of `accord commitments`, and its JSON row. Knows nothing of
//! git or of which commitments match; the command fills the rows.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::core::commitments::Side;
use crate::error::Result;
use crate::model::Kind;
use crate::render::{escape, markdown::cell};
use crate::ui::{Ui, BAD, BOLD, DIM, GOOD};

#[derive(Debug, Serialize)]
pub struct Row {
    pub agreement: String,
    pub kind: Kind,
    /// Whether the agreement is ratified at HEAD.
    pub ratified: bool,
    pub commitment: String,
    pub text: String,
    pub by: Vec<String>,
    pub to: Vec<String>,
    /// When the commitment took its current form (the edit's committer time).
    pub since: Option<String>,
    /// That edit's commit and the revision (blob) it wrote.
    pub commit: Option<String>,
    pub revision: Option<String>,
}

/// Writes the rows in the format `ui` asks for; `party` and `side` word an empty answer.
pub fn write(ui: &mut Ui, rows: &[Row], party: Option<&str>, side: Side) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(&rows)?,
        OutputFormat::Markdown => markdown(ui, rows)?,
        OutputFormat::Human => human(ui, rows, party, side)?,
    }
    Ok(())
}

fn human(ui: &mut Ui, rows: &[Row], party: Option<&str>, side: Side) -> Result<()> {
    if rows.is_empty() {
        let whom = match (party, side) {
            (None, _) => "no agreement at HEAD has a commitment".to_string(),
            (Some(p), Side::By) => {
                format!("{} is accountable for no commitment", escape::terminal(p))
            }
            (Some(p), Side::To) => format!("no commitment is owed to {}", escape::terminal(p)),
        };
        ui.status(whom);
    }
    let out = ui.out();
    for r in rows {
        let state = if r.ratified {
            format!("{GOOD}ratified{GOOD:#}")
        } else {
            format!("{BAD}not ratified{BAD:#}")
        };
        let since = r.since.as_deref().map(|s| format!("  since {s}")).unwrap_or_default();
        writeln!(
            out,
            "{BOLD}{}/{}{BOLD:#}  ({}, {state}){DIM}{since}{DIM:#}",
            r.agreement, r.commitment, r.kind
        )?;
        writeln!(out, "  {}", escape::terminal(&r.text))?;
        let mut whom = format!("by {}", r.by.join(", "));
        if !r.to.is_empty() {
            whom.push_str(&format!("; to {}", r.to.join(", ")));
        }
        writeln!(out, "  {DIM}{}{DIM:#}", escape::terminal(&whom))?;
    }
    Ok(())
}

fn markdown(ui: &mut Ui, rows: &[Row]) -> Result<()> {
    let out = ui.out();
    writeln!(out, "| agreement | kind | ratified | commitment | by | to | since | text |")?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for r in rows {
        writeln!(
            out,
            "| `{}` | {} | {} | `{}` | {} | {} | {} | {} |",
            r.agreement,
            r.kind,
            if r.ratified { "yes" } else { "no" },
            r.commitment,
            cell(&r.by.join(", ")),
            cell(&r.to.join(", ")),
            r.since.as_deref().unwrap_or(""),
            cell(&r.text)
        )?;
    }
    Ok(())
}
