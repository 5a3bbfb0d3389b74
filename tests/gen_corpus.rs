//! A smoke run of the benchmark corpus generator (`examples/gen-corpus`): the only benchmark
//! code `cargo test` runs. It checks that the generator is deterministic, writes exactly the
//! objects asked for, and that k8sec reads every one of them and finds the share that is
//! misconfigured, so the benchmarks measure a lint of a valid, realistic repository.

mod common;

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::collections::BTreeSet;

use common::{json, k8sec};
use corpus::{generate, objects_in, Options};

fn options(objects: usize, seed: u64) -> Options {
    Options {
        objects,
        namespaces: 6,
        seed,
    }
}

#[test]
fn the_generator_is_deterministic_and_exact() {
    let text = |o: &Options| -> Vec<(String, String)> {
        generate(o).into_iter().map(|f| (f.path, f.text)).collect()
    };
    assert_eq!(text(&options(700, 7)), text(&options(700, 7)));
    assert_ne!(text(&options(700, 7)), text(&options(700, 8)));
    for objects in [1, 11, 700, 1_234] {
        let files = generate(&options(objects, 3));
        let count: usize = files.iter().map(|f| objects_in(&f.text)).sum();
        assert_eq!(count, objects);
    }
    // Several documents per file, a directory per namespace.
    let files = generate(&options(700, 3));
    assert!(files.len() * 2 < 700, "{} files", files.len());
    let dirs: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.path.split_once('/').map(|(d, _)| d))
        .collect();
    assert_eq!(dirs.len(), 6, "{dirs:?}");
}

#[test]
fn k8sec_reads_every_generated_object_and_finds_the_misconfigured_ones() {
    let dir = tempfile::tempdir().unwrap();
    let stats = corpus::write(dir.path(), &options(1_500, 1)).unwrap();
    assert_eq!(stats.objects, 1_500);
    let out = k8sec(dir.path(), &["lint", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = json(&out);
    assert_eq!(report["summary"]["resources"], 1_500);
    assert_eq!(report["summary"]["files"], stats.files);
    let findings = report["findings"].as_array().unwrap();
    let checks: BTreeSet<&str> = findings
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    // Valid YAML, consistent references: what fires is the planted misconfigurations.
    for quiet in [
        "invalid-yaml",
        "malformed-object",
        "missing-service-account",
        "service-selects-nothing",
        "selector-label-mismatch",
    ] {
        assert!(!checks.contains(quiet), "{quiet} fired: {checks:?}");
    }
    for planted in [
        "privileged-container",
        "host-network",
        "sensitive-host-mount",
        "secret-in-env",
        "rbac-secrets-access",
        "workload-risky-permissions",
    ] {
        assert!(checks.contains(planted), "{planted} missing: {checks:?}");
    }
    // A share is misconfigured, not every application.
    let workloads = report["summary"]["resources"].as_u64().unwrap() / 8;
    let privileged = findings
        .iter()
        .filter(|f| f["check"] == "privileged-container")
        .count() as u64;
    assert!(
        privileged > 0 && privileged * 10 < workloads,
        "{privileged}"
    );
}
