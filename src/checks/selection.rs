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
/// `kubernetes-version`), the parameters of `[checks.<id>]`, and which other checks run (for
/// folding a weaker finding into a stronger one, see [`Ctx::folds`]).
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) kubernetes_version: KubernetesVersion,
    pub(crate) params: &'a Params,
    checks: &'a [(&'static Check, Severity)],
    named: &'a [&'static str],
}

impl Ctx<'_> {
    /// Whether check `id` runs.
    pub(crate) fn runs(&self, id: &str) -> bool {
        self.checks.iter().any(|(check, _)| check.id == id)
    }

    /// The severity check `id` reports at in this run, if it runs.
    pub(crate) fn severity_of(&self, id: &str) -> Option<Severity> {
        self.checks
            .iter()
            .find(|(check, _)| check.id == id)
            .map(|&(_, severity)| severity)
    }

    /// Whether a finding of the weaker check `weaker` is folded into one of `into`, which
    /// implies it on the same node: `into` runs, and `weaker` was not selected by its id (a
    /// user who asks for a check by name gets every finding of it).
    pub(crate) fn folds(&self, weaker: &str, into: &str) -> bool {
        self.runs(into) && !self.named.contains(&weaker)
    }
}

/// The checks a run executes, each with its resolved severity, and what they run with.
pub(crate) struct Selection<'a> {
    kubernetes_version: KubernetesVersion,
    params: &'a Params,
    /// The enabled checks, in registry order (sorted by id), so findings come out in a stable
    /// order: what [`Ctx::runs`] and [`Ctx::folds`] answer from.
    checks: Vec<(&'static Check, Severity)>,
    /// The checks this selection executes: all of `checks`, or the part [`Selection::only`]
    /// kept (their findings are then exactly what they would be in a run of all of them).
    executed: Vec<(&'static Check, Severity)>,
    /// The checks selected by id (see [`Ctx::folds`]).
    named: Vec<&'static str>,
    /// Whether fixes keep their edits (see [`Selection::without_edits`]).
    edits: bool,
}

impl<'a> Selection<'a> {
    /// The registered checks among `ids` (others, such as `all`, are skipped), each reporting
    /// at `severity(id)`; `named` are those selected by their id.
    pub(crate) fn new(
        ids: &[&str],
        named: &[&str],
        severity: impl Fn(&str) -> Severity,
        kubernetes_version: KubernetesVersion,
        params: &'a Params,
    ) -> Self {
        let checks: Vec<(&'static Check, Severity)> = ids
            .iter()
            .filter_map(|id| super::find(id))
            .map(|check| (check, severity(check.id)))
            .collect();
        let named = named
            .iter()
            .filter_map(|id| super::find(id))
            .map(|check| check.id)
            .collect();
        Selection {
            kubernetes_version,
            params,
            executed: checks.clone(),
            checks,
            named,
            edits: true,
        }
    }

    /// Finds each fix without writing its edits, and attaches it without them (see
    /// [`Fix::edits`](crate::fix::Fix::edits)): for a lint whose outputs print no edits. Each
    /// finding has a fix exactly when it has one in a run that writes them.
    pub(crate) fn without_edits(mut self) -> Self {
        self.edits = false;
        self
    }

    /// Executes only the enabled checks `keep` accepts. The others still count as running for
    /// the ones kept: a check that folds its findings into another's when that one runs
    /// ([`Ctx::folds`]) folds them the same way, so each check kept reports exactly what it
    /// reports in a run of all of them. For re-linting a fixed file, where only the findings
    /// of some checks are looked at.
    pub(crate) fn only(mut self, keep: impl Fn(&str) -> bool) -> Self {
        self.executed.retain(|(check, _)| keep(check.id));
        self
    }

    /// What the checks run with.
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            kubernetes_version: self.kubernetes_version,
            params: self.params,
            checks: &self.checks,
            named: &self.named,
        }
    }

    /// Whether a check needs the graph of each unit: the pipeline builds it only then.
    pub(crate) fn wants_graph(&self) -> bool {
        self.executed
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
        let ctx = self.ctx();
        let first = findings.len();
        for &(check, severity) in &self.executed {
            let mut sink = Sink::new(check.id, severity, sources, findings, self.edits);
            match (check.run, pod) {
                (Runner::Resource(run), _) => run(&ctx, resource, &mut sink),
                (Runner::Pod(run), Some(pod)) => run(&ctx, resource, pod, &mut sink),
                (Runner::Container(run), Some(pod)) => {
                    for &container in &containers {
                        run(&ctx, resource, pod, container, &mut sink);
                    }
                }
                _ => {}
            }
            suppressed += sink.suppressed;
        }
        self.drop_edits(&mut findings[first..]);
        suppressed
    }

    /// Takes the edits off the fixes of `findings` when this selection writes none.
    fn drop_edits(&self, findings: &mut [Finding]) {
        if self.edits {
            return;
        }
        for fix in findings.iter_mut().filter_map(|f| f.fix.as_mut()) {
            fix.edits = Vec::new();
        }
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
        let ctx = self.ctx();
        let first = findings.len();
        for &(check, severity) in &self.executed {
            let mut sink = Sink::new(check.id, severity, sources, findings, self.edits);
            match (check.run, graph) {
                (Runner::Unit(run), _) => run(&ctx, resources, &mut sink),
                (Runner::Graph(run), Some(graph)) => run(&ctx, graph, &mut sink),
                _ => {}
            }
            suppressed += sink.suppressed;
        }
        self.drop_edits(&mut findings[first..]);
        suppressed
    }
}
