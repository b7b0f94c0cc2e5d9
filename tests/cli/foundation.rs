//! init, new, list, show, check: the file format, templates and diagnostics.

use crate::common::*;

#[test]
fn every_template_round_trips_through_new_and_check() {
    let env = TestEnv::new();
    for kind in ["charter", "partnership", "service", "working-agreement", "decision"] {
        let id = format!("t-{kind}");
        env.accord(&["new", &id, "--kind", kind]).ok();
        let text = env.read(&format!("agreements/{id}.toml"));
        assert!(text.contains(&format!("kind = \"{kind}\"")), "{text}");
        assert!(text.contains("ada@example.com"), "identity filled in:\n{text}");
    }
    let run = env.accord(&["check"]);
    run.ok();
    assert_eq!(run.stdout.matches(": ok").count(), 5, "{}", run.stdout);
}
