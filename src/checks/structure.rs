//! The shape of the YAML itself.

use std::collections::HashMap;

use super::{Ctx, Sink};
use crate::model::Resource;
use crate::yaml::{NodeKind, NodeRef};

/// `duplicate-key`: a mapping defines the same key twice.
///
/// The YAML spec forbids it, yet many parsers (and Kubernetes' decoding, depending on the
/// client) keep only the last value: a `securityContext` or `containers` list earlier in the
/// object can be silently replaced, or silently kept by another tool. Walks the object without
/// following aliases, so an alias bomb costs nothing.
pub(super) fn duplicate_key(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let mut stack: Vec<NodeRef<'_>> = vec![resource.root()];
    // Most mappings have a handful of keys: a linear scan beats hashing them (this runs on
    // every mapping of every object); large ones (ConfigMap data) hash. Both are reused from
    // one mapping to the next rather than allocated for each.
    let mut small: Vec<(&str, NodeRef<'_>)> = Vec::new();
    let mut large: HashMap<&str, NodeRef<'_>> = HashMap::new();
    while let Some(node) = stack.pop() {
        match &node.node().kind() {
            NodeKind::Mapping { entries, .. } => {
                small.clear();
                large.clear();
                let entries = node.tree().entries(*entries);
                let use_map = entries.len() > 16;
                for entry in entries {
                    let key = node.tree().node(entry.key);
                    let value = node.tree().node(entry.value);
                    if !matches!(value.node().kind(), NodeKind::Scalar { .. }) {
                        stack.push(value);
                    }
                    let Some((text, _)) = key.as_scalar() else {
                        continue;
                    };
                    if text == "<<" {
                        continue;
                    }
                    let first = if use_map {
                        large.insert(text, key)
                    } else if let Some(&(_, first)) = small.iter().find(|(k, _)| *k == text) {
                        Some(first)
                    } else {
                        small.push((text, key));
                        None
                    };
                    if let Some(first) = first {
                        let message = format!("key `{text}` is defined twice in the same mapping");
                        sink.report(resource, key, message).related(
                            first.span(),
                            "first defined here; most Kubernetes clients keep only the last value",
                        );
                    }
                }
            }
            NodeKind::Sequence { items, .. } => {
                stack.extend(
                    node.tree()
                        .items(*items)
                        .iter()
                        .map(|&id| node.tree().node(id)),
                );
            }
            NodeKind::Scalar { .. } | NodeKind::Alias { .. } => {}
        }
    }
}
