//! Which position stands (SPEC §4's order): topology, then committer time, then commit id; reset
//! and amend undo positions.

use crate::common::ledger::*;
use crate::common::*;

#[test]
fn positions_in_the_same_second_follow_topological_order() {
    // Both orders, and the earlier commit with the larger id, so that ordering by time and id
    // alone cannot pass by luck.
    for (first, second, expected) in [("sign", "object", "objecting"), ("object", "sign", "signed")]
    {
        let env = setup("consent");
        let t = START + 86_400;
        let base = env.head();
        for attempt in 0.. {
            for stance in [first, second] {
                let mut cmd = hermetic(&env, env!("CARGO_BIN_EXE_accord"), &env.repo, GRACE, t);
                output(cmd.args([stance, "charter", "-m", &format!("same second, try {attempt}")]))
                    .ok();
            }
            if rev_parse(&env, "HEAD~1") > env.head() {
                break;
            }
            assert!(attempt < 64, "could not make the parent's id the larger one");
            env.git(&["reset", "-q", "--hard", &base]).ok();
        }
        assert_eq!(env.git(&["log", "-2", "--format=%ct"]).stdout, format!("{t}\n{t}\n"));
        let s = status(&env, "charter");
        assert_eq!(state(&s, GRACE.1), expected, "{first} then {second}");
        assert_eq!(party(&s, GRACE.1)["commit"], env.head());
    }
    // Hand-made, same second, and the earlier one with a later committer time: topology wins.
    let env = setup("consent");
    let rev = revision(&env);
    for (stance, t) in [("object", START + 1000), ("sign", START + 10)] {
        let mut cmd = hermetic(&env, "git", &env.repo, GRACE, t);
        output(cmd.args([
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            stance,
            "--trailer",
            &format!("Accord-Position: {stance}"),
            "--trailer",
            "Accord-Agreement: charter",
            "--trailer",
            &format!("Accord-Revision: {rev}"),
            "--trailer",
            "Accord-Party: Grace Hopper <grace@example.com>",
        ]))
        .ok();
    }
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
}

#[test]
fn concurrent_branches_break_ties_by_time_then_commit_id() {
    let env = setup("consent");
    let rev = revision(&env);
    // Grace's position on a new branch off main, committed at `t`; `try_` varies the message
    // (and so the commit id) without changing anything the ordering rule reads but the id.
    let position = |stance: &str, branch: &str, t: i64, try_: u32| -> String {
        env.git(&["checkout", "-q", "-B", branch, "main"]).ok();
        let mut cmd = hermetic(&env, "git", &env.repo, GRACE, t);
        output(cmd.args([
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            &format!("{stance} on {branch}, try {try_}"),
            "--trailer",
            &format!("Accord-Position: {stance}"),
            "--trailer",
            "Accord-Agreement: charter",
            "--trailer",
            &format!("Accord-Revision: {rev}"),
            "--trailer",
            "Accord-Party: Grace Hopper <grace@example.com>",
        ]))
        .ok();
        env.head()
    };
    // Merge `first` and `second` (in that parent order) on a new branch; Grace's standing
    // commit and state there.
    let merged = |name: &str, first: &str, second: &str| -> (String, String) {
        env.git(&["checkout", "-q", "-B", name, first]).ok();
        env.git(&["merge", "-q", "--no-edit", "--no-ff", second]).ok();
        let s = status(&env, "charter");
        (party(&s, GRACE.1)["commit"].as_str().unwrap().to_string(), state(&s, GRACE.1))
    };
    // `make(try_)` until `wanted(id)` holds; ids are hashes, so a few tries do it.
    let until = |make: &dyn Fn(u32) -> String, wanted: &dyn Fn(&str) -> bool| -> String {
        (0..64).map(make).find(|id| wanted(id)).expect("64 tries give an id either way")
    };

    // Different seconds: the later committer time wins, whatever the ids and the parent order.
    // The later commit is made to have the smaller id, so a rule by id alone would pick the
    // earlier one; both parent orders, so neither parent side wins by position alone.
    let t = START + 5000;
    let early = position("object", "early", t + 1, 0);
    let late = until(&|n| position("sign", "late", t + 2, n), &|id| id < early.as_str());
    assert!(late < early, "the later position has the smaller id");
    let want = (late.clone(), "signed".to_string());
    assert_eq!(merged("time-1", &early, &late), want, "early={early}");
    assert_eq!(merged("time-2", &late, &early), want, "early={early}");
    // And the other way round: the later one has the larger id, and still wins.
    let late2 = until(&|n| position("sign", "late2", t + 2, n), &|id| id > early.as_str());
    let want = (late2.clone(), "signed".to_string());
    assert_eq!(merged("time-3", &early, &late2), want, "early={early}");
    assert_eq!(merged("time-4", &late2, &early), want, "early={early}");

    // The same second on two branches: the larger commit id wins, in either parent order and
    // whichever stance it carries.
    let a = position("sign", "a", t, 0);
    let big = until(&|n| position("object", "b", t, n), &|id| id > a.as_str());
    let want = (big.clone(), "objecting".to_string());
    assert_eq!(merged("same-1", &a, &big), want, "a={a}");
    assert_eq!(merged("same-2", &big, &a), want, "a={a}");
    let small = until(&|n| position("object", "c", t, n), &|id| id < a.as_str());
    let want = (a.clone(), "signed".to_string());
    assert_eq!(merged("same-3", &a, &small), want, "small={small}");
    assert_eq!(merged("same-4", &small, &a), want, "small={small}");
}

#[test]
fn a_position_undone_by_reset_or_amend_no_longer_counts() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
    env.git(&["reset", "-q", "--hard", "HEAD~1"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "silent");
    // Amending a position into an objection by hand: the amended message is what counts.
    env.accord(&["sign", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
    let msg = message(&env, "HEAD")
        .replace("accord: sign", "accord: object")
        .replace("Accord-Position: sign", "Accord-Position: object")
        .replace("\n\nAccord-", "\n\nOn second thought, no.\n\nAccord-");
    env.git(&["commit", "-q", "--amend", "--allow-empty", "-m", &msg]).ok();
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "objecting");
    assert_eq!(s["objections"][0]["reason"], "On second thought, no.");
    assert_eq!(s["objections"][0]["commit"], env.head());
}
