//! The checks, their registry, and what they run with.
//!
//! A check is a plain function registered in [`CHECKS`] (sorted by id). Per-object checks see
//! one [`Resource`]; unit checks see every resource of a deployment unit (all plain files of a
//! run, later a Kustomize build or a rendered chart). Behaviour lives here; metadata and prose
//! live in `checks/<id>.toml` ([`docs`]), and tests keep the two in step.

pub mod docs;
mod pod_security;

pub use docs::{doc, CheckDoc, FixAvailability, Pss, DOCS};

use crate::config::{Config, Params};
use crate::diagnostic::{Finding, Related, Severity};
use crate::model::Resource;
use crate::yaml::{NodeRef, Span};

/// What checks run with.
pub struct Ctx<'a> {
    pub params: &'a Params,
}

/// The resources one unit check sees.
pub struct Unit<'a> {
    pub resources: &'a [Resource],
}

/// How a check is run.
#[derive(Clone, Copy)]
pub enum Runner {
    /// Once per resource, in parallel.
    Resource(fn(&Ctx<'_>, &Resource, &mut Sink<'_>)),
    /// Once per unit.
    Unit(fn(&Ctx<'_>, &Unit<'_>, &mut Sink<'_>)),
    /// Reported by the loader, not by a function (`invalid-yaml`).
    Loader,
}

/// A registered check.
#[derive(Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub run: Runner,
}

/// Every check, sorted by id. One entry per `checks/<id>.toml`.
pub static CHECKS: &[Check] = &[
    Check {
        id: "invalid-yaml",
        run: Runner::Loader,
    },
    Check {
        id: "privileged-container",
        run: Runner::Resource(pod_security::privileged_container),
    },
];

/// Collects a check's findings, applying the object's suppression annotations as it goes.
pub struct Sink<'a> {
    check: &'static str,
    severity: Severity,
    findings: &'a mut Vec<Finding>,
    discarded: Option<Finding>,
    /// Findings dropped by an `ignore-check.k8sec.io/<id>` annotation.
    pub suppressed: usize,
}

/// Annotation prefix that suppresses a check on an object or its pod template.
pub const IGNORE_ANNOTATION: &str = "ignore-check.k8sec.io/";

impl<'a> Sink<'a> {
    pub fn new(check: &'static str, config: &Config, findings: &'a mut Vec<Finding>) -> Self {
        Sink {
            check,
            severity: config.severity_of(check),
            findings,
            discarded: None,
            suppressed: 0,
        }
    }

    /// Reports a finding about `resource` at `node`. Returns it for adding the container,
    /// related locations or a fix; a finding suppressed by annotation is still returned but
    /// then dropped.
    pub fn report(
        &mut self,
        resource: &Resource,
        node: NodeRef<'_>,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.report_span(resource, node.span(), message)
    }

    /// Like [`report`](Self::report) at an explicit span.
    pub fn report_span(
        &mut self,
        resource: &Resource,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Finding {
        let mut finding = Finding::new(self.check, self.severity, span, message.into());
        finding.object = Some(resource.object_ref());
        if is_suppressed_by_annotation(resource, self.check) {
            self.suppressed += 1;
            // Hand back a finding that is not collected, so callers stay uniform.
            return self.discarded.insert(finding);
        }
        self.findings.push(finding);
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

impl Finding {
    /// Names the container the finding is about.
    pub fn in_container(&mut self, name: &str) -> &mut Self {
        if !name.is_empty() {
            self.container = Some(name.to_string());
        }
        self
    }

    /// Adds a related location.
    pub fn related(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }
}

/// `ignore-check.k8sec.io/<id>` on the object or on its pod template.
fn is_suppressed_by_annotation(resource: &Resource, check: &str) -> bool {
    let has = |metadata: Option<NodeRef<'_>>| {
        metadata
            .and_then(|m| m.get("annotations"))
            .is_some_and(|annotations| {
                annotations.entries().any(|(k, _)| {
                    k.as_scalar().is_some_and(|(key, _)| {
                        key.strip_prefix(IGNORE_ANNOTATION)
                            .is_some_and(|id| id == check || id == "all")
                    })
                })
            })
    };
    has(resource.metadata())
        || crate::model::PodSpec::of(resource).is_some_and(|pod| has(pod.metadata))
}

/// The registered check `id`.
pub fn find(id: &str) -> Option<&'static Check> {
    CHECKS
        .binary_search_by(|c| c.id.cmp(id))
        .ok()
        .map(|i| &CHECKS[i])
}
