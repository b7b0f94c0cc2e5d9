//! `accord init`: prepare a repository for agreements and register the semantic diff driver.

use crate::error::{Error, Result};
use crate::ui::Ui;

/// Prepare this repository for agreements
///
/// Creates the agreements folder, adds `agreements/*.toml diff=accord` to `.gitattributes` and
/// sets `diff.accord.textconv = accord textconv` in the repository's git config, so plain
/// `git diff` and `git log -p` show what changed in meaning wherever `accord` is on PATH.
/// Running it again changes nothing that is already set.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ui: &mut Ui) -> Result<()> {
    let store = super::open(ui)?;
    let Some(work) = store.workdir() else {
        return Err(Error::new("this is a bare repository: run `accord init` in a clone"));
    };
    let folder = work.join(store.agreements_dir());
    if !folder.is_dir() {
        std::fs::create_dir_all(&folder)?;
        ui.status(format!("created {}/", store.agreements_dir()));
    }
    let attributes = work.join(".gitattributes");
    let line = format!("{}/*.toml diff=accord", store.agreements_dir());
    let existing = match std::fs::read_to_string(&attributes) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::new(format!("cannot read .gitattributes: {e}"))),
    };
    // Compared word by word: `agreements/*.toml  diff=accord` is the same attribute line.
    if existing.lines().any(|l| l.split_whitespace().eq(line.split_whitespace())) {
        ui.status(format!(".gitattributes already has `{line}`"));
    } else {
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&line);
        text.push('\n');
        std::fs::write(&attributes, text)?;
        ui.status(format!("added `{line}` to .gitattributes"));
    }
    match store.set_local_config_unless_set("diff.accord.textconv", "accord textconv")? {
        Some(v) => ui.status(format!("diff.accord.textconv is already `{v}`; kept")),
        None => {
            ui.status("set diff.accord.textconv = accord textconv (git diff now shows meaning)")
        }
    }
    ui.status("next: `accord new <id>` to draft an agreement");
    Ok(())
}
