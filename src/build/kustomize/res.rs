//! One resource of a Kustomize build, with the identity history Kustomize keeps for it.
//!
//! Kustomize tracks every name, namespace and kind a resource has had (to repair references
//! after `namePrefix`, `namespace` or a generator's hash suffix renamed it) and the prefixes
//! and suffixes applied to it. [`KRes`] keeps the same facts next to the node.

use std::collections::BTreeMap;

use super::regex::{LabelSelector, Regex};
use crate::build::knode::KNode;

/// Kustomize's stand-in namespace for cluster-scoped resources.
pub const NOT_NAMESPACED: &str = "_non_namespaceable_";

/// Kinds Kustomize's built-in schema knows as cluster-scoped. Unlike the model's list, custom
/// resources are namespaced here, as Kustomize has no CRD schema to tell.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "StorageClass",
    "SubjectAccessReview",
    "TokenReview",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Group, version and kind; an empty part in a selector matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    pub fn new(group: &str, version: &str, kind: &str) -> Gvk {
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Whether this gvk is selected by `selector` (empty parts match anything).
    pub fn selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }
}

/// A resource identity: gvk, name and namespace (as written; compare with [`ResId::equals`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// The namespace Kustomize compares: `default` for none, a marker for cluster-scoped kinds.
    pub fn effective_namespace(&self) -> String {
        if is_cluster_scoped(&self.gvk.kind) {
            NOT_NAMESPACED.to_string()
        } else if self.namespace.is_empty() {
            "default".to_string()
        } else {
            self.namespace.clone()
        }
    }

    pub fn equals(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }

    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.gvk.kind)
    }

    pub fn describe(&self) -> String {
        let ns = if self.namespace.is_empty() {
            String::new()
        } else {
            format!("{}/", self.namespace)
        };
        format!("{} `{ns}{}`", self.gvk.kind, self.name)
    }
}

/// How a generated object joins objects of the same id from bases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    Create,
    Replace,
    Merge,
}

/// One resource being built.
#[derive(Clone, Debug)]
pub struct KRes {
    pub node: KNode,
    /// Earlier ids, oldest first (not including the current one).
    pub prev: Vec<ResId>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    pub needs_hash: bool,
    pub behavior: Behavior,
    /// Names of the `vars` that read from this resource.
    pub ref_vars: Vec<String>,
}

impl KRes {
    pub fn new(node: KNode) -> KRes {
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

    pub fn api_version(&self) -> &str {
        self.node.str_at("apiVersion").unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.node.str_at("kind").unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.node
            .path(&["metadata", "name"])
            .and_then(KNode::as_str)
            .unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.node
            .path(&["metadata", "namespace"])
            .and_then(KNode::as_str)
            .unwrap_or("")
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    pub fn org_id(&self) -> ResId {
        self.prev.first().cloned().unwrap_or_else(|| self.cur_id())
    }

    /// Records the current id as a previous one (before a rename).
    pub fn store_previous_id(&mut self) {
        let cur = self.cur_id();
        let namespace = cur.effective_namespace();
        self.prev.push(ResId { namespace, ..cur });
    }

    /// Current and previous ids.
    pub fn any_ids(&self) -> impl Iterator<Item = ResId> + '_ {
        self.prev
            .iter()
            .cloned()
            .chain(std::iter::once(self.cur_id()))
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        string_map(self.node.path(&["metadata", "labels"]))
    }

    pub fn annotations(&self) -> BTreeMap<String, String> {
        string_map(self.node.path(&["metadata", "annotations"]))
    }

    pub fn set_name(&mut self, name: &str) {
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
pub struct Selector {
    pub group: Option<Regex>,
    pub version: Option<Regex>,
    pub kind: Option<Regex>,
    pub name: Option<Regex>,
    pub namespace: Option<Regex>,
    pub label_selector: Option<LabelSelector>,
    pub annotation_selector: Option<LabelSelector>,
}

impl Selector {
    pub fn selects(&self, res: &KRes) -> bool {
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
