//! One file per subcommand (its `Args`, whose doc comment is the help, and its `run`), and the
//! shared context that connects the store to the pure core: loading agreements and evaluating
//! each party's state at a commit.

use std::collections::{HashMap, HashSet};

use std::path::Path;

use git2::Oid;
use serde::Serialize;

use crate::cli::Command;
use crate::error::{Error, Result};
use crate::ledger::{self, Position, State};
use crate::model::{self, Agreement, LoadError, Role};
use crate::rules::{self, Verdict};
use crate::store::{Graph, History, Store};
use crate::ui::Ui;

pub mod check;
pub mod completions;
pub mod demo;
pub mod diff;
pub mod due;
pub mod history;
pub mod init;
pub mod list;
pub mod log;
pub mod man;
pub mod new;
pub mod pending;
pub mod position;
pub mod review;
pub mod show;
pub mod status;
pub mod textconv;
pub mod timeline;
pub mod verify;

pub fn run(dir: Option<&Path>, command: Command, ui: &mut Ui) -> Result<()> {
    // `-C` works as for git: as if accord was started there, relative paths included.
    if let Some(d) = dir {
        if !d.is_dir() {
            return Err(Error::new(format!("cannot change to `{}`: no such folder", d.display()))
                .hint("-C takes an existing folder, as for `git -C`"));
        }
        std::env::set_current_dir(d)
            .map_err(|e| Error::new(format!("cannot change to `{}`: {e}", d.display())))?;
    }
    let dir: Option<&Path> = None;
    match command {
        Command::Init(a) => init::run(dir, a, ui),
        Command::New(a) => new::run(dir, a, ui),
        Command::List(a) => list::run(dir, a, ui),
        Command::Show(a) => show::run(dir, a, ui),
        Command::Status(a) => status::run(dir, a, ui),
        Command::Sign(a) => position::run_sign(dir, a, ui),
        Command::Object(a) => position::run_object(dir, a, ui),
        Command::Abstain(a) => position::run_abstain(dir, a, ui),
        Command::Withdraw(a) => position::run_withdraw(dir, a, ui),
        Command::Log(a) => log::run(dir, a, ui),
        Command::Diff(a) => diff::run(dir, a, ui),
        Command::History(a) => history::run(dir, a, ui),
        Command::Review(a) => review::run(dir, a, ui),
        Command::Check(a) => check::run(dir, a, ui),
        Command::Verify(a) => verify::run(dir, a, ui),
        Command::Pending(a) => pending::run(dir, a, ui),
        Command::Due(a) => due::run(dir, a, ui),
        Command::Textconv(a) => textconv::run(a, ui),
        Command::Demo(a) => demo::run(a, ui),
        Command::Completions(a) => completions::run(a, ui),
        Command::Man(a) => man::run(a, ui),
    }
}

/// Refuse `--format markdown` for a command that has none, rather than print something else.
pub fn no_markdown(ui: &Ui, command: &str) -> Result<()> {
    if ui.format == crate::cli::OutputFormat::Markdown {
        return Err(Error::new(format!("`accord {command}` has no markdown output"))
            .hint("use --format human or --format json"));
    }
    Ok(())
}

/// Refuse an id that could not name an agreement file, before touching anything.
pub fn check_id(id: &str) -> Result<()> {
    if model::valid_id(id) {
        Ok(())
    } else {
        Err(Error::new(format!("`{id}` is not a valid agreement id")).hint(
            "ids are 1-64 lower-case letters, digits and `-`, starting with a letter or digit",
        ))
    }
}

/// Turn a load error into the user-facing error (exit 2 outside `check`).
pub fn load_error(e: LoadError) -> Error {
    let hint = match &e {
        LoadError::Unreadable(_) => "fix the file; `accord check` lists every problem",
        LoadError::Invalid(_) => "run `accord check` to see every problem with its location",
    };
    Error::new(e.to_string()).hint(hint)
}

/// Open the repository and warn once about shallow history.
pub fn open(dir: Option<&Path>, ui: &Ui) -> Result<Store> {
    let store = Store::open(dir)?;
    if store.is_shallow() {
        ui.warn("this is a shallow clone: history may be incomplete, and so may positions");
    }
    Ok(store)
}

fn not_found(store: &Store, id: &str, place: &str) -> Error {
    let known = store.ids_current().unwrap_or_default();
    let hint = if known.iter().any(|k| k == id) && place != "does not exist" {
        let path = store.path_of(id);
        format!("it is only in the working tree: commit it first (git add {path} && git commit)")
    } else if known.is_empty() {
        format!("create it with `accord new {id}`")
    } else {
        format!("known agreements: {}", known.join(", "))
    };
    Error::new(format!("no agreement `{id}` ({} {place})", store.path_of(id))).hint(hint)
}

/// The current text of an agreement (working tree; bare: HEAD), parsed and validated.
pub fn load_current(store: &Store, id: &str) -> Result<Agreement> {
    check_id(id)?;
    let bytes = store.read_current(id)?.ok_or_else(|| not_found(store, id, "does not exist"))?;
    model::load(&bytes, &store.path_of(id)).map_err(load_error)
}

/// An agreement at a commit, parsed and validated, with its blob id.
pub fn load_at(store: &Store, commit: Oid, id: &str) -> Result<(Oid, Agreement)> {
    check_id(id)?;
    let path = store.path_of(id);
    let (blob, bytes) = store.blob_at(commit, &path)?.ok_or_else(|| {
        not_found(store, id, &format!("is not in commit {:.10}", commit.to_string()))
    })?;
    let a = model::load(&bytes, &path).map_err(load_error)?;
    Ok((blob, a))
}

/// A party's state, owned, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub state: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub carried_over: bool,
    /// The revision a stale or carried-over position was made on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The standing position itself (JSON has it as `state`).
    #[serde(skip)]
    pub stance: Option<crate::trailers::Stance>,
    /// Ids of the commitments this party is accountable for (`by`); human output lists them.
    #[serde(skip)]
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectionView {
    pub email: String,
    pub commit: String,
    pub revision: String,
    pub reason: String,
}

/// One position as JSON shows it (`log`, `review`).
#[derive(Debug, Clone, Serialize)]
pub struct PositionView {
    pub commit: String,
    pub at: String,
    pub name: String,
    pub email: String,
    pub position: crate::trailers::Stance,
    pub revision: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl PositionView {
    pub fn new(p: &Position) -> PositionView {
        PositionView {
            commit: p.commit.clone(),
            at: rfc3339(p.time),
            name: p.trailers.name.clone(),
            email: p.trailers.email.clone(),
            position: p.trailers.stance,
            revision: p.trailers.revision.clone(),
            note: p.note.clone(),
        }
    }
}

/// A position by someone who is not (or no longer) a party: shown, not counted.
#[derive(Debug, Clone, Serialize)]
pub struct OutsiderView {
    pub name: String,
    pub email: String,
    pub position: crate::trailers::Stance,
    pub commit: String,
    pub at: String,
}

/// SPEC §7's status object.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub agreement: String,
    pub revision: String,
    pub rule: model::Rule,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quorum: Option<u32>,
    pub ratified: bool,
    pub parties: Vec<PartyView>,
    pub objections: Vec<ObjectionView>,
    pub blocking: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outsiders: Vec<OutsiderView>,
    #[serde(skip)]
    pub title: String,
    #[serde(skip)]
    pub kind: model::Kind,
}

pub fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| secs.to_string())
}

/// Positions grouped by agreement, each list newest first.
pub fn positions_by_agreement(graph: &Graph) -> HashMap<&str, Vec<&Position>> {
    let mut map: HashMap<&str, Vec<&Position>> = HashMap::new();
    for p in graph.positions() {
        map.entry(p.trailers.agreement.as_str()).or_default().push(p);
    }
    map
}

/// A fingerprint of an agreement's meaning: equal exactly when revisions have the same meaning.
/// It is git's own object hash (SHA-1 with collision detection) of the normalised agreement, so
/// forging a different meaning with the same fingerprint is as hard as forging a blob id, on
/// which every sign-off already rests.
pub fn meaning_fingerprint(a: &Agreement) -> Oid {
    let bytes = serde_json::to_vec(&a.normalized()).unwrap_or_default();
    Oid::hash_object(git2::ObjectType::Blob, &bytes).unwrap_or_else(|_| Oid::zero())
}

/// How to learn what evaluation needs beyond the positions themselves.
pub enum Source<'a, 's> {
    /// A graph already walked.
    Graph(&'a Graph),
    /// A history whose graph is walked only if a proof needs it, and which remembers meanings.
    History(&'a History<'s>),
}

/// Evaluate one agreement at `revision` (its blob id) given its positions, newest first.
pub fn evaluate(
    store: &Store,
    graph: &Graph,
    id: &str,
    revision: Oid,
    agreement: &Agreement,
    positions: &[&Position],
) -> Result<Evaluation> {
    evaluate_from(store, Source::Graph(graph), id, revision, agreement, positions)
}

pub fn evaluate_from(
    store: &Store,
    source: Source,
    id: &str,
    revision: Oid,
    agreement: &Agreement,
    positions: &[&Position],
) -> Result<Evaluation> {
    let current = revision.to_string();
    let path = store.path_of(id);
    let fingerprint = match &source {
        Source::History(h) => h.meaning(revision, || Some(meaning_fingerprint(agreement))),
        Source::Graph(_) => Some(meaning_fingerprint(agreement)),
    };
    let meaning_of = |oid: Oid| -> Option<Oid> {
        let compute = || {
            let bytes = store.read_blob(oid).ok()??;
            model::parse(&bytes, &path).ok().map(|a| meaning_fingerprint(&a))
        };
        match &source {
            Source::History(h) => h.meaning(oid, compute),
            Source::Graph(_) => compute(),
        }
    };
    // A carried-over position must name a revision of this agreement; proven only when needed.
    let mut failure: Option<Error> = None;
    let mut same_meaning = |rev: &str| -> bool {
        let Ok(oid) = Oid::from_str(rev) else { return false };
        if meaning_of(oid) != fingerprint {
            return false;
        }
        if let Source::History(h) = &source {
            if h.is_proven(&path, oid) {
                return true;
            }
        }
        // Cheap proof first: a position taken with accord sits on a commit whose tree holds the
        // revision it names. Otherwise search the agreement's whole history.
        let in_own_tree = positions.iter().filter(|p| p.trailers.revision == rev).any(|p| {
            Oid::from_str(&p.commit)
                .ok()
                .and_then(|c| store.blob_at(c, &path).ok().flatten())
                .is_some_and(|(b, _)| b == oid)
        });
        let graph = match &source {
            Source::Graph(g) => Ok(*g),
            Source::History(h) => h.graph(),
        };
        let proven = in_own_tree
            || graph.and_then(|g| store.is_revision(g, &path, oid)).unwrap_or_else(|e| {
                failure = Some(e);
                false
            });
        if let (true, Source::History(h)) = (proven, &source) {
            h.prove(&path, oid);
        }
        proven
    };
    let standings = ledger::standings(agreement, &current, positions, &mut same_meaning);
    if let Some(e) = failure {
        return Err(e);
    }
    let Verdict { ratified, blocking } = rules::verdict(agreement, &standings);
    let parties = standings
        .iter()
        .map(|s| PartyView {
            name: s.party.name.clone(),
            email: s.party.email.clone(),
            role: s.party.role,
            state: s.state,
            commit: s.position.map(|p| p.commit.clone()),
            at: s.position.map(|p| rfc3339(p.time)),
            note: s.position.map(|p| p.note.clone()).filter(|n| !n.is_empty()),
            carried_over: s.carried_over,
            stance: s.position.map(|p| p.trailers.stance),
            commitments: agreement
                .commitments
                .iter()
                .filter(|c| c.by.iter().any(|e| e.eq_ignore_ascii_case(&s.party.email)))
                .map(|c| c.id.clone())
                .collect(),
            revision: s
                .position
                .filter(|p| p.trailers.revision != current && s.state != State::Objecting)
                .map(|p| p.trailers.revision.clone()),
        })
        .collect();
    let objections = standings
        .iter()
        .filter(|s| s.state == State::Objecting)
        .filter_map(|s| s.position)
        .map(|p| ObjectionView {
            email: p.trailers.email.clone(),
            commit: p.commit.clone(),
            revision: p.trailers.revision.clone(),
            reason: p.note.clone(),
        })
        .collect();
    let mut seen = HashSet::new();
    let outsiders = positions
        .iter()
        .filter(|p| agreement.party(&p.trailers.email).is_none())
        .filter(|p| seen.insert(p.trailers.email.to_lowercase()))
        .map(|p| OutsiderView {
            name: p.trailers.name.clone(),
            email: p.trailers.email.clone(),
            position: p.trailers.stance,
            commit: p.commit.clone(),
            at: rfc3339(p.time),
        })
        .collect();
    Ok(Evaluation {
        agreement: id.to_string(),
        revision: current,
        rule: agreement.decision.rule,
        quorum: agreement.decision.quorum,
        ratified,
        parties,
        objections,
        blocking,
        outsiders,
        title: agreement.title.clone(),
        kind: agreement.kind,
    })
}

/// Evaluate every agreement in `ids` at `commit` (all agreements there when `ids` is empty).
pub fn evaluate_at(store: &Store, commit: Oid, ids: &[String]) -> Result<Vec<Evaluation>> {
    let t0 = std::time::Instant::now();
    let all: Vec<(String, Oid)> = store.ids_at(commit)?;
    let wanted: Vec<(String, Oid)> = if ids.is_empty() {
        all
    } else {
        let mut out = Vec::new();
        for id in ids {
            match all.iter().find(|(a, _)| a == id) {
                Some(x) => out.push(x.clone()),
                None => {
                    load_at(store, commit, id)?; // says why, with a hint
                }
            }
        }
        out
    };
    let history = store.history(commit)?;
    crate::store::trace("history", t0);
    let mut loaded = Vec::new();
    for (id, blob) in wanted {
        let path = store.path_of(&id);
        let a = history.agreement(blob, || {
            let bytes = store.read_blob(blob)?.unwrap_or_default();
            model::load(&bytes, &path).map_err(load_error)
        })?;
        loaded.push((id, blob, a));
    }
    crate::store::trace("agreements loaded", t0);
    let mut by_agreement: HashMap<&str, Vec<&Position>> = HashMap::new();
    for p in &history.positions {
        by_agreement.entry(p.trailers.agreement.as_str()).or_default().push(p);
    }
    let mut out = Vec::new();
    for (id, blob, agreement) in &loaded {
        let positions = by_agreement.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        out.push(evaluate_from(store, Source::History(&history), id, *blob, agreement, positions)?);
    }
    history.save();
    crate::store::trace("evaluated", t0);
    Ok(out)
}
