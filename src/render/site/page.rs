//! One agreement's page: the purpose, the party × revision matrix, the rest of the current text
//! (commitments with who gives and who receives, scope, norms), the purpose timeline with
//! word-level insertions and deletions, and the log of edits and positions.

use maud::{html, Markup};

use super::{date, ended, finish, layout, state, verdict, AgreementSite, LogEntry, LogWhat, Site};
use crate::core::matrix::Column;
use crate::core::versions::Version;
use crate::core::PartyState;
use crate::diff::SegmentKind;
use crate::ledger::State;
use crate::model::{self, Agreement, Party};

/// The page of `a`, `agreements/<id>.html` under the site root.
pub fn page(site: &Site, a: &AgreementSite) -> String {
    let ag = &a.agreement;
    let e = &a.evaluation;
    let body = html! {
        h1 { (ag.title.trim()) }
        p.meta {
            span.id { (a.id) } " · " (ag.kind.as_str()) " · decided by " (rule(ag))
            " · revision " code { (short(&e.revision)) }
        }
        p.verdict {
            (verdict(e.ratified))
            @if e.retired || !a.superseded_by.is_empty() { " " (ended(a, "../")) }
        }
        @if !e.blocking.is_empty() {
            ul.plain aria-label="What blocks it" { @for b in &e.blocking { li { (b) } } }
        }
        h2 id="purpose" { "Purpose" }
        p.purpose { (ag.purpose.trim()) }
        h2 id="matrix" { "Who agreed to which revision" }
        (matrix(a))
        (text(ag))
        h2 id="timeline" { "How the purpose changed" }
        (timeline(&a.versions))
        h2 id="log" { "Log of edits and positions" }
        (log(&a.log))
    };
    finish(layout(&format!("{} — {}", ag.title.trim(), a.id), "../", site, body))
}

fn rule(a: &Agreement) -> String {
    match a.decision.quorum {
        Some(q) => format!("{} (quorum {q})", a.decision.rule),
        None => a.decision.rule.to_string(),
    }
}

fn short(hex: &str) -> &str {
    hex.get(..10).unwrap_or(hex)
}

/// The rest of the current text: commitments, scope, norms, dates (the parties are the rows
/// of the matrix).
fn text(a: &Agreement) -> Markup {
    // A party's name for an email of this agreement, or the email as written; looked up, so
    // that thousands of parties and commitments stay linear (SPEC §9).
    let by_email = a.parties_by_email();
    let names = |emails: &[String]| -> String {
        let who = |e: &String| match by_email.get(&model::email_key(e)) {
            Some(p) => p.name.clone(),
            None => e.clone(),
        };
        emails.iter().map(who).collect::<Vec<_>>().join(", ")
    };
    html! {
        @if !a.commitments.is_empty() {
            h2 id="commitments" { "Commitments" }
            div.scroll role="region" aria-label="Commitments" tabindex="0" {
                table {
                    caption { "Who gives what, to whom" }
                    thead {
                        tr {
                            th scope="col" { "Commitment" } th scope="col" { "Given by" }
                            th scope="col" { "Owed to" } th scope="col" { "Text" }
                        }
                    }
                    tbody {
                        @for c in &a.commitments {
                            tr {
                                th scope="row" { span.id { (c.id) } }
                                td { (names(&c.by)) }
                                td { @if c.to.is_empty() { span.muted { "—" } } @else { (names(&c.to)) } }
                                td { (c.text.trim()) }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(s) = &a.scope {
            h2 id="scope" { "Scope" }
            h3 { "In scope" }
            @if s.included.is_empty() { p.muted { "nothing listed" } }
            ul.plain { @for i in &s.included { li { (i.trim()) } } }
            h3 { "Out of scope" }
            @if s.excluded.is_empty() { p.muted { "nothing listed" } }
            ul.plain { @for i in &s.excluded { li { (i.trim()) } } }
        }
        @if !a.norms.is_empty() {
            h2 id="norms" { "Norms" }
            ul.plain { @for n in &a.norms { li { (n.text.trim()) } } }
        }
        @if let Some(line) = crate::render::review_line(a) {
            p.meta { "Dates: " (line) }
        }
    }
}

/// Rows: every party of the current text, then those only earlier revisions had (newest
/// first); each once, by the identity rule.
fn rows(a: &AgreementSite) -> Vec<Party> {
    let mut out: Vec<Party> = a.agreement.parties.clone();
    let mut seen: std::collections::HashSet<String> =
        out.iter().map(|p| model::email_key(&p.email)).collect();
    for c in a.columns.iter().rev() {
        for p in &c.evaluation.parties {
            if seen.insert(model::email_key(&p.email)) {
                out.push(Party { name: p.name.clone(), email: p.email.clone(), role: p.role });
            }
        }
    }
    out
}

fn matrix(a: &AgreementSite) -> Markup {
    let parties = rows(a);
    let n = a.columns.len();
    // Each column's party states by email (the first where two share one).
    let states: Vec<std::collections::HashMap<String, &PartyState>> = a
        .columns
        .iter()
        .map(|c| {
            let mut m = std::collections::HashMap::with_capacity(c.evaluation.parties.len());
            for s in &c.evaluation.parties {
                m.entry(model::email_key(&s.email)).or_insert(s);
            }
            m
        })
        .collect();
    html! {
        p.meta {
            "Rows are parties, columns the revisions that changed the meaning, oldest first. "
            "Each revision is judged as it stood until the next one replaced it; the last "
            "column is the text at this commit."
        }
        div.scroll role="region" aria-label="Party by revision matrix" tabindex="0" {
            table.matrix {
                caption { "Each party's state on each revision" }
                thead {
                    tr {
                        th scope="col" { "Party" }
                        @for (i, c) in a.columns.iter().enumerate() {
                            th scope="col" data-revision=(c.evaluation.revision) {
                                "r" (i + 1) @if i + 1 == n { " (current)" }
                                br; code { (short(&c.evaluation.revision)) }
                                br; span.meta { (date(c.time)) " by " (c.author_name) }
                                br; (verdict(c.evaluation.ratified))
                            }
                        }
                    }
                }
                tbody {
                    @for p in &parties {
                        tr {
                            th scope="row" {
                                (p.name) br; span.meta { (p.email) " · " (p.role.as_str()) }
                            }
                            @for (c, st) in a.columns.iter().zip(&states) {
                                (cell(&a.columns, c, p, st.get(&model::email_key(&p.email)).copied()))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `found`: the party's state in this column, if it was a party of its revision.
fn cell(columns: &[Column], c: &Column, p: &Party, found: Option<&PartyState>) -> Markup {
    let revision = &c.evaluation.revision;
    match found {
        None => html! {
            td data-party=(p.email) data-revision=(revision) data-state="none" {
                span.state.none { "not a party" }
            }
        },
        Some(s) => {
            let reason = s.note.as_deref().filter(|_| s.state == State::Objecting);
            html! {
                td data-party=(p.email) data-revision=(revision) data-state=(s.state.as_str())
                    title=[reason] {
                    (state(s.state))
                    @if s.carried_over {
                        span.carried { "carried over: same meaning" }
                    }
                    @if s.state == State::Stale {
                        @if let Some(r) = &s.revision {
                            span.carried {
                                "on " (label(columns, r)) " " code { (short(r)) }
                            }
                        }
                    }
                    @if let Some(r) = reason {
                        span.reason { "Reason: " (r.trim()) }
                    }
                }
            }
        }
    }
}

/// `r<n>` for a revision in column n, else "revision".
fn label(columns: &[Column], revision: &str) -> String {
    columns
        .iter()
        .position(|c| c.revisions.iter().any(|r| r.to_string() == revision))
        .map_or_else(|| "revision".to_string(), |i| format!("r{}", i + 1))
}

fn timeline(versions: &[Version]) -> Markup {
    html! {
        @if versions.is_empty() { p.muted { "No versions in this history." } }
        ol.versions {
            @for (i, v) in versions.iter().enumerate() {
                li {
                    h3 { "Version " (i + 1) " · " (date(v.time)) }
                    p.meta {
                        (v.author) " <" (v.email) "> · commit " code { (v.commit.short()) } " · "
                        @if v.ratified { "ratified while it stood" } @else { "never ratified" }
                    }
                    blockquote {
                        @if v.words.is_empty() {
                            (v.value.as_deref().unwrap_or("(not set)"))
                        } @else {
                            @for (i, w) in v.words.iter().enumerate() {
                                @if i > 0 { " " }
                                @match w.kind {
                                    SegmentKind::Equal => { (w.text) }
                                    SegmentKind::Insert => { ins { (w.text) } }
                                    SegmentKind::Delete => { del { (w.text) } }
                                }
                            }
                        }
                    }
                    p.meta {
                        "Consented: "
                        @if v.signed_by.is_empty() { "nobody" } @else { (v.signed_by.join(", ")) }
                    }
                }
            }
        }
    }
}

fn log(entries: &[LogEntry]) -> Markup {
    html! {
        p.meta { "Newest first, in the order accord decides standing positions." }
        div.scroll role="region" aria-label="Log" tabindex="0" {
            table.log {
                caption { "Edits and positions" }
                thead {
                    tr {
                        th scope="col" { "When" } th scope="col" { "Commit" }
                        th scope="col" { "What" } th scope="col" { "Details" }
                        th scope="col" { "Ratified after" }
                    }
                }
                tbody { @for e in entries { (log_row(e)) } }
            }
        }
    }
}

fn log_row(e: &LogEntry) -> Markup {
    let when = crate::render::rfc3339(e.time);
    html! {
        tr {
            th scope="row" { (when) }
            td { code { (e.commit.short()) } }
            @match &e.what {
                LogWhat::Edit { author, subject, summary, revision } => {
                    td { "edit by " (author) }
                    td {
                        (summary)
                        @if let Some(r) = revision { " → " code { (r.short()) } }
                        br; span.meta { (subject) }
                    }
                }
                LogWhat::Position { name, email, stance, note, revision } => {
                    td { (stance.as_str()) " by " (name) " <" (email) ">" }
                    td {
                        "on " code { (short(revision)) }
                        @if !note.trim().is_empty() { br; span.meta { (note.trim()) } }
                    }
                }
            }
            td { @if e.ratified { "yes" } @else { "no" } }
        }
    }
}
