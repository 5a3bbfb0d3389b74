//! Autofix tests: golden files for every YAML edit helper and for every check's fix, the apply
//! loop (conflicts, convergence, idempotence, safety), fixes seen through Kustomize builds,
//! `--fix` / `--diff` end to end, and the real-world corpus.
//!
//! Golden cases live in `testdata/fix/<helper>/<case>.yaml` (or `.json`), each with its
//! expected result `<case>.fixed.yaml`, compared byte for byte. The edit each case makes is in
//! [`golden_cases`]. Cases in `testdata/fix/withheld/` must produce no edit at all. The cases
//! of `testdata/fix/checks/<id>/` are fixed by the check itself, as `--fix --unsafe-fixes`
//! would ([`every_wired_fix_matches_its_golden_files`]). Run with `K8SEC_BLESS=1` to
//! (re)write the expected files, then review them with `git diff`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use k8sec::config::{Config, Overrides};
use k8sec::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use k8sec::fix::{apply_fixes, unified_diff, Editor, FixMode, Value};
use k8sec::fix_workspace;
use k8sec::model::{Container, PodSpec, Resource};
use k8sec::source::Origin;
use k8sec::yaml::{FileId, NodeRef};
use k8sec::Workspace;

mod common;
use common::{k8sec, k8sec_stdin, manifest_dir, repo};

// ---- golden files for the edit helpers ------------------------------------------------------

type Op = fn(&Editor<'_>, &[Resource]) -> Option<Vec<Edit>>;

fn pod(resources: &[Resource], index: usize) -> PodSpec<'_> {
    PodSpec::of(&resources[index]).expect("a pod spec")
}

fn container(resources: &[Resource], index: usize) -> Container<'_> {
    pod(resources, 0)
        .containers()
        .nth(index)
        .expect("a container")
}

fn node<'a>(from: NodeRef<'a>, path: &[&str]) -> NodeRef<'a> {
    from.path(path).unwrap_or_else(|| panic!("no {path:?}"))
}

/// The edits of several helper calls together (each must succeed).
fn all(parts: Vec<Option<Vec<Edit>>>) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    for part in parts {
        edits.extend(part?);
    }
    Some(edits)
}

const SC_APE: &[&str] = &["securityContext", "allowPrivilegeEscalation"];
const SECCOMP: &[&str] = &["securityContext", "seccompProfile", "type"];
const DROP: &[&str] = &["securityContext", "capabilities", "drop"];

fn golden_cases() -> Vec<(&'static str, Op)> {
    vec![
        ("replace/privileged.yaml", |e, r| {
            e.replace(
                node(container(r, 0).node, &["securityContext", "privileged"]),
                false,
            )
        }),
        ("replace/api-version-double-quoted.yaml", |e, r| {
            e.replace(node(r[0].root(), &["apiVersion"]), "networking.k8s.io/v1")
        }),
        ("replace/api-version-single-quoted.yaml", |e, r| {
            e.replace(node(r[0].root(), &["apiVersion"]), "networking.k8s.io/v1")
        }),
        ("replace/seccomp-type-in-flow.yaml", |e, r| {
            e.set_path(pod(r, 0).spec, SECCOMP, "RuntimeDefault")
        }),
        ("set/block-2-space.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("set/block-4-space.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("set/replace-existing.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("set/flow-mapping.yaml", |e, r| {
            e.set_path(
                container(r, 0).node,
                &["securityContext", "runAsNonRoot"],
                true,
            )
        }),
        ("set/flow-mapping-multiline.yaml", |e, r| {
            all(vec![
                e.set_path(container(r, 0).node, SC_APE, false),
                e.set_path(container(r, 1).node, SC_APE, false),
            ])
        }),
        ("set/pod-level-automount.yaml", |e, r| {
            e.set(pod(r, 0).spec, "automountServiceAccountToken", false)
        }),
        ("set/null-value.yaml", |e, r| {
            all(vec![
                e.set_path(container(r, 0).node, SC_APE, false),
                e.set(container(r, 0).node, "readOnlyRootFilesystem", true),
                e.set_path(container(r, 1).node, SC_APE, false),
            ])
        }),
        ("set/block-scalar-last.yaml", |e, r| {
            e.set_path(
                container(r, 0).node,
                &["securityContext", "readOnlyRootFilesystem"],
                true,
            )
        }),
        ("set/after-flow-with-trailing-comma.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("remove/flow-value-with-trailing-comma.yaml", |e, r| {
            e.remove(pod(r, 0).spec, "hostAliases")
        }),
        ("set/no-final-newline.yaml", |e, r| {
            e.set_path(
                container(r, 0).node,
                &["securityContext", "runAsNonRoot"],
                true,
            )
        }),
        ("set/json-file.json", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        (
            "set-path/container-without-security-context-indented.yaml",
            |e, r| e.set_path(container(r, 0).node, SC_APE, false),
        ),
        (
            "set-path/container-without-security-context-not-indented.yaml",
            |e, r| e.set_path(container(r, 0).node, SC_APE, false),
        ),
        (
            "set-path/container-without-security-context-4-space.yaml",
            |e, r| e.set_path(container(r, 0).node, SC_APE, false),
        ),
        ("set-path/flow-container.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("set-path/seccomp-pod-level.yaml", |e, r| {
            e.set_path(pod(r, 0).spec, SECCOMP, "RuntimeDefault")
        }),
        ("set-path/seccomp-into-existing-pod-context.yaml", |e, r| {
            e.set_path(pod(r, 0).spec, SECCOMP, "RuntimeDefault")
        }),
        ("set-path/empty-flow-security-context.yaml", |e, r| {
            e.set_path(pod(r, 0).spec, SECCOMP, "RuntimeDefault")
        }),
        ("set-path/placeholder-resources.yaml", |e, r| {
            let path = &["resources", "requests", "cpu"];
            all(vec![
                e.set_path(container(r, 0).node, path, "<set-me>"),
                e.set_path(container(r, 1).node, path, "<set-me>"),
            ])
        }),
        ("set-path/json-new-security-context.json", |e, r| {
            all(vec![
                e.set_path(container(r, 0).node, SC_APE, false),
                e.set_path(container(r, 1).node, SC_APE, false),
            ])
        }),
        ("ensure-item/create-capabilities.yaml", |e, r| {
            e.ensure_item(container(r, 0).node, DROP, "ALL")
        }),
        ("ensure-item/block-sequence.yaml", |e, r| {
            e.ensure_item(container(r, 0).node, DROP, "ALL")
        }),
        ("ensure-item/flow-sequence.yaml", |e, r| {
            all(vec![
                e.ensure_item(container(r, 0).node, DROP, "ALL"),
                e.ensure_item(container(r, 1).node, DROP, "ALL"),
            ])
        }),
        ("ensure-item/sequence-not-indented.yaml", |e, r| {
            e.ensure_item(container(r, 0).node, DROP, "ALL")
        }),
        ("remove/block-entry.yaml", |e, r| {
            e.remove(pod(r, 0).spec, "hostNetwork")
        }),
        ("remove/flow-entry.yaml", |e, r| {
            all(vec![
                e.remove(
                    node(container(r, 0).node, &["securityContext"]),
                    "privileged",
                ),
                e.remove(
                    node(container(r, 1).node, &["securityContext"]),
                    "privileged",
                ),
            ])
        }),
        ("remove/first-key-of-item.yaml", |e, r| {
            let port = container(r, 0).node.get("ports")?.items().next()?;
            e.remove(port, "hostPort")
        }),
        ("rename/service-account.yaml", |e, r| {
            e.rename_key(pod(r, 0).spec, "serviceAccount", "serviceAccountName")
        }),
        ("rename/quoted-key.json", |e, r| {
            e.rename_key(pod(r, 0).spec, "serviceAccount", "serviceAccountName")
        }),
        ("encoding/crlf.yaml", |e, r| {
            all(vec![
                e.replace(
                    node(container(r, 0).node, &["securityContext", "privileged"]),
                    false,
                ),
                e.set_path(container(r, 1).node, SC_APE, false),
            ])
        }),
        ("encoding/bom.yaml", |e, r| {
            e.set(r[0].root(), "automountServiceAccountToken", false)
        }),
        ("encoding/bom-crlf.yaml", |e, r| {
            all(vec![
                e.set_path(node(r[0].root(), &["metadata"]), &["labels", "app"], "web"),
                e.rename_key(pod(r, 0).spec, "serviceAccount", "serviceAccountName"),
                e.set_path(container(r, 0).node, SC_APE, false),
                e.set(pod(r, 0).spec, "automountServiceAccountToken", false),
            ])
        }),
        ("encoding/non-ascii.yaml", |e, r| {
            all(vec![
                e.replace(
                    node(container(r, 0).node, &["securityContext", "privileged"]),
                    false,
                ),
                e.set_path(container(r, 0).node, SC_APE, false),
                e.set(
                    node(r[0].root(), &["metadata", "annotations"]),
                    "équipe",
                    "paiements ✓",
                ),
            ])
        }),
        ("encoding/tabs-in-comments.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("encoding/multi-document.yaml", |e, r| {
            let web = PodSpec::of(&r[1])?.containers().next()?;
            e.set_path(web.node, SC_APE, false)
        }),
    ]
}

/// Edits that must be withheld (`None`): each would change more than asked or is unsure.
fn withheld_cases() -> Vec<(&'static str, Op)> {
    vec![
        ("withheld/anchored-security-context.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("withheld/anchored-security-context.yaml", |e, r| {
            e.set_path(container(r, 1).node, SC_APE, false)
        }),
        ("withheld/anchored-value.yaml", |e, r| {
            e.replace(
                node(container(r, 0).node, &["securityContext", "privileged"]),
                false,
            )
        }),
        ("withheld/anchored-value.yaml", |e, r| {
            e.replace(
                node(container(r, 1).node, &["securityContext", "privileged"]),
                false,
            )
        }),
        ("withheld/anchored-value.yaml", |e, r| {
            e.set_path(
                container(r, 1).node,
                &["securityContext", "privileged"],
                false,
            )
        }),
        ("withheld/tagged-value.yaml", |e, r| {
            e.set_path(
                container(r, 0).node,
                &["securityContext", "privileged"],
                false,
            )
        }),
        ("withheld/kept-block-scalar.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("withheld/duplicate-keys.yaml", |e, r| {
            e.set_path(
                container(r, 0).node,
                &["securityContext", "privileged"],
                false,
            )
        }),
        ("withheld/scalar-where-mapping-expected.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("withheld/flow-with-comment-inside.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, false)
        }),
        ("withheld/merge-key.yaml", |e, r| {
            e.set_path(
                container(r, 1).node,
                &["securityContext", "privileged"],
                false,
            )
        }),
        ("withheld/merge-key.yaml", |e, r| {
            e.set_path(
                container(r, 0).node,
                &["securityContext", "privileged"],
                false,
            )
        }),
        // Nothing to change: the value is already there.
        ("set/replace-existing.yaml", |e, r| {
            e.set_path(container(r, 0).node, SC_APE, true)
        }),
        ("ensure-item/block-sequence.yaml", |e, r| {
            e.ensure_item(container(r, 0).node, DROP, "NET_RAW")
        }),
        ("remove/block-entry.yaml", |e, r| {
            e.remove(pod(r, 0).spec, "hostIPC")
        }),
        // The new key is already there.
        ("remove/block-entry.yaml", |e, r| {
            e.rename_key(pod(r, 0).spec, "hostNetwork", "hostPID")
        }),
    ]
}

fn fixture(case: &str) -> PathBuf {
    manifest_dir().join("testdata/fix").join(case)
}

fn expected_path(input: &Path) -> PathBuf {
    let ext = input.extension().unwrap().to_str().unwrap();
    input.with_extension(format!("fixed.{ext}"))
}

fn load_text(path: &Path, text: &str) -> Workspace {
    k8sec::load_source(path.to_path_buf(), text.to_string(), Origin::File)
}

fn run_op(path: &Path, text: &str, op: Op) -> (Workspace, Option<Vec<Edit>>) {
    let ws = load_text(path, text);
    assert!(
        ws.parse_errors.is_empty(),
        "{}: {:?}",
        path.display(),
        ws.parse_errors
    );
    let resources: Vec<Resource> = ws.resources().cloned().collect();
    let edits = op(&Editor::new(&ws.sources), &resources);
    (ws, edits)
}

fn apply(text: &str, edits: Vec<Edit>) -> String {
    let fix = Fix::new(Applicability::Safe, "test", edits).expect("edits that do not overlap");
    let applied = apply_fixes(text, FileId(0), [&fix]);
    assert_eq!(applied.applied, 1);
    applied.text
}

/// Kind, namespace and name of every object, in order: what a fix must never change.
fn identities(ws: &Workspace) -> Vec<(String, Option<String>, String)> {
    ws.resources()
        .map(|r| (r.kind.clone(), r.namespace.clone(), r.name.clone()))
        .collect()
}

#[test]
fn edit_helpers_match_their_golden_files_byte_for_byte() {
    let bless = std::env::var_os("K8SEC_BLESS").is_some();
    let mut failures = Vec::new();
    for (case, op) in golden_cases() {
        let path = fixture(case);
        let text = std::fs::read_to_string(&path).unwrap();
        let (before, edits) = run_op(&path, &text, op);
        let Some(edits) = edits else {
            failures.push(format!("{case}: the fix was withheld"));
            continue;
        };
        let fixed = apply(&text, edits);
        let expected = expected_path(&path);
        if bless {
            std::fs::write(&expected, &fixed).unwrap();
        }
        let want = std::fs::read_to_string(&expected).unwrap_or_default();
        if fixed != want {
            failures.push(format!(
                "{case}: differs from {}:\n{}",
                expected.display(),
                unified_diff(case, &want, &fixed)
            ));
            continue;
        }
        // The result parses, holds the same objects, and the same edit again changes nothing.
        let (after, again) = run_op(&path, &fixed, op);
        assert_eq!(identities(&before), identities(&after), "{case}");
        if let Some(again) = again {
            failures.push(format!("{case}: not idempotent: {again:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Golden files per check: each `testdata/fix/checks/<id>/<case>.yaml` (or `.json`) is linted
/// with only `<id>` selected and fixed as `--fix --unsafe-fixes` would fix it; for a check
/// whose fix is display-only, its suggestions are applied instead (all of them that fit in one
/// pass), to show what they suggest. The result must equal `<case>.fixed.yaml` byte for byte,
/// parse, keep its documents and objects, differ from the input only inside the edits, and
/// leave nothing to fix. Every check with a fix has such a directory. `K8SEC_BLESS=1` rewrites
/// the expected files.
#[test]
fn every_wired_fix_matches_its_golden_files() {
    let bless = std::env::var_os("K8SEC_BLESS").is_some();
    let root = fixture("checks");
    let mut failures = Vec::new();
    for doc in k8sec::docs::DOCS
        .iter()
        .filter(|d| d.fix != k8sec::docs::FixAvailability::None)
    {
        let cases = golden_inputs(&root.join(doc.id));
        if cases.is_empty() {
            failures.push(format!("{}: no golden files in {}", doc.id, root.display()));
        }
        let config = config(&[doc.id]);
        let display_only = doc.fix == k8sec::docs::FixAvailability::DisplayOnly;
        for input in cases {
            let case = input.strip_prefix(&root).unwrap().display().to_string();
            let text = std::fs::read_to_string(&input).unwrap();
            let ws = load_text(&input, &text);
            assert!(ws.parse_errors.is_empty(), "{case}: {:?}", ws.parse_errors);
            let result = k8sec::lint(&ws, &config);
            // A lint that writes no edits (for outputs that print none) finds the same
            // findings with the same fixes, edits aside.
            let located = k8sec::lint_without_edits(&ws, &config);
            assert_eq!(located.findings, without_edits(&result.findings), "{case}");
            let (fixed, rounds) = if display_only {
                let fixes: Vec<&Fix> = result
                    .findings
                    .iter()
                    .filter_map(|f| f.fix.as_ref())
                    .collect();
                let applied = apply_fixes(&text, FileId(0), fixes);
                (applied.text, vec![applied.edits])
            } else {
                match fix_workspace(&ws, &result, &config, UNSAFE).pop() {
                    Some(file) => {
                        for warning in &file.warnings {
                            failures.push(format!("{case}: {warning}"));
                        }
                        (file.text, file.rounds)
                    }
                    None => (text.clone(), Vec::new()),
                }
            };
            let expected = expected_path(&input);
            if bless {
                std::fs::write(&expected, &fixed).unwrap();
            }
            let want = std::fs::read_to_string(&expected).unwrap_or_default();
            if fixed != want {
                failures.push(format!(
                    "{case}: differs from {}:\n{}",
                    expected.display(),
                    unified_diff(&case, &want, &fixed)
                ));
                continue;
            }
            if replay(&text, &rounds) != fixed {
                failures.push(format!("{case}: bytes changed outside the edits"));
            }
            let after = load_text(&input, &fixed);
            if !after.parse_errors.is_empty() {
                failures.push(format!(
                    "{case}: no longer parses: {:?}",
                    after.parse_errors
                ));
                continue;
            }
            if identities(&after) != identities(&ws)
                || documents(&input, &fixed) != documents(&input, &text)
            {
                failures.push(format!("{case}: documents or objects changed"));
            }
            if !display_only {
                let left = k8sec::lint(&after, &config);
                if !fix_workspace(&after, &left, &config, UNSAFE).is_empty() {
                    failures.push(format!("{case}: fixing again changes it"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The golden inputs of a directory: `*.yaml` and `*.json` files that are not expected files.
/// `findings` with their fixes' edits taken off.
fn without_edits(findings: &[Finding]) -> Vec<Finding> {
    let mut findings = findings.to_vec();
    for fix in findings.iter_mut().filter_map(|f| f.fix.as_mut()) {
        fix.edits.clear();
    }
    findings
}

fn golden_inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            (name.ends_with(".yaml") || name.ends_with(".json")) && !name.contains(".fixed.")
        })
        .collect();
    files.sort();
    files
}

/// A locating editor (`k8sec lint` with outputs that print no edits) answers as the writing
/// one does, helper by helper, on every golden and withheld case: edits at the same places, or
/// none.
#[test]
fn a_locating_editor_finds_the_fixes_the_writing_one_makes() {
    let mut compared = 0;
    for (case, op) in golden_cases().into_iter().chain(withheld_cases()) {
        let path = fixture(case);
        let text = std::fs::read_to_string(&path).unwrap();
        let ws = load_text(&path, &text);
        let resources: Vec<Resource> = ws.resources().cloned().collect();
        let places = |edits: Option<Vec<Edit>>| -> Option<Vec<_>> {
            edits.map(|edits| edits.into_iter().map(|e| e.span).collect())
        };
        let written = places(op(&Editor::new(&ws.sources), &resources));
        let located = places(op(&Editor::locating(&ws.sources), &resources));
        assert_eq!(written, located, "{case}");
        compared += usize::from(written.is_some());
    }
    assert!(compared > 30, "{compared} fixes compared");
}

#[test]
fn unsure_edits_are_withheld() {
    for (case, op) in withheld_cases() {
        let path = fixture(case);
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, edits) = run_op(&path, &text, op);
        assert!(edits.is_none(), "{case}: {edits:?}");
    }
}

#[test]
fn push_item_appends_to_block_and_flow_sequences() {
    let text = "a:\n  - x # first\n  - y\nb: [x, y]\nc: []\n";
    let path = Path::new("list.yaml");
    let ws = load_text(path, text);
    let doc = ws.units[0].resources.first().map(|r| r.root());
    assert!(doc.is_none(), "not an object");
    // Not an object: reach the tree through a wrapper object.
    let text = format!("apiVersion: v1\nkind: X\nmetadata: {{name: n}}\n{text}");
    let ws = load_text(path, &text);
    let root = ws.resources().next().unwrap().root();
    let e = Editor::new(&ws.sources);
    let edits = all(vec![
        e.push_item(root.get("a").unwrap(), "z"),
        e.push_item(root.get("b").unwrap(), "z"),
        e.push_item(root.get("c").unwrap(), Value::map([("k", "v")])),
    ])
    .unwrap();
    assert_eq!(
        apply(&text, edits),
        "apiVersion: v1\nkind: X\nmetadata: {name: n}\na:\n  - x # first\n  - y\n  - z\nb: [x, y, z]\nc: [{k: v}]\n"
    );
}

#[test]
fn strings_that_would_change_type_are_quoted() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x\n";
    let path = Path::new("c.yaml");
    let ws = load_text(path, text);
    let root = ws.resources().next().unwrap().root();
    let data = root.get("data").unwrap();
    let e = Editor::new(&ws.sources);
    let edits = all(vec![
        e.set(data, "b", "true"),
        e.set(data, "c", "1.0"),
        e.set(data, "d", "plain text"),
    ]);
    // Three insertions at one point are one multi-line insertion in practice; apply them one by one.
    let mut out = text.to_string();
    for edit in edits.unwrap() {
        out = apply(&out, vec![edit]);
    }
    assert!(out.contains("  b: \"true\"\n"), "{out}");
    assert!(out.contains("  c: \"1.0\"\n"), "{out}");
    assert!(out.contains("  d: plain text\n"), "{out}");
}

// ---- the apply loop -------------------------------------------------------------------------

const PRIVILEGED_TWICE: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
    - name: debug
      image: busybox:1.36
      securityContext: {privileged: yes}
";

fn config(select: &[&str]) -> Config {
    let overrides = Overrides {
        select: Some(select.iter().map(|s| s.to_string()).collect()),
        ..Overrides::default()
    };
    Config::load(None, &overrides).unwrap()
}

const UNSAFE: FixMode = FixMode { unsafe_fixes: true };

/// A finding carrying a hand-made fix, to drive the loop with fixes no check produces.
fn synthetic(ws: &Workspace, start: usize, end: usize, replacement: &str) -> Finding {
    let span = k8sec::yaml::Span::new(
        FileId(0),
        k8sec::text::TextRange::new(start as u32, end as u32),
    );
    let mut finding = Finding::new("privileged-container", Severity::Error, span, "x".into());
    finding.fix = Fix::new(
        Applicability::Safe,
        "synthetic",
        vec![Edit::replace(span, replacement)],
    );
    assert!(ws.sources.len() == 1);
    finding
}

#[test]
fn fixes_apply_in_one_round_and_a_second_run_changes_nothing() {
    let config = config(&["privileged-container"]);
    let ws = load_text(Path::new("pod.yaml"), PRIVILEGED_TWICE);
    let result = k8sec::lint(&ws, &config);
    assert_eq!(result.findings.len(), 2);
    assert!(
        fix_workspace(&ws, &result, &config, FixMode::default()).is_empty(),
        "unsafe fixes need --unsafe-fixes"
    );
    let fixed = fix_workspace(&ws, &result, &config, UNSAFE);
    assert_eq!(fixed.len(), 1);
    assert_eq!((fixed[0].applied, fixed[0].rounds.len()), (2, 1));
    assert_eq!(
        fixed[0].text,
        PRIVILEGED_TWICE
            .replace("privileged: true", "privileged: false")
            .replace("privileged: yes", "privileged: false")
    );
    // Re-linted, the findings are gone and nothing is left to fix.
    let ws = load_text(Path::new("pod.yaml"), &fixed[0].text);
    let result = k8sec::lint(&ws, &config);
    assert!(result.findings.is_empty(), "{:?}", result.findings);
    assert!(fix_workspace(&ws, &result, &config, UNSAFE).is_empty());
}

/// A Pod written as one line of JSON: every fix adds an entry at the end of the container's
/// or the pod spec's object, two of them the same `"securityContext"`. They land in one
/// round, as one `"securityContext"` each.
#[test]
fn entries_added_to_one_json_object_land_in_one_round() {
    let config = config(&[
        "capabilities-not-dropped",
        "writable-root-filesystem",
        "automount-service-account-token",
        "missing-seccomp-profile",
    ]);
    let text = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}"#;
    let ws = load_text(Path::new("pod.json"), text);
    let result = k8sec::lint(&ws, &config);
    assert_eq!(result.findings.len(), 4, "{:?}", result.findings);
    let fixed = fix_workspace(&ws, &result, &config, UNSAFE);
    assert_eq!((fixed[0].applied, fixed[0].rounds.len()), (4, 1));
    assert_eq!(
        fixed[0].text,
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true}}], "automountServiceAccountToken": false, "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}}"#
    );
    let ws = load_text(Path::new("pod.json"), &fixed[0].text);
    assert!(k8sec::lint(&ws, &config).findings.is_empty());
}

#[test]
fn a_fix_overlapping_an_earlier_one_waits_for_the_next_round() {
    let config = config(&["privileged-container"]);
    let ws = load_text(Path::new("pod.yaml"), PRIVILEGED_TWICE);
    let mut result = k8sec::lint(&ws, &config);
    // Rewrites the whole `privileged: true` line, which contains the check's own edit.
    let line = PRIVILEGED_TWICE.find("        privileged: true").unwrap();
    let end = line + "        privileged: true".len();
    result.findings.push(synthetic(
        &ws,
        line,
        end,
        "        privileged: true # reviewed",
    ));
    let fixed = fix_workspace(&ws, &result, &config, UNSAFE);
    assert_eq!(
        (fixed[0].applied, fixed[0].rounds.len()),
        (3, 2),
        "{:?}",
        fixed[0]
    );
    assert!(fixed[0]
        .text
        .contains("        privileged: false # reviewed\n"));
    assert!(fixed[0].text.contains("{privileged: false}"));
}

#[test]
fn adjacent_fixes_apply_together() {
    let config = config(&["privileged-container"]);
    let ws = load_text(Path::new("pod.yaml"), PRIVILEGED_TWICE);
    let mut result = k8sec::lint(&ws, &config);
    let at = PRIVILEGED_TWICE.find("true").unwrap();
    // Ends exactly where the check's edit of `true` starts.
    result.findings.push(synthetic(&ws, at - 2, at, ":  "));
    let fixed = fix_workspace(&ws, &result, &config, UNSAFE);
    assert_eq!((fixed[0].applied, fixed[0].rounds.len()), (3, 1));
    assert!(
        fixed[0].text.contains("privileged:  false\n"),
        "{}",
        fixed[0].text
    );
}

#[test]
fn a_round_that_would_break_the_file_is_thrown_away() {
    let config = config(&["privileged-container"]);
    let ws = load_text(Path::new("pod.yaml"), PRIVILEGED_TWICE);
    let mut result = k8sec::lint(&ws, &config);
    result.findings.push(synthetic(&ws, 0, 0, "[\n"));
    let fixed = fix_workspace(&ws, &result, &config, UNSAFE);
    assert_eq!(fixed[0].text, PRIVILEGED_TWICE);
    assert_eq!(fixed[0].applied, 0);
    assert!(
        fixed[0].warnings[0].contains("invalid YAML"),
        "{:?}",
        fixed[0].warnings
    );

    // Renaming the object is not a fix either.
    let mut result = k8sec::lint(&ws, &config);
    let at = PRIVILEGED_TWICE.find("web").unwrap();
    result.findings.push(synthetic(&ws, at, at + 3, "api"));
    let fixed = fix_workspace(&ws, &result, &config, UNSAFE);
    assert_eq!(fixed[0].text, PRIVILEGED_TWICE);
    assert!(
        fixed[0].warnings[0].contains("which objects"),
        "{:?}",
        fixed[0].warnings
    );
}

#[test]
fn files_that_fail_to_parse_are_never_fixed() {
    // The first document has a finding with a fix; the second is broken.
    let text = format!("{PRIVILEGED_TWICE}---\nkey: [unclosed\n");
    let config = config(&["privileged-container"]);
    let ws = load_text(Path::new("pod.yaml"), &text);
    assert!(!ws.parse_errors.is_empty());
    let result = k8sec::lint(&ws, &config);
    assert!(result.findings.iter().any(|f| f.fix.is_some()));
    assert!(fix_workspace(&ws, &result, &config, UNSAFE).is_empty());
}

#[test]
fn display_only_fixes_are_never_applied() {
    let config = config(&["privileged-container"]);
    let ws = load_text(Path::new("pod.yaml"), PRIVILEGED_TWICE);
    let mut result = k8sec::lint(&ws, &config);
    for finding in &mut result.findings {
        if let Some(fix) = &mut finding.fix {
            fix.applicability = Applicability::DisplayOnly;
        }
    }
    assert!(fix_workspace(&ws, &result, &config, UNSAFE).is_empty());
}

// ---- the command line ---------------------------------------------------------------------

const PRIVILEGED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true # needed?
";

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const SELECT: [&str; 3] = ["lint", "--select", "privileged-container"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = SELECT.to_vec();
    args.extend_from_slice(extra);
    args
}

#[test]
fn diff_shows_the_change_and_writes_nothing() {
    let dir = repo(&[("apps/pod.yaml", PRIVILEGED)]);
    let out = k8sec_stdin(dir.path(), &args(&["--diff", "--unsafe-fixes"]), None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "--- a/apps/pod.yaml
+++ b/apps/pod.yaml
@@ -7,4 +7,4 @@
     - name: web
       image: nginx:1.27
       securityContext:
-        privileged: true # needed?
+        privileged: false # needed?
"
    );
    assert!(text(&out.stderr).contains("Would fix 1 finding in 1 file."));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("apps/pod.yaml")).unwrap(),
        PRIVILEGED
    );
    // Without --unsafe-fixes there is nothing to apply: no diff, exit 0.
    let out = k8sec_stdin(dir.path(), &args(&["--diff"]), None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn fix_writes_reports_what_is_left_and_a_second_run_changes_nothing() {
    let dir = repo(&[("pod.yaml", PRIVILEGED), ("twice.yaml", PRIVILEGED_TWICE)]);
    let out = k8sec_stdin(dir.path(), &args(&["--fix"]), None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "only unsafe fixes: nothing applied"
    );
    assert!(text(&out.stdout).contains("Fixed 0 findings in 0 files. Found 3 findings"));
    assert!(text(&out.stdout).contains("3 fixable with `--fix --unsafe-fixes`"));

    let out = k8sec_stdin(dir.path(), &args(&["--fix", "--unsafe-fixes"]), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "Fixed 3 findings in 2 files. No findings in 2 files (2 objects).\n"
    );
    let fixed = std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap();
    assert_eq!(fixed, PRIVILEGED.replace("true", "false"));

    let out = k8sec_stdin(dir.path(), &args(&["--fix", "--unsafe-fixes"]), None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("Fixed 0 findings in 0 files."));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap(),
        fixed
    );
}

/// A run whose outputs print no edits finds its fixes without writing them: its human report
/// is the same as that of a run that also writes JSON (which writes them), and the JSON has
/// the edits.
#[test]
fn reports_without_edits_say_the_same_as_with_them() {
    let example = manifest_dir().join("testdata/example");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let json_arg = json.to_str().unwrap();
    let example_arg = example.to_str().unwrap();
    let alone = k8sec(dir.path(), &["lint", example_arg, "--format", "human"]);
    let with_json = k8sec(
        dir.path(),
        &[
            "lint",
            example_arg,
            "--format",
            "human",
            "--format",
            "json",
            "-o",
            json_arg,
        ],
    );
    assert_eq!(text(&alone.stdout), text(&with_json.stdout));
    assert!(text(&alone.stdout).contains("fixable with `--fix`"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let edits = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["fix"]["edits"].as_array())
        .filter(|edits| !edits.is_empty())
        .count();
    assert!(edits > 0, "{report}");
}

#[test]
fn json_carries_the_fix_and_the_count_of_fixes_applied() {
    let dir = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = k8sec_stdin(dir.path(), &args(&["--format", "json"]), None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let at = PRIVILEGED.find("true").unwrap();
    assert_eq!(
        json["findings"][0]["fix"],
        serde_json::json!({
            "applicability": "unsafe",
            "description": "set `privileged: false`",
            "edits": [{"file": "pod.yaml", "start_byte": at, "end_byte": at + 4, "replacement": "false"}],
            "reason": "the container may rely on privileged mode (devices, kernel modules, mounts)",
        })
    );
    assert!(json["summary"].get("fixed").is_none());

    let out = k8sec_stdin(
        dir.path(),
        &args(&["--format", "json", "--fix", "--unsafe-fixes"]),
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["fixed"], 1);
    assert_eq!(json["findings"], serde_json::json!([]));
}

#[test]
fn human_output_marks_fixable_findings() {
    let dir = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = k8sec_stdin(dir.path(), &SELECT, None);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("= fix (unsafe): set `privileged: false`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("; 1 fixable with `--fix --unsafe-fixes`."),
        "{stdout}"
    );
}

#[test]
fn diff_and_fix_agree_exactly() {
    let crlf = PRIVILEGED_TWICE.replace('\n', "\r\n");
    let no_newline = PRIVILEGED.trim_end();
    let files = [
        ("a.yaml", PRIVILEGED),
        ("b/crlf.yaml", crlf.as_str()),
        ("c.yaml", no_newline),
        (
            "d.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        ),
    ];
    let dir = repo(&files);
    let out = k8sec_stdin(dir.path(), &args(&["--diff", "--unsafe-fixes"]), None);
    let diff = text(&out.stdout);
    let patched = apply_unified_diff(&files, &diff);
    let out = k8sec_stdin(dir.path(), &args(&["--fix", "--unsafe-fixes"]), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for (path, original) in files {
        let on_disk = std::fs::read_to_string(dir.path().join(path)).unwrap();
        let want = patched.get(path).map_or(original, String::as_str);
        assert_eq!(on_disk, want, "{path}");
    }
    assert_eq!(patched.len(), 3, "{diff}");
}

/// `--diff` and `--fix` agree exactly with every check selected and every fix wired, on every
/// golden input of `testdata/fix/checks` (CRLF, BOM, JSON, flow style, files without a final
/// newline…), where the fixes of several checks meet in one container; and a second `--fix`
/// changes nothing.
#[test]
fn diff_and_fix_agree_on_every_wired_fix() {
    let root = fixture("checks");
    let mut owned: Vec<(String, String)> = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        for input in golden_inputs(&dir) {
            let path = input.strip_prefix(&root).unwrap().display().to_string();
            owned.push((path, std::fs::read_to_string(&input).unwrap()));
        }
    }
    let files: Vec<(&str, &str)> = owned
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = repo(&files);
    let all = ["lint", "--select", "all"];
    let out = k8sec_stdin(
        dir.path(),
        &[&all[..], &["--diff", "--unsafe-fixes"]].concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let diff = text(&out.stdout);
    let patched = apply_unified_diff(&files, &diff);
    let out = k8sec_stdin(
        dir.path(),
        &[
            &all[..],
            &["--fix", "--unsafe-fixes", "--format", "concise"],
        ]
        .concat(),
        None,
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("Fixed ") && !stderr.contains("k8sec:"),
        "{stderr}"
    );
    for (path, original) in &files {
        let on_disk = std::fs::read_to_string(dir.path().join(path)).unwrap();
        let want = patched.get(*path).map_or(*original, String::as_str);
        assert_eq!(on_disk, want, "{path}");
    }
    assert!(patched.len() > 20, "{diff}");
    // A second run: nothing to fix, nothing written, and the diff is empty.
    let out = k8sec_stdin(
        dir.path(),
        &[
            &all[..],
            &["--fix", "--unsafe-fixes", "--format", "concise"],
        ]
        .concat(),
        None,
    );
    assert!(
        text(&out.stderr).starts_with("Fixed 0 findings in 0 files."),
        "{}",
        text(&out.stderr)
    );
    for (path, original) in &files {
        let on_disk = std::fs::read_to_string(dir.path().join(path)).unwrap();
        let want = patched.get(*path).map_or(*original, String::as_str);
        assert_eq!(on_disk, want, "{path}");
    }
    let out = k8sec_stdin(
        dir.path(),
        &[&all[..], &["--diff", "--unsafe-fixes"]].concat(),
        None,
    );
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );
}

/// Applies a unified diff (as `--diff` prints it) to the original texts: a small `patch -p1`.
fn apply_unified_diff(files: &[(&str, &str)], diff: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut lines = diff.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let Some(old_path) = line.strip_prefix("--- a/") else {
            continue;
        };
        let path = old_path.trim_end().to_string();
        assert!(lines.next().unwrap().starts_with("+++ b/"));
        let original = files.iter().find(|(p, _)| *p == path).unwrap().1;
        let old_lines: Vec<&str> = original.split_inclusive('\n').collect();
        let mut result = String::new();
        let mut next_old = 0; // index of the next old line not yet copied
        while let Some(hunk) = lines.next_if(|l| l.starts_with("@@")) {
            // `@@ -start[,len] +start[,len] @@`
            let ranges: Vec<(usize, usize)> = hunk
                .split(' ')
                .skip(1)
                .take(2)
                .map(|r| {
                    let mut parts = r[1..].split(',').map(|n| n.parse::<usize>().unwrap());
                    let start = parts.next().unwrap();
                    (start, parts.next().unwrap_or(1))
                })
                .collect();
            let (old_start, mut old_left) = ranges[0];
            let mut new_left = ranges[1].1;
            let old_start = if old_left == 0 {
                old_start
            } else {
                old_start - 1
            };
            result.extend(old_lines[next_old..old_start].iter().copied());
            next_old = old_start;
            let mut last_added: Option<usize> = None;
            while old_left + new_left > 0 || lines.peek().is_some_and(|l| l.starts_with('\\')) {
                let body = lines.next().unwrap();
                let content = &body[1..];
                match body.as_bytes()[0] {
                    b' ' => {
                        result.push_str(old_lines[next_old]);
                        next_old += 1;
                        old_left -= 1;
                        new_left -= 1;
                        last_added = None;
                    }
                    b'-' => {
                        next_old += 1;
                        old_left -= 1;
                        last_added = None;
                    }
                    b'+' => {
                        last_added = Some(result.len() + content.len());
                        result.push_str(content);
                        new_left -= 1;
                    }
                    _ => {
                        // "\ No newline at end of file": the line before has no line break.
                        if let Some(end) = last_added {
                            if result[..end].ends_with('\n') {
                                result.truncate(end - 1);
                            }
                        }
                    }
                }
            }
        }
        result.extend(old_lines[next_old..].iter().copied());
        out.insert(path, result);
    }
    out
}

#[test]
fn stdin_fix_prints_the_fixed_text_and_reports_on_stderr() {
    let dir = repo(&[]);
    let out = k8sec_stdin(
        dir.path(),
        &args(&[
            "--fix",
            "--unsafe-fixes",
            "-",
            "--stdin-filename",
            "k8s/pod.yaml",
        ]),
        Some(PRIVILEGED),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), PRIVILEGED.replace("true", "false"));
    assert!(
        text(&out.stderr).contains("Fixed 1 finding in 1 file."),
        "{}",
        text(&out.stderr)
    );

    // Nothing to fix, or a stream that does not parse: the input comes back unchanged.
    for input in [PRIVILEGED, "a: [\n"] {
        let out = k8sec_stdin(dir.path(), &args(&["--fix", "-"]), Some(input));
        assert_eq!(text(&out.stdout), input);
        assert_eq!(out.status.code(), Some(1));
    }
}

#[test]
fn a_file_that_fails_to_parse_is_left_untouched() {
    let broken = format!("{PRIVILEGED}---\nkey: [unclosed\n");
    let dir = repo(&[("broken.yaml", &broken), ("ok.yaml", PRIVILEGED)]);
    let out = k8sec_stdin(dir.path(), &args(&["--fix", "--unsafe-fixes"]), None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.yaml")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ok.yaml")).unwrap(),
        PRIVILEGED.replace("true", "false")
    );
    assert!(text(&out.stdout).contains("invalid-yaml"));
}

#[test]
fn a_read_only_file_is_an_error_and_the_others_are_still_fixed() {
    let dir = repo(&[
        ("a.yaml", PRIVILEGED),
        ("b.yaml", PRIVILEGED),
        ("c.yaml", PRIVILEGED),
    ]);
    let locked = dir.path().join("b.yaml");
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&locked, permissions).unwrap();
    let out = k8sec_stdin(
        dir.path(),
        &args(&["--fix", "--unsafe-fixes", "--format", "concise"]),
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("k8sec: error: b.yaml: cannot write the fixed file: the file is read-only"),
        "{stderr}"
    );
    assert!(stderr.contains("Fixed 2 findings in 2 files."), "{stderr}");
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), PRIVILEGED);
    // What is left is reported: the finding in the file that could not be written.
    assert_eq!(
        text(&out.stdout),
        "b.yaml:10:21: error[privileged-container] container `web` runs privileged\n"
    );
    for name in ["a.yaml", "c.yaml"] {
        let fixed = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(fixed, PRIVILEGED.replace("true", "false"), "{name}");
    }
}

#[test]
fn unsafe_fixes_alone_is_a_usage_error() {
    let dir = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = k8sec_stdin(dir.path(), &args(&["--unsafe-fixes"]), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`--unsafe-fixes` applies with `--fix` or `--diff`"));
}

/// The diffs the README shows for the example repo are what k8sec prints on it.
#[test]
fn the_readme_shows_the_diffs_k8sec_prints_on_the_example() {
    let root = manifest_dir();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut shown = 0;
    for block in readme.split("```\n$ k8sec ").skip(1) {
        let (command, rest) = block.split_once('\n').unwrap();
        if !command.contains("--diff") {
            continue;
        }
        let printed = &rest[..rest.find("```").unwrap()];
        let args: Vec<&str> = command.split(' ').collect();
        let out = k8sec_stdin(root, &args, None);
        assert_eq!(
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
            printed,
            "k8sec {command}"
        );
        shown += 1;
    }
    assert_eq!(shown, 2);
}

#[test]
fn rendered_helm_output_carries_no_fix() {
    // Rendered output is linted under its templates' paths, but it is not their text: a fix
    // there is one `--fix` could never apply.
    let rendered = format!("---\n# Source: web/templates/pod.yaml\n{PRIVILEGED}");
    let dir = repo(&[]);
    let out = k8sec_stdin(
        dir.path(),
        &args(&["--format", "json", "-"]),
        Some(&rendered),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["findings"][0]["file"], "web/templates/pod.yaml",
        "{json}"
    );
    assert_eq!(json["findings"][0]["fix"], serde_json::Value::Null);
}

// ---- fixes seen through a Kustomize build ----------------------------------------------------

const KUSTOMIZATION: &str = "resources:\n  - deployment.yaml\n";

fn deployment(security_context: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
{security_context}"
    )
}

const REMOVE_SECURITY_CONTEXT: &str = "resources:
  - ../base
patches:
  - target: {kind: Deployment, name: web}
    patch: |-
      - op: remove
        path: /spec/template/spec/containers/0/securityContext
";

const APE: [&str; 3] = ["lint", "--select", "privilege-escalation-allowed"];

#[test]
fn a_setting_an_overlay_removes_is_not_added_again_to_its_base() {
    // The base sets it; the overlay removes it: the finding is the overlay's, and adding the
    // key to the base again would write a second `securityContext:` into it.
    let base =
        deployment("          securityContext:\n            allowPrivilegeEscalation: false\n");
    let dir = repo(&[
        ("base/kustomization.yaml", KUSTOMIZATION),
        ("base/deployment.yaml", &base),
        ("overlay/kustomization.yaml", REMOVE_SECURITY_CONTEXT),
    ]);
    let out = k8sec_stdin(
        dir.path(),
        &[&APE[..], &["--format", "json"]].concat(),
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["fix"], serde_json::Value::Null, "{json}");
    let out = k8sec_stdin(dir.path(), &[&APE[..], &["--diff"]].concat(), None);
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn a_base_is_fixed_once_for_all_the_overlays_that_build_it() {
    let base = deployment("");
    let overlay = "resources:\n  - ../base\nnamePrefix: prod-\n";
    let dir = repo(&[
        ("base/kustomization.yaml", KUSTOMIZATION),
        ("base/deployment.yaml", &base),
        ("prod/kustomization.yaml", overlay),
        ("staging/kustomization.yaml", overlay),
    ]);
    let out = k8sec_stdin(dir.path(), &[&APE[..], &["--fix"]].concat(), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let fixed = std::fs::read_to_string(dir.path().join("base/deployment.yaml")).unwrap();
    assert_eq!(
        fixed,
        deployment("          securityContext:\n            allowPrivilegeEscalation: false\n")
    );
    let out = k8sec_stdin(dir.path(), &[&APE[..], &["--diff"]].concat(), None);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );
}

#[test]
fn an_alias_a_build_expands_is_not_edited_through() {
    // A build copies the anchored mapping into both containers; editing the copy would edit
    // the anchor, and with it the other container.
    let base = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext: &sc
        runAsNonRoot: true
    - name: sidecar
      image: busybox:1.36
      securityContext: *sc
";
    let dir = repo(&[
        ("base/kustomization.yaml", "resources:\n  - pod.yaml\n"),
        ("base/pod.yaml", base),
    ]);
    let ws = load_dir(dir.path());
    assert!(
        matches!(
            ws.units.last().map(|u| &u.kind),
            Some(k8sec::UnitKind::Kustomize { .. })
        ),
        "{:?}",
        ws.units.iter().map(|u| &u.kind).collect::<Vec<_>>()
    );
    let config = config(&["privilege-escalation-allowed"]);
    let result = k8sec::lint(&ws, &config);
    assert_eq!(result.findings.len(), 2);
    assert!(
        result.findings.iter().all(|f| f.fix.is_none()),
        "{:?}",
        result.findings
    );
}

#[test]
fn stacked_entries_let_an_overlay_only_finding_be_fixed_in_one_run() {
    // Only the overlay's build lacks the container's seccomp profile: the pod-level fix goes
    // into the base together with `automountServiceAccountToken`, at the same point, in one
    // round (a second round lints the base alone, where the finding does not show).
    let base = deployment(
        "          securityContext:\n            seccompProfile: {type: RuntimeDefault}\n",
    )
    .trim_end()
    .to_string();
    let dir = repo(&[
        ("base/kustomization.yaml", KUSTOMIZATION),
        ("base/deployment.yaml", &base),
        ("overlay/kustomization.yaml", REMOVE_SECURITY_CONTEXT),
    ]);
    let select = [
        "lint",
        "--select",
        "missing-seccomp-profile,automount-service-account-token",
        "--fix",
        "--unsafe-fixes",
    ];
    let out = k8sec_stdin(dir.path(), &select, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let fixed = std::fs::read_to_string(dir.path().join("base/deployment.yaml")).unwrap();
    assert_eq!(
        fixed,
        format!(
            "{base}\n      automountServiceAccountToken: false\n      securityContext:\n        \
             seccompProfile:\n          type: RuntimeDefault\n"
        )
    );
    let out = k8sec_stdin(dir.path(), &select, None);
    assert!(
        text(&out.stdout).starts_with("Fixed 0 findings"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_patch_is_fixed_only_for_what_the_build_reported() {
    // The patch adds an init container and sets an env var of `web`. Read alone it would be a
    // Deployment whose `web` has no securityContext; built, `web` is the base's container.
    let patch = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
      containers:
        - name: web
          env:
            - {name: MODE, value: prod}
";
    let dir = repo(&[
        ("base/kustomization.yaml", KUSTOMIZATION),
        ("base/deployment.yaml", &deployment("")),
        (
            "overlay/kustomization.yaml",
            "resources:\n  - ../base\npatches:\n  - path: patch.yaml\n",
        ),
        ("overlay/patch.yaml", patch),
    ]);
    let out = k8sec_stdin(dir.path(), &[&APE[..], &["--fix"]].concat(), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("overlay/patch.yaml")).unwrap(),
        patch.replace(
            "          image: busybox:1.36\n",
            "          image: busybox:1.36\n          securityContext:\n            \
             allowPrivilegeEscalation: false\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("base/deployment.yaml")).unwrap(),
        deployment("          securityContext:\n            allowPrivilegeEscalation: false\n")
    );
}

#[test]
fn an_api_version_a_kustomization_may_build_is_not_changed() {
    // The overlay's patch finds the Role by its apiVersion: a base moved to `v1` alone would
    // no longer take it, and the build would fail.
    let role = "apiVersion: rbac.authorization.k8s.io/v1beta1
kind: Role
metadata:
  name: reader
rules: []
";
    let patch = "apiVersion: rbac.authorization.k8s.io/v1beta1
kind: Role
metadata:
  name: reader
rules:
  - apiGroups: [\"\"]
    resources: [pods]
    verbs: [get]
";
    let dir = repo(&[
        ("base/kustomization.yaml", "resources:\n  - role.yaml\n"),
        ("base/role.yaml", role),
        (
            "overlay/kustomization.yaml",
            "resources:\n  - ../base\npatches:\n  - path: role-patch.yaml\n",
        ),
        ("overlay/role-patch.yaml", patch),
        ("plain/role.yaml", role),
    ]);
    let select = ["lint", "--select", "deprecated-api-version", "--diff"];
    let out = k8sec_stdin(dir.path(), &select, None);
    assert_eq!(
        text(&out.stdout),
        "--- a/plain/role.yaml\n+++ b/plain/role.yaml\n@@ -1,4 +1,4 @@\n\
         -apiVersion: rbac.authorization.k8s.io/v1beta1\n\
         +apiVersion: rbac.authorization.k8s.io/v1\n kind: Role\n metadata:\n   name: reader\n"
    );
}

// ---- the real-world corpus ----------------------------------------------------------------

/// The corpus, canonical, so paths the loader normalises (Kustomize sources) share its prefix.
fn corpus_dir() -> Option<PathBuf> {
    common::corpus()?.canonicalize().ok()
}

fn load_dir(dir: &Path) -> Workspace {
    k8sec::load(
        &k8sec::Inputs {
            paths: vec![dir.to_path_buf()],
            stdin: None,
            ..Default::default()
        },
        &k8sec::source::WalkOptions::default(),
    )
}

/// Copies the directory tree `from` into `to` (regular files and directories only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Kind and name of every document of `text`, in order (`None` for a document that is not an
/// object): what fixing a file must keep.
fn documents(path: &Path, text: &str) -> Option<Vec<Option<(String, String)>>> {
    let index = k8sec::text::LineIndex::new(text);
    let stream = k8sec::yaml::parse_stream(text, FileId(0), &index);
    if stream.error.is_some() {
        return None;
    }
    let _ = path;
    Some(
        stream
            .documents
            .iter()
            .map(|d| {
                let root = d.tree.root();
                let kind = root.str_at("kind")?;
                let name = root.path(&["metadata", "name"]).and_then(|n| n.as_str());
                Some((kind.to_string(), name.unwrap_or("").to_string()))
            })
            .collect(),
    )
}

/// Every file of the corpus that parses, with every fix applied (`--unsafe-fixes` included):
/// it still parses, has the same documents with the same kinds and names (and the same objects
/// in them), is unchanged outside the edits, and, once the fixed corpus is loaded again (with
/// its Kustomize builds), no finding in a file that can be fixed still carries a fix that
/// `--fix --unsafe-fixes` would apply. Prints, per fixable check, the findings, the fixes
/// offered and applied, and what was withheld; `K8SEC_FIX_WITHHELD=1` lists the findings
/// left without a fix. Skipped when the corpus is absent (`K8SEC_CORPUS` overrides
/// `../shared/corpus`).
#[test]
fn fixing_the_corpus_keeps_every_file_sound() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let config = config(&["all"]);
    let ws = load_dir(&corpus);
    let result = k8sec::lint(&ws, &config);
    let with_fix = result.findings.iter().filter(|f| f.fix.is_some()).count();
    let fixed = fix_workspace(&ws, &result, &config, UNSAFE);
    let applied: usize = fixed.iter().map(|f| f.applied).sum();
    let mut problems = Vec::new();
    for file in &fixed {
        let source = ws.sources.get(file.file);
        let path = source.display_path();
        for warning in &file.warnings {
            problems.push(format!("{path}: {warning}"));
        }
        let after = k8sec::load_source(
            source.path.clone(),
            file.text.clone(),
            source.origin.clone(),
        );
        if !after.parse_errors.is_empty() {
            problems.push(format!("{path}: no longer parses"));
            continue;
        }
        if documents(&source.path, &file.text) != documents(&source.path, &source.text) {
            problems.push(format!("{path}: documents changed"));
        }
        // The file read alone: a Kustomize base is in the workspace once per overlay.
        let before = identities(&k8sec::load_source(
            source.path.clone(),
            source.text.clone(),
            source.origin.clone(),
        ));
        if identities(&after) != before {
            problems.push(format!("{path}: objects changed"));
        }
        if replay(&source.text, &file.rounds) != file.text {
            problems.push(format!("{path}: bytes changed outside the edits"));
        }
    }

    // The whole corpus again, fixed: Kustomize builds see their fixed bases and patches.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&corpus, copy.path());
    for file in fixed.iter().filter(|f| f.applied > 0) {
        let source = ws.sources.get(file.file);
        let relative = source.path.strip_prefix(&corpus).unwrap();
        std::fs::write(copy.path().join(relative), &file.text).unwrap();
    }
    let again = load_dir(copy.path());
    let left = k8sec::lint(&again, &config);
    let broken: std::collections::HashSet<FileId> =
        again.parse_errors.iter().map(|(id, _)| *id).collect();
    let editable = |ws: &Workspace, f: &Finding| {
        f.fix.as_ref().and_then(|x| x.file()).is_some_and(|id| {
            !broken.contains(&id) && ws.sources.get(id).origin != Origin::Rendered
        })
    };
    for finding in left.findings.iter().filter(|f| {
        editable(&again, f)
            && f.fix
                .as_ref()
                .is_some_and(|x| UNSAFE.allows(x.applicability))
    }) {
        let source = again.sources.get(finding.span.file);
        problems.push(format!(
            "{}: {} still fixable after fixing: {}",
            source.display_path(),
            finding.check,
            finding.message
        ));
    }

    eprintln!(
        "corpus: {} files, {} findings, {with_fix} with a fix; {applied} fixes applied to {} \
         files; {} findings left",
        ws.sources.len(),
        result.findings.len(),
        fixed.iter().filter(|f| f.applied > 0).count(),
        left.findings.len(),
    );
    // Per check: findings, fixes offered, where they could not be applied, fixes applied when
    // only that check is fixed, and findings left after fixing everything.
    let list = std::env::var_os("K8SEC_FIX_WITHHELD").is_some();
    eprintln!(
        "{:<34} {:>8} {:>6} {:>7} {:>8} {:>7} {:>7} {:>5}",
        "check", "findings", "no fix", "display", "rendered", "offered", "applied", "left"
    );
    for doc in k8sec::docs::DOCS
        .iter()
        .filter(|d| d.fix != k8sec::docs::FixAvailability::None)
    {
        let ours: Vec<&Finding> = result
            .findings
            .iter()
            .filter(|f| f.check == doc.id)
            .collect();
        let no_fix: Vec<&&Finding> = ours.iter().filter(|f| f.fix.is_none()).collect();
        let display = ours
            .iter()
            .filter(|f| {
                f.fix
                    .as_ref()
                    .is_some_and(|x| x.applicability == Applicability::DisplayOnly)
            })
            .count();
        let offered: Vec<&&Finding> = ours
            .iter()
            .filter(|f| {
                f.fix
                    .as_ref()
                    .is_some_and(|x| UNSAFE.allows(x.applicability))
            })
            .collect();
        let rendered = offered.iter().filter(|f| !editable(&ws, f)).count();
        let alone = config_with(&[doc.id]);
        let applied_alone: usize = if offered.is_empty() {
            0
        } else {
            let result = k8sec::lint(&ws, &alone);
            fix_workspace(&ws, &result, &alone, UNSAFE)
                .iter()
                .map(|f| f.applied)
                .sum()
        };
        let left = left.findings.iter().filter(|f| f.check == doc.id).count();
        eprintln!(
            "{:<34} {:>8} {:>6} {:>7} {:>8} {:>7} {:>7} {:>5}",
            doc.id,
            ours.len(),
            no_fix.len(),
            display,
            rendered,
            offered.len(),
            applied_alone,
            left
        );
        if list {
            for finding in no_fix {
                let source = ws.sources.get(finding.span.file);
                let at = source
                    .line_index
                    .line_col(&source.text, finding.span.range.start);
                eprintln!(
                    "    {}:{}:{}: {}",
                    source.display_path(),
                    at.line,
                    at.column,
                    finding.message
                );
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn config_with(select: &[&str]) -> Config {
    config(select)
}

/// `text` with each round's edits spliced in, independently of the fixer: equal to the fixed
/// text only if nothing outside the edited ranges changed.
fn replay(text: &str, rounds: &[Vec<Edit>]) -> String {
    let mut text = text.to_string();
    for edits in rounds {
        for edit in edits.iter().rev() {
            text.replace_range(edit.span.range.to_range(), &edit.replacement);
        }
    }
    text
}

/// The edit helpers on every pod spec and container of the corpus, one operation after the
/// other (as rounds of fixes would): every edit keeps the file parseable with the same
/// objects, sets what it was asked to, and is not made twice. Prints how many edits were
/// withheld per operation. Skipped when the corpus is absent.
#[test]
fn edit_helpers_on_every_workload_of_the_corpus() {
    let Some(corpus) = corpus_dir() else { return };
    let ws = k8sec::load(
        &k8sec::Inputs {
            paths: vec![corpus],
            stdin: None,
            ..Default::default()
        },
        &k8sec::source::WalkOptions::default(),
    );
    type Target = fn(&[Resource]) -> Vec<NodeRef<'_>>;
    type Check = fn(NodeRef<'_>) -> bool;
    let containers: Target = |r| {
        r.iter()
            .filter_map(PodSpec::of)
            .flat_map(|p| p.containers().map(|c| c.node))
            .collect()
    };
    let pods: Target = |r| r.iter().filter_map(PodSpec::of).map(|p| p.spec).collect();
    #[allow(clippy::type_complexity)]
    let ops: Vec<(
        &str,
        Target,
        fn(&Editor<'_>, NodeRef<'_>) -> Option<Vec<Edit>>,
        Check,
    )> = vec![
        (
            "allowPrivilegeEscalation",
            containers,
            |e, n| e.set_path(n, SC_APE, false),
            |n| n.path(SC_APE).and_then(|v| v.as_bool()) == Some(false),
        ),
        (
            "drop ALL",
            containers,
            |e, n| e.ensure_item(n, DROP, "ALL"),
            |n| {
                n.path(DROP)
                    .is_some_and(|d| d.items().any(|i| i.as_str() == Some("ALL")))
            },
        ),
        (
            "readOnlyRootFilesystem",
            containers,
            |e, n| e.set_path(n, &["securityContext", "readOnlyRootFilesystem"], true),
            |n| {
                n.path(&["securityContext", "readOnlyRootFilesystem"])
                    .and_then(|v| v.as_bool())
                    == Some(true)
            },
        ),
        (
            "cpu placeholder",
            containers,
            |e, n| e.set_path(n, &["resources", "requests", "cpu"], "<set-me>"),
            |n| {
                n.path(&["resources", "requests", "cpu"])
                    .and_then(|v| v.as_str())
                    .is_some()
            },
        ),
        (
            "seccompProfile",
            pods,
            |e, n| e.set_path(n, SECCOMP, "RuntimeDefault"),
            |n| n.path(SECCOMP).and_then(|v| v.as_str()) == Some("RuntimeDefault"),
        ),
        (
            "automountServiceAccountToken",
            pods,
            |e, n| e.set(n, "automountServiceAccountToken", false),
            |n| n.bool_at("automountServiceAccountToken") == Some(false),
        ),
    ];
    let mut problems = Vec::new();
    let mut counts: Vec<(usize, usize)> = vec![(0, 0); ops.len()];
    let broken: std::collections::HashSet<FileId> =
        ws.parse_errors.iter().map(|(id, _)| *id).collect();
    for (id, source) in ws.sources.iter() {
        if broken.contains(&id) {
            continue;
        }
        let mut current = k8sec::load_source(
            source.path.clone(),
            source.text.clone(),
            source.origin.clone(),
        );
        let identity = identities(&current);
        for (i, (name, targets, op, check)) in ops.iter().enumerate() {
            let resources: Vec<Resource> = current.resources().cloned().collect();
            let editor = Editor::new(&current.sources);
            let nodes = targets(&resources);
            let fixes: Vec<Fix> = nodes
                .iter()
                .filter(|n| !check(**n))
                .filter_map(|n| {
                    let edits = op(&editor, *n);
                    if edits.is_none() {
                        counts[i].1 += 1;
                    }
                    Fix::new(Applicability::Safe, *name, edits?)
                })
                .collect();
            if fixes.is_empty() {
                continue;
            }
            let text = &current.sources.get(FileId(0)).text;
            let applied = apply_fixes(text, FileId(0), &fixes);
            assert_eq!(applied.skipped, 0, "{}: {name}", source.display_path());
            counts[i].0 += applied.applied;
            let next = k8sec::load_source(source.path.clone(), applied.text, source.origin.clone());
            let path = source.display_path();
            if !next.parse_errors.is_empty() {
                problems.push(format!(
                    "{path}: {name}: no longer parses: {:?}",
                    next.parse_errors
                ));
                break;
            }
            if identities(&next) != identity {
                problems.push(format!("{path}: {name}: objects changed"));
                break;
            }
            let resources: Vec<Resource> = next.resources().cloned().collect();
            let editor = Editor::new(&next.sources);
            for (before, after) in nodes.iter().zip(targets(&resources)) {
                if check(*before) || op(&Editor::new(&current.sources), *before).is_none() {
                    continue; // not targeted, or withheld
                }
                if !check(after) {
                    problems.push(format!("{path}: {name}: not set"));
                }
                if op(&editor, after).is_some() {
                    problems.push(format!("{path}: {name}: would be made twice"));
                }
            }
            current = next;
        }
        if std::env::var_os("K8SEC_FIX_DIFFS").is_some() {
            // For reading what the helpers do to real files.
            let after = &current.sources.get(FileId(0)).text;
            eprint!(
                "{}",
                unified_diff(source.display_path(), &source.text, after)
            );
        }
    }
    for ((name, ..), (applied, withheld)) in ops.iter().zip(&counts) {
        eprintln!("{name}: {applied} edits applied, {withheld} withheld");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_flow_key_without_a_value_gets_one() {
    let text = "apiVersion: v1\nkind: X\nmetadata: {name: n}\nspec: {a, b: 1}\n";
    let ws = load_text(Path::new("x.yaml"), text);
    let root = ws.resources().next().unwrap().root();
    let e = Editor::new(&ws.sources);
    let edits = e.set(root.get("spec").unwrap(), "a", Value::map([("k", true)]));
    assert_eq!(
        apply(text, edits.unwrap()),
        "apiVersion: v1\nkind: X\nmetadata: {name: n}\nspec: {a: {k: true}, b: 1}\n"
    );
}

/// Every helper on every node of every small corpus file (and `testdata`): the result always
/// parses, and a key set on a mapping is found, as a string, on a mapping with exactly the
/// keys it had plus the new one. Slow: `cargo test --release --test fix -- --ignored`.
#[test]
#[ignore]
fn every_helper_on_every_node_of_the_corpus() {
    use k8sec::yaml::{NodeId, NodeKind};
    let Some(corpus) = corpus_dir() else { return };
    let testdata = manifest_dir().join("testdata");
    let ws = k8sec::load(
        &k8sec::Inputs {
            paths: vec![corpus, testdata],
            stdin: None,
            ..Default::default()
        },
        &k8sec::source::WalkOptions::default(),
    );
    let broken: std::collections::HashSet<FileId> =
        ws.parse_errors.iter().map(|(id, _)| *id).collect();
    let keys_of = |m: NodeRef<'_>| {
        let mut keys: Vec<String> = m
            .entries()
            .filter_map(|(k, _)| k.as_scalar().map(|(t, _)| t.to_string()))
            .collect();
        keys.sort();
        keys
    };
    let mut problems = Vec::new();
    let (mut applied, mut withheld) = (0, 0);
    // Each file alone, as written: the trees of a Kustomize build hold what the build made of
    // a file, and the helpers edit the file itself (see `a_setting_an_overlay_removes_...`).
    let alone: Vec<Workspace> = ws
        .sources
        .iter()
        // Every node is reparsed after each edit: keep to small files.
        .filter(|(id, source)| !broken.contains(id) && source.text.len() <= 12_000)
        .map(|(_, source)| {
            k8sec::load_source(
                source.path.clone(),
                source.text.clone(),
                source.origin.clone(),
            )
        })
        .collect();
    // Then the trees the builds made (`strict: false`): where an edit is not withheld, it
    // must still never break the file nor give one of its mappings a duplicate key.
    let built = ws.units.iter().filter_map(|u| {
        matches!(u.kind, k8sec::UnitKind::Kustomize { .. }).then_some((&ws, &u.resources))
    });
    let mut seen = std::collections::HashSet::new();
    for (ws, resource, strict) in alone
        .iter()
        .map(|ws| (ws, &ws.units[0].resources, true))
        .chain(built.map(|(ws, r)| (ws, r, false)))
        .flat_map(|(ws, rs, strict)| rs.iter().map(move |r| (ws, r, strict)))
    {
        let tree = &resource.tree;
        let small = |id: FileId| ws.sources.get(id).text.len() <= 12_000 && !broken_in(ws, id);
        if !seen.insert(std::sync::Arc::as_ptr(tree)) || !small(resource.file) {
            continue;
        }
        let e = Editor::new(&ws.sources);
        for i in 0..tree.len() {
            let n = tree.node(NodeId(i as u32));
            // The edits, and for a key set on a mapping the keys it must then have.
            type Attempt = (Option<Vec<Edit>>, Option<Vec<String>>);
            let mut attempts: Vec<Attempt> = Vec::new();
            match &n.node().kind() {
                NodeKind::Mapping { .. } => {
                    let mut want = keys_of(n);
                    want.push("zzScalar".into());
                    want.sort();
                    attempts.push((e.set(n, "zzScalar", "yes"), Some(want)));
                    attempts.push((
                        e.set(n, "zzNew", Value::map([("a", Value::seq(["x"]))])),
                        None,
                    ));
                    for (k, _) in [n.entries().next(), n.entries().last()]
                        .into_iter()
                        .flatten()
                    {
                        if let Some(k) = k.as_str() {
                            attempts.push((e.remove(n, k), None));
                            attempts.push((e.rename_key(n, k, "zzRenamed"), None));
                            attempts.push((e.set(n, k, Value::map([("b", 1i64)])), None));
                        }
                    }
                }
                NodeKind::Sequence { .. } => {
                    attempts.push((e.push_item(n, "zz"), None));
                    attempts.push((e.push_item(n, Value::map([("k", "v"), ("k2", "v2")])), None));
                }
                NodeKind::Scalar { .. } => {
                    attempts.push((e.replace(n, "zz: odd"), None));
                    attempts.push((e.replace(n, false), None));
                }
                NodeKind::Alias { .. } => {}
            }
            for (edits, want) in attempts {
                let Some(edits) = edits else {
                    withheld += 1;
                    continue;
                };
                let Some(fix) = Fix::new(Applicability::Safe, "f", edits) else {
                    problems.push(format!("{}: overlapping edits", resource.name));
                    continue;
                };
                let Some(file) = fix.file().filter(|f| small(*f)) else {
                    continue;
                };
                let source = ws.sources.get(file);
                let path = source.display_path();
                let out = apply_fixes(&source.text, file, [&fix]);
                let after = k8sec::load_source(source.path.clone(), out.text.clone(), Origin::File);
                if !after.parse_errors.is_empty() {
                    problems.push(format!(
                        "{path}: broken:\n{}",
                        unified_diff(path, &source.text, &out.text)
                    ));
                    continue;
                }
                applied += 1;
                let before =
                    k8sec::load_source(source.path.clone(), source.text.clone(), Origin::File);
                if duplicate_keys(&after) > duplicate_keys(&before) {
                    problems.push(format!(
                        "{path}: a duplicate key:\n{}",
                        unified_diff(path, &source.text, &out.text)
                    ));
                }
                if let Some(want) = want.filter(|_| strict) {
                    let found = after.resources().any(|r| {
                        (0..r.tree.len()).any(|j| {
                            let m = r.tree.node(NodeId(j as u32));
                            keys_of(m) == want
                                && m.str_at("zzScalar") == Some("yes")
                                && m.bool_at("zzScalar").is_none()
                        })
                    });
                    if !found {
                        problems.push(format!(
                            "{path}: key not set:\n{}",
                            unified_diff(path, &source.text, &out.text)
                        ));
                    }
                }
            }
        }
    }
    eprintln!("{applied} edits applied, {withheld} withheld");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn broken_in(ws: &Workspace, id: FileId) -> bool {
    ws.parse_errors.iter().any(|(f, _)| *f == id)
}

/// How many mappings of the objects of `ws` have a key twice.
fn duplicate_keys(ws: &Workspace) -> usize {
    use k8sec::yaml::{NodeId, NodeKind};
    let mut seen = std::collections::HashSet::new();
    let mut count = 0;
    for resource in ws.resources() {
        if !seen.insert(std::sync::Arc::as_ptr(&resource.tree)) {
            continue;
        }
        for i in 0..resource.tree.len() {
            let node = resource.tree.node(NodeId(i as u32));
            if !matches!(node.node().kind(), NodeKind::Mapping { .. }) {
                continue;
            }
            let mut keys: Vec<&str> = node
                .entries()
                .filter_map(|(k, _)| k.as_scalar().map(|(t, _)| t))
                .collect();
            let all = keys.len();
            keys.sort_unstable();
            keys.dedup();
            if keys.len() != all {
                count += 1;
            }
        }
    }
    count
}

/// Two fixes that each create a container's `securityContext:` with another key land in one
/// pass as one `securityContext:` holding both, exactly as the second would have added its key
/// to the first's in a round of its own.
#[test]
fn two_fixes_creating_the_same_parent_land_in_one_round_under_one_parent() {
    let path = fixture("set-path/container-without-security-context-indented.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ops: [Op; 2] = [
        |e, r| e.set_path(container(r, 0).node, SC_APE, false),
        |e, r| {
            e.set_path(
                container(r, 0).node,
                &["securityContext", "readOnlyRootFilesystem"],
                true,
            )
        },
    ];
    let fixes_of = |current: &str, ops: &[Op]| -> Vec<Fix> {
        let ws = load_text(&path, current);
        let resources: Vec<Resource> = ws.resources().cloned().collect();
        let editor = Editor::new(&ws.sources);
        ops.iter()
            .filter_map(|op| Fix::new(Applicability::Safe, "t", op(&editor, &resources)?))
            .collect()
    };
    let both = apply_fixes(&text, FileId(0), &fixes_of(&text, &ops));
    assert_eq!((both.applied, both.skipped), (2, 0));
    // One fix a round, the second computed against the first's result.
    let mut current = text.clone();
    for op in &ops {
        let fixes = fixes_of(&current, std::slice::from_ref(op));
        current = apply_fixes(&current, FileId(0), &fixes).text;
    }
    assert_eq!(both.text, current);
    assert!(fixes_of(&current, &ops).is_empty());
    assert_eq!(current.matches("securityContext:").count(), 1, "{current}");
    assert!(current.contains(
        "          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n"
    ), "{current}");
}
