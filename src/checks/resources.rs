//! Resource requests and limits, and probes.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink};
use crate::model::Resource;

/// `missing-cpu-request`.
pub(super) fn missing_cpu_request(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `missing-memory-request`.
pub(super) fn missing_memory_request(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `missing-memory-limit`.
pub(super) fn missing_memory_limit(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `missing-cpu-limit`.
pub(super) fn missing_cpu_limit(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `missing-liveness-probe`.
pub(super) fn missing_liveness_probe(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `missing-readiness-probe`.
pub(super) fn missing_readiness_probe(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `probe-port-not-exposed`.
pub(super) fn probe_port_not_exposed(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}
