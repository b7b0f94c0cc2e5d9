//! The index page: every agreement with its kind, verdict (or what blocks it), open objections,
//! who is still to take a position, and its dates; filters by kind and by state made of radio
//! buttons and CSS alone (the rows stay in the page, so it reads fine without CSS too).

use maud::{html, Markup};

use super::style::STATE_FILTERS;
use super::{date, ended, finish, layout, page_path, verdict, AgreementSite, Site};
use crate::core::due::DueReason;
use crate::ledger::State;
use crate::model::{Kind, Role};

/// The index page, `index.html` at the site root.
pub fn index(site: &Site) -> String {
    let body = html! {
        h1 { "Agreements" }
        p.meta {
            (site.agreements.len()) " agreement(s); "
            (site.agreements.iter().filter(|a| a.evaluation.ratified).count()) " ratified"
            @let out = site.agreements.iter().filter(|a| a.ended()).count();
            @if out > 0 { ", " (out) " retired or superseded" }
            "."
        }
        form.index {
            div.filters {
                fieldset {
                    legend { "Kind" }
                    label { input type="radio" name="kind" id="kind-all" checked; " all" }
                    @for kind in Kind::ALL {
                        label {
                            input type="radio" name="kind" id={ "kind-" (kind.as_str()) };
                            " " (kind.as_str())
                        }
                    }
                }
                fieldset {
                    legend { "State" }
                    label { input type="radio" name="state" id="state-all" checked; " all" }
                    @for (id, label) in STATE_FILTERS {
                        label {
                            input type="radio" name="state" id={ "state-" (id) }; " " (label)
                        }
                    }
                }
            }
            div.scroll role="region" aria-label="Agreements" tabindex="0" {
                table.index {
                    caption { "Every agreement at this commit; the filters above hide rows." }
                    thead {
                        tr {
                            th scope="col" { "Agreement" }
                            th scope="col" { "Kind" }
                            th scope="col" { "State" }
                            th scope="col" { "Open objections" }
                            th scope="col" { "Waiting for" }
                            th scope="col" { "Dates" }
                        }
                    }
                    tbody {
                        @for a in &site.agreements { (row(a, site)) }
                    }
                }
            }
        }
    };
    finish(layout("Agreements", "", site, body))
}

fn row(a: &AgreementSite, site: &Site) -> Markup {
    let e = &a.evaluation;
    let waiting: Vec<_> = e
        .parties
        .iter()
        .filter(|p| p.role != Role::Observer && matches!(p.state, State::Silent | State::Stale))
        .collect();
    let mut classes = vec![format!("k-{}", e.kind.as_str())];
    classes.push(if e.ratified { "s-ratified" } else { "s-blocked" }.to_string());
    if !e.objections.is_empty() {
        classes.push("s-objected".into());
    }
    if !waiting.is_empty() {
        classes.push("s-pending".into());
    }
    if !a.due.is_empty() {
        classes.push("s-due".into());
    }
    if e.retired {
        classes.push("s-retired".into());
    }
    if !a.superseded_by.is_empty() {
        classes.push("s-superseded".into());
    }
    html! {
        tr class=(classes.join(" ")) id={ "a-" (a.id) } {
            th scope="row" {
                a href=(page_path(&a.id)) { (a.agreement.title.trim()) }
                br; span.id.muted { (a.id) }
            }
            td data-label="Kind" { (e.kind.as_str()) }
            td data-label="State" {
                (verdict(e.ratified))
                @if e.retired || !a.superseded_by.is_empty() { br; (ended(a, "")) }
                @if !e.blocking.is_empty() {
                    ul.plain { @for b in &e.blocking { li { (b) } } }
                }
            }
            td data-label="Open objections" {
                @if e.objections.is_empty() { span.muted { "none" } }
                @else {
                    ul.plain {
                        @for o in &e.objections { li { (o.email) ": " (first_line(&o.reason)) } }
                    }
                }
            }
            td data-label="Waiting for" {
                @if waiting.is_empty() { span.muted { "nobody" } }
                @else {
                    ul.plain { @for p in &waiting { li { (p.name) " (" (p.state.as_str()) ")" } } }
                }
            }
            td data-label="Dates" {
                @match crate::render::review_line(&a.agreement) {
                    Some(line) => { (line) }
                    None => { span.muted { "none" } }
                }
                @for d in &a.due {
                    br;
                    span.state.due {
                        span aria-hidden="true" { "! " }
                        (due_words(d.reason)) " " (d.due_on.to_string())
                    }
                    " (as of " (date(site.time)) ")"
                }
            }
        }
    }
}

/// The first line of a reason, for the index; the agreement page has it whole.
fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

fn due_words(r: DueReason) -> &'static str {
    match r {
        DueReason::Ends => "ended on",
        DueReason::ReviewBy => "review due since",
        DueReason::ReviewEvery => "periodic review due since",
    }
}
