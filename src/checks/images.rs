//! Container image references.
//!
//! PLACEHOLDER: the functions below are being written; see CONTRIBUTING.md.

use super::{Ctx, Sink};
use crate::model::Resource;

/// `latest-image-tag`.
pub(super) fn latest_image_tag(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `image-not-pinned-by-digest`.
pub(super) fn image_not_pinned_by_digest(
    _ctx: &Ctx<'_>,
    _resource: &Resource,
    _sink: &mut Sink<'_>,
) {
}
