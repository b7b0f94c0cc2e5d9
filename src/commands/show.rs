//! `accord show`: one agreement rendered for reading.

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::render;
use crate::render::json::AgreementJson;
use crate::ui::Ui;

/// Show an agreement for reading
///
/// Reads the working-tree file (in a bare repository, the file at HEAD); `--rev` reads it from
/// any commit, branch or tag. `--format json` gives every field; `--format markdown` a page.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id
    pub id: String,
    /// Read the agreement as it was at this commit
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    let store = super::open(ui)?;
    let (revision, agreement, supersessions) = match &args.rev {
        Some(rev) => {
            let commit = store.resolve(rev)?;
            let (blob, a) = super::load_at(&store, commit, &args.id)?;
            (Some(blob.to_string()), a, super::supersessions_of(&store, commit, &args.id)?)
        }
        None => {
            let a = super::load_current(&store, &args.id)?;
            (None, a, super::supersessions_of_at_head(&store, &args.id)?)
        }
    };
    let by = supersessions.get(&args.id).map(Vec::as_slice).unwrap_or(&[]);
    match ui.format {
        OutputFormat::Json => {
            ui.json(&AgreementJson::new(&args.id, revision, &agreement).superseded(by))
        }
        OutputFormat::Markdown => {
            Ok(render::markdown::show_superseded(ui.out(), &args.id, &agreement, by)?)
        }
        OutputFormat::Human => {
            Ok(render::human::show_superseded(ui.out(), &args.id, &agreement, by)?)
        }
    }
}
