//! End-to-end tests: the `k8sec` binary run as a process.

use std::path::Path;
use std::process::Output;

mod common;
use common::{k8sec, k8sec_stdin, manifest_dir, repo, stderr, stdout, PRIVILEGED};

const CLEAN: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
";

fn lint_concise(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "lint",
        "--format",
        "concise",
        "--select",
        "privileged-container",
    ];
    args.extend_from_slice(extra);
    k8sec(dir, &args)
}

#[test]
fn exit_code_is_0_without_findings_and_1_with_findings() {
    let clean = repo(&[("ok.yaml", CLEAN)]);
    let out = lint_concise(clean.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");

    let bad = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = lint_concise(bad.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "pod.yaml:10:21: error[privileged-container] container `web` runs privileged\n"
    );
}

#[test]
fn exit_code_2_for_unreadable_paths_bad_config_and_unknown_checks() {
    let dir = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = k8sec(dir.path(), &["lint", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.yaml"), "{}", stderr(&out));

    let out = k8sec(dir.path(), &["lint", "--select", "no-such-check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown check `no-such-check`"));

    let out = k8sec(dir.path(), &["lint", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn config_errors_name_the_key_and_its_line() {
    let dir = repo(&[
        ("pod.yaml", PRIVILEGED),
        (
            ".k8sec.toml",
            "profile = \"baseline\"\n\nselekt = [\"privileged-container\"]\n",
        ),
    ]);
    let out = k8sec(dir.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".k8sec.toml") && err.contains("line 3") && err.contains("selekt"),
        "{err}"
    );

    let dir = repo(&[(
        ".k8sec.toml",
        "[severity]\nprivileged-container = \"fatal\"\n",
    )]);
    let out = k8sec(dir.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".k8sec.toml:2"), "{}", stderr(&out));

    let dir = repo(&[(".k8sec.toml", "\nkubernetes-version = \"latest\"\n")]);
    let out = k8sec(dir.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".k8sec.toml:2: `kubernetes-version`"),
        "{}",
        stderr(&out)
    );

    let dir = repo(&[(".k8sec.toml", "ignore = [\"privileged-containers\"]\n")]);
    let out = k8sec(dir.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown check `privileged-containers`"));
}

#[test]
fn config_file_selects_severity_and_threshold() {
    let dir = repo(&[
        ("pod.yaml", PRIVILEGED),
        (
            ".k8sec.toml",
            "select = [\"privileged-container\"]\nfail-on = \"error\"\n\n[severity]\nprivileged-container = \"warning\"\n",
        ),
    ]);
    let out = k8sec(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning is below fail-on = error"
    );
    assert!(stdout(&out).contains("warning[privileged-container]"));

    let out = k8sec(
        dir.path(),
        &["lint", "--format", "concise", "--fail-on", "warning"],
    );
    assert_eq!(out.status.code(), Some(1), "the flag overrides the file");

    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let out = k8sec(&sub, &["lint", "--format", "concise", ".."]);
    assert!(
        stdout(&out).contains("warning[privileged-container]"),
        "found upward"
    );
}

#[test]
fn json_output_follows_the_contract() {
    let dir = repo(&[("deploy/pod.yaml", PRIVILEGED), ("ok.yaml", CLEAN)]);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--select",
            "privileged-container",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    let finding = &json["findings"][0];
    assert_eq!(finding["check"], "privileged-container");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["file"], "deploy/pod.yaml");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(10), Some(21))
    );
    assert_eq!(
        (finding["end_line"].as_u64(), finding["end_column"].as_u64()),
        (Some(10), Some(25))
    );
    assert_eq!(finding["object"]["apiVersion"], "v1");
    assert_eq!(finding["object"]["kind"], "Pod");
    assert_eq!(finding["object"]["namespace"], "default");
    assert_eq!(finding["object"]["name"], "web");
    assert_eq!(finding["container"], "web");
    assert_eq!(finding["related"], serde_json::json!([]));
    assert_eq!(finding["fix"]["applicability"], "unsafe");
    assert_eq!(finding["fix"]["edits"][0]["replacement"], "false");
    assert_eq!(
        json["summary"],
        serde_json::json!({"files": 2, "resources": 2, "findings": 1, "suppressed": 0})
    );
}

#[test]
fn human_output_shows_the_snippet_and_a_summary() {
    let dir = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = k8sec(dir.path(), &["lint", "--select", "privileged-container"]);
    let text = stdout(&out);
    assert!(
        text.contains("error[privileged-container]: container `web` runs privileged"),
        "{text}"
    );
    assert!(text.contains("┌─ pod.yaml:10:21"), "{text}");
    assert!(text.contains("privileged: true"), "{text}");
    assert!(text.contains("in Pod `default/web`"), "{text}");
    assert!(
        text.contains("Found 1 finding (1 error, 0 warnings, 0 info) in 1 file"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no color when not a terminal");

    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "--select",
            "privileged-container",
            "--color",
            "always",
        ],
    );
    assert!(stdout(&out).contains('\u{1b}'), "--color always colors");

    let out = k8sec(
        dir.path(),
        &["lint", "--select", "privileged-container", "-q"],
    );
    assert!(
        !stdout(&out).contains("Found 1 finding"),
        "-q drops the summary"
    );
}

#[test]
fn stdin_is_linted_under_the_given_name() {
    let dir = repo(&[]);
    let out = k8sec_stdin(
        dir.path(),
        &[
            "lint",
            "-",
            "--format",
            "concise",
            "--select",
            "privileged-container",
            "--stdin-filename",
            "k8s/pod.yaml",
        ],
        Some(PRIVILEGED),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "k8s/pod.yaml:10:21: error[privileged-container] container `web` runs privileged\n"
    );
    let out = k8sec_stdin(
        dir.path(),
        &["lint", "-", "--format", "concise"],
        Some("a: [\n"),
    );
    assert!(
        stdout(&out).starts_with("<stdin>:2:1: error[invalid-yaml]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn annotation_and_comment_suppressions() {
    let annotated = PRIVILEGED.replace(
        "  name: web\n",
        "  name: web\n  annotations:\n    ignore-check.k8sec.io/privileged-container: \"needs /dev access\"\n",
    );
    let commented = PRIVILEGED.replace(
        "        privileged: true\n",
        "        # k8sec-ignore: privileged-container loads kernel modules\n        privileged: true\n",
    );
    let same_line = PRIVILEGED.replace(
        "privileged: true\n",
        "privileged: true # k8sec-ignore: host-pid,privileged-container reason\n",
    );
    let other_id = PRIVILEGED.replace(
        "privileged: true\n",
        "privileged: true # k8sec-ignore: host-pid reason\n",
    );
    let dir = repo(&[
        ("a.yaml", &annotated),
        ("b.yaml", &commented),
        ("c.yaml", &same_line),
        ("d.yaml", &other_id),
    ]);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--select",
            "privileged-container",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["d.yaml"]);
    assert_eq!(json["summary"]["suppressed"], 3);
}

#[test]
fn per_path_ignores_and_excludes() {
    let dir = repo(&[
        ("legacy/pod.yaml", PRIVILEGED),
        ("vendor/pod.yaml", PRIVILEGED),
        ("apps/pod.yaml", PRIVILEGED),
        (
            ".k8sec.toml",
            "exclude = [\"vendor\"]\n[per-path-ignores]\n\"legacy/**\" = [\"privileged-container\"]\n",
        ),
    ]);
    let out = lint_concise(dir.path(), &[]);
    assert_eq!(
        stdout(&out),
        "apps/pod.yaml:10:21: error[privileged-container] container `web` runs privileged\n"
    );
}

#[test]
fn ignore_files_are_honoured_but_named_files_always_read() {
    let dir = repo(&[
        ("a/pod.yaml", PRIVILEGED),
        ("b/pod.yaml", PRIVILEGED),
        ("c/pod.yaml", PRIVILEGED),
        ("d/pod.txt", PRIVILEGED),
        (".gitignore", "a/\n"),
        (".k8secignore", "b/\n"),
    ]);
    let out = lint_concise(dir.path(), &[]);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    assert!(stdout(&out).starts_with("c/pod.yaml"));
    let out = lint_concise(dir.path(), &["a/pod.yaml", "d/pod.txt"]);
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

#[test]
fn helm_charts_are_skipped_with_one_note_and_never_invalid() {
    let dir = repo(&[
        ("chart/Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n"),
        ("chart/values.yaml", "replicas: 1\n"),
        (
            "chart/templates/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {{ toYaml . }}\n{{- end }}\n",
        ),
        ("pod.yaml", CLEAN),
    ]);
    let out = k8sec(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert_eq!(err.matches("Helm chart skipped").count(), 1, "{err}");
    assert!(err.contains("chart"), "{err}");
}

#[test]
fn kustomize_patches_and_non_objects_are_not_linted_as_resources() {
    let patch = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      securityContext:\n        privileged: true\n";
    let dir = repo(&[
        (
            "overlay/kustomization.yaml",
            "resources:\n  - ../base\npatches:\n  - path: patch.yaml\npatchesStrategicMerge:\n  - sm.yaml\n",
        ),
        ("overlay/patch.yaml", patch),
        ("overlay/sm.yaml", patch),
        ("values.yaml", "image:\n  tag: latest\n"),
    ]);
    let out = k8sec(dir.path(), &["lint", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]), "{}", stdout(&out));
    assert_eq!(json["summary"]["resources"], 0);
}

#[test]
fn invalid_files_are_reported_once_and_the_run_goes_on() {
    let dir = repo(&[
        ("bad.yaml", "a: [1,\n"),
        ("pod.yaml", PRIVILEGED),
        ("empty.json", ""),
    ]);
    std::fs::write(dir.path().join("binary.yaml"), b"kind: Pod\n\xff\xfe\x00").unwrap();
    let out = lint_concise(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("bad.yaml:2:1: error[invalid-yaml]"), "{text}");
    assert!(
        text.contains("binary.yaml:2:1: error[invalid-yaml] invalid YAML: file is not valid UTF-8"),
        "{text}"
    );
    assert!(
        text.contains("pod.yaml:10:21: error[privileged-container]"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let corpus = manifest_dir().join("../shared/corpus");
    let target = if corpus.is_dir() {
        corpus
    } else {
        manifest_dir().join("testdata")
    };
    let target = target.to_str().unwrap();
    let one = k8sec(
        Path::new("."),
        &["lint", "--format", "json", "-j", "1", target],
    );
    let two = k8sec(
        Path::new("."),
        &["lint", "--format", "json", "-j", "2", target],
    );
    assert!(!one.stdout.is_empty());
    assert_eq!(stdout(&one), stdout(&two));
}

#[test]
fn checks_and_explain_list_and_document_every_check() {
    let dir = repo(&[]);
    let out = k8sec(dir.path(), &["checks", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"privileged-container"));
    assert_eq!(ids.len(), k8sec::checks::CHECKS.len());

    let out = k8sec(dir.path(), &["checks"]);
    assert!(stdout(&out)
        .lines()
        .any(|l| l.starts_with("privileged-container") && l.contains("baseline")));

    let out = k8sec(dir.path(), &["explain", "privileged-container"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("# privileged-container"));
    assert!(text.contains("## Why it matters") && text.contains("```yaml"));

    let out = k8sec(dir.path(), &["explain", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn profiles_select_pod_security_levels() {
    let dir = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = k8sec(
        dir.path(),
        &["lint", "--format", "concise", "--profile", "baseline"],
    );
    assert!(stdout(&out).contains("privileged-container"));
    assert!(
        !stdout(&out).contains("run-as-root"),
        "restricted checks are not baseline"
    );
    let out = k8sec(
        dir.path(),
        &["lint", "--format", "concise", "--profile", "restricted"],
    );
    assert!(stdout(&out).contains("run-as-root"), "{}", stdout(&out));
    assert!(
        !stdout(&out).contains("latest-image-tag"),
        "not a Pod Security Standards check"
    );
}

#[test]
fn the_example_repo_shows_findings_of_several_severities() {
    let root = manifest_dir();
    let out = k8sec(root, &["lint", "--format", "json", "testdata/example"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let severities: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(
        severities.into_iter().collect::<Vec<_>>(),
        ["error", "info", "warning"]
    );
}
