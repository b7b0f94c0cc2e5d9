//! Turning places in a TOML file into `file:line:col` and dotted key paths (`party[1].email`):
//! for the errors toml reports while parsing, and for the rules `validate` checks afterwards.
//!
//! Knows TOML spans and nothing of the rules; must never panic on any text or offset.

use std::cell::OnceCell;
use std::ops::Range;

use super::diagnostic::{escape_controls, Diagnostic};

/// Line and column lookups in one text, each in O(log n) after one pass over the text, so a
/// file with thousands of problems is not scanned once per problem.
pub(super) struct Lines<'t> {
    text: &'t str,
    /// Byte offset of every `\n`.
    newlines: Vec<usize>,
    /// Characters before byte `k * STRIDE`, for each `k`.
    chars_at: Vec<usize>,
}

impl<'t> Lines<'t> {
    const STRIDE: usize = 64;

    pub(super) fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let newlines = bytes.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i);
        let mut chars_at = vec![0];
        for chunk in bytes.chunks(Self::STRIDE) {
            let before = chars_at.last().copied().unwrap_or(0);
            chars_at.push(before + chunk.iter().filter(|&&b| starts_char(b)).count());
        }
        Lines { text, newlines: newlines.collect(), chars_at }
    }

    /// Line and column (both from 1, the column in characters) of byte `offset`; an offset past
    /// the end is the end, and one inside a character counts that character.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.newlines.partition_point(|&n| n < offset);
        let line_start = if line == 0 { 0 } else { self.newlines[line - 1] + 1 };
        (line + 1, self.chars_before(offset) - self.chars_before(line_start) + 1)
    }

    fn chars_before(&self, offset: usize) -> usize {
        let k = offset / Self::STRIDE;
        let rest = self.text.as_bytes().get(k * Self::STRIDE..offset).unwrap_or_default();
        self.chars_at.get(k).copied().unwrap_or(0)
            + rest.iter().filter(|&&b| starts_char(b)).count()
    }

    /// `line_col` of `offset` when there is one, for a [`Diagnostic`].
    pub(super) fn position(&self, offset: Option<usize>) -> (Option<usize>, Option<usize>) {
        match offset {
            Some(o) => {
                let (l, c) = self.line_col(o);
                (Some(l), Some(c))
            }
            None => (None, None),
        }
    }
}

/// Whether `b` begins a UTF-8 character (is not a continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

const TOP_LEVEL_REQUIRED: [&str; 4] = ["schema", "title", "kind", "purpose"];

/// The key a toml parse error is about, as a dotted path (`party[1].email`), given its message
/// and span in `text`.
pub(super) fn toml_error_key(text: &str, msg: &str, span: Option<&Range<usize>>) -> Option<String> {
    // toml locates a missing field on the table that lacks it, anything else on the
    // offending key or value: name the key either way (`party[1].email`).
    let missing = quoted_after(msg, "missing field `");
    let found = span.and_then(|s| key_path_at(text, s, missing.is_some()));
    match (missing, found) {
        // The top level's required fields can only be missing from the top level (a file
        // that starts with a table would otherwise blame that table).
        (Some(field), Some(table)) if !TOP_LEVEL_REQUIRED.contains(&field.as_str()) => {
            Some(format!("{table}.{field}"))
        }
        (Some(field), _) => Some(field),
        (None, Some(key)) => Some(key),
        (None, None) => quoted_after(msg, "unknown field `"),
    }
}

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

/// One step of a path into the document, for locating a problem.
pub(super) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Locates problems with a parsed agreement in the text it was parsed from.
pub(super) struct Locator<'t> {
    text: &'t str,
    /// Parsed again with spans when the first problem is located: a valid file never needs
    /// it (parsing it took as long as reading the agreement).
    doc: OnceCell<Option<toml_edit::ImDocument<&'t str>>>,
    file: &'t str,
    /// Built when the first problem is located: a valid file never needs it.
    lines: OnceCell<Lines<'t>>,
}

impl<'t> Locator<'t> {
    pub(super) fn new(text: &'t str, file: &'t str) -> Self {
        Locator { text, doc: OnceCell::new(), file, lines: OnceCell::new() }
    }

    fn doc(&self) -> Option<&toml_edit::ImDocument<&'t str>> {
        self.doc.get_or_init(|| toml_edit::ImDocument::parse(self.text).ok()).as_ref()
    }

    fn span(&self, path: &[Step]) -> Option<usize> {
        let doc = self.doc()?;
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

    /// The byte range of the value at `path`, when the file has it.
    fn value_span(&self, path: &[Step]) -> Option<Range<usize>> {
        let doc = self.doc()?;
        let mut item = doc.as_item();
        for step in path {
            item = match step {
                Step::Key(k) => item.get(*k)?,
                Step::Index(i) => item.get(*i)?,
            };
        }
        item.span()
    }

    /// A problem at the first line inside the value at `path` that starts with `prefix` (a
    /// merge-conflict marker in a multi-line string), else at the value itself.
    pub(super) fn diag_line_in(
        &self,
        path: &[Step],
        prefix: &str,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Diagnostic {
        let mut d = self.diag(path, message, hint);
        let Some(span) = self.value_span(path) else { return d };
        let Some(raw) = self.text.get(span.clone()) else { return d };
        let found = raw
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .find(|&i| raw.get(i..).is_some_and(|rest| rest.starts_with(prefix)));
        if let Some(i) = found {
            let lines = self.lines.get_or_init(|| Lines::new(self.text));
            let (line, column) = lines.line_col(span.start + i);
            (d.line, d.column) = (Some(line), Some(column));
        }
        d
    }

    pub(super) fn diag(
        &self,
        path: &[Step],
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Diagnostic {
        self.diag_near(path, &[], message, hint)
    }

    /// A problem with `path`, located at `anchor` when `path` itself is not in the file (a
    /// missing key is best pointed at what requires it).
    pub(super) fn diag_near(
        &self,
        path: &[Step],
        anchor: &[Step],
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Diagnostic {
        let lines = self.lines.get_or_init(|| Lines::new(self.text));
        let (line, column) = lines.position(self.span(path).or_else(|| self.span(anchor)));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Lines::line_col` replaced: one scan of the text per lookup.
    fn scanned(text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        (line, col)
    }

    #[test]
    fn line_col_agrees_with_a_scan_at_every_offset() {
        let long = format!("{}é\n{}\u{212A}x", "a".repeat(130), "ü".repeat(70));
        for text in ["", "\n", "a", "ab\ncd\n\nef", "zoé = \"ZOÉ\"\n𝄞x\r\ny", long.as_str()] {
            let lines = Lines::new(text);
            for offset in 0..text.len() + 3 {
                assert_eq!(lines.line_col(offset), scanned(text, offset), "{text:?} at {offset}");
            }
        }
    }
}
