//! `accord due`: agreements past their review date.

use jiff::civil::Date;

use crate::core::due;
use crate::error::{Error, Result};
use crate::render;
use crate::store::Timeline;
use crate::ui::Ui;

/// List agreements past their review date
///
/// An agreement is due when its `review_by` date has come, when `review_every` has passed since
/// it last became ratified, or when its `ends` date has passed. An agreement that was never
/// ratified has no review clock yet; `--as-of` an earlier day counts from the last
/// ratification made by the end of that day.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Judge as of this date instead of today, the UTC day now (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Exit 1 when any agreement is due (for CI)
    #[arg(long)]
    pub fail: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    super::no_markdown(ui, "due")?;
    let today: Date = match &args.as_of {
        Some(s) => s
            .parse()
            .map_err(|_| Error::new(format!("`{s}` is not a date")).hint("write YYYY-MM-DD"))?,
        // The UTC day, as review periods count from UTC days: a laptop and a CI runner judging
        // at the same instant agree, whatever their time zones.
        None => jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date(),
    };
    // Judged as the day ended: a ratification made later had not happened yet.
    let until = match args.as_of {
        Some(_) => today
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map_or(i64::MAX, |z| z.timestamp().as_second() - 1),
        None => i64::MAX,
    };
    let store = super::open(ui)?;
    let mut out = Vec::new();
    if let Some(head) = store.head()? {
        let ids = store.ids_at(head)?;
        let graph = if ids.is_empty() { None } else { Some(store.graph(head)?) };
        // A superseded agreement is treated like a retired one (SPEC §3): nothing to review.
        let superseded = super::supersessions(&store, head, &[])?;
        for (id, _) in ids.into_iter().filter(|(id, _)| !superseded.contains_key(id)) {
            let (_, a) = super::load_at(&store, head, &id)?;
            // A ratified retirement has no reviews to come; a proposed one is not in force yet.
            if a.retired {
                let judged = super::evaluate_at(&store, head, std::slice::from_ref(&id))?;
                if judged.first().is_some_and(|e| e.ratified) {
                    continue;
                }
            }
            let mut ratified_at = None;
            if let (true, Some(graph)) = (due::needs_ratification_time(&a), graph.as_ref()) {
                let timeline = Timeline::build(&store, graph, &id)?;
                let ratified = timeline.replay(&store)?;
                let times = timeline.judged_times(&store);
                ratified_at = due::last_became_ratified_by(&ratified, &times, until);
            }
            out.extend(due::due(&id, &a, today, ratified_at));
        }
    }
    render::due::write(ui, &out, today)?;
    if args.fail && !out.is_empty() {
        return Ok(super::Outcome::No(format!("{} agreement(s) due as of {today}", out.len())));
    }
    Ok(super::Outcome::Done)
}
