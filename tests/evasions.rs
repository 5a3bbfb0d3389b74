//! A manifest cannot hide from k8sec what Kubernetes will run (issue 9, §1): each test is one
//! way YAML readers disagree, written so that the cluster runs a privileged container or a pod
//! in the host's PID namespace. k8sec, run as a process with `--profile baseline`, must report
//! it, or report `invalid-yaml` where the Kubernetes reader refuses the file. The differential
//! tests (tests/reader.rs) check the same inputs against the real reader.

mod common;

use common::{json, k8sec, repo};

/// `(check, line)` of every finding of `k8sec lint --profile baseline` on one file.
fn findings(name: &str, text: &[u8]) -> Vec<(String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let out = k8sec(
        dir.path(),
        &["lint", ".", "--profile", "baseline", "--format", "json"],
    );
    let report = json(&out);
    let mut found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

fn has(found: &[(String, u64)], check: &str, line: u64) -> bool {
    found.iter().any(|(c, l)| c == check && *l == line)
}

const POD_HEAD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000
";

#[test]
fn a_line_break_go_yaml_knows_ends_a_comment() {
    // U+2028, U+2029 and U+0085 end a line for go-yaml: what follows is a key, not a comment.
    for (name, brk) in [("LS", "\u{2028}"), ("PS", "\u{2029}"), ("NEL", "\u{85}")] {
        let text = format!(
            "{POD_HEAD}    securityContext:\n      runAsNonRoot: true # harmless{brk}      privileged: true\n"
        );
        let found = findings("pod.yaml", text.as_bytes());
        // Lines are counted as go-yaml counts them: the hidden key is on line 11.
        assert!(has(&found, "privileged-container", 11), "{name}: {found:?}");
    }
}

#[test]
fn standard_tags_resolve_as_the_kubernetes_reader_resolves_them() {
    let text = format!(
        "{}    securityContext:\n      privileged: !!bool \"true\"\n  hostPID: !!bool yes\n  hostIPC: !<tag:yaml.org,2002:bool> true\n  hostNetwork: !!str true\n",
        POD_HEAD
    );
    let found = findings("pod.yaml", text.as_bytes());
    assert!(has(&found, "privileged-container", 10), "{found:?}");
    assert!(has(&found, "host-pid", 11), "{found:?}");
    assert!(has(&found, "host-ipc", 12), "{found:?}");
    // `!!str true` is the string "true": the API server refuses it for a boolean.
    assert!(!found.iter().any(|(c, _)| c == "host-network"), "{found:?}");
}

#[test]
fn a_binary_key_is_the_key_it_decodes_to() {
    // `cHJpdmlsZWdlZA==` is base64 for `privileged`.
    let text = format!("{POD_HEAD}    securityContext:\n      !!binary cHJpdmlsZWdlZA==: true\n");
    let found = findings("pod.yaml", text.as_bytes());
    assert!(has(&found, "privileged-container", 10), "{found:?}");
}

#[test]
fn no_fix_makes_a_container_privileged_through_a_tag_invalid() {
    // The API server refuses `allowPrivilegeEscalation: false` next to `privileged: true`:
    // the fix is withheld when `privileged` is true through a tag, as when it is plain.
    let dir = repo(&[(
        "pod.yaml",
        &format!("{POD_HEAD}    securityContext:\n      privileged: !!bool true\n"),
    )]);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            ".",
            "--select",
            "privilege-escalation-allowed",
            "--diff",
            "--unsafe-fixes",
        ],
    );
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(!diff.contains("allowPrivilegeEscalation"), "{diff}");
}

#[test]
fn merge_keys_apply_as_yaml_v2_applies_them() {
    // A key written before a merge is overridden by it; merges nest; the first of a list wins.
    let text = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
  - name: base
    image: busybox:1.36@sha256:0000000000000000000000000000000000000000000000000000000000000000
    securityContext: &base
      privileged: false
  containers:
  - name: override
    image: busybox:1.36@sha256:0000000000000000000000000000000000000000000000000000000000000000
    securityContext:
      privileged: false
      <<: {privileged: true}
  - name: nested
    image: busybox:1.36@sha256:0000000000000000000000000000000000000000000000000000000000000000
    securityContext: &inner
      <<: {<<: {privileged: true}}
  - name: list
    image: busybox:1.36@sha256:0000000000000000000000000000000000000000000000000000000000000000
    securityContext:
      <<: [*inner, *base]
";
    let found = findings("pod.yaml", text.as_bytes());
    let privileged: Vec<u64> = found
        .iter()
        .filter(|(c, _)| c == "privileged-container")
        .map(|(_, l)| *l)
        .collect();
    // Each finding is on the value that wins (in the merged mapping).
    assert_eq!(privileged, [16, 20, 20], "{found:?}");
}

#[test]
fn lists_in_lists_and_bare_list_items_are_objects() {
    let text = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: List
  items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: nested}
    spec:
      hostPID: true
      containers: [{name: a, image: busybox}]
- apiVersion: v1
  kind: PodList
  items:
  - metadata: {name: bare}
    spec:
      hostPID: true
      containers: [{name: a, image: busybox}]
";
    let found = findings("list.yaml", text.as_bytes());
    assert!(has(&found, "host-pid", 11), "{found:?}");
    assert!(has(&found, "host-pid", 18), "{found:?}");
}

#[test]
fn characters_the_kubernetes_reader_refuses_are_invalid_yaml_not_the_end_of_the_file() {
    // Before: yaml-rust2 ended the stream at the NUL and the run said "No findings".
    for bad in ["\0", "\u{1}", "\u{7f}", "\u{80}", "\u{fffe}"] {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n{POD_HEAD}    # {bad}\n    securityContext:\n      privileged: true\n"
        );
        let found = findings("pod.yaml", text.as_bytes());
        // The document holding it is refused (kubectl refuses it), at the character's line.
        assert_eq!(
            found,
            [("invalid-yaml".to_string(), 14)],
            "{:?}",
            bad.escape_unicode().to_string()
        );
    }
}

#[test]
fn text_kubectl_skips_does_not_hide_the_documents_after_it() {
    // go-yaml reads one document between two `---` lines and skips the rest: kubectl applies
    // the Pod after the skipped lines. k8sec reads it too, and reports the skipped text.
    let text = format!(
        "  note: indented\nskipped: by kubectl\n---\n{POD_HEAD}    securityContext:\n      privileged: true\n"
    );
    let found = findings("pod.yaml", text.as_bytes());
    assert!(has(&found, "invalid-yaml", 2), "{found:?}");
    assert!(has(&found, "privileged-container", 13), "{found:?}");
}

#[test]
fn lone_cr_line_endings_report_the_right_line() {
    let text =
        format!("{POD_HEAD}    securityContext:\n      privileged: true\n").replace('\n', "\r");
    let found = findings("pod.yaml", text.as_bytes());
    assert!(has(&found, "privileged-container", 10), "{found:?}");
}

#[test]
fn a_quoted_flow_item_closing_at_the_block_indentation_is_read() {
    // Issue 12: kubectl, kustomize and PyYAML read this; it used to be `invalid-yaml`.
    let text = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostPID: true
  containers:
  - name: web
    image: busybox
    args: [\"sh\", \"-c\", \"
      echo hello
    \"]
";
    let found = findings("pod.yaml", text.as_bytes());
    assert_eq!(found, [("host-pid".to_string(), 6)], "{found:?}");
}

#[test]
fn invalid_yaml_help_names_kubectl_only_where_it_is_true() {
    // It used to promise that kubectl "shows the same error": not so for skipped text, nor for
    // the wording and line of most errors.
    let out = k8sec(std::path::Path::new("."), &["explain", "invalid-yaml"]);
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    assert!(!text.contains("shows the same error"), "{text}");
    assert!(text.contains("kubectl reports nothing"), "{text}");
}
