//! Markdown for pull-request comments and wikis. Never coloured.
//!
//! Every text that comes from a file or a commit goes through `escape::markdown`, so it reads as
//! the characters it holds and can open no markup (no HTML, links, mentions, headings, lists,
//! tables or emphasis); accord's own markup around it is written here.

use std::io::{self, Write};

use super::escape;
use crate::core::commitments::GiveTake;
use crate::core::supersede::SupersededBy;
use crate::core::Evaluation;
use crate::model::Agreement;

/// Text from a file or a commit on one line, fit for a table cell or a list item: whitespace
/// normalised, then escaped by `escape::markdown` (which escapes `|` and a leading `+`, `-` or
/// `*` too).
pub fn cell(s: &str) -> String {
    escape::markdown(&crate::model::normalize_text(s))
}

/// `**Superseded** by `adr-31` since 2026-11-20T10:02:00Z.`
fn superseded_line(by: &[SupersededBy]) -> String {
    let each: Vec<String> = by
        .iter()
        .map(|b| match b.since {
            Some(t) => format!("`{}` since {}", b.id, super::rfc3339(t)),
            None => format!("`{}`", b.id),
        })
        .collect();
    format!("**Superseded** by {}.", each.join(", "))
}

/// The give-and-take table of a partnership.
fn give_and_take(w: &mut dyn Write, parties: &[GiveTake]) -> io::Result<()> {
    let ids = |v: &[String]| v.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    writeln!(w, "| party | gives | receives |\n|---|---|---|")?;
    for g in parties {
        writeln!(
            w,
            "| {} &lt;{}&gt; | {} | {} |",
            cell(&g.name),
            cell(&g.email),
            ids(&g.gives),
            ids(&g.receives)
        )?;
    }
    Ok(())
}

pub fn show(w: &mut dyn Write, id: &str, a: &Agreement) -> io::Result<()> {
    show_superseded(w, id, a, &[])
}

/// [`show`], saying which ratified agreements supersede this one.
pub fn show_superseded(
    w: &mut dyn Write,
    id: &str,
    a: &Agreement,
    by: &[SupersededBy],
) -> io::Result<()> {
    writeln!(w, "# {}\n", cell(&a.title))?;
    if !by.is_empty() {
        writeln!(w, "{}\n", superseded_line(by))?;
    }
    write!(w, "*{}* `{id}` — decision: {}", a.kind, a.decision.rule)?;
    if let Some(q) = a.decision.quorum {
        write!(w, " ({q})")?;
    }
    if let Some(r) = super::review_line(a) {
        write!(w, "; {}", cell(&r))?;
    }
    if !a.supersedes.is_empty() {
        let ids: Vec<String> = a.supersedes.iter().map(|s| format!("`{s}`")).collect();
        write!(w, "; supersedes {} once ratified", ids.join(", "))?;
    }
    if a.retired {
        write!(w, "; **retired**: this text ends the agreement once it is ratified")?;
    }
    writeln!(w, "\n\n## Purpose\n\n{}\n", escape::markdown(a.purpose.trim()))?;
    if let Some(s) = &a.scope {
        writeln!(w, "## Scope\n")?;
        for i in &s.included {
            writeln!(w, "- **in:** {}", cell(i))?;
        }
        for o in &s.excluded {
            writeln!(w, "- **out:** {}", cell(o))?;
        }
        writeln!(w)?;
    }
    writeln!(w, "## Parties\n\n| name | email | role |\n|---|---|---|")?;
    for p in &a.parties {
        writeln!(w, "| {} | {} | {} |", cell(&p.name), cell(&p.email), p.role)?;
    }
    if !a.commitments.is_empty() {
        writeln!(w, "\n## Commitments\n\n| id | by | to | text |\n|---|---|---|---|")?;
        for c in &a.commitments {
            writeln!(
                w,
                "| `{}` | {} | {} | {} |",
                c.id,
                cell(&c.by.join(", ")),
                cell(&c.to.join(", ")),
                cell(&c.text)
            )?;
        }
    }
    if crate::core::commitments::shows_give_and_take(a.kind) {
        writeln!(w, "\n## Give and take\n")?;
        give_and_take(w, &crate::core::commitments::give_and_take(a))?;
    }
    if !a.norms.is_empty() {
        writeln!(w, "\n## Norms\n")?;
        for n in &a.norms {
            writeln!(w, "- {}", cell(&n.text))?;
        }
    }
    Ok(())
}

pub fn status(w: &mut dyn Write, e: &Evaluation) -> io::Result<()> {
    status_superseded(w, e, &[])
}

/// [`status`], saying which ratified agreements supersede this one.
pub fn status_superseded(w: &mut dyn Write, e: &Evaluation, by: &[SupersededBy]) -> io::Result<()> {
    let verdict = if e.ratified { "✅ ratified" } else { "⛔ not ratified" };
    writeln!(w, "### `{}` — {verdict} ({})\n", e.agreement, e.rule)?;
    if !by.is_empty() {
        writeln!(w, "{}\n", superseded_line(by))?;
    }
    writeln!(w, "| party | role | state | when | commits to |\n|---|---|---|---|---|")?;
    for p in &e.parties {
        let mut state = p.state.as_str().to_string();
        if p.carried_over {
            state.push_str(" (carried over: same meaning)");
        }
        writeln!(
            w,
            "| {} &lt;{}&gt; | {} | {state} | {} | {} |",
            cell(&p.name),
            cell(&p.email),
            p.role,
            p.time.map(super::rfc3339).unwrap_or_default(),
            p.commitments.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        )?;
    }
    if !e.objections.is_empty() {
        writeln!(w, "\n**Open objections**\n")?;
        for o in &e.objections {
            let reason = if o.reason.is_empty() {
                "(no reason given)".to_string()
            } else {
                escape::markdown(o.reason.trim()).replace('\n', "\n  > ")
            };
            writeln!(w, "- {}:\n  > {reason}", cell(&o.email))?;
        }
    }
    let parties = crate::core::commitments::give_and_take_of(e);
    if !parties.is_empty() {
        writeln!(w, "\n**Give and take**\n")?;
        give_and_take(w, &parties)?;
    }
    if !e.ratified {
        writeln!(
            w,
            "\n**Blocking:** {}",
            e.blocking.iter().map(|b| cell(b)).collect::<Vec<_>>().join("; ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_keep_their_sign() {
        assert_eq!(cell("+ norm: Be kind."), "\\+ norm: Be kind.");
        assert_eq!(
            cell("- party A <a@example.com> (partner)"),
            "\\- party A &lt;a@example.com&gt; (partner)"
        );
        assert_eq!(cell("decision: consent → quorum"), "decision: consent → quorum");
    }

    #[test]
    fn cells_are_one_line_and_inert() {
        assert_eq!(cell("a |  b\n c"), "a \\| b c");
        assert_eq!(cell("<!-- x --> @team"), "&lt;!-- x --&gt; @\u{200d}team");
    }
}
