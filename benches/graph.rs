//! Graph benchmark: generated units of about 1k, 10k and 50k objects, timing the graph's
//! construction and the graph checks (not parsing, timed separately for reference).
//!
//! Run with `cargo bench --bench graph` (or `bench/graph.sh`, which adds instruction counts).
//! Not a test: the numbers are for reading, and the ratios show whether the work grows linearly
//! with the unit (a 10x larger unit should cost about 10x, never 100x). Wall-clock time also
//! carries the memory hierarchy (a 1k-object unit fits in the CPU caches, a 50k one does not);
//! instruction counts do not, which is why the script reports both. Caches are flushed before
//! every timed run, as a real run's parsing flushes them before the graph is built.
//!
//! Environment: `K8SEC_BENCH_SIZES=1000,10000` picks the sizes; `K8SEC_BENCH_PROFILE=<size>`
//! (with `K8SEC_BENCH_RUNS`, `K8SEC_BENCH_LAYOUT=one-namespace`) only lints one generated unit
//! over and over, for a profiler or an instruction counter.
//!
//! Each generated application is eleven objects that refer to each other the way real ones do
//! (Deployment, ServiceAccount, Role, RoleBinding, Service, Ingress, NetworkPolicy allowing the
//! previous application, ConfigMap, Secret, HorizontalPodAutoscaler, PodDisruptionBudget), twenty
//! applications per namespace with a default-deny policy each, one file per application in a
//! directory per namespace. A second layout puts every application in one namespace, where a
//! namespace-wide policy selects every workload.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use k8sec::config::{Config, Overrides};
use k8sec::graph::{Graph, GraphOptions};
use k8sec::source::WalkOptions;
use k8sec::{Inputs, Workspace};

const GRAPH_CHECKS: &[&str] = &[
    "automount-service-account-token",
    "binding-missing-role",
    "exposed-privileged-workload",
    "hpa-missing-target",
    "ingress-missing-service",
    "missing-referenced-object",
    "missing-service-account",
    "networkpolicy-peer-selects-nothing",
    "networkpolicy-selects-nothing",
    "pdb-selects-nothing",
    "pod-egress-unrestricted",
    "pod-not-isolated",
    "service-selects-nothing",
    "workload-risky-permissions",
];

fn app(out: &mut String, ns: &str, i: usize, first_of_namespace: bool) {
    // Admits traffic from the previous application of its namespace.
    let previous = if first_of_namespace { i } else { i - 1 };
    let _ = write!(
        out,
        "apiVersion: v1
kind: ServiceAccount
metadata: {{name: app-{i}, namespace: {ns}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: app-{i}, namespace: {ns}}}
rules:
  - {{apiGroups: [\"\"], resources: [configmaps], resourceNames: [app-{i}], verbs: [get, watch]}}
  - {{apiGroups: [\"\"], resources: [secrets], verbs: [get]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: app-{i}, namespace: {ns}}}
subjects: [{{kind: ServiceAccount, name: app-{i}}}]
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: app-{i}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}, namespace: {ns}, labels: {{app: app-{i}}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}, tier: web, team: team-{team}}}}}
    spec:
      serviceAccountName: app-{i}
      containers:
        - name: app
          image: registry.example.com/app-{i}:1.0.{i}
          ports: [{{name: http, containerPort: 8080}}]
          envFrom: [{{configMapRef: {{name: app-{i}}}}}]
          env:
            - name: PASSWORD
              valueFrom: {{secretKeyRef: {{name: app-{i}, key: password}}}}
      volumes:
        - {{name: config, configMap: {{name: app-{i}}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  selector: {{app: app-{i}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  rules:
    - host: app-{i}.example.com
      http:
        paths:
          - {{path: /, pathType: Prefix, backend: {{service: {{name: app-{i}, port: {{name: http}}}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  podSelector: {{matchLabels: {{app: app-{i}}}}}
  ingress:
    - from: [{{podSelector: {{matchLabels: {{app: app-{previous}}}}}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: app-{i}, namespace: {ns}}}
data: {{mode: production}}
---
apiVersion: v1
kind: Secret
metadata: {{name: app-{i}, namespace: {ns}}}
stringData: {{password: not-a-real-one}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{i}}}
  maxReplicas: 5
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  maxUnavailable: 1
  selector: {{matchExpressions: [{{key: app, operator: In, values: [app-{i}]}}]}}
",
        team = i % 7,
    );
}

/// Writes a unit of about `objects` objects under `dir`; returns the number of applications.
fn generate(dir: &Path, objects: usize, one_namespace: bool) -> usize {
    let apps = objects / 11;
    for i in 0..apps {
        let ns = if one_namespace {
            "shared".to_string()
        } else {
            format!("ns-{}", i / 20)
        };
        let mut text = String::new();
        if (one_namespace && i == 0) || (!one_namespace && i % 20 == 0) {
            let _ = write!(
                text,
                "apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: {ns}}}
spec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}
---
"
            );
        }
        app(&mut text, &ns, i, i == 0 || (!one_namespace && i % 20 == 0));
        let path = dir.join(&ns).join(format!("app-{i}.yaml"));
        std::fs::create_dir_all(path.parent().unwrap_or(dir)).expect("create directory");
        std::fs::write(path, text).expect("write manifest");
    }
    apps
}

/// The fastest of the runs: the one least disturbed by the rest of the machine.
fn fastest(samples: Vec<Duration>) -> Duration {
    samples.into_iter().min().unwrap_or_default()
}

/// Reads a buffer larger than the CPU caches, so every timed run starts as cold as a real run
/// that follows parsing: without it a 1k-object unit stays in cache between runs and looks
/// several times cheaper per object than a 50k one that cannot.
fn evict_caches() {
    static BUFFER: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let buffer = BUFFER.get_or_init(|| vec![1; 64 << 20 >> 3]);
    std::hint::black_box(buffer.iter().fold(0u64, |a, b| a.wrapping_add(*b)));
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    fastest(
        (0..runs)
            .map(|_| {
                evict_caches();
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

struct Row {
    objects: usize,
    parse: Duration,
    build: Duration,
    checks: Duration,
    edges: usize,
}

fn measure(size: usize, one_namespace: bool, config: &Config) -> Row {
    let dir = tempfile::tempdir().expect("temporary directory");
    generate(dir.path(), size, one_namespace);
    let inputs = Inputs {
        paths: vec![dir.path().to_path_buf()],
        stdin: None,
        ..Default::default()
    };
    let walk = WalkOptions::default();
    let parse = time(5, || k8sec::load(&inputs, &walk));
    let ws: Workspace = k8sec::load(&inputs, &walk);
    let resources = &ws.units[0].resources;
    let options = GraphOptions {
        sources: Some(&ws.sources),
        external: &[],
        // As `lint` builds it.
        peer_edges: false,
    };
    let build = time(9, || Graph::build(resources, options));
    let edges = Graph::build(resources, options).edges.len();
    // `lint` builds the graph once and runs every graph check over it.
    let checks = time(7, || k8sec::lint(&ws, config));
    Row {
        objects: ws.resource_count(),
        parse,
        build,
        checks,
        edges,
    }
}

fn main() {
    let config = Config::load(
        None,
        &Overrides {
            select: Some(GRAPH_CHECKS.iter().map(|s| s.to_string()).collect()),
            ..Overrides::default()
        },
    )
    .expect("configuration");
    if let Ok(size) = std::env::var("K8SEC_BENCH_PROFILE") {
        // Builds one graph over and over, for a profiler.
        let dir = tempfile::tempdir().expect("temporary directory");
        let one_namespace = std::env::var("K8SEC_BENCH_LAYOUT").as_deref() == Ok("one-namespace");
        generate(dir.path(), size.parse().unwrap_or(50_000), one_namespace);
        let inputs = Inputs {
            paths: vec![dir.path().to_path_buf()],
            stdin: None,
            ..Default::default()
        };
        let ws = k8sec::load(&inputs, &WalkOptions::default());
        let runs: usize = std::env::var("K8SEC_BENCH_RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(20);
        for _ in 0..runs {
            std::hint::black_box(k8sec::lint(&ws, &config));
        }
        return;
    }
    let sizes: Vec<usize> = std::env::var("K8SEC_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 50_000]);
    for (layout, one_namespace) in [
        ("20 applications per namespace", false),
        ("one namespace", true),
    ] {
        println!("\n{layout}");
        println!(
            "{:>8} {:>8} {:>11} {:>11} {:>13} {:>11} {:>12} {:>12}",
            "objects",
            "edges",
            "parse",
            "graph",
            "graph+checks",
            "ns/object",
            "graph ratio",
            "checks ratio"
        );
        let mut first: Option<Row> = None;
        for &size in &sizes {
            let row = measure(size, one_namespace, &config);
            let (graph_ratio, checks_ratio) = match &first {
                Some(f) => (
                    format!(
                        "{:.1}x/{:.0}x",
                        row.build.as_secs_f64() / f.build.as_secs_f64(),
                        row.objects as f64 / f.objects as f64
                    ),
                    format!("{:.1}x", row.checks.as_secs_f64() / f.checks.as_secs_f64()),
                ),
                None => ("1.0x/1x".to_string(), "1.0x".to_string()),
            };
            println!(
                "{:>8} {:>8} {:>11.2?} {:>11.2?} {:>13.2?} {:>11.0} {:>12} {:>12}",
                row.objects,
                row.edges,
                row.parse,
                row.build,
                row.checks,
                row.checks.as_nanos() as f64 / row.objects as f64,
                graph_ratio,
                checks_ratio
            );
            if first.is_none() {
                first = Some(row);
            }
        }
    }
}
