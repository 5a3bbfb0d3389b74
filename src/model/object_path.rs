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
//! - A span on a key names its entry, as a span on its value does (`stringData:` →
//!   `stringData`), except on a `name:` or `securityContext:` key: checks report a setting
//!   missing from a container or a pod spec at its `securityContext:` key, or when it has none
//!   at the container's `- name:` (the pod spec's `spec:`), so those two name the mapping that
//!   holds them. A finding about a missing setting thus keeps its path when a
//!   `securityContext:` is added to the container.
//!
//! Aliases are not followed: an alias is a leaf, so an alias bomb costs one step per node.

use super::Resource;
use crate::yaml::{NodeId, NodeKind, Span, Tree};

/// The path of `span` inside `resource`: `Some("")` for the object's root, `None` when no node
/// of the object is at (or around) `span`.
///
/// A depth-first search that remembers only how it reached each node (its parent and the edge);
/// the path is spelled once, for the node found.
pub fn object_path(resource: &Resource, span: Span) -> Option<String> {
    let tree = resource.tree.as_ref();
    let mut visited: Vec<Step> = Vec::new();
    let mut stack = vec![Step {
        node: resource.node,
        parent: None,
        edge: Edge::Root,
        depth: 0,
    }];
    // The deepest node around `span`, for a span inside a scalar.
    let mut best: Option<usize> = None;
    while let Some(step) = stack.pop() {
        let at = visited.len();
        visited.push(step);
        let (node, node_span) = (tree.node(step.node).node(), tree.node(step.node).span());
        if node_span == span {
            return Some(render(&segments(tree, &visited, at)));
        }
        if contains(node_span, span) && !best.is_some_and(|b| visited[b].depth > step.depth) {
            best = Some(at);
        }
        let child = |node, edge| Step {
            node,
            parent: Some(at),
            edge,
            depth: step.depth + 1,
        };
        match &node.kind() {
            NodeKind::Mapping { entries, .. } => {
                for entry in tree.entries(*entries).iter().rev() {
                    if tree.node(entry.key).span() == span {
                        let mut path = segments(tree, &visited, at);
                        key_target(&mut path, key_text(tree, entry.key));
                        return Some(render(&path));
                    }
                    stack.push(child(entry.value, Edge::Key(entry.key)));
                }
            }
            NodeKind::Sequence { items, .. } => {
                for (index, &item) in tree.items(*items).iter().enumerate().rev() {
                    stack.push(child(item, Edge::Item(index)));
                }
            }
            NodeKind::Scalar { .. } | NodeKind::Alias { .. } => {}
        }
    }
    best.map(|at| render(&segments(tree, &visited, at)))
}

/// How the search reached a node.
#[derive(Clone, Copy)]
struct Step {
    node: NodeId,
    /// Index of the parent's step in the visited list.
    parent: Option<usize>,
    edge: Edge,
    depth: usize,
}

#[derive(Clone, Copy)]
enum Edge {
    Root,
    /// The value of this key of the parent mapping.
    Key(NodeId),
    /// This item of the parent sequence.
    Item(usize),
}

/// One step of a path, spelled.
enum Segment<'a> {
    Key(&'a str),
    Named(&'a str),
    Index(usize),
}

/// The segments from the root to the node of step `at`.
fn segments<'t>(tree: &'t Tree, visited: &[Step], at: usize) -> Vec<Segment<'t>> {
    let mut out = Vec::new();
    let mut current = Some(at);
    while let Some(i) = current {
        let step = visited[i];
        match step.edge {
            Edge::Root => {}
            Edge::Key(key) => out.push(Segment::Key(key_text(tree, key))),
            Edge::Item(index) => {
                let parent = step.parent.map(|p| visited[p].node);
                let items = parent.map_or(&[][..], |p| match &tree.node(p).node().kind() {
                    NodeKind::Sequence { items, .. } => tree.items(*items),
                    _ => &[],
                });
                out.push(match item_name(tree, items, index) {
                    Some(name) => Segment::Named(name),
                    None => Segment::Index(index),
                });
            }
        }
        current = step.parent;
    }
    out.reverse();
    out
}

/// What a span on the key `key` of the mapping `path` names (see the module doc).
fn key_target<'t>(path: &mut Vec<Segment<'t>>, key: &'t str) {
    if key != "name" && key != "securityContext" {
        path.push(Segment::Key(key));
    }
}

/// Whether `outer` holds `inner` (same file, range within).
fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.range.contains_range(inner.range)
}

/// A key's text: its scalar value, or (for a collection or alias used as a key) `?`.
fn key_text(tree: &Tree, key: NodeId) -> &str {
    tree.node(key).scalar().map_or("?", |(value, _)| value)
}

/// What names item `index` of a sequence: its `name` field, or its value when it is a scalar;
/// `None` (index it) when there is neither or no other item has that name.
fn item_name<'t>(tree: &'t Tree, items: &[NodeId], index: usize) -> Option<&'t str> {
    let name_of = |item: NodeId| {
        let node = tree.node(item);
        match &node.node().kind() {
            NodeKind::Scalar { .. } => node.scalar().map(|(value, _)| value),
            NodeKind::Mapping { .. } => node.str_at("name"),
            _ => None,
        }
    };
    let name = name_of(*items.get(index)?)?;
    let unique = items.iter().filter(|&&i| name_of(i) == Some(name)).count() == 1;
    unique.then_some(name)
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
