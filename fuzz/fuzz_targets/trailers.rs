//! Any text → the trailer parser, the note reader and the note check; and for any note that
//! passes `check_note`, the position message accord would write reads back exactly.
//!
//! Properties: `parse`, `note`, `check_note` and `split_ident` never panic; for any note that
//! `check_note` accepts, `parse(format(t, note))` is `t` and `note(format(t, note))` is the
//! trimmed note, for fixed trailers and for trailers whose party name and email come from the
//! input (when they are ones an agreement file accepts).
#![no_main]

use accord::trailers::{check_note, format, note, parse, split_ident, Parsed, Stance, Trailers};
use libfuzzer_sys::fuzz_target;

fn round_trip(t: &Trailers, text: &str) {
    let msg = format(t, text);
    assert_eq!(parse(&msg), Parsed::Position(t.clone()), "message:\n{msg:?}");
    assert_eq!(note(&msg), text.trim(), "message:\n{msg:?}");
}

/// What `model::validate` accepts as a party name (no `<`, `>`, NUL or line break), trimmed as
/// the trailer reads it back.
fn plausible_name(s: &str) -> bool {
    !s.trim().is_empty() && s == s.trim() && !s.contains(['<', '>', '\0', '\r', '\n'])
}

fn plausible_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((l, d)) if !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse(&text);
    let _ = note(&text);
    let _ = split_ident(&text);
    let _ = accord::trailers::mentions_accord(data);

    let sample = Trailers {
        stance: Stance::ALL[data.first().map_or(0, |b| *b as usize % 4)],
        agreement: "platform-charter".into(),
        revision: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad".into(),
        name: "Grace Hopper".into(),
        email: "grace@example.com".into(),
        meaning: None,
    };
    if check_note(&text).is_ok() {
        round_trip(&sample, &text);
    }

    // The input as `note \x1f name \x1f email`: the party comes from the input too.
    let mut parts = text.splitn(3, '\u{1f}');
    if let (Some(n), Some(name), Some(email)) = (parts.next(), parts.next(), parts.next()) {
        if check_note(n).is_ok() && plausible_name(name) && plausible_email(email) {
            let t = Trailers { name: name.into(), email: email.into(), ..sample };
            round_trip(&t, n);
        }
    }
});
