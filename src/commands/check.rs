//! `accord check`: validate every agreement; optionally require each to be ratified.

use crate::core::supersede;
use crate::error::{Error, Result};
use crate::model::{self, Diagnostic, LoadError};
use crate::render::check::FileReport;
use crate::ui::Ui;

/// Validate every agreement file
///
/// Checks each file in the agreements folder of the working tree (in a bare repository, at
/// HEAD) against schema 1 and its rules, and names every problem as `file:line:column`,
/// merge-conflict markers and template placeholders left unedited included.
/// Exit 0 when all are valid, 1 when a file breaks a rule, 2 when a file cannot be read as
/// schema 1 at all. CI-friendly: `accord check --ratified` also exits 1 unless every agreement
/// is ratified at HEAD.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also require every agreement to be ratified at HEAD
    #[arg(long)]
    pub ratified: bool,
}

/// Conflict markers and unedited placeholders (SPEC §9) in a file that parsed.
fn unagreeable(a: &model::Agreement, bytes: &[u8], file: &str) -> Vec<Diagnostic> {
    model::unagreeable(a, std::str::from_utf8(bytes).unwrap_or_default(), file)
}

/// Files in the agreements folder whose names cannot be agreement ids.
fn misnamed(store: &crate::store::Store) -> Vec<String> {
    let Some(work) = store.workdir() else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(work.join(store.agreements_dir())) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.strip_suffix(".toml").is_some_and(|id| !model::valid_id(id)))
        .collect();
    out.sort();
    out
}

/// What is wrong with the `supersedes` lists of the working tree (SPEC §3), as diagnostics for
/// the agreements that hold them. An id is known when its file is in the working tree, or was
/// in HEAD's history and has been removed (removing a superseded agreement is allowed).
fn supersession_problems(
    store: &crate::store::Store,
    links: &[(String, Vec<String>)],
) -> Result<Vec<(String, Diagnostic)>> {
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let current: std::collections::HashSet<String> = store.ids_current()?.into_iter().collect();
    let mut removed = std::collections::HashSet::new();
    let graph = match store.head()? {
        Some(head) => Some(store.graph(head)?),
        None => None,
    };
    for old in links.iter().flat_map(|(_, l)| l).filter(|o| !current.contains(*o)) {
        if let Some(g) = &graph {
            if !crate::store::Timeline::build(store, g, old)?.events.is_empty() {
                removed.insert(old.clone());
            }
        }
    }
    let known = |id: &str| current.contains(id) || removed.contains(id);
    let refs: Vec<(&str, &[String])> =
        links.iter().map(|(id, l)| (id.as_str(), l.as_slice())).collect();
    let diag = |id: &str, message: String, hint: &str| Diagnostic {
        file: store.path_of(id),
        line: None,
        column: None,
        key: Some("supersedes".into()),
        message,
        hint: Some(hint.into()),
    };
    let mut out = Vec::new();
    for p in supersede::problems(&refs, &known) {
        match p {
            supersede::Problem::Unknown { agreement, missing } => {
                let d = diag(
                    &agreement,
                    format!("supersedes `{missing}`, which is no agreement"),
                    "name an agreement by its id (its file name without .toml)",
                );
                out.push((agreement, d));
            }
            supersede::Problem::Cycle { agreements } => {
                let message = if agreements.len() == 1 {
                    format!("`{}` supersedes itself", agreements[0])
                } else {
                    format!("supersession forms a cycle: {}", agreements.join(", "))
                };
                for a in &agreements {
                    let hint = "an agreement replaces older ones; remove one id to break the cycle";
                    out.push((a.clone(), diag(a, message.clone(), hint)));
                }
            }
        }
    }
    Ok(out)
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    super::no_markdown(ui, "check")?;
    let store = super::open(ui)?;
    let mut reports = Vec::new();
    for name in misnamed(&store) {
        let file = format!("{}/{name}", store.agreements_dir());
        reports.push(FileReport {
            agreement: name.trim_end_matches(".toml").to_string(),
            problems: vec![Diagnostic {
                file: file.clone(),
                line: None,
                column: None,
                key: None,
                message: "the file name is not a valid agreement id, so accord ignores it".into(),
                hint: Some("rename it: lower-case letters, digits and `-`".into()),
            }],
            file,
            readable: true,
            valid: false,
            ratified: None,
            blocking: Vec::new(),
        });
    }
    let mut links: Vec<(String, Vec<String>)> = Vec::new();
    for id in store.ids_current()? {
        let file = store.path_of(&id);
        let bytes = store.read_current(&id);
        let (readable, problems) = match bytes {
            Err(e) => (
                false,
                vec![Diagnostic {
                    file: file.clone(),
                    line: None,
                    column: None,
                    key: None,
                    message: e.message,
                    hint: e.hint,
                }],
            ),
            Ok(b) => {
                let b = b.unwrap_or_default();
                match model::load(&b, &file) {
                    Ok(a) => {
                        let problems = unagreeable(&a, &b, &file);
                        if !a.supersedes.is_empty() {
                            links.push((id.clone(), a.supersedes));
                        }
                        (true, problems)
                    }
                    Err(LoadError::Unreadable(d)) => (false, vec![*d]),
                    Err(LoadError::Invalid(mut ds)) => {
                        if let Ok(a) = model::parse(&b, &file) {
                            ds.extend(unagreeable(&a, &b, &file));
                        }
                        (true, ds)
                    }
                }
            }
        };
        reports.push(FileReport {
            agreement: id,
            file,
            readable,
            valid: readable && problems.is_empty(),
            problems,
            ratified: None,
            blocking: Vec::new(),
        });
    }
    for (id, problem) in supersession_problems(&store, &links)? {
        if let Some(r) = reports.iter_mut().find(|r| r.agreement == id) {
            r.problems.push(problem);
            r.valid = false;
        }
    }
    if args.ratified {
        let head = store.head()?;
        let ids: Vec<String> =
            reports.iter().filter(|r| r.valid).map(|r| r.agreement.clone()).collect();
        let committed: Vec<String> = match head {
            Some(h) => store
                .ids_at(h)?
                .into_iter()
                .map(|(id, _)| id)
                .filter(|id| ids.contains(id))
                .collect(),
            None => Vec::new(),
        };
        let paths: Vec<String> = committed.iter().map(|id| store.path_of(id)).collect();
        super::fail_closed_if_shallow(&store, &paths)?;
        let evals = match head {
            Some(h) if !committed.is_empty() => super::evaluate_at(&store, h, &committed)?,
            _ => Vec::new(),
        };
        for r in reports.iter_mut().filter(|r| r.valid) {
            match evals.iter().find(|e| e.agreement == r.agreement) {
                Some(e) => {
                    r.ratified = Some(e.ratified);
                    r.blocking = e.blocking.clone();
                }
                None => {
                    r.ratified = Some(false);
                    r.blocking = vec!["not committed at HEAD".into()];
                }
            }
        }
    }
    let unreadable = reports.iter().filter(|r| !r.readable).count();
    let invalid = reports.iter().filter(|r| r.readable && !r.valid).count();
    let unratified = reports.iter().filter(|r| r.ratified == Some(false)).count();
    crate::render::check::write(ui, &reports)?;
    if unreadable > 0 {
        return Err(Error::new(format!("{unreadable} file(s) cannot be read as schema 1")));
    }
    if invalid > 0 {
        return Ok(super::Outcome::No(format!("{invalid} file(s) break a rule")));
    }
    if unratified > 0 {
        return Ok(super::Outcome::No(format!("{unratified} agreement(s) not ratified")));
    }
    if reports.is_empty() {
        ui.status("no agreements to check");
    }
    Ok(super::Outcome::Done)
}
