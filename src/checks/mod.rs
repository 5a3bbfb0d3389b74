//! The checks and their registry.
//!
//! A check is a plain function in the module of its family, registered by one line of
//! [`CHECKS`] (sorted by id) that says how it runs ([`Runner`]) and, for a check with
//! parameters, how `[checks.<id>]` is read into [`Params`]. Behaviour lives here; metadata and
//! prose live in `checks/<id>.toml` ([`crate::docs`]), and tests keep the two in step.
//!
//! The pipeline runs the checks of a configuration through a [`Selection`]; checks report
//! through a [`Sink`] that knows their severity. Checks know nothing of the configuration
//! file: what they may be configured with arrives in [`Ctx`].

mod deprecated_api;
mod exposure;
mod hardening;
mod hints;
mod images;
mod network_policy;
mod params;
mod pod_security;
mod rbac;
mod rbac_bindings;
mod rbac_workloads;
mod references;
mod required_setting;
mod resources;
mod restricted;
mod scaling;
mod secret_values;
mod secrets;
mod selection;
mod selectors;
mod sink;
mod structure;
mod validity;

pub use params::Params;
pub(crate) use params::ReadParams;
pub(crate) use selection::{Ctx, Selection};
pub(crate) use sink::Sink;

/// What checks need to attach a fix: `use super::Applicability`.
pub(crate) use crate::fix::Applicability;
use crate::graph::Graph;
use crate::model::{Container, PodSpec, Resource};

/// A Kubernetes release as (major, minor): what version-dependent checks judge against.
pub type KubernetesVersion = (u32, u32);

/// The release the checks judge against when `kubernetes-version` is not configured.
pub const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = (1, 33);

/// How a check is run. The pipeline decides where (in parallel over resources, once per
/// deployment unit); the runner decides what the check sees.
#[derive(Clone, Copy)]
pub(crate) enum Runner {
    /// Once per resource.
    Resource(fn(&Ctx<'_>, &Resource, &mut Sink<'_>)),
    /// Once per resource that has a pod spec (every workload kind, see [`PodSpec::of`]).
    Pod(fn(&Ctx<'_>, &Resource, PodSpec<'_>, &mut Sink<'_>)),
    /// Once per container (containers, init and ephemeral containers) of each pod spec.
    Container(fn(&Ctx<'_>, &Resource, PodSpec<'_>, Container<'_>, &mut Sink<'_>)),
    /// Once per deployment unit, over all its resources.
    Unit(fn(&Ctx<'_>, &[Resource], &mut Sink<'_>)),
    /// Once per deployment unit, over its cross-resource graph (built only when such a check
    /// runs).
    Graph(fn(&Ctx<'_>, &Graph<'_>, &mut Sink<'_>)),
    /// Reported by the loader, not by a function (`invalid-yaml`).
    Loader,
}

/// A registered check.
#[derive(Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub(crate) run: Runner,
    /// Reads `[checks.<id>]` into [`Params`]; `None` for a check without parameters.
    pub(crate) params: Option<ReadParams>,
}

impl Check {
    /// Whether the check has parameters (`[checks.<id>]`), which its doc must list.
    pub fn has_params(&self) -> bool {
        self.params.is_some()
    }

    /// A check with parameters, read by `read` from `[checks.<id>]`.
    const fn with_params(self, read: ReadParams) -> Check {
        Check {
            params: Some(read),
            ..self
        }
    }
}

const fn resource(id: &'static str, run: fn(&Ctx<'_>, &Resource, &mut Sink<'_>)) -> Check {
    registered(id, Runner::Resource(run))
}

const fn pod(id: &'static str, run: fn(&Ctx<'_>, &Resource, PodSpec<'_>, &mut Sink<'_>)) -> Check {
    registered(id, Runner::Pod(run))
}

const fn container(
    id: &'static str,
    run: fn(&Ctx<'_>, &Resource, PodSpec<'_>, Container<'_>, &mut Sink<'_>),
) -> Check {
    registered(id, Runner::Container(run))
}

const fn unit(id: &'static str, run: fn(&Ctx<'_>, &[Resource], &mut Sink<'_>)) -> Check {
    registered(id, Runner::Unit(run))
}

const fn graph(id: &'static str, run: fn(&Ctx<'_>, &Graph<'_>, &mut Sink<'_>)) -> Check {
    registered(id, Runner::Graph(run))
}

const fn registered(id: &'static str, run: Runner) -> Check {
    Check {
        id,
        run,
        params: None,
    }
}

/// Every check, sorted by id. One entry per `checks/<id>.toml`: how it runs (the runner and
/// the function) and, for a check with parameters, how `[checks.<id>]` is read into its
/// field of [`Params`].
#[rustfmt::skip]
pub static CHECKS: &[Check] = &[
    container("added-capabilities", restricted::added_capabilities)
        .with_params(|table, p| params::read(table, &mut p.added_capabilities)),
    pod("apparmor-unconfined", pod_security::apparmor_unconfined),
    graph("automount-service-account-token", hardening::automount_service_account_token),
    graph("binding-missing-role", references::binding_missing_role),
    resource("binding-to-anonymous", rbac_bindings::binding_to_anonymous),
    container("capabilities-not-dropped", restricted::capabilities_not_dropped),
    graph("cluster-admin-binding", rbac_bindings::cluster_admin_binding),
    resource("committed-secret", secrets::committed_secret),
    container("dangerous-capabilities", pod_security::dangerous_capabilities),
    resource("default-namespace", validity::default_namespace),
    pod("default-service-account", hardening::default_service_account),
    resource("deprecated-api-version", deprecated_api::deprecated_api_version),
    pod("deprecated-service-account-field", hardening::deprecated_service_account_field),
    container("duplicate-env-var", validity::duplicate_env_var),
    resource("duplicate-key", structure::duplicate_key),
    unit("duplicate-object", validity::duplicate_object),
    graph("exposed-privileged-workload", exposure::exposed_privileged_workload),
    pod("host-ipc", pod_security::host_ipc),
    pod("host-network", pod_security::host_network),
    pod("host-path-volume", pod_security::host_path_volume),
    pod("host-pid", pod_security::host_pid),
    container("host-port", pod_security::host_port),
    graph("hpa-conflict", scaling::hpa_conflict),
    graph("hpa-missing-target", references::hpa_missing_target),
    container("image-not-pinned-by-digest", images::image_not_pinned_by_digest),
    graph("ingress-missing-service", references::ingress_missing_service),
    resource("ingress-without-tls", exposure::ingress_without_tls),
    registered("invalid-yaml", Runner::Loader),
    container("kubernetes-dashboard", validity::kubernetes_dashboard),
    container("latest-image-tag", images::latest_image_tag),
    resource("malformed-object", validity::malformed_object),
    pod("missing-cpu-limit", resources::missing_cpu_limit),
    pod("missing-cpu-request", resources::missing_cpu_request),
    pod("missing-liveness-probe", resources::missing_liveness_probe),
    pod("missing-memory-limit", resources::missing_memory_limit),
    pod("missing-memory-request", resources::missing_memory_request),
    pod("missing-readiness-probe", resources::missing_readiness_probe),
    graph("missing-referenced-object", references::missing_referenced_object),
    pod("missing-seccomp-profile", restricted::missing_seccomp_profile),
    graph("missing-service-account", references::missing_service_account),
    resource("networkpolicy-allow-all", network_policy::networkpolicy_allow_all),
    graph("networkpolicy-peer-selects-nothing", selectors::networkpolicy_peer_selects_nothing),
    graph("networkpolicy-selects-nothing", selectors::networkpolicy_selects_nothing),
    graph("pdb-selects-nothing", selectors::pdb_selects_nothing),
    graph("pod-egress-unrestricted", network_policy::pod_egress_unrestricted),
    graph("pod-not-isolated", network_policy::pod_not_isolated),
    container("privilege-escalation-allowed", restricted::privilege_escalation_allowed),
    container("privileged-container", pod_security::privileged_container),
    container("probe-port-not-exposed", resources::probe_port_not_exposed),
    resource("rbac-csr-approval", rbac::rbac_csr_approval),
    resource("rbac-ephemeral-containers", rbac::rbac_ephemeral_containers),
    resource("rbac-escalation-verbs", rbac::rbac_escalation_verbs),
    resource("rbac-node-proxy", rbac::rbac_node_proxy),
    resource("rbac-node-update", rbac::rbac_node_update),
    resource("rbac-persistent-volume-create", rbac::rbac_persistent_volume_create),
    resource("rbac-pod-exec", rbac::rbac_pod_exec),
    resource("rbac-secrets-access", rbac::rbac_secrets_access),
    resource("rbac-token-create", rbac::rbac_token_create),
    resource("rbac-webhook-config", rbac::rbac_webhook_config),
    resource("rbac-wildcard", rbac::rbac_wildcard),
    resource("rbac-workload-create", rbac::rbac_workload_create),
    graph("replicas-with-hpa", scaling::replicas_with_hpa),
    pod("restricted-volume-types", restricted::restricted_volume_types),
    pod("run-as-root", restricted::run_as_root)
        .with_params(|table, p| params::read(table, &mut p.run_as_root)),
    pod("seccomp-unconfined", pod_security::seccomp_unconfined),
    resource("secret-in-configmap", secrets::secret_in_configmap)
        .with_params(|table, p| params::read(table, &mut p.secret_in_configmap)),
    container("secret-in-env", secrets::secret_in_env)
        .with_params(|table, p| params::read(table, &mut p.secret_in_env)),
    pod("selector-label-mismatch", validity::selector_label_mismatch),
    pod("selinux-custom-options", pod_security::selinux_custom_options),
    resource("sensitive-host-mount", hardening::sensitive_host_mount)
        .with_params(|table, p| params::read(table, &mut p.sensitive_host_mount)),
    resource("service-exposed", exposure::service_exposed),
    graph("service-selects-nothing", selectors::service_selects_nothing),
    resource("ssh-port", exposure::ssh_port),
    container("unsafe-proc-mount", pod_security::unsafe_proc_mount),
    pod("unsafe-sysctls", pod_security::unsafe_sysctls),
    pod("windows-host-process", pod_security::windows_host_process),
    graph("workload-risky-permissions", rbac_workloads::workload_risky_permissions),
    container("writable-root-filesystem", hardening::writable_root_filesystem),
];

/// The registered check `id`.
pub(crate) fn find(id: &str) -> Option<&'static Check> {
    CHECKS
        .binary_search_by(|c| c.id.cmp(id))
        .ok()
        .map(|i| &CHECKS[i])
}

#[cfg(test)]
pub(crate) mod testing;
