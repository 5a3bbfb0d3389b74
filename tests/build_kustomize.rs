//! Kustomize overlays built natively: every transformer's output keeps its origin (base file,
//! patch, component or kustomization line), findings point there and name their overlay, and
//! what must not be followed is refused.

use std::path::{Path, PathBuf};
use std::process::Command;

use k8sec::source::WalkOptions;
use k8sec::{Inputs, UnitKind, Workspace};

mod common;
use common::{json, k8sec, manifest_dir, repo, stderr};

const SHOP: &str = "testdata/kustomize/shop";

fn load(paths: &[&Path]) -> Workspace {
    let inputs = Inputs {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        ..Inputs::default()
    };
    k8sec::load(&inputs, &WalkOptions::default())
}

/// `(path, line, column)` of the node at `path` in the `kind` resource of the overlay `root`.
fn origin(ws: &Workspace, root: &str, kind: &str, path: &[&str]) -> (String, u32, u32) {
    let unit = ws
        .units
        .iter()
        .find(|u| matches!(&u.kind, UnitKind::Kustomize { root: r, .. } if r.ends_with(root)))
        .unwrap_or_else(|| {
            panic!(
                "no unit for {root}: {:?}",
                ws.units.iter().map(|u| &u.kind).collect::<Vec<_>>()
            )
        });
    let resource = unit
        .resources
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} in {root}"));
    let mut node = resource.root();
    for key in path {
        node = match key.parse::<usize>() {
            Ok(i) => node
                .items()
                .nth(i)
                .unwrap_or_else(|| panic!("no item {i} at {path:?}")),
            Err(_) => node
                .get(key)
                .unwrap_or_else(|| panic!("no `{key}` at {path:?}")),
        };
    }
    let span = node.span();
    let file = ws.sources.get(span.file);
    let lc = file.line_index.line_col(&file.text, span.range.start);
    (file.display_path().to_string(), lc.line, lc.column)
}

fn at(file: &str, line: u32, column: u32) -> (String, u32, u32) {
    (
        format!("{}/{SHOP}/{file}", manifest_dir().display()),
        line,
        column,
    )
}

#[test]
fn every_transformer_keeps_the_origin_of_what_it_sets() {
    let ws = load(&[&manifest_dir().join(SHOP)]);
    let prod = "overlays/prod";
    let deploy = ["spec", "template", "spec"];
    let container = |rest: &[&'static str]| -> Vec<&'static str> {
        let mut p = vec!["spec", "template", "spec", "containers", "1"];
        p.extend_from_slice(rest);
        p
    };
    // Values from the base stay in the base, even renamed or re-namespaced objects' own fields.
    assert_eq!(
        origin(
            &ws,
            prod,
            "Deployment",
            &container(&["securityContext", "privileged"])
        ),
        at("base/deployment.yaml", 23, 25)
    );
    // namespace: the kustomization's `namespace:` value.
    assert_eq!(
        origin(&ws, prod, "Deployment", &["metadata", "namespace"]),
        at("overlays/prod/kustomization.yaml", 7, 12)
    );
    // namePrefix: the name keeps the base's span; the reference repaired in the pod spec too.
    assert_eq!(
        origin(&ws, prod, "Deployment", &["metadata", "name"]),
        at("base/deployment.yaml", 4, 9)
    );
    assert_eq!(
        origin(
            &ws,
            prod,
            "Deployment",
            &[deploy.as_slice(), &["serviceAccountName"]].concat()
        ),
        at("base/deployment.yaml", 15, 27)
    );
    // commonLabels / commonAnnotations, selectors included: the kustomization line.
    assert_eq!(
        origin(
            &ws,
            prod,
            "Deployment",
            &["spec", "selector", "matchLabels", "team"]
        ),
        at("overlays/prod/kustomization.yaml", 10, 9)
    );
    assert_eq!(
        origin(
            &ws,
            prod,
            "Deployment",
            &["spec", "template", "metadata", "annotations", "owner"]
        ),
        at("overlays/prod/kustomization.yaml", 12, 10)
    );
    // images: the `newTag:` that set the tag.
    assert_eq!(
        origin(&ws, prod, "Deployment", &container(&["image"])),
        at("overlays/prod/kustomization.yaml", 15, 13)
    );
    // replicas: the `count:`.
    assert_eq!(
        origin(&ws, prod, "Deployment", &["spec", "replicas"]),
        at("overlays/prod/kustomization.yaml", 18, 12)
    );
    // Strategic merge patch (file): the sidecar comes first, from the patch.
    assert_eq!(
        origin(
            &ws,
            prod,
            "Deployment",
            &[
                "spec",
                "template",
                "spec",
                "containers",
                "0",
                "securityContext",
                "privileged"
            ]
        ),
        at("overlays/prod/sidecar.yaml", 12, 25)
    );
    // JSON patch inline in the kustomization: inside its block scalar.
    assert_eq!(
        origin(
            &ws,
            prod,
            "Deployment",
            &[
                "spec",
                "template",
                "spec",
                "initContainers",
                "0",
                "securityContext",
                "privileged"
            ]
        ),
        at("overlays/prod/kustomization.yaml", 31, 27)
    );
    // Component: its resource, and its inline strategic merge patch.
    assert_eq!(
        origin(
            &ws,
            prod,
            "Pod",
            &["spec", "containers", "0", "securityContext", "privileged"]
        ),
        at("components/debug/debug-pod.yaml", 10, 21)
    );
    assert_eq!(
        origin(
            &ws,
            prod,
            "Deployment",
            &["spec", "template", "metadata", "labels", "debug"]
        ),
        at("components/debug/kustomization.yaml", 15, 20)
    );
    // Generators: a literal from the base, merged with values from the overlay's env file.
    assert_eq!(
        origin(&ws, prod, "ConfigMap", &["data", "MODE"]),
        at("overlays/prod/prod.env", 1, 6)
    );
    assert_eq!(
        origin(&ws, prod, "ConfigMap", &["data", "LEVEL"]),
        at("overlays/prod/prod.env", 2, 7)
    );
    // RoleBinding subjects follow the renamed, re-namespaced ServiceAccount.
    assert_eq!(
        origin(&ws, prod, "RoleBinding", &["subjects", "0", "name"]),
        at("base/rbac.yaml", 25, 11)
    );
    // JSON patch from a file, and `labels:` without selectors.
    let staging = "overlays/staging";
    assert_eq!(
        origin(&ws, staging, "Deployment", &["spec", "replicas"]),
        at("overlays/staging/replicas.yaml", 3, 10)
    );
    assert_eq!(
        origin(&ws, staging, "Deployment", &["metadata", "labels", "env"]),
        at("overlays/staging/kustomization.yaml", 6, 12)
    );
}

#[test]
fn names_and_references_follow_kustomize() {
    let ws = load(&[&manifest_dir().join(SHOP)]);
    let unit = ws
        .units
        .iter()
        .find(|u| matches!(&u.kind, UnitKind::Kustomize { root, .. } if root.ends_with("overlays/prod")))
        .unwrap();
    let names: Vec<String> = unit
        .resources
        .iter()
        .map(|r| format!("{} {:?} {}", r.kind, r.namespace, r.name))
        .collect();
    let config_map = unit
        .resources
        .iter()
        .find(|r| r.kind == "ConfigMap")
        .unwrap();
    assert!(
        config_map.name.starts_with("prod-web-config-")
            && config_map.name.len() == "prod-web-config-".len() + 10,
        "{names:?}"
    );
    let deploy = unit
        .resources
        .iter()
        .find(|r| r.kind == "Deployment")
        .unwrap();
    let spec = deploy.root().path(&["spec", "template", "spec"]).unwrap();
    assert_eq!(spec.str_at("serviceAccountName"), Some("prod-web"));
    let env_from = spec.path(&["containers"]).unwrap().items().nth(1).unwrap();
    assert_eq!(
        env_from
            .path(&["envFrom"])
            .unwrap()
            .items()
            .next()
            .unwrap()
            .path(&["configMapRef", "name"])
            .unwrap()
            .as_str(),
        Some(config_map.name.as_str())
    );
    let binding = unit
        .resources
        .iter()
        .find(|r| r.kind == "RoleBinding")
        .unwrap();
    assert_eq!(
        binding.root().path(&["roleRef", "name"]).unwrap().as_str(),
        Some("prod-web-reader")
    );
    let subject = binding
        .root()
        .get("subjects")
        .unwrap()
        .items()
        .next()
        .unwrap();
    assert_eq!(subject.str_at("namespace"), Some("prod"));
    assert_eq!(deploy.namespace.as_deref(), Some("prod"));
}

#[test]
fn findings_point_at_their_origin_and_name_their_overlays_once() {
    let out = k8sec(
        manifest_dir(),
        &[
            "lint",
            SHOP,
            "--select",
            "privileged-container",
            "--format",
            "json",
        ],
    );
    let json = json(&out);
    let found: Vec<(String, u64, u64, Vec<String>)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["related"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["message"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    let prod = format!("in overlay `{SHOP}/overlays/prod`");
    let staging = format!("in overlay `{SHOP}/overlays/staging`");
    assert_eq!(
        found,
        vec![
            (
                format!("{SHOP}/base/deployment.yaml"),
                23,
                25,
                vec![prod.clone(), staging]
            ),
            (
                format!("{SHOP}/components/debug/debug-pod.yaml"),
                10,
                21,
                vec![prod.clone()]
            ),
            (
                format!("{SHOP}/overlays/prod/kustomization.yaml"),
                31,
                27,
                vec![prod.clone()]
            ),
            (
                format!("{SHOP}/overlays/prod/sidecar.yaml"),
                12,
                25,
                vec![prod]
            ),
        ]
    );
    // Build inputs are not linted a second time as plain files.
    assert_eq!(json["summary"]["resources"], 11, "{json}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fixtures_match_kubectl_kustomize() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .map_or(true, |o| !o.status.success())
    {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    for overlay in [
        "shop/overlays/prod",
        "shop/overlays/staging",
        "shop/base",
        "features/base",
        "features/gen",
        "features/patches",
        "features/refs",
        "builtins/transformers",
        "builtins/patches",
        "builtins/generators",
    ] {
        let dir = manifest_dir().join("testdata/kustomize").join(overlay);
        let out = Command::new("kubectl")
            .arg("kustomize")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let stream = k8sec::yaml::parse_stream(
            &text,
            k8sec::yaml::FileId(0),
            &k8sec::text::LineIndex::new(&text),
        );
        let mut theirs: Vec<serde_json::Value> = stream
            .documents
            .iter()
            .map(|d| {
                let mut budget = k8sec::build::knode::MAX_NODES;
                k8sec::build::knode::KNode::from_ref(d.tree.root(), &mut budget)
                    .unwrap()
                    .to_json()
            })
            .collect();
        let mut ours = k8sec::build::build_to_json(&dir, manifest_dir()).unwrap();
        let key = |v: &serde_json::Value| format!("{}{}", v["kind"], v["metadata"]["name"]);
        theirs.sort_by_key(key);
        ours.sort_by_key(key);
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{overlay}: {ours:#?}\n{theirs:#?}"
        );
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(a, b, "{overlay}: ours, then kubectl's");
        }
    }
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n";

#[test]
fn remote_bases_plugins_and_helm_charts_are_refused_not_followed() {
    let dir = repo(&[
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        (
            "repo/app/kustomization.yaml",
            "resources:\n  - pod.yaml\n  - github.com/example/manifests//base?ref=v1.0.0\n  - https://example.com/all.yaml\ntransformers:\n  - exec-plugin.yaml\ngenerators:\n  - krm-fn.yaml\nhelmCharts:\n  - name: redis\n    repo: https://charts.example.com\nreplacements:\n  - path: r.yaml\n",
        ),
        ("repo/app/pod.yaml", POD),
        (
            "repo/app/exec-plugin.yaml",
            "apiVersion: someteam.example.com/v1\nkind: SecretsFromVault\nmetadata:\n  name: v\n",
        ),
        (
            "repo/app/krm-fn.yaml",
            "apiVersion: fn.example.com/v1\nkind: Render\nmetadata:\n  name: r\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: example.com/render:v1\n",
        ),
    ]);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "repo",
            "--select",
            "privileged-container",
            "--format",
            "concise",
        ],
    );
    let err = stderr(&out);
    for expected in [
        "remote resource `github.com/example/manifests//base?ref=v1.0.0` refused",
        "remote resource `https://example.com/all.yaml` refused",
        "`transformers`: plugin `SecretsFromVault` (`apiVersion: someteam.example.com/v1`) refused",
        "`generators`: plugin `Render` (`apiVersion: fn.example.com/v1`) refused",
        "`helmCharts` refused",
        "`replacements` is not supported",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
    // The local part of the build is still linted, through the build.
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        "repo/app/pod.yaml:10:21: error[privileged-container] container `c` runs privileged"
    );
}

#[test]
fn paths_leaving_the_repository_are_refused() {
    let dir = repo(&[
        ("outside/secret.yaml", POD),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        (
            "repo/escape/kustomization.yaml",
            "resources:\n  - ../../outside/secret.yaml\n",
        ),
        (
            "repo/patch/kustomization.yaml",
            "resources:\n  - pod.yaml\npatches:\n  - path: ../../outside/secret.yaml\n",
        ),
        (
            "repo/patch/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n",
        ),
    ]);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "repo",
            "--select",
            "privileged-container",
            "--format",
            "concise",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("`../../outside/secret.yaml` is outside the scanned repository"),
        "{err}"
    );
    assert_eq!(
        err.matches("is outside the scanned repository").count(),
        2,
        "{err}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("outside"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[cfg(unix)]
#[test]
fn symlinks_pointing_out_of_the_repository_are_refused() {
    let dir = repo(&[
        ("outside/secret.yaml", POD),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/app/kustomization.yaml", "resources:\n  - link.yaml\n"),
    ]);
    std::os::unix::fs::symlink(
        dir.path().join("outside/secret.yaml"),
        dir.path().join("repo/app/link.yaml"),
    )
    .unwrap();
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "repo/app/kustomization.yaml",
            "--select",
            "privileged-container",
            "--format",
            "concise",
        ],
    );
    let err = stderr(&out);
    assert!(err.contains("`link.yaml` is a symlink to"), "{err}");
    assert!(
        err.contains("outside the scanned repository: refused"),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

#[test]
fn a_failed_build_is_reported_and_its_files_are_linted_plainly() {
    let dir = repo(&[
        (
            "app/kustomization.yaml",
            "resources:\n  - pod.yaml\n  - missing.yaml\n",
        ),
        ("app/pod.yaml", POD),
    ]);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "app",
            "--select",
            "privileged-container",
            "--format",
            "concise",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("kustomize build of `app` failed") && err.contains("`missing.yaml` not found"),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn bases_included_by_an_overlay_are_not_roots_and_components_never_are() {
    let ws = load(&[&manifest_dir().join(SHOP)]);
    let mut roots: Vec<PathBuf> = ws
        .units
        .iter()
        .filter_map(|u| match &u.kind {
            UnitKind::Kustomize { root, .. } => Some(
                root.strip_prefix(manifest_dir().join(SHOP))
                    .unwrap()
                    .to_path_buf(),
            ),
            _ => None,
        })
        .collect();
    roots.sort();
    assert_eq!(
        roots,
        [
            PathBuf::from("overlays/prod"),
            PathBuf::from("overlays/staging")
        ]
    );
    let files = ws.units.iter().find(|u| u.kind == UnitKind::Files).unwrap();
    assert!(
        files.resources.is_empty(),
        "{:?}",
        files.resources.iter().map(|r| &r.name).collect::<Vec<_>>()
    );
}

#[test]
fn malformed_kustomizations_never_panic() {
    let cases: &[&str] = &[
        "resources: notalist\n",
        "resources:\n  - {a: b}\n",
        "resources: [pod.yaml]\npatches:\n  - path: 1\n",
        "resources: [pod.yaml]\npatches:\n  - target: {kind: Pod}\n    patch: '- op: bogus'\n",
        "resources: [pod.yaml]\npatches:\n  - target: {kind: '['}\n    patch: '- {op: remove, path: /x}'\n",
        "resources: [pod.yaml]\npatches:\n  - target: {kind: Pod}\n    patch: '- {op: remove, path: /spec/containers/9}'\n",
        "resources: [pod.yaml]\npatchesJson6902:\n  - target: {kind: Pod, name: p}\n    patch: 'not a list'\n",
        "resources: [pod.yaml]\npatchesStrategicMerge:\n  - 'kind: Pod\\nmetadata: {name: nope}'\n",
        "resources: [pod.yaml]\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: Pod\n      metadata: {name: p}\n      spec: [1, 2]\n",
        "resources: [pod.yaml]\nnamespace: [a]\nnamePrefix: {a: b}\ncommonLabels: [x]\n",
        "resources: [pod.yaml]\nimages:\n  - name: '('\n    newTag: x\n",
        "resources: [pod.yaml]\nconfigMapGenerator:\n  - {}\n",
        "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: c\n    literals: ['=x', 'noequals']\n",
        "resources: [pod.yaml]\nreplicas:\n  - name: x\n",
        "resources: [pod.yaml]\nvars:\n  - {}\n",
        "- just\n- a list\n",
        "",
        "resources: [.]\n",
        "resources: [pod.yaml, pod.yaml]\n",
        "resources: [loop]\n",
        "kind: Component\nresources: [pod.yaml]\n",
        "components: [pod.yaml]\n",
        "resources: [pod.yaml]\nlabels:\n  - pairs: {a: b}\n    includeSelectors: true\n  - pairs: [x]\n",
    ];
    for (i, case) in cases.iter().enumerate() {
        let dir = repo(&[
            ("app/kustomization.yaml", case),
            ("app/pod.yaml", POD),
            ("other/kustomization.yaml", "resources: [../app]\n"),
        ]);
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(dir.path().join("app"), dir.path().join("app/loop"));
        let out = k8sec(
            dir.path(),
            &[
                "lint",
                ".",
                "--select",
                "privileged-container",
                "--format",
                "concise",
            ],
        );
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "case {i} `{case}`: exit {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn unsupported_fields_are_named_not_ignored_silently() {
    let dir = repo(&[
        (
            "app/kustomization.yaml",
            "resources: [pod.yaml]\nsortOptions: {order: fifo}\nbuildMetadata: [originAnnotations]\nfrobnicate: true\npatches:\n  - patch: '[]'\n    target: {kind: Pod}\n    options: {allowNameChange: true}\nconfigMapGenerator:\n  - name: c\n    kvSources: []\n",
        ),
        ("app/pod.yaml", POD),
    ]);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "app",
            "--select",
            "privileged-container",
            "--format",
            "concise",
        ],
    );
    let err = stderr(&out);
    for expected in [
        "line 2: `sortOptions` is not supported",
        "line 3: `buildMetadata` is not supported",
        "line 4: unknown kustomization field `frobnicate`",
        "line 8: `patches[].options` is not supported",
        "line 11: `configMapGenerator[].kvSources` is not supported",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn a_repository_reached_through_a_symlinked_path_builds() {
    // `work/repo` is a symlink to `real/repo`: the overlay's `../base` is inside the repository
    // whichever path names it (this once refused every base, comparing a lexical path with
    // the repository's real one).
    let dir = repo(&[
        (
            "real/repo/base/kustomization.yaml",
            "resources:\n  - pod.yaml\n",
        ),
        ("real/repo/base/pod.yaml", POD),
        (
            "real/repo/overlay/kustomization.yaml",
            "resources:\n  - ../base\nnamePrefix: prod-\n",
        ),
    ]);
    std::fs::create_dir(dir.path().join("work")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("real/repo"), dir.path().join("work/repo")).unwrap();
    let out = k8sec(
        &dir.path().join("work"),
        &[
            "lint",
            "repo",
            "--select",
            "privileged-container",
            "--format",
            "json",
        ],
    );
    let err = stderr(&out);
    assert!(!err.contains("outside the scanned repository"), "{err}");
    let json = json(&out);
    let names: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["prod-p"], "{json}");
}
