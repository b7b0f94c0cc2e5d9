//! Human-readable text. Colour comes from anstyle codes that the output stream strips when
//! colour is off; word diffs are rendered by the caller for the right mode.
//!
//! Every text that comes from a file or a commit (titles, purposes, names, notes) goes through
//! [`escape::terminal`] before it reaches the terminal: the only escape sequences accord prints
//! are its own styling. Semantic diffs are presented by `render::diff`.

use std::io::{self, Write};

use super::escape;
use crate::core::commitments::{shows_give_and_take, GiveTake};
use crate::core::supersede::SupersededBy;
use crate::core::Evaluation;
use crate::ledger::State;
use crate::model::Agreement;
use crate::ui::{BAD, BOLD, DIM, GOOD, WARN};

/// The terminal escaper under its old name, so that command files not yet moved to
/// [`escape::terminal`] keep building; it is that function, not another escaper.
pub use super::escape::terminal as sanitize;

/// Whether `line` opens a list item (`- `, `* `, `+ `, `1. ` or `1) `); the marker's width.
fn list_marker(line: &str) -> Option<usize> {
    let t = line.trim_start();
    if ["- ", "* ", "+ "].iter().any(|m| t.starts_with(m)) {
        return Some(2);
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &t[digits..];
    (digits > 0 && (rest.starts_with(". ") || rest.starts_with(") "))).then_some(digits + 2)
}

/// Whether `text` has a line that opens a list item.
pub fn has_list(text: &str) -> bool {
    text.lines().any(|l| list_marker(l).is_some())
}

/// `text` word-wrapped at 88 columns under `indent`, paragraphs kept apart by a blank line and
/// each list item on its own line (its continuation lines under its text), so a purpose written
/// as a bullet list reads as one.
pub fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    for para in text.trim().split("\n\n") {
        // Blocks: a list item with its continuation lines, or the prose between items.
        let mut blocks: Vec<(usize, String)> = Vec::new();
        for line in para.lines() {
            match (list_marker(line), blocks.last_mut()) {
                (Some(width), _) => blocks.push((width, line.trim().to_string())),
                (None, None) => blocks.push((0, line.trim().to_string())),
                (None, Some((_, block))) => {
                    block.push(' ');
                    block.push_str(line.trim());
                }
            }
        }
        for (hang, block) in blocks {
            let mut line = String::new();
            let mut first = true;
            for word in block.split_whitespace() {
                if !line.is_empty() && line.len() + word.len() + 1 > 88 {
                    out.push_str(indent);
                    if !first {
                        out.push_str(&" ".repeat(hang));
                    }
                    out.push_str(&line);
                    out.push('\n');
                    line.clear();
                    first = false;
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            if !line.is_empty() {
                out.push_str(indent);
                if !first {
                    out.push_str(&" ".repeat(hang));
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// `superseded by adr-31 since 2026-11-20T10:02:00Z` (several: `by a since …, b since …`).
pub fn superseded_text(by: &[SupersededBy]) -> String {
    let each: Vec<String> = by
        .iter()
        .map(|b| match b.since {
            Some(t) => format!("{} since {}", b.id, super::rfc3339(t)),
            None => b.id.clone(),
        })
        .collect();
    format!("superseded by {}", each.join(", "))
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
    writeln!(w, "{BOLD}{}{BOLD:#}  {DIM}({id}, {}){DIM:#}", escape::line(a.title.trim()), a.kind)?;
    if !by.is_empty() {
        writeln!(w, "{WARN}{}{WARN:#}", superseded_text(by))?;
    }
    if !a.supersedes.is_empty() {
        writeln!(w, "{DIM}supersedes {} once ratified{DIM:#}", a.supersedes.join(", "))?;
    }
    if a.retired {
        writeln!(w, "{WARN}retired{WARN:#}: this text ends the agreement once it is ratified")?;
    }
    writeln!(w)?;
    writeln!(w, "{BOLD}Purpose{BOLD:#}")?;
    writeln!(w, "{}", wrap(&escape::terminal(&a.purpose), "  "))?;
    writeln!(w)?;
    let rule = match a.decision.quorum {
        Some(q) => format!("{} ({q})", a.decision.rule),
        None => a.decision.rule.to_string(),
    };
    let stewards = if a.parties.iter().any(|p| p.role == crate::model::Role::Steward) {
        "; stewards must sign"
    } else {
        ""
    };
    writeln!(w, "{BOLD}Decision{BOLD:#}  {rule}{stewards}")?;
    if let Some(r) = super::review_line(a) {
        writeln!(w, "{BOLD}Review{BOLD:#}    {}", escape::terminal(&r))?;
    }
    if let Some(s) = &a.scope {
        writeln!(w)?;
        writeln!(w, "{BOLD}Scope{BOLD:#}")?;
        for i in &s.included {
            writeln!(w, "  in:  {}", escape::terminal(i.trim()))?;
        }
        for o in &s.excluded {
            writeln!(w, "  out: {}", escape::terminal(o.trim()))?;
        }
    }
    writeln!(w)?;
    writeln!(w, "{BOLD}Parties{BOLD:#}")?;
    let committed = a.commitments_by_email();
    let by_email = a.parties_by_email();
    let who = |e: &str| match by_email.get(&crate::model::email_key(e)) {
        Some(p) => format!("{} <{}>", p.name, p.email),
        None => e.to_string(),
    };
    for p in &a.parties {
        let owes = committed.by(&p.email);
        let owes = if owes.is_empty() {
            String::new()
        } else {
            format!("  commits to: {}", owes.join(", "))
        };
        let (name, email) = (escape::terminal(&p.name), escape::terminal(&p.email));
        writeln!(w, "  {name} <{email}> ({}){DIM}{owes}{DIM:#}", p.role)?;
    }
    if !a.commitments.is_empty() {
        writeln!(w)?;
        writeln!(w, "{BOLD}Commitments{BOLD:#}")?;
        for c in &a.commitments {
            writeln!(
                w,
                "  [{}] {}",
                c.id,
                escape::terminal(&crate::model::normalize_text(&c.text))
            )?;
            let by: Vec<String> = c.by.iter().map(|e| escape::terminal(&who(e)).into()).collect();
            write!(w, "{DIM}    by {}", by.join(", "))?;
            if !c.to.is_empty() {
                let to: Vec<String> =
                    c.to.iter().map(|e| escape::terminal(&who(e)).into()).collect();
                write!(w, "; to {}", to.join(", "))?;
            }
            writeln!(w, "{DIM:#}")?;
        }
    }
    if shows_give_and_take(a.kind) {
        writeln!(w)?;
        writeln!(w, "{BOLD}Give and take{BOLD:#}")?;
        give_and_take(w, &crate::core::commitments::give_and_take(a), "  ")?;
    }
    if !a.norms.is_empty() {
        writeln!(w)?;
        writeln!(w, "{BOLD}Norms{BOLD:#}")?;
        for n in &a.norms {
            writeln!(w, "  - {}", escape::terminal(&crate::model::normalize_text(&n.text)))?;
        }
    }
    Ok(())
}

pub fn state_label(s: State) -> String {
    let style = match s {
        State::Signed => GOOD,
        State::Abstained => DIM,
        State::Objecting => BAD,
        State::Stale => WARN,
        State::Silent => WARN,
    };
    format!("{style}{:<9}{style:#}", s.as_str())
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// One line per party: `Ada Lovelace <ada@example.com>  gives: review; receives: pager`.
fn give_and_take(w: &mut dyn Write, parties: &[GiveTake], indent: &str) -> io::Result<()> {
    let list = |ids: &[String]| if ids.is_empty() { "nothing".to_string() } else { ids.join(", ") };
    for g in parties {
        writeln!(
            w,
            "{indent}{} <{}>  gives: {}; receives: {}",
            escape::terminal(&g.name),
            escape::terminal(&g.email),
            list(&g.gives),
            list(&g.receives)
        )?;
    }
    Ok(())
}

pub fn status(w: &mut dyn Write, e: &Evaluation) -> io::Result<()> {
    status_superseded(w, e, &[])
}

/// [`status`], saying which ratified agreements supersede this one.
pub fn status_superseded(w: &mut dyn Write, e: &Evaluation, by: &[SupersededBy]) -> io::Result<()> {
    let verdict = if e.ratified {
        format!("{GOOD}ratified{GOOD:#}")
    } else {
        format!("{BAD}not ratified{BAD:#}")
    };
    let rule = match e.quorum {
        Some(q) => format!("{} {q}", e.rule),
        None => e.rule.to_string(),
    };
    let retired = if e.retired { " (retired)" } else { "" };
    writeln!(
        w,
        "{BOLD}{}{BOLD:#}{retired} — {verdict}  {DIM}({rule}, revision {:.10}){DIM:#}",
        e.agreement, e.revision
    )?;
    if !by.is_empty() {
        writeln!(w, "  {WARN}{}{WARN:#}", superseded_text(by))?;
    }
    for p in &e.parties {
        let mut extra = String::new();
        if let Some(at) = p.time.map(super::rfc3339) {
            extra.push_str(&format!("  {at}"));
        }
        if p.carried_over {
            extra.push_str("  carried over: same meaning");
        }
        if p.state == State::Stale {
            if p.stance == Some(crate::trailers::Stance::Abstain) {
                extra.push_str("  abstained on an earlier revision");
            } else {
                extra.push_str("  signed an earlier revision");
            }
        }
        if p.role == crate::model::Role::Observer {
            extra.push_str("  (observer: not counted)");
        }
        if !p.commitments.is_empty() {
            extra.push_str(&format!("  commits to: {}", p.commitments.join(", ")));
        }
        writeln!(
            w,
            "  {} {} <{}> {DIM}{}{extra}{DIM:#}",
            state_label(p.state),
            escape::terminal(&p.name),
            escape::terminal(&p.email),
            p.role
        )?;
    }
    for o in &e.objections {
        let reason = if o.reason.is_empty() { "(no reason given)" } else { first_line(&o.reason) };
        writeln!(
            w,
            "  {BAD}objection{BAD:#} by {}: {}",
            escape::terminal(&o.email),
            escape::terminal(reason)
        )?;
    }
    for o in &e.outsiders {
        let note =
            if o.note.is_empty() { String::new() } else { format!(": {}", first_line(&o.note)) };
        writeln!(
            w,
            "  {DIM}not a party: {} <{}> {} ({:.10}) — shown, not counted{}{DIM:#}",
            escape::terminal(&o.name),
            escape::terminal(&o.email),
            o.position,
            o.commit,
            escape::terminal(&note)
        )?;
    }
    let parties = crate::core::commitments::give_and_take_of(e);
    if !parties.is_empty() {
        writeln!(w, "  {BOLD}give and take{BOLD:#}")?;
        give_and_take(w, &parties, "    ")?;
    }
    if !e.ratified {
        for b in &e.blocking {
            writeln!(w, "  {WARN}blocking{WARN:#}: {}", escape::terminal(b))?;
        }
    }
    Ok(())
}
