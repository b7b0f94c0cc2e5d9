//! Issue 12: what a real team hit — taking a position back, texts nobody can agree to, drafting
//! for others, CI-friendly exits, and output that explains itself. One test per item.

use crate::common::ledger::*;
use crate::common::*;

#[test]
fn issue12_withdraw_takes_back_a_sign_off_or_an_abstention() {
    let mut env = setup("consent");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    assert!(ratified(&env));
    // A withdrawn sign-off no longer counts: silent, not ratified.
    let r = env.as_(GRACE).accord(&["withdraw", "charter"]).ok().clone();
    assert!(r.stderr.contains("withdrew the sign-off"), "{}", r.stderr);
    assert_eq!(states(&env), ["signed", "silent", "signed"]);
    assert!(!ratified(&env));
    assert!(blocking(&status(&env, "charter")).contains(&"grace@example.com is silent".into()));
    // Already silent: refused, nothing written.
    refused(&env, |e| e.accord(&["withdraw", "charter"]), "no standing position");
    // An abstention too.
    env.as_(KATHERINE).accord(&["abstain", "charter"]).ok();
    env.as_(KATHERINE).accord(&["withdraw", "charter"]).ok();
    assert_eq!(states(&env), ["signed", "silent", "silent"]);
    // A stale sign-off is still a standing position.
    env.commit_file(FILE, &charter("consent").replace("paved", "paved and lit"), "edit");
    assert_eq!(states(&env)[0], "stale");
    env.as_(ADA).accord(&["withdraw", "charter"]).ok();
    assert_eq!(states(&env)[0], "silent");
    // The help says so.
    let help = env.accord(&["withdraw", "--help"]).ok().stdout.clone();
    assert!(help.contains("sign-off") && help.contains("abstention"), "{help}");
    assert!(help.contains("already silent"), "{help}");
}
