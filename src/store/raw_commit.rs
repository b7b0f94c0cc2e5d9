//! Reading a raw commit object by hand, and what its message says to accord ([`CommitKind`]).
//!
//! Faster than libgit2's full parse, and it lets the walk skip messages that cannot be
//! positions. Pure: bytes in, values out; it never looks at the repository, and it does not
//! check a position's structure (one parent, same tree): the walk does, with the graph at hand.

use std::borrow::Cow;
use std::sync::Arc;

use git2::Oid;

use crate::ledger::Position;
use crate::trailers::{self, Parsed};

/// What a commit says to accord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitKind {
    /// Nothing: an ordinary commit (or a position on another agreement, when the walk was asked
    /// about one agreement only).
    Other,
    /// A position (sign, object, abstain, withdraw).
    Position(Arc<Position>),
    /// Carries `Accord-` trailers but is not a position; the reason.
    Malformed(String),
}

fn hex_to_oid(hex: &[u8]) -> Option<Oid> {
    // A full id, decoded in Rust; anything else as libgit2 reads it (it pads a short one).
    if let Some(id) = crate::oid::ObjectId::from_hex(hex) {
        return Some(id.into());
    }
    Oid::from_str(std::str::from_utf8(hex).ok()?).ok()
}

/// `bytes` as text: borrowed when it is UTF-8 (checked the fast way), else read lossily.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The time of a signature line, as [`parse_signature_line`] reads it, without its name and
/// email.
fn signature_time(line: &[u8]) -> Option<i64> {
    let open = memchr::memchr(b'<', line)?;
    let close = memchr::memchr(b'>', &line[open..])? + open;
    let after = &line[close + 1..];
    // The first word after the email, read a byte at a time while it is ASCII (`split_whitespace`
    // splits at Unicode blanks too: any other byte, and its reading, is left to it).
    let blank = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ');
    let start = after.iter().position(|&b| !blank(b)).unwrap_or(after.len());
    let len = after[start..].iter().position(|&b| blank(b)).unwrap_or(after.len() - start);
    let word = &after[start..start + len];
    if word.is_ascii() {
        return std::str::from_utf8(word).ok()?.parse().ok();
    }
    text(after).split_whitespace().next()?.parse().ok()
}

/// `Name <email> 1700000000 +0000` → (name, email, time).
fn parse_signature_line(line: &[u8]) -> Option<(String, String, i64)> {
    let line = text(line);
    let open = line.find('<')?;
    let close = line[open..].find('>')? + open;
    let name = line[..open].trim().to_string();
    let email = line[open + 1..close].to_string();
    let mut rest = line[close + 1..].split_whitespace();
    let time = rest.next()?.parse().ok()?;
    Some((name, email, time))
}

/// A commit's author name and email and its message's summary, as libgit2's `author()` and
/// `summary()` give them (UTF-8 or nothing), read from the raw object: `None` where libgit2
/// could answer otherwise (no author line, no `<…>` in it, bytes that are not UTF-8), for the
/// caller to ask libgit2.
pub fn author_and_summary(data: &[u8]) -> Option<(String, String, String)> {
    let raw = parse_commit(data);
    // One `<` and one `>` after it, name and email trimmed (any other line is libgit2's).
    let line = raw.author_line?;
    let open = memchr::memchr(b'<', line)?;
    let close = memchr::memchr(b'>', line)?;
    if close <= open
        || memchr::memrchr(b'<', line) != Some(open)
        || memchr::memrchr(b'>', line) != Some(close)
    {
        return None;
    }
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let trimmed = |s: &[u8]| -> Option<String> {
        let start = s.iter().position(|b| !space(b)).unwrap_or(s.len());
        let end = s.iter().rposition(|b| !space(b)).map_or(start, |e| e + 1);
        String::from_utf8(s[start..end.max(start)].to_vec()).ok()
    };
    let name = trimmed(&line[..open])?;
    let email = trimmed(&line[open + 1..close])?;
    Some((name, email, summary(raw.message)?))
}

/// libgit2's `git_commit_summary` of a raw message: leading newlines skipped, the first
/// paragraph (up to a blank or whitespace-only line), each run of whitespace that holds a
/// newline squashed to one space, trailing whitespace dropped; `None` when not UTF-8.
fn summary(message: &[u8]) -> Option<String> {
    let start = message.iter().position(|&b| b != b'\n').unwrap_or(message.len());
    let msg = &message[start..];
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let nonlf_space = |b: u8| matches!(b, b' ' | b'\t' | 0x0b | 0x0c | b'\r');
    let mut out = Vec::with_capacity(msg.len().min(128));
    let mut run: Option<(usize, bool)> = None; // where a run of whitespace began; holds '\n'
    for (i, &c) in msg.iter().enumerate() {
        if c == 0 {
            break;
        }
        if c == b'\n' {
            let next = &msg[i + 1..];
            let blank = next.iter().position(|&b| !nonlf_space(b));
            match blank {
                None => break,
                Some(k) if next[k] == b'\n' || next[k] == 0 => break,
                Some(_) => {}
            }
        }
        if space(c) {
            let (at, newline) = run.unwrap_or((i, false));
            run = Some((at, newline || c == b'\n'));
        } else {
            if let Some((at, newline)) = run.take() {
                match newline {
                    true => out.push(b' '),
                    false => out.extend_from_slice(&msg[at..i]),
                }
            }
            out.push(c);
        }
    }
    String::from_utf8(out).ok()
}

/// The fields of a raw commit object that accord uses.
pub struct RawCommit<'a> {
    pub tree: Option<Oid>,
    pub parents: Vec<Oid>,
    /// The first `author` header, after `author `, as it stands.
    pub author_line: Option<&'a [u8]>,
    /// The last one, which [`RawCommit::author`] reads.
    pub last_author_line: Option<&'a [u8]>,
    pub committer_time: i64,
    pub message: &'a [u8],
}

/// Parse a raw commit object by hand: faster than libgit2's full parse, and it lets the walk
/// skip messages that cannot be positions.
pub fn parse_commit(data: &[u8]) -> RawCommit<'_> {
    let mut c = RawCommit {
        tree: None,
        // Most commits have one parent (a Vec would make room for four).
        parents: Vec::with_capacity(1),
        author_line: None,
        last_author_line: None,
        committer_time: 0,
        message: &[],
    };
    let mut rest = data;
    loop {
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        rest = if end < rest.len() { &rest[end + 1..] } else { &[] };
        if line.is_empty() {
            c.message = rest;
            break;
        }
        if let Some(v) = line.strip_prefix(b"tree ") {
            c.tree = hex_to_oid(v);
        } else if let Some(v) = line.strip_prefix(b"parent ") {
            if let Some(o) = hex_to_oid(v) {
                c.parents.push(o);
            }
        } else if let Some(v) = line.strip_prefix(b"author ") {
            c.author_line = c.author_line.or(Some(v));
            c.last_author_line = Some(v);
        } else if let Some(v) = line.strip_prefix(b"committer ") {
            c.committer_time = signature_time(v).unwrap_or(0);
        }
        if rest.is_empty() {
            break;
        }
    }
    c
}

impl RawCommit<'_> {
    /// The author (name, email, time) of the last `author` header: read only when asked (a
    /// position's author is; an ordinary commit's is not).
    pub fn author(&self) -> Option<(String, String, i64)> {
        self.last_author_line.and_then(parse_signature_line)
    }
}

/// Read what a commit message says to accord (no structure check: see [`super::Graph`]).
pub fn classify(id: Oid, raw: &RawCommit) -> CommitKind {
    if !trailers::mentions_accord(raw.message) {
        return CommitKind::Other;
    }
    // (`from_utf8` checks ASCII a word at a time; the lossy reading, only when needed.)
    let message = text(raw.message);
    match trailers::parse(&message) {
        Parsed::None => CommitKind::Other,
        Parsed::Malformed(why) => CommitKind::Malformed(why),
        Parsed::Position(t) => {
            let (author_name, author_email, _) = raw.author().unwrap_or_default();
            CommitKind::Position(Arc::new(Position {
                commit: id.into(),
                time: raw.committer_time,
                author_name,
                author_email,
                trailers: t,
                note: trailers::note(&message),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// An edit's author and subject read from the raw commit are libgit2's, wherever the
        /// quick reader answers (it leaves the rest to libgit2).
        #[test]
        fn author_and_summary_answer_as_libgit2(
            name in "[ a-zA-Z<>\t]{0,12}",
            email in "[ a-z@.<>]{0,10}",
            message in "[ a-z\t\r\n\x0b\x0c]{0,40}",
        ) {
            let dir = tempfile::tempdir().unwrap();
            let repo = git2::Repository::init(dir.path()).unwrap();
            let raw = format!(
                "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor {name} <{email}> 1700000000 +0000\n\
                 committer C <c@x> 1700000000 +0000\n\n{message}"
            );
            let id = repo.odb().unwrap().write(git2::ObjectType::Commit, raw.as_bytes()).unwrap();
            let git = repo.find_commit(id).ok().map(|c| {
                let author = c.author();
                (
                    author.name().unwrap_or("").to_string(),
                    author.email().unwrap_or("").to_string(),
                    c.summary().unwrap_or("").to_string(),
                )
            });
            if let (Some(git), Some(ours)) = (git, author_and_summary(raw.as_bytes())) {
                proptest::prop_assert_eq!(ours, git, "{:?}", raw);
            }
        }
    }

    #[test]
    fn author_and_summary_of_plain_commits() {
        let raw = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
                    author  Ada Lovelace  < ada@example.com > 1700000000 +0100\n\
                    committer Ada <ada@example.com> 1700000000 +0100\n\n\
                    \n\nagreements: purpose\n  of alpha\n\nThe body.\n";
        assert_eq!(
            author_and_summary(raw),
            Some((
                "Ada Lovelace".to_string(),
                "ada@example.com".to_string(),
                "agreements: purpose of alpha".to_string()
            ))
        );
        assert_eq!(author_and_summary(b"tree x\n\nno author"), None);
    }

    proptest::proptest! {
        /// The hand-written readers answer as the ones they replace.
        #[test]
        fn fast_readers_agree_with_the_plain_ones(
            hex in "[0-9a-fA-F]{40}|[0-9a-fA-Fg ]{0,42}",
            line in "[ -~]{0,20}(<[ -~]{0,10}>)?[ -~]{0,20}",
        ) {
            let plain = std::str::from_utf8(hex.as_bytes()).ok().and_then(|s| Oid::from_str(s).ok());
            proptest::prop_assert_eq!(hex_to_oid(hex.as_bytes()), plain);
            proptest::prop_assert_eq!(
                signature_time(line.as_bytes()),
                parse_signature_line(line.as_bytes()).map(|s| s.2)
            );
        }
    }

    proptest::proptest! {
        /// Lines found a word at a time give what the byte-by-byte reading gave.
        #[test]
        fn parse_commit_answers_as_the_plain_reading(
            lines in proptest::collection::vec(proptest::prop_oneof![
                "tree [0-9a-f]{40}",
                "tree [0-9a-fA-Fx]{0,41}",
                "parent [0-9a-f]{40}",
                "parent [0-9a-fA-F]{39,41}",
                "author [ -~\\PC]{0,8}<[ -~]{0,6}> ?-?[0-9]{0,11} [+-][0-9]{4}",
                "committer [ -~]{0,8}<[ -~]{0,6}>[ \t\u{a0}]{0,2}-?[0-9]{0,11}( [+-][0-9]{4})?",
                "gpgsig [ -~]{0,10}",
                " [ -~]{0,10}",
                "",
                "[\\PC\n]{0,20}",
            ], 0..8),
            tail in proptest::option::of("[\\PC\n]{0,20}"),
        ) {
            let mut data = lines.join("\n").into_bytes();
            if let Some(t) = tail {
                data.extend_from_slice(b"\n");
                data.extend_from_slice(t.as_bytes());
            }
            let fast = parse_commit(&data);
            let plain = plain_parse_commit(&data);
            proptest::prop_assert_eq!(fast.tree, plain.tree);
            proptest::prop_assert_eq!(&fast.parents, &plain.parents);
            proptest::prop_assert_eq!(fast.author(), plain.last_author_line.and_then(signature));
            proptest::prop_assert_eq!(fast.last_author_line, plain.last_author_line);
            proptest::prop_assert_eq!(fast.committer_time, plain.committer_time);
            proptest::prop_assert_eq!(fast.message, plain.message);
            proptest::prop_assert_eq!(fast.author_line, plain.author_line);
        }
    }

    /// A signature line as [`parse_commit`] read it before it read them without a separate
    /// text check.
    fn signature(line: &[u8]) -> Option<(String, String, i64)> {
        let line = String::from_utf8_lossy(line);
        let open = line.find('<')?;
        let close = line[open..].find('>')? + open;
        let mut rest = line[close + 1..].split_whitespace();
        let time = rest.next()?.parse().ok()?;
        Some((line[..open].trim().to_string(), line[open + 1..close].to_string(), time))
    }

    /// [`parse_commit`] as it was before it found lines a word at a time and read ids and
    /// signature lines without a separate text check.
    fn plain_parse_commit(data: &[u8]) -> RawCommit<'_> {
        let hex = |hex: &[u8]| {
            let s = std::str::from_utf8(hex).ok()?;
            match s.parse::<crate::oid::ObjectId>() {
                Ok(id) => Some(Oid::from(id)),
                Err(_) => Oid::from_str(s).ok(),
            }
        };
        let mut c = RawCommit {
            tree: None,
            parents: Vec::new(),
            last_author_line: None,
            author_line: None,
            committer_time: 0,
            message: &[],
        };
        let mut rest = data;
        loop {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let line = &rest[..end];
            rest = if end < rest.len() { &rest[end + 1..] } else { &[] };
            if line.is_empty() {
                c.message = rest;
                break;
            }
            if let Some(v) = line.strip_prefix(b"tree ") {
                c.tree = hex(v);
            } else if let Some(v) = line.strip_prefix(b"parent ") {
                c.parents.extend(hex(v));
            } else if let Some(v) = line.strip_prefix(b"author ") {
                c.last_author_line = Some(v);
                c.author_line = c.author_line.or(Some(v));
            } else if let Some(v) = line.strip_prefix(b"committer ") {
                c.committer_time = signature(v).map_or(0, |s| s.2);
            }
            if rest.is_empty() {
                break;
            }
        }
        c
    }

    #[test]
    fn raw_commit() {
        let data = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A B <a@b> 1700000000 +0000\ncommitter C <c@d> 1700000001 +0000\ngpgsig -----BEGIN X-----\n line\n -----END X-----\n\nsubject\n\nbody\n";
        let c = parse_commit(data);
        assert_eq!(c.parents.len(), 1);
        assert_eq!(c.author(), Some(("A B".into(), "a@b".into(), 1_700_000_000)));
        assert_eq!(c.committer_time, 1_700_000_001);
        assert_eq!(c.message, b"subject\n\nbody\n");
    }
}
