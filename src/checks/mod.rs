//! The checks, their registry, and what they run with.
//!
//! A check is a plain function registered in [`CHECKS`] (sorted by id). Per-object checks see
//! one [`Resource`]; unit checks see every resource of a deployment unit (all plain files of a
//! run, later a Kustomize build or a rendered chart). Behaviour lives here; metadata and prose
//! live in `checks/<id>.toml` ([`docs`]), and tests keep the two in step.

mod exposure;
mod graph;
mod hardening;
mod images;
mod pod_security;
mod rbac;
mod resources;
mod restricted;
mod secrets;
mod structure;
mod validity;

pub use crate::docs::{doc, CheckDoc, FixAvailability, Pss, DOCS};

use crate::config::{Config, Params};
use crate::diagnostic::{Edit, Finding, Fix, Related, Severity};
/// What checks need to attach a fix: `use super::{Applicability, Value}`.
pub use crate::fix::{Applicability, Editor, Value};
use crate::model::Resource;
use crate::source::Sources;
use crate::yaml::{NodeRef, Span};

/// What checks run with.
pub struct Ctx<'a> {
    pub params: &'a Params,
}

/// The resources one unit check sees: one deployment unit.
pub struct Unit<'a> {
    pub kind: &'a crate::workspace::UnitKind,
    pub resources: &'a [Resource],
}

/// How a check is run.
#[derive(Clone, Copy)]
pub enum Runner {
    /// Once per resource, in parallel.
    Resource(fn(&Ctx<'_>, &Resource, &mut Sink<'_>)),
    /// Once per unit.
    Unit(fn(&Ctx<'_>, &Unit<'_>, &mut Sink<'_>)),
    /// Once per unit, over the unit's cross-resource graph (built only when such a check runs).
    Graph(fn(&Ctx<'_>, &crate::graph::Graph<'_>, &mut Sink<'_>)),
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
        id: "added-capabilities",
        run: Runner::Resource(restricted::added_capabilities),
    },
    Check {
        id: "apparmor-unconfined",
        run: Runner::Resource(pod_security::apparmor_unconfined),
    },
    Check {
        id: "automount-service-account-token",
        run: Runner::Graph(hardening::automount_service_account_token),
    },
    Check {
        id: "binding-missing-role",
        run: Runner::Graph(graph::binding_missing_role),
    },
    Check {
        id: "binding-to-anonymous",
        run: Runner::Resource(rbac::binding_to_anonymous),
    },
    Check {
        id: "capabilities-not-dropped",
        run: Runner::Resource(restricted::capabilities_not_dropped),
    },
    Check {
        id: "cluster-admin-binding",
        run: Runner::Resource(rbac::cluster_admin_binding),
    },
    Check {
        id: "committed-secret",
        run: Runner::Resource(secrets::committed_secret),
    },
    Check {
        id: "dangerous-capabilities",
        run: Runner::Resource(pod_security::dangerous_capabilities),
    },
    Check {
        id: "default-namespace",
        run: Runner::Resource(validity::default_namespace),
    },
    Check {
        id: "default-service-account",
        run: Runner::Resource(hardening::default_service_account),
    },
    Check {
        id: "deprecated-api-version",
        run: Runner::Resource(validity::deprecated_api_version),
    },
    Check {
        id: "deprecated-service-account-field",
        run: Runner::Resource(hardening::deprecated_service_account_field),
    },
    Check {
        id: "duplicate-env-var",
        run: Runner::Resource(validity::duplicate_env_var),
    },
    Check {
        id: "duplicate-key",
        run: Runner::Resource(structure::duplicate_key),
    },
    Check {
        id: "duplicate-object",
        run: Runner::Unit(validity::duplicate_object),
    },
    Check {
        id: "exposed-privileged-workload",
        run: Runner::Graph(graph::exposed_privileged_workload),
    },
    Check {
        id: "host-ipc",
        run: Runner::Resource(pod_security::host_ipc),
    },
    Check {
        id: "host-network",
        run: Runner::Resource(pod_security::host_network),
    },
    Check {
        id: "host-path-volume",
        run: Runner::Resource(pod_security::host_path_volume),
    },
    Check {
        id: "host-pid",
        run: Runner::Resource(pod_security::host_pid),
    },
    Check {
        id: "host-port",
        run: Runner::Resource(pod_security::host_port),
    },
    Check {
        id: "hpa-missing-target",
        run: Runner::Graph(graph::hpa_missing_target),
    },
    Check {
        id: "image-not-pinned-by-digest",
        run: Runner::Resource(images::image_not_pinned_by_digest),
    },
    Check {
        id: "ingress-missing-service",
        run: Runner::Graph(graph::ingress_missing_service),
    },
    Check {
        id: "ingress-without-tls",
        run: Runner::Resource(exposure::ingress_without_tls),
    },
    Check {
        id: "invalid-yaml",
        run: Runner::Loader,
    },
    Check {
        id: "kubernetes-dashboard",
        run: Runner::Resource(validity::kubernetes_dashboard),
    },
    Check {
        id: "latest-image-tag",
        run: Runner::Resource(images::latest_image_tag),
    },
    Check {
        id: "missing-cpu-limit",
        run: Runner::Resource(resources::missing_cpu_limit),
    },
    Check {
        id: "missing-cpu-request",
        run: Runner::Resource(resources::missing_cpu_request),
    },
    Check {
        id: "missing-liveness-probe",
        run: Runner::Resource(resources::missing_liveness_probe),
    },
    Check {
        id: "missing-memory-limit",
        run: Runner::Resource(resources::missing_memory_limit),
    },
    Check {
        id: "missing-memory-request",
        run: Runner::Resource(resources::missing_memory_request),
    },
    Check {
        id: "missing-readiness-probe",
        run: Runner::Resource(resources::missing_readiness_probe),
    },
    Check {
        id: "missing-referenced-object",
        run: Runner::Graph(graph::missing_referenced_object),
    },
    Check {
        id: "missing-seccomp-profile",
        run: Runner::Resource(restricted::missing_seccomp_profile),
    },
    Check {
        id: "missing-service-account",
        run: Runner::Graph(graph::missing_service_account),
    },
    Check {
        id: "networkpolicy-allow-all",
        run: Runner::Resource(exposure::networkpolicy_allow_all),
    },
    Check {
        id: "networkpolicy-peer-selects-nothing",
        run: Runner::Graph(graph::networkpolicy_peer_selects_nothing),
    },
    Check {
        id: "networkpolicy-selects-nothing",
        run: Runner::Graph(graph::networkpolicy_selects_nothing),
    },
    Check {
        id: "pdb-selects-nothing",
        run: Runner::Graph(graph::pdb_selects_nothing),
    },
    Check {
        id: "pod-egress-unrestricted",
        run: Runner::Graph(graph::pod_egress_unrestricted),
    },
    Check {
        id: "pod-not-isolated",
        run: Runner::Graph(graph::pod_not_isolated),
    },
    Check {
        id: "privilege-escalation-allowed",
        run: Runner::Resource(restricted::privilege_escalation_allowed),
    },
    Check {
        id: "privileged-container",
        run: Runner::Resource(pod_security::privileged_container),
    },
    Check {
        id: "probe-port-not-exposed",
        run: Runner::Resource(resources::probe_port_not_exposed),
    },
    Check {
        id: "rbac-escalation-verbs",
        run: Runner::Resource(rbac::rbac_escalation_verbs),
    },
    Check {
        id: "rbac-node-proxy",
        run: Runner::Resource(rbac::rbac_node_proxy),
    },
    Check {
        id: "rbac-pod-exec",
        run: Runner::Resource(rbac::rbac_pod_exec),
    },
    Check {
        id: "rbac-secrets-access",
        run: Runner::Resource(rbac::rbac_secrets_access),
    },
    Check {
        id: "rbac-wildcard",
        run: Runner::Resource(rbac::rbac_wildcard),
    },
    Check {
        id: "rbac-workload-create",
        run: Runner::Resource(rbac::rbac_workload_create),
    },
    Check {
        id: "restricted-volume-types",
        run: Runner::Resource(restricted::restricted_volume_types),
    },
    Check {
        id: "run-as-root",
        run: Runner::Resource(restricted::run_as_root),
    },
    Check {
        id: "seccomp-unconfined",
        run: Runner::Resource(pod_security::seccomp_unconfined),
    },
    Check {
        id: "secret-in-configmap",
        run: Runner::Resource(secrets::secret_in_configmap),
    },
    Check {
        id: "secret-in-env",
        run: Runner::Resource(secrets::secret_in_env),
    },
    Check {
        id: "selector-label-mismatch",
        run: Runner::Resource(validity::selector_label_mismatch),
    },
    Check {
        id: "selinux-custom-options",
        run: Runner::Resource(pod_security::selinux_custom_options),
    },
    Check {
        id: "sensitive-host-mount",
        run: Runner::Resource(hardening::sensitive_host_mount),
    },
    Check {
        id: "service-exposed",
        run: Runner::Resource(exposure::service_exposed),
    },
    Check {
        id: "service-selects-nothing",
        run: Runner::Graph(graph::service_selects_nothing),
    },
    Check {
        id: "ssh-port",
        run: Runner::Resource(exposure::ssh_port),
    },
    Check {
        id: "unsafe-proc-mount",
        run: Runner::Resource(pod_security::unsafe_proc_mount),
    },
    Check {
        id: "unsafe-sysctls",
        run: Runner::Resource(pod_security::unsafe_sysctls),
    },
    Check {
        id: "windows-host-process",
        run: Runner::Resource(pod_security::windows_host_process),
    },
    Check {
        id: "workload-risky-permissions",
        run: Runner::Graph(graph::workload_risky_permissions),
    },
    Check {
        id: "writable-root-filesystem",
        run: Runner::Resource(hardening::writable_root_filesystem),
    },
];

/// Collects a check's findings, applying the object's suppression annotations as it goes.
pub struct Sink<'a> {
    check: &'static str,
    severity: Severity,
    findings: &'a mut Vec<Finding>,
    discarded: Option<Finding>,
    /// The texts the resources were parsed from, for computing fixes ([`Sink::edit`]).
    sources: Option<&'a Sources>,
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
            sources: None,
            suppressed: 0,
        }
    }

    /// Gives the sink the texts the resources came from, so checks can compute fixes. Without
    /// them (a check's unit test) every edit helper returns `None` and findings carry no fix.
    pub fn with_sources(mut self, sources: &'a Sources) -> Self {
        self.sources = Some(sources);
        self
    }

    /// The YAML edit helpers, to compute a fix before reporting the finding it resolves:
    ///
    /// ```ignore
    /// let fix = sink.edit().set_path(container.node, &["securityContext", "runAsNonRoot"], true);
    /// sink.report(resource, anchor, message).with_fix(Applicability::Unsafe, "set `runAsNonRoot: true`", fix);
    /// ```
    pub fn edit(&self) -> Editor<'a> {
        self.sources.map_or_else(Editor::detached, Editor::new)
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

    /// Attaches a fix made of `edits`, as computed by an edit helper (`sink.edit()…`). `None`
    /// (the helper could not edit safely) or no edits attach nothing: the finding is reported
    /// without a fix. `description` is imperative: "set `privileged: false`".
    pub fn with_fix(
        &mut self,
        applicability: Applicability,
        description: impl Into<String>,
        edits: Option<Vec<Edit>>,
    ) -> &mut Self {
        self.fix = edits.and_then(|edits| Fix::new(applicability, description, edits));
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
