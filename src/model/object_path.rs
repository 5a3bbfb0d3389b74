//! Where a span is inside an object, as a path that survives edits elsewhere:
//! `spec.template.spec.containers[web].securityContext.privileged`.
//!
//! Baselines and SARIF fingerprints identify a finding by its check, its object and this path,
//! never by line numbers, so a finding stays the same finding when lines are added above it or
//! its document moves within the file.
//!
//! - Mapping keys are joined with `.`; a key that is not a plain identifier is quoted:
//!   `metadata.annotations["ignore-check.k8sec.io/x"]`.
//! - A sequence item is named by its `name` (containers, volumes, env…: Kubernetes' usual merge
//!   key), a scalar item by its value (`capabilities.add[SYS_ADMIN]`), else by its index
//!   (`rules[0]`). A name shared by two items of the list falls back to the index.
//! - A span on a *key* stands for a setting missing from a mapping (checks point at the
//!   `securityContext:` or `- name:` key of the container that lacks a setting): its path is
//!   the mapping that holds the key, so it does not change when a `securityContext:` is added
//!   to the container. A `spec:` key stands for its value, the pod spec (where a pod-level
//!   finding points when the pod spec has no `securityContext:`).
//!
//! Aliases are not followed: an alias is a leaf, so an alias bomb costs one step per node.

use super::Resource;
use crate::yaml::{NodeId, NodeKind, Span, Tree};

/// The path of `span` inside `resource`: `Some("")` for the object's root, `None` when no node
/// of the object is at (or around) `span`.
pub fn object_path(resource: &Resource, span: Span) -> Option<String> {
    let tree = resource.tree.as_ref();
    // The deepest node around `span`, for a span inside a scalar (or a node's span widened).
    let mut best: Option<Vec<Segment>> = None;
    let mut stack: Vec<(NodeId, Vec<Segment>)> = vec![(resource.node, Vec::new())];
    while let Some((id, path)) = stack.pop() {
        let node = tree.node(id).node();
        if node.span == span {
            return Some(render(&path));
        }
        if contains(node.span, span) && !best.as_ref().is_some_and(|p| path.len() < p.len()) {
            best = Some(path.clone());
        }
        match &node.kind {
            NodeKind::Mapping { entries, .. } => {
                for entry in entries.iter().rev() {
                    let key = key_text(tree, entry.key);
                    if tree.node(entry.key).node().span == span {
                        return Some(render(&key_target(&path, &key)));
                    }
                    let mut child = path.clone();
                    child.push(Segment::Key(key));
                    stack.push((entry.value, child));
                }
            }
            NodeKind::Sequence { items, .. } => {
                let names = item_names(tree, items);
                for (index, (&item, name)) in items.iter().zip(names).enumerate().rev() {
                    let mut child = path.clone();
                    child.push(match name {
                        Some(name) => Segment::Named(name),
                        None => Segment::Index(index),
                    });
                    stack.push((item, child));
                }
            }
            NodeKind::Scalar { .. } | NodeKind::Alias { .. } => {}
        }
    }
    best.map(|path| render(&path))
}

/// One step of a path.
#[derive(Clone)]
enum Segment {
    Key(String),
    Named(String),
    Index(usize),
}

/// The path a span on the key `key` of the mapping at `path` stands for (see the module doc).
fn key_target(path: &[Segment], key: &str) -> Vec<Segment> {
    let mut out = path.to_vec();
    if key == "spec" {
        out.push(Segment::Key(key.to_string()));
    }
    out
}

/// Whether `outer` holds `inner` (same file, range within).
fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.range.contains_range(inner.range)
}

/// A key's text: its scalar value, or (for a collection or alias used as a key) `?`.
fn key_text(tree: &Tree, key: NodeId) -> String {
    match &tree.node(key).node().kind {
        NodeKind::Scalar { value, .. } => value.to_string(),
        _ => "?".to_string(),
    }
}

/// What names each item of a sequence: its `name` field, or its value when it is a scalar;
/// `None` (index it) when there is neither or the name is not unique in the list.
fn item_names(tree: &Tree, items: &[NodeId]) -> Vec<Option<String>> {
    let names: Vec<Option<String>> = items
        .iter()
        .map(|&item| {
            let node = tree.node(item);
            match &node.node().kind {
                NodeKind::Scalar { value, .. } => Some(value.to_string()),
                NodeKind::Mapping { .. } => node.str_at("name").map(str::to_string),
                _ => None,
            }
        })
        .collect();
    names
        .iter()
        .map(|name| {
            name.as_ref()
                .filter(|n| names.iter().filter(|m| m.as_ref() == Some(*n)).count() == 1)
                .cloned()
        })
        .collect()
}

fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) if is_identifier(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Named(name) if is_item_name(name) => out.push_str(&format!("[{name}]")),
            Segment::Key(text) | Segment::Named(text) => {
                out.push_str(&format!("[{}]", quote(text)))
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// A key written bare: letters, digits, `_` and `-`, not starting with a digit.
fn is_identifier(key: &str) -> bool {
    key.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'$'))
}

/// An item name written bare inside `[…]`: what Kubernetes allows in names and values that are
/// identifiers (`web`, `SYS_ADMIN`, `app.kubernetes.io`), not all digits (an index).
fn is_item_name(name: &str) -> bool {
    !name.is_empty()
        && !name.bytes().all(|b| b.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
}

/// `text` as a JSON string: quoted, with `"`, `\` and control characters escaped.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::unit;

    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    ignore-check.k8sec.io/x: \"why\"
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
          securityContext:
            privileged: true
            capabilities:
              add: [NET_ADMIN, \"*\"]
        - image: sidecar
          ports:
            - {containerPort: 80}
            - {containerPort: 81}
";

    /// The path of the first occurrence of `needle` (after `after`) in the text.
    fn path_of(text: &str, after: &str, needle: &str, len: usize) -> Option<String> {
        let (sources, resources) = unit(&[("d.yaml", text)]);
        let _ = sources;
        let from = text.find(after).unwrap();
        let start = (from + text[from..].find(needle).unwrap()) as u32;
        let span = Span::new(
            resources[0].file,
            crate::text::TextRange::new(start, start + len as u32),
        );
        object_path(&resources[0], span)
    }

    #[test]
    fn values_are_named_by_keys_and_item_names() {
        let path = |after, needle: &str| path_of(DEPLOYMENT, after, needle, needle.len());
        assert_eq!(
            path("privileged", "true").as_deref(),
            Some("spec.template.spec.containers[web].securityContext.privileged")
        );
        assert_eq!(
            path("add", "NET_ADMIN").as_deref(),
            Some("spec.template.spec.containers[web].securityContext.capabilities.add[NET_ADMIN]")
        );
        assert_eq!(
            path("add", "\"*\"").as_deref(),
            Some("spec.template.spec.containers[web].securityContext.capabilities.add[\"*\"]")
        );
        assert_eq!(
            path("sidecar", "sidecar").as_deref(),
            Some("spec.template.spec.containers[1].image")
        );
        assert_eq!(
            path("81", "81").as_deref(),
            Some("spec.template.spec.containers[1].ports[1].containerPort")
        );
        assert_eq!(
            path("annotations", "\"why\"").as_deref(),
            Some("metadata.annotations[\"ignore-check.k8sec.io/x\"]")
        );
        assert_eq!(path("kind", "Deployment").as_deref(), Some("kind"));
    }

    #[test]
    fn a_key_stands_for_the_mapping_that_lacks_a_setting() {
        let key = |after, needle: &str| path_of(DEPLOYMENT, after, needle, needle.len());
        // The container's `securityContext:` key and its `- name:` key name the container.
        assert_eq!(
            key("- name", "securityContext").as_deref(),
            Some("spec.template.spec.containers[web]")
        );
        assert_eq!(
            key("containers", "name").as_deref(),
            Some("spec.template.spec.containers[web]")
        );
        // The pod spec's `spec:` key names the pod spec.
        assert_eq!(
            key("template", "spec").as_deref(),
            Some("spec.template.spec")
        );
    }

    #[test]
    fn a_span_inside_a_scalar_names_the_scalar() {
        assert_eq!(
            path_of(DEPLOYMENT, "image: nginx", "gin", 3).as_deref(),
            Some("spec.template.spec.containers[web].image")
        );
    }

    #[test]
    fn duplicate_names_and_numeric_names_are_indexed_or_quoted() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: a, image: x}\n    - {name: a, image: y}\n    - {name: \"0\", image: z}\n";
        assert_eq!(
            path_of(text, "", "y", 1).as_deref(),
            Some("spec.containers[1].image")
        );
        assert_eq!(
            path_of(text, "", "z", 1).as_deref(),
            Some("spec.containers[\"0\"].image")
        );
    }

    #[test]
    fn a_span_outside_the_object_has_no_path() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\n";
        let (_, resources) = unit(&[("d.yaml", text)]);
        let start = text.find("q}").unwrap() as u32;
        let span = Span::new(
            resources[0].file,
            crate::text::TextRange::new(start, start + 1),
        );
        assert_eq!(object_path(&resources[0], span), None);
        assert_eq!(
            object_path(&resources[1], span).as_deref(),
            Some("metadata.name")
        );
    }
}
