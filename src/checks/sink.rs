//! Where a check reports: [`Sink`] makes findings with the check's id and resolved severity,
//! drops the ones an object's annotation suppresses, and gives checks the editor for fixes.

use crate::diagnostic::{Edit, Finding, Fix, Related, Severity};
use crate::fix::{Applicability, Editor};
use crate::model::{PodSpec, Resource};
use crate::source::Sources;
use crate::yaml::{NodeRef, Span};

/// Annotation prefix that suppresses a check on an object or its pod template.
const IGNORE_ANNOTATION: &str = "ignore-check.k8sec.io/";

/// Collects one check's findings, applying the object's suppression annotations as it goes.
pub(crate) struct Sink<'a> {
    check: &'static str,
    severity: Severity,
    findings: &'a mut Vec<Finding>,
    discarded: Option<Finding>,
    /// The texts the resources were parsed from, for computing fixes ([`Sink::edit`]).
    sources: &'a Sources,
    /// Whether fixes' edits are written, or only located ([`Editor::locating`]).
    edits: bool,
    /// Findings dropped by an `ignore-check.k8sec.io/<id>` annotation.
    pub(crate) suppressed: usize,
}

impl<'a> Sink<'a> {
    /// A sink for the findings of `check`, reported at `severity` (as configured), about
    /// resources parsed from `sources`; `edits`: whether fixes' edits are written.
    pub(crate) fn new(
        check: &'static str,
        severity: Severity,
        sources: &'a Sources,
        findings: &'a mut Vec<Finding>,
        edits: bool,
    ) -> Self {
        Sink {
            check,
            severity,
            findings,
            discarded: None,
            sources,
            edits,
            suppressed: 0,
        }
    }

    /// The YAML edit helpers, to compute a fix before reporting the finding it resolves:
    ///
    /// ```ignore
    /// let fix = sink.edit().set_path(container.node, &["securityContext", "runAsNonRoot"], true);
    /// sink.report(resource, anchor, message).with_fix(Applicability::Unsafe, "set `runAsNonRoot: true`", fix);
    /// ```
    pub(crate) fn edit(&self) -> Editor<'a> {
        if self.edits {
            Editor::new(self.sources)
        } else {
            Editor::locating(self.sources)
        }
    }

    /// The source text of `span` (for locating a part of a value inside its node).
    pub(crate) fn text(&self, span: Span) -> &'a str {
        if span.file.0 as usize >= self.sources.len() {
            return ""; // not a source file (the built-in roles)
        }
        let file = self.sources.get(span.file);
        file.text
            .get(span.range.start as usize..span.range.end as usize)
            .unwrap_or("")
    }

    /// Reports a finding about `resource` at `node`. Returns it for adding the container,
    /// related locations or a fix; a finding suppressed by annotation is still returned but
    /// then dropped.
    pub(crate) fn report(
        &mut self,
        resource: &Resource,
        node: NodeRef<'_>,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.report_span(resource, node.span(), message)
    }

    /// Like [`report`](Self::report) at an explicit span.
    pub(crate) fn report_span(
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
    pub(crate) fn in_container(&mut self, name: &str) -> &mut Self {
        if !name.is_empty() {
            self.container = Some(name.to_string());
        }
        self
    }

    /// Marks `span` as secret text that no output may print (see [`Finding::redact`]).
    pub(crate) fn redact(&mut self, span: Span) -> &mut Self {
        self.redact.push(span);
        self
    }

    /// Adds a related location.
    pub(crate) fn related(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Attaches a fix made of `edits`, as computed by an edit helper (`sink.edit()…`). `None`
    /// (the helper could not edit safely) or no edits attach nothing: the finding is reported
    /// without a fix. `description` is imperative: "set `privileged: false`". An unsafe or
    /// display-only fix says why with its check's `fix_reason`.
    pub(crate) fn with_fix(
        &mut self,
        applicability: Applicability,
        description: impl Into<String>,
        edits: Option<Vec<Edit>>,
    ) -> &mut Self {
        let reason = crate::docs::doc(self.check)
            .map(|doc| doc.fix_reason)
            .filter(|reason| !reason.is_empty() && applicability != Applicability::Safe);
        self.with_fix_because(
            applicability,
            description,
            reason.unwrap_or_default(),
            edits,
        )
    }

    /// Like [`with_fix`](Self::with_fix), with the reason this fix is unsafe or display-only
    /// (when it is not the check's usual one: a fix less safe than the check's other fixes).
    pub(crate) fn with_fix_because(
        &mut self,
        applicability: Applicability,
        description: impl Into<String>,
        reason: impl Into<String>,
        edits: Option<Vec<Edit>>,
    ) -> &mut Self {
        let reason = reason.into();
        self.fix = edits
            .and_then(|edits| Fix::new(applicability, description, edits))
            .map(|fix| Fix {
                reason: (!reason.is_empty()).then_some(reason),
                ..fix
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
    has(resource.metadata()) || PodSpec::of(resource).is_some_and(|pod| has(pod.metadata))
}
