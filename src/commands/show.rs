//! `accord show`: one agreement rendered for reading.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::model::{self, Agreement};
use crate::render;
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

/// The JSON form of an agreement: the schema's fields, dates as strings.
#[derive(Debug, Serialize)]
pub struct AgreementJson<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    pub schema: u32,
    pub title: &'a str,
    pub kind: model::Kind,
    pub purpose: &'a str,
    pub review_every: Option<&'a str>,
    pub review_by: Option<String>,
    pub ends: Option<String>,
    pub decision: &'a model::Decision,
    pub scope: Option<&'a model::Scope>,
    pub parties: &'a [model::Party],
    pub commitments: &'a [model::Commitment],
    pub norms: &'a [model::Norm],
}

impl<'a> AgreementJson<'a> {
    pub fn new(id: &'a str, revision: Option<String>, a: &'a Agreement) -> Self {
        AgreementJson {
            id,
            revision,
            schema: a.schema,
            title: &a.title,
            kind: a.kind,
            purpose: &a.purpose,
            review_every: a.review_every.as_deref(),
            review_by: a.review_by.map(|d| d.to_string()),
            ends: a.ends.map(|d| d.to_string()),
            decision: &a.decision,
            scope: a.scope.as_ref(),
            parties: &a.parties,
            commitments: &a.commitments,
            norms: &a.norms,
        }
    }
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    let store = super::open(ui)?;
    let (revision, agreement) = match &args.rev {
        Some(rev) => {
            let commit = store.resolve(rev)?;
            let (blob, a) = super::load_at(&store, commit, &args.id)?;
            (Some(blob.to_string()), a)
        }
        None => (None, super::load_current(&store, &args.id)?),
    };
    match ui.format {
        OutputFormat::Json => ui.json(&AgreementJson::new(&args.id, revision, &agreement)),
        OutputFormat::Markdown => Ok(render::markdown::show(ui.out(), &args.id, &agreement)?),
        OutputFormat::Human => Ok(render::human::show(ui.out(), &args.id, &agreement)?),
    }
}
