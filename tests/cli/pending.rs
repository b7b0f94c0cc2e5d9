//! `accord pending`: the agreements waiting for me.

use crate::common::ledger::*;
use crate::common::*;

#[test]
fn pending_lists_silent_and_stale_agreements_for_me() {
    let mut env = setup("consent");
    // One where Grace is not a party, one where she only observes.
    let other = charter("consent").replace(
        "[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\n",
        "[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\nrole = \"observer\"\n",
    );
    env.commit_file("agreements/observed.toml", &other, "observed");
    let mut notmine = charter("consent").replace("grace@example.com", "linus@example.com");
    notmine = notmine.replace("Grace Hopper", "Linus");
    env.commit_file("agreements/notmine.toml", &notmine, "notmine");
    env.as_(GRACE);
    let p = env.accord(&["pending", "--format", "json"]).ok().json();
    assert_eq!(
        p,
        serde_json::json!([{
            "agreement": "charter",
            "title": "Platform team charter",
            "state": "silent",
            "revision": revision(&env),
        }])
    );
    let human = env.accord(&["pending"]).ok().stdout.clone();
    assert!(human.contains("charter") && human.contains("silent"), "{human}");
    assert!(!human.contains("observed") && !human.contains("notmine"), "{human}");
    env.accord(&["sign", "charter"]).ok();
    assert_eq!(env.accord(&["pending", "--format", "json"]).ok().json(), serde_json::json!([]));
    let r = env.accord(&["pending"]).ok().clone();
    assert!(r.stderr.contains("nothing awaits grace@example.com"), "{}", r.stderr);
    // A meaning-changing edit: stale.
    env.commit_file(FILE, &charter("consent").replace("paved", "paved and lit"), "edit");
    let p = env.accord(&["pending", "--format", "json"]).ok().json();
    assert_eq!(p[0]["state"], "stale");
    assert_eq!(p[0]["revision"], revision(&env));
    assert_eq!(p.as_array().unwrap().len(), 1);
    assert!(env.accord(&["pending"]).ok().stdout.contains("the text changed since you signed"));
    // Objecting is a position: nothing pending.
    env.accord(&["object", "charter", "-m", "lit costs money"]).ok();
    assert_eq!(env.accord(&["pending", "--format", "json"]).ok().json(), serde_json::json!([]));
    // Withdrawing makes her silent again.
    env.accord(&["withdraw", "charter"]).ok();
    assert_eq!(env.accord(&["pending", "--format", "json"]).ok().json()[0]["state"], "silent");
}
