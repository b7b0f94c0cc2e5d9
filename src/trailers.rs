//! The `Accord-*` trailer block of a position commit (SPEC §4): parse and format.
//!
//! Pure: strings in, values out. Parsing uses git2's trailer parser (libgit2 follows git's
//! own rules), which is a pure function of the message and touches no repository.

use std::fmt;

/// What a party says about an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Sign,
    Object,
    Abstain,
    Withdraw,
}

impl Stance {
    pub const ALL: [Stance; 4] = [Stance::Sign, Stance::Object, Stance::Abstain, Stance::Withdraw];

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Sign => "sign",
            Stance::Object => "object",
            Stance::Abstain => "abstain",
            Stance::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Stance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The trailer keys, as accord writes them. Reading compares without case, as git does.
pub const POSITION: &str = "Accord-Position";
pub const AGREEMENT: &str = "Accord-Agreement";
pub const REVISION: &str = "Accord-Revision";
pub const PARTY: &str = "Accord-Party";
/// Optional: the meaning fingerprint of the text the revision names (SPEC §4, "consent binds to
/// content"), so that a position stays judgeable once that text is garbage-collected.
pub const MEANING: &str = "Accord-Meaning";

/// A well-formed position, as read from a commit message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailers {
    pub stance: Stance,
    pub agreement: String,
    /// Full hex object id of the agreement blob, lower case.
    pub revision: String,
    pub name: String,
    pub email: String,
    /// The `Accord-Meaning` fingerprint, full hex, lower case, when the position carries one.
    pub meaning: Option<String>,
}

/// What a message says about accord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// No `Accord-` trailer in the final block: an ordinary commit.
    None,
    /// A well-formed position block.
    Position(Trailers),
    /// `Accord-` trailers that do not make a position; the reason why.
    Malformed(String),
}

/// Cheap test that lets the walk skip the trailer parser for almost every commit.
pub fn mentions_accord(message: &[u8]) -> bool {
    // At each `-` (rare in messages, found a word at a time), whether the six bytes before it
    // say `accord`.
    memchr::memchr_iter(b'-', message)
        .any(|i| i >= 6 && message[i - 6..i].eq_ignore_ascii_case(b"accord"))
}

/// The final trailer block of `message` when it is plainly one, as (key, value) pairs: the
/// last paragraph of a message of two or more, every line of it `Key: value` with a key of
/// ASCII letters, digits and `-` and a value that is not empty, and nothing anywhere that git
/// reads specially (a comment line, a `---` patch divider, a `Conflicts:` block, a line of
/// blanks, a carriage return or NUL). `None` leaves the message to libgit2, which reads
/// trailers as git does; a property test checks that the two agree wherever this answers.
/// Every position accord writes is such a message, and this reads it without copying it
/// twice into C strings (a cold `status` reads some 20,000).
fn plain_trailers(message: &str) -> Option<Vec<(&str, &str)>> {
    let bytes = message.as_bytes();
    if memchr::memchr2(b'\r', 0, bytes).is_some() {
        return None;
    }
    // Each line's first byte says whether it needs a closer look (lines found a word at a
    // time: a cold `status` reads some 20,000 messages).
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain([bytes.len()]) {
        let line = &message[start..end];
        start = end + 1;
        let special = match line.as_bytes().first() {
            None => false,
            Some(b'#') => true,
            Some(b'-') => line.starts_with("---"),
            Some(b'C') => line.starts_with("Conflicts:"),
            // A line of blanks: one that starts with a blank is looked at closely.
            Some(&b) if b.is_ascii() && !char::from(b).is_whitespace() => false,
            Some(_) => line.starts_with(char::is_whitespace) && line.trim().is_empty(),
        };
        if special {
            return None;
        }
    }
    // The last blank line (as `rsplit_once("\n\n")` finds it, scanning bytes from the end).
    let text = message.trim_end_matches('\n');
    let t = text.as_bytes();
    let gap = last_blank_line(t)?;
    let (before, last) = (&text[..gap], &text[gap + 2..]);
    // The first paragraph is the title, never trailers.
    if before.trim().is_empty() {
        return None;
    }
    let last = last.trim_start_matches('\n');
    let mut out = Vec::with_capacity(4);
    // (Lines and keys found a byte at a time: `\n` and `:` are ASCII, and no byte of another
    // character's UTF-8 encoding equals them, so these are `split('\n')` and `split_once(':')`.)
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', last.as_bytes()).chain([last.len()]) {
        let line = &last[start..end];
        start = end + 1;
        let colon = memchr::memchr(b':', line.as_bytes())?;
        let (key, value) = (&line[..colon], &line[colon + 1..]);
        let plain_key = !key.is_empty()
            && every_byte(key.as_bytes(), |b| b.is_ascii_alphanumeric() || b == b'-');
        let value_trimmed = value.trim();
        if !plain_key || !value.starts_with(' ') || value_trimmed.is_empty() {
            return None;
        }
        out.push((key, value_trimmed));
    }
    Some(out)
}

/// libgit2's reading of the final trailer block of `message` (copies), for what
/// [`plain_trailers`] leaves to it; `None` when libgit2 cannot read the message.
fn git_trailers(message: &str) -> Option<Vec<(String, String)>> {
    let trailers = git2::message_trailers_strs(message).ok()?;
    Some(trailers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// How many of one trailer a block holds, and the first one's value.
#[derive(Default)]
struct Seen<'a> {
    count: usize,
    first: Option<&'a str>,
}

impl<'a> Seen<'a> {
    fn add(&mut self, value: &'a str) {
        self.count += 1;
        self.first.get_or_insert(value);
    }
}

/// Read the final trailer block of `message`.
pub fn parse(message: &str) -> Parsed {
    // The final block's pairs: slices of the message where it is plainly one (not copied),
    // else libgit2's reading.
    let owned: Vec<(String, String)>;
    let trailers: Vec<(&str, &str)> = match plain_trailers(message) {
        Some(pairs) => pairs,
        None => {
            let Some(pairs) = git_trailers(message) else { return Parsed::None };
            owned = pairs;
            owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
        }
    };
    let (mut stance, mut agreement, mut revision, mut party, mut meaning) =
        (Seen::default(), Seen::default(), Seen::default(), Seen::default(), Seen::default());
    let mut unknown = Vec::new();
    for &(key, value) in &trailers {
        let value = trim(value);
        let k = trim(key);
        if k.eq_ignore_ascii_case(POSITION) {
            stance.add(value);
        } else if k.eq_ignore_ascii_case(AGREEMENT) {
            agreement.add(value);
        } else if k.eq_ignore_ascii_case(REVISION) {
            revision.add(value);
        } else if k.eq_ignore_ascii_case(PARTY) {
            party.add(value);
        } else if k.eq_ignore_ascii_case(MEANING) {
            meaning.add(value);
        } else if k.len() >= 7 && k.as_bytes()[..7].eq_ignore_ascii_case(b"accord-") {
            unknown.push(k.to_string());
        }
    }
    let total = stance.count
        + agreement.count
        + revision.count
        + party.count
        + meaning.count
        + unknown.len();
    if total == 0 {
        return Parsed::None;
    }
    let mut problems = Vec::new();
    for (key, seen) in
        [(POSITION, &stance), (AGREEMENT, &agreement), (REVISION, &revision), (PARTY, &party)]
    {
        match seen.count {
            1 => {}
            0 => problems.push(format!("no {key} trailer")),
            n => problems.push(format!("{n} {key} trailers")),
        }
    }
    if meaning.count > 1 {
        problems.push(format!("{} {MEANING} trailers", meaning.count));
    }
    if !unknown.is_empty() {
        problems.push(format!("unknown trailer {}", unknown.join(", ")));
    }
    let (Some(stance), Some(agreement), Some(rev), Some(party), true) =
        (stance.first, agreement.first, revision.first, party.first, problems.is_empty())
    else {
        return Parsed::Malformed(problems.join("; "));
    };
    let Some(st) = Stance::parse(stance) else {
        return Parsed::Malformed(format!("unknown position `{stance}`"));
    };
    if !crate::model::valid_id(agreement) {
        return Parsed::Malformed(format!("invalid agreement id `{agreement}`"));
    }
    if !full_hex_id(rev) {
        return Parsed::Malformed(format!("revision `{rev}` is not a full object id"));
    }
    let Some((name, email)) = split_ident(party) else {
        return Parsed::Malformed(format!("party `{party}` is not `Name <email>`"));
    };
    if let Some(m) = meaning.first.filter(|m| !full_hex_id(m)) {
        return Parsed::Malformed(format!("meaning `{m}` is not a full object id"));
    }
    Parsed::Position(Trailers {
        stance: st,
        agreement: agreement.to_string(),
        revision: rev.to_ascii_lowercase(),
        name,
        email,
        meaning: meaning.first.map(str::to_ascii_lowercase),
    })
}

/// Whether `s` is a full object id in hex (SHA-1 or SHA-256).
fn full_hex_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && every_byte(s.as_bytes(), |b| b.is_ascii_hexdigit())
}

/// `Name <email>` → (name, email).
pub fn split_ident(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    let open = s.rfind('<')?;
    let rest = s[open + 1..].strip_suffix('>')?;
    let name = s[..open].trim();
    let angle = |t: &str| t.bytes().any(|b| b == b'<' || b == b'>');
    if name.is_empty() || rest.is_empty() || angle(rest) || angle(name) {
        return None;
    }
    Some((name.to_string(), rest.to_string()))
}

/// `s.trim()`, its ends looked at a byte at a time where they are ASCII (a character outside
/// ASCII at either end may be whitespace, and is left to `trim`).
fn trim(s: &str) -> &str {
    // `char::is_whitespace` in ASCII: tab, line feed, vertical tab, form feed, return, space.
    let blank = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ');
    let b = s.as_bytes();
    let mut start = 0;
    while start < b.len() && blank(b[start]) {
        start += 1;
    }
    let mut end = b.len();
    while end > start && blank(b[end - 1]) {
        end -= 1;
    }
    if start < end && (!b[start].is_ascii() || !b[end - 1].is_ascii()) {
        return s.trim();
    }
    &s[start..end]
}

/// Whether `test` holds for every byte of `bytes`: `all` without stopping at the first that
/// fails, which the compiler turns into a loop over many bytes at once (a position's 40-digit
/// revision and its keys are checked in every message a cold run reads).
pub(crate) fn every_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    bytes.iter().fold(true, |ok, &b| ok & test(b))
}

/// Where the last `\n\n` of `text` starts (as `rfind("\n\n")` finds it), found from the end
/// a word at a time.
fn last_blank_line(text: &[u8]) -> Option<usize> {
    memchr::memrchr_iter(b'\n', text).find(|&i| i >= 1 && text[i - 1] == b'\n').map(|i| i - 1)
}

/// The free text of a position: the message without its trailer block, and without the
/// `accord: <stance> <id>` subject line accord writes. A hand-made position keeps its subject.
pub fn note(message: &str) -> String {
    let text = match memchr::memchr(b'\r', message.as_bytes()) {
        Some(_) => std::borrow::Cow::Owned(message.replace("\r\n", "\n")),
        None => std::borrow::Cow::Borrowed(message),
    };
    let text = text.trim_end();
    // The trailer block is the last paragraph.
    let t = text.as_bytes();
    let body = match last_blank_line(t) {
        Some(i) => &text[..i],
        None => "",
    };
    let first_line = memchr::memchr(b'\n', body.as_bytes()).map(|i| (&body[..i], &body[i + 1..]));
    let body = match first_line {
        Some((first, rest)) if first.starts_with("accord: ") => rest,
        None if body.starts_with("accord: ") => "",
        _ => body,
    };
    body.trim().to_string()
}

/// Why a note cannot go into a position message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error(
        "line {0} of the note is a patch divider (`---`), which would hide the trailer block from git"
    )]
    Divider(usize),
    #[error(
        "line {0} of the note looks like an accord trailer (`{1}:`), which could forge a position"
    )]
    Trailer(usize, String),
    /// A NUL cuts a commit message short (git stops there, libgit2 refuses it), and other
    /// control characters would reach every terminal that shows the note.
    #[error(
        "line {0} of the note holds the control character U+{1:04X}; a note is plain text \
         (line breaks and tabs are fine)"
    )]
    Control(usize, u32),
}

/// Refuse a note that could make the trailer block ambiguous (SPEC §4), or that the message
/// could not carry exactly: every note this accepts reads back unchanged (trimmed) from the
/// commit (issue 6, found by the `trailers` fuzz target).
pub fn check_note(note: &str) -> Result<(), NoteError> {
    // Check the text `format` writes: trimmed, so a line indented at the very start of the note
    // starts a line of the message. Count lines from the note as given.
    let text = note.trim();
    let skipped = note[..note.len() - note.trim_start().len()].matches('\n').count();
    // Split on `\n` alone: `lines()` would hide a `\r` before it, and a `\r` is refused.
    for (i, line) in text.split('\n').enumerate() {
        let i = i + skipped;
        if let Some(c) = line.chars().find(|&c| c.is_control() && c != '\t') {
            return Err(NoteError::Control(i + 1, u32::from(c)));
        }
        if let Some(rest) = line.strip_prefix("---") {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return Err(NoteError::Divider(i + 1));
            }
        }
        if let Some((token, _)) = line.split_once(':') {
            let t = token.trim_end();
            if t.len() >= 7
                && t.is_char_boundary(7)
                && t[..7].eq_ignore_ascii_case("accord-")
                && !t.contains(char::is_whitespace)
            {
                return Err(NoteError::Trailer(i + 1, t.to_string()));
            }
        }
    }
    Ok(())
}

/// The full commit message of a position. The note must have passed [`check_note`].
pub fn format(t: &Trailers, note: &str) -> String {
    let mut msg = format!("accord: {} {}\n\n", t.stance, t.agreement);
    let note = note.trim();
    if !note.is_empty() {
        msg.push_str(note);
        msg.push_str("\n\n");
    }
    msg.push_str(&format!(
        "{POSITION}: {}\n{AGREEMENT}: {}\n{REVISION}: {}\n{PARTY}: {} <{}>\n",
        t.stance, t.agreement, t.revision, t.name, t.email
    ));
    if let Some(m) = &t.meaning {
        msg.push_str(&format!("{MEANING}: {m}\n"));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte-at-a-time trim is `str::trim`, Unicode blanks at the ends included.
        #[test]
        fn trim_is_str_trim(s in "[ \t\n\x0b\x0c\r\u{a0}\u{85}\u{2003}\u{3000}ae\u{e9}:<>]{0,12}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }

        /// Checking every byte without stopping is `all`.
        #[test]
        fn every_byte_is_all(s in "[0-9a-fA-Fg-z\u{e9}]{0,70}") {
            let hex = |b: u8| b.is_ascii_hexdigit();
            proptest::prop_assert_eq!(every_byte(s.as_bytes(), hex), s.bytes().all(hex));
        }
    }

    fn sample() -> Trailers {
        Trailers {
            stance: Stance::Object,
            agreement: "platform-charter".into(),
            revision: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad".into(),
            name: "Grace Hopper".into(),
            email: "grace@example.com".into(),
            meaning: None,
        }
    }

    #[test]
    fn round_trip() {
        let msg = format(&sample(), "We have two people.\n\nOnly two.");
        assert_eq!(parse(&msg), Parsed::Position(sample()));
        assert_eq!(note(&msg), "We have two people.\n\nOnly two.");
    }

    #[test]
    fn empty_note() {
        let msg = format(&sample(), "");
        assert_eq!(parse(&msg), Parsed::Position(sample()));
        assert_eq!(note(&msg), "");
    }

    #[test]
    fn only_final_block_counts() {
        let mut msg = format(&sample(), "");
        msg.push_str("Signed-off-by: X <x@example.com>\n");
        // Appending to the block keeps it one block.
        assert!(matches!(parse(&msg), Parsed::Position(_)));
        let msg = format!("{}\nsome text after\n", format(&sample(), ""));
        assert_eq!(parse(&msg), Parsed::None);
        // A later paragraph of other trailers is the final block: the position is hidden.
        let msg = format!("{}\nSigned-off-by: X <x@example.com>\n", format(&sample(), ""));
        assert_eq!(parse(&msg), Parsed::None);
    }

    #[test]
    fn the_meaning_fingerprint_is_an_optional_fifth_trailer() {
        let t = Trailers { meaning: Some("ab".repeat(20)), ..sample() };
        let msg = format(&t, "");
        assert!(msg.ends_with(&format!("{MEANING}: {}\n", "ab".repeat(20))), "{msg}");
        assert_eq!(parse(&msg), Parsed::Position(t.clone()));
        // Read without case, written lower case; one at most; a full object id.
        let upper = msg.replace("Accord-Meaning: abab", "accord-meaning: ABAB");
        assert_eq!(parse(&upper), Parsed::Position(t));
        let twice = format!("{msg}{MEANING}: {}\n", "cd".repeat(20));
        assert_eq!(parse(&twice), Parsed::Malformed("2 Accord-Meaning trailers".into()));
        let short = format(&Trailers { meaning: Some("abc".into()), ..sample() }, "");
        assert_eq!(
            parse(&short),
            Parsed::Malformed("meaning `abc` is not a full object id".into())
        );
    }

    #[test]
    fn duplicate_trailers_are_malformed() {
        let msg = format!("{}Accord-Position: sign\n", format(&sample(), ""));
        assert!(matches!(parse(&msg), Parsed::Malformed(_)));
    }

    #[test]
    fn refuses_forging_notes() {
        assert_eq!(check_note("a\n---\nb"), Err(NoteError::Divider(2)));
        assert_eq!(check_note("--- x"), Err(NoteError::Divider(1)));
        assert!(check_note("----").is_ok());
        assert!(check_note("---x").is_ok());
        assert!(matches!(check_note("ok\naccord-party: x"), Err(NoteError::Trailer(2, _))));
        assert!(check_note("I think Accord-Party: is fine mid-line? no").is_ok());
    }

    /// issue 6: the `trailers` fuzz target found notes that `check_note` let through but the
    /// message could not carry: a NUL (libgit2 refuses such a message, git cuts it there), and
    /// a divider indented at the very start of the note (`format` trims it to a line start).
    #[test]
    fn issue6_notes_the_message_cannot_carry_are_refused() {
        assert_eq!(check_note("fine\u{1f}Ada\0\0m"), Err(NoteError::Control(1, 0x1f)));
        assert_eq!(check_note("fine\0m"), Err(NoteError::Control(1, 0)));
        assert_eq!(check_note("a\n\u{1b}[31mred"), Err(NoteError::Control(2, 0x1b)));
        assert_eq!(check_note("a\r\nb"), Err(NoteError::Control(1, 0x0d)));
        assert_eq!(check_note("a\u{9b}31m"), Err(NoteError::Control(1, 0x9b)));
        assert_eq!(check_note("                ---            JJJJ"), Err(NoteError::Divider(1)));
        assert_eq!(check_note("\n\n  ---"), Err(NoteError::Divider(3)));
        assert!(matches!(check_note("  Accord-Party: x"), Err(NoteError::Trailer(1, _))));
        let msg = check_note("a\n  --- b").map(|()| format(&sample(), "a\n  --- b"));
        assert_eq!(parse(&msg.clone().unwrap()), Parsed::Position(sample()));
        assert_eq!(note(&msg.unwrap()), "a\n  --- b");
        assert!(check_note("tabs\tare fine").is_ok());
        assert_eq!(
            NoteError::Control(2, 0x1b).to_string(),
            "line 2 of the note holds the control character U+001B; a note is plain text \
             (line breaks and tabs are fine)"
        );
    }

    #[test]
    fn plain_trailer_blocks_are_read_without_libgit2() {
        let msg = format(&sample(), "Looks right.");
        let plain = plain_trailers(&msg).expect("accord's own message is plain");
        assert_eq!(plain.len(), 4);
        assert_eq!(plain[0], (POSITION, sample().stance.as_str()));
        // Left to libgit2: a title alone, a comment, a patch, a continuation line, no space.
        for m in [
            "Accord-Position: sign\n",
            "s\n\nAccord-Position: sign\n# c\n",
            "s\n\nAccord-Position: sign\n---\n",
            "s\n\nAccord-Position: sign\n  more\n",
            "s\n\nAccord-Position:sign\n",
            "s\n\nAccord-Position: sign\r\n",
            "s\n \nAccord-Position: sign\n",
        ] {
            assert_eq!(plain_trailers(m), None, "{m:?}");
        }
    }

    #[test]
    fn idents() {
        assert_eq!(split_ident("A B <a@b>"), Some(("A B".into(), "a@b".into())));
        assert_eq!(split_ident("<a@b>"), None);
        assert_eq!(split_ident("A <>"), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Party names as an agreement accepts them (no `<`, `>`, NUL or line break), without
        /// whitespace at either end (the trailer reads back trimmed).
        const NAME: &str = "[^<>\\x00\\r\\n\\s]([^<>\\x00\\r\\n]{0,30}[^<>\\x00\\r\\n\\s])?";

        fn trailers() -> impl Strategy<Value = Trailers> {
            (
                prop::sample::select(Stance::ALL.to_vec()),
                "[a-z0-9][a-z0-9-]{0,63}",
                prop_oneof!["[0-9a-f]{40}", "[0-9a-f]{64}"],
                NAME,
                "[a-zA-Z0-9._+-]{1,20}@[a-z0-9.-]{1,20}",
                prop::option::of("[0-9a-f]{40}"),
            )
                .prop_map(|(stance, agreement, revision, name, email, meaning)| {
                    Trailers { stance, agreement, revision, name, email, meaning }
                })
        }

        /// Printable text, and lines built to look like what `check_note` must catch.
        fn notes() -> impl Strategy<Value = String> {
            let line = prop_oneof![
                "[\\PC\t]{0,40}",
                Just("---".to_string()),
                Just("--- x".to_string()),
                Just("---\tx".to_string()),
                Just("----".to_string()),
                Just("---x".to_string()),
                Just("  ---".to_string()),
                Just("Accord-Party: Ada <ada@example.com>".to_string()),
                Just("aCCORD-position : sign".to_string()),
                Just("accord: sign other".to_string()),
                Just("Signed-off-by: A <a@b>".to_string()),
                Just("# comment".to_string()),
                Just("Conflicts:".to_string()),
                Just(String::new()),
                Just("   ".to_string()),
            ];
            prop::collection::vec(line, 0..8).prop_map(|lines| lines.join("\n"))
        }

        proptest! {
            #[test]
            fn parse_of_format_gives_the_trailers_back(t in trailers()) {
                let msg = format(&t, "");
                prop_assert_eq!(parse(&msg), Parsed::Position(t));
                prop_assert_eq!(note(&msg), "");
            }

            #[test]
            fn a_note_that_passes_check_note_round_trips(t in trailers(), n in notes()) {
                if check_note(&n).is_ok() {
                    let msg = format(&t, &n);
                    prop_assert_eq!(parse(&msg), Parsed::Position(t));
                    prop_assert_eq!(note(&msg), n.trim());
                }
            }

            #[test]
            fn any_printable_note_round_trips_or_is_refused(n in "[\\PC\n\t]{0,200}") {
                if check_note(&n).is_ok() {
                    let msg = format(&sample(), &n);
                    prop_assert_eq!(parse(&msg), Parsed::Position(sample()));
                    prop_assert_eq!(note(&msg), n.trim());
                }
            }

            /// Wherever the plain reading answers, libgit2 (git's rules) reads the same.
            #[test]
            fn plain_trailers_agree_with_libgit2(
                title in message_line(),
                body in prop::collection::vec(message_line(), 0..4),
                block in prop::collection::vec(prop_oneof![
                    6 => "[A-Za-z][A-Za-z0-9-]{0,12}: [ -~]{0,20}",
                    3 => Just("Accord-Party: Ada <ada@example.com>".to_string()),
                    2 => message_line(),
                ], 1..6),
                lines in prop::collection::vec(message_line(), 0..10),
            ) {
                let built = format!("{title}\n\n{}\n\n{}", body.join("\n"), block.join("\n"));
                let msg = lines.join("\n");
                for m in [msg.clone(), format!("{msg}\n"), built.clone(), format!("{built}\n")] {
                    if let Some(plain) = plain_trailers(&m) {
                        let git: Vec<(String, String)> = git2::message_trailers_strs(&m)
                            .expect("libgit2 reads it")
                            .iter()
                            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                            .collect();
                        let plain: Vec<(String, String)> =
                            plain.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                        prop_assert_eq!(plain, git, "{:?}", m);
                    }
                }
            }

            /// The readers that find lines a word at a time answer as the plain ones they
            /// replaced (kept below), `None` included.
            #[test]
            fn word_at_a_time_readers_answer_as_the_plain_ones(
                lines in prop::collection::vec(message_line(), 0..10),
                body in prop::collection::vec(message_line(), 0..4),
                block in prop::collection::vec(prop_oneof![
                    3 => "[A-Za-z][A-Za-z0-9-]{0,12}: [ -~]{0,20}",
                    1 => message_line(),
                ], 1..4),
                ident in "[ -~]{0,12}(<[ -~]{0,8}>?)?[ -~]{0,6}",
            ) {
                let msg = lines.join("\n");
                let built = format!("accord: sign a\n\n{}\n\n{}\n", body.join("\n"), block.join("\n"));
                for m in [msg.clone(), format!("{msg}\n"), format!("{msg}\n\n"), format!("\n{msg}"), built] {
                    prop_assert_eq!(plain_trailers(&m), plain_reference::plain_trailers(&m), "{:?}", m);
                    prop_assert_eq!(note(&m), plain_reference::note(&m), "{:?}", m);
                }
                prop_assert_eq!(split_ident(&ident), plain_reference::split_ident(&ident));
            }

            #[test]
            fn mentions_accord_finds_every_spelling(s in "([aAcCoOrRdD-]|Accord-|x){0,30}") {
                let plain = s.as_bytes().windows(7).any(|w| w.eq_ignore_ascii_case(b"accord-"));
                prop_assert_eq!(mentions_accord(s.as_bytes()), plain);
            }

            #[test]
            fn any_text_reads_without_panicking(s in "\\PC*|[\\x00-\\x7f]*") {
                let _ = parse(&s);
                let _ = note(&s);
                let _ = check_note(&s);
                let _ = split_ident(&s);
            }
        }

        fn sample() -> Trailers {
            super::sample()
        }

        /// The readers as they were before they found lines a word at a time.
        mod plain_reference {
            pub fn plain_trailers(message: &str) -> Option<Vec<(&str, &str)>> {
                let bytes = message.as_bytes();
                if bytes.contains(&b'\r') || bytes.contains(&0) {
                    return None;
                }
                for line in message.split('\n') {
                    let special = line.starts_with('#')
                        || line.starts_with("---")
                        || line.starts_with("Conflicts:")
                        || line.starts_with(char::is_whitespace) && line.trim().is_empty();
                    if special {
                        return None;
                    }
                }
                let text = message.trim_end_matches('\n');
                let t = text.as_bytes();
                let gap = (1..t.len()).rev().find(|&i| t[i] == b'\n' && t[i - 1] == b'\n')?;
                let (before, last) = (&text[..gap - 1], &text[gap + 1..]);
                if before.trim().is_empty() {
                    return None;
                }
                let last = last.trim_start_matches('\n');
                let mut out = Vec::with_capacity(4);
                for line in last.split('\n') {
                    let (key, value) = line.split_once(':')?;
                    let plain_key = !key.is_empty()
                        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                    let value_trimmed = value.trim();
                    if !plain_key || !value.starts_with(' ') || value_trimmed.is_empty() {
                        return None;
                    }
                    out.push((key, value_trimmed));
                }
                Some(out)
            }

            pub fn split_ident(s: &str) -> Option<(String, String)> {
                let s = s.trim();
                let open = s.rfind('<')?;
                let rest = s[open + 1..].strip_suffix('>')?;
                let name = s[..open].trim();
                if name.is_empty()
                    || rest.is_empty()
                    || rest.contains(['<', '>'])
                    || name.contains(['<', '>'])
                {
                    return None;
                }
                Some((name.to_string(), rest.to_string()))
            }

            pub fn note(message: &str) -> String {
                let text = match message.contains('\r') {
                    true => std::borrow::Cow::Owned(message.replace("\r\n", "\n")),
                    false => std::borrow::Cow::Borrowed(message),
                };
                let text = text.trim_end();
                let body = match text.rfind("\n\n") {
                    Some(i) => &text[..i],
                    None => "",
                };
                let body = match body.split_once('\n') {
                    Some((first, rest)) if first.starts_with("accord: ") => rest,
                    None if body.starts_with("accord: ") => "",
                    _ => body,
                };
                body.trim().to_string()
            }
        }

        /// Lines of commit messages, mostly trailer-like, with what git reads specially.
        fn message_line() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => Just("Accord-Position: sign".to_string()),
                2 => "[A-Za-z][A-Za-z0-9-]{0,12}: [ -~]{0,20}",
                2 => "[A-Za-z -]{0,6}[:= ]{0,2}[ -~]{0,12}",
                2 => Just(String::new()),
                1 => "[\\PC\t]{0,30}",
                1 => Just("subject line".to_string()),
                1 => Just("  continued value".to_string()),
                1 => Just("\tcontinued".to_string()),
                1 => Just("Key:value".to_string()),
                1 => Just("Key :value".to_string()),
                1 => Just("Key:".to_string()),
                1 => Just("Key: ".to_string()),
                1 => Just("---".to_string()),
                1 => Just("--- a/file".to_string()),
                1 => Just("# comment".to_string()),
                1 => Just("Conflicts:".to_string()),
                1 => Just("\tagreements/a.toml".to_string()),
                1 => Just("(cherry picked from commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904)".to_string()),
                1 => Just("Signed-off-by: A <a@b>".to_string()),
                1 => Just("   ".to_string()),
                1 => Just("\u{b}".to_string()),
                1 => Just("\u{b}x".to_string()),
                1 => Just("\u{a0}".to_string()),
                1 => Just("\u{2003}Key: v".to_string()),
                1 => Just("\u{c}".to_string()),
                1 => Just("a\r".to_string()),
                1 => Just("Key: v\u{0}".to_string()),
            ]
        }
    }
}
