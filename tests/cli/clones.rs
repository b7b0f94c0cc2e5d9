//! Ten clones of one origin sign and push at once, with pull --rebase or a merge: every position
//! lands.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::repos::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Distributed signing: one origin, ten clones, concurrent pushes

const TEAM: usize = 10;

fn members() -> Vec<(String, String)> {
    (0..TEAM).map(|i| (format!("Member {i}"), format!("m{i}@example.com"))).collect()
}

fn team_agreement(people: &[(String, String)]) -> String {
    let mut text = String::from(
        "schema = 1\ntitle = \"Ten of us\"\nkind = \"charter\"\npurpose = \"Many hands, one text.\"\n\n[decision]\nrule = \"unanimous\"\n",
    );
    for (i, (name, email)) in people.iter().enumerate() {
        let role = if i == 0 { "steward" } else { "partner" };
        text.push_str(&format!(
            "\n[[party]]\nname = \"{name}\"\nemail = \"{email}\"\nrole = \"{role}\"\n"
        ));
    }
    text
}

/// Every clone signs as its own party and pushes at the same time as the others, retrying with
/// `git pull --rebase` (clone 0 with `git pull --no-rebase`, after someone else has pushed,
/// when `merge` is set). Checks every clone and origin at the end.
fn ten_clones_sign_and_push(merge: bool) {
    let people = members();
    let env = TestEnv::new();
    env.commit_file("agreements/team.toml", &team_agreement(&people), "The team agreement");
    let revision = rev_parse_in(&env, &env.repo, "HEAD:agreements/team.toml");
    let tmp = env.tmp.path().to_path_buf();
    let origin = env.path("origin.git");
    env.git_in(&tmp, &["clone", "-q", "--bare", s(&env.repo), s(&origin)]).ok();
    let clones: Vec<PathBuf> = (0..TEAM)
        .map(|i| {
            let c = env.path(&format!("clone{i}"));
            env.git_in(&tmp, &["clone", "-q", s(&origin), s(&c)]).ok();
            c
        })
        .collect();
    let h = Hermetic::of(&env);
    let pushed = AtomicUsize::new(0);
    // (original position commit, attempts) per clone.
    let results: Vec<Result<(String, usize), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..TEAM)
            .map(|i| {
                let (h, clone, pushed) = (&h, &clones[i], &pushed);
                let who = (people[i].0.as_str(), people[i].1.as_str());
                scope.spawn(move || -> Result<(String, usize), String> {
                    let t = START + 3600 + 60 * i as i64;
                    let note = format!("from clone {i}");
                    let r = h.accord(clone, who, t, &["sign", "team", "-m", &note]);
                    if r.code != 0 {
                        return Err(format!("clone {i}: sign failed: {}", r.stderr));
                    }
                    let original = h.git(clone, who, t, &["rev-parse", "HEAD"]).stdout;
                    let merging = merge && i == 0;
                    if merging {
                        let deadline = Instant::now() + Duration::from_secs(60);
                        while pushed.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                    let pull: &[&str] = if merging {
                        &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"]
                    } else {
                        &["pull", "-q", "--rebase", "origin", "main"]
                    };
                    let mut last = String::new();
                    for attempt in 1..=50 {
                        let p = h.git(clone, who, t + attempt as i64, pull);
                        if p.code != 0 {
                            last = p.stderr;
                        } else {
                            let push = h.git(clone, who, t, &["push", "-q", "origin", "main"]);
                            if push.code == 0 {
                                pushed.fetch_add(1, Ordering::SeqCst);
                                return Ok((original.trim().to_string(), attempt));
                            }
                            last = push.stderr;
                        }
                        std::thread::sleep(Duration::from_millis(
                            ((i * 7 + attempt * 13) % 20) as u64,
                        ));
                    }
                    Err(format!("clone {i}: no push after 50 tries: {last}"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("no panic in a signer")).collect()
    });
    let results: Vec<(String, usize)> =
        results.into_iter().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));

    let tries: usize = results.iter().map(|(_, attempts)| attempts).sum();
    report(&format!("{TEAM} clones pushed after {tries} pull-and-push tries in all"));

    // Final pull everywhere, then every clone and origin agree.
    for c in &clones {
        env.git_in(c, &["pull", "-q", "--ff-only", "origin", "main"]).ok();
    }
    let tip = rev_parse_in(&env, &origin, "main");
    let mut places: Vec<PathBuf> = clones.clone();
    places.push(origin.clone());
    let mut finals: Vec<String> = Vec::new();
    for place in &places {
        if place != &origin {
            assert_eq!(rev_parse_in(&env, place, "HEAD"), tip);
        }
        let st = env.accord_in(&tmp, &["-C", s(place), "status", "--format", "json"]).ok().json();
        let st = &st.as_array().unwrap()[0];
        assert_eq!(st["agreement"], "team");
        assert_eq!(st["revision"], revision);
        assert_eq!(st["ratified"], true, "{}: {st:#}", place.display());
        assert_eq!(st["blocking"], serde_json::json!([]));
        let parties = st["parties"].as_array().unwrap();
        assert_eq!(parties.len(), TEAM);
        for (i, p) in parties.iter().enumerate() {
            assert_eq!(p["email"], people[i].1.as_str());
            assert_eq!(p["state"], "signed", "{p:#}");
            assert_eq!(p["note"], format!("from clone {i}"));
            assert!(p.get("carried_over").is_none() && p.get("revision").is_none(), "{p:#}");
        }
        let commits: Vec<String> =
            parties.iter().map(|p| p["commit"].as_str().unwrap().to_string()).collect();
        if finals.is_empty() {
            finals = commits;
        } else {
            assert_eq!(commits, finals, "every place names the same commits");
        }
    }
    // Exactly one position per party in origin's history, each binding the same blob.
    let log = env.accord_in(&origin, &["log", "team", "--format", "json"]).ok().json();
    let positions: Vec<&Value> =
        log.as_array().unwrap().iter().filter(|e| e["type"] == "position").collect();
    assert_eq!(positions.len(), TEAM, "{log:#}");
    for (_, email) in &people {
        let mine: Vec<_> = positions.iter().filter(|p| p["email"] == email.as_str()).collect();
        assert_eq!(mine.len(), 1, "{email}: {log:#}");
        assert_eq!(mine[0]["revision"], revision);
    }
    let v = env.accord_in(&origin, &["verify"]).ok().clone();
    assert!(v.stdout.contains(&format!("ok: {TEAM} position(s)")), "{}", v.stdout);
    // Rebased positions are new commits that still count: the blob binding kept them.
    let rebased = results.iter().zip(&finals).filter(|((orig, _), fin)| orig != *fin).count();
    let merges: usize = env
        .git_in(&origin, &["rev-list", "--count", "--merges", "main"])
        .ok()
        .stdout
        .trim()
        .parse()
        .unwrap();
    if merge {
        assert!(merges >= 1, "clone 0 merged");
        assert_eq!(finals[0], results[0].0, "a merge keeps the position commit itself");
        assert_eq!(rebased, TEAM - 2, "all but the first pusher and the merger were rebased");
    } else {
        assert_eq!(merges, 0);
        assert_eq!(rebased, TEAM - 1, "all but the first pusher were rebased");
    }
    env.git_in(&origin, &["fsck", "--no-progress"]).ok();
}

#[test]
fn ten_clones_sign_and_push_concurrently_with_pull_rebase() {
    ten_clones_sign_and_push(false);
}

#[test]
fn ten_clones_sign_and_push_concurrently_and_one_merges() {
    ten_clones_sign_and_push(true);
}
