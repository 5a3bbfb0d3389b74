//! One resource of a Kustomize build, with the identity history Kustomize keeps for it.
//!
//! Kustomize tracks every name, namespace and kind a resource has had (to repair references
//! after `namePrefix`, `namespace` or a generator's hash suffix renamed it) and the prefixes
//! and suffixes applied to it. [`KRes`] keeps the same facts next to the node.

use std::collections::BTreeMap;

use super::regex::{LabelSelector, Regex};
use crate::build::knode::KNode;

/// Kustomize's stand-in namespace for cluster-scoped resources.
pub(crate) const NOT_NAMESPACED: &str = "_non_namespaceable_";

/// Kinds the model knows as cluster-scoped that Kustomize's built-in schema does not know
/// (kinds newer than it, and custom resources): Kustomize has no CRD schema to tell, and
/// namespaces them like any namespaced kind (checked with `kubectl kustomize` v5.5). A kind
/// added to the model's list is cluster-scoped here too unless it is added to this one.
const NAMESPACED_FOR_KUSTOMIZE: &[&str] = &[
    "ClusterIssuer",
    "ClusterServingRuntime",
    "ClusterTrustBundle",
    "DeviceClass",
    "GatewayClass",
    "IPAddress",
    "InitializerConfiguration",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "ResourceSlice",
    "SelfSubjectReview",
    "ServiceCIDR",
    "StorageVersion",
    "StorageVersionMigration",
    "VolumeAttributesClass",
];

/// Whether Kustomize treats `kind` as cluster-scoped: it then has no namespace, and the
/// `namespace` transformer leaves it alone.
pub(crate) fn is_cluster_scoped(kind: &str) -> bool {
    crate::model::is_cluster_scoped(kind) && !NAMESPACED_FOR_KUSTOMIZE.contains(&kind)
}

/// Group, version and kind; an empty part in a selector matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Gvk {
    pub(crate) group: String,
    pub(crate) version: String,
    pub(crate) kind: String,
}

impl Gvk {
    /// The gvk of an object's `apiVersion` (`apps/v1`, or `v1` for the core group) and kind.
    pub(crate) fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        Gvk::new(group, version, kind)
    }

    /// The gvk of these parts (empty ones match anything in a selector).
    pub(crate) fn new(group: &str, version: &str, kind: &str) -> Gvk {
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Whether this gvk is selected by `selector` (empty parts match anything).
    pub(crate) fn selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }
}

/// A resource identity: gvk, name and namespace (as written; compare with [`ResId::equals`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResId {
    pub(crate) gvk: Gvk,
    pub(crate) name: String,
    pub(crate) namespace: String,
}

impl ResId {
    /// The namespace Kustomize compares: `default` for none, a marker for cluster-scoped kinds.
    pub(crate) fn effective_namespace(&self) -> String {
        effective_namespace(&self.gvk.kind, &self.namespace).to_string()
    }

    pub(crate) fn equals(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && effective_namespace(&self.gvk.kind, &self.namespace)
                == effective_namespace(&other.gvk.kind, &other.namespace)
    }

    /// What [`ResId::equals`] compares, for hashing: two ids are equal exactly when their keys
    /// are (so finding duplicates among n resources is one pass, not n²).
    pub(crate) fn key(&self) -> (Gvk, String, String) {
        (
            self.gvk.clone(),
            self.name.clone(),
            self.effective_namespace(),
        )
    }

    pub(crate) fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.gvk.kind)
    }

    pub(crate) fn describe(&self) -> String {
        let ns = if self.namespace.is_empty() {
            String::new()
        } else {
            format!("{}/", self.namespace)
        };
        format!("{} `{ns}{}`", self.gvk.kind, self.name)
    }
}

/// The namespace Kustomize compares for an object of `kind` in `namespace`
/// ([`ResId::effective_namespace`]), without allocating.
fn effective_namespace<'a>(kind: &str, namespace: &'a str) -> &'a str {
    if is_cluster_scoped(kind) {
        NOT_NAMESPACED
    } else if namespace.is_empty() {
        "default"
    } else {
        namespace
    }
}

/// How a generated object joins objects of the same id from bases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behavior {
    Create,
    Replace,
    Merge,
}

/// One resource being built.
#[derive(Clone, Debug)]
pub(crate) struct KRes {
    pub(crate) node: KNode,
    /// Earlier ids, oldest first (not including the current one).
    pub(crate) prev: Vec<ResId>,
    pub(crate) prefixes: Vec<String>,
    pub(crate) suffixes: Vec<String>,
    pub(crate) needs_hash: bool,
    pub(crate) behavior: Behavior,
    /// Names of the `vars` that read from this resource.
    pub(crate) ref_vars: Vec<String>,
}

impl KRes {
    pub(crate) fn new(node: KNode) -> KRes {
        KRes {
            node,
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: Behavior::Create,
            ref_vars: Vec::new(),
        }
    }

    pub(crate) fn api_version(&self) -> &str {
        self.node.str_at("apiVersion").unwrap_or("")
    }

    pub(crate) fn kind(&self) -> &str {
        self.node.str_at("kind").unwrap_or("")
    }

    pub(crate) fn name(&self) -> &str {
        self.node
            .path(&["metadata", "name"])
            .and_then(KNode::as_str)
            .unwrap_or("")
    }

    pub(crate) fn namespace(&self) -> &str {
        self.node
            .path(&["metadata", "namespace"])
            .and_then(KNode::as_str)
            .unwrap_or("")
    }

    pub(crate) fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    pub(crate) fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// The id an object node has (what [`cur_id`](Self::cur_id) gives once it is a resource),
    /// read without copying the node.
    pub(crate) fn id_of(node: &KNode) -> ResId {
        let text = |path: &[&str]| node.path(path).and_then(KNode::as_str).unwrap_or("");
        ResId {
            gvk: Gvk::from_api_version(text(&["apiVersion"]), text(&["kind"])),
            name: text(&["metadata", "name"]).to_string(),
            namespace: text(&["metadata", "namespace"]).to_string(),
        }
    }

    /// Whether this resource has (or had, before a rename) the identity `id`: the same as
    /// `any_ids().any(|rid| rid.equals(id))`, without building the ids.
    pub(crate) fn has_id(&self, id: &ResId) -> bool {
        if self.prev.iter().any(|rid| rid.equals(id)) {
            return true;
        }
        let kind = self.kind();
        let (group, version) = match self.api_version().rsplit_once('/') {
            Some((g, v)) => (g, v),
            None => ("", self.api_version()),
        };
        group == id.gvk.group
            && version == id.gvk.version
            && kind == id.gvk.kind
            && self.name() == id.name
            && effective_namespace(kind, self.namespace())
                == effective_namespace(&id.gvk.kind, &id.namespace)
    }

    pub(crate) fn org_id(&self) -> ResId {
        self.prev.first().cloned().unwrap_or_else(|| self.cur_id())
    }

    /// Records the current id as a previous one (before a rename).
    pub(crate) fn store_previous_id(&mut self) {
        let cur = self.cur_id();
        let namespace = cur.effective_namespace();
        self.prev.push(ResId { namespace, ..cur });
    }

    /// Current and previous ids.
    pub(crate) fn any_ids(&self) -> impl Iterator<Item = ResId> + '_ {
        self.prev
            .iter()
            .cloned()
            .chain(std::iter::once(self.cur_id()))
    }

    pub(crate) fn labels(&self) -> BTreeMap<String, String> {
        string_map(self.node.path(&["metadata", "labels"]))
    }

    pub(crate) fn annotations(&self) -> BTreeMap<String, String> {
        string_map(self.node.path(&["metadata", "annotations"]))
    }

    pub(crate) fn set_name(&mut self, name: &str) {
        if let Some(node) = self
            .node
            .get_mut("metadata")
            .and_then(|m| m.get_mut("name"))
        {
            let span = node.span;
            *node = KNode::string(name, span);
        }
    }
}

fn string_map(node: Option<&KNode>) -> BTreeMap<String, String> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|(k, v)| {
                let value = match &v.kind {
                    crate::build::knode::KKind::Scalar(s, _) => s.clone(),
                    _ => return None,
                };
                Some((k.as_str()?.to_string(), value))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// `target:` of a patch: which resources it applies to.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selector {
    pub(crate) group: Option<Regex>,
    pub(crate) version: Option<Regex>,
    pub(crate) kind: Option<Regex>,
    pub(crate) name: Option<Regex>,
    pub(crate) namespace: Option<Regex>,
    pub(crate) label_selector: Option<LabelSelector>,
    pub(crate) annotation_selector: Option<LabelSelector>,
}

impl Selector {
    pub(crate) fn selects(&self, res: &KRes) -> bool {
        let org = res.org_id();
        let cur = res.cur_id();
        let matches = |re: &Option<Regex>, a: &str, b: &str| {
            re.as_ref()
                .map_or(true, |re| re.is_match(a) || re.is_match(b))
        };
        matches(
            &self.namespace,
            &org.effective_namespace(),
            &cur.effective_namespace(),
        ) && matches(&self.name, &org.name, &cur.name)
            && matches(&self.group, &cur.gvk.group, &cur.gvk.group)
            && matches(&self.version, &cur.gvk.version, &cur.gvk.version)
            && matches(&self.kind, &cur.gvk.kind, &cur.gvk.kind)
            && self
                .label_selector
                .as_ref()
                .map_or(true, |s| s.matches(&res.labels()))
            && self
                .annotation_selector
                .as_ref()
                .map_or(true, |s| s.matches(&res.annotations()))
    }
}
