//! Dangling references: objects a unit refers to without defining them (a ServiceAccount, a
//! role, a scale target, a ConfigMap, Secret or PersistentVolumeClaim, an Ingress backend).
//!
//! They run over the unit's [`Graph`], whose `Missing` nodes are exactly the references found
//! nowhere (not in the unit, not provided by every cluster, not declared external); each
//! finding hints at namesakes in other namespaces.

use super::hints::{add_namesakes, namespace_phrase, relate, MAX_HINTS};
use super::{Ctx, Sink};
use crate::graph::refs::{self, BackendPort};
use crate::graph::{Edge, EdgeKind, Graph, NodeId, Origin};
use crate::model::Resource;

/// The edges of `kind` whose target is missing, with the object that makes them.
fn missing_targets<'g, 'a>(
    graph: &'g Graph<'a>,
    kind: EdgeKind,
) -> impl Iterator<Item = (&'a Resource, &'g Edge<'a>)> + 'g {
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
