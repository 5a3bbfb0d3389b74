//! The pre-commit hooks, run by real pre-commit in temporary Git repositories.
//!
//! - `.pre-commit-hooks.yaml` (`language: rust`): `pre-commit try-repo` on a temporary Git copy
//!   of this crate (its tracked and untracked, not ignored, files, committed), so pre-commit
//!   clones it and builds the hook with `cargo install`, as it would from the published
//!   repository. Offline: `CARGO_NET_OFFLINE=true` (the crates come from the local cargo cache,
//!   which the test build itself filled), and `CARGO_TARGET_DIR=target/ci-release` with the
//!   profile of the wheel build of `.ci/run`, so the dependencies are built once.
//! - The wheel (`language: python`, the hook a machine without Rust uses, see the README):
//!   a local hook whose `additional_dependencies` install the k8sec wheel that `.ci/run` built
//!   (`K8SEC_WHEEL_DIR`), from that directory only (`PIP_NO_INDEX`).
//!
//! Each checks that a commit of an insecure manifest fails with the finding, and passes once it
//! is fixed, while the manifest's ServiceAccount and NetworkPolicy sit in other files (the
//! hook lints the repository, reports on the files passed).
//!
//! pre-commit comes from `K8SEC_PRE_COMMIT` (`.ci/run` installs it from PyPI into a
//! virtualenv) or `PATH`; without it, or without a wheel, the tests skip, except under
//! `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{manifest_dir, repo};

/// An insecure Deployment: privileged, and missing what the safe fixes add.
const INSECURE: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
";

/// The same Deployment, hardened; clean only together with `ACCOUNT` and `POLICY`, which are
/// in other files.
const FIXED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: web
          image: nginx:1.27.0@sha256:0000000000000000000000000000000000000000000000000000000000000000
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
          livenessProbe: {httpGet: {path: /live, port: 8080}}
          ports: [{containerPort: 8080}]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {memory: 128Mi}
";
const ACCOUNT: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
automountServiceAccountToken: false
";
const POLICY: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress}}}]
";

/// A tool the test needs: `None` skips the test (with a message), except under `CI=true`,
/// where `.ci/run` installs it and its absence is a failure.
fn required<T>(what: &str, found: Option<T>) -> Option<T> {
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{what} is missing; .ci/run installs it"
        );
        eprintln!("skipped: {what} is missing (.ci/run installs it)");
    }
    found
}

/// pre-commit: `K8SEC_PRE_COMMIT`, else on `PATH`.
fn pre_commit() -> Option<PathBuf> {
    let found = std::env::var_os("K8SEC_PRE_COMMIT")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join("pre-commit"))
                .find(|p| p.is_file())
        });
    required("pre-commit (K8SEC_PRE_COMMIT)", found)
}

/// Runs `program args…` in `dir` with git isolated from the user's configuration, offline
/// cargo and pip, and pre-commit's cache in `home`.
fn run(program: &Path, dir: &Path, args: &[&str], home: &Path, extra: &[(&str, &str)]) -> Output {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", manifest_dir().join("target/ci-release"))
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
        .env("PIP_NO_INDEX", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("NO_COLOR", "1");
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().expect("the program runs")
}

fn git(dir: &Path, args: &[&str]) {
    let output = run(
        Path::new("git"),
        dir,
        &[
            &[
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ],
            args,
        ]
        .concat(),
        dir,
        &[],
    );
    assert!(output.status.success(), "git {args:?}: {output:?}");
}

/// A temporary Git repository holding this crate's files as they are now, committed.
fn hook_repo() -> Option<tempfile::TempDir> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(manifest_dir())
        .output()
        .ok()
        .filter(|o| o.status.success());
    let listed = required("a Git checkout of the crate", listed)?;
    let copy = tempfile::tempdir().unwrap();
    for path in String::from_utf8_lossy(&listed.stdout).split('\0') {
        let from = manifest_dir().join(path);
        if path.is_empty() || !from.is_file() {
            continue; // deleted in the work tree, not yet in the index
        }
        let to = copy.path().join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    git(copy.path(), &["init", "-q"]);
    git(copy.path(), &["add", "-A"]);
    git(copy.path(), &["commit", "-q", "-m", "k8sec as it is"]);
    Some(copy)
}

/// A repository to commit to: the insecure Deployment, its ServiceAccount and NetworkPolicy in
/// other files, all staged.
fn project(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![
        ("app/web.yaml", INSECURE),
        ("rbac/account.yaml", ACCOUNT),
        ("net/policy.yaml", POLICY),
    ];
    files.extend_from_slice(extra);
    let dir = repo(&files);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    dir
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_rust_hooks_fail_on_a_finding_fix_and_pass_once_fixed() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let Some(hooks) = hook_repo() else { return };
    let hooks = hooks.path().to_str().unwrap();
    let project = project(&[]);
    let home = tempfile::tempdir().unwrap();
    let dir = project.path();

    // Both hooks (`k8sec`, then `k8sec-fix`) on every file: the report fails with the finding;
    // the fix hook writes the safe fixes (a seccomp profile) and fails on what is left.
    let output = run(
        &pre_commit,
        dir,
        &["try-repo", hooks, "--all-files", "--color", "never"],
        home.path(),
        &[],
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("error[privileged-container]: container `web` runs privileged"),
        "{out}"
    );
    assert!(out.contains("app/web.yaml:18:25"), "{out}");
    assert!(out.contains("files were modified by this hook"), "{out}");
    let fixed = std::fs::read_to_string(dir.join("app/web.yaml")).unwrap();
    assert!(fixed.contains("type: RuntimeDefault"), "{fixed}");

    // Fixed, and only that file passed: the hook still sees the ServiceAccount and the
    // NetworkPolicy (linted alone, the file has three cross-resource findings).
    std::fs::write(dir.join("app/web.yaml"), FIXED).unwrap();
    git(dir, &["add", "-A"]);
    let output = run(
        &pre_commit,
        dir,
        &[
            "try-repo",
            hooks,
            "--files",
            "app/web.yaml",
            "--color",
            "never",
        ],
        home.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

/// The wheel `.ci/run` built: `K8SEC_WHEEL_DIR`.
fn wheel_dir() -> Option<PathBuf> {
    let found = std::env::var_os("K8SEC_WHEEL_DIR")
        .map(PathBuf::from)
        .filter(|dir| {
            std::fs::read_dir(dir).is_ok_and(|mut entries| {
                entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".whl")))
            })
        });
    required("the k8sec wheel (K8SEC_WHEEL_DIR)", found)
}

/// The hook the README gives for machines without Rust.
const WHEEL_HOOK: &str = "repos:
  - repo: local
    hooks:
      - id: k8sec
        name: k8sec
        language: python
        additional_dependencies: [k8sec]
        entry: k8sec lint --context .
        types_or: [yaml, json]
        require_serial: true
";

#[test]
fn the_wheel_hook_fails_on_a_finding_and_passes_once_fixed() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let Some(wheels) = wheel_dir() else { return };
    let project = project(&[(".pre-commit-config.yaml", WHEEL_HOOK)]);
    let home = tempfile::tempdir().unwrap();
    let dir = project.path();
    let links = [("PIP_FIND_LINKS", wheels.to_str().unwrap())];

    let output = run(
        &pre_commit,
        dir,
        &["run", "--all-files", "--color", "never"],
        home.path(),
        &links,
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("error[privileged-container]"), "{out}");

    std::fs::write(dir.join("app/web.yaml"), FIXED).unwrap();
    git(dir, &["add", "-A"]);
    let output = run(
        &pre_commit,
        dir,
        &["run", "--files", "app/web.yaml", "--color", "never"],
        home.path(),
        &links,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}
