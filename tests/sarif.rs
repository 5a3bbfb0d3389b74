//! `--format sarif`: valid against the official SARIF 2.1.0 JSON Schema, on the example repo
//! and on the real-world corpus, and what GitHub code scanning reads is there and exact.

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::{corpus, json, k8sec, manifest_dir, repo, stdout};
use serde_json::Value;

/// The official schema, shipped beside the crate (`../shared/schemas`).
fn validator() -> Option<jsonschema::Validator> {
    let path = manifest_dir().join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "no SARIF schema at {}",
            path.display()
        );
        eprintln!("skipped: no SARIF schema at {}", path.display());
        return None;
    };
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    Some(jsonschema::draft4::new(&schema).expect("the schema compiles"))
}

/// Runs `k8sec lint --format sarif args…` in `dir` and checks the log against the schema and
/// the invariants every consumer relies on; returns the log.
fn sarif(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["lint", "--format", "sarif"];
    all.extend_from_slice(args);
    let output = k8sec(dir, &all);
    assert_ne!(output.status.code(), Some(2), "{output:?}");
    let log = json(&output);
    if let Some(validator) = validator() {
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .take(20)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF schema errors:\n{}",
            errors.join("\n")
        );
    }
    check_invariants(&log);
    log
}

/// What the schema cannot say: results point at their rules, regions run forwards, every rule
/// has help, fingerprints are unique.
fn check_invariants(log: &Value) {
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## How to fix it"));
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(rule["properties"]["tags"].as_array().unwrap().len() >= 3);
    }
    let mut prints = HashSet::new();
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
        let region = &result["locations"][0]["physicalLocation"]["region"];
        let start = (region["startLine"].as_u64(), region["startColumn"].as_u64());
        let end = (region["endLine"].as_u64(), region["endColumn"].as_u64());
        assert!(start <= end, "{region}");
        let print = result["partialFingerprints"]["k8secFingerprint/v1"]
            .as_str()
            .unwrap();
        assert!(
            prints.insert(print.to_string()),
            "duplicate fingerprint {print}"
        );
    }
}

#[test]
fn the_example_repo_validates_and_names_files_from_the_source_root() {
    let log = sarif(manifest_dir(), &["testdata/example"]);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "k8sec");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let results = run["results"].as_array().unwrap();
    let privileged = results
        .iter()
        .find(|r| r["ruleId"] == "privileged-container")
        .expect("the example's privileged container");
    let location = &privileged["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // The crate is inside its Git checkout: the URI starts at the checkout's root, which may
    // be a directory above the crate.
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert!(
        uri.ends_with("testdata/example/apps/shop/worker.yaml"),
        "{uri}"
    );
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 21, "startColumn": 25, "endLine": 21, "endColumn": 29})
    );
    assert_eq!(privileged["level"], "error");
    assert_eq!(
        privileged["partialFingerprints"]["k8secFingerprint/v1"],
        format!(
            "privileged-container|{uri}|Deployment.apps/shop/worker|spec.template.spec.containers[worker].securityContext.privileged"
        )
    );
    let fix = &privileged["fixes"][0];
    assert_eq!(
        fix["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "false"
    );
    // A cross-resource finding carries its chain, linked from the message.
    let chained = results
        .iter()
        .find(|r| r.get("relatedLocations").is_some())
        .expect("a finding with related locations");
    assert!(chained["message"]["text"]
        .as_str()
        .unwrap()
        .contains("](1)"));
    // Rules: the run's checks, with their metadata.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "privileged-container")
        .unwrap();
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert_eq!(rule["properties"]["pss"], "baseline");
    assert_eq!(rule["properties"]["category"], "pod-security");
    assert_eq!(rule["properties"]["security-severity"], "8.0");
}

#[test]
fn the_validator_is_not_vacuous() {
    let Some(validator) = validator() else { return };
    let mut log = sarif(manifest_dir(), &["testdata/example"]);
    assert!(validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = "error".into();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&log));
}

#[test]
fn the_corpus_validates() {
    let Some(corpus) = corpus() else { return };
    // With helm when there is one: rendered templates are named by their template's path.
    let helm = common::helm();
    let mut args = vec![corpus.to_str().unwrap()];
    if let Some(helm) = &helm {
        args.extend(["--helm", helm.to_str().unwrap()]);
    }
    let log = sarif(manifest_dir(), &args);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 100, "{} results", results.len());
    // The corpus is outside the crate's checkout: absolute file URIs, no base.
    let location = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(location["uri"].as_str().unwrap().starts_with("file:///"));
    assert!(location.get("uriBaseId").is_none());
}

#[test]
fn non_ascii_paths_are_encoded_and_columns_count_utf16_units() {
    let dir = repo(&[(
        "dé ploy/pöd#1.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"wéb\"\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n      securityContext: {x: \"😀é\", privileged: true}\n",
    )]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let log = sarif(dir.path(), &["--select", "privileged-container", "."]);
    let result = &log["runs"][0]["results"][0];
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "d%C3%A9%20ploy/p%C3%B6d%231.yaml"
    );
    // `true` is the 46th character of its line (as `concise` counts); the emoji before it is
    // two UTF-16 units, so SARIF says 47.
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 9, "startColumn": 47, "endLine": 9, "endColumn": 51})
    );
    let concise = stdout(&k8sec(
        dir.path(),
        &[
            "lint",
            "--format",
            "concise",
            "--select",
            "privileged-container",
            ".",
        ],
    ));
    assert!(
        concise.contains(".yaml:9:46: error[privileged-container]"),
        "{concise}"
    );
    let root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
}

#[test]
fn repository_text_cannot_break_the_document() {
    // Control characters, quotes and SARIF link syntax in names and values.
    let dir = repo(&[(
        "a.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"x\\u0001\\\"]](1) \\\\ \\n::error::y\"\nspec:\n  containers:\n    - name: \"c\\u001b[31m\"\n      image: nginx:1.27\n      securityContext: {privileged: true}\n",
    )]);
    let log = sarif(dir.path(), &["--select", "privileged-container", "a.yaml"]);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["properties"]["name"],
        "x\u{1}\"]](1) \\ \n::error::y"
    );
    let message = result["message"]["text"].as_str().unwrap();
    assert_eq!(message, "container `c\u{1b}\\[31m` runs privileged");
    let raw = stdout(&k8sec(
        dir.path(),
        &[
            "lint",
            "--format",
            "sarif",
            "--select",
            "privileged-container",
            "a.yaml",
        ],
    ));
    assert!(
        !raw.contains('\u{1b}') && !raw.contains('\u{1}'),
        "raw control characters"
    );
}
