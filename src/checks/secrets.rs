//! Secrets written into manifests.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink};
use crate::model::Resource;

/// `secret-in-env`.
pub(super) fn secret_in_env(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `secret-in-configmap`.
pub(super) fn secret_in_configmap(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `committed-secret`.
pub(super) fn committed_secret(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}
