//! RBAC roles and bindings, one object at a time.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink};
use crate::model::Resource;

/// `rbac-wildcard`.
pub(super) fn rbac_wildcard(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `rbac-secrets-access`.
pub(super) fn rbac_secrets_access(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `rbac-pod-exec`.
pub(super) fn rbac_pod_exec(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `rbac-workload-create`.
pub(super) fn rbac_workload_create(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `rbac-escalation-verbs`.
pub(super) fn rbac_escalation_verbs(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `rbac-node-proxy`.
pub(super) fn rbac_node_proxy(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `cluster-admin-binding`.
pub(super) fn cluster_admin_binding(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `binding-to-anonymous`.
pub(super) fn binding_to_anonymous(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}
