//! The checks of a run and how they are run: the pipeline's one way into the checks.
//!
//! A [`Selection`] is built once per run from the configuration (which checks, at which
//! severity, with which parameters). The pipeline then calls [`Selection::run_resource`] for
//! every resource (in parallel) and [`Selection::run_unit`] once per deployment unit; it never
//! sees a [`Sink`], a [`Ctx`] or a [`Runner`].

use super::{Check, KubernetesVersion, Params, Runner, Sink};
use crate::diagnostic::{Finding, Severity};
use crate::graph::Graph;
use crate::model::{Container, PodSpec, Resource};
use crate::source::Sources;

/// What every check runs with, besides the objects: the target Kubernetes version (top-level
/// `kubernetes-version`) and the parameters of `[checks.<id>]`.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) kubernetes_version: KubernetesVersion,
    pub(crate) params: &'a Params,
}

/// The checks a run executes, each with its resolved severity, and what they run with.
pub(crate) struct Selection<'a> {
    ctx: Ctx<'a>,
    /// In registry order (sorted by id), so findings come out in a stable order.
    checks: Vec<(&'static Check, Severity)>,
}

impl<'a> Selection<'a> {
    /// The registered checks among `ids` (others, such as `all`, are skipped), each reporting
    /// at `severity(id)`.
    pub(crate) fn new(
        ids: &[&str],
        severity: impl Fn(&str) -> Severity,
        kubernetes_version: KubernetesVersion,
        params: &'a Params,
    ) -> Self {
        let checks = ids
            .iter()
            .filter_map(|id| super::find(id))
            .map(|check| (check, severity(check.id)))
            .collect();
        Selection {
            ctx: Ctx {
                kubernetes_version,
                params,
            },
            checks,
        }
    }

    /// Whether a check needs the graph of each unit: the pipeline builds it only then.
    pub(crate) fn wants_graph(&self) -> bool {
        self.checks
            .iter()
            .any(|(check, _)| matches!(check.run, Runner::Graph(_)))
    }

    /// Runs the per-resource checks (resource, pod and container runners) on `resource`, a
    /// resource parsed from `sources`, adding to `findings`. Returns how many findings the
    /// object's annotations suppressed.
    pub(crate) fn run_resource(
        &self,
        resource: &Resource,
        sources: &Sources,
        findings: &mut Vec<Finding>,
    ) -> usize {
        let pod = PodSpec::of(resource);
        let containers: Vec<Container<'_>> =
            pod.map_or_else(Vec::new, |p| p.containers().collect());
        let mut suppressed = 0;
        for &(check, severity) in &self.checks {
            let mut sink = Sink::new(check.id, severity, sources, findings);
            match (check.run, pod) {
                (Runner::Resource(run), _) => run(&self.ctx, resource, &mut sink),
                (Runner::Pod(run), Some(pod)) => run(&self.ctx, resource, pod, &mut sink),
                (Runner::Container(run), Some(pod)) => {
                    for &container in &containers {
                        run(&self.ctx, resource, pod, container, &mut sink);
                    }
                }
                _ => {}
            }
            suppressed += sink.suppressed;
        }
        suppressed
    }

    /// Runs the unit checks and, when the pipeline built `graph`, the graph checks of one
    /// deployment unit made of `resources`. Returns how many findings annotations suppressed.
    pub(crate) fn run_unit(
        &self,
        resources: &[Resource],
        graph: Option<&Graph<'_>>,
        sources: &Sources,
        findings: &mut Vec<Finding>,
    ) -> usize {
        let mut suppressed = 0;
        for &(check, severity) in &self.checks {
            let mut sink = Sink::new(check.id, severity, sources, findings);
            match (check.run, graph) {
                (Runner::Unit(run), _) => run(&self.ctx, resources, &mut sink),
                (Runner::Graph(run), Some(graph)) => run(&self.ctx, graph, &mut sink),
                _ => {}
            }
            suppressed += sink.suppressed;
        }
        suppressed
    }
}
