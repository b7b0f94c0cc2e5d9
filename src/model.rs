//! The agreement file, schema 1 (SPEC §3): serde types, loading with `file:line:col`
//! diagnostics, the validation rules, and "same meaning" comparison.
//!
//! Pure: no git, no terminal. Loading never panics on any input; every problem becomes a
//! [`Diagnostic`] that names the file, the position and the offending key.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::value::Datetime;

/// Largest agreement file accord reads. Agreements are prose for people; a file past this is a
/// mistake (or an attack) and is refused before parsing.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The only schema version this build understands.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub schema: u32,
    pub title: String,
    pub kind: Kind,
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_every: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<Datetime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<Datetime>,
    #[serde(default)]
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(default, rename = "party")]
    pub parties: Vec<Party>,
    #[serde(default, rename = "commitment", skip_serializing_if = "Vec::is_empty")]
    pub commitments: Vec<Commitment>,
    #[serde(default, rename = "norm", skip_serializing_if = "Vec::is_empty")]
    pub norms: Vec<Norm>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Charter,
    Partnership,
    Service,
    WorkingAgreement,
    Decision,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Charter, Kind::Partnership, Kind::Service, Kind::WorkingAgreement, Kind::Decision];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Charter => "charter",
            Kind::Partnership => "partnership",
            Kind::Service => "service",
            Kind::WorkingAgreement => "working-agreement",
            Kind::Decision => "decision",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    #[serde(default)]
    pub rule: Rule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    #[default]
    Consent,
    Unanimous,
    Majority,
    Quorum,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Consent => "consent",
            Rule::Unanimous => "unanimous",
            Rule::Majority => "majority",
            Rule::Quorum => "quorum",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default, rename = "in")]
    pub included: Vec<String>,
    #[serde(default, rename = "out")]
    pub excluded: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub role: Role,
}

impl Party {
    /// `Name <email>`, the form used in `Accord-Party` trailers.
    pub fn ident(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Steward,
    #[default]
    Partner,
    Client,
    Observer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Steward => "steward",
            Role::Partner => "partner",
            Role::Client => "client",
            Role::Observer => "observer",
        }
    }

    /// Observers are listed but their positions do not count toward ratification.
    pub fn counts(self) -> bool {
        self != Role::Observer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub id: String,
    pub by: Vec<String>,
    // Serialised even when empty: `show --format json` gives `to` on every commitment.
    #[serde(default)]
    pub to: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Norm {
    pub text: String,
}

impl Agreement {
    pub fn party(&self, email: &str) -> Option<&Party> {
        self.parties.iter().find(|p| p.email.eq_ignore_ascii_case(email))
    }

    /// The agreement with every text trimmed and its whitespace runs collapsed, and every
    /// email lower-cased: two revisions have the same meaning when these are equal (SPEC §4).
    pub fn normalized(&self) -> Agreement {
        let mut a = self.clone();
        a.title = normalize_text(&a.title);
        a.purpose = normalize_text(&a.purpose);
        if let Some(scope) = &mut a.scope {
            scope.included.iter_mut().for_each(|s| *s = normalize_text(s));
            scope.excluded.iter_mut().for_each(|s| *s = normalize_text(s));
        }
        // An empty `[scope]` says nothing more than no `[scope]`.
        if a.scope.as_ref().is_some_and(|s| s.included.is_empty() && s.excluded.is_empty()) {
            a.scope = None;
        }
        for p in &mut a.parties {
            p.name = normalize_text(&p.name);
            p.email = p.email.trim().to_lowercase();
        }
        for c in &mut a.commitments {
            c.text = normalize_text(&c.text);
            c.by.iter_mut().for_each(|e| *e = e.trim().to_lowercase());
            c.to.iter_mut().for_each(|e| *e = e.trim().to_lowercase());
        }
        for n in &mut a.norms {
            n.text = normalize_text(&n.text);
        }
        a
    }

    pub fn same_meaning(&self, other: &Agreement) -> bool {
        self.normalized() == other.normalized()
    }

    pub fn counted_parties(&self) -> impl Iterator<Item = &Party> {
        self.parties.iter().filter(|p| p.role.counts())
    }
}

/// Trim and collapse every run of whitespace to one space.
pub fn normalize_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `^[a-z0-9][a-z0-9-]{0,63}$`, for agreement and commitment ids.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A review period such as `90d`, `2w` or `3m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    Weeks(u32),
    Months(u32),
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        let unit = s.chars().last()?;
        let n: u32 = s[..s.len() - unit.len_utf8()].parse().ok()?;
        if n == 0 || n > 10_000 || !s.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        match unit {
            'd' => Some(Period::Days(n)),
            'w' => Some(Period::Weeks(n)),
            'm' => Some(Period::Months(n)),
            _ => None,
        }
    }
}

/// One problem found in a file, located where possible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The offending key as a dotted path (`party[1].email`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// Why a file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file cannot be read as schema 1 at all (exit 2 everywhere).
    /// Boxed: the error is rare and the `Ok` side should not pay for its size.
    #[error("{0}")]
    Unreadable(Box<Diagnostic>),
    /// The file parses but breaks rules (exit 1 from `check`, 2 elsewhere).
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

impl LoadError {
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LoadError::Unreadable(d) => vec![(**d).clone()],
            LoadError::Invalid(ds) => ds.clone(),
        }
    }
}

/// `s` with every control character except line break and tab written as `\u{1b}`.
/// Diagnostics quote the file (an unknown `kind`, a bad email), and a terminal must show those
/// bytes, not act on them.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, col)
}

/// Parse without validating: the file must be UTF-8 TOML matching schema 1's shape.
pub fn parse(bytes: &[u8], file: &str) -> Result<Agreement, LoadError> {
    let unreadable = |offset: Option<usize>, text: &str, key: Option<String>, msg: String| {
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = line_col(text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        LoadError::Unreadable(Box::new(Diagnostic {
            file: file.to_string(),
            line,
            column,
            key: key.map(|k| escape_controls(&k)),
            message: escape_controls(&msg),
            hint: None,
        }))
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(unreadable(
            None,
            "",
            None,
            // Not the exact size: a caller may stop reading a large file early.
            format!(
                "file is larger than the {MAX_FILE_BYTES} bytes (1 MiB) accord reads; an \
                 agreement is prose for people"
            ),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let lossy = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned();
            return Err(unreadable(
                Some(e.valid_up_to()),
                &lossy,
                None,
                "not valid UTF-8; save the file as UTF-8".into(),
            ));
        }
    };
    // Check the schema version first, so a future file says so rather than failing on keys
    // this build does not know.
    if let Ok(doc) = text.parse::<toml_edit::ImDocument<String>>() {
        if let Some(item) = doc.as_item().get("schema") {
            if let Some(v) = item.as_integer() {
                if v != i64::from(SCHEMA) {
                    return Err(unreadable(
                        item.span().map(|s| s.start),
                        text,
                        Some("schema".into()),
                        format!("unsupported schema {v}; this accord reads schema {SCHEMA}"),
                    ));
                }
            }
        }
    }
    toml::from_str::<Agreement>(text).map_err(|e| {
        let msg = e.message().trim_end().to_string();
        let span = e.span();
        // toml locates a missing field on the table that lacks it, anything else on the
        // offending key or value: name the key either way (`party[1].email`).
        let missing = quoted_after(&msg, "missing field `");
        let found = span.as_ref().and_then(|s| key_path_at(text, s, missing.is_some()));
        let key = match (missing, found) {
            // The top level's required fields can only be missing from the top level (a file
            // that starts with a table would otherwise blame that table).
            (Some(field), Some(table)) if !TOP_LEVEL_REQUIRED.contains(&field.as_str()) => {
                Some(format!("{table}.{field}"))
            }
            (Some(field), _) => Some(field),
            (None, Some(key)) => Some(key),
            (None, None) => quoted_after(&msg, "unknown field `"),
        };
        unreadable(span.map(|s: Range<usize>| s.start), text, key, msg)
    })
}

const TOP_LEVEL_REQUIRED: [&str; 4] = ["schema", "title", "kind", "purpose"];

/// The name in backquotes right after `prefix` at the start of a message.
fn quoted_after(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    Some(rest[..rest.find('`')?].to_string())
}

/// The dotted path (`party[1].email`) of the deepest key or array element whose text holds all
/// of `range`; with `tables_only`, of the deepest table. `None` for the top level.
fn key_path_at(text: &str, range: &Range<usize>, tables_only: bool) -> Option<String> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let path = find_node(Node::Item(doc.as_item()), range, tables_only)?;
    let path = path.strip_prefix('.').unwrap_or(&path).to_string();
    (!path.is_empty()).then_some(path)
}

fn find_node(node: Node, range: &Range<usize>, tables_only: bool) -> Option<String> {
    for (segment, key_span, child) in node.children() {
        if tables_only && child.is_scalar() {
            continue;
        }
        let extent = union(key_span, child.extent());
        if extent.is_some_and(|e| e.start <= range.start && range.end <= e.end) {
            if let Some(rest) = find_node(child, range, tables_only) {
                return Some(segment + &rest);
            }
        }
    }
    (!tables_only || node.is_table()).then(String::new)
}

fn union(a: Option<Range<usize>>, b: Option<Range<usize>>) -> Option<Range<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
        (a, b) => a.or(b),
    }
}

/// A place in a parsed document: an item, a table of an array of tables, or an array element.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a toml_edit::Item),
    Table(&'a toml_edit::Table),
    Value(&'a toml_edit::Value),
}

impl<'a> Node<'a> {
    fn is_table(self) -> bool {
        match self {
            Node::Item(i) => i.is_table_like(),
            Node::Table(_) => true,
            Node::Value(v) => v.is_inline_table(),
        }
    }

    fn is_scalar(self) -> bool {
        let value = match self {
            Node::Item(toml_edit::Item::Value(v)) | Node::Value(v) => v,
            _ => return false,
        };
        !value.is_array() && !value.is_inline_table()
    }

    /// Where the node's text starts and ends; a table runs from its header to its last value.
    fn extent(self) -> Option<Range<usize>> {
        let own = match self {
            Node::Item(toml_edit::Item::Value(v)) | Node::Value(v) => return v.span(),
            Node::Item(i) => i.span(),
            Node::Table(t) => t.span(),
        };
        self.children()
            .into_iter()
            .fold(own, |acc, (_, key, child)| union(union(acc, key), child.extent()))
    }

    /// Each child with its path segment (`.key` or `[i]`) and the span of its key.
    fn children(self) -> Vec<(String, Option<Range<usize>>, Node<'a>)> {
        let table: Option<&'a dyn toml_edit::TableLike> = match self {
            Node::Item(i) => i.as_table_like(),
            Node::Table(t) => Some(t),
            Node::Value(v) => v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike),
        };
        if let Some(t) = table {
            return t
                .iter()
                .filter_map(|(k, _)| t.get_key_value(k))
                .map(|(key, item)| (format!(".{}", key.get()), key.span(), Node::Item(item)))
                .collect();
        }
        let array = match self {
            Node::Item(i) => {
                if let Some(tables) = i.as_array_of_tables() {
                    return tables
                        .iter()
                        .enumerate()
                        .map(|(n, t)| (format!("[{n}]"), None, Node::Table(t)))
                        .collect();
                }
                i.as_array()
            }
            Node::Value(v) => v.as_array(),
            Node::Table(_) => None,
        };
        array
            .map(|a| a.iter().enumerate().map(|(n, v)| (format!("[{n}]"), None, Node::Value(v))))
            .into_iter()
            .flatten()
            .collect()
    }
}

/// Parse and validate. The usual entry point.
pub fn load(bytes: &[u8], file: &str) -> Result<Agreement, LoadError> {
    let agreement = parse(bytes, file)?;
    // parse() succeeded, so the bytes are UTF-8.
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let problems = validate(&agreement, text, file);
    if problems.is_empty() {
        Ok(agreement)
    } else {
        Err(LoadError::Invalid(problems))
    }
}

/// One step of a path into the document, for locating a problem.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

struct Locator<'t> {
    text: &'t str,
    doc: Option<toml_edit::ImDocument<&'t str>>,
    file: &'t str,
}

impl Locator<'_> {
    fn span(&self, path: &[Step]) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let mut item = doc.as_item();
        let mut best = None;
        for step in path {
            let next = match step {
                Step::Key(k) => item.get(*k),
                Step::Index(i) => item.get(*i),
            };
            match next {
                Some(n) => {
                    item = n;
                    if let Some(s) = n.span() {
                        best = Some(s.start);
                    }
                }
                None => break,
            }
        }
        best
    }

    fn diag(&self, path: &[Step], message: impl Into<String>, hint: Option<&str>) -> Diagnostic {
        self.diag_near(path, &[], message, hint)
    }

    /// A problem with `path`, located at `anchor` when `path` itself is not in the file (a
    /// missing key is best pointed at what requires it).
    fn diag_near(
        &self,
        path: &[Step],
        anchor: &[Step],
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Diagnostic {
        let (line, column) = match self.span(path).or_else(|| self.span(anchor)) {
            Some(o) => {
                let (l, c) = line_col(self.text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        let mut key = String::new();
        for step in path {
            match step {
                Step::Key(k) => {
                    if !key.is_empty() {
                        key.push('.');
                    }
                    key.push_str(k);
                }
                Step::Index(i) => key.push_str(&format!("[{i}]")),
            }
        }
        Diagnostic {
            file: self.file.to_string(),
            line,
            column,
            key: (!key.is_empty()).then(|| escape_controls(&key)),
            message: escape_controls(&message.into()),
            hint: hint.map(str::to_string),
        }
    }
}

fn is_date_only(d: &Datetime) -> bool {
    d.date.is_some() && d.time.is_none() && d.offset.is_none()
}

/// `local@domain` with no whitespace anywhere: a padded address would never match the
/// email a party commits with.
fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        }
        None => false,
    }
}

/// Every rule of SPEC §3 that a parsed file can break, each located in `text`.
pub fn validate(a: &Agreement, text: &str, file: &str) -> Vec<Diagnostic> {
    use Step::{Index, Key};
    let loc = Locator { text, doc: toml_edit::ImDocument::parse(text).ok(), file };
    let mut out = Vec::new();

    if a.title.trim().is_empty() {
        out.push(loc.diag(&[Key("title")], "title is empty", Some("give the agreement a name")));
    }
    if a.purpose.trim().is_empty() {
        out.push(loc.diag(
            &[Key("purpose")],
            "purpose is empty",
            Some("say what this agreement is for: it is the first thing every party reads"),
        ));
    }
    if let Some(p) = &a.review_every {
        if Period::parse(p).is_none() {
            out.push(loc.diag(
                &[Key("review_every")],
                format!("`{p}` is not a period"),
                Some("write a number and a unit: `90d`, `6w` or `3m`"),
            ));
        }
        if a.review_by.is_some() {
            out.push(loc.diag(
                &[Key("review_every")],
                "both `review_every` and `review_by` are set",
                Some("keep one: a period after each ratification, or a fixed date"),
            ));
        }
    }
    for key in ["review_by", "ends"] {
        let value = if key == "ends" { &a.ends } else { &a.review_by };
        if let Some(d) = value {
            if !is_date_only(d) {
                out.push(loc.diag(
                    &[Key(key)],
                    format!("`{d}` is not a plain date"),
                    Some("write a date without time, like 2027-06-30"),
                ));
            }
        }
    }

    let counted = a.counted_parties().count();
    match (a.decision.rule, a.decision.quorum) {
        (Rule::Quorum, None) => out.push(loc.diag(
            &[Key("decision"), Key("rule")],
            "rule = \"quorum\" needs `quorum`",
            Some("add `quorum = N` under [decision]: how many sign-offs ratify"),
        )),
        (Rule::Quorum, Some(0)) => {
            out.push(loc.diag(&[Key("decision"), Key("quorum")], "quorum must be at least 1", None))
        }
        (Rule::Quorum, Some(q)) if q as usize > counted => out.push(loc.diag(
            &[Key("decision"), Key("quorum")],
            format!("quorum {q} is more than the {counted} parties whose positions count"),
            Some("lower the quorum or add parties: as written it can never be reached"),
        )),
        (rule, Some(_)) if rule != Rule::Quorum => out.push(loc.diag(
            &[Key("decision"), Key("quorum")],
            format!("`quorum` only applies when rule = \"quorum\", and the rule is \"{rule}\""),
            Some("remove `quorum`, or set rule = \"quorum\""),
        )),
        _ => {}
    }

    if a.parties.is_empty() {
        out.push(loc.diag(
            &[],
            "no parties",
            Some("add a [[party]] with name and email for each person the agreement binds"),
        ));
    }
    if counted == 0 && !a.parties.is_empty() {
        out.push(loc.diag(
            &[Key("party")],
            "every party is an observer, so nobody's position counts",
            Some("make at least one party a steward or partner"),
        ));
    }
    for (i, p) in a.parties.iter().enumerate() {
        if p.name.trim().is_empty() {
            out.push(loc.diag(&[Key("party"), Index(i), Key("name")], "name is empty", None));
        } else if p.name.contains(['<', '>', '\n', '\r']) {
            out.push(loc.diag(
                &[Key("party"), Index(i), Key("name")],
                "name must not contain `<`, `>` or a line break",
                None,
            ));
        } else if p.name.contains('\0') {
            // The name goes into the `Accord-Party` trailer: a NUL would cut the message short.
            // (Other control characters are stored faithfully; renderers escape them.)
            out.push(loc.diag(
                &[Key("party"), Index(i), Key("name")],
                "name must not contain the control character U+0000",
                Some("write the name as git records it"),
            ));
        }
        if !plausible_email(&p.email) {
            out.push(loc.diag(
                &[Key("party"), Index(i), Key("email")],
                format!("`{}` is not an email address", p.email),
                Some("use the email the party commits with (git config user.email)"),
            ));
        }
        // Compared as `normalized` does, so two parties can never be one in `same_meaning`.
        let email = p.email.trim().to_lowercase();
        if let Some(j) = a.parties[..i].iter().position(|q| q.email.trim().to_lowercase() == email)
        {
            out.push(loc.diag(
                &[Key("party"), Index(i), Key("email")],
                format!(
                    "`{}` is already the email of party {} ({})",
                    p.email,
                    j + 1,
                    a.parties[j].name
                ),
                Some("each party appears once; emails compare without case"),
            ));
        }
    }

    for (i, c) in a.commitments.iter().enumerate() {
        if !valid_id(&c.id) {
            out.push(loc.diag(
                &[Key("commitment"), Index(i), Key("id")],
                format!("`{}` is not a valid commitment id", c.id),
                Some("use lower-case letters, digits and `-`, starting with a letter or digit"),
            ));
        } else if a.commitments[..i].iter().any(|d| d.id == c.id) {
            out.push(loc.diag(
                &[Key("commitment"), Index(i), Key("id")],
                format!("commitment id `{}` is used twice", c.id),
                Some("ids are unique within the file"),
            ));
        }
        if c.text.trim().is_empty() {
            out.push(loc.diag(&[Key("commitment"), Index(i), Key("text")], "text is empty", None));
        }
        if c.by.is_empty() {
            out.push(loc.diag(
                &[Key("commitment"), Index(i), Key("by")],
                "`by` is empty: a commitment needs someone accountable",
                Some("list the email of each party who answers for it"),
            ));
        }
        for (field, list) in [("by", &c.by), ("to", &c.to)] {
            for (j, e) in list.iter().enumerate() {
                if a.party(e).is_none() {
                    out.push(loc.diag(
                        &[Key("commitment"), Index(i), Key(field), Index(j)],
                        format!("`{e}` is not a party of this agreement"),
                        Some("add a [[party]] with that email, or fix the address"),
                    ));
                }
            }
        }
    }
    for (i, n) in a.norms.iter().enumerate() {
        if n.text.trim().is_empty() {
            out.push(loc.diag(&[Key("norm"), Index(i), Key("text")], "text is empty", None));
        }
    }
    if let Some(scope) = &a.scope {
        for (field, list) in [("in", &scope.included), ("out", &scope.excluded)] {
            for (j, s) in list.iter().enumerate() {
                if s.trim().is_empty() {
                    out.push(loc.diag(
                        &[Key("scope"), Key(field), Index(j)],
                        "scope item is empty",
                        None,
                    ));
                }
            }
        }
    }

    match a.kind {
        Kind::Partnership => {
            for (i, p) in a.parties.iter().enumerate().filter(|(_, p)| p.role == Role::Partner) {
                let gives = a
                    .commitments
                    .iter()
                    .any(|c| c.by.iter().any(|e| e.eq_ignore_ascii_case(&p.email)));
                let receives = a
                    .commitments
                    .iter()
                    .any(|c| c.to.iter().any(|e| e.eq_ignore_ascii_case(&p.email)));
                let what = match (gives, receives) {
                    (true, true) => continue,
                    (false, false) => "neither gives nor receives a commitment",
                    (false, true) => "receives but gives no commitment (`by`)",
                    (true, false) => "gives but receives no commitment (`to`)",
                };
                out.push(loc.diag(
                    &[Key("party"), Index(i)],
                    format!("partner {} {what}", p.email),
                    Some("a partnership is give and take: every partner is in some `by` and some `to`"),
                ));
            }
        }
        Kind::Service => {
            if a.scope.as_ref().is_none_or(|s| s.included.is_empty()) {
                out.push(loc.diag_near(
                    &[Key("scope"), Key("in")],
                    &[Key("kind")],
                    "a service needs a scope: `scope.in` is empty",
                    Some("list what the service covers under [scope] in = [...]; clients are far, so say it"),
                ));
            }
            if a.ends.is_none() && a.review_by.is_none() && a.review_every.is_none() {
                out.push(loc.diag_near(
                    &[],
                    &[Key("kind")],
                    "a service needs `ends`, `review_by` or `review_every`",
                    Some("set when the case gets closed or looked at again"),
                ));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"schema = 1
title = "T"
kind = "charter"
purpose = "P"

[[party]]
name = "Ada"
email = "ada@example.com"
"#;

    #[test]
    fn minimal_loads() {
        let a = load(MINIMAL.as_bytes(), "a.toml").unwrap();
        assert_eq!(a.parties[0].role, Role::Partner);
        assert_eq!(a.decision.rule, Rule::Consent);
    }

    #[test]
    fn unknown_key_is_located() {
        let text = MINIMAL.replace("purpose = \"P\"", "purpose = \"P\"\npurpsoe = \"x\"");
        let err = load(text.as_bytes(), "a.toml").unwrap_err();
        let LoadError::Unreadable(d) = err else { panic!("{err:?}") };
        assert_eq!((d.line, d.column), (Some(5), Some(1)));
        assert_eq!(d.key.as_deref(), Some("purpsoe"));
    }

    #[test]
    fn duplicate_email_is_located() {
        let text = format!("{MINIMAL}\n[[party]]\nname = \"B\"\nemail = \"ADA@example.com\"\n");
        let err = load(text.as_bytes(), "a.toml").unwrap_err();
        let LoadError::Invalid(ds) = err else { panic!() };
        assert_eq!(ds.len(), 1);
        assert_eq!((ds[0].line, ds[0].column), (Some(12), Some(9)));
        assert_eq!(ds[0].key.as_deref(), Some("party[1].email"));
    }

    #[test]
    fn same_meaning_ignores_whitespace_and_case() {
        let a = load(MINIMAL.as_bytes(), "a").unwrap();
        let text = MINIMAL
            .replace("purpose = \"P\"", "purpose = \"\"\"\n  P\n\"\"\"  # why")
            .replace("ada@", "ADA@");
        let b = load(text.as_bytes(), "a").unwrap();
        assert!(a.same_meaning(&b));
        let c = load(MINIMAL.replace("\"P\"", "\"P Q\"").as_bytes(), "a").unwrap();
        assert!(!a.same_meaning(&c));
    }

    #[test]
    fn an_empty_scope_means_no_scope() {
        let a = load(MINIMAL.as_bytes(), "a").unwrap();
        let b = load(format!("{MINIMAL}\n[scope]\n").as_bytes(), "a").unwrap();
        assert!(a.same_meaning(&b));
    }

    #[test]
    fn ids() {
        for ok in ["a", "0", "platform-charter", &"a".repeat(64)] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a/b", "../x", "a b", "é", &"a".repeat(65)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn periods() {
        assert_eq!(Period::parse("90d"), Some(Period::Days(90)));
        assert_eq!(Period::parse("3m"), Some(Period::Months(3)));
        for bad in ["", "d", "0d", "-1d", "1y", "1.5w", "+3d"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        for input in
            [&b"\xff\xfe"[..], b"[[[", b"schema = 2", b"a = [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]"]
        {
            assert!(load(input, "x").is_err());
        }
    }

    /// issue 6: a NUL or carriage return in a name, or any control character in an email,
    /// would not survive the `Accord-Party` trailer; diagnostics that quote the file show
    /// control characters escaped instead of sending them to the terminal.
    #[test]
    fn issue6_control_characters_in_names_and_emails_are_refused_and_escaped() {
        let nul = MINIMAL.replace("name = \"Ada\"", "name = \"A\\u0000da\"");
        let LoadError::Invalid(ds) = load(nul.as_bytes(), "a.toml").unwrap_err() else { panic!() };
        assert_eq!(ds[0].key.as_deref(), Some("party[0].name"));
        assert_eq!(ds[0].message, "name must not contain the control character U+0000");
        let cr = MINIMAL.replace("name = \"Ada\"", "name = \"Ada\\rEve\"");
        let LoadError::Invalid(ds) = load(cr.as_bytes(), "a.toml").unwrap_err() else { panic!() };
        assert_eq!(ds[0].message, "name must not contain `<`, `>` or a line break");
        // Anything else is stored as written (git keeps it too); renderers escape it.
        let esc = MINIMAL.replace("name = \"Ada\"", "name = \"Ada\\u001b[31m\"");
        assert_eq!(load(esc.as_bytes(), "a.toml").unwrap().parties[0].name, "Ada\u{1b}[31m");

        let bad_email = MINIMAL.replace("ada@example.com", "ada@exa\\u001bmple.com");
        let err = load(bad_email.as_bytes(), "a.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.toml:8:9: `party[0].email`: `ada@exa\\u{1b}mple.com` is not an email address \
             (hint: use the email the party commits with (git config user.email))"
        );

        let bad_kind = MINIMAL.replace("\"charter\"", "\"\\u001b[31mcharter\\u009b\"");
        let text = load(bad_kind.as_bytes(), "a.toml").unwrap_err().to_string();
        assert!(text.contains("\\u{1b}[31mcharter\\u{9b}"), "{text}");
        assert!(!text.contains(['\u{1b}', '\u{9b}']), "{text}");
    }

    /// issue 6: bad input from the table in SPEC §9 fails as an error, never a panic or a stack
    /// overflow.
    #[test]
    fn issue6_deep_nesting_and_huge_files_are_errors() {
        for (open, close) in [("[", "]"), ("{a=", "}")] {
            let text = format!("{MINIMAL}x = {}1{}\n", open.repeat(10_000), close.repeat(10_000));
            assert!(matches!(load(text.as_bytes(), "a.toml"), Err(LoadError::Unreadable(_))));
        }
        let big = MINIMAL.replace("\"P\"", &format!("\"{}\"", "p".repeat(2 << 20)));
        let err = load(big.as_bytes(), "a.toml").unwrap_err();
        assert!(err.to_string().contains("larger than the 1048576 bytes"), "{err}");
        assert!(load(b"schema = 1\0", "a.toml").is_err());
        assert!(load(b"\xef\xbb\xbfschema = 1\xc3\x28", "a.toml").is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Lines that make TOML shaped like an agreement, good and bad.
        fn line() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("schema = 1".to_string()),
                Just("title = \"T\"".to_string()),
                Just("kind = \"partnership\"".to_string()),
                Just("kind = \"service\"".to_string()),
                Just("purpose = \"\"\"\nP\n\"\"\"".to_string()),
                Just("review_every = \"90d\"".to_string()),
                Just("review_by = 2027-03-01".to_string()),
                Just("ends = 2027-06-30T10:00:00Z".to_string()),
                Just("[decision]".to_string()),
                Just("rule = \"quorum\"".to_string()),
                Just("quorum = 2".to_string()),
                Just("[scope]".to_string()),
                Just("in = [\"a\", \" \"]".to_string()),
                Just("[[party]]".to_string()),
                Just("name = \"Ada\"".to_string()),
                Just("email = \"ada@example.com\"".to_string()),
                Just("role = \"observer\"".to_string()),
                Just("[[commitment]]".to_string()),
                Just("id = \"pager\"".to_string()),
                Just("by = [\"ada@example.com\"]".to_string()),
                Just("to = [\"grace@example.com\"]".to_string()),
                Just("text = \"x\"".to_string()),
                Just("[[norm]]".to_string()),
                "[a-z_]{1,8} = [\\PC]{0,12}",
                "[\\PC\t]{0,20}",
            ]
        }

        proptest! {
            #[test]
            fn any_bytes_load_or_fail_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
                let loaded = load(&bytes, "a.toml");
                let _ = crate::canon::textconv(&bytes);
                if let Err(e) = loaded {
                    prop_assert!(!e.diagnostics().is_empty());
                }
            }

            #[test]
            fn agreement_shaped_text_loads_or_fails_without_panicking(
                lines in prop::collection::vec(line(), 0..24)
            ) {
                let text = lines.join("\n");
                match load(text.as_bytes(), "a.toml") {
                    Ok(a) => prop_assert!(a.same_meaning(&a)),
                    Err(e) => {
                        for d in e.diagnostics() {
                            prop_assert_eq!(&d.file, "a.toml");
                            prop_assert!(!d.to_string().contains('\u{1b}'), "escape in {}", d);
                        }
                    }
                }
                let _ = crate::canon::textconv(text.as_bytes());
            }
        }
    }
}
