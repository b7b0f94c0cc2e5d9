//! What `log` and `site` share: an edit's one-line summary and its changes, and writing a set
//! of output files so that a failure leaves none of them changed.

use std::path::{Path, PathBuf};

use crate::diff::{self, Change};
use crate::error::{Error, Result};
use crate::store::{Edit, Store, Timeline};

/// What an edit of `timeline` did, in a line (`agreement created`, `purpose reworded; …`), and
/// the changes it made where both texts parse.
pub fn edit_summary(store: &Store, timeline: &Timeline, e: &Edit) -> Result<(String, Vec<Change>)> {
    let to = renamed_to(store, timeline, e)?;
    summary_knowing(store, timeline, e, to.as_deref())
}

/// [`edit_summary`] with the edit's [`renamed_to`] already found.
pub fn summary_knowing(
    store: &Store,
    timeline: &Timeline,
    e: &Edit,
    renamed_to: Option<&str>,
) -> Result<(String, Vec<Change>)> {
    if e.blob.is_none() {
        let said = match renamed_to {
            Some(to) => format!("renamed to {to}"),
            None => "agreement deleted".to_string(),
        };
        return Ok((said, Vec::new()));
    }
    let old = match e.before {
        Some(b) => timeline.agreement(store, b)?,
        None => None,
    };
    let new = match e.blob {
        Some(b) => timeline.agreement(store, b)?,
        None => None,
    };
    Ok(match (&old, &new, e.blob) {
        (None, Some(_), _) if e.before.is_none() => ("agreement created".to_string(), Vec::new()),
        (Some(o), Some(n), _) => {
            let c = diff::diff(o, n);
            (crate::render::diff::summary(&c), c)
        }
        _ => ("text that does not parse as schema 1".to_string(), Vec::new()),
    })
}

/// The id an edit that took the file away renamed it to (`git mv` to another agreement), as
/// git's rename detection finds it against the edit's first parent.
pub fn renamed_to(store: &Store, timeline: &Timeline, e: &Edit) -> Result<Option<String>> {
    if e.blob.is_some() || e.before.is_none() {
        return Ok(None);
    }
    for id in &timeline.ids {
        if let Some(to) = store.renamed_to(e.commit.into(), id)?.filter(|to| to != id) {
            return Ok(Some(to));
        }
    }
    Ok(None)
}

/// Write each `(path, text)`, folders created as needed: every file goes to a temporary file
/// beside its place first, and only then are they renamed into place, in the order given. A
/// file that cannot be written leaves every path as it was: what is in the way (a folder where
/// a file goes) is found before anything is written, and should a rename still fail, the files
/// renamed before it get their old bytes back and the folders made are removed. Each file is
/// readable as one `std::fs::write` makes (the umask applies), not private as a temporary file.
pub fn write_in_place(files: &[(PathBuf, String)]) -> Result<()> {
    for (path, _) in files {
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(Error::new(format!("cannot write `{}`: it is not a file", shown(path)))
                .hint("move what is there away, or choose another folder"));
        }
    }
    // Folders made on the way, outermost first.
    let mut made: Vec<PathBuf> = Vec::new();
    let written = write_staged(files, &mut made);
    if written.is_err() {
        for dir in made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    written
}

fn write_staged(files: &[(PathBuf, String)], made: &mut Vec<PathBuf>) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, text) in files {
        staged.push((stage(path, text, made)?, path));
    }
    // What each file held before, put back should a later one fail.
    let before: Vec<Option<Vec<u8>>> = files.iter().map(|(p, _)| std::fs::read(p).ok()).collect();
    for (k, (file, path)) in staged.into_iter().enumerate() {
        if let Err(e) = file.persist(path) {
            for ((done, _), old) in files[..k].iter().zip(&before) {
                let _ = match old {
                    Some(bytes) => std::fs::write(done, bytes),
                    None => std::fs::remove_file(done),
                };
            }
            return Err(Error::new(format!("cannot write `{}`: {}", shown(path), e.error)));
        }
    }
    Ok(())
}

/// A path as the terminal may show it.
fn shown(path: &Path) -> String {
    crate::render::escape::terminal(&path.display().to_string()).into_owned()
}

/// `text` in a temporary file beside `path`, the folders on the way made (and noted in `made`).
fn stage(path: &Path, text: &str, made: &mut Vec<PathBuf>) -> Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let missing: Vec<&Path> =
        dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.exists()).collect();
    for d in missing.into_iter().rev() {
        std::fs::create_dir(d)
            .map_err(|e| Error::new(format!("cannot create folder for `{}`: {e}", shown(path))))?;
        made.push(d.to_path_buf());
    }
    let cannot = |e: std::io::Error| Error::new(format!("cannot write `{}`: {e}", shown(path)));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".accord-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir).map_err(cannot)?;
    file.write_all(text.as_bytes()).map_err(cannot)?;
    Ok(file)
}
