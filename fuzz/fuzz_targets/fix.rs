//! Mutated manifests → every fix (safe and unsafe) applied: the result parses, holds the same
//! objects, a second run changes nothing (the fixes converged), and only the edited ranges
//! differ from the original.
#![no_main]

use std::path::PathBuf;

use k8sec::fix::FixMode;
use k8sec::source::Origin;
use libfuzzer_sys::fuzz_target;

mod common;
use common::config;

const MODE: FixMode = FixMode { unsafe_fixes: true };

/// Lints `text` alone and fixes it: the fixed text, and the edits of each round.
fn fix(text: &str) -> Option<k8sec::FileFix> {
    let ws = k8sec::load_source(PathBuf::from("fuzz.yaml"), text.to_string(), Origin::File);
    let result = k8sec::lint(&ws, config());
    k8sec::fix_workspace(&ws, &result, config(), MODE).pop()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(fixed) = fix(text) else { return };
    if fixed.text == text {
        return;
    }
    // Replaying the rounds' edits on the original gives the fixed text: nothing outside an
    // edit changed.
    let mut replay = text.to_string();
    for round in &fixed.rounds {
        let mut edits = round.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.range.start));
        for edit in edits {
            replay.replace_range(edit.span.range.to_range(), &edit.replacement);
        }
    }
    assert_eq!(
        replay, fixed.text,
        "the rounds' edits do not give the fixed text"
    );
    // The fixed text parses, and fixing it again changes nothing.
    let again = k8sec::load_source(PathBuf::from("fuzz.yaml"), fixed.text.clone(), Origin::File);
    assert!(
        again.parse_errors.is_empty(),
        "fixing made the file invalid:\n{text:?}\n→\n{:?}",
        fixed.text
    );
    if let Some(second) = fix(&fixed.text) {
        assert_eq!(
            second.text, fixed.text,
            "a second --fix changed the file again:\n{text:?}"
        );
    }
});
