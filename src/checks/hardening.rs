//! Hardening beyond the Pod Security Standards.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink};
use crate::model::Resource;

/// `sensitive-host-mount`.
pub(super) fn sensitive_host_mount(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `writable-root-filesystem`.
pub(super) fn writable_root_filesystem(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {
}

/// `automount-service-account-token`.
pub(super) fn automount_service_account_token(
    _ctx: &Ctx<'_>,
    _resource: &Resource,
    _sink: &mut Sink<'_>,
) {
}

/// `default-service-account`.
pub(super) fn default_service_account(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `deprecated-service-account-field`.
pub(super) fn deprecated_service_account_field(
    _ctx: &Ctx<'_>,
    _resource: &Resource,
    _sink: &mut Sink<'_>,
) {
}
