//! Object ids as a type: a git object id (SHA-1, 20 bytes) that the pure core can hold, compare
//! and print without depending on git2. `store` converts between this and git2's `Oid`.

use std::fmt;
use std::str::FromStr;

/// A git object id (commit, tree or blob), printed as 40 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjectId([u8; 20]);

/// The text was not 40 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a full object id (40 hex digits)")]
pub struct ParseObjectIdError(pub String);

impl ObjectId {
    pub const fn from_bytes(bytes: [u8; 20]) -> ObjectId {
        ObjectId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The first ten hex digits, as accord shows ids to people.
    pub fn short(&self) -> String {
        let mut s = self.to_string();
        s.truncate(10);
        s
    }
}

impl FromStr for ObjectId {
    type Err = ParseObjectIdError;

    fn from_str(s: &str) -> Result<ObjectId, ParseObjectIdError> {
        let bad = || ParseObjectIdError(s.to_string());
        if s.len() != 40 {
            return Err(bad());
        }
        let mut out = [0u8; 20];
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16).ok_or_else(bad)?;
            let lo = (pair[1] as char).to_digit(16).ok_or_else(bad)?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Ok(ObjectId(out))
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(40);
        for b in self.0 {
            s.push_str(&format!("{b:02x}"));
        }
        // Honour precision like git2's Oid does (`{:.10}`).
        match f.precision() {
            Some(p) => f.write_str(&s[..p.min(40)]),
            None => f.write_str(&s),
        }
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl serde::Serialize for ObjectId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_short_or_odd_text() {
        let hex = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";
        let id: ObjectId = hex.parse().unwrap();
        assert_eq!(id.to_string(), hex);
        assert_eq!(format!("{id:.10}"), "3b18e512db");
        assert_eq!(id.short(), "3b18e512db");
        assert!("3b18e512".parse::<ObjectId>().is_err());
        assert!("zz18e512dba79e4c8300dd08aeb37f8e728b8dad".parse::<ObjectId>().is_err());
        assert!("3b18e512dba79e4c8300dd08aeb37f8e728b8dä".parse::<ObjectId>().is_err());
    }
}
