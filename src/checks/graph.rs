//! Cross-resource checks: dangling references, selectors that select nothing, pods no
//! NetworkPolicy isolates, what a workload may do through its ServiceAccount, and privileged
//! workloads reachable from outside the cluster.
//!
//! They run over the unit's [`Graph`], and each finding carries the chain of objects that
//! proves it as related locations.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::hardening::{is_at_or_under, normalize_path};
use super::{Ctx, Sink};
use crate::diagnostic::Finding;
use crate::graph::permissions::{self, describe_risk, Reach, Risk, RiskKind};
use crate::graph::refs::{self, BackendPort};
use crate::graph::{workload_pod, EdgeKind, Graph, NodeId, Origin};
use crate::model::rbac::is_builtin_span;
use crate::model::{Container, ContainerKind, Labels, PodSpec, Resource, Selector};
use crate::yaml::{NodeRef, Span};

/// At most this many hints (namesakes in other namespaces, policies that select other pods)
/// are added to a finding.
const MAX_HINTS: usize = 3;

/// Adds a related location unless it is not in a source file or already there.
fn relate(finding: &mut Finding, span: Span, message: impl Into<String>) {
    let message = message.into();
    if is_builtin_span(span)
        || finding
            .related
            .iter()
            .any(|r| r.span == span && r.message == message)
    {
        return;
    }
    finding.related(span, message);
}

/// "namespace `x`", or "namespace `default` (the object sets none)".
fn namespace_phrase(resource: &Resource) -> String {
    match (resource.declared_namespace(), resource.namespace.as_deref()) {
        (Some(ns), _) => format!("namespace `{ns}`"),
        (None, Some(ns)) => format!("namespace `{ns}` (the manifest sets none)"),
        (None, None) => "the cluster".to_string(),
    }
}

/// "Deployment `web`".
fn describe(resource: &Resource) -> String {
    format!("{} `{}`", resource.kind, resource.name)
}

/// Hints for a missing object: unit objects of the same kind and name in other namespaces.
fn add_namesakes(
    graph: &Graph<'_>,
    finding: &mut Finding,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) {
    for id in graph
        .namesakes(kind, namespace, name)
        .into_iter()
        .take(MAX_HINTS)
    {
        if let Some(resource) = graph.nodes[id].unit_resource() {
            let place = resource
                .namespace
                .as_deref()
                .map_or_else(String::new, |ns| format!(" in namespace `{ns}`"));
            relate(
                finding,
                resource.name_span(),
                format!("a {kind} `{name}` is defined{place}"),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dangling references

/// The edges of `kind` whose target is missing, with the object that makes them.
fn missing_targets<'g, 'a>(
    graph: &'g Graph<'a>,
    kind: EdgeKind,
) -> impl Iterator<Item = (&'a Resource, &'g crate::graph::Edge<'a>)> + 'g {
    graph.edges.iter().filter_map(move |edge| {
        (edge.kind == kind && graph.nodes[edge.to].origin == Origin::Missing)
            .then(|| graph.nodes[edge.from].unit_resource().map(|r| (r, edge)))
            .flatten()
    })
}

/// `missing-service-account`: a workload runs as a ServiceAccount the unit does not define.
pub(super) fn missing_service_account(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (resource, edge) in missing_targets(graph, EdgeKind::RunsAs) {
        let account = &graph.nodes[edge.to];
        let span = edge.at.map_or_else(|| resource.anchor_span(), |n| n.span());
        let finding = sink.report_span(
            resource,
            span,
            format!(
                "pods run as ServiceAccount `{}`, which is not defined in {}",
                account.name,
                namespace_phrase(resource)
            ),
        );
        add_namesakes(
            graph,
            finding,
            "ServiceAccount",
            account.namespace.as_deref(),
            &account.name,
        );
    }
}

/// `binding-missing-role`: a binding's roleRef names a role that is neither in the unit nor
/// built in.
pub(super) fn binding_missing_role(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (resource, edge) in missing_targets(graph, EdgeKind::Grants) {
        let role = &graph.nodes[edge.to];
        let span = edge.at.map_or_else(|| resource.anchor_span(), |n| n.span());
        let message = if role.kind == "Role" {
            format!(
                "Role `{}` is not defined in {}",
                role.name,
                namespace_phrase(resource)
            )
        } else {
            format!(
                "ClusterRole `{}` is not defined and is not a built-in role",
                role.name
            )
        };
        let finding = sink.report_span(resource, span, message);
        // The other kind of role under this name: `roleRef.kind` is probably wrong.
        let other = if role.kind == "Role" {
            graph.definitions("ClusterRole", None, &role.name)
        } else {
            graph.definitions("Role", resource.namespace.as_deref(), &role.name)
        };
        for id in other.into_iter().take(MAX_HINTS) {
            if let Some(r) = graph.nodes[id].unit_resource() {
                relate(
                    finding,
                    r.name_span(),
                    format!("a {} `{}` is defined here", r.kind, r.name),
                );
            }
        }
        add_namesakes(
            graph,
            finding,
            &role.kind,
            role.namespace.as_deref(),
            &role.name,
        );
    }
}

/// `hpa-missing-target`: a HorizontalPodAutoscaler's scaleTargetRef names an object the unit
/// does not define.
pub(super) fn hpa_missing_target(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (resource, edge) in missing_targets(graph, EdgeKind::Scales) {
        let target = &graph.nodes[edge.to];
        let span = edge.at.map_or_else(|| resource.anchor_span(), |n| n.span());
        let finding = sink.report_span(
            resource,
            span,
            format!(
                "scale target {} `{}` is not defined in {}",
                target.kind,
                target.name,
                namespace_phrase(resource)
            ),
        );
        add_namesakes(
            graph,
            finding,
            &target.kind,
            target.namespace.as_deref(),
            &target.name,
        );
    }
}

/// `missing-referenced-object`: a pod spec refers to a ConfigMap, Secret or
/// PersistentVolumeClaim that the unit does not define, without `optional: true`.
pub(super) fn missing_referenced_object(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (resource, edge) in missing_targets(graph, EdgeKind::References) {
        if edge.optional {
            continue;
        }
        let target = &graph.nodes[edge.to];
        let span = edge.at.map_or_else(|| resource.anchor_span(), |n| n.span());
        let finding = sink.report_span(
            resource,
            span,
            format!(
                "{} `{}` is not defined in {}",
                target.kind,
                target.name,
                namespace_phrase(resource)
            ),
        );
        add_namesakes(
            graph,
            finding,
            &target.kind,
            target.namespace.as_deref(),
            &target.name,
        );
    }
}

/// `ingress-missing-service`: an Ingress backend names a Service the unit does not define, or a
/// port that Service does not have.
pub(super) fn ingress_missing_service(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (id, resource) in graph.objects() {
        for backend in refs::ingress_backends(resource) {
            let span = backend.service_node.span();
            let targets: Vec<NodeId> = graph
                .outgoing(id)
                .filter(|e| e.kind == EdgeKind::RoutesTo && e.at.map(|n| n.span()) == Some(span))
                .map(|e| e.to)
                .collect();
            if targets
                .iter()
                .any(|&t| graph.nodes[t].origin == Origin::Missing)
            {
                let finding = sink.report_span(
                    resource,
                    span,
                    format!(
                        "Service `{}` is not defined in {}",
                        backend.service,
                        namespace_phrase(resource)
                    ),
                );
                add_namesakes(
                    graph,
                    finding,
                    "Service",
                    resource.namespace.as_deref(),
                    backend.service,
                );
                continue;
            }
            let Some((port, port_node)) = backend.port else {
                continue;
            };
            let services: Vec<&Resource> = targets
                .iter()
                .filter_map(|&t| graph.nodes[t].unit_resource())
                .collect();
            if services.is_empty() || services.iter().any(|s| refs::service_has_port(s, port)) {
                continue;
            }
            let port_text = match port {
                BackendPort::Number(n) => format!("port {n}"),
                BackendPort::Name(name) => format!("a port named `{name}`"),
            };
            let finding = sink.report(
                resource,
                port_node,
                format!("Service `{}` has no {port_text}", backend.service),
            );
            for service in services {
                let at = service
                    .root()
                    .path(&["spec", "ports"])
                    .map_or_else(|| service.name_span(), |p| p.span());
                relate(
                    finding,
                    at,
                    format!("the ports of Service `{}`", service.name),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Selectors that select nothing

/// A selector as `kubectl get -l` takes it: `app=web,tier in (a,b)`.
fn selector_text(selector: &Selector<'_>) -> String {
    selector
        .requirements()
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// How many workloads a hint looks at, at most: hints must not make a unit with one huge
/// namespace quadratic.
const HINT_SCAN_LIMIT: usize = 2_000;

/// The workload of `namespace` that comes nearest to matching `selector` (satisfies the most
/// requirements, at least one), with the first requirement it misses.
fn nearest_miss<'a>(
    graph: &Graph<'a>,
    namespace: &str,
    selector: &Selector<'_>,
) -> Option<(&'a Resource, String)> {
    if selector.requirements().len() < 2 {
        return None;
    }
    let mut best: Option<(usize, &'a Resource, String)> = None;
    for id in graph.workloads_in(namespace).take(HINT_SCAN_LIMIT) {
        let Some(resource) = graph.nodes[id].unit_resource() else {
            continue;
        };
        let Some(pod) = workload_pod(resource) else {
            continue;
        };
        let labels = Labels::of(pod.metadata.and_then(|m| m.get("labels")));
        let satisfied = selector
            .requirements()
            .iter()
            .filter(|r| r.matches(&labels))
            .count();
        let Some(missed) = selector.first_unmatched(&labels) else {
            continue;
        };
        if satisfied > 0 && best.as_ref().map_or(true, |(n, _, _)| satisfied > *n) {
            best = Some((satisfied, resource, missed.to_string()));
        }
    }
    best.map(|(_, r, missed)| (r, missed))
}

/// Whether the pods of `namespace` may be ones k8sec cannot see: the unit defines no workload
/// there (they are deployed from elsewhere), or an operator runs pods there from a custom
/// resource. Selectors in such namespaces are not judged.
fn pods_unknown(graph: &Graph<'_>, namespace: &str) -> bool {
    graph.has_operator_pods(namespace) || graph.workloads_in(namespace).next().is_none()
}

/// Reports a selector of `resource` that matches no pod, with a near miss as a hint.
fn report_selects_nothing(
    graph: &Graph<'_>,
    sink: &mut Sink<'_>,
    resource: &Resource,
    node: NodeRef<'_>,
    selector: &Selector<'_>,
    what: &str,
) {
    let Some(namespace) = resource.namespace.as_deref() else {
        return;
    };
    let finding = sink.report(
        resource,
        node,
        format!(
            "selector `{}` matches no pod in {}: {what}",
            selector_text(selector),
            namespace_phrase(resource)
        ),
    );
    if let Some((near, missed)) = nearest_miss(graph, namespace, selector) {
        let span = workload_pod(near)
            .and_then(|p| p.metadata)
            .and_then(|m| m.key("labels"))
            .map_or_else(|| near.name_span(), |k| k.span());
        relate(
            finding,
            span,
            format!("the pods of {} do not match `{missed}`", describe(near)),
        );
    }
}

/// `service-selects-nothing`: a Service's selector matches the pods of no workload.
pub(super) fn service_selects_nothing(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (_, resource) in graph.objects() {
        let Some((selector, node)) = refs::service_selector(resource) else {
            continue;
        };
        let Some(namespace) = resource.namespace.as_deref() else {
            continue;
        };
        if pods_unknown(graph, namespace) || graph.selects_any_pod(namespace, &selector) {
            continue;
        }
        report_selects_nothing(
            graph,
            sink,
            resource,
            node,
            &selector,
            "the Service has no endpoints",
        );
    }
}

/// `networkpolicy-selects-nothing`: a NetworkPolicy's podSelector matches the pods of no
/// workload.
pub(super) fn networkpolicy_selects_nothing(
    _ctx: &Ctx<'_>,
    graph: &Graph<'_>,
    sink: &mut Sink<'_>,
) {
    for (_, resource) in graph.objects() {
        if !refs::is_network_policy(resource) {
            continue;
        }
        // A missing or empty podSelector selects every pod, present or future.
        let Some((selector, Some(node))) = refs::policy_pod_selector(resource) else {
            continue;
        };
        let Some(namespace) = resource.namespace.as_deref() else {
            continue;
        };
        if selector.is_empty()
            || pods_unknown(graph, namespace)
            || graph.selects_any_pod(namespace, &selector)
        {
            continue;
        }
        report_selects_nothing(
            graph,
            sink,
            resource,
            node,
            &selector,
            "the policy applies to no pod",
        );
    }
}

/// `pdb-selects-nothing`: a PodDisruptionBudget's selector matches the pods of no workload.
pub(super) fn pdb_selects_nothing(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (_, resource) in graph.objects() {
        let Some((selector, node)) = refs::pdb_selector(resource) else {
            continue;
        };
        if selector.is_nothing() {
            sink.report(
                resource,
                node,
                "empty selector selects no pod in policy/v1beta1 (in policy/v1 it selects every pod of the namespace)",
            );
            continue;
        }
        let Some(namespace) = resource.namespace.as_deref() else {
            continue;
        };
        if pods_unknown(graph, namespace) || graph.selects_any_pod(namespace, &selector) {
            continue;
        }
        report_selects_nothing(
            graph,
            sink,
            resource,
            node,
            &selector,
            "the budget protects no pod",
        );
    }
}

/// `networkpolicy-peer-selects-nothing`: a rule's peer `podSelector` (without a
/// `namespaceSelector`) matches no pod of the policy's namespace.
pub(super) fn networkpolicy_peer_selects_nothing(
    _ctx: &Ctx<'_>,
    graph: &Graph<'_>,
    sink: &mut Sink<'_>,
) {
    for (_, resource) in graph.objects() {
        if !refs::is_network_policy(resource) {
            continue;
        }
        let Some(namespace) = resource.namespace.as_deref() else {
            continue;
        };
        if pods_unknown(graph, namespace) {
            continue;
        }
        for peer in refs::local_peers(resource) {
            if peer.selector.is_empty() || graph.selects_any_pod(namespace, &peer.selector) {
                continue;
            }
            let what = match (peer.ingress, peer.alone) {
                (true, true) => "the rule admits traffic from no pod",
                (false, true) => "the rule allows traffic to no pod",
                (true, false) => "this peer admits traffic from no pod",
                (false, false) => "this peer allows traffic to no pod",
            };
            report_selects_nothing(graph, sink, resource, peer.node, &peer.selector, what);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Network isolation

/// Where a finding about a workload's pods points: the pod template's `labels:` key (what a
/// NetworkPolicy selects), else the pod's `spec:` key.
fn pods_anchor(pod: PodSpec<'_>) -> Span {
    pod.metadata
        .and_then(|m| m.key("labels"))
        .map_or_else(|| pod.anchor().span(), |k| k.span())
}

/// `pod-not-isolated` (ingress) and `pod-egress-unrestricted` (egress).
fn not_isolated(graph: &Graph<'_>, sink: &mut Sink<'_>, ingress: bool) {
    let (policy_type, traffic) = if ingress {
        ("Ingress", "accept connections from any pod and any address")
    } else {
        ("Egress", "may connect to any pod and any address")
    };
    let enforces = |resource: &Resource| {
        let (i, e) = refs::policy_types(resource);
        if ingress {
            i
        } else {
            e
        }
    };
    // The enforcing policies of each namespace, for hints.
    let mut policies: HashMap<&str, Vec<&Resource>> = HashMap::new();
    let mut any_policy: HashSet<&str> = HashSet::new();
    for (_, resource) in graph.objects() {
        if !refs::is_network_policy(resource) {
            continue;
        }
        let Some(ns) = resource.namespace.as_deref() else {
            continue;
        };
        any_policy.insert(ns);
        if enforces(resource) {
            policies.entry(ns).or_default().push(resource);
        }
    }
    for &id in graph.workloads() {
        let Some(resource) = graph.nodes[id].unit_resource() else {
            continue;
        };
        let Some(pod) = workload_pod(resource) else {
            continue;
        };
        // NetworkPolicies do not apply to pods on the host's network (`host-network`), and a
        // workload scaled to zero runs no pod.
        if pod.spec.bool_at("hostNetwork") == Some(true)
            || resource
                .root()
                .path(&["spec", "replicas"])
                .and_then(|r| r.as_i64())
                == Some(0)
        {
            continue;
        }
        let isolated = graph.incoming(id).any(|e| {
            e.kind == EdgeKind::Isolates
                && graph.nodes[e.from].unit_resource().is_some_and(enforces)
        });
        if isolated {
            continue;
        }
        let Some(namespace) = resource.namespace.as_deref() else {
            continue;
        };
        let why = if any_policy.contains(namespace) {
            format!(
                "no NetworkPolicy of {} with policy type {policy_type} selects them",
                namespace_phrase(resource)
            )
        } else {
            format!("{} has no NetworkPolicy", namespace_phrase(resource))
        };
        let finding = sink.report_span(
            resource,
            pods_anchor(pod),
            format!("pods of {} {traffic}: {why}", describe(resource)),
        );
        for policy in policies
            .get(namespace)
            .into_iter()
            .flatten()
            .take(MAX_HINTS)
        {
            let at = refs::policy_pod_selector(policy)
                .and_then(|(_, node)| node)
                .map_or_else(|| policy.name_span(), |n| n.span());
            relate(
                finding,
                at,
                format!("NetworkPolicy `{}` selects other pods", policy.name),
            );
        }
    }
}

/// `pod-not-isolated`: no NetworkPolicy with policy type Ingress selects the workload's pods.
pub(super) fn pod_not_isolated(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    not_isolated(graph, sink, true);
}

/// `pod-egress-unrestricted`: no NetworkPolicy with policy type Egress selects the workload's
/// pods.
pub(super) fn pod_egress_unrestricted(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    not_isolated(graph, sink, false);
}

// ---------------------------------------------------------------------------------------------
// Effective permissions

/// Whether the pods of a workload get an API token: `automountServiceAccountToken` of the pod
/// spec, else of the ServiceAccount(s) it runs as (every definition must turn it off), else
/// true; or a projected `serviceAccountToken` volume in any case.
fn mounts_token(graph: &Graph<'_>, workload: NodeId, pod: PodSpec<'_>) -> bool {
    let projected = pod
        .spec
        .get("volumes")
        .into_iter()
        .flat_map(|v| v.items())
        .flat_map(|v| {
            v.path(&["projected", "sources"])
                .into_iter()
                .flat_map(|s| s.items())
        })
        .any(|s| s.get("serviceAccountToken").is_some());
    if projected {
        return true;
    }
    match pod
        .spec
        .get("automountServiceAccountToken")
        .and_then(|v| v.as_bool())
    {
        Some(value) => value,
        None => !account_disables_token(graph, workload),
    }
}

/// Whether every ServiceAccount the workload runs as is defined in the unit with
/// `automountServiceAccountToken: false`.
fn account_disables_token(graph: &Graph<'_>, workload: NodeId) -> bool {
    let mut accounts = graph
        .outgoing(workload)
        .filter(|e| e.kind == EdgeKind::RunsAs)
        .peekable();
    accounts.peek().is_some()
        && accounts.all(|e| {
            graph.nodes[e.to]
                .unit_resource()
                .is_some_and(|sa| sa.root().bool_at("automountServiceAccountToken") == Some(false))
        })
}

/// The message's list of risks: each kind once, with where it applies; `cluster-admin` or
/// `*` on everything cluster-wide makes the rest redundant.
fn summarize(risks: &[Risk]) -> Vec<(RiskKind, String)> {
    let total = risks.iter().any(|r| {
        matches!(r.kind, RiskKind::ClusterAdmin | RiskKind::Everything) && r.reach == Reach::Cluster
    });
    let any_everything = risks
        .iter()
        .any(|r| matches!(r.kind, RiskKind::ClusterAdmin | RiskKind::Everything));
    let mut by_kind: BTreeMap<RiskKind, (BTreeSet<String>, BTreeSet<Reach>)> = BTreeMap::new();
    for risk in risks {
        if total && !matches!(risk.kind, RiskKind::ClusterAdmin | RiskKind::Everything) {
            continue;
        }
        if risk.kind == RiskKind::Wildcard && any_everything {
            continue;
        }
        let entry = by_kind.entry(risk.kind).or_default();
        entry.0.extend(risk.targets.iter().cloned());
        entry.1.insert(risk.reach.clone());
    }
    by_kind
        .into_iter()
        .map(|(kind, (targets, reaches))| {
            let targets: Vec<String> = targets.into_iter().collect();
            // Cluster-wide covers every namespace.
            let reach = if reaches.contains(&Reach::Cluster) {
                Reach::Cluster.describe()
            } else {
                reaches
                    .iter()
                    .map(Reach::describe)
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            (kind, format!("{} {reach}", describe_risk(kind, &targets)))
        })
        .collect()
}

/// `workload-risky-permissions`: through its ServiceAccount, a workload may read secrets,
/// create workloads, exec into pods, escalate, bind, impersonate, reach nodes/proxy, or holds
/// wildcards or cluster-admin.
pub(super) fn workload_risky_permissions(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let mut cache: HashMap<NodeId, Vec<Risk>> = HashMap::new();
    for &id in graph.workloads() {
        let Some(resource) = graph.nodes[id].unit_resource() else {
            continue;
        };
        let Some(pod) = workload_pod(resource) else {
            continue;
        };
        if !mounts_token(graph, id, pod) {
            continue;
        }
        let runs_as: Vec<_> = graph
            .outgoing(id)
            .filter(|e| e.kind == EdgeKind::RunsAs)
            .collect();
        let mut risks: Vec<Risk> = Vec::new();
        for edge in &runs_as {
            let account_risks = cache
                .entry(edge.to)
                .or_insert_with(|| permissions::risks(graph, edge.to));
            risks.extend(account_risks.iter().cloned());
        }
        let summary = summarize(&risks);
        if summary.is_empty() {
            continue;
        }
        let Some(first) = runs_as.first() else {
            continue;
        };
        let account = &graph.nodes[first.to];
        let span = first.at.map_or_else(|| pod.anchor().span(), |n| n.span());
        let finding = sink.report_span(
            resource,
            span,
            format!(
                "pods run as ServiceAccount `{}`, which can {}",
                account.qualified_name(),
                summary
                    .iter()
                    .map(|(_, text)| text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        );
        for edge in &runs_as {
            if let Some(sa) = graph.nodes[edge.to].unit_resource() {
                relate(
                    finding,
                    sa.name_span(),
                    format!("ServiceAccount `{}` is defined here", sa.name),
                );
            }
        }
        let kinds: HashSet<RiskKind> = summary.iter().map(|(k, _)| *k).collect();
        for risk in risks.iter().filter(|r| kinds.contains(&r.kind)) {
            for link in &risk.chain {
                relate(finding, link.span, link.message.clone());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Exposure

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
        if let Some(value) = container
            .security_field("privileged")
            .filter(|v| v.as_bool() == Some(true))
        {
            out.push((value, format!("{} runs privileged", container.describe())));
        }
    }
    for (field, what) in [
        ("hostNetwork", "network"),
        ("hostPID", "process (PID)"),
        ("hostIPC", "IPC"),
    ] {
        if let Some(value) = pod.spec.get(field).filter(|v| v.as_bool() == Some(true)) {
            out.push((value, format!("the pod shares the host's {what} namespace")));
        }
    }
    let sensitive: Vec<String> = ctx
        .params
        .sensitive_host_paths
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| normalize_path(p))
        .collect();
    for volume in pod.spec.get("volumes").into_iter().flat_map(|v| v.items()) {
        let (Some(name), Some(node)) = (volume.str_at("name"), volume.path(&["hostPath", "path"]))
        else {
            continue;
        };
        let Some(path) = node.as_str() else {
            continue;
        };
        let normalized = normalize_path(path);
        if !sensitive.iter().any(|s| is_at_or_under(&normalized, s)) {
            continue;
        }
        let socket = normalized.ends_with(".sock");
        let exposed = pod
            .containers()
            .filter(|c| runs_while_serving(*c))
            .flat_map(|c| {
                c.node
                    .get("volumeMounts")
                    .into_iter()
                    .flat_map(|m| m.items())
            })
            .any(|m| {
                m.str_at("name") == Some(name) && (socket || m.bool_at("readOnly") != Some(true))
            });
        if exposed {
            out.push((node, format!("the pod mounts host path `{path}`")));
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
        // (what exposes it, its location, the selecting Service's selector)
        let mut exposures: Vec<(String, Span, Option<Span>)> = Vec::new();
        for select in graph.incoming(id).filter(|e| e.kind == EdgeKind::Selects) {
            let Some(service) = graph.nodes[select.from].unit_resource() else {
                continue;
            };
            if service.kind != "Service" {
                continue;
            }
            let selector = select.at.map(|n| n.span());
            if let Some(kind) = refs::service_exposure(service) {
                exposures.push((
                    format!(
                        "{} Service `{}`",
                        kind.as_str().unwrap_or_default(),
                        service.name
                    ),
                    kind.span(),
                    selector,
                ));
            }
            for route in graph
                .incoming(select.from)
                .filter(|e| e.kind == EdgeKind::RoutesTo)
            {
                let Some(ingress) = graph.nodes[route.from].unit_resource() else {
                    continue;
                };
                let at = route.at.map_or_else(|| ingress.anchor_span(), |n| n.span());
                exposures.push((
                    format!("Ingress `{}` (to Service `{}`)", ingress.name, service.name),
                    at,
                    selector,
                ));
            }
        }
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
