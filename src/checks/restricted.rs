//! Pod Security Standards, restricted level.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink};
use crate::model::Resource;

/// `privilege-escalation-allowed`.
pub(super) fn privilege_escalation_allowed(
    _ctx: &Ctx<'_>,
    _resource: &Resource,
    _sink: &mut Sink<'_>,
) {
}

/// `run-as-root`.
pub(super) fn run_as_root(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `capabilities-not-dropped`.
pub(super) fn capabilities_not_dropped(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {
}

/// `added-capabilities`.
pub(super) fn added_capabilities(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `missing-seccomp-profile`.
pub(super) fn missing_seccomp_profile(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `restricted-volume-types`.
pub(super) fn restricted_volume_types(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}
