//! Dangling references: objects a unit refers to without defining them (a ServiceAccount, a
//! role, a scale target, a ConfigMap, Secret or PersistentVolumeClaim, an Ingress backend).
//!
//! They run over the unit's [`Graph`], whose `Missing` nodes are exactly the references found
//! nowhere (not in the unit, not provided by every cluster, not declared external); each
//! finding hints at namesakes in other namespaces.

use super::hints::{add_namesakes, namespace_phrase, relate, MAX_HINTS};
use super::{Ctx, Sink};
use crate::diagnostic::Finding;
use crate::graph::refs::{self, BackendPort};
use crate::graph::{EdgeKind, Graph, Node, NodeId, Origin};
use crate::model::Resource;

/// Reports every required reference of `kind` whose target is missing, worded by `message`
/// (from the target and the object that refers to it), with the hints `hints` adds and, last,
/// the target's namesakes in other namespaces.
fn report_missing<'a>(
    graph: &Graph<'a>,
    sink: &mut Sink<'_>,
    kind: EdgeKind,
    message: impl Fn(&Node<'a>, &Resource) -> String,
    hints: impl Fn(&Node<'a>, &Resource, &mut Finding),
) {
    for edge in &graph.edges {
        if edge.kind != kind || edge.optional || graph.nodes[edge.to].origin != Origin::Missing {
            continue;
        }
        let Some(resource) = graph.nodes[edge.from].unit_resource() else {
            continue;
        };
        let target = &graph.nodes[edge.to];
        let span = edge.at.map_or_else(|| resource.anchor_span(), |n| n.span());
        let finding = sink.report_span(resource, span, message(target, resource));
        hints(target, resource, finding);
        let namespace = target.namespace.as_deref();
        add_namesakes(graph, finding, &target.kind, namespace, &target.name);
    }
}

/// `missing-service-account`: a workload runs as a ServiceAccount the unit does not define.
pub(super) fn missing_service_account(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let message = |account: &Node<'_>, resource: &Resource| {
        format!(
            "pods run as ServiceAccount `{}`, which is not defined in {}",
            account.name,
            namespace_phrase(resource)
        )
    };
    report_missing(graph, sink, EdgeKind::RunsAs, message, |_, _, _| {});
}

/// `binding-missing-role`: a binding's roleRef names a role that is neither in the unit nor
/// built in.
pub(super) fn binding_missing_role(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let message = |role: &Node<'_>, resource: &Resource| {
        if role.kind == "Role" {
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
        }
    };
    // The other kind of role under this name: `roleRef.kind` is probably wrong.
    let other_kind = |role: &Node<'_>, resource: &Resource, finding: &mut Finding| {
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
    };
    report_missing(graph, sink, EdgeKind::Grants, message, other_kind);
}

/// `hpa-missing-target`: a HorizontalPodAutoscaler's scaleTargetRef names an object the unit
/// does not define.
pub(super) fn hpa_missing_target(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let message = |target: &Node<'_>, resource: &Resource| {
        format!(
            "scale target {} `{}` is not defined in {}",
            target.kind,
            target.name,
            namespace_phrase(resource)
        )
    };
    report_missing(graph, sink, EdgeKind::Scales, message, |_, _, _| {});
}

/// `missing-referenced-object`: a pod spec refers to a ConfigMap, Secret or
/// PersistentVolumeClaim that the unit does not define, without `optional: true`.
pub(super) fn missing_referenced_object(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let message = |target: &Node<'_>, resource: &Resource| {
        format!(
            "{} `{}` is not defined in {}",
            target.kind,
            target.name,
            namespace_phrase(resource)
        )
    };
    report_missing(graph, sink, EdgeKind::References, message, |_, _, _| {});
}

/// `ingress-missing-service`: an Ingress backend names a Service the unit does not define, or a
/// port that Service does not have.
pub(super) fn ingress_missing_service(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (id, resource) in graph.objects() {
        // A beta backend in a v1 Ingress: v1 reads `service.name`, so it routes nowhere.
        for name in refs::ingress_beta_fields_in_v1(resource) {
            let service = name.as_str().unwrap_or_default();
            sink.report(
                resource,
                name,
                format!(
                    "backend names no Service: `networking.k8s.io/v1` reads `service.name`, not `serviceName` (`{service}`)"
                ),
            );
        }
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
