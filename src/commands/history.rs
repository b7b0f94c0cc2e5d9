//! `accord history`: how one field (the purpose by default) changed, and who agreed to each
//! version.

use crate::cli::OutputFormat;
use crate::core::versions;
use crate::error::{Error, Result};
use crate::render::escape::{self, terminal as clean};
use crate::store::Timeline;
use crate::ui::{Ui, BOLD, DIM, GOOD, WARN};

/// Show how a field of an agreement evolved, word by word, and who consented to each version
///
/// One entry per run of consecutive revisions with the same value (whitespace-normalised), the
/// first included, oldest first; a revert to an earlier text is a new entry. Each entry has the
/// date, author and commit that introduced it, the word diff from the entry before, who signed
/// any revision while it stood, and whether it was ratified at any point while it stood.
///
/// Fields: purpose (default), title, kind, decision, review_every, review_by, ends, scope,
/// parties, norms, or commitment.<id>.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id
    pub id: String,
    /// The field to follow
    #[arg(long, default_value = "purpose", value_name = "FIELD")]
    pub field: String,
    /// Newest first
    #[arg(long)]
    pub reverse: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    if !versions::is_field(&args.field) {
        return Err(Error::new(format!("unknown field `{}`", args.field))
            .hint(format!("fields: {}", versions::FIELDS)));
    }
    let store = super::open(ui)?;
    let head = store.head_required()?;
    let graph = store.graph_for(head, &args.id)?;
    let timeline = Timeline::build(&store, &graph, &args.id)?;
    // The text at HEAD must be valid (SPEC §3); older revisions are shown as they were.
    if timeline.events.is_empty() || store.blob_at(head, &store.path_of(&args.id))?.is_some() {
        super::load_at(&store, head, &args.id)?;
    }
    let ratified = timeline.replay(&store)?;
    let mut versions =
        versions::fold(&timeline.texts(&store), &timeline.events, &ratified, &args.field)?;
    if args.reverse {
        versions.reverse();
    }
    let supersessions = super::supersessions_of(&store, head, &args.id)?;
    let superseded = supersessions.get(&args.id).map(Vec::as_slice).unwrap_or(&[]);
    match ui.format {
        OutputFormat::Json => ui.json(&crate::render::json::versions(&versions)),
        format => {
            let color = ui.color();
            let markdown = format == OutputFormat::Markdown;
            let out = ui.out();
            let n = versions.len();
            for (i, v) in versions.iter().enumerate() {
                let number = if args.reverse { n - i } else { i + 1 };
                let state = if v.ratified {
                    format!("{GOOD}ratified{GOOD:#}")
                } else {
                    format!("{WARN}never ratified{WARN:#}")
                };
                let value = v.value.as_deref().unwrap_or("(not set)");
                let text = match (v.words.is_empty(), markdown) {
                    (true, false) => clean(value).into_owned(),
                    (true, true) => escape::markdown(value),
                    (false, false) => crate::render::diff::human_words(&v.words, color),
                    (false, true) => crate::render::diff::markdown_words(&v.words),
                };
                if markdown {
                    writeln!(
                        out,
                        "### {} version {number} — {}\n",
                        args.field,
                        &crate::render::rfc3339(v.time)[..10]
                    )?;
                    writeln!(out, "{text}\n")?;
                    writeln!(
                        out,
                        "*{}*, `{:.10}`; {}; signed by: {}\n",
                        escape::markdown(&v.author),
                        v.commit,
                        if v.ratified { "ratified" } else { "never ratified" },
                        if v.signed_by.is_empty() {
                            "nobody".into()
                        } else {
                            escape::markdown(&v.signed_by.join(", "))
                        }
                    )?;
                } else {
                    writeln!(
                        out,
                        "{BOLD}{} version {number}{BOLD:#}  {DIM}{} {} {:.10}{DIM:#}  {state}",
                        args.field,
                        crate::render::rfc3339(v.time),
                        clean(&v.author),
                        v.commit
                    )?;
                    writeln!(out, "  {text}")?;
                    let signed = if v.signed_by.is_empty() {
                        "nobody".to_string()
                    } else {
                        clean(&v.signed_by.join(", ")).into_owned()
                    };
                    writeln!(out, "  {DIM}signed by: {signed}{DIM:#}")?;
                    if i + 1 < n {
                        writeln!(out)?;
                    }
                }
            }
            if !superseded.is_empty() {
                let line = crate::render::human::superseded_text(superseded);
                if markdown {
                    writeln!(out, "**{line}**")?;
                } else {
                    writeln!(out, "\n{WARN}{line}{WARN:#}")?;
                }
            }
            Ok(())
        }
    }
}
