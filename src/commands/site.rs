//! `accord site`: gather every agreement's state, matrix, purpose versions and log at one commit
//! (store → core) and write the pages `render::site` makes. It decides nothing itself: states
//! come from `evaluate_at` and the core, HTML from the renderer.

use std::path::PathBuf;

use crate::error::Result;
use crate::render::site::{self, Site};
use crate::ui::Ui;

/// Write a static HTML site of the agreements: an index and one page per agreement
///
/// The index lists every agreement with its kind, whether it is ratified or what blocks it,
/// whether it is retired or superseded, open objections, who is still to take a position, and
/// its dates, with filters by kind and state (no JavaScript). Each agreement's page has its text (purpose first), a party × revision
/// matrix, the purpose's versions with word-level changes, and the log of edits and positions.
///
/// The pages are self-contained (inline styles, no network) and the same repository and
/// revision always give the same bytes. Files already in DIR are overwritten, never removed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write the site into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Show the agreements at this commit instead of HEAD
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, "site", "HTML pages")?;
    let store = super::open(ui)?;
    let commit = match &args.rev {
        Some(r) => store.resolve(r)?,
        None => store.head_required()?,
    };
    let t0 = std::time::Instant::now();
    let evaluations = super::evaluate_at(&store, commit, &[])?;
    let mut superseded = super::supersessions(&store, commit, &evaluations)?;
    // One walk serves every agreement's timeline; its first node is the tip.
    let graph = store.graph(commit)?;
    crate::store::trace("site: graph", t0);
    let time = graph.nodes.first().map_or(0, |n| n.time);
    let mut agreements = super::site_pages(&store, &graph, commit, time, evaluations)?;
    for a in &mut agreements {
        a.superseded_by = superseded.remove(&a.id).unwrap_or_default();
        // Retired and superseded agreements have no reviews to come, as for `accord due`.
        if a.evaluation.retired || !a.superseded_by.is_empty() {
            a.due.clear();
        }
    }
    crate::store::trace("site: timelines", t0);
    agreements.sort_by(|a, b| a.id.cmp(&b.id));
    let site = Site { commit, time, agreements };
    // The index last: it never links to a page not yet in place.
    let mut pages: Vec<(PathBuf, String)> = site
        .agreements
        .iter()
        .map(|a| (args.out.join(site::page_path(&a.id)), site::page(&site, a)))
        .collect();
    pages.push((args.out.join("index.html"), site::index(&site)));
    super::write_in_place(&pages)?;
    crate::store::trace("site: written", t0);
    ui.status(format!(
        "wrote {} page(s) to {}",
        site.agreements.len() + 1,
        crate::render::escape::terminal(&args.out.display().to_string())
    ));
    Ok(())
}
