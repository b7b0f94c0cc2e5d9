//! Cache and commit-graph files as found on disk: corrupt, foreign, split, without changed paths,
//! after gc, written by many processes at once.

use std::process::Stdio;

use crate::common::cached::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Corrupt caches

#[derive(Debug, Clone, Copy)]
enum Damage {
    TruncatedToHalf,
    LastByteCut,
    ZeroLength,
    RandomBytes,
    RandomBytesOtherLength,
    HeaderFlipped,
    VersionFlipped,
    MiddleByteFlipped,
    DirectoryInPlace,
    CacheFolderIsAFile,
}

const DAMAGES: [Damage; 10] = [
    Damage::TruncatedToHalf,
    Damage::LastByteCut,
    Damage::ZeroLength,
    Damage::RandomBytes,
    Damage::RandomBytesOtherLength,
    Damage::HeaderFlipped,
    Damage::VersionFlipped,
    Damage::MiddleByteFlipped,
    Damage::DirectoryInPlace,
    Damage::CacheFolderIsAFile,
];

/// Damage every file of the cache the same way; how many files there were.
fn damage(env: &TestEnv, how: Damage) -> usize {
    let dir = cache_dir(env);
    if let Damage::CacheFolderIsAFile = how {
        remove(&dir);
        std::fs::write(&dir, b"not a folder").unwrap();
        return 1;
    }
    let files = files_under(&dir);
    for (k, f) in files.iter().enumerate() {
        let mut data = std::fs::read(f).unwrap();
        let flip = |data: &mut Vec<u8>, at: usize| {
            let at = at.min(data.len().saturating_sub(1));
            if let Some(b) = data.get_mut(at) {
                *b ^= 0x5a;
            }
        };
        match how {
            Damage::TruncatedToHalf => data.truncate(data.len() / 2),
            Damage::LastByteCut => {
                data.pop();
            }
            Damage::ZeroLength => data.clear(),
            Damage::RandomBytes => data = noise(k as u64 + 7, data.len()),
            Damage::RandomBytesOtherLength => data = noise(k as u64 + 99, 4099),
            Damage::HeaderFlipped => (0..4).for_each(|i| flip(&mut data, i)),
            Damage::VersionFlipped => (6..16).for_each(|i| flip(&mut data, i)),
            Damage::MiddleByteFlipped => {
                let at = data.len() / 2;
                flip(&mut data, at)
            }
            Damage::DirectoryInPlace => {
                std::fs::remove_file(f).unwrap();
                std::fs::create_dir_all(f.join("inside")).unwrap();
                continue;
            }
            Damage::CacheFolderIsAFile => unreachable!(),
        }
        std::fs::write(f, data).unwrap();
    }
    files.len()
}

#[test]
fn corrupt_cache_files() {
    let mut env = rich();
    let queries = [
        words("status --format json"),
        words("verify --format json"),
        words("log alpha --format json"),
        words("history beta --format json"),
    ];
    for (k, how) in DAMAGES.into_iter().enumerate() {
        // A damaged cache that covered the tip…
        accord_mode(&env, Mode::Warm, &queries[0]).ok();
        accord_mode(&env, Mode::Warm, &queries[1]);
        assert!(damage(&env, how) > 0, "no cache file to damage");
        let want = reference(&env, &queries);
        as_left(&env, &format!("{how:?} cache at its tip"), &queries, &want);
        // …and one damaged, then left behind by new commits (a directory in the place of a
        // file may stay there: accord cannot write the cache then, and need not).
        damage(&env, how);
        take(&mut env, PARTIES[k % 3], STANCES[k % 3], IDS[k % 2], "Damaged cache.");
        code(&env, "corrupt");
        let want = reference(&env, &queries);
        as_left(&env, &format!("{how:?} cache, new commits since"), &queries, &want);
        for (q, w) in queries.iter().zip(&want) {
            same(
                &format!("{how:?}"),
                "warm (after rebuilding)",
                q,
                w,
                &accord_mode(&env, Mode::Warm, q),
            );
        }
    }
    assert_same(&env, "after all the damage");
}

#[test]
fn a_cache_file_that_is_a_pipe_or_huge_is_set_aside_not_read() {
    // Red-team finding: a 2 GiB sparse cache file made `status` read all of it (2.1 GB of
    // memory for a right answer), and one linked to /dev/zero grew until the kernel killed it.
    // Only plain files of a size a cache can have are read. A named pipe in a cache file's
    // place (a read of it never ends) shows it: each command must finish, with the answer.
    let env = rich();
    let queries = [words("status --format json"), words("log alpha --format json")];
    let want = reference(&env, &queries);
    for q in &queries {
        accord_mode(&env, Mode::Warm, q).ok();
    }
    let files = files_under(&cache_dir(&env));
    assert!(files.len() >= 3, "{files:?}");
    for (k, f) in files.iter().enumerate() {
        std::fs::remove_file(f).unwrap();
        if k % 2 == 0 {
            let r = std::process::Command::new("mkfifo").arg(f).status().unwrap();
            assert!(r.success(), "mkfifo {}", f.display());
        } else {
            // Sparse: 300 MB that take no disk.
            let file = std::fs::File::create(f).unwrap();
            file.set_len(300 << 20).unwrap();
        }
    }
    for (q, w) in queries.iter().zip(&want) {
        let mut child = env
            .accord_cmd()
            .args(q)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("`accord {}` read a cache file that never ends", q.join(" "));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let got = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&got.stdout);
        let stderr = String::from_utf8_lossy(&got.stderr);
        assert_eq!((got.status.code(), &*stdout), (Some(w.code), &*w.stdout), "{stderr}");
    }
}

/// A well-formed cache, but from another repository.
#[test]
fn a_cache_from_another_repository() {
    let mut other = rich();
    more(&mut other, "other");
    warm(&other);
    // Another clock: no commit id in common.
    let fresh = TestEnv::new();
    fresh.clock.set(START + 7);
    let env = rich_in(fresh);
    let dir = cache_dir(&env);
    remove(&dir);
    copy_tree(&cache_dir(&other), &dir);
    assert!(!files_under(&dir).is_empty());
    assert_same(&env, "a cache copied from another repository");
    // The same history, so the same commit ids: a cache that knows more than this repository.
    let mut twin = rich();
    more(&mut twin, "twin");
    let dir = cache_dir(&twin);
    remove(&dir);
    copy_tree(&cache_dir(&other), &dir);
    assert_same(&twin, "a cache copied from a repository with a longer shared history");
}

// ---------------------------------------------------------------------------------------------
// Commit-graph files

#[test]
fn commit_graph_with_changed_paths_then_commits_past_it() {
    let mut env = rich();
    commit_graph(&env, "--changed-paths");
    assert!(git_dir(&env).join("objects/info/commit-graph").is_file());
    assert_same(&env, "a commit-graph that covers everything");
    more(&mut env, "past");
    assert_same(&env, "commits past the commit-graph");
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    // beta deleted inside the commit-graph, restored past it.
    env.git(&["rm", "-q", &path_of("beta")]).ok();
    env.git(&["commit", "-q", "-m", "beta: gone"]).ok();
    code(&env, "without-beta");
    commit_graph(&env, "--changed-paths");
    env.write(&path_of("beta"), &agreement_text("beta", 1));
    env.git(&["add", &path_of("beta")]).ok();
    env.git(&["commit", "-q", "-m", "beta: back"]).ok();
    assert_same(&env, "an agreement deleted and restored across the commit-graph");
    // Edits in the commit-graph and outside it: history and log see both.
    commit_graph(&env, "--changed-paths");
    edit(&env, "alpha", 2).ok();
    take(&mut env, GRACE, "object", "alpha", "Not this wording.").ok();
    assert_same(&env, "edits on both sides of the commit-graph");
}

#[test]
fn split_commit_graph_chain() {
    let mut env = rich();
    commit_graph(&env, "--split --changed-paths");
    warm(&env);
    more(&mut env, "one");
    commit_graph(&env, "--split=no-merge --changed-paths");
    let chain = git_dir(&env).join("objects/info/commit-graphs/commit-graph-chain");
    let layers = std::fs::read_to_string(&chain).unwrap().lines().count();
    assert!(layers >= 2, "expected a chain of two layers, got {layers}");
    assert_same(&env, "two layers");
    more(&mut env, "two");
    assert_same(&env, "two layers and commits past them");
    commit_graph(&env, "--split --changed-paths");
    edit(&env, "beta", 1).ok();
    take(&mut env, KATHERINE, "sign", "beta", "").ok();
    assert_same(&env, "a chain rewritten by git, and commits past it");
}

#[test]
fn commit_graph_without_changed_paths() {
    let mut env = rich();
    commit_graph(&env, "");
    assert_same(&env, "a commit-graph without Bloom filters");
    more(&mut env, "plain");
    assert_same(&env, "commits past a commit-graph without Bloom filters");
    // A chain whose base has no Bloom filters and whose top has them.
    remove(&git_dir(&env).join("objects/info/commit-graph"));
    commit_graph(&env, "--split");
    more(&mut env, "mixed");
    commit_graph(&env, "--split=no-merge --changed-paths");
    edit(&env, "alpha", 2).ok();
    assert_same(&env, "a chain with Bloom filters in one layer only");
}

#[test]
fn after_gc_and_fsck_is_clean_with_the_cache_present() {
    let mut env = rich();
    more(&mut env, "gc");
    warm(&env);
    assert!(!files_under(&cache_dir(&env)).is_empty(), "the cache is written");
    let fsck = env.git(&["fsck", "--full", "--strict", "--no-progress"]);
    fsck.ok();
    let all = format!("{}{}", fsck.stdout, fsck.stderr).to_lowercase();
    for bad in ["error", "warning", "broken", "bad", "garbage", "accord"] {
        assert!(!all.contains(bad), "git fsck complains ({bad}):\n{all}");
    }
    let count = env.git(&["count-objects", "-v"]).ok().stdout.clone();
    assert!(count.contains("garbage: 0"), "{count}");
    env.git(&["gc", "-q", "--prune=now"]).ok();
    assert_same(&env, "after git gc (packed, with git's own commit-graph)");
    env.git(&["fsck", "--full", "--strict", "--no-progress"]).ok();
}

// ---------------------------------------------------------------------------------------------
// Concurrent writers

#[test]
fn concurrent_runs_write_the_cache_safely() {
    let mut env = rich();
    warm(&env);
    for round in 0..2 {
        more(&mut env, &format!("c{round}"));
        let mixed = round == 1;
        let queries: Vec<Vec<String>> = (0..8)
            .map(|i| match (mixed, i % 4) {
                (false, _) | (true, 0) => words("status --format json"),
                (true, 1) => words("verify --format json"),
                (true, 2) => words("log beta --format json"),
                _ => words("history alpha --format json"),
            })
            .collect();
        let want = reference(&env, &queries);
        let children: Vec<_> = queries
            .iter()
            .map(|q| {
                command(&env, Mode::Warm, q)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for ((child, q), w) in children.into_iter().zip(&queries).zip(&want) {
            let got = to_run(child.wait_with_output().unwrap());
            same(&format!("round {round}"), "run 8 at once", q, w, &got);
        }
        assert_same(&env, &format!("after 8 concurrent runs, round {round}"));
    }
}

/// The binary frees nothing of what it read when it ends (the operating system takes the
/// memory back at once), but writes its caches first: a `history` leaves its timelines, and a
/// `status` its events and its snapshot, which the next run reads.
#[test]
fn the_binary_writes_its_caches_before_it_ends() {
    let env = rich();
    let names = |env: &TestEnv| -> Vec<String> {
        let mut n: Vec<String> = files_under(&cache_dir(env))
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    remove(&cache_dir(&env));
    let first = accord_mode(&env, Mode::Warm, &words("history beta --format json"));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let written = names(&env);
    assert!(written.iter().any(|n| n.starts_with("timelines-")), "{written:?}");
    remove(&cache_dir(&env));
    let status = accord_mode(&env, Mode::Warm, &words("status --format json"));
    assert!([0, 1].contains(&status.code), "{}", status.stderr);
    let written = names(&env);
    for want in ["events-", "snapshot-"] {
        assert!(written.iter().any(|n| n.starts_with(want)), "no {want}* in {written:?}");
    }
    let again = accord_mode(&env, Mode::Warm, &words("history beta --format json"));
    assert_eq!(again.stdout, first.stdout);
}
