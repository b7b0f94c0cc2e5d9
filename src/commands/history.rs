//! `accord history`: how one field (the purpose by default) changed, and who agreed to each
//! version.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::Oid;

use serde::Serialize;

use super::timeline::{Event, Timeline};
use crate::cli::OutputFormat;
use crate::diff::{self, Segment};
use crate::error::{Error, Result};
use crate::ledger::{self, Position, State};
use crate::model::{normalize_text, Agreement};
use crate::render::escape::{self, terminal as clean};
use crate::store::Store;
use crate::trailers::Stance;
use crate::ui::{Ui, BOLD, DIM, GOOD, WARN};

/// Show how a field of an agreement evolved, word by word, and who consented to each version
///
/// One entry per run of consecutive revisions with the same value (whitespace-normalised), the
/// first included, oldest first; a revert to an earlier text is a new entry. Each entry has the
/// date, author and commit that introduced it, the word diff from the entry before, who signed
/// any revision while it stood, and whether it was ratified at any point while it stood.
///
/// Fields: purpose (default), title, kind, decision, review_every, review_by, ends, scope,
/// parties, norms, or commitment.<id>.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id
    pub id: String,
    /// The field to follow
    #[arg(long, default_value = "purpose", value_name = "FIELD")]
    pub field: String,
    /// Newest first
    #[arg(long)]
    pub reverse: bool,
}

const FIELDS: &str =
    "purpose, title, kind, decision, review_every, review_by, ends, scope, parties, norms, commitment.<id>";

/// The value of a field as normalised text; `None` where it is absent.
fn field(a: &Agreement, name: &str) -> Option<Option<String>> {
    let v = match name {
        "purpose" => Some(normalize_text(&a.purpose)),
        "title" => Some(normalize_text(&a.title)),
        "kind" => Some(a.kind.to_string()),
        "decision" => Some(match a.decision.quorum {
            Some(q) => format!("{} {q}", a.decision.rule),
            None => a.decision.rule.to_string(),
        }),
        "review_every" => a.review_every.clone(),
        "review_by" => a.review_by.map(|d| d.to_string()),
        "ends" => a.ends.map(|d| d.to_string()),
        "scope" => a.scope.as_ref().map(|s| {
            let f =
                |v: &[String]| v.iter().map(|x| normalize_text(x)).collect::<Vec<_>>().join("; ");
            format!("in: {} | out: {}", f(&s.included), f(&s.excluded))
        }),
        "parties" => Some(
            a.parties
                .iter()
                .map(|p| {
                    format!("{} <{}> {}", normalize_text(&p.name), p.email.to_lowercase(), p.role)
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        "norms" => {
            Some(a.norms.iter().map(|n| normalize_text(&n.text)).collect::<Vec<_>>().join(" | "))
        }
        other => {
            let id = other.strip_prefix("commitment.")?;
            a.commitments.iter().find(|c| c.id == id).map(|c| normalize_text(&c.text))
        }
    };
    Some(v)
}

#[derive(Debug, Serialize)]
struct Version {
    /// The value (whitespace-normalised); absent when the field was not set.
    value: Option<String>,
    at: String,
    author: String,
    email: String,
    commit: String,
    /// The revisions (blob ids) during which this value stood.
    revisions: Vec<String>,
    /// Word diff from the version before (empty for the first).
    words: Vec<Segment>,
    /// Parties who signed any revision while this value stood, and those whose earlier sign-off
    /// counted for it (a revert brings back the sign-offs on the text it restores).
    signed_by: Vec<String>,
    /// Whether the agreement was ratified at any point while this value stood.
    ratified: bool,
}

fn add_signers(v: &mut Version, signers: Vec<String>) {
    for s in signers {
        if !v.signed_by.contains(&s) {
            v.signed_by.push(s);
        }
    }
}

/// Who stands `signed` on `blob`, given each party's latest position so far (SPEC §4: a
/// sign-off binds to the text signed, and carries over to a text with the same meaning).
fn signed_now(
    timeline: &mut Timeline<'_>,
    store: &Store,
    blob: Oid,
    latest: &HashMap<String, &Position>,
    revisions: &HashSet<Oid>,
) -> Vec<String> {
    let Some(agreement) = timeline.agreement(store, blob).cloned() else { return Vec::new() };
    let positions: Vec<&Position> = latest.values().copied().collect();
    let same = |rev: &str| -> bool {
        let Ok(oid) = Oid::from_str(rev) else { return false };
        revisions.contains(&oid)
            && timeline.agreement(store, oid).is_some_and(|a| a.same_meaning(&agreement))
    };
    ledger::standings(&agreement, &blob.to_string(), &positions, same)
        .iter()
        .filter(|s| s.state == State::Signed)
        .filter_map(|s| s.position)
        .map(|p| format!("{} <{}>", p.trailers.name, p.trailers.email))
        .collect()
}

pub fn run(dir: Option<&Path>, args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    let known = [
        "purpose",
        "title",
        "kind",
        "decision",
        "review_every",
        "review_by",
        "ends",
        "scope",
        "parties",
        "norms",
    ];
    if !known.contains(&args.field.as_str())
        && !args.field.strip_prefix("commitment.").is_some_and(crate::model::valid_id)
    {
        return Err(
            Error::new(format!("unknown field `{}`", args.field)).hint(format!("fields: {FIELDS}"))
        );
    }
    let store = super::open(dir, ui)?;
    let head = store.head_required()?;
    let graph = store.graph_for(head, &args.id)?;
    let mut timeline = Timeline::build(&store, &graph, &args.id)?;
    // The text at HEAD must be valid (SPEC §3); older revisions are shown as they were.
    if timeline.events.is_empty() || store.blob_at(head, &store.path_of(&args.id))?.is_some() {
        super::load_at(&store, head, &args.id)?;
    }
    let ratified = timeline.replay(&store);
    let revisions: HashSet<Oid> = timeline.revisions().into_iter().collect();
    // Each party's latest position so far, by lower-cased email (as `Timeline::replay`).
    let mut latest: HashMap<String, &Position> = HashMap::new();
    let mut versions: Vec<Version> = Vec::new();
    // The version of the text standing after the latest edit, and that text.
    let mut standing: Option<usize> = None;
    let mut current: Option<Oid> = None;
    for k in (0..timeline.events.len()).rev() {
        match timeline.events[k].clone() {
            Event::Edit(e) => {
                current = e.blob;
                standing = None;
                let Some(blob) = e.blob else { continue };
                let Some(a) = timeline.agreement(&store, blob) else { continue };
                let value = field(a, &args.field).flatten();
                // The value this edit replaced (at its first parent). On branches merged
                // together the edit just before in time may sit on another branch: an edit
                // that leaves the value as its parent had it starts no version.
                let before = e
                    .before
                    .and_then(|b| timeline.agreement(&store, b))
                    .map(|a| field(a, &args.field).flatten());
                let joined = match versions.last() {
                    Some(v) if v.value == value => Some(versions.len() - 1),
                    _ if before.as_ref() == Some(&value) => {
                        versions.iter().rposition(|v| v.value == value)
                    }
                    _ => None,
                };
                let i = match joined {
                    Some(i) => {
                        versions[i].revisions.push(blob.to_string());
                        i
                    }
                    None => {
                        let prev = before.or_else(|| versions.last().map(|v| v.value.clone()));
                        let words = match prev {
                            Some(prev) => diff::words(
                                prev.as_deref().unwrap_or(""),
                                value.as_deref().unwrap_or(""),
                            ),
                            None => Vec::new(),
                        };
                        versions.push(Version {
                            value,
                            at: super::rfc3339(e.time),
                            author: e.author_name,
                            email: e.author_email,
                            commit: e.commit.to_string(),
                            revisions: vec![blob.to_string()],
                            words,
                            signed_by: Vec::new(),
                            ratified: false,
                        });
                        versions.len() - 1
                    }
                };
                standing = Some(i);
                if ratified[k] == Some(true) {
                    versions[i].ratified = true;
                }
                // Sign-offs made before this text stood can count for it: a revert restores
                // the very blob they signed, or a text with the same meaning carries them over.
                let signers = signed_now(&mut timeline, &store, blob, &latest, &revisions);
                add_signers(&mut versions[i], signers);
            }
            Event::Position(p) => {
                latest.insert(p.trailers.email.to_lowercase(), p);
                let (Some(i), Some(blob)) = (standing, current) else { continue };
                if ratified[k] == Some(true) {
                    versions[i].ratified = true;
                }
                if p.trailers.stance != Stance::Sign {
                    continue;
                }
                // A sign-off counts for the version whose revisions include the one signed...
                let signer = format!("{} <{}>", p.trailers.name, p.trailers.email);
                if let Some(target) =
                    versions.iter_mut().rev().find(|v| v.revisions.contains(&p.trailers.revision))
                {
                    add_signers(target, vec![signer]);
                }
                // ...and for the text standing now when it has the same meaning.
                let signers = signed_now(&mut timeline, &store, blob, &latest, &revisions);
                add_signers(&mut versions[i], signers);
            }
        }
    }
    if args.reverse {
        versions.reverse();
    }
    match ui.format {
        OutputFormat::Json => ui.json(&versions),
        format => {
            let color = ui.color();
            let markdown = format == OutputFormat::Markdown;
            let out = ui.out();
            let n = versions.len();
            for (i, v) in versions.iter().enumerate() {
                let number = if args.reverse { n - i } else { i + 1 };
                let state = if v.ratified {
                    format!("{GOOD}ratified{GOOD:#}")
                } else {
                    format!("{WARN}never ratified{WARN:#}")
                };
                let value = v.value.as_deref().unwrap_or("(not set)");
                let text = match (v.words.is_empty(), markdown) {
                    (true, false) => clean(value).into_owned(),
                    (true, true) => escape::markdown(value),
                    (false, false) => crate::render::diff::human_words(&v.words, color),
                    (false, true) => crate::render::diff::markdown_words(&v.words),
                };
                if markdown {
                    writeln!(out, "### {} version {number} — {}\n", args.field, &v.at[..10])?;
                    writeln!(out, "{text}\n")?;
                    writeln!(
                        out,
                        "*{}*, `{:.10}`; {}; signed by: {}\n",
                        escape::markdown(&v.author),
                        v.commit,
                        if v.ratified { "ratified" } else { "never ratified" },
                        if v.signed_by.is_empty() {
                            "nobody".into()
                        } else {
                            escape::markdown(&v.signed_by.join(", "))
                        }
                    )?;
                } else {
                    writeln!(
                        out,
                        "{BOLD}{} version {number}{BOLD:#}  {DIM}{} {} {:.10}{DIM:#}  {state}",
                        args.field,
                        v.at,
                        clean(&v.author),
                        v.commit
                    )?;
                    writeln!(out, "  {text}")?;
                    let signed = if v.signed_by.is_empty() {
                        "nobody".to_string()
                    } else {
                        clean(&v.signed_by.join(", ")).into_owned()
                    };
                    writeln!(out, "  {DIM}signed by: {signed}{DIM:#}")?;
                    if i + 1 < n {
                        writeln!(out)?;
                    }
                }
            }
            Ok(())
        }
    }
}
