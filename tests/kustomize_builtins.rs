//! Kustomize's built-in transformers and generators configured as plugins
//! (`transformers:`/`generators:` entries with `apiVersion: builtin`): applied, their
//! configuration files never linted as objects, the values they set pointing at them. The
//! fixtures' output is compared with `kubectl kustomize` in `tests/build_kustomize.rs`.

use serde_json::Value;

mod common;
use common::{json, k8sec, manifest_dir, repo, stderr, PRIVILEGED};

const BUILTIN_KINDS: [&str; 11] = [
    "LabelTransformer",
    "AnnotationsTransformer",
    "NamespaceTransformer",
    "PrefixSuffixTransformer",
    "ImageTagTransformer",
    "ReplicaCountTransformer",
    "PatchTransformer",
    "PatchStrategicMergeTransformer",
    "PatchJson6902Transformer",
    "ConfigMapGenerator",
    "SecretGenerator",
];

fn lint(dir: &std::path::Path, args: &[&str]) -> (Vec<Value>, String) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend(args);
    let out = k8sec(dir, &all);
    (
        json(&out)["findings"].as_array().unwrap().clone(),
        stderr(&out),
    )
}

#[test]
fn configurations_are_applied_and_never_linted_as_objects() {
    let (findings, err) = lint(
        manifest_dir(),
        &["testdata/kustomize/builtins", "--select", "all"],
    );
    assert!(!err.contains("refused"), "{err}");
    for finding in &findings {
        let kind = finding["object"]["kind"].as_str().unwrap_or_default();
        assert!(
            !BUILTIN_KINDS.contains(&kind),
            "a configuration linted as an object: {finding}"
        );
    }
    // The transformers ran: the objects are renamed, moved and relabelled.
    let names: Vec<String> = findings
        .iter()
        .filter(|f| f["file"].as_str().unwrap().contains("/transformers/"))
        .map(|f| format!("{}/{}", f["object"]["namespace"], f["object"]["name"]))
        .collect();
    assert!(
        !names.is_empty()
            && names
                .iter()
                .all(|n| n.contains("payments") && n.contains("pay-")),
        "{names:?}"
    );
}

#[test]
fn values_a_builtin_sets_point_at_its_configuration() {
    let (findings, _) = lint(
        manifest_dir(),
        &[
            "testdata/kustomize/builtins/patches",
            "--select",
            "privileged-container,service-exposed",
        ],
    );
    let places: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["file"].as_str().unwrap(),
                f["line"],
                f["check"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            // PatchStrategicMergeTransformer `paths`: the patch file's line.
            "testdata/kustomize/builtins/patches/debug-patch.yaml:11 privileged-container",
            // PatchStrategicMergeTransformer `patches`: the line inside the inline patch.
            "testdata/kustomize/builtins/patches/smp.yaml:13 service-exposed",
        ],
        "{findings:#?}"
    );
    let (findings, _) = lint(
        manifest_dir(),
        &[
            "testdata/kustomize/builtins/transformers",
            "--select",
            "image-not-pinned-by-digest",
        ],
    );
    // ImageTagTransformer `newTag`: the configuration's line.
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (
            findings[0]["file"].as_str().unwrap(),
            findings[0]["line"].as_u64()
        ),
        (
            "testdata/kustomize/builtins/transformers/image.yaml",
            Some(8)
        )
    );
}

#[test]
fn other_plugins_are_refused_and_their_configurations_not_linted() {
    let dir = repo(&[
        ("app/.git/HEAD", "ref: refs/heads/main\n"),
        (
            "app/kustomization.yaml",
            "resources:\n  - pod.yaml\ntransformers:\n  - labels.yaml\n  - vault.yaml\n",
        ),
        ("app/pod.yaml", PRIVILEGED),
        (
            "app/labels.yaml",
            "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels:\n  team: a\nfieldSpecs:\n  - path: metadata/labels\n    create: true\n",
        ),
        (
            "app/vault.yaml",
            "apiVersion: someteam.example.com/v1\nkind: SecretsFromVault\nmetadata:\n  name: v\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: x, image: x, securityContext: {privileged: true}}]\n",
        ),
    ]);
    let (findings, err) = lint(
        dir.path(),
        &["app", "--select", "privileged-container,host-network"],
    );
    assert!(
        err.contains("plugin `SecretsFromVault` (`apiVersion: someteam.example.com/v1`) refused"),
        "{err}"
    );
    let files: Vec<&str> = findings
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["app/pod.yaml"], "{findings:#?}");
    // A build that fails still never lints a plugin's configuration as an object.
    std::fs::write(
        dir.path().join("app/kustomization.yaml"),
        "resources:\n  - pod.yaml\n  - missing.yaml\ntransformers:\n  - labels.yaml\n  - vault.yaml\n",
    )
    .unwrap();
    let (findings, err) = lint(
        dir.path(),
        &["app", "--select", "privileged-container,host-network"],
    );
    assert!(err.contains("kustomize build of `app` failed"), "{err}");
    let files: Vec<&str> = findings
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["app/pod.yaml"], "{findings:#?}");
}
