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
    super::one_form_only(ui, "init", "files and status lines")?;
    let store = super::open_without_history(ui)?;
    let Some(work) = store.workdir() else {
        return Err(Error::new("this is a bare repository: run `accord init` in a clone"));
    };
    // Everything is checked before anything is written: a failure writes nothing.
    let dir = store.agreements_dir();
    let folder = work.join(dir);
    super::refuse_links_on_the_way(work, dir)?;
    let make_folder = match std::fs::metadata(&folder) {
        Ok(m) if m.is_dir() => false,
        Ok(_) => {
            return Err(Error::new(format!("{dir} exists and is not a folder"))
                .hint(format!("move that file away: agreements live in {dir}/<id>.toml")))
        }
        Err(_) => true,
    };
    let attributes = work.join(".gitattributes");
    let line = format!("{} diff=accord", attribute_pattern(dir));
    let existing = match std::fs::symlink_metadata(&attributes) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Error::new(".gitattributes is a symbolic link, which git does not read")
                .hint("replace it with a file of its own"))
        }
        Ok(m) if m.is_dir() => {
            return Err(Error::new(".gitattributes is a folder")
                .hint("git reads .gitattributes as a file: move the folder away"))
        }
        Ok(_) => std::fs::read_to_string(&attributes)
            .map_err(|e| Error::new(format!("cannot read .gitattributes: {e}")))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::new(format!("cannot read .gitattributes: {e}"))),
    };
    // The git config first: the one write another process may hold (its lock).
    match store.set_local_config_unless_set("diff.accord.textconv", "accord textconv")? {
        Some(v) => ui.status(format!("diff.accord.textconv is already `{v}`; kept")),
        None => {
            ui.status("set diff.accord.textconv = accord textconv (git diff now shows meaning)")
        }
    }
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
        std::fs::write(&attributes, text)
            .map_err(|e| Error::new(format!("cannot write .gitattributes: {e}")))?;
        ui.status(format!("added `{line}` to .gitattributes"));
    }
    if make_folder {
        std::fs::create_dir_all(&folder)
            .map_err(|e| Error::new(format!("cannot create {dir}/: {e}")))?;
        ui.status(format!("created {dir}/"));
    }
    ui.status("next: `accord new <id>` to draft an agreement");
    Ok(())
}

/// The `.gitattributes` pattern for every `.toml` file in `dir`, which git reads as exactly that
/// folder whatever its name: glob characters and a leading `!` escaped with a backslash, and the
/// whole pattern C-quoted when it holds a blank or a control character or starts with `#` or `"`
/// (as gitattributes(5) allows; a bare one would end the pattern or make a comment).
fn attribute_pattern(dir: &str) -> String {
    let mut pattern = String::with_capacity(dir.len() + 8);
    for (i, c) in dir.chars().enumerate() {
        if matches!(c, '\\' | '*' | '?' | '[') || (i == 0 && c == '!') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push_str("/*.toml");
    let quote = pattern.starts_with(['#', '"'])
        || pattern.chars().any(|c| c.is_ascii_control() || c == ' ');
    if !quote {
        return pattern;
    }
    let mut quoted = String::from("\"");
    for c in pattern.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\t' => quoted.push_str("\\t"),
            '\n' => quoted.push_str("\\n"),
            c if c.is_ascii_control() => quoted.push_str(&format!("\\{:03o}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::attribute_pattern;

    #[test]
    fn patterns_name_exactly_the_folder() {
        assert_eq!(attribute_pattern("agreements"), "agreements/*.toml");
        assert_eq!(attribute_pattern("docs/agreements"), "docs/agreements/*.toml");
        assert_eq!(attribute_pattern("a*b"), "a\\*b/*.toml");
        assert_eq!(attribute_pattern("!x"), "\\!x/*.toml");
        assert_eq!(attribute_pattern("our agreements"), "\"our agreements/*.toml\"");
        assert_eq!(attribute_pattern("#team"), "\"#team/*.toml\"");
        assert_eq!(attribute_pattern("a b\\c\"d"), "\"a b\\\\\\\\c\\\"d/*.toml\"");
        assert_eq!(attribute_pattern("t\tx\u{1}"), "\"t\\tx\\001/*.toml\"");
    }
}
