//! The generated corpus: what `gen-corpus` writes, shared with `tests/gen_corpus.rs` (a smoke
//! run) and the micro-benchmarks (`benches/micro.rs`), which include this file by path.
//!
//! Layout: a directory per namespace (`ns-00` … by default 24 of them), each starting with
//! `namespace.yaml` (the Namespace and a default-deny NetworkPolicy), then one application
//! after another, assigned to the namespaces in turn. An application is a workload (mostly
//! Deployments; StatefulSets, DaemonSets, CronJobs, Jobs and bare Pods too) with its
//! ServiceAccount, Role and RoleBinding, Service, NetworkPolicy, ConfigMap and Secret, and for
//! some an Ingress, a HorizontalPodAutoscaler and a PodDisruptionBudget, written as several
//! documents per file (the workload's file, an `-rbac.yaml` and a `-config.yaml`; one
//! application in eight keeps everything in one file), mostly block style with flow-style
//! selectors and lists as real repositories mix them.
//!
//! RBAC also reaches accounts through groups, as platform teams write it: one application in
//! forty binds a Role that reads Secrets to the group `system:serviceaccounts:<namespace>`, and
//! one in two hundred binds a ClusterRole to `system:authenticated` (every other one of those a
//! read-only role). Every account of a namespace (of the cluster) holds what these grant, so
//! cross-resource checks see many bindings per account at scale.
//!
//! About one application in five is misconfigured in one or two ways picked from a list
//! (privileged, host namespaces, a sensitive host path, `latest` tags, a literal secret in the
//! environment, wildcard or secret-reading RBAC, a NodePort, root user, added capabilities, no
//! memory limit); the rest are hardened and lint clean on their own.
//!
//! Deterministic: a seeded splitmix64, no clock, no hash-map order.

use std::fmt::Write as _;
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Objects to write, exactly (the last application may be cut short).
    pub objects: usize,
    pub namespaces: usize,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            objects: 1_000,
            namespaces: 24,
            seed: 1,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub objects: usize,
    pub files: usize,
    pub bytes: usize,
}

/// A generated file: its path relative to the output directory, and its text.
pub struct File {
    pub path: String,
    pub text: String,
}

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `1 / n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The misconfigurations an application may carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flaw {
    Privileged,
    HostNetwork,
    DockerSocket,
    LatestTag,
    LiteralSecret,
    WildcardRole,
    SecretReader,
    NodePort,
    RunAsRoot,
    AddedCapability,
    NoMemoryLimit,
}

const FLAWS: [Flaw; 11] = [
    Flaw::Privileged,
    Flaw::HostNetwork,
    Flaw::DockerSocket,
    Flaw::LatestTag,
    Flaw::LiteralSecret,
    Flaw::WildcardRole,
    Flaw::SecretReader,
    Flaw::NodePort,
    Flaw::RunAsRoot,
    Flaw::AddedCapability,
    Flaw::NoMemoryLimit,
];

/// The workload kinds, by weight (out of 100).
const KINDS: [(&str, u64); 6] = [
    ("Deployment", 62),
    ("StatefulSet", 12),
    ("CronJob", 10),
    ("DaemonSet", 6),
    ("Job", 6),
    ("Pod", 4),
];

const COMPONENTS: &[&str] = &[
    "api",
    "web",
    "worker",
    "cache",
    "gateway",
    "auth",
    "billing",
    "search",
    "events",
    "metrics",
    "orders",
    "catalog",
    "notifier",
    "scheduler",
    "importer",
];
const IMAGES: &[&str] = &[
    "registry.example.com/platform/{c}",
    "ghcr.io/example/{c}",
    "docker.io/library/nginx",
    "quay.io/example/{c}-server",
];

/// One application's documents, grouped by the file they go to.
struct App {
    name: String,
    namespace: String,
    workload: Vec<String>,
    rbac: Vec<String>,
    config: Vec<String>,
    one_file: bool,
}

/// Every file of the corpus, in a fixed order.
pub fn generate(options: &Options) -> Vec<File> {
    let mut rng = Rng(options.seed ^ 0x6b38_7365_632d_6265);
    let namespaces: Vec<String> = (0..options.namespaces)
        .map(|n| format!("ns-{n:02}"))
        .collect();
    let mut files = Vec::new();
    let mut left = options.objects;
    for ns in &namespaces {
        let docs = vec![
            format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    team: {ns}\n    pod-security.kubernetes.io/enforce: baseline\n"),
            format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n"),
        ];
        push_file(&mut files, &mut left, format!("{ns}/namespace.yaml"), docs);
    }
    let mut i = 0;
    while left > 0 {
        let namespace = &namespaces[i % namespaces.len()];
        let app = application(&mut rng, i, namespace);
        let base = format!("{}/{}", app.namespace, app.name);
        if app.one_file {
            let mut docs = app.rbac;
            docs.extend(app.config);
            docs.extend(app.workload);
            push_file(&mut files, &mut left, format!("{base}.yaml"), docs);
        } else {
            push_file(&mut files, &mut left, format!("{base}.yaml"), app.workload);
            push_file(&mut files, &mut left, format!("{base}-rbac.yaml"), app.rbac);
            push_file(
                &mut files,
                &mut left,
                format!("{base}-config.yaml"),
                app.config,
            );
        }
        i += 1;
    }
    files
}

/// Writes the corpus under `dir` (which may exist).
pub fn write(dir: &Path, options: &Options) -> std::io::Result<Stats> {
    let mut stats = Stats::default();
    for file in generate(options) {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.text)?;
        stats.files += 1;
        stats.bytes += file.text.len();
        stats.objects += objects_in(&file.text);
    }
    Ok(stats)
}

/// The number of objects in a generated file's text.
pub fn objects_in(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with("kind: ")).count()
}

/// Adds a file of at most `left` of `docs` (none when `left` is 0).
fn push_file(files: &mut Vec<File>, left: &mut usize, path: String, mut docs: Vec<String>) {
    docs.truncate(*left);
    if docs.is_empty() {
        return;
    }
    *left -= docs.len();
    let text = docs.join("---\n");
    files.push(File { path, text });
}

fn application(rng: &mut Rng, i: usize, namespace: &str) -> App {
    let component = rng.pick(COMPONENTS);
    let name = format!("{component}-{i}");
    let roll = rng.below(100);
    let mut weight = 0;
    let kind = KINDS
        .iter()
        .find(|(_, w)| {
            weight += w;
            roll < weight
        })
        .map_or("Deployment", |(k, _)| k);
    let mut flaws = Vec::new();
    if rng.one_in(5) {
        flaws.push(FLAWS[rng.below(FLAWS.len() as u64) as usize]);
        if rng.one_in(3) {
            flaws.push(FLAWS[rng.below(FLAWS.len() as u64) as usize]);
        }
    }
    let has = |f: Flaw| flaws.contains(&f);
    let image = rng.pick(IMAGES).replace("{c}", component).to_string()
        + &if has(Flaw::LatestTag) {
            ":latest".to_string()
        } else {
            format!(":1.{}.{}", rng.below(30), rng.below(10))
        };
    let serves = !matches!(kind, "CronJob" | "Job");
    let autoscaled = kind == "Deployment" && rng.one_in(3);
    let ctx = Ctx {
        name: &name,
        namespace,
        kind,
        image: &image,
        flaws: &flaws,
        team: i % 7,
        port: 8000 + rng.below(100) as u16,
        autoscaled,
        no_token: rng.one_in(2) && !flaws.contains(&Flaw::WildcardRole),
    };
    let mut workload = vec![workload(&ctx)];
    if serves {
        workload.push(service(&ctx));
        workload.push(network_policy(&ctx, rng));
        if rng.one_in(2) {
            workload.push(ingress(&ctx, rng));
        }
        if autoscaled {
            workload.push(format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n  minReplicas: 2\n  maxReplicas: {}\n  metrics:\n    - type: Resource\n      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 75}}}}\n", 3 + rng.below(8)));
        }
        if matches!(kind, "Deployment" | "StatefulSet") && rng.one_in(2) {
            workload.push(format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {{app.kubernetes.io/name: {name}}}\n"));
        }
    }
    let mut rbac = rbac(&ctx);
    if i % 40 == 39 {
        rbac.extend(group_binding(&ctx, i));
    }
    if i % 200 == 199 {
        rbac.extend(authenticated_binding(&ctx, i));
    }
    App {
        namespace: namespace.to_string(),
        workload,
        rbac,
        config: config(&ctx, rng),
        one_file: rng.one_in(8),
        name,
    }
}

/// What the writers of one application share.
struct Ctx<'a> {
    name: &'a str,
    namespace: &'a str,
    kind: &'a str,
    image: &'a str,
    flaws: &'a [Flaw],
    team: usize,
    port: u16,
    /// A HorizontalPodAutoscaler sets the replicas.
    autoscaled: bool,
    /// The pods mount no API token (`automountServiceAccountToken: false`).
    no_token: bool,
}

impl Ctx<'_> {
    fn has(&self, flaw: Flaw) -> bool {
        self.flaws.contains(&flaw)
    }
}

fn metadata(out: &mut String, ctx: &Ctx<'_>, indent: &str) {
    let (name, ns, team) = (ctx.name, ctx.namespace, ctx.team);
    let _ = write!(
        out,
        "{indent}metadata:\n{indent}  name: {name}\n{indent}  namespace: {ns}\n{indent}  labels:\n{indent}    app.kubernetes.io/name: {name}\n{indent}    app.kubernetes.io/part-of: shop\n{indent}    app.kubernetes.io/managed-by: kustomize\n{indent}    team: team-{team}\n"
    );
}

/// The workload, with its pod template at the right depth for its kind.
fn workload(ctx: &Ctx<'_>) -> String {
    let (name, kind) = (ctx.name, ctx.kind);
    let api = match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" => "apps/v1",
        "CronJob" | "Job" => "batch/v1",
        _ => "v1",
    };
    let mut out = format!(
        "# {kind} {name}, owned by team-{}\napiVersion: {api}\nkind: {kind}\n",
        ctx.team
    );
    metadata(&mut out, ctx, "");
    let selector = format!("  selector:\n    matchLabels: {{app.kubernetes.io/name: {name}}}\n");
    let template_meta = format!("    metadata:\n      labels: {{app.kubernetes.io/name: {name}, team: team-{}}}\n      annotations:\n        prometheus.io/scrape: \"true\"\n", ctx.team);
    match kind {
        "Pod" => {
            out.push_str("spec:\n");
            pod_spec(&mut out, ctx, "  ");
        }
        "CronJob" => {
            out.push_str("spec:\n  schedule: \"*/15 * * * *\"\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      backoffLimit: 2\n      template:\n        spec:\n          restartPolicy: OnFailure\n");
            pod_spec(&mut out, ctx, "          ");
        }
        "Job" => {
            out.push_str("spec:\n  backoffLimit: 4\n  template:\n");
            out.push_str(&template_meta);
            out.push_str("    spec:\n      restartPolicy: Never\n");
            pod_spec(&mut out, ctx, "      ");
        }
        _ => {
            out.push_str("spec:\n");
            if kind != "DaemonSet" && !ctx.autoscaled {
                out.push_str("  replicas: 3\n");
            }
            if kind == "StatefulSet" {
                let _ = writeln!(out, "  serviceName: {name}");
            }
            out.push_str(&selector);
            out.push_str("  template:\n");
            out.push_str(&template_meta);
            out.push_str("    spec:\n");
            pod_spec(&mut out, ctx, "      ");
        }
    }
    out
}

fn pod_spec(out: &mut String, ctx: &Ctx<'_>, i: &str) {
    let name = ctx.name;
    let _ = writeln!(out, "{i}serviceAccountName: {name}");
    if ctx.no_token {
        let _ = writeln!(out, "{i}automountServiceAccountToken: false");
    }
    if ctx.has(Flaw::HostNetwork) {
        let _ = writeln!(out, "{i}hostNetwork: true");
    }
    let user = if ctx.has(Flaw::RunAsRoot) { 0 } else { 10001 };
    let _ = write!(
        out,
        "{i}securityContext:\n{i}  runAsNonRoot: {}\n{i}  runAsUser: {user}\n{i}  fsGroup: 10001\n{i}  seccompProfile: {{type: RuntimeDefault}}\n",
        !ctx.has(Flaw::RunAsRoot)
    );
    let _ = write!(out, "{i}containers:\n{i}  - name: {name}\n{i}    image: {}\n{i}    imagePullPolicy: IfNotPresent\n", ctx.image);
    let _ = writeln!(
        out,
        "{i}    args: [\"--port={}\", \"--log-level=info\"]",
        ctx.port
    );
    let _ = write!(out, "{i}    ports:\n{i}      - name: http\n{i}        containerPort: {}\n{i}        protocol: TCP\n", ctx.port);
    let _ = write!(out, "{i}    env:\n{i}      - name: LOG_FORMAT\n{i}        value: json\n{i}      - name: POD_NAME\n{i}        valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}\n");
    if ctx.has(Flaw::LiteralSecret) {
        let _ = write!(
            out,
            "{i}      - name: DATABASE_PASSWORD\n{i}        value: \"Zq8#vLr2!mW9pXe4\"\n"
        );
    } else {
        let _ = write!(out, "{i}      - name: DATABASE_PASSWORD\n{i}        valueFrom:\n{i}          secretKeyRef: {{name: {name}, key: password}}\n");
    }
    let _ = write!(
        out,
        "{i}    envFrom:\n{i}      - configMapRef: {{name: {name}}}\n"
    );
    let limits = if ctx.has(Flaw::NoMemoryLimit) {
        "{cpu: 500m}"
    } else {
        "{cpu: 500m, memory: 256Mi}"
    };
    let _ = write!(out, "{i}    resources:\n{i}      requests: {{cpu: 100m, memory: 128Mi}}\n{i}      limits: {limits}\n");
    if !matches!(ctx.kind, "CronJob" | "Job") {
        let _ = write!(out, "{i}    readinessProbe:\n{i}      httpGet: {{path: /ready, port: http}}\n{i}      periodSeconds: 10\n{i}    livenessProbe:\n{i}      httpGet: {{path: /healthz, port: http}}\n{i}      initialDelaySeconds: 15\n");
    }
    let _ = writeln!(out, "{i}    securityContext:");
    if ctx.has(Flaw::Privileged) {
        let _ = writeln!(out, "{i}      privileged: true");
    }
    let _ = write!(
        out,
        "{i}      allowPrivilegeEscalation: {}\n{i}      readOnlyRootFilesystem: true\n",
        ctx.has(Flaw::Privileged)
    );
    if ctx.has(Flaw::AddedCapability) {
        let _ = writeln!(
            out,
            "{i}      capabilities: {{drop: [ALL], add: [NET_ADMIN, SYS_TIME]}}"
        );
    } else {
        let _ = write!(out, "{i}      capabilities:\n{i}        drop: [\"ALL\"]\n");
    }
    let _ = write!(out, "{i}    volumeMounts:\n{i}      - {{name: tmp, mountPath: /tmp}}\n{i}      - {{name: config, mountPath: /etc/{name}, readOnly: true}}\n");
    if ctx.has(Flaw::DockerSocket) {
        let _ = writeln!(
            out,
            "{i}      - {{name: docker, mountPath: /var/run/docker.sock}}"
        );
    }
    let _ = write!(out, "{i}volumes:\n{i}  - name: tmp\n{i}    emptyDir: {{medium: Memory, sizeLimit: 64Mi}}\n{i}  - name: config\n{i}    configMap:\n{i}      name: {name}\n");
    if ctx.has(Flaw::DockerSocket) {
        let _ = write!(
            out,
            "{i}  - name: docker\n{i}    hostPath: {{path: /var/run/docker.sock, type: Socket}}\n"
        );
    }
}

fn service(ctx: &Ctx<'_>) -> String {
    let mut out = "apiVersion: v1\nkind: Service\n".to_string();
    metadata(&mut out, ctx, "");
    let kind = if ctx.has(Flaw::NodePort) {
        "NodePort"
    } else {
        "ClusterIP"
    };
    let _ = write!(
        out,
        "spec:\n  type: {kind}\n  selector:\n    app.kubernetes.io/name: {}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n",
        ctx.name
    );
    out
}

/// Admits the namespace's ingress controller, and sometimes a neighbouring application.
fn network_policy(ctx: &Ctx<'_>, rng: &mut Rng) -> String {
    let mut out = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n".to_string();
    metadata(&mut out, ctx, "");
    let _ = write!(
        out,
        "spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: ingress-nginx}}}}\n      ports: [{{port: {}, protocol: TCP}}]\n",
        ctx.name, ctx.port
    );
    if rng.one_in(3) {
        let _ = write!(out, "    - from:\n        - podSelector:\n            matchExpressions:\n              - {{key: team, operator: In, values: [team-{}]}}\n", ctx.team);
    }
    out.push_str("  egress:\n    - to:\n        - namespaceSelector: {}\n          podSelector: {matchLabels: {k8s-app: kube-dns}}\n      ports: [{port: 53, protocol: UDP}]\n");
    out
}

fn ingress(ctx: &Ctx<'_>, rng: &mut Rng) -> String {
    let mut out = "apiVersion: networking.k8s.io/v1\nkind: Ingress\n".to_string();
    metadata(&mut out, ctx, "");
    let host = format!("{}.{}.example.com", ctx.name, ctx.namespace);
    out.push_str("spec:\n  ingressClassName: nginx\n");
    if !rng.one_in(6) {
        let _ = write!(
            out,
            "  tls:\n    - hosts: [{host}]\n      secretName: {}-tls\n",
            ctx.name
        );
    }
    let _ = write!(
        out,
        "  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {}\n                port: {{name: http}}\n",
        ctx.name
    );
    out
}

/// The application's ServiceAccount, Role and RoleBinding.
fn rbac(ctx: &Ctx<'_>) -> Vec<String> {
    let (name, ns) = (ctx.name, ctx.namespace);
    let mut account = "apiVersion: v1\nkind: ServiceAccount\n".to_string();
    metadata(&mut account, ctx, "");
    let mut role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n".to_string();
    metadata(&mut role, ctx, "");
    role.push_str("rules:\n");
    let _ = write!(role, "  - apiGroups: [\"\"]\n    resources: [configmaps]\n    resourceNames: [{name}]\n    verbs: [get, watch]\n");
    if ctx.has(Flaw::SecretReader) {
        role.push_str(
            "  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [get, list, watch]\n",
        );
    }
    if ctx.has(Flaw::WildcardRole) {
        role.push_str("  - apiGroups: [\"*\"]\n    resources: [\"*\"]\n    verbs: [\"*\"]\n");
    }
    let binding = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {name}\n  namespace: {ns}\nsubjects:\n  - kind: ServiceAccount\n    name: {name}\n    namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {name}\n");
    vec![account, role, binding]
}

/// A Role that reads Secrets, bound to every service account of the namespace.
fn group_binding(ctx: &Ctx<'_>, i: usize) -> Vec<String> {
    let ns = ctx.namespace;
    vec![
        format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: shared-secrets-{i}\n  namespace: {ns}\nrules:\n  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [get, list]\n"),
        format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: shared-secrets-{i}\n  namespace: {ns}\nsubjects:\n  - kind: Group\n    name: system:serviceaccounts:{ns}\n    apiGroup: rbac.authorization.k8s.io\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: shared-secrets-{i}\n"),
    ]
}

/// A ClusterRole bound to every authenticated identity: read-only, or (every other one) able
/// to read Secrets and exec into pods cluster-wide.
fn authenticated_binding(ctx: &Ctx<'_>, i: usize) -> Vec<String> {
    let _ = ctx;
    let rules = if i % 400 == 399 {
        "  - apiGroups: [\"\"]\n    resources: [secrets, pods/exec]\n    verbs: [get, list, create]\n"
    } else {
        "  - apiGroups: [\"\"]\n    resources: [configmaps, services, endpoints]\n    verbs: [get, list, watch]\n"
    };
    vec![
        format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: platform-view-{i}\nrules:\n{rules}"),
        format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: platform-view-{i}\nsubjects:\n  - {{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: platform-view-{i}}}\n"),
    ]
}

fn config(ctx: &Ctx<'_>, rng: &mut Rng) -> Vec<String> {
    let mut map = "apiVersion: v1\nkind: ConfigMap\n".to_string();
    metadata(&mut map, ctx, "");
    let _ = write!(
        map,
        "data:\n  LOG_LEVEL: info\n  CACHE_TTL: \"{}\"\n  FEATURE_FLAGS: \"search,checkout\"\n  settings.yaml: |\n    server:\n      port: {}\n      timeout: 30s\n    upstream: http://{}.{}.svc.cluster.local\n",
        60 * (1 + rng.below(10)),
        ctx.port,
        rng.pick(COMPONENTS),
        ctx.namespace
    );
    let mut secret = "apiVersion: v1\nkind: Secret\n".to_string();
    metadata(&mut secret, ctx, "");
    // Sealed out of band: the manifest carries no value, as a committed Secret should.
    secret.push_str("type: Opaque\n");
    vec![map, secret]
}
