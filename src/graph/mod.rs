//! The cross-resource graph of one deployment unit: which objects refer to, select, bind, route
//! to or isolate which others.
//!
//! Built once per unit ([`Graph::build`]), only when a check that needs it runs, and queried by
//! the graph checks and by `k8sec graph`. Every lookup is indexed: objects by (kind, namespace,
//! name), pods of workloads and ClusterRoles by label (`index::LabelIndex`), so building and
//! querying stay linear in the number of objects (see `bench/graph.sh`).
//!
//! # Nodes
//! Every object of the unit is a node (node `i` is resource `i`). Objects the unit refers to
//! without defining them become nodes too, by [`Origin`]: the roles every cluster has
//! (`BuiltIn`), objects every namespace has (`ClusterProvided`: the `default` ServiceAccount,
//! the `kube-root-ca.crt` ConfigMap), objects declared in `[graph] external` (`External`),
//! users and groups of bindings (`Subject`), and the rest (`Missing`: dangling references).
//!
//! # Variants
//! A unit of plain files may hold several definitions of one object (kind, namespace, name):
//! alternative versions of an application kept side by side (Argo CD's `install.yaml` and
//! `namespace-install.yaml`, ingress-nginx's per-provider `deploy.yaml`, a Kustomize base next
//! to rendered output). Only one of them can exist in a cluster, so a reference resolves to
//! the definitions *nearest* to the object that makes it: the same file, else the deepest
//! common directory; equally near definitions are all kept. Selections (a Service's pods, a
//! NetworkPolicy's pods) follow the same rule for each selected object that has variants. A
//! RoleBinding in `install.yaml` therefore grants to the ServiceAccount of `install.yaml`, not
//! to its namesake in `namespace-install.yaml`.

mod external;
mod index;
pub mod permissions;
pub mod refs;

pub use external::{is_external, ExternalPattern};

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Component;
use std::sync::atomic::{AtomicUsize, Ordering};

use index::LabelIndex;

use crate::model::rbac::{self, aggregation_rule, binding_of, role_scope, Scope};
use crate::model::{is_cluster_scoped, Labels, PodSpec, Resource, Selector};
use crate::source::Sources;
use crate::yaml::{FileId, NodeRef};

/// Index of a node in [`Graph::nodes`].
pub type NodeId = usize;

/// Where a node comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An object of the unit.
    Unit,
    /// A role every cluster has (`edit`, `system:auth-delegator`…).
    BuiltIn,
    /// An object every namespace has: the `default` ServiceAccount, the `kube-root-ca.crt`
    /// ConfigMap.
    ClusterProvided,
    /// Created at run time by an object of the unit: a cert-manager Certificate's Secret, a
    /// Secret a Job is told to write (`--secret-name=…`).
    Created,
    /// Declared in `[graph] external`.
    External,
    /// A user or a group named by a binding.
    Subject,
    /// Referred to, and found nowhere: a dangling reference.
    Missing,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Unit => "unit",
            Origin::BuiltIn => "built-in",
            Origin::ClusterProvided => "cluster-provided",
            Origin::Created => "created",
            Origin::External => "external",
            Origin::Subject => "subject",
            Origin::Missing => "missing",
        }
    }
}

/// One node: an object, or something objects refer to.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    pub kind: Cow<'a, str>,
    /// `None` for cluster-scoped kinds, users and groups.
    pub namespace: Option<Cow<'a, str>>,
    pub name: Cow<'a, str>,
    pub origin: Origin,
    /// The object: one of the unit's, or a built-in role known with its rules (whose spans are
    /// not in any source file: see [`rbac::is_builtin_span`]).
    pub resource: Option<&'a Resource>,
}

impl<'a> Node<'a> {
    /// `Kind ns/name` or `Kind name`, as messages name it.
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.kind, self.qualified_name())
    }

    /// `ns/name`, or `name` for cluster-scoped objects.
    pub fn qualified_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.to_string(),
        }
    }

    /// The object as it is in the unit, if it is one of the unit's.
    pub fn unit_resource(&self) -> Option<&'a Resource> {
        self.resource.filter(|_| self.origin == Origin::Unit)
    }
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Workload → the ServiceAccount its pods run as.
    RunsAs,
    /// RoleBinding / ClusterRoleBinding → a subject (ServiceAccount, User, Group).
    Binds,
    /// RoleBinding / ClusterRoleBinding → the Role / ClusterRole of its `roleRef`.
    Grants,
    /// Aggregated ClusterRole → a ClusterRole its `aggregationRule` selects.
    Aggregates,
    /// Service or PodDisruptionBudget → a workload whose pods it selects.
    Selects,
    /// NetworkPolicy → a workload whose pods it applies to.
    Isolates,
    /// NetworkPolicy → a workload of its namespace whose pods an ingress rule admits.
    AllowsFrom,
    /// NetworkPolicy → a workload of its namespace whose pods an egress rule admits.
    AllowsTo,
    /// Ingress → a Service of its backends.
    RoutesTo,
    /// HorizontalPodAutoscaler → its `scaleTargetRef`.
    Scales,
    /// Workload → a ConfigMap, Secret or PersistentVolumeClaim its pod spec names.
    References,
    /// An object → what it makes a controller or a Job create (a Certificate → its Secret).
    Creates,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::RunsAs => "runs-as",
            EdgeKind::Binds => "binds",
            EdgeKind::Grants => "grants",
            EdgeKind::Aggregates => "aggregates",
            EdgeKind::Selects => "selects",
            EdgeKind::Isolates => "isolates",
            EdgeKind::AllowsFrom => "allows-from",
            EdgeKind::AllowsTo => "allows-to",
            EdgeKind::RoutesTo => "routes-to",
            EdgeKind::Scales => "scales",
            EdgeKind::References => "references",
            EdgeKind::Creates => "creates",
        }
    }
}

/// One edge, from the object that makes it.
#[derive(Clone, Copy, Debug)]
pub struct Edge<'a> {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
    /// Where `from` makes the reference: the `serviceAccountName` value, the binding's subject
    /// mapping or `roleRef` name, the selector, the backend's service name, the referenced
    /// name. `None` when it is implicit (a pod without `serviceAccountName` runs as `default`;
    /// a NetworkPolicy without `podSelector` selects every pod).
    pub at: Option<NodeRef<'a>>,
    /// For `References`: the reference is `optional: true`.
    pub optional: bool,
}

/// What the graph is built with besides the objects.
#[derive(Clone, Copy, Default)]
pub struct GraphOptions<'a> {
    /// The run's sources: their paths tell variants apart (see the module doc). Without them
    /// every definition is equally near.
    pub sources: Option<&'a Sources>,
    /// `[graph] external`.
    pub external: &'a [ExternalPattern],
}

type Key<'a> = (&'a str, Option<&'a str>, &'a str);

/// The graph of one unit.
pub struct Graph<'a> {
    pub nodes: Vec<Node<'a>>,
    pub edges: Vec<Edge<'a>>,
    outgoing: Vec<Vec<usize>>,
    incoming: Vec<Vec<usize>>,
    /// Unit objects by (kind, namespace, name).
    objects: HashMap<Key<'a>, Vec<NodeId>>,
    /// Objects the unit's objects create at run time, by (kind, namespace, name), with their
    /// creators.
    created: HashMap<Key<'a>, Vec<NodeId>>,
    /// Created nodes whose `Creates` edges exist.
    created_linked: HashSet<NodeId>,
    /// Namespaced unit objects that declare no namespace, by (kind, name): they are applied to
    /// whatever namespace the user deploys them to, which a reference may name.
    undeclared: HashMap<(&'a str, &'a str), Vec<NodeId>>,
    /// Unit objects by (kind, name), for hints about other namespaces.
    by_kind_name: HashMap<(&'a str, &'a str), Vec<NodeId>>,
    /// Nodes that are not objects of the unit, by identity.
    others: HashMap<(String, Option<String>, String), NodeId>,
    /// Workloads (objects with a pod template that run pods), in unit order.
    workloads: Vec<NodeId>,
    pods: LabelIndex<'a>,
    cluster_roles: LabelIndex<'a>,
    /// Namespaces holding a custom resource that looks like it makes an operator run pods
    /// (a Prometheus, an Alertmanager…): pods k8sec cannot see may carry any label there.
    operator_namespaces: HashSet<&'a str>,
    options: GraphOptions<'a>,
    /// The directory of each source file of the unit, as interned path components, indexed by
    /// file id: variants are told apart by path, and comparing ids is cheap.
    directories: Vec<Option<Box<[u32]>>>,
    /// For each unit object, its group in `variant_groups`: the definitions of one object.
    variant_group: Vec<u32>,
    variant_groups: Vec<Vec<NodeId>>,
    /// Variant distances computed so far (see [`Graph::work`]).
    comparisons: AtomicUsize,
}

impl<'a> Graph<'a> {
    /// Builds the graph of a unit's objects.
    pub fn build(resources: &'a [Resource], options: GraphOptions<'a>) -> Graph<'a> {
        let mut graph = Graph {
            nodes: Vec::with_capacity(resources.len()),
            edges: Vec::new(),
            outgoing: Vec::new(),
            incoming: Vec::new(),
            objects: HashMap::with_capacity(resources.len()),
            created: HashMap::new(),
            created_linked: HashSet::new(),
            by_kind_name: HashMap::with_capacity(resources.len()),
            undeclared: HashMap::new(),
            others: HashMap::new(),
            workloads: Vec::new(),
            pods: LabelIndex::default(),
            cluster_roles: LabelIndex::default(),
            operator_namespaces: HashSet::new(),
            options,
            directories: directories(resources, options.sources),
            variant_group: Vec::new(),
            variant_groups: Vec::new(),
            comparisons: AtomicUsize::new(0),
        };
        let pods = graph.add_objects(resources);
        graph.group_variants();
        for (id, resource) in resources.iter().enumerate() {
            if let Some(pod) = pods[id] {
                graph.add_pod_edges(id, resource, pod);
            }
            if binding_of(resource).is_some() {
                graph.add_binding_edges(id, resource);
            }
            if let Some((selector, node)) = refs::service_selector(resource) {
                graph.add_selection(id, resource, &selector, EdgeKind::Selects, Some(node));
            }
            if let Some((selector, node)) = refs::pdb_selector(resource) {
                graph.add_selection(id, resource, &selector, EdgeKind::Selects, Some(node));
            }
            if refs::is_network_policy(resource) {
                graph.add_policy_edges(id, resource);
            }
            for backend in refs::ingress_backends(resource) {
                let targets = graph.resolve(
                    id,
                    "Service",
                    resource.namespace.as_deref(),
                    backend.service,
                );
                for to in targets {
                    graph.edge(
                        id,
                        to,
                        EdgeKind::RoutesTo,
                        Some(backend.service_node),
                        false,
                    );
                }
            }
            if let Some((kind, name, node)) = refs::hpa_target(resource) {
                for to in graph.resolve(id, kind, resource.namespace.as_deref(), name) {
                    graph.edge(id, to, EdgeKind::Scales, Some(node), false);
                }
            }
        }
        graph.add_aggregation_edges(resources);
        graph.index_edges();
        graph
    }

    /// Nodes for the unit's objects, and the indexes over them; returns the pod spec of each
    /// object that is a workload.
    fn add_objects(&mut self, resources: &'a [Resource]) -> Vec<Option<PodSpec<'a>>> {
        let mut pods = Vec::with_capacity(resources.len());
        for (id, resource) in resources.iter().enumerate() {
            self.nodes.push(Node {
                kind: Cow::Borrowed(&resource.kind),
                namespace: resource.namespace.as_deref().map(Cow::Borrowed),
                name: Cow::Borrowed(&resource.name),
                origin: Origin::Unit,
                resource: Some(resource),
            });
            let namespace = resource.namespace.as_deref();
            self.objects
                .entry((resource.kind.as_str(), namespace, resource.name.as_str()))
                .or_default()
                .push(id);
            self.by_kind_name
                .entry((resource.kind.as_str(), resource.name.as_str()))
                .or_default()
                .push(id);
            if namespace.is_some() && resource.declared_namespace().is_none() {
                self.undeclared
                    .entry((resource.kind.as_str(), resource.name.as_str()))
                    .or_default()
                    .push(id);
            }
            for (kind, name) in creations(resource) {
                self.created
                    .entry((kind, namespace, name))
                    .or_default()
                    .push(id);
            }
            let pod = workload_pod(resource);
            pods.push(pod);
            if let Some(pod) = pod {
                self.workloads.push(id);
                let labels = Labels::of(pod.metadata.and_then(|m| m.get("labels")));
                let dynamic = controller_labels(resource);
                self.pods
                    .insert_with_dynamic(namespace.unwrap_or(""), id, labels, dynamic);
            } else if role_scope(resource) == Some(Scope::Cluster) {
                let labels = Labels::of(resource.metadata().and_then(|m| m.get("labels")));
                self.cluster_roles.insert("", id, labels);
            } else if let Some(ns) = namespace.filter(|_| runs_operator_pods(resource)) {
                self.operator_namespaces.insert(ns);
            }
        }
        pods
    }

    /// Groups the definitions of each object, so its variants are found without hashing.
    fn group_variants(&mut self) {
        self.variant_group = vec![u32::MAX; self.nodes.len()];
        for defs in self.objects.values() {
            let group = self.variant_groups.len() as u32;
            for &d in defs {
                self.variant_group[d] = group;
            }
            self.variant_groups.push(defs.clone());
        }
    }

    fn edge(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: EdgeKind,
        at: Option<NodeRef<'a>>,
        optional: bool,
    ) {
        self.edges.push(Edge {
            from,
            to,
            kind,
            at,
            optional,
        });
    }

    fn index_edges(&mut self) {
        self.outgoing = vec![Vec::new(); self.nodes.len()];
        self.incoming = vec![Vec::new(); self.nodes.len()];
        for (i, edge) in self.edges.iter().enumerate() {
            self.outgoing[edge.from].push(i);
            self.incoming[edge.to].push(i);
        }
    }

    /// A node that is not an object of the unit, created once per identity.
    fn other(
        &mut self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        origin: Origin,
        resource: Option<&'a Resource>,
    ) -> NodeId {
        let key = (
            kind.to_string(),
            namespace.map(str::to_string),
            name.to_string(),
        );
        if let Some(&id) = self.others.get(&key) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind: Cow::Owned(key.0.clone()),
            namespace: key.1.clone().map(Cow::Owned),
            name: Cow::Owned(key.2.clone()),
            origin,
            resource,
        });
        self.others.insert(key, id);
        id
    }

    /// The node(s) a reference from `from` to `kind` `namespace`/`name` resolves to: the
    /// nearest definitions in the unit, else the nearest definitions that declare no namespace
    /// (a manifest written to be applied with `kubectl apply -n <namespace>`, to the namespace
    /// the reference names), else what the cluster provides, else an external object, else a
    /// missing one.
    fn resolve(
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
        if let Some(creators) = self.created.get(&(kind, namespace, name)).cloned() {
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
    pub fn definitions(&self, kind: &str, namespace: Option<&str>, name: &str) -> Vec<NodeId> {
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
    fn is_kind(&self, id: NodeId, kind: &str) -> bool {
        let Some(resource) = self.nodes[id].resource else {
            return false;
        };
        resource.kind != kind
            || expected_group(kind).map_or(true, |g| g.contains(&resource.group()))
    }

    /// The definitions among `defs` nearest to the object `from` (see the module doc).
    fn nearest(&self, from: NodeId, defs: &[NodeId]) -> Vec<NodeId> {
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
    fn is_nearest(&self, from: NodeId, to: NodeId) -> bool {
        let defs = self.variants(to);
        defs.len() <= 1 || self.distance_between(from, to) == self.best_distance(from, defs)
    }

    /// The distance from `from` to the nearest of `defs`.
    fn best_distance(&self, from: NodeId, defs: &[NodeId]) -> usize {
        defs.iter()
            .map(|&d| self.distance_between(from, d))
            .min()
            .unwrap_or(usize::MAX)
    }

    /// The distance between the files of two nodes (equal when either is not in a file).
    fn distance_between(&self, a: NodeId, b: NodeId) -> usize {
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
    fn same_variant(&self, a: NodeId, b: NodeId) -> bool {
        self.is_nearest(a, b) && self.is_nearest(b, a)
    }

    /// Every definition of the object `id` is (itself included); empty for nodes that are not
    /// objects of the unit.
    fn variants(&self, id: NodeId) -> &[NodeId] {
        self.variant_group
            .get(id)
            .and_then(|&g| self.variant_groups.get(g as usize))
            .map_or(&[], Vec::as_slice)
    }

    fn file_of(&self, node: NodeId) -> Option<FileId> {
        self.nodes[node].unit_resource().map(|r| r.file)
    }

    /// How far apart two files are: 0 for the same file, else 1 plus the number of directory
    /// steps from one to the other (siblings in one directory are 1 apart).
    fn distance(&self, a: FileId, b: FileId) -> usize {
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

    /// The workloads of `namespace` whose pods `selector` selects, as seen from the object
    /// `from` (of a workload with variants, the one of `from`'s variant only).
    pub fn select_pods(
        &self,
        from: NodeId,
        namespace: &str,
        selector: &Selector<'_>,
    ) -> Vec<NodeId> {
        let selected = self.pods.select(namespace, selector);
        self.keep_nearest_variants(from, selected)
    }

    /// Of the selected objects, those that are the nearest definition of themselves as seen
    /// from `from`. Only this direction counts for a selection: a file that redefines a
    /// Service to expose it differently (`productpage-nodeport.yaml` next to `bookinfo.yaml`)
    /// still selects the pods of its neighbours.
    fn keep_nearest_variants(&self, from: NodeId, selected: Vec<NodeId>) -> Vec<NodeId> {
        selected
            .into_iter()
            .filter(|&id| self.is_nearest(from, id))
            .collect()
    }

    /// Whether `selector` selects the pods of any workload of `namespace`, whichever variant
    /// it belongs to: a label some definition in the repository carries is in use.
    pub fn selects_any_pod(&self, namespace: &str, selector: &Selector<'_>) -> bool {
        !self.pods.select(namespace, selector).is_empty()
    }

    /// The work done by building and querying the graph so far, beyond one pass over the
    /// objects: pods and roles tested against selectors, and distances computed between
    /// variants. Counted, not timed, so a test can show it grows linearly with the unit.
    pub fn work(&self) -> usize {
        self.pods.examined.load(Ordering::Relaxed)
            + self.cluster_roles.examined.load(Ordering::Relaxed)
            + self.comparisons.load(Ordering::Relaxed)
    }

    /// The unit's objects with their node ids.
    pub fn objects(&self) -> impl Iterator<Item = (NodeId, &'a Resource)> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(id, n)| n.unit_resource().map(|r| (id, r)))
    }

    /// Every workload of the unit: objects whose pod template runs pods (not PodTemplates).
    pub fn workloads(&self) -> &[NodeId] {
        &self.workloads
    }

    /// The workloads of a namespace.
    pub fn workloads_in(&self, namespace: &str) -> impl Iterator<Item = NodeId> + '_ {
        self.pods.members(namespace)
    }

    /// Whether pods k8sec cannot see (run by an operator from a custom resource) may live in
    /// `namespace`: selectors there may select them.
    pub fn has_operator_pods(&self, namespace: &str) -> bool {
        self.operator_namespaces.contains(namespace)
    }

    /// Unit objects of `kind` named `name` in other namespaces than `namespace`.
    pub fn namesakes(&self, kind: &str, namespace: Option<&str>, name: &str) -> Vec<NodeId> {
        self.by_kind_name
            .get(&(kind, name))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&id| self.nodes[id].namespace.as_deref() != namespace)
            .collect()
    }

    /// The edges leaving `node`.
    pub fn outgoing(&self, node: NodeId) -> impl Iterator<Item = &Edge<'a>> + '_ {
        self.outgoing
            .get(node)
            .into_iter()
            .flatten()
            .map(|&e| &self.edges[e])
    }

    /// The edges arriving at `node`.
    pub fn incoming(&self, node: NodeId) -> impl Iterator<Item = &Edge<'a>> + '_ {
        self.incoming
            .get(node)
            .into_iter()
            .flatten()
            .map(|&e| &self.edges[e])
    }

    /// The ids (indexes into [`Graph::edges`]) of the edges leaving (`out`) or arriving at
    /// `node`, for printers that need to name edges.
    pub fn edge_ids(&self, node: NodeId, out: bool) -> impl Iterator<Item = usize> + '_ {
        let list = if out {
            self.outgoing.get(node)
        } else {
            self.incoming.get(node)
        };
        list.into_iter().flatten().copied()
    }

    /// The node of a user or group, if a binding names it.
    pub fn subject(&self, kind: &str, name: &str) -> Option<NodeId> {
        self.others
            .get(&(kind.to_string(), None, name.to_string()))
            .copied()
            .filter(|&id| self.nodes[id].origin == Origin::Subject)
    }

    /// Whether `[graph] external` declares the object.
    pub fn is_external(&self, kind: &str, namespace: Option<&str>, name: &str) -> bool {
        is_external(self.options.external, kind, namespace, name)
    }

    fn add_pod_edges(&mut self, id: NodeId, resource: &'a Resource, pod: PodSpec<'a>) {
        let namespace = resource.namespace.as_deref();
        let (account, node) = refs::service_account(pod);
        for to in self.resolve(id, "ServiceAccount", namespace, account) {
            self.edge(id, to, EdgeKind::RunsAs, node, false);
        }
        // A StatefulSet's volumeClaimTemplates replace the pod volumes of the same name.
        let templates: Vec<&str> = resource
            .root()
            .path(&["spec", "volumeClaimTemplates"])
            .into_iter()
            .flat_map(|t| t.items())
            .filter_map(|t| t.path(&["metadata", "name"]).and_then(|n| n.as_str()))
            .collect();
        // One edge per referenced object (a pod often reads many keys of one ConfigMap): at
        // its first required reference, optional only when every reference is.
        let mut referenced: Vec<refs::PodRef<'a>> = Vec::new();
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for reference in refs::pod_references(pod) {
            if reference.volume.is_some_and(|v| templates.contains(&v)) {
                continue;
            }
            match seen.get(&(reference.kind, reference.name)) {
                Some(&i) => {
                    if referenced[i].optional && !reference.optional {
                        referenced[i] = reference;
                    }
                }
                None => {
                    seen.insert((reference.kind, reference.name), referenced.len());
                    referenced.push(reference);
                }
            }
        }
        for reference in referenced {
            for to in self.resolve(id, reference.kind, namespace, reference.name) {
                self.edge(
                    id,
                    to,
                    EdgeKind::References,
                    Some(reference.node),
                    reference.optional,
                );
            }
        }
    }

    fn add_binding_edges(&mut self, id: NodeId, resource: &'a Resource) {
        let Some(binding) = binding_of(resource) else {
            return;
        };
        for subject in &binding.subjects {
            let targets = match subject.kind {
                "ServiceAccount" => {
                    self.resolve(id, "ServiceAccount", subject.namespace, subject.name)
                }
                "User" | "Group" => {
                    vec![self.other(subject.kind, None, subject.name, Origin::Subject, None)]
                }
                _ => continue,
            };
            let at = subject.node.get("name").unwrap_or(subject.node);
            for to in targets {
                self.edge(id, to, EdgeKind::Binds, Some(at), false);
            }
        }
        let (Some(kind), Some(name)) = (binding.role_kind, binding.role_name) else {
            return;
        };
        let at = binding.role_ref.get("name");
        let targets = match (kind, binding.cluster_wide) {
            ("ClusterRole", _) => self.resolve(id, "ClusterRole", None, name),
            // A ClusterRoleBinding cannot refer to a Role: the API server rejects it.
            ("Role", false) => self.resolve(id, "Role", resource.namespace.as_deref(), name),
            _ => return,
        };
        for to in targets {
            self.edge(id, to, EdgeKind::Grants, at, false);
        }
    }

    /// `Selects`/`Isolates` edges from `id` to the workloads `selector` selects in its
    /// namespace.
    fn add_selection(
        &mut self,
        id: NodeId,
        resource: &'a Resource,
        selector: &Selector<'_>,
        kind: EdgeKind,
        at: Option<NodeRef<'a>>,
    ) {
        let Some(namespace) = resource.namespace.as_deref() else {
            return;
        };
        for to in self.select_pods(id, namespace, selector) {
            self.edge(id, to, kind, at, false);
        }
    }

    fn add_policy_edges(&mut self, id: NodeId, resource: &'a Resource) {
        if let Some((selector, node)) = refs::policy_pod_selector(resource) {
            self.add_selection(id, resource, &selector, EdgeKind::Isolates, node);
        }
        for peer in refs::local_peers(resource) {
            let kind = if peer.ingress {
                EdgeKind::AllowsFrom
            } else {
                EdgeKind::AllowsTo
            };
            self.add_selection(id, resource, &peer.selector, kind, Some(peer.node));
        }
    }

    /// `Aggregates` edges from every aggregated ClusterRole (of the unit, or built in and
    /// reached) to the ClusterRoles its selectors select, adding the built-in ones reached.
    fn add_aggregation_edges(&mut self, resources: &'a [Resource]) {
        let mut pending: Vec<NodeId> = (0..resources.len())
            .filter(|&id| aggregation_rule(&resources[id]).is_some())
            .collect();
        pending.extend((resources.len()..self.nodes.len()).filter(|&id| {
            self.nodes[id]
                .resource
                .is_some_and(|r| aggregation_rule(r).is_some())
        }));
        let mut done: HashSet<NodeId> = HashSet::new();
        while let Some(id) = pending.pop() {
            if !done.insert(id) {
                continue;
            }
            let Some(resource) = self.nodes[id].resource else {
                continue;
            };
            let Some(rule) = aggregation_rule(resource) else {
                continue;
            };
            for selector_node in rule
                .get("clusterRoleSelectors")
                .into_iter()
                .flat_map(|s| s.items())
            {
                let Ok(selector) = Selector::from_label_selector(Some(selector_node)) else {
                    continue;
                };
                let at = (resource.file != rbac::BUILTIN_FILE).then_some(selector_node);
                let mut sources = self.cluster_roles.select("", &selector);
                sources = self.keep_nearest_variants(id, sources);
                for builtin in rbac::builtin_roles()
                    .iter()
                    .filter(|r| r.kind == "ClusterRole")
                {
                    let labels = Labels::of(builtin.metadata().and_then(|m| m.get("labels")));
                    // A role of the unit with the same name replaces the built-in one.
                    if selector.matches(&labels)
                        && self
                            .definitions("ClusterRole", None, &builtin.name)
                            .is_empty()
                    {
                        sources.push(self.other(
                            "ClusterRole",
                            None,
                            &builtin.name,
                            Origin::BuiltIn,
                            Some(builtin),
                        ));
                    }
                }
                for to in sources {
                    if to == id {
                        continue;
                    }
                    self.edge(id, to, EdgeKind::Aggregates, at, false);
                    if self.nodes[to]
                        .resource
                        .is_some_and(|r| aggregation_rule(r).is_some())
                    {
                        pending.push(to);
                    }
                }
            }
        }
    }
}

/// The directory of every file that holds an object of the unit, as interned path components.
fn directories(resources: &[Resource], sources: Option<&Sources>) -> Vec<Option<Box<[u32]>>> {
    let Some(sources) = sources else {
        return Vec::new();
    };
    let mut out: Vec<Option<Box<[u32]>>> = vec![None; sources.len()];
    let mut interned: HashMap<Component<'_>, u32> = HashMap::new();
    for resource in resources {
        let index = resource.file.0 as usize;
        if index >= sources.len() || out[index].is_some() {
            continue;
        }
        let Some(dir) = sources.get(resource.file).path.parent() else {
            continue;
        };
        let parts = dir
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| {
                let next = interned.len() as u32;
                *interned.entry(c).or_insert(next)
            })
            .collect();
        out[index] = Some(parts);
    }
    out
}

/// The pod spec of a workload: an object that runs pods (a PodTemplate only describes them).
pub fn workload_pod(resource: &Resource) -> Option<PodSpec<'_>> {
    if resource.kind == "PodTemplate" {
        return None;
    }
    PodSpec::of(resource)
}

/// The labels a workload's controller adds to each pod, with values the manifest does not
/// spell out (a hash, an ordinal, a generated name): selectors may use them.
fn controller_labels(resource: &Resource) -> &'static [&'static str] {
    match (resource.group(), resource.kind.as_str()) {
        ("apps", "StatefulSet") => &[
            "apps.kubernetes.io/pod-index",
            "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name",
        ],
        ("apps" | "extensions", "Deployment") => &["pod-template-hash"],
        ("apps" | "extensions", "DaemonSet") => {
            &["controller-revision-hash", "pod-template-generation"]
        }
        ("batch", "Job" | "CronJob") => &[
            "batch.kubernetes.io/controller-uid",
            "batch.kubernetes.io/job-completion-index",
            "batch.kubernetes.io/job-name",
            "controller-uid",
            "job-name",
        ],
        _ => &[],
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

/// What an object makes a controller, a Job or a workload create under a name written in the
/// object: a cert-manager Certificate its `spec.secretName`, a Bitnami SealedSecret and an
/// External Secrets ExternalSecret their Secret, a Job (or CronJob) the Secrets and ConfigMaps
/// its arguments name with a flag such as `--secret-name=<name>` (webhook certificate
/// generators), a Role the Secrets and ConfigMaps it lets its holder create and names.
fn creations(resource: &Resource) -> Vec<(&'static str, &str)> {
    let spec = resource.root().get("spec");
    let mut out = Vec::new();
    let secret = match (resource.group(), resource.kind.as_str()) {
        ("cert-manager.io", "Certificate") => spec.and_then(|s| s.str_at("secretName")),
        ("bitnami.com", "SealedSecret") => Some(resource.name.as_str()),
        ("external-secrets.io", "ExternalSecret") => spec
            .and_then(|s| s.path(&["target", "name"]))
            .and_then(|n| n.as_str())
            .or(Some(resource.name.as_str())),
        _ => None,
    };
    out.extend(secret.filter(|n| !n.is_empty()).map(|n| ("Secret", n)));
    // A Role that lets its holder create Secrets (or ConfigMaps) and names some in
    // `resourceNames`: its holder creates those at run time and then reads or updates them
    // (Argo CD's redis password, leader-election records).
    if role_scope(resource) == Some(Scope::Namespaced) {
        let rules = rbac::written_rules(resource);
        for (kind, plural) in [("Secret", "secrets"), ("ConfigMap", "configmaps")] {
            let creates = rules.iter().any(|r| {
                r.resource_names.is_empty()
                    && r.verb("create").is_some()
                    && r.resource_in("", plural).is_some()
            });
            if creates {
                for rule in rules.iter().filter(|r| r.resource_in("", plural).is_some()) {
                    out.extend(rule.resource_names.iter().map(|&n| (kind, n)));
                }
            }
        }
    }
    if matches!(resource.kind.as_str(), "Job" | "CronJob") {
        if let Some(pod) = PodSpec::of(resource) {
            for container in pod.containers() {
                let words: Vec<&str> = ["command", "args"]
                    .into_iter()
                    .filter_map(|key| container.node.get(key))
                    .flat_map(|list| list.items())
                    .filter_map(|item| item.as_str())
                    .collect();
                for (i, word) in words.iter().enumerate() {
                    let Some(flag) = word.strip_prefix("--") else {
                        continue;
                    };
                    let (flag, value) = match flag.split_once('=') {
                        Some((flag, value)) => (flag, Some(value)),
                        None => (flag, words.get(i + 1).copied()),
                    };
                    let flag = flag.to_ascii_lowercase();
                    let kind = if flag.contains("secret") {
                        "Secret"
                    } else if flag.contains("configmap") || flag.contains("config-map") {
                        "ConfigMap"
                    } else {
                        continue;
                    };
                    if let Some(value) = value.filter(|v| is_object_name(v)) {
                        out.push((kind, value));
                    }
                }
            }
        }
    }
    out
}

/// A valid object name (a DNS subdomain): what a flag value must be to name a Secret.
fn is_object_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && text.starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// Whether a custom resource looks like it makes an operator run pods: its `spec` has the
/// fields of a workload (replicas, an image, a pod template or pod metadata, a service
/// account, scheduling constraints), as a Prometheus, an Alertmanager or an Elasticsearch has.
fn runs_operator_pods(resource: &Resource) -> bool {
    let group = resource.group();
    // Core and `*.k8s.io` groups are Kubernetes' own kinds, all modelled or pod-less.
    if group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io") {
        return false;
    }
    let Some(spec) = resource.root().get("spec") else {
        return false;
    };
    const WORKLOAD_FIELDS: &[&str] = &[
        "replicas",
        "image",
        "containers",
        "podTemplate",
        "podMetadata",
        "podSpec",
        "serviceAccountName",
        "nodeSelector",
        "tolerations",
        "affinity",
    ];
    WORKLOAD_FIELDS.iter().any(|f| spec.get(f).is_some())
}

#[cfg(test)]
mod tests;
