//! `accord show`: one agreement rendered for reading.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::core::supersede::SupersededBy;
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
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub supersedes: &'a [String],
    /// The ratified agreements that supersede this one (SPEC §7); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_since: Option<String>,
    /// A partnership's give and take, party by party; absent for other kinds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub give_and_take: Vec<render::json::GiveTakeView>,
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
            supersedes: &a.supersedes,
            superseded_by: Vec::new(),
            superseded_since: None,
            give_and_take: if crate::core::commitments::shows_give_and_take(a.kind) {
                let all = crate::core::commitments::give_and_take(a);
                all.into_iter().map(render::json::GiveTakeView::new).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The same, saying which ratified agreements supersede it.
    pub fn superseded(mut self, by: &'a [SupersededBy]) -> Self {
        self.superseded_by = by.iter().map(|b| b.id.as_str()).collect();
        self.superseded_since = crate::core::supersede::since(by).map(render::rfc3339);
        self
    }
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
