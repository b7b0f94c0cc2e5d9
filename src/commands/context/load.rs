//! Opening the repository and loading one agreement, with errors that say what to do (an
//! unknown id names the known ones). No evaluation and no rendering here.

use crate::error::{Error, Result};
use crate::model::{self, Agreement, LoadError};
use crate::oid::ObjectId;
use crate::store::Store;
use crate::ui::Ui;

/// Refuse `--format markdown` for a command that has none, rather than print something else.
pub fn no_markdown(ui: &Ui, command: &str) -> Result<()> {
    if ui.format == crate::cli::OutputFormat::Markdown {
        return Err(Error::new(format!("`accord {command}` has no markdown output"))
            .hint("use --format human or --format json"));
    }
    Ok(())
}

/// Refuse `--format json` or `markdown` for a command whose output has one form only (`what`),
/// rather than print that form under another name.
pub fn one_form_only(ui: &Ui, command: &str, what: &str) -> Result<()> {
    if ui.format != crate::cli::OutputFormat::Human {
        return Err(Error::new(format!("`accord {command}` writes {what}, in no other format"))
            .hint("leave out --format"));
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

/// Open the repository, warn once about shallow history, and refuse a partial clone.
pub fn open(ui: &Ui) -> Result<Store> {
    let store = open_without_history(ui)?;
    // Every answer reads earlier texts, which a partial clone has left behind on its remote:
    // refused, rather than answered from what happens to be here.
    if let Some(remote) = store.partial_clone_remote() {
        return Err(Error::new(format!(
            "this is a partial clone (its objects are fetched from `{remote}` on demand): \
             accord reads every earlier text of each agreement, and does not fetch them"
        ))
        .hint(
            "use a full clone: `git clone <url>` without --filter (in CI, leave the \
               checkout's filter unset, with fetch-depth: 0)",
        ));
    }
    Ok(store)
}

/// [`open`] for a command that reads no history (`init`, `new`, `import`): a partial clone will do.
pub fn open_without_history(ui: &Ui) -> Result<Store> {
    let store = Store::open(None)?;
    if store.is_shallow() {
        ui.warn("this is a shallow clone: history may be incomplete, and so may positions");
    }
    Ok(store)
}

/// "No agreement `id`" ({path} {place}), with a hint: commit it, create it, or the ids known.
pub fn not_found(store: &Store, id: &str, place: &str) -> Error {
    let known = store.ids_current().unwrap_or_default();
    let path = store.path_of(id);
    let at_head = || {
        let head = store.head().ok().flatten()?;
        store.blob_at(head, &path).ok().flatten()
    };
    let hint = if known.iter().any(|k| k == id) && place != "does not exist" {
        match at_head() {
            // Committed, just not in the commit asked about (older, or another branch's).
            Some(_) => format!(
                "it is in HEAD, not in that commit: `git log --oneline -- {path}` lists the commits that hold it"
            ),
            None => format!(
                "it is only in the working tree: commit it first (git add {path} && git commit)"
            ),
        }
    } else if let Some(to) = renamed_into_at_head(store, id, &known) {
        format!("it was renamed to `{to}` (`git mv`): use that id; `accord log {to}` shows its history under both")
    } else if known.is_empty() {
        format!("create it with `accord new {id}`")
    } else {
        format!("known agreements: {}", known.join(", "))
    };
    Error::new(format!("no agreement `{id}` ({path} {place})")).hint(hint)
}

/// The id at HEAD that agreement `id`, no longer there, was renamed into (perhaps through
/// several renames). Only asked for an error's hint: any failure is no answer.
fn renamed_into_at_head(store: &Store, id: &str, known: &[String]) -> Option<String> {
    if known.is_empty() || !crate::model::valid_id(id) {
        return None;
    }
    let head = store.head().ok().flatten()?;
    let graph = store.graph(head).ok()?;
    store.renamed_into(&graph, id, known).ok().flatten()
}

/// The current text of an agreement (working tree; bare: HEAD), parsed and validated.
pub fn load_current(store: &Store, id: &str) -> Result<Agreement> {
    check_id(id)?;
    let bytes = store.read_current(id)?.ok_or_else(|| not_found(store, id, "does not exist"))?;
    model::load(&bytes, &store.path_of(id)).map_err(load_error)
}

/// An agreement at a commit, parsed and validated, with its blob id.
pub fn load_at(store: &Store, commit: ObjectId, id: &str) -> Result<(ObjectId, Agreement)> {
    check_id(id)?;
    let path = store.path_of(id);
    let (blob, bytes) = store.blob_at(commit, &path)?.ok_or_else(|| {
        not_found(store, id, &format!("is not in commit {:.10}", commit.to_string()))
    })?;
    let a = model::load(&bytes, &path).map_err(load_error)?;
    Ok((blob, a))
}
