//! Network exposure.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink};
use crate::model::Resource;

/// `networkpolicy-allow-all`.
pub(super) fn networkpolicy_allow_all(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `service-exposed`.
pub(super) fn service_exposed(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `ingress-without-tls`.
pub(super) fn ingress_without_tls(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `ssh-port`.
pub(super) fn ssh_port(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}
