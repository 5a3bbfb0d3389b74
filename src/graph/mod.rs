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

//!
//! # Modules
//! `build.rs` adds the nodes and edges, `resolve.rs` finds what a reference names (nearest
//! variants, what every cluster provides), `queries.rs` answers the checks' questions,
//! `objects.rs` reads what an object implies (a workload's pods, what it creates), `refs`
//! reads the references objects write, and `permissions` follows RBAC from an account to the
//! rules it holds.

mod adjacency;
mod build;
mod external;
mod ids;
mod index;
mod objects;
pub(crate) mod permissions;
mod queries;
pub mod refs;
mod resolve;

pub(crate) use external::is_external;
pub use external::ExternalPattern;
pub(crate) use objects::workload_pod;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicUsize;

use adjacency::Adjacency;
use ids::Ids;
use index::LabelIndex;

use crate::model::Resource;
use crate::source::Sources;
use crate::yaml::NodeRef;

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
    pub(crate) fn as_str(self) -> &'static str {
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
    pub(crate) fn describe(&self) -> String {
        format!("{} `{}`", self.kind, self.qualified_name())
    }

    /// `ns/name`, or `name` for cluster-scoped objects.
    pub(crate) fn qualified_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.to_string(),
        }
    }

    /// The object as it is in the unit, if it is one of the unit's.
    pub(crate) fn unit_resource(&self) -> Option<&'a Resource> {
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
    pub(crate) fn as_str(self) -> &'static str {
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
    /// Whether to add the `allows-from` / `allows-to` edges of NetworkPolicy peers. Only
    /// `k8sec graph` prints them; no check asks for them, and they are a policy's peers times
    /// the workloads they select (199k edges at 100k generated objects), so a lint leaves them
    /// out.
    pub peer_edges: bool,
}

type Key<'a> = (&'a str, Option<&'a str>, &'a str);

/// The graph of one unit.
pub struct Graph<'a> {
    pub nodes: Vec<Node<'a>>,
    pub edges: Vec<Edge<'a>>,
    outgoing: Adjacency,
    incoming: Adjacency,
    /// Unit objects by (kind, namespace, name).
    objects: HashMap<Key<'a>, Ids>,
    /// Objects the unit's objects create at run time, by (kind, namespace, name), with their
    /// creators.
    created: HashMap<Key<'a>, Ids>,
    /// Created nodes whose `Creates` edges exist.
    created_linked: HashSet<NodeId>,
    /// Namespaced unit objects that declare no namespace, by (kind, name): they are applied to
    /// whatever namespace the user deploys them to, which a reference may name.
    undeclared: HashMap<(&'a str, &'a str), Ids>,
    /// Unit objects by (kind, name), for hints about other namespaces.
    by_kind_name: HashMap<(&'a str, &'a str), Ids>,
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
    /// For each unit object, its group: the definitions of one object, group `g` being
    /// `variant_ids[variant_starts[g]..variant_starts[g + 1]]` (one list, not a `Vec` per
    /// object: 5 MB at 100k objects).
    variant_group: Vec<u32>,
    variant_starts: Vec<u32>,
    variant_ids: Vec<NodeId>,
    /// Variant distances computed so far (see [`Graph::work`]).
    comparisons: AtomicUsize,
    /// Bindings followed and risks collected for effective permissions (see [`Graph::work`]).
    permission_work: AtomicUsize,
}

#[cfg(test)]
mod tests;
