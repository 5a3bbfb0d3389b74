//! `--changed-since REF` in real temporary Git repositories, and `--context` (the pre-commit
//! mode): the whole input is linted, only findings about the files in scope are reported.

mod common;

use std::path::Path;
use std::process::Command;

use common::{json, k8sec, repo, stderr};
use serde_json::Value;

fn privileged(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext: {{privileged: true}}\n"
    )
}

/// Runs git in `dir`, isolated from the user's and the system's configuration.
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// The files of the findings a JSON report lists.
fn files(report: &Value) -> Vec<String> {
    let mut files: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files.dedup();
    files
}

fn lint(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec![
        "lint",
        "--format",
        "json",
        "--select",
        "privileged-container,automount-service-account-token",
    ];
    all.extend_from_slice(args);
    let output = k8sec(dir, &all);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    (output.status.code(), json(&output))
}

#[test]
fn only_files_changed_since_the_merge_base_are_reported() {
    let dir = repo(&[
        ("a.yaml", &privileged("a")),
        ("b.yaml", &privileged("b")),
        ("sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\nautomountServiceAccountToken: false\n"),
        ("uses-sa.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n  serviceAccountName: runner\n  containers:\n    - {name: c, image: nginx:1.27}\n"),
    ]);
    let root = dir.path();
    git(root, &["init", "-q"]);
    commit_all(root, "base");
    git(root, &["checkout", "-q", "-b", "feature"]);
    // Committed on the branch, staged, unstaged and untracked changes all count.
    std::fs::write(root.join("b.yaml"), privileged("b2")).unwrap();
    commit_all(root, "change b");
    std::fs::write(root.join("new.yaml"), privileged("n")).unwrap();
    // The ServiceAccount stops opting out: the finding is about the Pod's file, and the
    // ServiceAccount (changed) is its related location, so it is reported.
    std::fs::write(
        root.join("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\n",
    )
    .unwrap();
    // main moves on after the branch left it: its changes are not the branch's.
    git(root, &["checkout", "-q", "main"]);
    git(root, &["stash", "-q", "-u"]);
    std::fs::write(root.join("a.yaml"), privileged("a2")).unwrap();
    commit_all(root, "main moves");
    git(root, &["checkout", "-q", "feature"]);
    git(root, &["stash", "pop", "-q"]);

    let (code, report) = lint(root, &["--changed-since", "main", "."]);
    assert_eq!(code, Some(1));
    assert_eq!(
        files(&report),
        ["b.yaml", "new.yaml", "uses-sa.yaml"],
        "{report}"
    );
    // a.yaml's findings (privileged, and a token mounted) are about a file the branch did not
    // change.
    assert_eq!(report["summary"]["out_of_scope"], 2);

    // Nothing changed since HEAD but the working tree: b.yaml's commit no longer counts.
    let (_, report) = lint(root, &["--changed-since", "HEAD", "."]);
    assert_eq!(files(&report), ["new.yaml", "uses-sa.yaml"]);
}

#[test]
fn changed_since_needs_a_repository_and_a_ref() {
    let dir = repo(&[("a.yaml", &privileged("a"))]);
    let output = k8sec(dir.path(), &["lint", "--changed-since", "main", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`--changed-since` needs a Git repository"),
        "{}",
        stderr(&output)
    );
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path(), "base");
    let output = k8sec(dir.path(), &["lint", "--changed-since", "no-such-ref", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no-such-ref"),
        "{}",
        stderr(&output)
    );
    let output = k8sec(dir.path(), &["lint", "--changed-since", "--all", "."]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn context_lints_the_whole_directory_and_reports_on_the_paths_given() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n  serviceAccountName: runner\n  containers:\n    - {name: c, image: nginx:1.27}\n";
    let dir = repo(&[
        ("apps/pod.yaml", pod),
        ("apps/other.yaml", &privileged("o")),
        ("rbac/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\nautomountServiceAccountToken: false\n"),
    ]);
    // Alone, the Pod seems to mount a token: its ServiceAccount's opt-out is in another file.
    let (code, report) = lint(dir.path(), &["apps/pod.yaml"]);
    assert_eq!(
        (code, files(&report)),
        (Some(1), vec!["apps/pod.yaml".to_string()])
    );
    // With the repository as context, it does not, and other.yaml is linted but not reported.
    let (code, report) = lint(dir.path(), &["--context", ".", "apps/pod.yaml"]);
    assert_eq!((code, files(&report)), (Some(0), vec![]), "{report}");
    assert_eq!(report["summary"]["out_of_scope"], 2);
    // A file outside the context is an error, not a silent pass.
    let output = k8sec(dir.path(), &["lint", "--context", "rbac", "apps/pod.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not inside a `--context` directory"));
}

#[test]
fn fixes_touch_only_the_files_in_scope() {
    // The Pod's finding is about the ServiceAccount too (its related location): reported when
    // only the ServiceAccount's file is passed, but its fix (in the Pod's file) is not applied.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n  serviceAccountName: runner\n  containers:\n    - {name: c, image: nginx:1.27}\n";
    let account = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\n";
    let dir = repo(&[("apps/pod.yaml", pod), ("rbac/sa.yaml", account)]);
    let (code, report) = lint(dir.path(), &["--context", ".", "rbac/sa.yaml"]);
    assert_eq!(
        (code, files(&report)),
        (Some(1), vec!["apps/pod.yaml".to_string()])
    );
    let output = k8sec(
        dir.path(),
        &[
            "lint",
            "--select",
            "automount-service-account-token",
            "--fix",
            "--unsafe-fixes",
            "--context",
            ".",
            "rbac/sa.yaml",
        ],
    );
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("apps/pod.yaml")).unwrap(),
        pod
    );
    // Passed itself, the Pod's file is fixed.
    k8sec(
        dir.path(),
        &[
            "lint",
            "--select",
            "automount-service-account-token",
            "--fix",
            "--unsafe-fixes",
            "--context",
            ".",
            "apps/pod.yaml",
        ],
    );
    assert_ne!(
        std::fs::read_to_string(dir.path().join("apps/pod.yaml")).unwrap(),
        pod
    );
}
