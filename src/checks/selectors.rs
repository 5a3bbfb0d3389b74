//! Selectors that select nothing: a Service, a PodDisruptionBudget, a NetworkPolicy or one of
//! its rule's peers whose label selector matches the pods of no workload of its namespace.
//!
//! One loop judges them all ([`report_unmatched`]); each check only says which selectors an
//! object has and what a selector that matches nothing means for it. Namespaces whose pods
//! k8sec cannot see (none of the unit's workloads run there, or an operator runs pods there)
//! are not judged; a near miss (a workload that satisfies most requirements) is given as a
//! hint.

use super::hints::{describe, namespace_phrase, relate};
use super::{Ctx, Sink};
use crate::graph::{refs, workload_pod, Graph};
use crate::model::{Labels, Resource, Selector};
use crate::yaml::NodeRef;

/// A pod selector of an object, where it is written, and what matching no pod means for the
/// object ("the Service has no endpoints").
struct PodSelector<'a> {
    selector: Selector<'a>,
    node: NodeRef<'a>,
    what: &'static str,
}

/// `service-selects-nothing`: a Service's selector matches the pods of no workload.
pub(super) fn service_selects_nothing(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    report_unmatched(graph, sink, |resource| {
        let (selector, node) = refs::service_selector(resource)?;
        let what = "the Service has no endpoints";
        Some(PodSelector {
            selector,
            node,
            what,
        })
    });
}

/// `networkpolicy-selects-nothing`: a NetworkPolicy's podSelector matches the pods of no
/// workload.
pub(super) fn networkpolicy_selects_nothing(
    _ctx: &Ctx<'_>,
    graph: &Graph<'_>,
    sink: &mut Sink<'_>,
) {
    report_unmatched(graph, sink, |resource| {
        if !refs::is_network_policy(resource) {
            return None;
        }
        // A missing or empty podSelector selects every pod, present or future.
        let (selector, Some(node)) = refs::policy_pod_selector(resource)? else {
            return None;
        };
        let what = "the policy applies to no pod";
        Some(PodSelector {
            selector,
            node,
            what,
        })
    });
}

/// `pdb-selects-nothing`: a PodDisruptionBudget's selector matches the pods of no workload.
pub(super) fn pdb_selects_nothing(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    // An empty selector of `policy/v1beta1` selects nothing, whatever the pods.
    for (_, resource) in graph.objects() {
        if let Some((_, node)) = refs::pdb_selector(resource).filter(|(s, _)| s.is_nothing()) {
            sink.report(
                resource,
                node,
                "empty selector selects no pod in policy/v1beta1 (in policy/v1 it selects every pod of the namespace)",
            );
        }
    }
    report_unmatched(graph, sink, |resource| {
        let (selector, node) = refs::pdb_selector(resource).filter(|(s, _)| !s.is_nothing())?;
        let what = "the budget protects no pod";
        Some(PodSelector {
            selector,
            node,
            what,
        })
    });
}

/// `networkpolicy-peer-selects-nothing`: a rule's peer `podSelector` (without a
/// `namespaceSelector`) matches no pod of the policy's namespace.
pub(super) fn networkpolicy_peer_selects_nothing(
    _ctx: &Ctx<'_>,
    graph: &Graph<'_>,
    sink: &mut Sink<'_>,
) {
    report_unmatched(graph, sink, |resource| {
        if !refs::is_network_policy(resource) {
            return Vec::new();
        }
        refs::local_peers(resource)
            .into_iter()
            .map(|peer| PodSelector {
                what: match (peer.ingress, peer.alone) {
                    (true, true) => "the rule admits traffic from no pod",
                    (false, true) => "the rule allows traffic to no pod",
                    (true, false) => "this peer admits traffic from no pod",
                    (false, false) => "this peer allows traffic to no pod",
                },
                selector: peer.selector,
                node: peer.node,
            })
            .collect()
    });
}

/// Reports every selector `selectors` gives for the unit's objects that is not empty and
/// matches no pod of its object's namespace, with a near miss as a hint.
fn report_unmatched<'a, S: IntoIterator<Item = PodSelector<'a>>>(
    graph: &Graph<'a>,
    sink: &mut Sink<'_>,
    selectors: impl Fn(&'a Resource) -> S,
) {
    for (_, resource) in graph.objects() {
        let Some(namespace) = resource.namespace.as_deref() else {
            continue;
        };
        let selectors: Vec<PodSelector<'a>> = selectors(resource).into_iter().collect();
        if selectors.is_empty() || pods_unknown(graph, namespace) {
            continue;
        }
        for PodSelector {
            selector,
            node,
            what,
        } in selectors
        {
            if selector.is_empty() || graph.selects_any_pod(namespace, &selector) {
                continue;
            }
            let finding = sink.report(
                resource,
                node,
                format!(
                    "selector `{}` matches no pod in {}: {what}",
                    selector_text(&selector),
                    namespace_phrase(resource)
                ),
            );
            if let Some((near, missed)) = nearest_miss(graph, namespace, &selector) {
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
    }
}

/// Whether the pods of `namespace` may be ones k8sec cannot see: the unit defines no workload
/// there (they are deployed from elsewhere), or an operator runs pods there from a custom
/// resource. Selectors in such namespaces are not judged.
fn pods_unknown(graph: &Graph<'_>, namespace: &str) -> bool {
    graph.has_operator_pods(namespace) || graph.workloads_in(namespace).next().is_none()
}

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
