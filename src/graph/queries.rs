//! The questions the checks and `k8sec graph` ask the graph: which pods a selector selects,
//! the unit's objects and workloads, the edges of a node, namesakes in other namespaces.

use std::sync::atomic::Ordering;

use super::{Edge, Graph, NodeId, Origin};
use crate::model::{Resource, Selector};

impl<'a> Graph<'a> {
    /// The workloads of `namespace` whose pods `selector` selects, as seen from the object
    /// `from` (of a workload with variants, the one of `from`'s variant only).
    pub(crate) fn select_pods(
        &self,
        from: NodeId,
        namespace: &str,
        selector: &Selector<'_>,
    ) -> Vec<NodeId> {
        let selected = self.pods.select(namespace, selector);
        self.keep_nearest_variants(from, selected)
    }

    /// Whether `selector` selects the pods of any workload of `namespace`, whichever variant
    /// it belongs to: a label some definition in the repository carries is in use.
    pub fn selects_any_pod(&self, namespace: &str, selector: &Selector<'_>) -> bool {
        !self.pods.select(namespace, selector).is_empty()
    }

    /// The work done by building and querying the graph so far, beyond one pass over the
    /// objects: pods and roles tested against selectors, distances computed between
    /// variants, and bindings followed and risks collected for effective permissions. Counted,
    /// not timed, so a test can show it grows linearly with the unit.
    pub fn work(&self) -> usize {
        self.pods.examined.load(Ordering::Relaxed)
            + self.cluster_roles.examined.load(Ordering::Relaxed)
            + self.comparisons.load(Ordering::Relaxed)
            + self.permission_work.load(Ordering::Relaxed)
    }

    /// Adds `n` to the permission work [`Graph::work`] counts.
    pub(crate) fn count_permission_work(&self, n: usize) {
        self.permission_work.fetch_add(n, Ordering::Relaxed);
    }

    /// The unit's objects with their node ids.
    pub fn objects(&self) -> impl Iterator<Item = (NodeId, &'a Resource)> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(id, n)| n.unit_resource().map(|r| (id, r)))
    }

    /// Every workload of the unit: objects whose pod template runs pods (not PodTemplates).
    pub(crate) fn workloads(&self) -> &[NodeId] {
        &self.workloads
    }

    /// The workloads of a namespace.
    pub(crate) fn workloads_in(&self, namespace: &str) -> impl Iterator<Item = NodeId> + '_ {
        self.pods.members(namespace)
    }

    /// Whether pods k8sec cannot see (run by an operator from a custom resource) may live in
    /// `namespace`: selectors there may select them.
    pub(crate) fn has_operator_pods(&self, namespace: &str) -> bool {
        self.operator_namespaces.contains(namespace)
    }

    /// Unit objects of `kind` named `name` in other namespaces than `namespace`.
    pub(crate) fn namesakes(&self, kind: &str, namespace: Option<&str>, name: &str) -> Vec<NodeId> {
        self.by_kind_name
            .get(&(kind, name))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&id| self.nodes[id].namespace.as_deref() != namespace)
            .collect()
    }

    /// The edges leaving `node`.
    pub(crate) fn outgoing(&self, node: NodeId) -> impl Iterator<Item = &Edge<'a>> + '_ {
        self.outgoing.of(node).map(|e| &self.edges[e])
    }

    /// The edges arriving at `node`.
    pub(crate) fn incoming(&self, node: NodeId) -> impl Iterator<Item = &Edge<'a>> + '_ {
        self.incoming.of(node).map(|e| &self.edges[e])
    }

    /// The ids (indexes into [`Graph::edges`]) of the edges leaving (`out`) or arriving at
    /// `node`, for printers that need to name edges.
    pub(crate) fn edge_ids(&self, node: NodeId, out: bool) -> impl Iterator<Item = usize> + '_ {
        if out {
            self.outgoing.of(node)
        } else {
            self.incoming.of(node)
        }
    }

    /// The node of a user or group, if a binding names it.
    pub(crate) fn subject(&self, kind: &str, name: &str) -> Option<NodeId> {
        self.others
            .get(&(kind.to_string(), None, name.to_string()))
            .copied()
            .filter(|&id| self.nodes[id].origin == Origin::Subject)
    }
}
