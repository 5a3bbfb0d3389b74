//! One Kubernetes object and its identity.

use std::sync::Arc;

use super::kinds::{is_cluster_scoped, is_kustomize_kind};
use crate::yaml::{FileId, NodeId, NodeRef, Span, Tree};

/// One object: a top-level document or an item of a `kind: List`.
#[derive(Clone, Debug)]
pub struct Resource {
    pub api_version: String,
    pub kind: String,
    /// `metadata.name`, or `metadata.generateName`, or empty.
    pub name: String,
    /// Effective namespace: `metadata.namespace`, else `default`; `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
    /// The file the object's document is in (for trees built from several files, the file of
    /// the object's root mapping).
    pub file: FileId,
    pub tree: Arc<Tree>,
    /// The object's mapping in `tree`.
    pub node: NodeId,
}

/// How findings and reports name an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Resource {
    /// The object's mapping.
    pub fn root(&self) -> NodeRef<'_> {
        self.tree.node(self.node).resolve()
    }

    pub fn metadata(&self) -> Option<NodeRef<'_>> {
        self.root().get("metadata")
    }

    /// Span of the whole object.
    pub fn span(&self) -> Span {
        self.root().span()
    }

    /// Where a finding about the object as a whole points: its `kind:` value.
    pub fn anchor_span(&self) -> Span {
        let root = self.root();
        root.get("kind").map_or_else(|| root.span(), |k| k.span())
    }

    /// Where a finding about the object's name points: the name value, else the kind.
    pub fn name_span(&self) -> Span {
        self.metadata()
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .map_or_else(|| self.anchor_span(), |n| n.span())
    }

    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// `metadata.labels` as (key, value) pairs with string values.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        labels_of(self.metadata())
    }

    /// `metadata.namespace` as written, if set and non-empty. Unlike [`Resource::namespace`]
    /// it does not default to `default`: a manifest without a namespace is applied to
    /// whatever namespace the user deploys it to, and messages must not pretend otherwise.
    pub fn declared_namespace(&self) -> Option<&str> {
        self.metadata()
            .and_then(|m| m.str_at("namespace"))
            .filter(|ns| !ns.is_empty())
    }

    /// The value of an annotation on the object.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("annotations")?.str_at(key)
    }

    /// Whether the object is a deployment hook rather than part of the running application: a
    /// Helm hook (`helm.sh/hook`: `test`, `pre-install`, `post-upgrade`…) or an Argo CD hook
    /// (`argocd.argoproj.io/hook`). Such pods run once, to completion.
    pub fn is_hook(&self) -> bool {
        ["helm.sh/hook", "argocd.argoproj.io/hook"]
            .iter()
            .any(|key| self.annotation(key).is_some_and(|v| !v.trim().is_empty()))
    }

    /// `apiVersion` group, `""` for the core group.
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }
}

/// String-valued entries of a `labels` (or any string map) node under `metadata`.
pub(crate) fn labels_of<'a>(
    metadata: Option<NodeRef<'a>>,
) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    metadata
        .and_then(|m| m.get("labels"))
        .into_iter()
        .flat_map(|labels| labels.entries())
        .filter_map(|(k, v)| Some((k.as_scalar()?.0, v.as_scalar()?.0)))
}

/// The Kubernetes objects in one parsed document.
///
/// Documents without `apiVersion` and `kind` (values files, `Chart.yaml`, patches) are not
/// objects and yield nothing, as do Kustomize's own kinds. A list yields its items, as
/// `kubectl apply` reads it: any object whose `items` is a sequence is a list (kubectl's
/// decoder looks for the field, whatever the kind), its items are objects in their own right,
/// lists in a list are lists too (at any depth), and an item that sets neither `apiVersion` nor
/// `kind` takes the list's `apiVersion` and its kind without the `List` suffix (a `PodList`'s
/// bare items are Pods).
pub fn resources_of(tree: &Arc<Tree>) -> Vec<Resource> {
    let mut out = Vec::new();
    let mut pending: Vec<(NodeRef<'_>, Option<(&str, &str)>)> = vec![(tree.root(), None)];
    let mut visited = 0;
    while let Some((node, inherited)) = pending.pop() {
        visited += 1;
        if visited > MAX_LIST_ITEMS {
            break;
        }
        let own = node.str_at("apiVersion").zip(node.str_at("kind"));
        let identity = match (own, inherited) {
            (Some(own), _) => Some(own),
            (None, Some(inherited))
                if node.get("apiVersion").is_none() && node.get("kind").is_none() =>
            {
                Some(inherited)
            }
            _ => None,
        };
        let Some((api_version, kind)) = identity else {
            continue;
        };
        match node.get("items").filter(|items| items.is_sequence()) {
            Some(items) => {
                let item_kind = kind.strip_suffix("List").unwrap_or(kind);
                // Reversed onto the stack, so that items come out in document order.
                let items: Vec<NodeRef<'_>> = items.items().collect();
                pending.extend(
                    items
                        .into_iter()
                        .rev()
                        .map(|item| (item, Some((api_version, item_kind)))),
                );
            }
            None => push_object(tree, node, api_version, kind, &mut out),
        }
    }
    out
}

/// Most objects and lists one document yields: aliases can make a list of lists grow
/// exponentially (within the reader's aliasing limit); reading stops here.
const MAX_LIST_ITEMS: usize = 100_000;

fn push_object(
    tree: &Arc<Tree>,
    node: NodeRef<'_>,
    api_version: &str,
    kind: &str,
    out: &mut Vec<Resource>,
) {
    if is_kustomize_kind(api_version, kind) {
        return;
    }
    let metadata = node.get("metadata");
    let name = metadata
        .and_then(|m| m.str_at("name").or_else(|| m.str_at("generateName")))
        .unwrap_or_default();
    let namespace = if is_cluster_scoped(kind) {
        None
    } else {
        Some(
            metadata
                .and_then(|m| m.str_at("namespace"))
                .filter(|ns| !ns.is_empty())
                .unwrap_or("default")
                .to_string(),
        )
    };
    out.push(Resource {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        namespace,
        file: node.span().file,
        tree: Arc::clone(tree),
        node: node.id(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;
    use crate::yaml::parse_stream;

    fn resources(text: &str) -> Vec<Resource> {
        let stream = parse_stream(text, FileId(0), &LineIndex::new(text));
        assert!(stream.error.is_none(), "{:?}", stream.error);
        stream
            .documents
            .into_iter()
            .flat_map(|d| resources_of(&Arc::new(d.tree)))
            .collect()
    }

    #[test]
    fn list_items_are_resources() {
        let found = resources(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: x}\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata: {name: b}\n",
        );
        let ids: Vec<_> = found
            .iter()
            .map(|r| (r.kind.as_str(), r.namespace.as_deref(), r.name.as_str()))
            .collect();
        assert_eq!(ids, [("Pod", Some("x"), "a"), ("ClusterRole", None, "b")]);
        assert_eq!(found[1].group(), "rbac.authorization.k8s.io");
    }

    #[test]
    fn lists_nest_and_bare_items_take_the_list_kind() {
        let found = resources(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: nested}\n- apiVersion: v1\n  kind: PodList\n  items:\n  - metadata: {name: bare}\n  - {kind: Pod, metadata: {name: half}}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: outer}\n  items:\n  - metadata: {name: inner}\n",
        );
        let ids: Vec<_> = found
            .iter()
            .map(|r| (r.api_version.as_str(), r.kind.as_str(), r.name.as_str()))
            .collect();
        // `half` sets `kind` without `apiVersion`: not an object (kubectl refuses it).
        assert_eq!(
            ids,
            [
                ("v1", "Pod", "nested"),
                ("v1", "Pod", "bare"),
                ("apps/v1", "Deployment", "inner")
            ]
        );
    }

    #[test]
    fn json_manifests_are_resources() {
        let found = resources(
            "{\n  \"apiVersion\": \"apps/v1\",\n  \"kind\": \"Deployment\",\n  \"metadata\": {\"name\": \"web\"}\n}\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].namespace.as_deref(), Some("default"));
        assert_eq!(found[0].name, "web");
    }

    #[test]
    fn documents_that_are_not_objects_are_skipped() {
        let text = "replicas: 3\n---\napiVersion: v2\nname: chart\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n---\n---\nkind: Pod\n";
        assert!(resources(text).is_empty());
    }
}
