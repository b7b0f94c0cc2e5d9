//! What `new` and `import` share: the parties named with `--party`, the steward among them,
//! `--kind`, and writing a draft that never overwrites; and the successor `new --supersedes`
//! drafts.

use crate::error::{Error, Result};
use crate::model::{self, Kind};

/// `--kind`: one of the kinds, listed in `--help`, in the error for any other word and in the
/// shell completions.
pub fn kind_parser() -> impl clap::builder::TypedValueParser<Value = Kind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Kind::ALL.map(Kind::as_str))
        // Every value offered is a kind's own name (a unit test checks), so this never falls
        // back.
        .map(|s| Kind::parse(&s).unwrap_or(Kind::Charter))
}

/// The parties named with `--party`, each `Name <email>`, as (name, email); an email named
/// twice (compared as accord compares emails) is refused.
pub fn named_parties(named: &[String]) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(named.len());
    for p in named {
        let Some((name, email)) = crate::trailers::split_ident(p) else {
            return Err(Error::new(format!("`{p}` is not `Name <email>`"))
                .hint("write --party \"Grace Hopper <grace@example.com>\""));
        };
        if out.iter().any(|(_, e)| model::same_email(e, &email)) {
            return Err(Error::new(format!("{email} is named twice with --party"))
                .hint("name each party once"));
        }
        out.push((name, email));
    }
    Ok(out)
}

/// Refuse a `--steward` who is not among the draft's parties, naming those there are.
pub fn steward_among(steward: Option<&str>, emails: &[&str]) -> Result<()> {
    match steward {
        Some(s) if !emails.iter().any(|e| model::same_email(e, s)) => Err(Error::new(format!(
            "the steward {s} is not one of the parties; they are: {}",
            emails.join(", ")
        ))
        .hint("name the steward with --party too")),
        _ => Ok(()),
    }
}

/// The text of a successor to be written at `rel`: the old agreement's current text (comments
/// and layout kept), with `supersedes = ["<old>"]` and, when given, another kind or title. The
/// caller refuses an agreement superseding itself.
pub fn successor(
    store: &crate::store::Store,
    rel: &str,
    old: &str,
    kind: Option<Kind>,
    title: Option<&str>,
) -> Result<String> {
    super::check_id(old)?;
    super::load_current(store, old)?; // exists and is valid, or says why
    let bytes = store.read_current(old)?.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| Error::new(format!("cannot read {}: {e}", store.path_of(old))))?;
    let mut list = toml_edit::Array::new();
    list.push(old);
    doc["supersedes"] = toml_edit::value(list);
    // A successor starts in force nowhere: whatever retired the old text does not carry over.
    doc.remove("retired");
    if let Some(kind) = kind {
        doc["kind"] = toml_edit::value(kind.as_str());
    }
    if let Some(title) = title {
        doc["title"] = toml_edit::value(title);
    }
    let out = doc.to_string();
    crate::model::load(out.as_bytes(), rel).map_err(|e| {
        let why = e.diagnostics().first().map_or(String::new(), |d| d.message.clone());
        Error::new(format!("the successor drafted from {old} would not be valid: {why}"))
            .hint("fix the old agreement first (`accord check`), or pick --kind to match it")
    })?;
    Ok(out)
}

/// Create `path` with `text`; never overwrites (create_new: a file that appeared since the
/// caller's check is still never overwritten).
pub fn write_new(path: &std::path::Path, rel: &str, text: &str) -> Result<()> {
    // `path` is `rel` under the working tree: the folders on the way must be the tree's own.
    let dir = rel.rsplit_once('/').map_or(rel, |(d, _)| d);
    if let Some(work) = path.ancestors().nth(rel.split('/').count()) {
        refuse_links_on_the_way(work, dir)?;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::new(format!("cannot create the folder {dir}: {e}"))
                .hint(format!("agreements live in {dir}/<id>.toml: move away what is in the way"))
        })?;
    }
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
            Error::new(format!("cannot create {rel}: {e}")).hint("accord never overwrites a file")
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    Ok(())
}

/// Refuse when a folder on the way to `dir` (a path from the working tree `work`) is a
/// symbolic link: git does not follow one, so what is written beyond it could never be
/// committed (and may be outside the repository).
pub fn refuse_links_on_the_way(work: &std::path::Path, dir: &str) -> Result<()> {
    let mut at = work.to_path_buf();
    for part in dir.split('/') {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            let shown = at.strip_prefix(work).unwrap_or(&at).display().to_string();
            return Err(Error::new(format!(
                "{shown} is a symbolic link: git does not follow it, so an agreement written there could never be committed"
            ))
            .hint(format!("make {shown} a real folder of the repository")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_offered_is_read_back_as_itself() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn parties_named_twice_or_malformed_are_refused() {
        let named =
            |v: &[&str]| named_parties(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            named(&["Ada <ada@x.org>", "Bo <bo@x.org>"]).unwrap(),
            [("Ada".into(), "ada@x.org".into()), ("Bo".into(), "bo@x.org".into())]
        );
        assert!(named(&["Ada <ada@x.org>", "A <ADA@x.org>"])
            .unwrap_err()
            .message
            .contains("twice"));
        assert!(named(&["no email"]).unwrap_err().message.contains("is not `Name <email>`"));
        assert!(steward_among(Some("ADA@x.org"), &["ada@x.org"]).is_ok());
        assert!(steward_among(Some("bo@x.org"), &["ada@x.org"]).is_err());
        assert!(steward_among(None, &[]).is_ok());
    }
}
