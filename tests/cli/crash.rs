//! Crash safety: `accord` killed at random moments while it records never corrupts the repository.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::repos::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Crash safety: kill `accord sign` at random moments

/// xorshift64*: a tiny deterministic PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn killing_accord_at_random_moments_never_corrupts_the_repository() {
    let mut env = setup("consent");
    env.as_(GRACE);
    let revision = rev_parse_in(&env, &env.repo, &format!("HEAD:{FILE}"));
    let base = env.commit_count();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut killed, mut finished, mut stale_locks) = (0usize, 0usize, 0usize);
    // Commits reported by runs that finished and recorded something.
    let mut reported: Vec<String> = Vec::new();
    // Kill anywhere from before `main` to after the end: within a window that starts at twice
    // what a typical uninterrupted run takes here (the median of a few) and then follows the
    // machine's speed as other work comes and goes: it widens after each kill and narrows after
    // each run that finished first, so about half the runs are killed and the rest finish.
    let mut times = Vec::new();
    for args in [&["object", "charter", "-m", "x"][..], &["sign", "charter"]].repeat(3) {
        let t0 = Instant::now();
        env.accord(args).ok();
        times.push(t0.elapsed());
        reported.push(env.head());
    }
    times.sort();
    let (narrowest, widest) = (1_000u64, 150_000u64); // µs
    let mut window = (times[times.len() / 2].as_micros() as u64 * 2).clamp(narrowest, widest);
    let first_window = window;
    let started = Instant::now();
    for i in 0..200 {
        let args: &[&str] =
            if i % 2 == 0 { &["object", "charter", "-m", "x"] } else { &["sign", "charter"] };
        let mut cmd = env.accord_cmd();
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.next() % (window + 1)));
        let _ = child.kill(); // SIGKILL; an error only means it had already exited
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        match o.status.code() {
            None => {
                killed += 1;
                window = (window + window / 10).min(widest);
            }
            Some(0) => {
                finished += 1;
                window = (window - window / 10).max(narrowest);
                if let Some(c) = stderr.split("in commit ").nth(1) {
                    reported.push(c.trim().to_string());
                }
            }
            Some(code) => panic!("run {i} {args:?} exited {code}: {stderr}"),
        }
        // A process killed while it holds the branch lock leaves the lock file behind, exactly
        // as git does; the next writer then waits and fails naming it. A user removes it by
        // hand; so does this loop, after checking it is the only thing left behind.
        for lock in lock_files(&env.repo.join(".git")) {
            assert_eq!(lock, env.repo.join(".git/refs/heads/main.lock"), "run {i}");
            std::fs::remove_file(&lock).unwrap();
            stale_locks += 1;
        }
    }
    let elapsed = started.elapsed();
    // A kill only tests something when it lands while accord runs: a run killed by the signal
    // was (spawn returns once accord is executing); a run that finished was not. The window
    // settles where about half are killed; a quarter is a safe bar.
    assert!(
        killed >= 50,
        "only {killed} of 200 runs were killed mid-flight ({finished} finished first; kill \
         window {first_window} µs, then {window} µs): the loop did not exercise crashes"
    );

    // The object database is sound (dangling objects from killed runs are allowed).
    let fsck = env.git(&["fsck", "--no-dangling", "--no-progress"]).ok().clone();
    assert!(!fsck.stderr.contains("error"), "{}", fsck.stderr);

    // Every position on the branch is whole: a pure, complete trailer block, as git reads it,
    // on a single-parent commit with its parent's tree.
    let log = env.git(&["log", "-z", "--format=%H%x00%P%x00%T%x00%B"]).ok().stdout.clone();
    let fields: Vec<&str> = log.split('\0').collect();
    let mut positions: Vec<(String, String)> = Vec::new(); // (commit, stance), newest first
    let msg_file = env.path("message.txt");
    for rec in fields.chunks(4).filter(|r| r.len() == 4) {
        let (id, parents, tree, body) = (rec[0].trim_start_matches('\n'), rec[1], rec[2], rec[3]);
        if !body.contains("Accord-") {
            continue;
        }
        let parents: Vec<&str> = parents.split_whitespace().collect();
        assert_eq!(parents.len(), 1, "{id}");
        assert_eq!(rev_parse_in(&env, &env.repo, &format!("{}^{{tree}}", parents[0])), tree);
        std::fs::write(&msg_file, body).unwrap();
        let parsed = env.git(&["interpret-trailers", "--parse", s(&msg_file)]).ok().stdout.clone();
        let lines: Vec<&str> = parsed.lines().collect();
        assert_eq!(lines.len(), 5, "{id}: {parsed}");
        let stance =
            lines[0].strip_prefix("Accord-Position: ").unwrap_or_else(|| panic!("{parsed}"));
        assert!(stance == "object" || stance == "sign", "{parsed}");
        assert_eq!(lines[1], "Accord-Agreement: charter");
        assert_eq!(lines[2], format!("Accord-Revision: {revision}"));
        assert_eq!(lines[3], "Accord-Party: Grace Hopper <grace@example.com>");
        assert!(lines[4].starts_with("Accord-Meaning: "), "{parsed}");
        positions.push((id.to_string(), stance.to_string()));
    }
    assert_eq!(env.commit_count(), base + positions.len(), "only positions were added");
    // Runs that finished recorded a commit on the branch; killed runs added at most one each.
    let on_branch: Vec<&str> = positions.iter().map(|(c, _)| c.as_str()).collect();
    for short in &reported {
        assert!(on_branch.iter().any(|c| c.starts_with(short.as_str())), "{short} is lost");
    }
    assert!(positions.len() >= reported.len());
    assert!(positions.len() <= reported.len() + killed);
    // Each run read the branch it wrote on: signing what one has signed records nothing, so two
    // sign-offs never follow each other.
    for w in positions.windows(2) {
        let both = w[0].1 == "sign" && w[1].1 == "sign";
        assert!(!both, "{} and {} are two sign-offs in a row", w[1].0, w[0].0);
    }

    // status reads the last whole position, with and without the event cache; verify passes.
    let st = status_in(&env, &env.repo, &["charter"]);
    let expected = match positions.first().map(|(_, s)| s.as_str()) {
        Some("object") => "objecting",
        Some(_) => "signed",
        None => "silent",
    };
    assert_eq!(state_of(&st, GRACE.1), expected);
    if let Some((c, _)) = positions.first() {
        assert_eq!(st[0]["parties"][1]["commit"], c.as_str());
    }
    let _ = std::fs::remove_dir_all(env.repo.join(".git/accord"));
    assert_eq!(status_in(&env, &env.repo, &["charter"]), st, "the cache changed no answer");
    let v = env.accord(&["verify"]).ok().clone();
    assert!(v.stdout.contains(&format!("ok: {} position(s)", positions.len())), "{}", v.stdout);
    // And the next uninterrupted run records normally.
    let next = if expected == "objecting" { "sign" } else { "object" };
    let args: &[&str] =
        if next == "sign" { &["sign", "charter"] } else { &["object", "charter", "-m", "y"] };
    env.accord(args).ok();
    assert_eq!(env.commit_count(), base + positions.len() + 1);
    report(&format!(
        "crash loop: {killed} killed, {finished} finished, {} positions, {stale_locks} stale \
         branch locks, kill window {first_window} µs, then {window} µs, {elapsed:?}",
        positions.len()
    ));
}

/// Every `*.lock` file under a git dir (objects excluded).
fn lock_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if !p.ends_with("objects") {
                out.extend(lock_files(&p));
            }
        } else if p.extension().is_some_and(|x| x == "lock") {
            out.push(p);
        }
    }
    out
}
