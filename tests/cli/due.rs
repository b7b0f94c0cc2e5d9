//! `accord due`: review dates, review periods and ends, as of a date.

use serde_json::json;

use crate::common::changes::*;
use crate::common::*;

fn with_top_level(text: &str, line: &str) -> String {
    text.replacen("\n[decision]", &format!("{line}\n\n[decision]"), 1)
}

#[test]
fn due_as_of_review_by_review_every_and_ends() {
    let mut env = TestEnv::new();
    let base = charter("consent");
    env.write("agreements/quarterly.toml", &with_top_level(&base, "review_every = \"30d\""));
    env.write("agreements/deadline.toml", &with_top_level(&base, "review_by = 2027-03-01"));
    env.write("agreements/contract.toml", &with_top_level(&base, "ends = 2027-06-30"));
    env.write("agreements/fresh.toml", &with_top_level(&base, "review_every = \"7d\""));
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "Four agreements"]).ok();
    sign_all(&mut env, "quarterly"); // ratified on 2026-11-20; `fresh` never is
    let ratified_at = env.accord(&["log", "quarterly", "--format", "json"]).ok().json()[0]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ratified_at.starts_with("2026-11-20T10:"), "{ratified_at}");

    let due = |env: &TestEnv, as_of: &str| {
        env.accord(&["due", "--as-of", as_of, "--format", "json"]).ok().json()
    };
    let quarterly = json!({"agreement": "quarterly", "title": "Platform team charter",
                           "reason": "review_every", "due_on": "2026-12-20",
                           "last_ratified": ratified_at});
    let deadline = json!({"agreement": "deadline", "title": "Platform team charter",
                          "reason": "review_by", "due_on": "2027-03-01"});
    let contract = json!({"agreement": "contract", "title": "Platform team charter",
                          "reason": "ends", "due_on": "2027-06-30"});
    assert_eq!(due(&env, "2026-12-19"), json!([]));
    assert_eq!(due(&env, "2026-12-20"), json!([quarterly]));
    assert_eq!(due(&env, "2027-02-28"), json!([quarterly]));
    let mut both = due(&env, "2027-03-01").as_array().unwrap().clone();
    both.sort_by_key(|d| d["agreement"].as_str().unwrap().to_string());
    assert_eq!(both, [deadline.clone(), quarterly.clone()]);
    let mut all = due(&env, "2027-07-01").as_array().unwrap().clone();
    all.sort_by_key(|d| d["agreement"].as_str().unwrap().to_string());
    assert_eq!(all, [contract, deadline.clone(), quarterly.clone()]);
    // `ends` is due once the day has passed, not on it.
    assert_eq!(due(&env, "2027-06-30").as_array().unwrap().len(), 2);

    let run = env.accord(&["due", "--as-of", "2026-12-19"]);
    assert_eq!(run.ok().stdout, "");
    assert!(run.stderr.contains("nothing is due as of 2026-12-19"), "{}", run.stderr);
    let run = env.accord(&["due", "--as-of", "2026-12-20"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "quarterly  due  Platform team charter — review was due on 2026-12-20 (30d after it \
             was last ratified, {ratified_at})\n"
        )
    );

    // Amended on 2026-11-25 (a date in the past: one in the future would be judged as made
    // now): not ratified now, so the clock still runs from 2026-11-20...
    env.clock.set(1_795_608_000); // 2026-11-25T12:00:00Z
    amend(&env, "agreements/quarterly.toml", "a paved road", "a smooth road", "Smooth");
    assert_eq!(due(&env, "2026-12-22"), json!([quarterly]));
    // ...until it is ratified again: then it restarts from there.
    sign_all(&mut env, "quarterly");
    let again = env.accord(&["log", "quarterly", "--format", "json"]).ok().json()[0]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(again.starts_with("2026-11-25T12:"), "{again}");
    assert_eq!(due(&env, "2026-12-24"), json!([]));
    assert_eq!(
        due(&env, "2026-12-25"),
        json!([{"agreement": "quarterly", "title": "Platform team charter",
                "reason": "review_every", "due_on": "2026-12-25", "last_ratified": again}])
    );

    let run = env.accord(&["due", "--as-of", "2027-13-01"]);
    run.code(2);
    assert!(run.stderr.contains("`2027-13-01` is not a date"), "{}", run.stderr);
}

#[test]
fn a_proposed_retirement_leaves_the_agreement_due_until_it_is_ratified() {
    // Red-team finding: one unreviewed commit adding `retired = true` made `due` skip it.
    let mut env = TestEnv::new();
    let text = with_top_level(&charter("consent"), "review_every = \"7d\"");
    env.commit_file("agreements/charter.toml", &text, "Charter");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let retired = with_top_level(&text, "retired = true");
    env.as_(ADA).commit_file("agreements/charter.toml", &retired, "Retire");
    let due = |env: &TestEnv| env.accord(&["due", "--as-of", "2027-06-01", "--format", "json"]);
    assert_eq!(due(&env).ok().json().as_array().unwrap().len(), 1);
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    assert_eq!(due(&env).ok().json().as_array().unwrap().len(), 0);
}

#[test]
fn a_future_dated_sign_off_does_not_postpone_the_review() {
    // Red-team finding: Katherine's sign-off dated 2100 made the charter "last ratified" in
    // 2100, so `review_every` never came due; status already judges it as made now.
    for mut env in [TestEnv::new(), TestEnv::on_positions_branch()] {
        let text = with_top_level(&charter("consent"), "review_every = \"30d\"");
        env.commit_file("agreements/charter.toml", &text, "Charter");
        sign(&mut env, ADA, "charter");
        sign(&mut env, GRACE, "charter");
        env.clock.set(4_102_444_800); // 2100-01-01T00:00:00Z
        sign(&mut env, KATHERINE, "charter");
        let run = env.accord(&["due", "--as-of", "2099-01-01", "--format", "json"]);
        let due = run.ok().json();
        let due = due.as_array().unwrap();
        assert_eq!(due.len(), 1, "{due:?}");
        assert_eq!(due[0]["reason"], "review_every");
        // Placed at the moment of judging (now), not in 2100.
        let last = due[0]["last_ratified"].as_str().unwrap();
        assert!(last.as_bytes()[..2] == *b"20" && last < "2100", "{last}");
        let on = due[0]["due_on"].as_str().unwrap();
        assert!(on < "2099-01-01", "{on}");
        env.accord(&["due", "--as-of", "2099-01-01", "--fail"]).code(1);
    }
}

#[test]
fn today_is_the_same_day_in_every_time_zone() {
    // Red-team finding: `due` took today from the local time zone, while review periods run in
    // UTC days; the same repository at the same instant was due on one machine and not on
    // another. Today is the UTC day now (README).
    let utc = |days: i64| {
        let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
        t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
    };
    let mut env = TestEnv::new();
    let (today, tomorrow) = (utc(0), utc(1));
    let text = |by: &str| with_top_level(&charter("consent"), &format!("review_by = {by}"));
    env.write("agreements/today.toml", &text(&today));
    env.write("agreements/tomorrow.toml", &text(&tomorrow));
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "Two agreements"]).ok();
    sign_all(&mut env, "today");
    sign_all(&mut env, "tomorrow");
    // Eleven hours behind UTC and fourteen ahead (POSIX TZ strings: the sign is reversed).
    for tz in ["<-11>11", "<+14>-14", "UTC"] {
        let run = env.accord_cmd().env("TZ", tz).args(["due", "--format", "json"]).output();
        let run = run.unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let due: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        if utc(0) != today {
            return; // midnight UTC passed meanwhile
        }
        let ids: Vec<&str> =
            due.as_array().unwrap().iter().map(|d| d["agreement"].as_str().unwrap()).collect();
        assert_eq!(ids, ["today"], "TZ={tz}: {due}");
    }
}

#[test]
fn due_as_of_a_past_day_counts_from_the_ratification_before_it() {
    // Red-team finding: `due --as-of` a past day used ratifications made after that day, so an
    // agreement that was overdue then (and ratified again since) was "not due" as of then.
    let mut env = TestEnv::new();
    let text = with_top_level(&charter("consent"), "review_every = \"7d\"");
    env.commit_file("agreements/charter.toml", &text, "Charter");
    sign_all(&mut env, "charter"); // 2026-11-20
    let first = env.accord(&["log", "charter", "--format", "json"]).ok().json()[0]["at"].clone();
    env.clock.set(1_796_299_200); // 2026-12-03T12:00:00Z
    amend(&env, "agreements/charter.toml", "a paved road", "a smooth road", "Smooth");
    sign_all(&mut env, "charter");
    let due = |as_of: &str| env.accord(&["due", "--as-of", as_of, "--format", "json"]).ok().json();
    assert_eq!(
        due("2026-11-30"),
        json!([{"agreement": "charter", "title": "Platform team charter",
                "reason": "review_every", "due_on": "2026-11-27", "last_ratified": first}])
    );
    // Before the first ratification there was no review clock; since the second, it runs anew.
    assert_eq!(due("2026-11-19"), json!([]));
    assert_eq!(due("2026-12-09"), json!([]));
    assert_eq!(due("2026-12-10").as_array().unwrap()[0]["due_on"], "2026-12-10");
}
