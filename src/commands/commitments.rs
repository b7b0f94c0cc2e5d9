//! `accord commitments`: who answers for what, across every agreement at HEAD. Which
//! commitments match and since when each has stood is decided in [`crate::core::commitments`];
//! this file reads the repository and hands the rows to `render::commitments`.

use crate::core::commitments::{self, Side};
use crate::error::{Error, Result};
use crate::model::normalize_text;
use crate::render::commitments::Row;
use crate::render::rfc3339;
use crate::store::{Event, Timeline};
use crate::ui::Ui;

/// List commitments across agreements: who is accountable, to whom, since when
///
/// Every commitment of the agreements committed at HEAD where the party is accountable (`by`),
/// or with `--owed` is owed (`to`); every commitment when no party is given. Each with its
/// agreement and kind, whether that agreement is ratified now, and since when the commitment
/// has stood unchanged (the edit that introduced its current text, `by` and `to`). Retired and
/// superseded agreements are left out.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The party, by email
    #[arg(long, value_name = "EMAIL", conflicts_with = "me")]
    pub party: Option<String>,
    /// The party is you (your git identity)
    #[arg(long)]
    pub me: bool,
    /// Commitments owed to the party (`to`) instead of those it answers for (`by`)
    #[arg(long)]
    pub owed: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    if args.owed && args.party.is_none() && !args.me {
        return Err(Error::new("--owed needs a party").hint("add --party EMAIL or --me"));
    }
    let store = super::open(ui)?;
    let party = match (&args.party, args.me) {
        (_, true) => {
            let me = store.author()?;
            Some(store.resolve_identity(&me.name, &me.email)?.1)
        }
        (Some(p), false) => Some(p.clone()),
        (None, false) => None,
    };
    let side = if args.owed { Side::To } else { Side::By };
    let mut rows = Vec::new();
    if let Some(head) = store.head()? {
        let evals = super::evaluate_at(&store, head, &[])?;
        let superseded = super::supersessions(&store, head, &evals)?;
        let mut graph = None;
        for e in evals.iter().filter(|e| !superseded.contains_key(&e.agreement)) {
            let (_, mut a) = super::load_at(&store, head, &e.agreement)?;
            // A retirement binds once it is ratified (SPEC §4); until then the agreement does.
            a.retired &= e.ratified;
            let found = commitments::matching(&a, party.as_deref(), side);
            if found.is_empty() {
                continue;
            }
            let graph = match &mut graph {
                Some(g) => g,
                None => graph.insert(store.graph(head)?),
            };
            let timeline = Timeline::build(&store, graph, &e.agreement)?;
            let mut edits = Vec::new();
            let mut texts = Vec::new();
            for ev in &timeline.events {
                if let Event::Edit(edit) = ev {
                    texts.push(match edit.blob {
                        Some(b) => timeline.agreement(&store, b)?,
                        None => None,
                    });
                    edits.push(edit);
                }
            }
            let texts: Vec<_> = texts.iter().map(Option::as_ref).collect();
            let introduced = commitments::Introductions::new(&texts);
            for c in found {
                let edit = introduced.edit_of(c).map(|i| edits[i]);
                rows.push(Row {
                    agreement: e.agreement.clone(),
                    kind: a.kind,
                    ratified: e.ratified,
                    commitment: c.id.clone(),
                    text: normalize_text(&c.text),
                    by: c.by.clone(),
                    to: c.to.clone(),
                    since: edit.map(|x| rfc3339(x.time)),
                    commit: edit.map(|x| x.commit.to_string()),
                    revision: edit.and_then(|x| x.blob).map(|b| b.to_string()),
                });
            }
        }
    }
    crate::render::commitments::write(ui, &rows, party.as_deref(), side)
}
