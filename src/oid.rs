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

    /// Exactly 40 hex digits (either case), as bytes: a raw commit's `tree` and `parent`
    /// lines are read without checking them as text first.
    pub fn from_hex(hex: &[u8]) -> Option<ObjectId> {
        if hex.len() != 40 {
            return None;
        }
        let mut out = [0u8; 20];
        // Every digit looked up, then one test: no branch per digit, which mispredicts on
        // ids' random mix of digits and letters (a cold `status` reads some 60,000 ids).
        let mut invalid = 0u8;
        for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            let (hi, lo) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
            invalid |= hi | lo;
            *o = hi << 4 | (lo & 15);
        }
        (invalid & INVALID == 0).then_some(ObjectId(out))
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
        ObjectId::from_hex(s.as_bytes()).ok_or_else(|| ParseObjectIdError(s.to_string()))
    }
}

/// Marks a byte that is not a hex digit in [`HEX`].
const INVALID: u8 = 0x80;

/// The value of each hex digit, either case; [`INVALID`] for every other byte.
const HEX: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 40];
        for (pair, b) in hex.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 15)];
        }
        let s = std::str::from_utf8(&hex).map_err(|_| fmt::Error)?;
        // Honour precision like git2's Oid does (`{:.10}`).
        match f.precision() {
            Some(p) => f.write_str(&s[..p.min(40)]),
            None => f.write_str(s),
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
        assert!("3b18e512dba79e4c8300dd08aeb37f8e728b8dä0".parse::<ObjectId>().is_err());
        assert_eq!("3B18E512DBA79E4C8300DD08AEB37F8E728B8DAD".parse::<ObjectId>(), Ok(id));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Printed as 40 lower-case hex digits and read back; any other text of 40
            /// characters is read exactly when it is all hex digits, either case (the
            /// reference: `format!` and `from_str_radix`, byte by byte).
            #[test]
            fn prints_and_reads_hex(
                bytes in any::<[u8; 20]>(),
                text in prop_oneof![
                    "[0-9a-fA-F]{40}",
                    "[0-9a-fA-Fg-zG-Z.ä]{40}",
                    "[0-9a-f]{39}[g-z]",
                ],
            ) {
                let id = ObjectId::from_bytes(bytes);
                let printed: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                prop_assert_eq!(id.to_string(), printed);
                prop_assert_eq!(id.to_string().parse::<ObjectId>(), Ok(id));
                let all_hex = text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit());
                let pair = |i: usize| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
                let by_pairs: Option<Vec<u8>> = all_hex.then(|| (0..20).map(pair).collect());
                match (text.parse::<ObjectId>(), by_pairs) {
                    (Ok(read), Some(want)) => prop_assert_eq!(&read.as_bytes()[..], &want[..]),
                    (Err(_), None) => {}
                    (got, want) => prop_assert!(false, "{text}: {got:?} against {want:?}"),
                }
            }
        }
    }
}
