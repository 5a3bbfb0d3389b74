//! Workload scaling: HorizontalPodAutoscalers that fight over one workload, and workloads that
//! set the replica count an HPA manages.
//!
//! Both read the unit's graph: each HPA's `scales` edge points at the workload its
//! `scaleTargetRef` names (the nearest definition when the unit holds variants).

use std::collections::BTreeMap;

use super::hints::{describe, relate};
use super::{Ctx, Sink};
use crate::graph::{EdgeKind, Graph, NodeId};
use crate::model::Resource;
use crate::yaml::NodeRef;

/// The HPAs of the unit that scale each unit object, in unit order: (HPA, its target name node).
fn scalers<'a>(graph: &Graph<'a>) -> BTreeMap<NodeId, Vec<(&'a Resource, Option<NodeRef<'a>>)>> {
    let mut by_target: BTreeMap<NodeId, Vec<(&Resource, Option<NodeRef<'_>>)>> = BTreeMap::new();
    for edge in graph.edges.iter().filter(|e| e.kind == EdgeKind::Scales) {
        let (Some(hpa), Some(_)) = (
            graph.nodes[edge.from].unit_resource(),
            graph.nodes[edge.to].unit_resource(),
        ) else {
            continue;
        };
        by_target.entry(edge.to).or_default().push((hpa, edge.at));
    }
    by_target
}

/// The same object (kind, namespace, name): variants of one HPA kept side by side are not two.
fn same_object(a: &Resource, b: &Resource) -> bool {
    a.kind == b.kind && a.namespace == b.namespace && a.name == b.name
}

/// `hpa-conflict`: two HorizontalPodAutoscalers scale the same workload. The HPA controller
/// refuses to scale a workload two of them select (`AmbiguousSelector`), and before it did they
/// overwrote each other's replica count. Reported at each HPA after the first, with the first
/// as a related location and, as a hint, a workload named like the HPA that no HPA scales (the
/// copy-paste slip: the `frontend` HPA still targets `backend`).
pub(super) fn hpa_conflict(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let by_target = scalers(graph);
    for (&target, hpas) in &by_target {
        let Some(workload) = graph.nodes[target].unit_resource() else {
            continue;
        };
        let Some(&(first, first_at)) = hpas.first() else {
            continue;
        };
        for &(hpa, at) in &hpas[1..] {
            if same_object(hpa, first) {
                continue;
            }
            let span = at.map_or_else(|| hpa.anchor_span(), |n| n.span());
            let finding = sink.report_span(
                hpa,
                span,
                format!(
                    "{} scales {}, which {} already scales: the HPA controller disables both (`AmbiguousSelector`)",
                    describe(hpa),
                    describe(workload),
                    describe(first)
                ),
            );
            relate(
                finding,
                first_at.map_or_else(|| first.anchor_span(), |n| n.span()),
                format!("{} targets it here", describe(first)),
            );
            // The workload the HPA was probably meant for: named like it, scaled by no HPA.
            let meant = graph.objects().find(|&(id, r)| {
                r.name == hpa.name
                    && r.namespace == hpa.namespace
                    && r.kind == workload.kind
                    && !by_target.contains_key(&id)
            });
            if let Some((_, meant)) = meant {
                relate(
                    finding,
                    meant.name_span(),
                    format!("{} is scaled by no HPA", describe(meant)),
                );
            }
        }
    }
}

/// `replicas-with-hpa`: a workload an HPA scales sets `spec.replicas`: every apply from Git
/// resets the replica count the HPA chose.
pub(super) fn replicas_with_hpa(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (target, hpas) in scalers(graph) {
        let Some(workload) = graph.nodes[target].unit_resource() else {
            continue;
        };
        let Some(replicas) = workload
            .root()
            .path(&["spec", "replicas"])
            .filter(|r| !r.is_null())
        else {
            continue;
        };
        let Some(&(hpa, at)) = hpas.first() else {
            continue;
        };
        let count = replicas
            .as_i64()
            .map_or_else(String::new, |n| format!(" ({n})"));
        let finding = sink.report(
            workload,
            replicas,
            format!(
                "{} sets `replicas`{count}, but {} scales it: every apply resets the replica count the HPA chose",
                describe(workload),
                describe(hpa)
            ),
        );
        relate(
            finding,
            at.map_or_else(|| hpa.anchor_span(), |n| n.span()),
            format!("{} targets it here", describe(hpa)),
        );
    }
}
