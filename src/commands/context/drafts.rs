//! What `new` and `import` share: the parties named with `--party`, the steward among them,
//! and `--kind`.

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
