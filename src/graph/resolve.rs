//! What a reference names: the nearest definitions in the unit (see "Variants" in the module
//! doc), else what every cluster provides, an object created at run time, an external object,
//! or a missing one.

use std::sync::atomic::Ordering;

use super::{is_external, EdgeKind, Graph, NodeId, Origin};
use crate::model::rbac;
use crate::model::{is_cluster_scoped, Resource};
use crate::yaml::FileId;

impl<'a> Graph<'a> {
    /// The node(s) a reference from `from` to `kind` `namespace`/`name` resolves to: the
    /// nearest definitions in the unit, else the nearest definitions that declare no namespace
    /// (a manifest written to be applied with `kubectl apply -n <namespace>`, to the namespace
    /// the reference names), else what the cluster provides, else an external object, else a
    /// missing one.
    pub(super) fn resolve(
        &mut self,
        from: NodeId,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Vec<NodeId> {
        // Cluster-scoped kinds have no namespace, whatever the referrer's.
        let namespace = if is_cluster_scoped(kind) {
            None
        } else {
            namespace
        };
        let mut defs = self.definitions(kind, namespace, name);
        if defs.is_empty() && namespace.is_some() {
            defs = self
                .undeclared
                .get(&(kind, name))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&id| self.is_kind(id, kind))
                .collect();
        }
        if !defs.is_empty() {
            return self
                .nearest(from, &defs)
                .into_iter()
                .filter(|&d| self.same_variant(from, d))
                .collect();
        }
        if let Some(creators) = self
            .created
            .get(&(kind, namespace, name))
            .map(|c| c.to_vec())
        {
            let created = self.other(kind, namespace, name, Origin::Created, None);
            if self.created_linked.insert(created) {
                for creator in creators {
                    self.edge(creator, created, EdgeKind::Creates, None, false);
                }
            }
            return vec![created];
        }
        if let Some((origin, resource)) = provided(kind, namespace, name) {
            return vec![self.other(kind, namespace, name, origin, resource)];
        }
        let origin = if is_external(self.options.external, kind, namespace, name) {
            Origin::External
        } else {
            Origin::Missing
        };
        vec![self.other(kind, namespace, name, origin, None)]
    }

    /// The unit's definitions of an object, of the API group the kind has in Kubernetes when
    /// it is a core kind (a Knative `Service` is not a Service).
    pub(crate) fn definitions(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Vec<NodeId> {
        let Some(defs) = self.objects.get(&(kind, namespace, name)) else {
            return Vec::new();
        };
        defs.iter()
            .copied()
            .filter(|&id| self.is_kind(id, kind))
            .collect()
    }

    /// Whether node `id` is an object of `kind` in the API group Kubernetes gives that kind (a
    /// Knative `Service` is not a Service), or an object listed under a name it creates (a
    /// Certificate under its Secret's).
    pub(super) fn is_kind(&self, id: NodeId, kind: &str) -> bool {
        let Some(resource) = self.nodes[id].resource else {
            return false;
        };
        resource.kind != kind
            || expected_group(kind).map_or(true, |g| g.contains(&resource.group()))
    }

    /// The definitions among `defs` nearest to the object `from` (see the module doc).
    pub(super) fn nearest(&self, from: NodeId, defs: &[NodeId]) -> Vec<NodeId> {
        if defs.len() <= 1 {
            return defs.to_vec();
        }
        let best = self.best_distance(from, defs);
        defs.iter()
            .copied()
            .filter(|&d| self.distance_between(from, d) == best)
            .collect()
    }

    /// Whether `to` is among the nearest definitions of its object as seen from `from`.
    pub(super) fn is_nearest(&self, from: NodeId, to: NodeId) -> bool {
        let defs = self.variants(to);
        defs.len() <= 1 || self.distance_between(from, to) == self.best_distance(from, defs)
    }

    /// The distance from `from` to the nearest of `defs`.
    pub(super) fn best_distance(&self, from: NodeId, defs: &[NodeId]) -> usize {
        defs.iter()
            .map(|&d| self.distance_between(from, d))
            .min()
            .unwrap_or(usize::MAX)
    }

    /// The distance between the files of two nodes (equal when either is not in a file).
    pub(super) fn distance_between(&self, a: NodeId, b: NodeId) -> usize {
        self.comparisons.fetch_add(1, Ordering::Relaxed);
        match (self.file_of(a), self.file_of(b)) {
            (Some(a), Some(b)) => self.distance(a, b),
            _ => 0,
        }
    }

    /// Whether `a` and `b` belong to the same variant of the unit: `b` is among the nearest
    /// definitions of its object as seen from `a`, and `a` among the nearest of its own as
    /// seen from `b`. Both directions matter: a binding kept in a shared directory next to
    /// several install flavours is nearest to all of their ServiceAccounts, but only the
    /// flavour that has no binding of that name nearer to it is bound by it.
    pub(super) fn same_variant(&self, a: NodeId, b: NodeId) -> bool {
        self.is_nearest(a, b) && self.is_nearest(b, a)
    }

    /// Every definition of the object `id` is (itself included); empty for nodes that are not
    /// objects of the unit.
    pub(super) fn variants(&self, id: NodeId) -> &[NodeId] {
        let Some(&group) = self.variant_group.get(id) else {
            return &[];
        };
        let starts = &self.variant_starts;
        match (starts.get(group as usize), starts.get(group as usize + 1)) {
            (Some(&start), Some(&end)) => self
                .variant_ids
                .get(start as usize..end as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }

    pub(super) fn file_of(&self, node: NodeId) -> Option<FileId> {
        self.nodes[node].unit_resource().map(|r| r.file)
    }

    /// How far apart two files are: 0 for the same file, else 1 plus the number of directory
    /// steps from one to the other (siblings in one directory are 1 apart).
    pub(super) fn distance(&self, a: FileId, b: FileId) -> usize {
        if a == b {
            return 0;
        }
        let dir = |f: FileId| {
            self.directories
                .get(f.0 as usize)
                .and_then(Option::as_deref)
        };
        let (Some(a), Some(b)) = (dir(a), dir(b)) else {
            return 1;
        };
        let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        1 + (a.len() - common) + (b.len() - common)
    }

    /// Of the selected objects, those that are the nearest definition of themselves as seen
    /// from `from`. Only this direction counts for a selection: a file that redefines a
    /// Service to expose it differently (`productpage-nodeport.yaml` next to `bookinfo.yaml`)
    /// still selects the pods of its neighbours.
    pub(super) fn keep_nearest_variants(&self, from: NodeId, selected: Vec<NodeId>) -> Vec<NodeId> {
        selected
            .into_iter()
            .filter(|&id| self.is_nearest(from, id))
            .collect()
    }
}

/// The API groups a core kind belongs to, so a custom kind of the same name is not mistaken
/// for it.
fn expected_group(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "ServiceAccount" | "ConfigMap" | "Secret" | "PersistentVolumeClaim" | "Service" => &[""],
        "Role" | "ClusterRole" => &[rbac::RBAC_GROUP],
        _ => return None,
    })
}

/// What every cluster provides that manifests refer to: the built-in roles, the `default`
/// ServiceAccount and the `kube-root-ca.crt` ConfigMap of every namespace, the `kubernetes`
/// Service of `default`.
fn provided(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Option<(Origin, Option<&'static Resource>)> {
    match (kind, namespace, name) {
        ("ClusterRole", None, _) if rbac::is_builtin_cluster_role(name) => {
            Some((Origin::BuiltIn, rbac::builtin_cluster_role(name)))
        }
        ("Role", Some(ns), _) if rbac::is_builtin_role(ns, name) => {
            Some((Origin::BuiltIn, rbac::builtin_role(ns, name)))
        }
        ("ServiceAccount", Some(_), "default")
        | ("ConfigMap", Some(_), "kube-root-ca.crt")
        | ("Service", Some("default"), "kubernetes") => Some((Origin::ClusterProvided, None)),
        _ => None,
    }
}
