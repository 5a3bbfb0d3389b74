//! The cross-resource graph end to end: units made of several files and directories, the chain
//! of related locations in every output format, `k8sec graph` in each format, `[graph]
//! external`, and the real-world corpus.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{corpus, k8sec, manifest_dir, repo, stderr, stdout};

fn lint(dir: &Path, checks: &str) -> Output {
    k8sec(dir, &["lint", "--format", "concise", "--select", checks])
}

fn json_lint(dir: &Path, checks: &str) -> serde_json::Value {
    let out = k8sec(dir, &["lint", "--format", "json", "--select", checks]);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)))
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
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
";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
    - name: http
      port: 80
";

const SERVICE_ACCOUNT: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
";

const RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: web
  namespace: shop
rules:
  - apiGroups: [\"\"]
    resources: [secrets]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: web
  namespace: shop
subjects:
  - kind: ServiceAccount
    name: web
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: web
";

const SELECTOR_CHECKS: &str = "service-selects-nothing,missing-service-account,ingress-missing-service,hpa-missing-target,binding-missing-role";

#[test]
fn objects_in_sibling_directories_form_one_unit() {
    let dir = repo(&[
        ("apps/web/deployment.yaml", DEPLOYMENT),
        ("apps/web/rbac/service-account.yaml", SERVICE_ACCOUNT),
        ("services/web.yaml", SERVICE),
        (
            "routes/ingress.yaml",
            "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend:
    service: {name: web, port: {name: http}}
",
        ),
    ]);
    let out = lint(dir.path(), SELECTOR_CHECKS);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");

    // Linting one directory alone does not see the others: the references dangle.
    let out = lint(&dir.path().join("services"), "service-selects-nothing");
    assert_eq!(stdout(&out), "", "no workload in the namespace: not judged");
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "--format",
            "concise",
            "--select",
            SELECTOR_CHECKS,
            "apps/web/deployment.yaml",
            "routes",
        ],
    );
    let text = stdout(&out);
    assert!(
        text.contains("apps/web/deployment.yaml:13:27: warning[missing-service-account]"),
        "{text}"
    );
    assert!(
        text.contains("routes/ingress.yaml:6:21: warning[ingress-missing-service]"),
        "{text}"
    );
}

#[test]
fn the_chain_of_a_finding_is_in_json_and_human_output() {
    let dir = repo(&[
        ("apps/web.yaml", DEPLOYMENT),
        ("apps/service-account.yaml", SERVICE_ACCOUNT),
        ("rbac/web.yaml", RBAC),
    ]);
    let json = json_lint(dir.path(), "workload-risky-permissions");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json:#}");
    let finding = &findings[0];
    assert_eq!(finding["file"], "apps/web.yaml");
    assert_eq!(finding["line"], 13);
    assert_eq!(
        finding["message"],
        "pods run as ServiceAccount `shop/web`, which can read secrets in namespace `shop`"
    );
    let related: Vec<(String, u64, String)> = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
                r["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (
            "apps/service-account.yaml",
            4,
            "ServiceAccount `web` is defined here",
        ),
        ("rbac/web.yaml", 18, "bound by RoleBinding `shop/web`"),
        (
            "rbac/web.yaml",
            22,
            "which grants Role `shop/web` in namespace `shop`",
        ),
        ("rbac/web.yaml", 8, "rule: `get`, `list` on `secrets`"),
    ];
    for (file, line, message) in expected {
        assert!(
            related.contains(&(file.to_string(), line, message.to_string())),
            "missing ({file}, {line}, {message}) in {related:#?}"
        );
    }

    let out = k8sec(
        dir.path(),
        &["lint", "--select", "workload-risky-permissions"],
    );
    let text = stdout(&out);
    for label in [
        "bound by RoleBinding `shop/web`",
        "which grants Role `shop/web` in namespace `shop`",
        "rule: `get`, `list` on `secrets`",
        "ServiceAccount `web` is defined here",
    ] {
        assert!(text.contains(label), "{label} not in\n{text}");
    }
    assert!(text.contains("┌─ rbac/web.yaml:"), "{text}");
}

#[test]
fn variants_of_an_install_resolve_to_their_own_objects() {
    // Two flavours of one application side by side, as Argo CD ships `install.yaml` and
    // `namespace-install.yaml`: only the cluster-wide one binds a ClusterRole.
    let controller = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: controller
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller
spec:
  selector:
    matchLabels: {app: controller}
  template:
    metadata:
      labels: {app: controller}
    spec:
      serviceAccountName: controller
      containers:
        - name: controller
          image: example/controller:1.0
";
    let cluster = format!(
        "{controller}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: controller
rules:
  - apiGroups: [\"*\"]
    resources: [\"*\"]
    verbs: [\"*\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: controller
subjects:
  - kind: ServiceAccount
    name: controller
    namespace: argocd
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: controller
"
    );
    let namespaced = format!(
        "{controller}---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: controller
rules:
  - apiGroups: [\"\"]
    resources: [secrets]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: controller
subjects:
  - kind: ServiceAccount
    name: controller
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: controller
"
    );
    let dir = repo(&[
        ("manifests/install.yaml", &cluster),
        ("manifests/namespace-install.yaml", &namespaced),
    ]);
    let out = lint(dir.path(), "workload-risky-permissions");
    let text = stdout(&out);
    let line = |file: &str| {
        text.lines()
            .find(|l| l.starts_with(file))
            .unwrap_or_else(|| panic!("no finding in {file}:\n{text}"))
            .to_string()
    };
    assert!(
        line("manifests/install.yaml")
            .ends_with("which can do anything (`*` on every resource) cluster-wide"),
        "{text}"
    );
    assert!(
        line("manifests/namespace-install.yaml")
            .ends_with("which can read secrets in the binding's namespace"),
        "{text}"
    );
}

#[test]
fn external_objects_are_declared_in_the_config_and_validated() {
    let dir = repo(&[
        ("deploy.yaml", DEPLOYMENT),
        (
            ".k8sec.toml",
            "[graph]\nexternal = [\"ServiceAccount/shop/web\"]\n",
        ),
    ]);
    let out = lint(dir.path(), "missing-service-account");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let dir = repo(&[
        ("deploy.yaml", DEPLOYMENT),
        (
            ".k8sec.toml",
            "[graph]\nexternal = [\n  \"ServiceAccount/shop/web\",\n  \"Secret/tls\",\n]\n",
        ),
    ]);
    let out = lint(dir.path(), "missing-service-account");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".k8sec.toml:4") && err.contains("`Secret` is namespaced"),
        "{err}"
    );

    let dir = repo(&[
        ("deploy.yaml", DEPLOYMENT),
        (".k8sec.toml", "[graph]\nextrnal = []\n"),
    ]);
    let out = lint(dir.path(), "missing-service-account");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("extrnal"), "{}", stderr(&out));
}

fn example() -> PathBuf {
    manifest_dir().join("testdata/example")
}

#[test]
fn graph_text_lists_objects_and_their_edges() {
    let out = k8sec(&example(), &["graph", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("unit `files`: "), "{text}");
    assert!(
        text.contains("Ingress shop/frontend  (apps/shop/frontend.yaml:63)\n  routes-to    Service shop/frontend\n"),
        "{text}"
    );
    assert!(
        text.contains("  runs-as      ServiceAccount shop/frontend [missing]"),
        "{text}"
    );
    assert!(
        text.contains("  grants       ClusterRole cluster-admin [built-in]"),
        "{text}"
    );
}

#[test]
fn graph_json_follows_its_schema() {
    let out = k8sec(&example(), &["graph", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    let unit = &json["units"][0];
    assert_eq!(unit["unit"], "files");
    let nodes = unit["nodes"].as_array().unwrap();
    let edges = unit["edges"].as_array().unwrap();
    for node in nodes {
        for key in [
            "id",
            "kind",
            "apiVersion",
            "namespace",
            "name",
            "origin",
            "file",
            "line",
        ] {
            assert!(node.get(key).is_some(), "{key} missing in {node}");
        }
    }
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    for edge in edges {
        assert!(ids.contains(&edge["from"].as_str().unwrap()), "{edge}");
        assert!(ids.contains(&edge["to"].as_str().unwrap()), "{edge}");
    }
    let frontend = nodes
        .iter()
        .find(|n| n["id"] == "Deployment/shop/frontend")
        .unwrap();
    assert_eq!(frontend["apiVersion"], "apps/v1");
    assert_eq!(frontend["origin"], "unit");
    assert_eq!(frontend["file"], "apps/shop/frontend.yaml");
    assert_eq!(frontend["line"], 2);
    let missing = nodes
        .iter()
        .find(|n| n["id"] == "ServiceAccount/shop/frontend")
        .unwrap();
    assert_eq!(missing["origin"], "missing");
    assert!(missing["file"].is_null());
    let runs_as = edges
        .iter()
        .find(|e| e["from"] == "Deployment/shop/frontend" && e["kind"] == "runs-as")
        .unwrap();
    assert_eq!(runs_as["to"], "ServiceAccount/shop/frontend");
    assert_eq!(runs_as["at"]["file"], "apps/shop/frontend.yaml");
    assert_eq!(runs_as["at"]["line"], 19);
    assert_eq!(runs_as["at"]["column"], 27);
    let kinds: Vec<&str> = edges.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "runs-as",
        "binds",
        "grants",
        "selects",
        "routes-to",
        "isolates",
    ] {
        assert!(kinds.contains(&kind), "no {kind} edge in {kinds:?}");
    }
}

#[test]
fn graph_mermaid_is_a_flowchart() {
    let out = k8sec(&example(), &["graph", ".", "--format", "mermaid"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    assert!(text.contains("-->|routes-to|"), "{text}");
    assert!(
        text.contains("[\"Deployment<br/>shop/frontend\"]"),
        "{text}"
    );
    assert!(text.contains("classDef missing"), "{text}");
}

#[test]
fn graph_dot_renders_with_graphviz() {
    let out = k8sec(&example(), &["graph", ".", "--format", "dot"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("digraph k8sec {"), "{text}");
    assert!(text.contains("[label=\"runs-as\"]"), "{text}");
    let dot = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut dot) = dot else {
        eprintln!("skipped: Graphviz `dot` is not installed (.ci/run installs it)");
        return;
    };
    use std::io::Write;
    dot.stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let rendered = dot.wait_with_output().unwrap();
    assert!(
        rendered.status.success(),
        "dot rejected the graph: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(String::from_utf8_lossy(&rendered.stdout).contains("<svg"));
}

#[test]
fn graph_focus_keeps_one_workload_and_its_chain() {
    let dir = repo(&[
        ("apps/web.yaml", DEPLOYMENT),
        ("apps/service-account.yaml", SERVICE_ACCOUNT),
        ("apps/service.yaml", SERVICE),
        ("rbac/web.yaml", RBAC),
        (
            "apps/other.yaml",
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: other, namespace: shop}
spec:
  selector: {matchLabels: {app: other}}
  template:
    metadata: {labels: {app: other}}
    spec:
      containers: [{name: other, image: \"nginx:1.27\"}]
",
        ),
    ]);
    let out = k8sec(
        dir.path(),
        &[
            "graph",
            "--format",
            "json",
            "--focus",
            "Deployment/shop/web",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<&str> = json["units"][0]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "Deployment/shop/web",
            "Role/shop/web",
            "RoleBinding/shop/web",
            "Service/shop/web",
            "ServiceAccount/shop/web",
        ]
    );

    let out = k8sec(dir.path(), &["graph", "--focus", "Deployment/shop/nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no such object"), "{}", stderr(&out));
    let out = k8sec(dir.path(), &["graph", "--focus", "web"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_corpus_gives_an_answer_for_every_graph_check() {
    let Some(corpus) = corpus() else {
        return;
    };
    let checks = "missing-service-account,binding-missing-role,hpa-missing-target,ingress-missing-service,missing-referenced-object,service-selects-nothing,networkpolicy-selects-nothing,pdb-selects-nothing,networkpolicy-peer-selects-nothing,pod-not-isolated,pod-egress-unrestricted,workload-risky-permissions,exposed-privileged-workload,automount-service-account-token";
    let dir = manifest_dir();
    let corpus_arg = corpus.to_string_lossy().to_string();
    let out = k8sec(
        dir,
        &[
            "lint",
            &corpus_arg,
            "--format",
            "json",
            "--select",
            checks,
            "-q",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let message = |file: &str, check: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["check"] == check && f["file"].as_str().unwrap().ends_with(file))
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect()
    };
    // Argo CD: the cluster-wide install grants `*`; its namespaced flavour does not.
    let install = message(
        "argo-cd/manifests/install.yaml",
        "workload-risky-permissions",
    );
    assert!(
        install.iter().any(|m| m.contains("argocd-application-controller`, which can do anything (`*` on every resource) cluster-wide")),
        "{install:#?}"
    );
    let namespaced = message(
        "argo-cd/manifests/namespace-install.yaml",
        "workload-risky-permissions",
    );
    assert!(!namespaced.is_empty());
    assert!(
        namespaced.iter().all(|m| !m.contains("cluster-wide")),
        "{namespaced:#?}"
    );
    // Services and policies select pods that exist (StatefulSet pod names included).
    for check in [
        "service-selects-nothing",
        "networkpolicy-selects-nothing",
        "pdb-selects-nothing",
        "missing-service-account",
        "binding-missing-role",
    ] {
        // One known finding: argo-cd dev-tilt's ui-service.yaml is not listed in its
        // kustomization, whose build places the argocd-ui Deployment in namespace `argocd`;
        // applied on its own, the Service lands in `default`, where no pod carries its labels.
        let found: Vec<_> = findings
            .iter()
            .filter(|f| f["check"] == check)
            .filter(|f| {
                !f["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("dev-tilt/ui-service.yaml")
            })
            // vitess's pods are in templates (`replicas: {{replicas}}`, a mapping as a key) that
            // the Kubernetes reader refuses, so its Services select nothing k8sec can read.
            .filter(|f| {
                !f["file"]
                    .as_str()
                    .unwrap()
                    .contains("_archived/storage/vitess/")
            })
            // Kustomize builds: microservices-demo's all-components test overlays combine the
            // memorystore/spanner components, which delete the redis-cart Deployment, with the
            // network-policies component, whose redis-cart policy then selects nothing (true).
            .filter(|f| {
                !(f["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("network-policy-redis.yaml")
                    && f["related"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|r| r["message"].as_str().unwrap().contains("all-components")))
            })
            .collect();
        assert!(found.is_empty(), "{check}: {found:#?}");
    }
    // Every related location is in a source file.
    for finding in findings {
        for related in finding["related"].as_array().unwrap() {
            assert!(related["line"].as_u64().unwrap() > 0, "{finding}");
        }
    }

    let out = k8sec(dir, &["graph", &corpus_arg, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["units"][0]["edges"].as_array().unwrap().len() > 1000);
}

#[test]
fn dangling_references_hint_at_their_namesakes() {
    let dir = repo(&[
        (
            "deploy.yaml",
            &DEPLOYMENT.replace("namespace: shop", "namespace: billing"),
        ),
        ("account.yaml", SERVICE_ACCOUNT),
        (
            "rbac.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
subjects: [{kind: ServiceAccount, name: web}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
",
        ),
    ]);
    let json = json_lint(dir.path(), "missing-service-account,binding-missing-role");
    let findings = json["findings"].as_array().unwrap();
    let hints: Vec<(String, String, String)> = findings
        .iter()
        .flat_map(|f| {
            f["related"].as_array().unwrap().iter().map(move |r| {
                (
                    f["check"].as_str().unwrap().to_string(),
                    r["file"].as_str().unwrap().to_string(),
                    r["message"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    assert_eq!(
        hints,
        [
            (
                "missing-service-account".to_string(),
                "account.yaml".to_string(),
                "a ServiceAccount `web` is defined in namespace `shop`".to_string()
            ),
            (
                "binding-missing-role".to_string(),
                "rbac.yaml".to_string(),
                "a ClusterRole `reader` is defined here".to_string()
            ),
        ]
    );
}

/// A generated unit of `apps` applications, each ten objects that refer to each other, in
/// namespaces of `per_namespace` applications with a default-deny policy each.
fn generated_unit(apps: usize, per_namespace: usize) -> String {
    let mut out = String::new();
    for i in 0..apps {
        let ns = format!("ns-{}", i / per_namespace);
        if i % per_namespace == 0 {
            out.push_str(&format!(
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: {ns}}}\nspec: {{podSelector: {{}}}}\n"
            ));
        }
        // Admits traffic from the previous application of its namespace.
        let previous = if i % per_namespace == 0 { i } else { i - 1 };
        out.push_str(&format!(
            "---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: app-{i}, namespace: {ns}}}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: app-{i}, namespace: {ns}}}
rules: [{{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: app-{i}, namespace: {ns}}}
subjects: [{{kind: ServiceAccount, name: app-{i}}}]
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: app-{i}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}, tier: web}}}}
    spec:
      serviceAccountName: app-{i}
      containers: [{{name: app, image: example/app:1.0, envFrom: [{{configMapRef: {{name: app-{i}}}}}]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i}, namespace: {ns}}}
spec: {{selector: {{app: app-{i}}}, ports: [{{name: http, port: 80}}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  podSelector: {{matchExpressions: [{{key: app, operator: In, values: [app-{i}]}}]}}
  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: app-{previous}}}}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: app-{i}, namespace: {ns}}}
spec: {{defaultBackend: {{service: {{name: app-{i}, port: {{name: http}}}}}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app-{i}, namespace: {ns}}}
spec: {{scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{i}}}, maxReplicas: 3}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: app-{i}, namespace: {ns}}}
spec: {{selector: {{matchLabels: {{app: app-{i}, tier: web}}}}, maxUnavailable: 1}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: app-{i}, namespace: {ns}}}
data: {{mode: fast}}
"
        ));
    }
    out
}

/// The graph of a generated unit: its objects, edges and counted work. Counted, not timed
/// (timing is `cargo bench --bench graph`'s job): selector candidates and variant distances.
fn graph_work(apps: usize, per_namespace: usize) -> (usize, usize, usize) {
    let inputs = k8sec::Inputs {
        paths: Vec::new(),
        stdin: Some((
            PathBuf::from("generated.yaml"),
            generated_unit(apps, per_namespace).into_bytes(),
        )),
        ..Default::default()
    };
    let ws = k8sec::load(&inputs, &k8sec::source::WalkOptions::default());
    assert!(ws.parse_errors.is_empty(), "{:?}", ws.parse_errors);
    let graph = k8sec::graph::Graph::build(
        &ws.units[0].resources,
        k8sec::graph::GraphOptions {
            sources: Some(&ws.sources),
            external: &[],
            // Every edge `k8sec graph` prints, the peers' included.
            peer_edges: true,
        },
    );
    // What the selector checks ask, for every selecting object.
    for (_, resource) in graph.objects() {
        if let Some((selector, _)) = k8sec::graph::refs::service_selector(resource) {
            assert!(graph.selects_any_pod(resource.namespace.as_deref().unwrap(), &selector));
        }
    }
    (ws.resource_count(), graph.edges.len(), graph.work())
}

#[test]
fn ten_thousand_objects_do_linear_work() {
    // Namespaces of 25 applications, and one namespace for all: a namespace-wide policy then
    // selects every workload of the unit.
    for per_namespace in [25, 1_000] {
        let (small, small_edges, small_work) = graph_work(200, per_namespace);
        let (large, large_edges, large_work) = graph_work(1_000, per_namespace);
        assert!(large >= 10_000, "{large} objects");
        let scale = large as f64 / small as f64;
        let edges = large_edges as f64 / small_edges as f64;
        let work = large_work as f64 / small_work as f64;
        eprintln!(
            "{per_namespace} per namespace: {small} -> {large} objects ({scale:.2}x), edges \
             {small_edges} -> {large_edges} ({edges:.2}x), work {small_work} -> {large_work} \
             ({work:.2}x)"
        );
        assert!(
            edges < scale * 1.1 && work < scale * 1.1,
            "{per_namespace} per namespace: {small} -> {large} objects ({scale:.2}x) made edges \
             grow {edges:.2}x and work {work:.2}x"
        );
        assert!(large_work < large * 3, "{large_work} for {large} objects");
    }

    // The generated unit is consistent: no dangling reference, no empty selector.
    let dir = repo(&[("unit.yaml", &generated_unit(1_000, 25))]);
    let out = lint(
        dir.path(),
        "missing-service-account,binding-missing-role,hpa-missing-target,ingress-missing-service,missing-referenced-object,service-selects-nothing,networkpolicy-selects-nothing,pdb-selects-nothing,networkpolicy-peer-selects-nothing,pod-not-isolated,workload-risky-permissions,exposed-privileged-workload,automount-service-account-token",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

const VERSIONED_CHART: &[(&str, &str)] = &[
    (
        "chart/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    ),
    (
        "chart/values.yaml",
        "name: default\nserviceAccount: default\n",
    ),
    (
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Values.name }}-{{ .Capabilities.KubeVersion.Minor }}
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: {{ .Values.serviceAccount }}
      containers:
        - name: web
          image: nginx:1.27
",
    ),
];

/// The (kind, name) of every node of the Helm units in `k8sec graph --format json` output.
fn helm_nodes(out: &Output) -> Vec<(String, String)> {
    let json = common::json(out);
    let units = json["units"].as_array().unwrap();
    units
        .iter()
        .filter(|u| u["unit"].as_str().unwrap().starts_with("helm "))
        .flat_map(|u| u["nodes"].as_array().unwrap())
        .map(|n| {
            let field = |k: &str| n[k].as_str().unwrap().to_string();
            (field("kind"), field("name"))
        })
        .collect()
}

#[test]
fn graph_renders_charts_with_the_configured_helm_and_kubernetes_version() {
    let Some(helm) = common::helm_or_skip("graph_renders_charts_with_the_configured_helm") else {
        return;
    };
    let dir = repo(VERSIONED_CHART);
    let values = dir.path().join("prod-values.yaml");
    std::fs::write(&values, "serviceAccount: api\n").unwrap();
    // A configuration that names a program must be the user's own, outside the repository: a
    // repository's `.k8sec.toml` cannot (issue 9, tests/hostile.rs).
    let user = tempfile::tempdir().unwrap();
    let config = user.path().join("k8sec.toml");
    std::fs::write(
        &config,
        format!(
            "kubernetes-version = \"1.29\"\n\n[helm]\nbinary = {:?}\nvalues = [{:?}]\nset = [\"name=web\"]\n",
            helm.to_str().unwrap(),
            values.to_str().unwrap()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let out = k8sec(
        dir.path(),
        &["graph", ".", "--format", "json", "--config", config],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let nodes = helm_nodes(&out);
    let node = |kind: &str, name: &str| (kind.to_string(), name.to_string());
    // `[helm] set` named it, `kubernetes-version` is the `.Capabilities.KubeVersion` it saw,
    // and `[helm] values` chose its ServiceAccount.
    assert!(nodes.contains(&node("Deployment", "web-29")), "{nodes:?}");
    assert!(nodes.contains(&node("ServiceAccount", "api")), "{nodes:?}");
    assert!(
        !stderr(&out).contains("Helm chart skipped"),
        "{}",
        stderr(&out)
    );

    // The command line's helm flags go on top of `[helm]`, as for `k8sec lint`.
    let out = k8sec(
        dir.path(),
        &[
            "graph",
            ".",
            "--format",
            "json",
            "--config",
            config,
            "--helm-set",
            "name=shop",
        ],
    );
    assert!(
        helm_nodes(&out).contains(&node("Deployment", "shop-29")),
        "{}",
        stderr(&out)
    );
    // Without a binary in `[helm]`, `--helm` names one.
    std::fs::write(
        dir.path().join(".k8sec.toml"),
        "kubernetes-version = \"1.30\"\n",
    )
    .unwrap();
    let helm_flag = helm.to_str().unwrap();
    let out = k8sec(
        dir.path(),
        &["graph", ".", "--format", "json", "--helm", helm_flag],
    );
    assert!(
        helm_nodes(&out).contains(&node("Deployment", "default-30")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_graph_finding_of_several_overlays_is_reported_once() {
    // Two overlays rename the base's Deployment and put it in their own namespaces: the
    // messages differ, the line to fix (the base's pod labels) is the same.
    let base = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
";
    let overlay = |prefix: &str| {
        format!("resources: [../../base]\nnamePrefix: {prefix}-\nnamespace: {prefix}\n")
    };
    let dir = repo(&[
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        ("base/deployment.yaml", base),
        ("overlays/staging/kustomization.yaml", &overlay("staging")),
        ("overlays/prod/kustomization.yaml", &overlay("prod")),
    ]);
    let json = json_lint(dir.path(), "pod-not-isolated");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json:#}");
    let finding = &findings[0];
    assert_eq!(finding["file"], "base/deployment.yaml");
    assert_eq!(finding["line"], 10);
    let related: Vec<&str> = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(related.len(), 2, "{related:?}");
    assert!(related
        .iter()
        .any(|m| m.starts_with("in overlay `overlays/")));
    // The other overlay's own wording is kept in its note.
    assert!(
        related
            .iter()
            .any(|m| m.contains(": pods of Deployment `") && m.contains("-web`")),
        "{related:?}"
    );
    // The number the summary gives is the findings reported.
    assert_eq!(json["summary"]["findings"], 1);
}
