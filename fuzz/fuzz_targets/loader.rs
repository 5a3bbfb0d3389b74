//! Bytes → findings: loading, linting and printing any text never panics (and, with
//! `-timeout`, never hangs).
#![no_main]

use std::path::PathBuf;

use k8sec::report::{self, Format};
use k8sec::source::Origin;
use libfuzzer_sys::fuzz_target;

mod common;
use common::config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let ws = k8sec::load_source(PathBuf::from("fuzz.yaml"), text, Origin::File);
    let result = k8sec::lint(&ws, config());
    for format in [Format::Human, Format::Concise, Format::Json] {
        let out = report::render(&ws, &result, format, false);
        if format != Format::Json {
            // Untrusted text never reaches a terminal raw.
            assert!(
                !out.chars()
                    .any(|c| c == '\u{1b}' || c == '\u{9b}' || c == '\u{7}'),
                "{format:?} output holds a raw control character:\n{out}"
            );
        }
    }
});
