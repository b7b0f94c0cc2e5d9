//! Any bytes → the agreement loader and the `git diff` text conversion.
//!
//! Properties: `model::load` and `model::parse` return `Ok` or `Err` and never panic;
//! `canon::textconv` never panics, gives the input back unchanged when it does not parse, and
//! gives the same text for the canonical rendering of what it printed (idempotence is what makes
//! `git diff` quiet on reflows).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let loaded = accord::model::load(data, "agreements/fuzz.toml");
    let parsed = accord::model::parse(data, "agreements/fuzz.toml");
    // `load` is `parse` plus validation: it can never accept what `parse` refuses.
    if parsed.is_err() {
        assert!(loaded.is_err());
    }
    if let Err(e) = &loaded {
        // Every error names the file it is about.
        for d in e.diagnostics() {
            assert_eq!(d.file, "agreements/fuzz.toml");
            let _ = d.to_string();
        }
    }
    let text = accord::canon::textconv(data);
    match &parsed {
        Err(_) => assert_eq!(text, data),
        Ok(a) => {
            assert_eq!(text, accord::canon::render(a).into_bytes());
            assert!(a.same_meaning(a));
        }
    }
});
