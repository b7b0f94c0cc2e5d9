//! Human-readable text. Colour comes from anstyle codes that the output stream strips when
//! colour is off; word diffs are rendered by the caller for the right mode.
//!
//! Every text that comes from a file or a commit (titles, purposes, names, notes) goes through
//! [`sanitize`] before it reaches the terminal: the only escape sequences accord prints are its
//! own styling.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::core::Evaluation;
use crate::ledger::State;
use crate::model::Agreement;
use crate::ui::{BAD, BOLD, DIM, GOOD, WARN};

/// Whether a terminal would act on `c` rather than show it: control characters other than line
/// break and tab (ESC, the rest of C0, DEL, C1 such as CSI U+009B), and the bidirectional
/// embeddings, overrides and isolates that reorder what is shown around them.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` fit for a terminal: each unsafe character (see [`unsafe_char`]) written out as `\u{1b}`,
/// so a reader sees that it is there and the terminal does not act on it.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    for para in text.trim().split("\n\n") {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.len() + word.len() + 1 > 88 {
                out.push_str(indent);
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.trim_end().to_string()
}

pub fn show(w: &mut dyn Write, id: &str, a: &Agreement) -> io::Result<()> {
    writeln!(w, "{BOLD}{}{BOLD:#}  {DIM}({id}, {}){DIM:#}", sanitize(a.title.trim()), a.kind)?;
    writeln!(w)?;
    writeln!(w, "{BOLD}Purpose{BOLD:#}")?;
    writeln!(w, "{}", wrap(&sanitize(&a.purpose), "  "))?;
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
        writeln!(w, "{BOLD}Review{BOLD:#}    {}", sanitize(&r))?;
    }
    if let Some(s) = &a.scope {
        writeln!(w)?;
        writeln!(w, "{BOLD}Scope{BOLD:#}")?;
        for i in &s.included {
            writeln!(w, "  in:  {}", sanitize(i.trim()))?;
        }
        for o in &s.excluded {
            writeln!(w, "  out: {}", sanitize(o.trim()))?;
        }
    }
    writeln!(w)?;
    writeln!(w, "{BOLD}Parties{BOLD:#}")?;
    for p in &a.parties {
        let owes: Vec<&str> = a
            .commitments
            .iter()
            .filter(|c| c.by.iter().any(|e| e.eq_ignore_ascii_case(&p.email)))
            .map(|c| c.id.as_str())
            .collect();
        let owes = if owes.is_empty() {
            String::new()
        } else {
            format!("  commits to: {}", owes.join(", "))
        };
        let (name, email) = (sanitize(&p.name), sanitize(&p.email));
        writeln!(w, "  {name} <{email}> ({}){DIM}{owes}{DIM:#}", p.role)?;
    }
    if !a.commitments.is_empty() {
        writeln!(w)?;
        writeln!(w, "{BOLD}Commitments{BOLD:#}")?;
        for c in &a.commitments {
            writeln!(w, "  [{}] {}", c.id, sanitize(&crate::model::normalize_text(&c.text)))?;
            let by: Vec<String> = c.by.iter().map(|e| sanitize(&super::who(a, e)).into()).collect();
            write!(w, "{DIM}    by {}", by.join(", "))?;
            if !c.to.is_empty() {
                let to: Vec<String> =
                    c.to.iter().map(|e| sanitize(&super::who(a, e)).into()).collect();
                write!(w, "; to {}", to.join(", "))?;
            }
            writeln!(w, "{DIM:#}")?;
        }
    }
    if !a.norms.is_empty() {
        writeln!(w)?;
        writeln!(w, "{BOLD}Norms{BOLD:#}")?;
        for n in &a.norms {
            writeln!(w, "  - {}", sanitize(&crate::model::normalize_text(&n.text)))?;
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

pub fn status(w: &mut dyn Write, e: &Evaluation) -> io::Result<()> {
    let verdict = if e.ratified {
        format!("{GOOD}ratified{GOOD:#}")
    } else {
        format!("{BAD}not ratified{BAD:#}")
    };
    let rule = match e.quorum {
        Some(q) => format!("{} {q}", e.rule),
        None => e.rule.to_string(),
    };
    writeln!(
        w,
        "{BOLD}{}{BOLD:#} — {verdict}  {DIM}({rule}, revision {:.10}){DIM:#}",
        e.agreement, e.revision
    )?;
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
            sanitize(&p.name),
            sanitize(&p.email),
            p.role
        )?;
    }
    for o in &e.objections {
        let reason = if o.reason.is_empty() { "(no reason given)" } else { first_line(&o.reason) };
        writeln!(w, "  {BAD}objection{BAD:#} by {}: {}", sanitize(&o.email), sanitize(reason))?;
    }
    for o in &e.outsiders {
        writeln!(
            w,
            "  {DIM}not a party: {} <{}> {} ({:.10}) — shown, not counted{DIM:#}",
            sanitize(&o.name),
            sanitize(&o.email),
            o.position,
            o.commit
        )?;
    }
    if !e.ratified {
        for b in &e.blocking {
            writeln!(w, "  {WARN}blocking{WARN:#}: {}", sanitize(b))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// issue 6: text from files and commits must not drive the terminal.
    #[test]
    fn issue6_sanitize_escapes_what_a_terminal_would_act_on() {
        assert!(matches!(sanitize("plain text\n\twith tab"), Cow::Borrowed(_)));
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m"), "\\u{1b}[31mred\\u{1b}[0m");
        assert_eq!(sanitize("a\rb\u{7}\u{8}\u{7f}"), "a\\u{d}b\\u{7}\\u{8}\\u{7f}");
        assert_eq!(sanitize("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(sanitize("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(sanitize("Zoë 名前 — ok"), "Zoë 名前 — ok");
    }
}
