//! `accord site`'s pages: an index of every agreement and one page per agreement, as HTML
//! strings built with `maud`, which escapes every interpolated value — a purpose holding
//! `<script>` is shown as text. No string-concatenated HTML: the only unescaped text is the
//! stylesheet from [`style`], which holds nothing from the repository.
//!
//! It renders values that `commands::site` gathered (evaluations, matrix columns, versions, the
//! log) and knows nothing of git; output depends only on its input (no clock, no hash-map
//! order), so the same repository and revision give the same bytes.

mod index;
mod page;
mod style;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::core::due::Due;
use crate::core::matrix::Column;
use crate::core::supersede::SupersededBy;
use crate::core::versions::Version;
use crate::core::Evaluation;
use crate::ledger::State;
use crate::model::Agreement;
use crate::oid::ObjectId;
use crate::trailers::Stance;

pub use index::index;
pub use page::page;

/// Everything the site shows, gathered at one commit.
#[derive(Debug, Clone)]
pub struct Site {
    /// The evaluated commit and its committer time (the site's "as of").
    pub commit: ObjectId,
    pub time: i64,
    /// Ordered by id.
    pub agreements: Vec<AgreementSite>,
}

/// One agreement as the site shows it.
#[derive(Debug, Clone)]
pub struct AgreementSite {
    pub id: String,
    /// The text at the evaluated commit.
    pub agreement: Agreement,
    /// Its state there (what `status` says).
    pub evaluation: Evaluation,
    /// The party × revision matrix, oldest column first; the last is the evaluated revision.
    pub columns: Vec<Column>,
    /// The purpose's versions, oldest first.
    pub versions: Vec<Version>,
    /// Edits and positions, newest first.
    pub log: Vec<LogEntry>,
    /// Why it is due for review as of the evaluated commit's date.
    pub due: Vec<Due>,
    /// The ratified agreements that supersede it (SPEC §3); empty when none.
    pub superseded_by: Vec<SupersededBy>,
}

impl AgreementSite {
    /// Whether the agreement is out of force: its retirement is ratified, or a ratified
    /// agreement supersedes it.
    pub fn ended(&self) -> bool {
        (self.evaluation.retired && self.evaluation.ratified) || !self.superseded_by.is_empty()
    }
}

/// One line of an agreement's log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub commit: ObjectId,
    pub time: i64,
    /// Whether the agreement stood ratified right after this event.
    pub ratified: bool,
    pub what: LogWhat,
}

#[derive(Debug, Clone)]
pub enum LogWhat {
    Edit {
        author: String,
        subject: String,
        /// One line on what changed in meaning (as `accord log` says it).
        summary: String,
        /// The blob after the edit; `None` when the file was deleted.
        revision: Option<ObjectId>,
    },
    Position {
        name: String,
        email: String,
        stance: Stance,
        note: String,
        /// The revision the position names, as its trailer gives it.
        revision: String,
    },
}

/// The relative path of an agreement's page from the site root.
pub fn page_path(id: &str) -> String {
    format!("agreements/{id}.html")
}

/// A finished page as text. maud escapes what HTML reads (`& < > " '`); what a browser would
/// act on unseen — bidirectional overrides that make a title read backwards, control
/// characters — is written out as on a terminal (`\u{202e}`), so a reader sees it is there.
/// accord's own markup and stylesheet hold none of those characters.
fn finish(page: Markup) -> String {
    crate::render::escape::terminal(&page.into_string()).into_owned()
}

/// A page: doctype, head with the inline stylesheet, a header, `body`, a footer.
fn layout(title: &str, root: &str, site: &Site, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="accord site";
                title { (title) }
                style { (PreEscaped(style::css())) }
            }
            body {
                header.site {
                    p {
                        a href={ (root) "index.html" } { "Agreements" }
                        " · as of commit " code { (site.commit.short()) }
                        " (" (date(site.time)) ")"
                    }
                }
                main { (body) }
                footer.site {
                    p {
                        "Made by " code { "accord site" } " from commit " code { (site.commit) }
                        ". Every state is decided by accord's rules from the repository's commits;"
                        " this page only shows it."
                    }
                }
            }
        }
    }
}

/// A state as a word with a symbol (the symbol is decoration; the word is the meaning).
fn state(s: State) -> Markup {
    let symbol = match s {
        State::Signed => "✓",
        State::Objecting => "✗",
        State::Abstained => "–",
        State::Stale => "↻",
        State::Silent => "…",
    };
    html! {
        span class={ "state " (s.as_str()) } {
            span aria-hidden="true" { (symbol) " " } (s.as_str())
        }
    }
}

/// Ratified or not, as a word.
fn verdict(ratified: bool) -> Markup {
    if ratified {
        html! { span.state.ratified { span aria-hidden="true" { "✓ " } "ratified" } }
    } else {
        html! { span.state.blocked { span aria-hidden="true" { "✗ " } "not ratified" } }
    }
}

/// Retired, a retirement still to be ratified, and superseded, as words with a symbol; and the
/// successors as links (`root` leads from the page to the site root).
fn ended(a: &AgreementSite, root: &str) -> Markup {
    let e = &a.evaluation;
    html! {
        @if e.retired && e.ratified {
            span.state.retired { span aria-hidden="true" { "⏹ " } "retired" }
        } @else if e.retired {
            span.state.stale { span aria-hidden="true" { "↻ " } "retirement not ratified" }
        }
        @if !a.superseded_by.is_empty() {
            @if e.retired { " " }
            span.state.superseded { span aria-hidden="true" { "⇢ " } "superseded" }
            " by "
            @for (k, b) in a.superseded_by.iter().enumerate() {
                @if k > 0 { ", " }
                a href={ (root) (page_path(&b.id)) } { (b.id) }
                @if let Some(t) = b.since { " since " (date(t)) }
            }
        }
    }
}

/// The date part of an RFC 3339 time.
fn date(secs: i64) -> String {
    let mut s = crate::render::rfc3339(secs);
    s.truncate(10);
    s
}
