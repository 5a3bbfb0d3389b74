//! `--write-baseline` and `--baseline`: findings are recorded by check, file, object and path
//! inside the object, so a baselined finding stays silent when lines move, and a new finding of
//! the same check in the same object is still reported.

mod common;

use std::path::Path;

use common::{json, k8sec, repo, stderr};
use serde_json::Value;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
";
const OTHER: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  a: b
";

/// Runs `k8sec lint args… --format json` in `dir`, with one check selected.
fn lint(dir: &Path, check: &str, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["lint", "--format", "json", "--select", check];
    all.extend_from_slice(args);
    all.push(".");
    let output = k8sec(dir, &all);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    (output.status.code(), json(&output))
}

/// The (line, message) of each finding reported.
fn reported(report: &Value) -> Vec<(u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn git_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = repo(files);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn write(dir: &Path, path: &str, text: &str) {
    std::fs::write(dir.join(path), text).unwrap();
}

#[test]
fn a_baselined_finding_survives_lines_moving_and_a_new_one_is_reported() {
    let dir = git_repo(&[("deploy.yaml", DEPLOYMENT)]);
    let check = "privileged-container";
    let (code, report) = lint(dir.path(), check, &["--write-baseline", "base.json"]);
    assert_eq!(code, Some(0), "writing a baseline succeeds");
    assert_eq!(reported(&report).len(), 1, "and reports what it recorded");
    let text = std::fs::read_to_string(dir.path().join("base.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        file["findings"],
        serde_json::json!([{
            "file": "deploy.yaml",
            "object": "Deployment.apps/shop/web",
            "check": "privileged-container",
            "path": "spec.template.spec.containers[web].securityContext.privileged",
            "count": 1
        }])
    );

    let silent = |dir: &Path| {
        let (code, report) = lint(dir, check, &["--baseline", "base.json"]);
        assert_eq!(code, Some(0), "{report}");
        assert_eq!(reported(&report), []);
        assert_eq!(report["summary"]["baselined"], 1);
        assert_eq!(report["summary"]["stale"], 0);
    };
    silent(dir.path());

    // Unrelated lines above it: comments, and a whole document.
    write(
        dir.path(),
        "deploy.yaml",
        &format!("# a comment\n# another\n{OTHER}---\n{DEPLOYMENT}"),
    );
    silent(dir.path());
    // The document moved to the end of the file, after another one.
    write(
        dir.path(),
        "deploy.yaml",
        &format!(
            "{OTHER}---\n{OTHER}---\n{}",
            DEPLOYMENT.replace("  name: web\n", "  labels: {a: b}\n  name: web\n")
        ),
    );
    silent(dir.path());

    // A new finding of the same check in the same object: reported, and fails the run.
    let sidecar = "        - name: sidecar\n          image: busybox:1.36\n          securityContext: {privileged: true}\n";
    write(dir.path(), "deploy.yaml", &format!("{DEPLOYMENT}{sidecar}"));
    let (code, report) = lint(dir.path(), check, &["--baseline", "base.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        reported(&report),
        [(16, "container `sidecar` runs privileged".to_string())]
    );
    assert_eq!(report["summary"]["baselined"], 1);

    // Fixed: nothing reported, the entry is stale.
    write(
        dir.path(),
        "deploy.yaml",
        &DEPLOYMENT.replace("true", "false"),
    );
    let (code, report) = lint(dir.path(), check, &["--baseline", "base.json"]);
    assert_eq!((code, reported(&report)), (Some(0), vec![]));
    assert_eq!(report["summary"]["stale"], 1);
    let human = k8sec(
        dir.path(),
        &["lint", "--select", check, "--baseline", "base.json", "."],
    );
    assert!(
        common::stdout(&human).contains("; 0 in the baseline (1 stale entry)"),
        "{}",
        common::stdout(&human)
    );
}

#[test]
fn a_missing_setting_keeps_its_fingerprint_when_its_anchor_moves() {
    // `run-as-root` points at the container's `- name:` key, then (once the container has a
    // securityContext) at its `securityContext:` key: the same finding, the same fingerprint.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n";
    let dir = git_repo(&[("pod.yaml", pod)]);
    let (_, report) = lint(dir.path(), "run-as-root", &["--write-baseline", "b.json"]);
    assert_eq!(reported(&report).len(), 1);
    write(
        dir.path(),
        "pod.yaml",
        &format!("{pod}      securityContext:\n        readOnlyRootFilesystem: true\n"),
    );
    let (code, report) = lint(dir.path(), "run-as-root", &["--baseline", "b.json"]);
    assert_eq!((code, reported(&report)), (Some(0), vec![]), "{report}");
}

#[test]
fn findings_with_the_same_fingerprint_are_counted() {
    // The same object twice in a file: two findings, one fingerprint, `count: 2`; a third copy
    // is one new finding.
    let dir = git_repo(&[("d.yaml", &format!("{DEPLOYMENT}---\n{DEPLOYMENT}"))]);
    let check = "privileged-container";
    lint(dir.path(), check, &["--write-baseline", "b.json"]);
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("b.json")).unwrap()).unwrap();
    assert_eq!(file["findings"][0]["count"], 2);
    write(
        dir.path(),
        "d.yaml",
        &format!("{DEPLOYMENT}---\n{DEPLOYMENT}---\n{DEPLOYMENT}"),
    );
    let (code, report) = lint(dir.path(), check, &["--baseline", "b.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(reported(&report).len(), 1);
    assert_eq!(report["summary"]["baselined"], 2);
}

#[test]
fn files_without_objects_and_runs_from_a_subdirectory() {
    // `invalid-yaml` has no object: it is identified by its file, and stays baselined while
    // the file stays broken. Paths are relative to the repository root, wherever k8sec runs.
    let dir = git_repo(&[("sub/bad.yaml", "a: [b\n"), ("sub/deploy.yaml", DEPLOYMENT)]);
    let (_, report) = lint(
        dir.path(),
        "privileged-container",
        &["--write-baseline", "b.json"],
    );
    assert_eq!(reported(&report).len(), 2, "{report}");
    write(dir.path(), "sub/bad.yaml", "# moved down\na: [b\n");
    let sub = dir.path().join("sub");
    let output = k8sec(
        &sub,
        &[
            "lint",
            "--format",
            "json",
            "--select",
            "privileged-container",
            "--baseline",
            "../b.json",
            ".",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output)["summary"]["baselined"], 2);
}

#[test]
fn bad_baselines_are_errors() {
    let dir = git_repo(&[("deploy.yaml", DEPLOYMENT)]);
    write(dir.path(), "bad.json", "{\"version\": 1, \"findings\": [}");
    for (file, expected) in [("missing.json", "missing.json"), ("bad.json", "line 1")] {
        let output = k8sec(dir.path(), &["lint", "--baseline", file, "."]);
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    let output = k8sec(
        dir.path(),
        &["lint", "--diff", "--write-baseline", "b.json", "."],
    );
    assert_eq!(output.status.code(), Some(2));
}
