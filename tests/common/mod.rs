//! What the integration tests share: running the `k8sec` binary, temporary repositories, and
//! finding the real-world corpus and a helm binary.
//!
//! Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A Pod whose container runs privileged (`privileged-container` fires on line 10).
pub const PRIVILEGED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
";

/// The crate's directory (where `testdata/` is).
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `k8sec args…` in `dir`, without color, with an empty stdin.
pub fn k8sec(dir: &Path, args: &[&str]) -> Output {
    k8sec_stdin(dir, args, None)
}

/// Runs `k8sec args…` in `dir`, without color, with `stdin` piped in.
pub fn k8sec_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_k8sec"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run k8sec");
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// A run's stdout, which must be UTF-8.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// A run's stderr, which must be UTF-8.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A run's stdout read as JSON; on failure the panic shows both streams.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A temporary directory holding `files` (path, text), with their directories.
pub fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Copies the directory tree `from` to `to` (a fixture into a temporary directory).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The real-world corpus: `K8SEC_CORPUS`, else `../shared/corpus` next to the crate; `None`
/// (with a message) when it is not there, and the test skips.
pub fn corpus() -> Option<PathBuf> {
    let path = std::env::var_os("K8SEC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../shared/corpus"));
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "skipped: no corpus at {} (set K8SEC_CORPUS)",
            path.display()
        );
        None
    }
}

/// A helm binary: `K8SEC_HELM` (a path), else `helm` on `PATH`.
pub fn helm() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("K8SEC_HELM").map(PathBuf::from) {
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("helm"))
        .find(|p| p.is_file())
}

/// [`helm`] for a test that needs one: `None` (with a message) skips the test, except under
/// `CI=true`, where `.ci/run` installs helm and a missing one is a failure.
pub fn helm_or_skip(test: &str) -> Option<PathBuf> {
    let helm = helm();
    if helm.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{test}: no helm binary (set K8SEC_HELM); CI installs one"
        );
        eprintln!("skipped {test}: no helm binary (set K8SEC_HELM or put helm on PATH)");
    }
    helm
}
