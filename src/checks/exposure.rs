//! Exposure: Services reachable from outside the cluster, Ingresses served over plain HTTP,
//! SSH ports, and privileged workloads that a Service or an Ingress exposes.

use super::hints::relate;
use super::{Ctx, Sink};
use crate::graph::{refs, workload_pod, EdgeKind, Graph, NodeId};
use crate::model::pod_risks::{self, HostNamespace, SensitivePaths};
use crate::model::{Container, ContainerKind, PodSpec, Resource};
use crate::yaml::{NodeRef, Span};

/// `service-exposed`: a Service of type NodePort or LoadBalancer.
pub(super) fn service_exposed(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if resource.kind != "Service" || !resource.group().is_empty() {
        return;
    }
    let Some(spec) = resource.root().get("spec") else {
        return;
    };
    let Some(value) = spec.get("type") else {
        return;
    };
    let message = match value.as_str() {
        Some("NodePort") => {
            "service is of type NodePort: its ports are open on every node's address".to_string()
        }
        Some("LoadBalancer") => {
            let internal = INTERNAL_LOAD_BALANCER
                .iter()
                .find(|(key, internal)| resource.annotation(key).is_some_and(internal));
            let mut message = match internal {
                Some((key, _)) => format!(
                    "service is of type LoadBalancer: reachable from the provider's network through an internal load balancer (annotation `{key}`)"
                ),
                None => "service is of type LoadBalancer: reachable from outside the cluster through a load balancer".to_string(),
            };
            if spec
                .get("loadBalancerSourceRanges")
                .is_some_and(|r| r.items().next().is_some())
            {
                message.push_str(", limited to `loadBalancerSourceRanges`");
            }
            message
        }
        _ => return,
    };
    sink.report(resource, value, message);
}

/// Cloud annotations that make a LoadBalancer Service internal to the provider's network.
#[allow(clippy::type_complexity)]
const INTERNAL_LOAD_BALANCER: &[(&str, fn(&str) -> bool)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        |v| v != "false",
    ),
    ("service.beta.kubernetes.io/aws-load-balancer-scheme", |v| {
        v == "internal"
    }),
    ("networking.gke.io/load-balancer-type", |v| {
        v.eq_ignore_ascii_case("internal")
    }),
    ("cloud.google.com/load-balancer-type", |v| {
        v.eq_ignore_ascii_case("internal")
    }),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        |v| v == "true",
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        |v| v == "true",
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        |v| v == "true",
    ),
];

/// Annotations with which ingress controllers terminate TLS without `spec.tls`.
const TLS_ANNOTATIONS: &[&str] = &[
    // AWS Load Balancer Controller: a certificate from ACM.
    "alb.ingress.kubernetes.io/certificate-arn",
    // GKE: Google-managed or pre-shared certificates.
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    // Azure Application Gateway Ingress Controller.
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

/// TLS configured outside `spec.tls` by a controller annotation (see [`TLS_ANNOTATIONS`]), or
/// an ACME HTTP-01 solver Ingress, which must be served over HTTP.
fn tls_handled_elsewhere(resource: &Resource) -> bool {
    let annotation_set = |key: &str| {
        resource
            .annotation(key)
            .is_some_and(|v| !v.trim().is_empty())
    };
    TLS_ANNOTATIONS.iter().any(|key| annotation_set(key))
        || resource
            .annotation("traefik.ingress.kubernetes.io/router.tls")
            .is_some_and(|v| v == "true")
        || resource
            .annotation("alb.ingress.kubernetes.io/listen-ports")
            .is_some_and(|v| v.contains("HTTPS"))
        || resource
            .labels()
            .any(|(k, _)| k == "acme.cert-manager.io/http01-solver")
}

/// `ingress-without-tls`: an Ingress without `spec.tls`, or whose rule hosts are not all
/// covered by a `tls[].hosts` entry.
pub(super) fn ingress_without_tls(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if resource.kind != "Ingress" || !matches!(resource.group(), "networking.k8s.io" | "extensions")
    {
        return;
    }
    let Some((spec_key, spec)) = resource.root().entry("spec") else {
        return;
    };
    if !spec.is_mapping() || tls_handled_elsewhere(resource) {
        return;
    }
    let tls = spec.entry("tls").filter(|(_, v)| !v.is_null());
    let Some((tls_key, tls)) = tls else {
        sink.report(
            resource,
            spec_key,
            "ingress has no `tls` section: it serves plain HTTP only",
        );
        return;
    };
    if !tls.is_sequence() {
        return;
    }
    if tls.items().next().is_none() {
        sink.report(
            resource,
            tls_key,
            "ingress has an empty `tls` list: it serves plain HTTP only",
        );
        return;
    }
    // A `tls` entry without hosts uses the controller's default certificate for every host.
    if tls.items().any(|entry| {
        entry
            .get("hosts")
            .map_or(true, |h| h.items().next().is_none())
    }) {
        return;
    }
    let covered: Vec<String> = tls
        .items()
        .flat_map(|entry| entry.get("hosts").into_iter().flat_map(|h| h.items()))
        .filter_map(|h| h.as_str())
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for rule in spec.get("rules").into_iter().flat_map(|r| r.items()) {
        let Some(host_node) = rule.get("host") else {
            continue;
        };
        let Some(host) = host_node.as_str().map(str::trim).filter(|h| !h.is_empty()) else {
            continue;
        };
        let lower = host.to_ascii_lowercase();
        if !covered
            .iter()
            .any(|tls_host| host_matches(tls_host, &lower))
        {
            sink.report(
                resource,
                host_node,
                format!(
                    "host `{host}` is not covered by any `tls` entry: it is served over plain HTTP"
                ),
            );
        }
    }
}

/// Whether the TLS host `pattern` (lowercase, maybe `*.example.com`) covers `host` (lowercase).
fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern == host {
        return true;
    }
    match pattern.strip_prefix("*.") {
        // A wildcard covers exactly one label.
        Some(suffix) => host
            .strip_suffix(suffix)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.') && label != "*"),
        None => false,
    }
}

/// `ssh-port`: a container port 22, or a Service port or targetPort 22 (TCP).
pub(super) fn ssh_port(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if let Some(pod) = PodSpec::of(resource) {
        for container in pod.containers() {
            for port in container
                .node
                .get("ports")
                .into_iter()
                .flat_map(|p| p.items())
            {
                let Some(value) = port.get("containerPort") else {
                    continue;
                };
                if value.as_i64() == Some(22) && is_tcp(port) {
                    sink.report(
                        resource,
                        value,
                        format!("{} exposes port 22 (SSH)", container.describe()),
                    )
                    .in_container(container.name);
                }
            }
        }
    }
    if resource.kind == "Service" && resource.group().is_empty() {
        let ports = resource.root().path(&["spec", "ports"]);
        for port in ports.into_iter().flat_map(|p| p.items()) {
            if !is_tcp(port) {
                continue;
            }
            let service_port = port.get("port").filter(|p| p.as_i64() == Some(22));
            let target_port = port.get("targetPort").filter(|p| p.as_i64() == Some(22));
            match (service_port, target_port) {
                (Some(value), _) => {
                    sink.report(resource, value, "service exposes port 22 (SSH)");
                }
                (None, Some(value)) => {
                    sink.report(resource, value, "service forwards to target port 22 (SSH)");
                }
                (None, None) => {}
            }
        }
    }
}

/// A port entry whose protocol is TCP (the default).
fn is_tcp(port: NodeRef<'_>) -> bool {
    port.get("protocol")
        .and_then(NodeRef::as_str)
        .map_or(true, |p| p == "TCP")
}

// ---------------------------------------------------------------------------------------------
// exposed-privileged-workload

/// Whether a container runs while the pod serves traffic: not an init container, unless it is
/// a sidecar (`restartPolicy: Always`), which keeps running.
fn runs_while_serving(container: Container<'_>) -> bool {
    container.kind != ContainerKind::Init
        || container.node.str_at("restartPolicy") == Some("Always")
}

/// What makes a workload dangerous to expose, with where it is written: a privileged container
/// or a sensitive host path that a running container mounts writable (or a socket, which a
/// read-only mount still lets it connect to), or a host namespace. Init containers have
/// finished before the pod receives traffic, so their privileges are not exposed.
fn dangers<'a>(ctx: &Ctx<'_>, pod: PodSpec<'a>) -> Vec<(NodeRef<'a>, String)> {
    let mut out = Vec::new();
    for container in pod.containers().filter(|c| runs_while_serving(*c)) {
        if let Some(value) = pod_risks::privileged(container) {
            out.push((value, format!("{} runs privileged", container.describe())));
        }
    }
    for namespace in HostNamespace::ALL {
        if let Some(value) = pod_risks::shared_host_namespace(pod, namespace) {
            out.push((
                value,
                format!(
                    "the pod shares the host's {} namespace",
                    namespace.short_noun()
                ),
            ));
        }
    }
    // Read from the configuration only for a pod with a host path (few have one).
    let mut sensitive = None;
    for volume in pod.spec.get("volumes").into_iter().flat_map(|v| v.items()) {
        let (Some(name), Some(node)) = (volume.str_at("name"), volume.path(&["hostPath", "path"]))
        else {
            continue;
        };
        let sensitive = sensitive
            .get_or_insert_with(|| SensitivePaths::new(&ctx.params.sensitive_host_mount.paths));
        let Some(found) = sensitive.matching(node) else {
            continue;
        };
        let exposed = pod
            .containers()
            .filter(|c| runs_while_serving(*c))
            .flat_map(|c| c.items("volumeMounts"))
            .any(|m| {
                m.str_at("name") == Some(name)
                    && (found.is_socket() || m.bool_at("readOnly") != Some(true))
            });
        if exposed {
            let message = format!("the pod mounts host path `{}`", found.written);
            out.push((node, message));
        }
    }
    out
}

/// What exposes a workload: a NodePort or LoadBalancer Service that selects its pods, or an
/// Ingress that routes to such a Service. Each with its name, where it is written, and the
/// selecting Service's selector.
fn exposures(graph: &Graph<'_>, workload: NodeId) -> Vec<(String, Span, Option<Span>)> {
    let mut out = Vec::new();
    for select in graph
        .incoming(workload)
        .filter(|e| e.kind == EdgeKind::Selects)
    {
        let Some(service) = graph.nodes[select.from]
            .unit_resource()
            .filter(|s| s.kind == "Service")
        else {
            continue;
        };
        let selector = select.at.map(|n| n.span());
        if let Some(kind) = refs::service_exposure(service) {
            let name = format!(
                "{} Service `{}`",
                kind.as_str().unwrap_or_default(),
                service.name
            );
            out.push((name, kind.span(), selector));
        }
        for route in graph
            .incoming(select.from)
            .filter(|e| e.kind == EdgeKind::RoutesTo)
        {
            let Some(ingress) = graph.nodes[route.from].unit_resource() else {
                continue;
            };
            let at = route.at.map_or_else(|| ingress.anchor_span(), |n| n.span());
            let name = format!("Ingress `{}` (to Service `{}`)", ingress.name, service.name);
            out.push((name, at, selector));
        }
    }
    out
}

/// `exposed-privileged-workload`: a privileged workload (privileged container, host namespace,
/// sensitive hostPath) that a NodePort or LoadBalancer Service or an Ingress exposes.
pub(super) fn exposed_privileged_workload(ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for &id in graph.workloads() {
        let Some(resource) = graph.nodes[id].unit_resource() else {
            continue;
        };
        let Some(pod) = workload_pod(resource) else {
            continue;
        };
        let dangers = dangers(ctx, pod);
        let Some((first, _)) = dangers.first() else {
            continue;
        };
        let exposures = exposures(graph, id);
        if exposures.is_empty() {
            continue;
        }
        let mut names: Vec<&str> = exposures.iter().map(|(n, _, _)| n.as_str()).collect();
        names.dedup();
        let what: Vec<&str> = dangers.iter().map(|(_, d)| d.as_str()).collect();
        let finding = sink.report(
            resource,
            *first,
            format!(
                "{} and it is reachable from outside the cluster through {}",
                what.join(", "),
                names.join(", ")
            ),
        );
        for (node, description) in dangers.iter().skip(1) {
            relate(finding, node.span(), description.clone());
        }
        for (name, at, selector) in &exposures {
            relate(finding, *at, format!("exposed by {name}"));
            if let Some(selector) = selector {
                relate(finding, *selector, "which selects these pods");
            }
        }
    }
}
