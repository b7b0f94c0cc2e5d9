//! `accord due`: agreements past their review date.

use std::path::Path;

use jiff::civil::Date;
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::{Error, Result};
use crate::model::Period;
use crate::store::Timeline;
use crate::ui::{Ui, WARN};

/// List agreements past their review date
///
/// An agreement is due when its `review_by` date has come, when `review_every` has passed since
/// it last became ratified, or when its `ends` date has passed. An agreement that was never
/// ratified has no review clock yet.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Judge as of this date instead of today (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize)]
struct Due {
    agreement: String,
    title: String,
    /// review_by | review_every | ends
    reason: &'static str,
    /// The date the review fell due (or the agreement ended).
    due_on: String,
    /// When it last became ratified, for review_every.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_ratified: Option<String>,
    /// The `review_every` period as written, for the human line.
    #[serde(skip)]
    every: Option<String>,
}

fn toml_date(d: &toml::value::Datetime) -> Option<Date> {
    let d = d.date?;
    Date::new(d.year as i16, d.month as i8, d.day as i8).ok()
}

fn add(date: Date, p: Period) -> Option<Date> {
    let span = match p {
        Period::Days(n) => jiff::Span::new().try_days(n as i64).ok()?,
        Period::Weeks(n) => jiff::Span::new().try_weeks(n as i64).ok()?,
        Period::Months(n) => jiff::Span::new().try_months(n as i64).ok()?,
    };
    date.checked_add(span).ok()
}

pub fn run(dir: Option<&Path>, args: Args, ui: &mut Ui) -> Result<()> {
    super::no_markdown(ui, "due")?;
    let today: Date = match &args.as_of {
        Some(s) => s
            .parse()
            .map_err(|_| Error::new(format!("`{s}` is not a date")).hint("write YYYY-MM-DD"))?,
        None => jiff::Zoned::now().date(),
    };
    let store = super::open(dir, ui)?;
    let mut out = Vec::new();
    if let Some(head) = store.head()? {
        let ids = store.ids_at(head)?;
        let graph = if ids.is_empty() { None } else { Some(store.graph(head)?) };
        for (id, _) in ids {
            let (_, a) = super::load_at(&store, head, &id)?;
            let title = a.title.trim().to_string();
            if let Some(end) = a.ends.as_ref().and_then(toml_date) {
                if end < today {
                    out.push(Due {
                        agreement: id.clone(),
                        title: title.clone(),
                        reason: "ends",
                        due_on: end.to_string(),
                        last_ratified: None,
                        every: None,
                    });
                }
            }
            if let Some(by) = a.review_by.as_ref().and_then(toml_date) {
                if by <= today {
                    out.push(Due {
                        agreement: id.clone(),
                        title: title.clone(),
                        reason: "review_by",
                        due_on: by.to_string(),
                        last_ratified: None,
                        every: None,
                    });
                }
            }
            let Some(period) = a.review_every.as_deref().and_then(Period::parse) else { continue };
            let Some(graph) = graph.as_ref() else { continue };
            let timeline = Timeline::build(&store, graph, &id)?;
            let ratified = timeline.replay(&store)?;
            // Newest first: the last event that turned "not ratified" into "ratified".
            let became = (0..timeline.events.len()).find(|&k| {
                ratified[k] == Some(true) && ratified.get(k + 1).copied().flatten() != Some(true)
            });
            let Some(k) = became else { continue };
            let at = timeline.events[k].time();
            let Ok(ts) = jiff::Timestamp::from_second(at) else { continue };
            let since = ts.to_zoned(jiff::tz::TimeZone::UTC).date();
            if let Some(due) = add(since, period) {
                if due <= today {
                    out.push(Due {
                        agreement: id.clone(),
                        title,
                        reason: "review_every",
                        due_on: due.to_string(),
                        last_ratified: Some(crate::render::rfc3339(at)),
                        every: a.review_every.clone(),
                    });
                }
            }
        }
    }
    match ui.format {
        OutputFormat::Json => ui.json(&out)?,
        _ => {
            if out.is_empty() {
                ui.status(format!("nothing is due as of {today}"));
            }
            for d in &out {
                let why = match d.reason {
                    "ends" => format!("ended on {}", d.due_on),
                    "review_by" => format!("review was due by {}", d.due_on),
                    _ => format!(
                        "review was due on {} ({} after it was last ratified, {})",
                        d.due_on,
                        d.every.as_deref().unwrap_or("?"),
                        d.last_ratified.as_deref().unwrap_or("?")
                    ),
                };
                writeln!(
                    ui.out(),
                    "{}  {WARN}due{WARN:#}  {} — {why}",
                    d.agreement,
                    crate::render::human::sanitize(&d.title)
                )?;
            }
        }
    }
    Ok(())
}
