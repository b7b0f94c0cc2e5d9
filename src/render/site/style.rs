//! The site's one stylesheet, inlined into every page so a page works alone (opened from the
//! file system, served by any static host, no network). Light and dark schemes follow the
//! reader's `prefers-color-scheme`; every state is written as a word with a symbol, so colour
//! only repeats what the text says. The filter rules of the index are built from the closed
//! lists of kinds and states, never from repository data.

use crate::model::Kind;

/// The states an index row can be filtered by: (id, label). A row carries the class `s-<id>`
/// for each that applies.
pub const STATE_FILTERS: [(&str, &str); 7] = [
    ("ratified", "ratified"),
    ("blocked", "not ratified"),
    ("objected", "open objections"),
    ("pending", "waiting for someone"),
    ("due", "review due"),
    ("retired", "retired"),
    ("superseded", "superseded"),
];

const BASE: &str = r#"
:root { color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --link: #0550ae;
  --ok-bg: #dafbe1; --ok-fg: #116329; --bad-bg: #ffebe9; --bad-fg: #a40e26;
  --warn-bg: #fff8c5; --warn-fg: #6c4400; --mid-bg: #eef1f4; --mid-fg: #424a53;
  --ins-bg: #ccf5d6; --ins-fg: #0b4a1f; --del-bg: #ffd7d5; --del-fg: #82071e; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #3d444d; --panel: #161b22;
  --link: #79c0ff;
  --ok-bg: #12361f; --ok-fg: #7ee2a8; --bad-bg: #42131a; --bad-fg: #ffa198;
  --warn-bg: #3b2c05; --warn-fg: #f2cc60; --mid-bg: #262c36; --mid-fg: #c9d1d9;
  --ins-bg: #1b4d2b; --ins-fg: #aff5b4; --del-bg: #5c1a1f; --del-fg: #ffdcd7; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
header.site, main, footer.site { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header.site { padding-top: 1rem; border-bottom: 1px solid var(--line); }
header.site p { margin: .25rem 0 .75rem; color: var(--muted); }
footer.site { color: var(--muted); font-size: .875rem; padding-bottom: 2rem;
  border-top: 1px solid var(--line); margin-top: 2rem; }
a { color: var(--link); }
h1 { font-size: 1.75rem; margin: .5rem 0; line-height: 1.2; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .9em; }
.muted, .meta { color: var(--muted); }
.meta { font-size: .9rem; }
.purpose { font-size: 1.15rem; background: var(--panel); border-left: 4px solid var(--link);
  padding: .75rem 1rem; margin: .5rem 0 1rem; white-space: pre-wrap; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll:focus { outline: 2px solid var(--link); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
caption { text-align: left; color: var(--muted); padding: .25rem 0; caption-side: top; }
th, td { border: 1px solid var(--line); padding: .4rem .5rem; vertical-align: top;
  text-align: left; }
thead th { background: var(--panel); }
tbody th { font-weight: 600; }
.state { display: inline-block; border-radius: .3rem; padding: 0 .35rem; white-space: nowrap;
  font-weight: 600; }
.signed, .ratified { background: var(--ok-bg); color: var(--ok-fg); }
.objecting, .blocked { background: var(--bad-bg); color: var(--bad-fg); }
.stale, .due { background: var(--warn-bg); color: var(--warn-fg); }
.abstained, .none, .retired, .superseded { background: var(--mid-bg); color: var(--mid-fg); }
.silent { color: var(--muted); border: 1px dashed var(--line); }
.carried { display: block; font-size: .8rem; color: var(--muted); }
.reason { display: block; font-size: .85rem; max-width: 22rem; white-space: normal; }
ins { background: var(--ins-bg); color: var(--ins-fg); text-decoration: underline; }
del { background: var(--del-bg); color: var(--del-fg); text-decoration: line-through; }
ol.versions { padding-left: 0; list-style: none; }
table.log tbody th { white-space: nowrap; font-weight: normal; font-size: .9rem; }
ol.versions > li { margin-bottom: 1rem; }
ol.versions blockquote { margin: .25rem 0; padding: .5rem .75rem; background: var(--panel);
  border-left: 3px solid var(--line); }
ul.plain { margin: .25rem 0; padding-left: 1.25rem; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin: 1rem 0 .5rem; }
.filters fieldset { border: 1px solid var(--line); border-radius: .4rem; margin: 0;
  padding: .25rem .75rem .5rem; }
.filters label { margin-right: .75rem; white-space: nowrap; }
/* The party column stays in view while a long matrix scrolls sideways. */
table.matrix tbody th { position: sticky; left: 0; z-index: 1; background: var(--bg); }
table.matrix thead th:first-child { position: sticky; left: 0; z-index: 1; }
@media (max-width: 40rem) {
  h1 { font-size: 1.4rem; }
  table.index thead { display: none; }
  table.index caption { display: block; }
  table.index, table.index tbody, table.index tr, table.index td, table.index th {
    display: block; width: 100%; border: 0; }
  table.index tr { border: 1px solid var(--line); border-radius: .4rem; margin-bottom: .75rem;
    padding: .25rem .5rem; }
  table.index td[data-label]::before { content: attr(data-label) ": "; font-weight: 600;
    color: var(--muted); }
}
"#;

/// The whole stylesheet: the base and the index's filter rules (CSS-only: a checked radio
/// button hides the rows without its class; `:has` needs no script).
pub fn css() -> String {
    let mut out = String::from(BASE);
    for kind in Kind::ALL {
        let k = kind.as_str();
        out.push_str(&format!(
            "form.index:has(#kind-{k}:checked) tbody tr:not(.k-{k}) {{ display: none; }}\n"
        ));
    }
    for (s, _) in STATE_FILTERS {
        out.push_str(&format!(
            "form.index:has(#state-{s}:checked) tbody tr:not(.s-{s}) {{ display: none; }}\n"
        ));
    }
    out
}
