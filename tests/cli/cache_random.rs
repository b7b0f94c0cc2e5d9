//! Random histories: the cached answer equals the cold one at every step (proptest).

use proptest::prelude::*;

use crate::common::cached::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Random histories

#[derive(Debug, Clone)]
enum Op {
    /// Commit purpose `purpose` for agreement `id` (refused when nothing changes).
    Edit {
        id: usize,
        purpose: usize,
    },
    /// A position with accord or by hand (accord's refusals are fine).
    Take {
        party: usize,
        id: usize,
        stance: usize,
        by_hand: bool,
    },
    Code,
    /// A side branch from HEAD or HEAD~1 with a position and a code commit, merged back.
    SideMerge {
        from_parent: bool,
        party: usize,
        stance: usize,
    },
    CommitGraph {
        changed_paths: bool,
        split: bool,
    },
    /// `git reset --hard HEAD~back`, keeping the first commit.
    Reset {
        back: usize,
    },
    /// Move the clock back, so later commits are older than their parents (or of the same
    /// second as the last command when `secs` is 60).
    Rewind {
        secs: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, 0..4usize).prop_map(|(id, purpose)| Op::Edit { id, purpose }),
        6 => (0..3usize, 0..2usize, 0..4usize, any::<bool>())
            .prop_map(|(party, id, stance, by_hand)| Op::Take { party, id, stance, by_hand }),
        2 => Just(Op::Code),
        2 => (any::<bool>(), 0..3usize, 0..4usize)
            .prop_map(|(from_parent, party, stance)| Op::SideMerge { from_parent, party, stance }),
        1 => (any::<bool>(), any::<bool>())
            .prop_map(|(changed_paths, split)| Op::CommitGraph { changed_paths, split }),
        1 => (1..=2usize).prop_map(|back| Op::Reset { back }),
        1 => prop_oneof![Just(60i64), Just(3600i64)].prop_map(|secs| Op::Rewind { secs }),
    ]
}

fn position(env: &mut TestEnv, party: usize, id: usize, stance: usize, manual: bool) {
    let (who, id, stance) = (PARTIES[party], IDS[id], STANCES[stance]);
    let note = if stance == "object" { "A reason." } else { "" };
    if manual {
        by_hand(env, who, stance, id, note);
    } else {
        take(env, who, stance, id, note);
    }
}

fn apply(env: &mut TestEnv, op: &Op, step: usize) {
    match *op {
        Op::Edit { id, purpose } => {
            edit(env, IDS[id], purpose);
        }
        Op::Take { party, id, stance, by_hand } => position(env, party, id, stance, by_hand),
        Op::Code => code(env, "random"),
        Op::SideMerge { from_parent, party, stance } => {
            let branch = format!("side{step}");
            let base = if from_parent && env.commit_count() > 1 { "HEAD~1" } else { "HEAD" };
            env.git(&["checkout", "-q", "-b", &branch, base]).ok();
            position(env, party, step % 2, stance, step % 3 == 0);
            code(env, &branch);
            env.git(&["checkout", "-q", "main"]).ok();
            env.git(&["merge", "-q", "--no-ff", &branch, "-m", &format!("merge {branch}")]).ok();
        }
        Op::CommitGraph { changed_paths, split } => {
            let mut args = String::new();
            if changed_paths {
                args.push_str(" --changed-paths");
            }
            if split {
                args.push_str(" --split");
            }
            commit_graph(env, &args);
        }
        Op::Reset { back } => {
            // HEAD~N follows first parents only: after merges it may not exist.
            let target = format!("HEAD~{back}^{{commit}}");
            if env.git(&["rev-parse", "-q", "--verify", &target]).code == 0 {
                env.git(&["reset", "-q", "--hard", &target]).ok();
            }
        }
        Op::Rewind { secs } => env.clock.set(env.clock.get() - secs),
    }
}

/// The cached answer (cache as the previous steps left it) is the cold, plain one.
fn agree(env: &TestEnv, step: usize) -> Result<(), TestCaseError> {
    let queries = [
        words("status --format json"),
        words("history alpha --format json"),
        words("history beta --format json"),
    ];
    for q in &queries {
        let want = accord_mode(env, Mode::Plain, q);
        let got = accord_mode(env, Mode::Warm, q);
        prop_assert_eq!(want.code, 0, "step {}: `accord {}`: {}", step, q.join(" "), want.stderr);
        prop_assert_eq!(
            &got.stdout,
            &want.stdout,
            "step {}: `accord {}`, cached vs cold and plain",
            step,
            q.join(" ")
        );
        prop_assert_eq!(got.code, want.code);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn cached_answers_equal_cold_ones_over_random_histories(
        ops in prop::collection::vec(op(), 3..10)
    ) {
        let mut env = setup();
        agree(&env, 0)?;
        for (step, op) in ops.iter().enumerate() {
            apply(&mut env, op, step + 1);
            if step % 3 == 2 {
                agree(&env, step + 1)?;
            }
        }
        agree(&env, ops.len())?;
        remove(&cache_dir(&env));
        agree(&env, ops.len())?;
    }
}
