//! The rules of SPEC §3 that a parsed agreement can break, each a small function that reports
//! its problems located in the file's text.
//!
//! Pure and linear in the size of the file: lookups by email go through maps keyed by
//! [`email_key`], never a scan of every party. This module decides what is wrong; where it is
//! comes from [`super::locate`], and how emails compare from [`super::identity`].

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use toml::value::Datetime;

use super::diagnostic::Diagnostic;
use super::identity::email_key;
use super::locate::Locator;
use super::locate::Step::{Index, Key};
use super::meaning::normalize_text;
use super::types::{valid_id, Agreement, Commitment, Kind, Period, Role, Rule};

/// Every rule of SPEC §3 that a parsed file can break, each located in `text`.
pub fn validate(a: &Agreement, text: &str, file: &str) -> Vec<Diagnostic> {
    let loc = Locator::new(text, file);
    let mut out = Vec::new();
    title_and_purpose(a, &loc, &mut out);
    review_every(a, &loc, &mut out);
    plain_dates(a, &loc, &mut out);
    decision(a, &loc, &mut out);
    party_list(a, &loc, &mut out);
    parties(a, &loc, &mut out);
    commitments(a, &loc, &mut out);
    norms(a, &loc, &mut out);
    scope(a, &loc, &mut out);
    supersedes(a, &loc, &mut out);
    match a.kind {
        Kind::Partnership => partnership(a, &loc, &mut out),
        Kind::Service => service(a, &loc, &mut out),
        _ => {}
    }
    out
}

/// The rules of SPEC §9 for a text nobody can agree to: merge-conflict markers and the
/// templates' placeholders left unedited. Kept apart from [`validate`]: such a draft still
/// loads, shows and diffs; `check` reports these and `sign` refuses them.
pub fn unagreeable(a: &Agreement, text: &str, file: &str) -> Vec<Diagnostic> {
    let loc = Locator::new(text, file);
    let mut out = Vec::new();
    let texts = text_values(a);
    conflict_markers(&texts, &loc, &mut out);
    placeholders(&texts, &loc, &mut out);
    out
}

/// Every text value a party reads, with where it is: title, purpose, scope items, party names
/// and emails, commitment and norm texts.
fn text_values(a: &Agreement) -> Vec<(Vec<super::locate::Step<'static>>, &str)> {
    let mut out = vec![(vec![Key("title")], a.title.as_str())];
    out.push((vec![Key("purpose")], a.purpose.as_str()));
    if let Some(scope) = &a.scope {
        for (field, list) in [("in", &scope.included), ("out", &scope.excluded)] {
            for (j, s) in list.iter().enumerate() {
                out.push((vec![Key("scope"), Key(field), Index(j)], s.as_str()));
            }
        }
    }
    for (i, p) in a.parties.iter().enumerate() {
        out.push((vec![Key("party"), Index(i), Key("name")], p.name.as_str()));
        out.push((vec![Key("party"), Index(i), Key("email")], p.email.as_str()));
    }
    for (i, c) in a.commitments.iter().enumerate() {
        out.push((vec![Key("commitment"), Index(i), Key("text")], c.text.as_str()));
    }
    for (i, n) in a.norms.iter().enumerate() {
        out.push((vec![Key("norm"), Index(i), Key("text")], n.text.as_str()));
    }
    out
}

/// The lines git writes around a merge conflict.
const CONFLICT_MARKERS: [&str; 3] = ["<<<<<<<", "=======", ">>>>>>>"];

/// A text with a line starting with a merge-conflict marker was merged, not agreed.
fn conflict_markers(
    texts: &[(Vec<super::locate::Step<'static>>, &str)],
    loc: &Locator,
    out: &mut Vec<Diagnostic>,
) {
    for (path, text) in texts {
        let marker =
            text.lines().find_map(|l| CONFLICT_MARKERS.into_iter().find(|m| l.starts_with(m)));
        if let Some(m) = marker {
            out.push(loc.diag_line_in(
                path,
                m,
                format!("merge-conflict marker `{m}` at a line start"),
                Some("resolve the conflict: keep the text you mean and delete the marker lines"),
            ));
        }
    }
}

/// A text still as the template wrote it (`# placeholder` there) was never written by the team.
fn placeholders(
    texts: &[(Vec<super::locate::Step<'static>>, &str)],
    loc: &Locator,
    out: &mut Vec<Diagnostic>,
) {
    for (path, text) in texts {
        if crate::templates::is_placeholder(text) {
            out.push(loc.diag(
                path,
                format!("still the template's placeholder: `{}`", normalize_text(text)),
                Some("replace it with your own words (or the real party); nobody can agree to a placeholder"),
            ));
        }
    }
}

fn title_and_purpose(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    if a.title.trim().is_empty() {
        out.push(loc.diag(&[Key("title")], "title is empty", Some("give the agreement a name")));
    }
    if a.purpose.trim().is_empty() {
        out.push(loc.diag(
            &[Key("purpose")],
            "purpose is empty",
            Some("say what this agreement is for: it is the first thing every party reads"),
        ));
    }
}

fn review_every(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    let Some(p) = &a.review_every else { return };
    if Period::parse(p).is_none() {
        out.push(loc.diag(
            &[Key("review_every")],
            format!("`{p}` is not a period"),
            Some("write a number and a unit: `90d`, `6w` or `3m`"),
        ));
    }
    if a.review_by.is_some() {
        out.push(loc.diag(
            &[Key("review_every")],
            "both `review_every` and `review_by` are set",
            Some("keep one: a period after each ratification, or a fixed date"),
        ));
    }
}

fn plain_dates(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    for (key, value) in [("review_by", &a.review_by), ("ends", &a.ends)] {
        if let Some(d) = value {
            if !is_date_only(d) {
                out.push(loc.diag(
                    &[Key(key)],
                    format!("`{d}` is not a plain date"),
                    Some("write a date without time, like 2027-06-30"),
                ));
            }
        }
    }
}

fn is_date_only(d: &Datetime) -> bool {
    d.date.is_some() && d.time.is_none() && d.offset.is_none()
}

fn decision(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    let counted = a.counted_parties().count();
    match (a.decision.rule, a.decision.quorum) {
        (Rule::Quorum, None) => out.push(loc.diag(
            &[Key("decision"), Key("rule")],
            "rule = \"quorum\" needs `quorum`",
            Some("add `quorum = N` under [decision]: how many sign-offs ratify"),
        )),
        (Rule::Quorum, Some(0)) => out.push(loc.diag(
            &[Key("decision"), Key("quorum")],
            "quorum must be at least 1",
            Some("set `quorum` to how many sign-offs ratify (1 or more)"),
        )),
        (Rule::Quorum, Some(q)) if q as usize > counted => out.push(loc.diag(
            &[Key("decision"), Key("quorum")],
            format!("quorum {q} is more than the {counted} parties whose positions count"),
            Some("lower the quorum or add parties: as written it can never be reached"),
        )),
        (rule, Some(_)) if rule != Rule::Quorum => out.push(loc.diag(
            &[Key("decision"), Key("quorum")],
            format!("`quorum` only applies when rule = \"quorum\", and the rule is \"{rule}\""),
            Some("remove `quorum`, or set rule = \"quorum\""),
        )),
        _ => {}
    }
}

/// The list as a whole: somebody is bound, and somebody's position counts.
fn party_list(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    if a.parties.is_empty() {
        out.push(loc.diag(
            &[],
            "no parties",
            Some("add a [[party]] with name and email for each person the agreement binds"),
        ));
    } else if a.counted_parties().next().is_none() {
        out.push(loc.diag(
            &[Key("party")],
            "every party is an observer, so nobody's position counts",
            Some("make at least one party a steward or partner"),
        ));
    }
}

/// Each party's name and email, and that no email is listed twice.
fn parties(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    // Keyed as `normalized` does, so two parties can never be one in `same_meaning`.
    let mut first: HashMap<String, usize> = HashMap::with_capacity(a.parties.len());
    for (i, p) in a.parties.iter().enumerate() {
        party_name(i, &p.name, loc, out);
        if !p.email.bytes().all(|b| b.is_ascii_graphic()) && plausible_email(&p.email) {
            // One identity rule (SPEC §4): `\u{212A}` KELVIN SIGN would look like `K` and
            // still be another person; only printable ASCII is an address everyone reads alike.
            out.push(loc.diag(
                &[Key("party"), Index(i), Key("email")],
                format!(
                    "`{}` is not printable ASCII (it holds {})",
                    p.email,
                    p.email
                        .chars()
                        .filter(|c| !c.is_ascii_graphic())
                        .map(|c| format!("U+{:04X}", u32::from(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some("write the address in plain ASCII, as the party commits with it"),
            ));
        } else if !plausible_email(&p.email) {
            out.push(loc.diag(
                &[Key("party"), Index(i), Key("email")],
                format!("`{}` is not an email address", p.email),
                Some("use the email the party commits with (git config user.email)"),
            ));
        }
        match first.entry(email_key(p.email.trim())) {
            Entry::Vacant(v) => {
                v.insert(i);
            }
            Entry::Occupied(o) => {
                let j = *o.get();
                out.push(loc.diag(
                    &[Key("party"), Index(i), Key("email")],
                    format!(
                        "`{}` is already the email of `party[{j}]` ({})",
                        p.email, a.parties[j].name
                    ),
                    Some("each party appears once; emails compare without case"),
                ));
            }
        }
    }
}

fn party_name(i: usize, name: &str, loc: &Locator, out: &mut Vec<Diagnostic>) {
    let path = [Key("party"), Index(i), Key("name")];
    if name.trim().is_empty() {
        out.push(loc.diag(
            &path,
            "name is empty",
            Some("write the party's name as git records it"),
        ));
    } else if name.contains(['<', '>', '\n', '\r']) {
        out.push(loc.diag(
            &path,
            "name must not contain `<`, `>` or a line break",
            Some("write the name on one line without angle brackets; the email has its own key"),
        ));
    } else if name.contains('\0') {
        // The name goes into the `Accord-Party` trailer: a NUL would cut the message short.
        // (Other control characters are stored faithfully; renderers escape them.)
        out.push(loc.diag(
            &path,
            "name must not contain the control character U+0000",
            Some("write the name as git records it"),
        ));
    }
}

/// `local@domain` with no whitespace anywhere: a padded address would never match the
/// email a party commits with.
fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        }
        None => false,
    }
}

/// Each id in `supersedes` could name an agreement, and is listed once. Whether it names one
/// that exists, and whether supersession forms a cycle, needs every agreement: `check` asks
/// [`crate::core::supersede::problems`].
fn supersedes(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::with_capacity(a.supersedes.len());
    for (i, id) in a.supersedes.iter().enumerate() {
        if !valid_id(id) {
            out.push(loc.diag(
                &[Key("supersedes"), Index(i)],
                format!("`{id}` is not a valid agreement id"),
                Some("name the agreement this one replaces by its id (its file name)"),
            ));
        } else if !seen.insert(id.as_str()) {
            out.push(loc.diag(
                &[Key("supersedes"), Index(i)],
                format!("`{id}` is listed twice in `supersedes`"),
                Some("list each replaced agreement once"),
            ));
        }
    }
}

/// Each commitment: a unique valid id, some text, someone accountable, and only parties named.
fn commitments(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    let party_keys: HashSet<String> = a.parties.iter().map(|p| email_key(&p.email)).collect();
    let mut ids = HashSet::with_capacity(a.commitments.len());
    for (i, c) in a.commitments.iter().enumerate() {
        if !valid_id(&c.id) {
            out.push(loc.diag(
                &[Key("commitment"), Index(i), Key("id")],
                format!("`{}` is not a valid commitment id", c.id),
                Some("use lower-case letters, digits and `-`, starting with a letter or digit"),
            ));
        } else if !ids.insert(c.id.as_str()) {
            out.push(loc.diag(
                &[Key("commitment"), Index(i), Key("id")],
                format!("commitment id `{}` is used twice", c.id),
                Some("ids are unique within the file"),
            ));
        }
        if c.text.trim().is_empty() {
            out.push(loc.diag(
                &[Key("commitment"), Index(i), Key("text")],
                "text is empty",
                Some("say what is promised, or remove the [[commitment]]"),
            ));
        }
        if c.by.is_empty() {
            out.push(loc.diag(
                &[Key("commitment"), Index(i), Key("by")],
                "`by` is empty: a commitment needs someone accountable",
                Some("list the email of each party who answers for it"),
            ));
        }
        named_parties(i, c, &party_keys, loc, out);
    }
}

/// Every email in a commitment's `by` and `to` is a party's (`party_keys`, by [`email_key`]).
fn named_parties(
    i: usize,
    c: &Commitment,
    party_keys: &HashSet<String>,
    loc: &Locator,
    out: &mut Vec<Diagnostic>,
) {
    for (field, list) in [("by", &c.by), ("to", &c.to)] {
        for (j, e) in list.iter().enumerate() {
            if !party_keys.contains(&email_key(e)) {
                out.push(loc.diag(
                    &[Key("commitment"), Index(i), Key(field), Index(j)],
                    format!("`{e}` is not a party of this agreement"),
                    Some("add a [[party]] with that email, or fix the address"),
                ));
            }
        }
    }
}

fn norms(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    for (i, n) in a.norms.iter().enumerate() {
        if n.text.trim().is_empty() {
            out.push(loc.diag(
                &[Key("norm"), Index(i), Key("text")],
                "text is empty",
                Some("write the norm, or remove the [[norm]]"),
            ));
        }
    }
}

fn scope(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    let Some(scope) = &a.scope else { return };
    for (field, list) in [("in", &scope.included), ("out", &scope.excluded)] {
        for (j, s) in list.iter().enumerate() {
            if s.trim().is_empty() {
                out.push(loc.diag(
                    &[Key("scope"), Key(field), Index(j)],
                    "scope item is empty",
                    Some("write the item, or remove the empty string from the list"),
                ));
            }
        }
    }
}

/// A partnership is give and take: every partner is in some `by` and some `to`.
fn partnership(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    let keys = |pick: fn(&Commitment) -> &Vec<String>| -> HashSet<String> {
        a.commitments.iter().flat_map(|c| pick(c).iter().map(|e| email_key(e))).collect()
    };
    let givers = keys(|c| &c.by);
    let receivers = keys(|c| &c.to);
    for (i, p) in a.parties.iter().enumerate().filter(|(_, p)| p.role == Role::Partner) {
        let key = email_key(&p.email);
        let what = match (givers.contains(&key), receivers.contains(&key)) {
            (true, true) => continue,
            (false, false) => "neither gives nor receives a commitment",
            (false, true) => "receives but gives no commitment (`by`)",
            (true, false) => "gives but receives no commitment (`to`)",
        };
        out.push(loc.diag(
            &[Key("party"), Index(i)],
            format!("partner {} {what}", p.email),
            Some("a partnership is give and take: every partner is in some `by` and some `to`"),
        ));
    }
}

fn service(a: &Agreement, loc: &Locator, out: &mut Vec<Diagnostic>) {
    if a.scope.as_ref().is_none_or(|s| s.included.is_empty()) {
        out.push(loc.diag_near(
            &[Key("scope"), Key("in")],
            &[Key("kind")],
            "a service needs a scope: `scope.in` is empty",
            Some(
                "list what the service covers under [scope] in = [...]; clients are far, so say it",
            ),
        ));
    }
    if a.ends.is_none() && a.review_by.is_none() && a.review_every.is_none() {
        out.push(loc.diag_near(
            &[],
            &[Key("kind")],
            "a service needs `ends`, `review_by` or `review_every`",
            Some("set when the case gets closed or looked at again"),
        ));
    }
}
