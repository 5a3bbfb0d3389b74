//! Building the graph: a node per object, then the edges each object makes (its pods' account
//! and references, a binding's subjects and role, selections, routes, scale targets), then
//! the aggregation of ClusterRoles, then the edge indexes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Component;
use std::sync::atomic::AtomicUsize;

use super::adjacency::Adjacency;
use super::index::LabelIndex;
use super::objects::{controller_labels, creations, runs_operator_pods, workload_pod};
use super::{refs, Edge, EdgeKind, Graph, GraphOptions, Node, NodeId, Origin};
use crate::model::rbac::{self, aggregation_rule, binding_of, role_scope, Scope};
use crate::model::{Labels, PodSpec, Resource, Selector};
use crate::source::Sources;
use crate::yaml::NodeRef;

impl<'a> Graph<'a> {
    /// Builds the graph of a unit's objects.
    pub fn build(resources: &'a [Resource], options: GraphOptions<'a>) -> Graph<'a> {
        let mut graph = Graph {
            nodes: Vec::with_capacity(resources.len()),
            edges: Vec::new(),
            outgoing: Adjacency::default(),
            incoming: Adjacency::default(),
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
            variant_starts: Vec::new(),
            variant_ids: Vec::new(),
            comparisons: AtomicUsize::new(0),
            permission_work: AtomicUsize::new(0),
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
        self.variant_starts = Vec::with_capacity(self.objects.len() + 1);
        self.variant_ids = Vec::with_capacity(self.nodes.len());
        for defs in self.objects.values() {
            let group = self.variant_starts.len() as u32;
            for &d in defs {
                self.variant_group[d] = group;
            }
            self.variant_starts.push(self.variant_ids.len() as u32);
            self.variant_ids.extend_from_slice(defs);
        }
        self.variant_starts.push(self.variant_ids.len() as u32);
    }

    pub(super) fn edge(
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
        self.outgoing = Adjacency::new(self.nodes.len(), self.edges.iter().map(|e| e.from));
        self.incoming = Adjacency::new(self.nodes.len(), self.edges.iter().map(|e| e.to));
    }

    /// A node that is not an object of the unit, created once per identity.
    pub(super) fn other(
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
        if !self.options.peer_edges {
            return;
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
