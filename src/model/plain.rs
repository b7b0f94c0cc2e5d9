//! A quick reader for the plain TOML that agreement files are written in: `key = value` lines
//! with bare keys, `[table]` and `[[array]]` headers with bare names, strings of all four kinds,
//! decimal integers, booleans and arrays of those, comments and blank lines. A cold `status`
//! parses every text every agreement ever had, and toml's general parser took 15–25 µs a text.
//!
//! It decides nothing: for any text it is not sure of — anything else TOML allows (dotted or
//! quoted keys, inline tables, floats, dates, escapes past the usual ones, a line-ending
//! backslash, CRLF line ends), anything TOML 1.0 refuses, a key or table defined twice — it
//! answers `None`, and toml reads the text as before, with its diagnostics. Where it answers,
//! the table is the one toml reads (a property test compares them on generated texts).

use std::collections::BTreeSet;

use toml::{Table, Value};

/// Nested arrays deeper than this are toml's to read.
const MAX_DEPTH: usize = 8;

/// The table `text` holds when it is plain TOML (see the module comment), else `None`.
pub(super) fn table(text: &str) -> Option<Table> {
    let mut r = Reader { text, at: 0 };
    let mut root = Table::new();
    // The header keys go under: none (the root), a `[table]`'s name, or an `[[array]]`'s
    // name (keys go to its last table).
    let mut under: Option<String> = None;
    // The names `[[array]]` headers made: only those take another table.
    let mut arrays: BTreeSet<String> = BTreeSet::new();
    loop {
        r.blank();
        if r.done() {
            return Some(root);
        }
        if r.eat(b"[[") {
            let name = r.header_name()?;
            r.expect(b"]]")?;
            r.line_end()?;
            match root.get_mut(&name) {
                Some(Value::Array(tables)) if arrays.contains(name.as_str()) => {
                    tables.push(Value::Table(Table::new()))
                }
                Some(_) => return None,
                None => {
                    root.insert(name.clone(), Value::Array(vec![Value::Table(Table::new())]));
                    arrays.insert(name.clone());
                }
            }
            under = Some(name);
        } else if r.eat(b"[") {
            let name = r.header_name()?;
            r.expect(b"]")?;
            r.line_end()?;
            if root.contains_key(&name) {
                return None;
            }
            root.insert(name.clone(), Value::Table(Table::new()));
            under = Some(name);
        } else {
            let key = r.bare_key()?.to_string();
            r.spaces();
            r.expect(b"=")?;
            r.spaces();
            let value = r.value(0)?;
            r.line_end()?;
            let table = match &under {
                None => &mut root,
                Some(name) => match root.get_mut(name)? {
                    Value::Table(t) => t,
                    Value::Array(tables) => match tables.last_mut()? {
                        Value::Table(t) => t,
                        _ => return None,
                    },
                    _ => return None,
                },
            };
            if table.contains_key(&key) {
                return None;
            }
            table.insert(key, value);
        }
    }
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
}

/// Not allowed in TOML 1.0 strings and comments: the control characters but tab (and line
/// feed, where a line may end).
fn control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

impl<'t> Reader<'t> {
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn done(&self) -> bool {
        self.at >= self.text.len()
    }

    fn eat(&mut self, s: &[u8]) -> bool {
        let yes = self.bytes()[self.at..].starts_with(s);
        if yes {
            self.at += s.len();
        }
        yes
    }

    fn expect(&mut self, s: &[u8]) -> Option<()> {
        self.eat(s).then_some(())
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// A comment, if one starts here, up to (not past) its line feed.
    fn comment(&mut self) -> Option<()> {
        if self.eat(b"#") {
            while let Some(b) = self.peek() {
                if b == b'\n' {
                    break;
                }
                if control(b) {
                    return None;
                }
                self.at += 1;
            }
        }
        Some(())
    }

    /// Blank lines and comment lines.
    fn blank(&mut self) {
        loop {
            self.spaces();
            if self.peek() == Some(b'#') && self.comment().is_none() {
                return; // the line that follows fails to read, and so the whole text
            }
            if !self.eat(b"\n") {
                return;
            }
        }
    }

    /// Spaces, a comment, then the end of the line or of the text.
    fn line_end(&mut self) -> Option<()> {
        self.spaces();
        self.comment()?;
        (self.done() || self.eat(b"\n")).then_some(())
    }

    fn bare_key(&mut self) -> Option<&'t str> {
        let start = self.at;
        while matches!(self.peek(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')) {
            self.at += 1;
        }
        (self.at > start).then(|| &self.text[start..self.at])
    }

    fn header_name(&mut self) -> Option<String> {
        self.spaces();
        let name = self.bare_key()?.to_string();
        self.spaces();
        Some(name)
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        match self.peek()? {
            b'"' => {
                let multi = self.eat(b"\"\"\"");
                if !multi {
                    self.at += 1;
                }
                self.basic(multi).map(Value::String)
            }
            b'\'' => {
                let multi = self.eat(b"'''");
                if !multi {
                    self.at += 1;
                }
                self.literal(multi).map(Value::String)
            }
            b'[' if depth < MAX_DEPTH => {
                self.at += 1;
                self.array(depth + 1).map(Value::Array)
            }
            b't' | b'f' => {
                let v = if self.eat(b"true") {
                    true
                } else {
                    self.expect(b"false")?;
                    false
                };
                self.ends_value()?;
                Some(Value::Boolean(v))
            }
            b'-' | b'0'..=b'9' => self.integer().map(Value::Integer),
            _ => None,
        }
    }

    /// A value's end: what may follow it in a line or an array.
    fn ends_value(&self) -> Option<()> {
        matches!(self.peek(), None | Some(b' ' | b'\t' | b'\n' | b',' | b']' | b'#')).then_some(())
    }

    fn integer(&mut self) -> Option<i64> {
        let start = self.at;
        self.eat(b"-");
        let digits = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        let n = self.at - digits;
        // No leading zero (TOML forbids it), no underscore, float or date (toml's to read).
        if n == 0 || (n > 1 && self.bytes()[digits] == b'0') {
            return None;
        }
        self.ends_value()?;
        self.text[start..self.at].parse().ok()
    }

    /// The elements up to `]`, the opening `[` read; over several lines, with comments, and a
    /// trailing comma, as TOML 1.0 allows.
    fn array(&mut self, depth: usize) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        loop {
            self.blank();
            if self.eat(b"]") {
                return Some(out);
            }
            out.push(self.value(depth)?);
            self.blank();
            if self.eat(b"]") {
                return Some(out);
            }
            self.expect(b",")?;
        }
    }

    /// A basic string's escape, the backslash read.
    fn escape(&mut self, out: &mut String) -> Option<()> {
        let b = self.peek()?;
        self.at += 1;
        let c = match b {
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'"' => '"',
            b'\\' => '\\',
            b'u' | b'U' => {
                let len = if b == b'u' { 4 } else { 8 };
                let hex = self.text.get(self.at..self.at + len)?;
                if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                    return None;
                }
                self.at += len;
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
            }
            _ => return None,
        };
        out.push(c);
        Some(())
    }

    /// A basic string, the opening quotes read: on one line, or over several (`multi`,
    /// closed by three quotes, a line feed just after the opening ones left out).
    fn basic(&mut self, multi: bool) -> Option<String> {
        let close: &[u8] = if multi { b"\"\"\"" } else { b"\"" };
        if multi {
            self.eat(b"\n");
        }
        let mut out = String::new();
        let mut from = self.at;
        loop {
            let b = self.peek()?;
            match b {
                // The first three quotes close a multi-line one: a quote after them (allowed
                // in TOML) is refused where the line or the array goes on.
                b'"' if self.bytes()[self.at..].starts_with(close) => {
                    out.push_str(&self.text[from..self.at]);
                    self.at += close.len();
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(&self.text[from..self.at]);
                    self.at += 1;
                    self.escape(&mut out)?;
                    from = self.at;
                }
                b'\n' if multi => self.at += 1,
                _ if control(b) => return None,
                _ => self.at += 1,
            }
        }
    }

    /// A literal string, the opening quotes read, as [`Reader::basic`] reads a basic one.
    fn literal(&mut self, multi: bool) -> Option<String> {
        let close: &[u8] = if multi { b"'''" } else { b"'" };
        if multi {
            self.eat(b"\n");
        }
        let start = self.at;
        loop {
            match self.peek()? {
                b'\'' if self.bytes()[self.at..].starts_with(close) => {
                    let text = self.text[start..self.at].to_string();
                    self.at += close.len();
                    return Some(text);
                }
                b'\n' if multi => self.at += 1,
                b if control(b) => return None,
                _ => self.at += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agreement, Kind};
    use proptest::prelude::*;
    use serde::Deserialize;

    /// The quick reading, checked against toml's: the same table, or no answer.
    fn agrees(text: &str) -> Option<Table> {
        let quick = table(text);
        if let Some(t) = &quick {
            assert_eq!(toml::from_str::<Table>(text).as_ref(), Ok(t), "{text:?}");
        }
        quick
    }

    #[test]
    fn reads_what_agreements_are_written_in() {
        let text = "# An agreement\nschema = 1\ntitle = \"T \\\"q\\\" \\u00e9\\t\" # note\n\
                    purpose = \"\"\"\nFirst line\n  second, with \"quotes\" and 'apostrophes'\n\"\"\"\n\
                    lit = 'C:\\path'\nml = '''\nraw \\n\n'''\nn = -12\nz = 0\nyes = true\nno = false\n\
                    list = [\n  \"a\", # first\n  'b',\n  [1, 2],\n]\nempty = []\n\n\
                    [decision]\nrule = \"consent\"\n\n[[party]]\nname = \"Ada\"\n\t\n[[party]]\n\
                    name = \"Grace\"\n[ scope ]\nin = [\"x\"]\n[[ norm ]]\n";
        let t = agrees(text).expect("plain TOML");
        assert_eq!(t["title"].as_str(), Some("T \"q\" é\t"));
        assert_eq!(
            t["purpose"].as_str(),
            Some("First line\n  second, with \"quotes\" and 'apostrophes'\n")
        );
        assert_eq!(t["ml"].as_str(), Some("raw \\n\n"));
        assert_eq!(t["party"].as_array().map(Vec::len), Some(2));
        assert_eq!(t["list"].as_array().map(Vec::len), Some(3));
        assert!(agrees("").is_some_and(|t| t.is_empty()));
    }

    #[test]
    fn leaves_everything_else_to_toml() {
        for text in [
            // Other TOML, valid in 1.0: toml's to read.
            "a.b = 1",
            "\"a\" = 1",
            "a = { b = 1 }",
            "a = 1.5",
            "a = 1e3",
            "a = 1_000",
            "a = +1",
            "a = 0x1f",
            "a = inf",
            "a = 1979-05-27",
            "a = 07:32:00",
            "[a.b]",
            "[\"a\"]",
            "a = \"\"\"\\\n  b\"\"\"",
            "a = \"\"\"b\"\"\"\"",
            "a = '''b''''",
            "a = 1\r\nb = 2",
            "\u{feff}a = 1",
            // Not TOML 1.0 (1.1 or nothing): never read here.
            "a = \"\\e\"",
            "a = \"\\x41\"",
            "a = { b = 1,\n c = 2 }",
            "a = \"\\ud800\"",
            "a = \"tab\u{1}\"",
            "a = 'del\u{7f}'",
            "# comment \u{0}\na = 1",
            "a = 01",
            "a = 1 2",
            "a = \"x\" b = 1",
            "a = [1,,2]",
            "a = [,]",
            "a = \"open",
            "a = 'open",
            "a = \"\"\"open",
            "a = 99999999999999999999",
            "a = tru",
            "a = trueish",
            "= 1",
            // Defined twice.
            "a = 1\na = 2",
            "[t]\n[t]",
            "[t]\n[[t]]",
            "[[t]]\n[t]",
            "t = 1\n[t]",
            "t = [1]\n[[t]]",
        ] {
            assert_eq!(agrees(text), None, "{text:?}");
        }
    }

    #[test]
    fn every_template_is_read_quickly_and_alike() {
        for kind in Kind::ALL {
            let text = crate::templates::render(kind, "A title", "Ada", "ada@example.com");
            let t = agrees(&text).unwrap_or_else(|| panic!("{kind:?} is plain TOML"));
            let quick = Agreement::deserialize(Value::Table(t)).expect("an agreement");
            assert_eq!(Ok(quick), toml::from_str::<Agreement>(&text));
        }
    }

    /// Strings of every kind, with what is allowed in them and what is not.
    fn string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            40 => "[a-zA-Z0-9 ,.#=\\[\\]{}-]{0,6}",
            10 => "[\\PC]{0,3}",
            2 => Just("\\\"".to_string()),
            2 => Just("\\\\".to_string()),
            2 => Just("\\n".to_string()),
            2 => Just("\\t".to_string()),
            2 => Just("\\u00e9".to_string()),
            2 => Just("\\U0001F600".to_string()),
            1 => Just("\\e".to_string()),
            1 => Just("\\x41".to_string()),
            1 => Just("\\ud800".to_string()),
            1 => Just("\\\n".to_string()),
            1 => Just("\n".to_string()),
            1 => Just("\r\n".to_string()),
            1 => Just("\t".to_string()),
            1 => Just("\u{1}".to_string()),
            1 => Just("\u{7f}".to_string()),
            1 => Just("\"".to_string()),
            1 => Just("'".to_string()),
        ];
        let body = prop::collection::vec(piece, 0..5).prop_map(|p| p.concat());
        (body, prop_oneof![Just("\""), Just("\"\"\""), Just("'"), Just("'''")])
            .prop_map(|(body, q)| format!("{q}{body}{q}"))
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            12 => string(),
            1 => "[-+]?[0-9_]{1,4}",
            3 => "-?[0-9]{1,3}",
            1 => "-?[0-9]{1,3}(\\.[0-9]|e[0-9]|:[0-9]{2})",
            2 => Just("true".to_string()),
            2 => Just("false".to_string()),
            1 => Just("tru".to_string()),
            1 => Just("99999999999999999999".to_string()),
            1 => Just("1979-05-27".to_string()),
            1 => Just("{ x = 1 }".to_string()),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        scalar().prop_recursive(2, 8, 4, |inner| {
            let sep = prop_oneof![Just(", "), Just(","), Just(",\n  "), Just(", # c\n"), Just(" ")];
            (prop::collection::vec(inner, 0..4), sep, prop_oneof![Just(""), Just(","), Just("\n")])
                .prop_map(|(items, sep, end)| format!("[{}{end}]", items.join(sep)))
        })
    }

    fn line() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            12 => "[a-z][a-z0-9_-]{0,4}",
            2 => Just("7".to_string()),
            2 => Just("name".to_string()),
            1 => Just("a.b".to_string()),
            1 => Just("\"q\"".to_string()),
        ];
        let end = prop_oneof![
            9 => Just(""),
            3 => Just("  "),
            3 => Just(" # note"),
            3 => Just("\t#\t"),
            1 => Just(" #\u{1}")
        ];
        prop_oneof![
            4 => (key.clone(), prop_oneof![Just(" = "), Just("="), Just("\t=  ")], value(), end.clone())
                .prop_map(|(k, eq, v, end)| format!("{k}{eq}{v}{end}")),
            1 => (key.clone(), end.clone()).prop_map(|(k, end)| format!("[{k}]{end}")),
            1 => (key, end).prop_map(|(k, end)| format!("[[{k}]]{end}")),
            1 => Just(String::new()),
            1 => "#[\\PC\t]{0,10}",
        ]
    }

    proptest! {
        // Most generated texts are refused somewhere (about one in seven is answered): enough
        // cases for a thousand answered ones.
        #![proptest_config(ProptestConfig::with_cases(8_192))]

        #[test]
        fn answers_only_as_toml_reads(
            lines in prop::collection::vec(line(), 0..10),
            newline in prop_oneof![6 => Just("\n"), 3 => Just("\n\n"), 1 => Just("\r\n")]
        ) {
            agrees(&lines.join(newline));
        }
    }
}
