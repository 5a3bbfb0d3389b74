//! Graph construction on small units.

use super::*;

/// The sources and objects of one unit.
struct Unit {
    sources: Sources,
    resources: Vec<Resource>,
}

/// Parses `files` (path, text) as one unit.
fn load(files: &[(&str, &str)]) -> Unit {
    let (sources, resources) = crate::model::testing::unit(files);
    Unit { sources, resources }
}

fn build<'a>(ws: &'a Unit, external: &'a [ExternalPattern]) -> Graph<'a> {
    Graph::build(
        &ws.resources,
        GraphOptions {
            sources: Some(&ws.sources),
            external,
            peer_edges: true,
        },
    )
}

/// `from --kind--> to` for every edge, nodes named `Kind/ns/name` (`@file` for variants).
fn edges(graph: &Graph<'_>, ws: &Unit) -> Vec<String> {
    let name = |id: NodeId| {
        let node = &graph.nodes[id];
        let mut text = format!("{}/{}", node.kind, node.qualified_name());
        if let Some(resource) = node.unit_resource() {
            if graph.variants(id).len() > 1 {
                let path = &ws.sources.get(resource.file).path;
                text.push_str(&format!("@{}", path.file_name().unwrap().to_string_lossy()));
            }
        }
        if node.origin != Origin::Unit {
            text.push_str(&format!(" [{}]", node.origin.as_str()));
        }
        text
    };
    let mut out: Vec<String> = graph
        .edges
        .iter()
        .map(|e| format!("{} --{}--> {}", name(e.from), e.kind.as_str(), name(e.to)))
        .collect();
    out.sort();
    out
}

const WORKLOAD: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      serviceAccountName: web
      containers: [{name: web, image: nginx}]
";

#[test]
fn built_in_roles_aggregate_as_in_a_cluster() {
    let ws = load(&[(
        "rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admins, namespace: shop}
subjects: [{kind: Group, name: admins}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: \"true\"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [create]}]
",
    )]);
    let graph = build(&ws, &[]);
    assert_eq!(
        edges(&graph, &ws),
        [
            "ClusterRole/admin [built-in] --aggregates--> ClusterRole/edit [built-in]",
            "ClusterRole/admin [built-in] --aggregates--> ClusterRole/system:aggregate-to-admin [built-in]",
            "ClusterRole/edit [built-in] --aggregates--> ClusterRole/system:aggregate-to-edit [built-in]",
            "ClusterRole/edit [built-in] --aggregates--> ClusterRole/view [built-in]",
            "ClusterRole/edit [built-in] --aggregates--> ClusterRole/widgets-edit",
            "ClusterRole/view [built-in] --aggregates--> ClusterRole/system:aggregate-to-view [built-in]",
            "RoleBinding/shop/admins --binds--> Group/admins [subject]",
            "RoleBinding/shop/admins --grants--> ClusterRole/admin [built-in]",
        ]
    );
}

#[test]
fn aggregation_cycles_end() {
    let ws = load(&[(
        "rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: {agg: b}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: a}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b, labels: {agg: a}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: b}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: a}
",
    )]);
    let graph = build(&ws, &[]);
    assert_eq!(
        edges(&graph, &ws),
        [
            "ClusterRole/a --aggregates--> ClusterRole/b",
            "ClusterRole/b --aggregates--> ClusterRole/a",
            "ClusterRoleBinding/a --binds--> ServiceAccount/shop/default [cluster-provided]",
            "ClusterRoleBinding/a --grants--> ClusterRole/a",
        ]
    );
    let account = graph.subject("User", "nobody");
    assert!(account.is_none());
    let sa = graph
        .nodes
        .iter()
        .position(|n| n.kind == "ServiceAccount")
        .unwrap();
    let grants = permissions::grants(&graph, sa);
    assert_eq!(grants.len(), 1);
    assert!(permissions::held_rules(&graph, &grants[0]).is_empty());
}

#[test]
fn every_kind_of_edge_from_one_workload() {
    let ws = load(&[
        ("app/deploy.yaml", WORKLOAD),
        (
            "app/objects.yaml",
            "apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: tier, operator: In, values: [front]}]}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
  egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {selector: {matchLabels: {app: web}}, maxUnavailable: 1}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 3}
",
        ),
    ]);
    let graph = build(&ws, &[]);
    assert_eq!(
        edges(&graph, &ws),
        [
            "Deployment/shop/web --runs-as--> ServiceAccount/shop/web",
            "HorizontalPodAutoscaler/shop/web --scales--> Deployment/shop/web",
            "Ingress/shop/web --routes-to--> Service/shop/web",
            "NetworkPolicy/shop/web --allows-from--> Deployment/shop/web",
            "NetworkPolicy/shop/web --allows-to--> Deployment/shop/web",
            "NetworkPolicy/shop/web --isolates--> Deployment/shop/web",
            "PodDisruptionBudget/shop/web --selects--> Deployment/shop/web",
            "Service/shop/web --selects--> Deployment/shop/web",
        ]
    );
    // A lint's graph: the same, without the peers' edges no check asks for.
    let lint = Graph::build(
        &ws.resources,
        GraphOptions {
            sources: Some(&ws.sources),
            external: &[],
            peer_edges: false,
        },
    );
    let mut without_peers = edges(&graph, &ws);
    without_peers.retain(|e| !e.contains("--allows-"));
    assert_eq!(edges(&lint, &ws), without_peers);
}

#[test]
fn variants_resolve_to_the_nearest_definition() {
    let account = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n";
    let binding = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
subjects: [{kind: ServiceAccount, name: web}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
";
    let ws = load(&[
        (
            "a/install.yaml",
            &format!("{WORKLOAD}---\n{account}---\n{binding}"),
        ),
        ("a/other-install.yaml", &format!("{WORKLOAD}---\n{account}")),
        ("b/deep/app.yaml", WORKLOAD),
        ("b/account.yaml", account),
    ]);
    let graph = build(&ws, &[]);
    let runs_as: Vec<String> = edges(&graph, &ws)
        .into_iter()
        .filter(|e| e.contains("runs-as") || e.contains("binds"))
        .collect();
    assert_eq!(
        runs_as,
        [
            "Deployment/shop/web@app.yaml --runs-as--> ServiceAccount/shop/web@account.yaml",
            "Deployment/shop/web@install.yaml --runs-as--> ServiceAccount/shop/web@install.yaml",
            "Deployment/shop/web@other-install.yaml --runs-as--> ServiceAccount/shop/web@other-install.yaml",
            "RoleBinding/shop/web --binds--> ServiceAccount/shop/web@install.yaml",
        ]
    );
}

#[test]
fn unset_namespaces_resolve_to_the_namespace_a_reference_names() {
    let ws = load(&[(
        "install.yaml",
        "apiVersion: v1
kind: ServiceAccount
metadata: {name: controller}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller}
subjects: [{kind: ServiceAccount, name: controller, namespace: argocd}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
",
    )]);
    let graph = build(&ws, &[]);
    assert!(edges(&graph, &ws).contains(
        &"ClusterRoleBinding/controller --binds--> ServiceAccount/default/controller".to_string()
    ));
}

#[test]
fn external_and_created_objects_are_not_missing() {
    let ws = load(&[(
        "app.yaml",
        "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  serviceAccountName: deployer
  imagePullSecrets: [{name: registry}]
  containers:
    - name: web
      image: nginx
      envFrom: [{configMapRef: {name: kube-root-ca.crt}}, {secretRef: {name: db}}]
  volumes:
    - {name: tls, secret: {secretName: web-tls}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: shop}
spec: {secretName: web-tls}
",
    )]);
    let external = [
        ExternalPattern::parse("ServiceAccount/shop/deployer").unwrap(),
        ExternalPattern::parse("Secret/*/registry").unwrap(),
    ];
    let graph = build(&ws, &external);
    assert_eq!(
        edges(&graph, &ws),
        [
            "Certificate/shop/web --creates--> Secret/shop/web-tls [created]",
            "Pod/shop/web --references--> ConfigMap/shop/kube-root-ca.crt [cluster-provided]",
            "Pod/shop/web --references--> Secret/shop/db [missing]",
            "Pod/shop/web --references--> Secret/shop/registry [external]",
            "Pod/shop/web --references--> Secret/shop/web-tls [created]",
            "Pod/shop/web --runs-as--> ServiceAccount/shop/deployer [external]",
        ]
    );
}

#[test]
fn odd_shapes_build_without_edges_or_panics() {
    let ws = load(&[(
        "odd.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: a}
roleRef: [not, a, mapping]
subjects: just-a-string
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {kind: Role, name: x}
subjects: [{kind: ServiceAccount}, {name: y}, 7]
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {selector: [a, b]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p}
spec:
  podSelector: {matchExpressions: [{key: app, operator: Maybe}]}
  ingress: [{from: {podSelector: {}}}, null, 3]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i}
spec: {rules: [{http: {paths: [{backend: {service: {port: {number: 80}}}}]}}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec: {scaleTargetRef: {kind: Deployment}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    metadata: {labels: [x]}
    spec:
      serviceAccountName: {a: b}
      containers: [{name: c, env: [{valueFrom: {secretKeyRef: {name: [x]}}}]}]
      volumes: [{name: v, projected: {sources: oops}}]
",
    )]);
    let graph = build(&ws, &[]);
    assert_eq!(
        edges(&graph, &ws),
        ["Deployment/default/d --runs-as--> ServiceAccount/default/default [cluster-provided]"]
    );
}
