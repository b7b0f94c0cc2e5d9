//! `accord site`: the generated HTML parsed and checked (structure, escaping, the matrix against
//! `status --format json`, determinism), and the pages loaded in headless Chromium.

use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::common::changes::*;
use crate::common::*;

const REASON: &str = "The pager commitment puts on-call on me alone; <b>we need a rota</b>.";
const HOSTILE: &str = "<script>alert(1)</script>";

/// The charter's life: r1 signed by Ada and Katherine, objected to by Grace; r2 (a new purpose
/// by Grace) signed by Grace and Ada; r2 reflowed (same meaning). Katherine's sign-off on r1 is
/// stale on r2; Ada's and Grace's carry over to the reflowed text.
fn scenario() -> TestEnv {
    let mut env = setup();
    sign(&mut env, ADA, "charter");
    take(&mut env, GRACE, &["object", "charter", "-m", REASON]);
    sign(&mut env, KATHERINE, "charter");
    env.as_(GRACE);
    amend(&env, FILE, "a paved road", "a paved and lit road", "Light the road");
    env.as_(ADA);
    sign(&mut env, GRACE, "charter");
    sign(&mut env, ADA, "charter");
    amend(&env, FILE, "and lit road from", "and lit road\nfrom", "Reflow the purpose");
    // A second agreement whose every text is hostile markup.
    let hostile = charter("consent")
        .replace("Platform team charter", &format!("Evil {HOSTILE} charter"))
        .replace("Give every product team a paved road from merge to production.", HOSTILE)
        .replacen("kind = \"charter\"", "kind = \"decision\"", 1);
    env.commit_file("agreements/evil.toml", &hostile, &format!("Add {HOSTILE}"));
    take(&mut env, KATHERINE, &["object", "evil", "-m", HOSTILE]);
    env
}

fn site(env: &TestEnv, out: &str, extra: &[&str]) -> PathBuf {
    let dir = env.path(out);
    let dir_s = dir.to_str().unwrap().to_string();
    let mut args = vec!["site", "--out", dir_s.as_str()];
    args.extend_from_slice(extra);
    env.accord(&args).ok();
    dir
}

fn page(dir: &Path, rel: &str) -> (String, Html) {
    let raw = std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let doc = Html::parse_document(&raw);
    (raw, doc)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

fn one<'a>(doc: &'a Html, s: &str) -> ElementRef<'a> {
    let all: Vec<_> = doc.select(&sel(s)).collect();
    assert_eq!(all.len(), 1, "expected one `{s}`, found {}", all.len());
    all[0]
}

fn text(e: ElementRef) -> String {
    e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn site_index_lists_every_agreement_with_filters_and_links() {
    let env = scenario();
    let dir = site(&env, "site", &[]);
    let (raw, doc) = page(&dir, "index.html");
    assert!(raw.starts_with("<!DOCTYPE html>"), "{}", &raw[..40]);
    let rows: Vec<_> = doc.select(&sel("table.index tbody tr")).collect();
    assert_eq!(rows.len(), 2);
    let status = env.accord(&["status", "--format", "json"]).code(0).json();
    for (row, s) in rows.iter().zip(status.as_array().unwrap()) {
        let id = s["agreement"].as_str().unwrap();
        let link = row.select(&sel("th a")).next().unwrap();
        assert_eq!(link.value().attr("href"), Some(format!("agreements/{id}.html").as_str()));
        assert!(dir.join(format!("agreements/{id}.html")).is_file());
        let classes: Vec<&str> = row.value().classes().collect();
        let verdict = if s["ratified"] == Value::Bool(true) { "s-ratified" } else { "s-blocked" };
        assert!(classes.contains(&verdict), "{id}: {classes:?}");
        // Every blocking reason is written out in the row.
        for b in s["blocking"].as_array().unwrap() {
            assert!(text(*row).contains(b.as_str().unwrap()), "{id}: {b} not in {}", text(*row));
        }
    }
    let charter = one(&doc, "tr#a-charter");
    let classes: Vec<&str> = charter.value().classes().collect();
    assert!(classes.contains(&"k-charter") && classes.contains(&"s-pending"), "{classes:?}");
    assert!(text(charter).contains("Katherine Johnson (stale)"), "{}", text(charter));
    let evil = one(&doc, "tr#a-evil");
    assert!(evil.value().classes().any(|c| c == "s-objected"));
    // Filters: one radio group per kind and state, each with a CSS rule and no script.
    assert_eq!(doc.select(&sel("input[type=radio][name=kind]")).count(), 6);
    assert_eq!(doc.select(&sel("input[type=radio][name=state]")).count(), 8);
    assert!(raw.contains("form.index:has(#kind-decision:checked) tbody tr:not(.k-decision)"));
    assert_eq!(doc.select(&sel("script, link, img, iframe")).count(), 0);
    assert_eq!(doc.select(&sel("table.index thead th[scope=col]")).count(), 6);
    one(&doc, "table.index caption");
}

#[test]
fn site_shows_retired_and_superseded_agreements_with_a_filter_for_each() {
    let mut env = setup();
    // `charter-2` supersedes `charter` once ratified; `ops` is retired by a ratified revision.
    let next = charter("consent")
        .replace("Platform team charter", "Platform team charter, second edition")
        .replace("kind = \"charter\"\n", "kind = \"charter\"\nsupersedes = [\"charter\"]\n");
    env.commit_file("agreements/charter-2.toml", &next, "Charter 2");
    sign_all(&mut env, "charter-2");
    let ops = charter("consent").replace("review_every = \"90d\"\n", "review_by = 2020-01-01\n");
    env.commit_file("agreements/ops.toml", &ops, "Ops");
    let retired = ops.replace("kind = \"charter\"\n", "kind = \"charter\"\nretired = true\n");
    env.commit_file("agreements/ops.toml", &retired, "Retire ops");
    sign_all(&mut env, "ops");
    let dir = site(&env, "site", &[]);
    let (raw, doc) = page(&dir, "index.html");
    let classes = |id: &str| -> Vec<String> {
        one(&doc, &format!("tr#a-{id}")).value().classes().map(String::from).collect()
    };
    assert!(classes("charter").contains(&"s-superseded".to_string()), "{:?}", classes("charter"));
    assert!(!classes("charter").contains(&"s-retired".to_string()));
    assert!(classes("ops").contains(&"s-retired".to_string()), "{:?}", classes("ops"));
    assert!(!classes("ops").contains(&"s-due".to_string()), "a retired agreement is not due");
    let current = classes("charter-2");
    assert!(!current.iter().any(|c| c == "s-retired" || c == "s-superseded"), "{current:?}");
    // In words, with a link to the successor, and a filter (radio and CSS rule) for each state.
    let row = text(one(&doc, "tr#a-charter"));
    assert!(row.contains("superseded by charter-2 since "), "{row}");
    let link = one(&doc, "tr#a-charter a[href='agreements/charter-2.html']");
    assert_eq!(text(link), "charter-2");
    assert!(text(one(&doc, "tr#a-ops")).contains("retired"), "{}", text(one(&doc, "tr#a-ops")));
    assert!(!text(one(&doc, "tr#a-ops")).contains("review due"));
    for state in ["retired", "superseded"] {
        one(&doc, &format!("input[type=radio][name=state]#state-{state}"));
        let rule = format!("form.index:has(#state-{state}:checked) tbody tr:not(.s-{state})");
        assert!(raw.contains(&rule), "{rule}");
    }
    assert!(text(one(&doc, "p.meta")).contains("2 retired or superseded"), "{raw}");
    // Each page says it too.
    let (_, old) = page(&dir, "agreements/charter.html");
    let verdict = text(one(&old, "main > p.verdict"));
    assert!(verdict.contains("superseded by charter-2 since"), "{verdict}");
    one(&old, "main > p.verdict a[href='../agreements/charter-2.html']");
    let (_, ops) = page(&dir, "agreements/ops.html");
    let verdict = text(one(&ops, "main > p.verdict"));
    assert!(verdict.contains("ratified") && verdict.ends_with(" retired"), "{verdict}");
    let (_, new) = page(&dir, "agreements/charter-2.html");
    assert!(!text(one(&new, "main > p.verdict")).contains("superseded"));
}

#[test]
fn site_escapes_every_text_from_the_repository() {
    let env = scenario();
    let dir = site(&env, "site", &[]);
    for rel in ["index.html", "agreements/charter.html", "agreements/evil.html"] {
        let (raw, doc) = page(&dir, rel);
        assert!(!raw.to_lowercase().contains("<script"), "{rel} holds a raw <script>");
        assert!(!raw.contains("<b>"), "{rel} holds raw markup from a reason");
        assert_eq!(doc.select(&sel("script, b")).count(), 0, "{rel}");
    }
    let (raw, doc) = page(&dir, "agreements/evil.html");
    assert_eq!(text(one(&doc, "p.purpose")), HOSTILE);
    assert_eq!(text(one(&doc, "h1")), format!("Evil {HOSTILE} charter"));
    assert!(raw.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The objection's reason, in the cell and on hover; the commit subject in the log.
    let cell = one(&doc, "td[data-party='katherine@example.com'][data-state=objecting]");
    assert_eq!(cell.value().attr("title"), Some(HOSTILE));
    assert!(text(cell).contains(HOSTILE));
    assert!(text(one(&doc, "table.log")).contains(&format!("Add {HOSTILE}")));
    let (_, charter) = page(&dir, "agreements/charter.html");
    let grace = charter
        .select(&sel("td[data-party='grace@example.com'][data-state=objecting]"))
        .next()
        .expect("Grace's objection on r1");
    assert_eq!(grace.value().attr("title"), Some(REASON));
}

#[test]
fn site_matrix_agrees_with_status_and_judges_replaced_revisions_as_they_stood() {
    let env = scenario();
    let dir = site(&env, "site", &[]);
    let status = env.accord(&["status", "--format", "json"]).code(0).json();
    for s in status.as_array().unwrap() {
        let id = s["agreement"].as_str().unwrap();
        let revision = s["revision"].as_str().unwrap();
        let (_, doc) = page(&dir, &format!("agreements/{id}.html"));
        // The last column is the revision status judges.
        let heads: Vec<_> = doc.select(&sel("table.matrix thead th[data-revision]")).collect();
        assert_eq!(heads.last().unwrap().value().attr("data-revision"), Some(revision), "{id}");
        for p in s["parties"].as_array().unwrap() {
            let email = p["email"].as_str().unwrap();
            let cell = one(&doc, &format!("td[data-party='{email}'][data-revision='{revision}']"));
            assert_eq!(cell.value().attr("data-state"), p["state"].as_str(), "{id} {email}");
            let carried = text(cell).contains("carried over");
            assert_eq!(carried, p["carried_over"] == Value::Bool(true), "{id} {email}");
            assert!(text(cell).contains(p["state"].as_str().unwrap()), "states are words");
        }
        let verdict = text(*heads.last().unwrap());
        let ratified = s["ratified"] == Value::Bool(true);
        assert!(verdict.ends_with(if ratified { "✓ ratified" } else { "✗ not ratified" }));
    }
    // The charter: two columns (the reflow changed no meaning); r1 as it stood when replaced.
    let (_, doc) = page(&dir, "agreements/charter.html");
    let heads: Vec<_> = doc.select(&sel("table.matrix thead th[data-revision]")).collect();
    assert_eq!(heads.len(), 2);
    let r1 = heads[0].value().attr("data-revision").unwrap();
    let c1 = rev(&env, "HEAD~9"); // the first commit: the charter as Ada wrote it
    assert_eq!(r1, blob(&env, &c1, FILE));
    let state = |email: &str, r: &str| {
        let cell = one(&doc, &format!("td[data-party='{email}'][data-revision='{r}']"));
        cell.value().attr("data-state").unwrap().to_string()
    };
    assert_eq!(state("ada@example.com", r1), "signed");
    assert_eq!(state("grace@example.com", r1), "objecting");
    assert_eq!(state("katherine@example.com", r1), "signed");
    assert!(text(heads[0]).contains("not ratified"));
    // Rows: parties, each with a row header.
    assert_eq!(doc.select(&sel("table.matrix tbody th[scope=row]")).count(), 3);
}

#[test]
fn site_purpose_timeline_and_log() {
    let env = scenario();
    let dir = site(&env, "site", &[]);
    let (_, doc) = page(&dir, "agreements/charter.html");
    let versions: Vec<_> = doc.select(&sel("ol.versions > li")).collect();
    assert_eq!(versions.len(), 2);
    assert_eq!(text(versions[0].select(&sel("blockquote")).next().unwrap()), P1);
    let ins: Vec<String> = versions[1].select(&sel("ins")).map(text).collect();
    assert_eq!(ins, ["and lit"]);
    assert!(text(versions[0]).contains("never ratified"));
    assert!(text(versions[1]).contains("Grace Hopper <grace@example.com>"));
    // The log matches `accord log`, newest first.
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    let rows: Vec<_> = doc.select(&sel("table.log tbody tr")).collect();
    assert_eq!(rows.len(), log.as_array().unwrap().len());
    for (row, entry) in rows.iter().zip(log.as_array().unwrap()) {
        assert!(text(*row).contains(&entry["commit"].as_str().unwrap()[..10]), "{}", text(*row));
    }
}

#[test]
fn site_is_deterministic_and_follows_rev() {
    let env = scenario();
    let a = site(&env, "a", &[]);
    let b = site(&env, "b", &[]);
    for rel in ["index.html", "agreements/charter.html", "agreements/evil.html"] {
        assert_eq!(std::fs::read(a.join(rel)).unwrap(), std::fs::read(b.join(rel)).unwrap());
    }
    // At the first commit: one agreement, one column, nobody has taken a position.
    let first = rev(&env, "HEAD~9");
    let old = site(&env, "old", &["--rev", &first]);
    let (_, doc) = page(&old, "index.html");
    assert_eq!(doc.select(&sel("table.index tbody tr")).count(), 1);
    assert!(!old.join("agreements/evil.html").exists());
    let (_, doc) = page(&old, "agreements/charter.html");
    assert_eq!(doc.select(&sel("td[data-state=silent]")).count(), 3);
    let out = env.path("bad");
    let run = env.accord(&["site", "--out", out.to_str().unwrap(), "--rev", "no-such-rev"]);
    run.code(2);
    assert!(run.stderr.contains("no-such-rev"), "{}", run.stderr);
    assert!(!out.exists(), "nothing is written on an error");
}

/// Run headless Chromium on a file; its stdout.
fn chromium(args: &[&str], profile: &Path) -> String {
    let profile = format!("--user-data-dir={}", profile.display());
    let o = std::process::Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", &profile])
        .args(["--no-first-run", "--disable-extensions", "--force-color-profile=srgb"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "chromium {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// The pages in a real browser: the rendered DOM holds the matrix cell and the highlighted
/// insertion, and screenshots at desktop and phone widths are made. With
/// `ACCORD_UPDATE_SCREENSHOTS=1` the desktop one is copied into `docs/` for the README.
#[test]
fn site_in_headless_chromium() {
    if !require_tool("chromium") {
        return;
    }
    let env = scenario();
    let dir = site(&env, "site", &[]);
    let profile = env.path("chromium-profile");
    let index = chromium(&["--dump-dom", &url(&dir.join("index.html"))], &profile);
    let doc = Html::parse_document(&index);
    assert_eq!(doc.select(&sel("table.index tbody tr")).count(), 2, "{index}");
    let charter = dir.join("agreements/charter.html");
    let dom = chromium(&["--dump-dom", &url(&charter)], &profile);
    let doc = Html::parse_document(&dom);
    let r1 = blob(&env, &rev(&env, "HEAD~9"), FILE);
    let cell = one(&doc, &format!("td[data-party='grace@example.com'][data-revision='{r1}']"));
    assert!(text(cell).starts_with("✗ objecting Reason: The pager commitment"), "{}", text(cell));
    let ins: Vec<String> = doc.select(&sel("ol.versions ins")).map(text).collect();
    assert_eq!(ins, ["and lit"], "{dom}");
    let shots = env.path("shots");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, size) in [("site-desktop.png", "1280,900"), ("site-phone.png", "390,844")] {
        let file = shots.join(name);
        let shot = format!("--screenshot={}", file.display());
        chromium(&[&shot, &format!("--window-size={size}"), &url(&charter)], &profile);
        let png = std::fs::read(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{name}");
        let update = std::env::var_os("ACCORD_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1");
        if update && name == "site-desktop.png" {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::copy(&file, docs.join(name)).unwrap();
        }
    }
}

#[test]
fn site_that_cannot_write_a_page_writes_nothing() {
    // Red-team finding: the index was written before a page failed, so the folder held an
    // index linking to pages that were never written.
    let env = scenario();
    let out = env.path("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("agreements"), "a file where the pages' folder goes").unwrap();
    let run = env.accord(&["site", "--out", out.to_str().unwrap()]);
    let stderr = &run.code(2).stderr;
    assert!(stderr.contains("agreements"), "names the path: {stderr}");
    assert!(!out.join("index.html").exists(), "no index without its pages");
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["agreements"], "no temporary files left behind");
    // Red-team finding: a folder where the index goes failed the run after the pages and
    // their folder were in place.
    std::fs::remove_file(out.join("agreements")).unwrap();
    std::fs::create_dir(out.join("index.html")).unwrap();
    let run = env.accord(&["site", "--out", out.to_str().unwrap()]);
    assert!(run.code(2).stderr.contains("index.html`: it is not a file"), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["index.html"], "nothing written");
    std::fs::remove_dir(out.join("index.html")).unwrap();
    // Once the way is clear, every page is there, readable as any written file is.
    env.accord(&["site", "--out", out.to_str().unwrap()]).ok();
    let mut files = vec![out.join("index.html")];
    for e in std::fs::read_dir(out.join("agreements")).unwrap() {
        files.push(e.unwrap().path());
    }
    assert_eq!(files.len(), 3, "{files:?}");
    #[cfg(unix)]
    for f in &files {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "{}: {mode:o}", f.display());
        assert!(!f.file_name().unwrap().to_string_lossy().starts_with(".accord-site-"));
    }
}

#[test]
fn the_pages_show_bidirectional_overrides_and_control_characters_instead_of_acting_on_them() {
    // Red-team finding: a title `Charter \u202edeifitar ton` read "Charter not ratified" in a
    // browser; U+202E, U+009B and ESC reached the HTML raw (every other output writes them out).
    let env = TestEnv::new();
    let text = charter("consent").replace(
        "Platform team charter",
        "Charter \\u202edeifitar ton\\u202c \\u009b2J \\u001b[2J",
    );
    env.commit_file("agreements/charter.toml", &text, "charter");
    let dir = site(&env, "site", &[]);
    for rel in ["index.html", "agreements/charter.html"] {
        let html = std::fs::read_to_string(dir.join(rel)).unwrap();
        for raw in ['\u{202e}', '\u{202c}', '\u{9b}', '\u{1b}'] {
            assert!(!html.contains(raw), "{rel}: {raw:?} raw in the page");
        }
        assert!(html.contains("Charter \\u{202e}deifitar ton\\u{202c}"), "{rel}");
    }
}
