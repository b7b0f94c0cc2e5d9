//! The two escapers for text that accord did not write itself (titles, purposes, names, emails,
//! commit subjects and notes, anything read from a file or a commit): [`terminal`] for what is
//! printed for a person, [`markdown`] for what goes into a pull-request comment or a wiki page.
//! Every renderer calls one of these two and no other: two near-copies drift apart.
//!
//! Both are pure string functions. They must not know where the text came from or where it is
//! written, and they never drop characters: a reader sees that something odd is there.

use std::borrow::Cow;

/// Whether a terminal would act on `c` rather than show it: control characters other than line
/// break and tab (ESC and the rest of C0, DEL, C1 such as CSI U+009B), and the bidirectional
/// marks, embeddings, overrides and isolates that reorder what is shown around them.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` fit for a terminal: each character a terminal would act on (see above) written out as
/// `\u{1b}`, so a reader sees that it is there and the terminal does not act on it. Line breaks
/// and tabs are kept; a caller that needs one line takes the first.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escaped(s, acts_on_terminal, |out, c| out.extend(c.escape_unicode()))
}

/// `s` with each character `hit` names written by `write` instead; borrowed when there is none.
fn escaped(s: &str, hit: impl Fn(char) -> bool, write: impl Fn(&mut String, char)) -> Cow<'_, str> {
    if !s.chars().any(&hit) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hit(c) {
            write(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`terminal`] for a field shown on one line (a title in a listing): line breaks and tabs are
/// written out too, so a title cannot print a line that looks like another row.
pub fn line(s: &str) -> Cow<'_, str> {
    let hit = |c: char| acts_on_terminal(c) || c == '\n' || c == '\t';
    escaped(s, hit, |out, c| out.extend(c.escape_unicode()))
}

/// JSON text as serde_json wrote it, with every character a terminal would act on that it
/// leaves as is (DEL, C1 such as CSI U+009B, the bidirectional marks) written as a `\uXXXX`
/// escape: the same JSON value, inert when printed. Such characters only occur inside strings,
/// where the escape means the character itself.
pub fn json(s: &str) -> Cow<'_, str> {
    // Every such character is in the Basic Multilingual Plane: one `\uXXXX` each.
    escaped(s, acts_on_terminal, |out, c| out.push_str(&format!("\\u{:04x}", c as u32)))
}

/// Written after `@` or `#` where GitHub would otherwise see a mention (`@team`) or an issue
/// reference (`#12`). Backslash escapes and character references do not help there: GitHub finds
/// mentions in the rendered text, where `\@` and `&#64;` are a plain `@` again.
const ZERO_WIDTH_JOINER: char = '\u{200d}';

/// Whether `c` continues a word for GitHub's mention and reference patterns (`ada@example.com`
/// is an address, not a mention of `@example`).
fn word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `s` as an inline code span in markdown: between backticks when it holds none (nothing is
/// read inside a code span but a backtick), else as inert text ([`markdown`]) without one.
pub fn code(s: &str) -> String {
    match s.contains('`') || s.contains('\n') {
        false => format!("`{}`", terminal(s)),
        true => markdown(s),
    }
}

/// The starts GitHub's autolink extension turns into links (`www.` and the schemes it knows),
/// each split where a zero-width joiner goes.
const AUTOLINKS: [(&str, usize); 6] =
    [("www.", 3), ("http://", 4), ("https://", 5), ("ftp://", 3), ("mailto:", 6), ("xmpp:", 4)];

/// At `chars[i..]`, how many characters of an autolink's start come before its joiner; `None`
/// when no autolink starts there.
fn autolink_at(chars: &[char], i: usize) -> Option<usize> {
    AUTOLINKS.iter().find_map(|&(start, split)| {
        let n = start.chars().count();
        let here = chars.get(i..i + n)?;
        here.iter().zip(start.chars()).all(|(a, b)| a.eq_ignore_ascii_case(&b)).then_some(split)
    })
}

/// `s` as inert text in CommonMark with GitHub's extensions: it renders as the characters it
/// holds and nothing else. Controls are first escaped as for [`terminal`] (markdown is printed
/// too); then
///
/// - everywhere: `\` `` ` `` `*` `_` `~` `[` `]` `|` `$` get a backslash (no code, emphasis,
///   strikethrough, links, images, footnotes, task boxes, table cells or math), and `<` `>` `&`
///   become `&lt;` `&gt;` `&amp;` (no raw HTML, comments, autolinks in angle brackets or
///   character references); `!` before `[` and `(` `)` need nothing once `[` `]` are escaped;
/// - at the start of each line, after any blanks: `#` `-` `+` `=` and a run of digits followed
///   by `.` or `)` get a backslash (no headings, lists, setext underlines or thematic breaks;
///   `>` is already `&gt;`, `*` and `_` already escaped);
/// - `@` or `#` that would start a mention or an issue reference (`@team`, `#12`,
///   `owner/repo#12`) gets a zero-width joiner after it, which GitHub shows as nothing; so do
///   `GH-12` references (after the `GH`) and, wherever they occur, the starts of bare links
///   (`www.`, `https://` and the other schemes GitHub's autolink extension knows: after `www`,
///   before `://`; GitHub finds a scheme after a digit or `_` too), and commit ids GitHub
///   would link (a word of seven or more hex digits, one of them a digit: after its first).
///
/// Ordinary prose (letters, digits, spaces, `.` `,` `'` `:` `-` `(` `)` inside a line) comes
/// out unchanged. An email address is still linked (`mailto:`) by GitHub, as a party's is.
pub fn markdown(s: &str) -> String {
    let s = terminal(s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut line_start = true;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let (prev, next) = (i.checked_sub(1).and_then(|p| chars.get(p)).copied(), chars.get(i + 1));
        if line_start && c != ' ' && c != '\t' {
            line_start = false;
            if matches!(c, '#' | '-' | '+' | '=') {
                out.push('\\');
            } else if c.is_ascii_digit() {
                let run = chars[i..].iter().take_while(|d| d.is_ascii_digit()).count();
                if matches!(chars.get(i + run), Some('.' | ')')) {
                    out.extend(&chars[i..i + run]);
                    out.push('\\');
                    out.push(chars[i + run]);
                    i += run + 1;
                    continue;
                }
            }
        }
        // Wherever a link could start: GitHub finds a scheme after a digit or `_` too.
        if let Some(split) = autolink_at(&chars, i) {
            out.extend(&chars[i..i + split]);
            out.push(ZERO_WIDTH_JOINER);
            i += split;
            continue;
        }
        if !prev.is_some_and(|c| c.is_ascii_alphanumeric()) {
            let gh = chars.get(i..i + 3).is_some_and(|g| {
                g[0].eq_ignore_ascii_case(&'g') && g[1].eq_ignore_ascii_case(&'h') && g[2] == '-'
            });
            if gh && chars.get(i + 3).is_some_and(char::is_ascii_digit) {
                out.extend(&chars[i..i + 2]);
                out.push(ZERO_WIDTH_JOINER);
                i += 2;
                continue;
            }
            // A commit id GitHub would link (`a5c3785`, `user@a5c3785`, `owner/repo@a5c3785`):
            // seven or more hex digits, one of them a digit, as a word of its own.
            let hex = chars[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if hex >= 7
                && !word_char(chars.get(i + hex).copied())
                && chars[i..i + hex].iter().any(char::is_ascii_digit)
            {
                out.push(c);
                out.push(ZERO_WIDTH_JOINER);
                i += 1;
                continue;
            }
        }
        match c {
            '\n' => {
                line_start = true;
                out.push(c);
            }
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '|' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' if !word_char(prev) && next.is_some_and(char::is_ascii_alphanumeric) => {
                out.push(c);
                out.push(ZERO_WIDTH_JOINER);
            }
            '#' if next.is_some_and(char::is_ascii_digit) => {
                out.push(c);
                out.push(ZERO_WIDTH_JOINER);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// issue 6: text from files and commits must not drive the terminal.
    #[test]
    fn issue6_terminal_escapes_what_a_terminal_would_act_on() {
        assert!(matches!(terminal("plain text\n\twith tab"), Cow::Borrowed(_)));
        assert_eq!(terminal("\u{1b}[31mred\u{1b}[0m"), "\\u{1b}[31mred\\u{1b}[0m");
        assert_eq!(terminal("a\rb\u{7}\u{8}\u{7f}"), "a\\u{d}b\\u{7}\\u{8}\\u{7f}");
        assert_eq!(terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(terminal("Zoë 名前 — ok"), "Zoë 名前 — ok");
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw_and_stays_the_same_value() {
        let value = serde_json::json!({"title": "T\u{9b}2J \u{202e}evil\u{7f} \u{1b} ok é"});
        let text = serde_json::to_string(&value).unwrap();
        let inert = json(&text);
        assert!(!inert.chars().any(acts_on_terminal), "{inert}");
        assert!(inert.contains("\\u009b") && inert.contains("\\u202e"), "{inert}");
        let back: serde_json::Value = serde_json::from_str(&inert).unwrap();
        assert_eq!(back, value);
        assert!(matches!(json("{\"a\": \"plain é\"}"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_one_line_field_keeps_to_its_line() {
        assert_eq!(line("Charter\nsecurity  — ratified"), "Charter\\u{a}security  — ratified");
        assert_eq!(line("a\tb\u{1b}"), "a\\u{9}b\\u{1b}");
        assert!(matches!(line("Platform charter"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_breaks_bare_links_and_issue_references() {
        let zwj = ZERO_WIDTH_JOINER;
        assert_eq!(
            markdown("see https://evil.example/login"),
            format!("see https{zwj}://evil.example/login")
        );
        assert_eq!(markdown("WWW.evil.example"), format!("WWW{zwj}.evil.example"));
        assert_eq!(markdown("(http://x.example)"), format!("(http{zwj}://x.example)"));
        assert_eq!(markdown("mailto:a@b.example"), format!("mailto{zwj}:a@b.example"));
        assert_eq!(markdown("GH-12 and gh-3"), format!("GH{zwj}-12 and gh{zwj}-3"));
        assert_eq!(markdown("acme/infra#7"), format!("acme/infra#{zwj}7"));
        // After a digit or an underscore GitHub still links; a joiner goes in wherever one
        // could start (it shows as nothing).
        assert_eq!(markdown("1https://x"), format!("1https{zwj}://x"));
        assert_eq!(markdown("x_www.y"), format!("x\\_www{zwj}.y"));
        assert_eq!(markdown("_GH-1"), format!("\\_GH{zwj}-1"));
        assert_eq!(markdown("HIGH-5 C#"), "HIGH-5 C#");
    }

    #[test]
    fn a_code_span_holds_what_has_no_backtick_and_the_rest_is_escaped() {
        assert_eq!(code("accord/positions"), "`accord/positions`");
        assert_eq!(code("a<h1>b"), "`a<h1>b`");
        assert_eq!(code("p`<h1>`x"), "p\\`&lt;h1&gt;\\`x");
    }

    #[test]
    fn terminal_escapes_osc_sequences() {
        // A window-title change and an OSC 8 hyperlink, with BEL and ST terminators.
        assert_eq!(terminal("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(
            terminal("\u{1b}]8;;https://x\u{1b}\\click\u{1b}]8;;\u{1b}\\"),
            "\\u{1b}]8;;https://x\\u{1b}\\click\\u{1b}]8;;\\u{1b}\\"
        );
        // The 8-bit forms: CSI, OSC and ST in C1.
        assert_eq!(terminal("\u{9b}2J\u{9d}0;x\u{9c}"), "\\u{9b}2J\\u{9d}0;x\\u{9c}");
        assert_eq!(terminal("\u{80}\u{9f}"), "\\u{80}\\u{9f}");
    }

    #[test]
    fn terminal_escapes_every_bidi_control() {
        for c in ['\u{061c}', '\u{200e}', '\u{200f}']
            .into_iter()
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
        {
            let escaped = terminal(&format!("a{c}b")).into_owned();
            assert_eq!(escaped, format!("a{}b", c.escape_unicode()), "{c:?}");
        }
        // Letters of right-to-left scripts are text, not controls.
        assert_eq!(terminal("שלום مرحبا"), "שלום مرحبا");
    }

    #[test]
    fn terminal_keeps_line_breaks_and_tabs() {
        assert_eq!(terminal("one\ntwo\tthree\n"), "one\ntwo\tthree\n");
        assert_eq!(terminal("one\r\ntwo"), "one\\u{d}\ntwo");
    }

    #[test]
    fn markdown_leaves_prose_alone() {
        for s in [
            "Give every product team a paved road from merge to production.",
            "Answer deploy-pipeline pages within 15 minutes.",
            "Ada Lovelace",
            "ada@example.com",
            "majority needs 2 of 3 sign-offs, has 1",
            "We review each other's pull requests (within a day): 2026-11-20.",
            "Zoë 名前 — ok",
        ] {
            assert_eq!(markdown(s), s);
        }
    }

    #[test]
    fn markdown_has_no_html_or_comments() {
        assert_eq!(markdown("<!-- x -->"), "&lt;!-- x --&gt;");
        assert_eq!(markdown("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(markdown("<https://x>"), "&lt;https\u{200d}://x&gt;");
        // A character reference shows as written (its `#64` is no issue reference either).
        assert_eq!(markdown("&amp; &#64;"), "&amp;amp; &amp;#\u{200d}64;");
    }

    #[test]
    fn markdown_has_no_links_or_images() {
        assert_eq!(markdown("![](https://x)"), "!\\[\\](https\u{200d}://x)");
        assert_eq!(markdown("[link](u)"), "\\[link\\](u)");
        assert_eq!(markdown("[x]: https://x"), "\\[x\\]: https\u{200d}://x");
        assert_eq!(markdown("[^1]"), "\\[^1\\]");
    }

    #[test]
    fn markdown_has_no_mentions_or_references() {
        assert_eq!(markdown("@team"), "@\u{200d}team");
        assert_eq!(markdown("cc @org/team, @ada"), "cc @\u{200d}org/team, @\u{200d}ada");
        assert_eq!(markdown("fixes #12"), "fixes #\u{200d}12");
        // Addresses and a lone sign stay as they are; `c#1` could be a reference.
        assert_eq!(markdown("ada@example.com"), "ada@example.com");
        assert_eq!(markdown("a @ b, c# 1"), "a @ b, c# 1");
        assert_eq!(markdown("c#1"), "c#\u{200d}1");
        // Commit ids GitHub links, bare or after `user@` / `owner/repo@` (red-team finding).
        let z = ZERO_WIDTH_JOINER;
        assert_eq!(markdown("see a5c3785ed8"), format!("see a{z}5c3785ed8"));
        assert_eq!(markdown("jlord@a5c3785"), format!("jlord@a{z}5c3785"));
        assert_eq!(markdown("evil/repo@a5c3785."), format!("evil/repo@a{z}5c3785."));
        // Not a commit id: too short, no digit, or part of a longer word.
        for plain in ["a5c378", "effaced", "a5c3785x", "x1234567", "15 minutes"] {
            assert_eq!(markdown(plain), plain);
        }
    }

    #[test]
    fn markdown_has_no_blocks() {
        assert_eq!(markdown("### ✅ ratified"), "\\### ✅ ratified");
        assert_eq!(markdown("| a | b |"), "\\| a \\| b \\|");
        assert_eq!(markdown("> quoted"), "&gt; quoted");
        assert_eq!(markdown("- item\n+ item\n* item"), "\\- item\n\\+ item\n\\* item");
        assert_eq!(markdown("1. first\n  12) second"), "1\\. first\n  12\\) second");
        assert_eq!(markdown("Title\n==="), "Title\n\\===");
        assert_eq!(markdown("---"), "\\---");
        assert_eq!(markdown("```rust"), "\\`\\`\\`rust");
        assert_eq!(markdown("~~~"), "\\~\\~\\~");
        // Only at the start of a line.
        assert_eq!(markdown("a - b + c = d, 1. e"), "a - b + c = d, 1. e");
    }

    #[test]
    fn markdown_has_no_emphasis_code_or_math() {
        assert_eq!(markdown("*a* _b_ **c**"), "\\*a\\* \\_b\\_ \\*\\*c\\*\\*");
        assert_eq!(markdown("`code` ~~gone~~ $x$"), "\\`code\\` \\~\\~gone\\~\\~ \\$x\\$");
        assert_eq!(markdown("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn markdown_escapes_controls_first() {
        assert_eq!(markdown("\u{1b}[31mred"), "\\\\u{1b}\\[31mred");
        assert_eq!(markdown("a\u{202e}b"), "a\\\\u{202e}b");
    }

    proptest! {
        /// Every `<` in the input comes out as `&lt;`: no `<` survives, escaped or not, so no
        /// tag, comment or angle-bracket autolink can open.
        #[test]
        fn markdown_never_lets_a_tag_open(s in any::<String>()) {
            let out = markdown(&s);
            prop_assert!(!out.contains('<'), "{:?} → {:?}", s, out);
            prop_assert!(!out.contains('>'), "{:?} → {:?}", s, out);
            prop_assert_eq!(out.matches("&lt;").count(), s.matches('<').count());
        }

        /// No character a terminal acts on survives either.
        #[test]
        fn markdown_and_terminal_leave_no_controls(s in any::<String>()) {
            prop_assert!(!terminal(&s).chars().any(acts_on_terminal));
            prop_assert!(!markdown(&s).chars().any(acts_on_terminal));
        }

        /// Each `[`, `]`, `*`, `_`, `` ` ``, `|` of the output is preceded by an odd run of
        /// backslashes: escaped, so inert.
        #[test]
        fn markdown_escapes_every_markup_character(s in "[\\[\\]*_`|\\\\a-z <>!()@#\n-]{0,40}") {
            let out: Vec<char> = markdown(&s).chars().collect();
            for (i, c) in out.iter().enumerate() {
                if matches!(c, '[' | ']' | '*' | '_' | '`' | '|') {
                    let slashes = out[..i].iter().rev().take_while(|&&b| b == '\\').count();
                    prop_assert!(slashes % 2 == 1, "{:?} → {:?} at {}", s, out, i);
                }
            }
        }
    }
}
