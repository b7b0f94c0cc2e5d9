//! Review dates (SPEC §6 `due`): an agreement is due when its `ends` date has passed, its
//! `review_by` date has come, or `review_every` has passed since it last became ratified.

use jiff::civil::Date;
use serde::Serialize;

use crate::model::{Agreement, Period};

/// Why an agreement is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueReason {
    /// Its `ends` date has passed.
    Ends,
    /// Its `review_by` date has come.
    ReviewBy,
    /// `review_every` has passed since it last became ratified.
    ReviewEvery,
}

/// One agreement that is due, and why.
#[derive(Debug, Clone)]
pub struct Due {
    pub agreement: String,
    pub title: String,
    pub reason: DueReason,
    /// The date the review fell due (or the agreement ended).
    pub due_on: Date,
    /// When it last became ratified (seconds since the epoch), for `review_every`.
    pub last_ratified: Option<i64>,
    /// The `review_every` period as written.
    pub every: Option<String>,
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

/// Whether `review_every` needs the time the agreement last became ratified.
pub fn needs_ratification_time(a: &Agreement) -> bool {
    a.review_every.as_deref().and_then(Period::parse).is_some()
}

/// The time an agreement last became ratified: the newest event after which it stood ratified
/// while it did not before. `ratified` is a replay aligned with events ordered newest first.
pub fn last_became_ratified(ratified: &[Option<bool>], times: &[i64]) -> Option<i64> {
    last_became_ratified_by(ratified, times, i64::MAX)
}

/// [`last_became_ratified`] as it stood at `until`: events after it are not yet made.
pub fn last_became_ratified_by(
    ratified: &[Option<bool>],
    times: &[i64],
    until: i64,
) -> Option<i64> {
    (0..ratified.len())
        .filter(|&k| times[k] <= until)
        .find(|&k| {
            ratified[k] == Some(true) && ratified.get(k + 1).copied().flatten() != Some(true)
        })
        .map(|k| times[k])
}

/// Every reason `a` is due on `today`; `ratified_at` is when it last became ratified.
pub fn due(id: &str, a: &Agreement, today: Date, ratified_at: Option<i64>) -> Vec<Due> {
    let title = a.title.trim().to_string();
    let mut out = Vec::new();
    let item = |reason, due_on, last_ratified, every| Due {
        agreement: id.to_string(),
        title: title.clone(),
        reason,
        due_on,
        last_ratified,
        every,
    };
    if let Some(end) = a.ends.as_ref().and_then(toml_date) {
        if end < today {
            out.push(item(DueReason::Ends, end, None, None));
        }
    }
    if let Some(by) = a.review_by.as_ref().and_then(toml_date) {
        if by <= today {
            out.push(item(DueReason::ReviewBy, by, None, None));
        }
    }
    let period = a.review_every.as_deref().and_then(Period::parse);
    if let (Some(period), Some(at)) = (period, ratified_at) {
        let since = jiff::Timestamp::from_second(at)
            .ok()
            .map(|ts| ts.to_zoned(jiff::tz::TimeZone::UTC).date());
        if let Some(due) = since.and_then(|s| add(s, period)) {
            if due <= today {
                out.push(item(DueReason::ReviewEvery, due, Some(at), a.review_every.clone()));
            }
        }
    }
    out
}
