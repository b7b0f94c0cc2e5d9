//! git's `.mailmap` (SPEC §4): which party email a commit identity stands for. Two sources, on
//! purpose: the signer's own view (the working tree's `.mailmap`, `mailmap.file`, `mailmap.blob`,
//! as `git log --use-mailmap` reads them) for `accord sign`, and the `.mailmap` committed at the
//! commit a gate judges for `verify`, never a working tree or a pull request's own file. This
//! module maps identities; it must not decide whether a mapped identity is a party.

#![allow(clippy::disallowed_types)]

use git2::{Mailmap, Oid};

use super::Store;
use crate::error::{Error, Result};

/// A mailmap, or none (no `.mailmap` at the commit): then every identity maps to itself.
pub struct IdentityMap(Option<Mailmap>);

impl IdentityMap {
    /// `name <email>` as the map resolves it: the proper name and email of a mapped identity,
    /// the identity itself otherwise (untouched: not even trimmed, so the one identity rule
    /// still sees every character).
    pub fn resolve(&self, name: &str, email: &str) -> Result<(String, String)> {
        let unchanged = || Ok((name.to_owned(), email.to_owned()));
        let Some(map) = &self.0 else { return unchanged() };
        // git cannot write such an identity, so no mailmap line can name it; libgit2 refuses
        // to build a signature from it.
        let unwritable = |s: &str| s.trim().is_empty() || s.contains(['<', '>', '\0']);
        if unwritable(name) || unwritable(email) {
            return unchanged();
        }
        // git matches a mailmap's emails without case, libgit2 exactly: ask again in lower
        // case (maps read from a commit are lowered as they are read, see `lower_emails`).
        for email in [email.to_owned(), email.to_ascii_lowercase()] {
            let sig = git2::Signature::now(name, &email)?;
            let real = map.resolve_signature(&sig)?;
            let (real_name, real_email) = (real.name_bytes(), real.email_bytes());
            if real_name != sig.name_bytes() || real_email != sig.email_bytes() {
                return Ok((
                    String::from_utf8_lossy(real_name).into_owned(),
                    String::from_utf8_lossy(real_email).into_owned(),
                ));
            }
        }
        unchanged()
    }
}

/// `.mailmap` text with every ASCII letter between `<` and `>` in lower case, so that looking
/// up a lower-cased email finds its line whatever case either side was written in (as git does).
fn lower_emails(text: &str) -> String {
    let mut inside = false;
    text.chars()
        .map(|c| {
            match c {
                '<' => inside = true,
                '>' | '\n' => inside = false,
                _ => {}
            }
            if inside {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect()
}

impl Store {
    /// The identity the signer's own mailmap gives `name <email>`: `.mailmap` in the working
    /// tree (bare: at HEAD), `mailmap.file` and `mailmap.blob`, as git reads them. Only for the
    /// person at the keyboard; a gate reads [`Store::mailmap_at`] the commit it judges.
    pub fn resolve_identity(&self, name: &str, email: &str) -> Result<(String, String)> {
        let map = self.repo.mailmap().map_err(|e| {
            Error::new(format!("cannot read the mailmap: {}", e.message()))
                .hint("fix .mailmap (or mailmap.file / mailmap.blob in git config)")
        })?;
        IdentityMap(Some(map)).resolve(name, email)
    }

    /// The `.mailmap` committed at `commit`, not the working tree's: a pull request's author
    /// cannot map themself onto a party through a file that is not yet reviewed.
    pub fn mailmap_at(&self, commit: impl Into<Oid>) -> Result<IdentityMap> {
        let commit: Oid = commit.into();
        let Some((_, bytes)) = self.blob_at(commit, ".mailmap")? else {
            return Ok(IdentityMap(None));
        };
        let map =
            Mailmap::from_buffer(&lower_emails(&String::from_utf8_lossy(&bytes))).map_err(|e| {
                Error::new(format!("cannot read .mailmap at {commit:.10}: {}", e.message()))
                    .hint("fix .mailmap: one `Proper Name <proper@email> <commit@email>` a line")
            })?;
        Ok(IdentityMap(Some(map)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> IdentityMap {
        IdentityMap(Some(Mailmap::from_buffer(&lower_emails(text)).unwrap()))
    }

    fn resolve(m: &IdentityMap, name: &str, email: &str) -> (String, String) {
        m.resolve(name, email).unwrap()
    }

    #[test]
    fn maps_a_commit_email_to_the_proper_one() {
        let m = map("Ada Lovelace <ada@example.com> <ada@home.example>\n");
        let ada = ("Ada Lovelace".to_owned(), "ada@example.com".to_owned());
        assert_eq!(resolve(&m, "ada", "ada@home.example"), ada);
        assert_eq!(resolve(&m, "ada", "ADA@home.example"), ada, "git matches emails without case");
        let m = map("Ada Lovelace <ada@example.com> <Ada@Home.example>\n");
        assert_eq!(resolve(&m, "ada", "ada@HOME.example").1, "ada@example.com");
        let other = ("Ada".to_owned(), "ada@work.example".to_owned());
        assert_eq!(resolve(&m, &other.0, &other.1), other);
    }

    #[test]
    fn unmapped_and_unwritable_identities_stay_as_they_are() {
        let m = map("<ada@example.com> <ada@home.example>\n");
        assert_eq!(resolve(&m, " Ada ", " x@y "), (" Ada ".into(), " x@y ".into()), "not trimmed");
        assert_eq!(resolve(&m, "", "ada@home.example"), ("".into(), "ada@home.example".into()));
        assert_eq!(resolve(&m, "a<b", "ada@home.example").1, "ada@home.example");
        let none = IdentityMap(None);
        assert_eq!(resolve(&none, "Ada", "ada@home.example").1, "ada@home.example");
        // A name-keyed line maps only that name.
        let m = map("Ada <ada@example.com> Ada L <ada@home.example>\n");
        assert_eq!(resolve(&m, "Ada L", "ada@home.example").1, "ada@example.com");
        assert_eq!(resolve(&m, "Mallory", "ada@home.example").1, "ada@home.example");
    }
}
