//! `accord check`: validate every agreement; optionally require each to be ratified.

use crate::error::{Error, Result};
use crate::model::{self, Diagnostic};
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

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    super::no_markdown(ui, "check")?;
    let store = super::open(ui)?;
    let mut reports = Vec::new();
    for name in store.misnamed_files() {
        let file = format!("{}/{name}", store.agreements_dir());
        reports.push(FileReport {
            agreement: name.trim_end_matches(".toml").to_string(),
            problems: vec![Diagnostic {
                file: file.clone(),
                line: None,
                column: None,
                key: None,
                message: match name.contains('/') {
                    true => format!(
                        "agreements live directly in {}/, so accord ignores this file",
                        store.agreements_dir()
                    ),
                    false => {
                        "the file name is not a valid agreement id, so accord ignores it".into()
                    }
                },
                hint: Some(match name.contains('/') {
                    true => format!("move it up: {}/<id>.toml", store.agreements_dir()),
                    false => "rename it: lower-case letters, digits and `-`".into(),
                }),
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
                let checked = model::check_file(&b.unwrap_or_default(), &file);
                if !checked.supersedes.is_empty() {
                    links.push((id.clone(), checked.supersedes));
                }
                (checked.readable, checked.problems)
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
    for (id, problem) in super::supersession_problems(&store, &links)? {
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
