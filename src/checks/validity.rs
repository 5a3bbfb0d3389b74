//! Objects Kubernetes would reject, or that do not do what they seem to.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink, Unit};
use crate::model::Resource;

/// `selector-label-mismatch`.
pub(super) fn selector_label_mismatch(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `duplicate-object`.
pub(super) fn duplicate_object(_ctx: &Ctx<'_>, _unit: &Unit<'_>, _sink: &mut Sink<'_>) {}

/// `duplicate-env-var`.
pub(super) fn duplicate_env_var(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `deprecated-api-version`.
pub(super) fn deprecated_api_version(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `kubernetes-dashboard`.
pub(super) fn kubernetes_dashboard(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `default-namespace`.
pub(super) fn default_namespace(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}
