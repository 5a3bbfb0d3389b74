//! RBAC bindings: who is granted `cluster-admin` (or a role as powerful), and bindings to every
//! anonymous or authenticated caller.

use super::hints::relate;
use super::{Ctx, Sink};
use crate::graph::permissions::{self, Grant, HeldRule, Reach, Step};
use crate::graph::{EdgeKind, Graph, NodeId};
use crate::model::rbac::binding_of;
use crate::model::rbac_risks;
use crate::model::Resource;
use crate::yaml::NodeRef;
/// "ServiceAccount `monitoring/prometheus`, Group `ops`".
fn describe_subjects(resource: &Resource, subjects: &[NodeRef<'_>]) -> String {
    let described: Vec<String> = subjects
        .iter()
        .filter_map(|s| {
            let kind = s.str_at("kind")?;
            let name = s.str_at("name")?;
            // A ServiceAccount subject without a namespace is in the binding's namespace.
            let namespace = s
                .str_at("namespace")
                .filter(|ns| !ns.is_empty())
                .or_else(|| resource.declared_namespace());
            Some(match (kind, namespace) {
                ("ServiceAccount", Some(ns)) => format!("{kind} `{ns}/{name}`"),
                _ => format!("{kind} `{name}`"),
            })
        })
        .collect();
    if described.is_empty() {
        "no subject".to_string()
    } else {
        described.join(", ")
    }
}

/// `cluster-admin-binding`: a binding whose role is `cluster-admin`, or a role (custom, or
/// aggregated from others) that grants as much: every verb on every resource of every API
/// group. The role's rule is a related location, with the aggregation that brings it in.
pub(super) fn cluster_admin_binding(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    for (id, resource) in graph.objects() {
        let Some(binding) = binding_of(resource) else {
            continue;
        };
        let Some(name) = binding
            .role_ref
            .get("name")
            .filter(|n| n.as_str().is_some())
        else {
            continue;
        };
        let scope = match (binding.cluster_wide, resource.declared_namespace()) {
            (false, Some(ns)) => format!("full control of namespace `{ns}`"),
            (false, None) => "full control of its namespace".to_string(),
            (true, _) => "full control of the cluster".to_string(),
        };
        let subjects = describe_subjects(resource, &binding.subject_nodes);
        if binding.role_kind == Some("ClusterRole") && name.as_str() == Some("cluster-admin") {
            sink.report(
                resource,
                name,
                format!("binding grants `cluster-admin` ({scope}) to {subjects}"),
            );
            continue;
        }
        let Some((role, held)) = equivalent_role(graph, id, binding.cluster_wide) else {
            continue;
        };
        let finding = sink.report(
            resource,
            name,
            format!(
                "binding grants {}, as powerful as `cluster-admin` (every verb on every resource: {scope}), to {subjects}",
                graph.nodes[role].describe()
            ),
        );
        for step in &held.chain {
            if let Step::Aggregates { at, into, from } = step {
                relate(
                    finding,
                    *at,
                    format!(
                        "aggregated into ClusterRole `{}` from {}",
                        graph.nodes[*into].name,
                        graph.nodes[*from].describe()
                    ),
                );
            }
        }
        relate(
            finding,
            held.rule
                .resources
                .first()
                .map_or(name.span(), |r| r.node.span()),
            format!("rule: {}", rbac_risks::describe_rule(&held.rule)),
        );
    }
}

/// The role the binding node `binding` grants, when it grants everything (see
/// [`rbac_risks::grants_everything`]), with the rule that does.
fn equivalent_role<'a>(
    graph: &Graph<'a>,
    binding: NodeId,
    cluster_wide: bool,
) -> Option<(NodeId, HeldRule<'a>)> {
    let reach = if cluster_wide {
        Reach::Cluster
    } else {
        Reach::Namespace(None)
    };
    graph
        .outgoing(binding)
        .filter(|e| e.kind == EdgeKind::Grants)
        .find_map(|edge| {
            let grant = Grant {
                binding,
                role: edge.to,
                reach: reach.clone(),
                chain: Vec::new(),
            };
            let held = permissions::held_rules(graph, &grant)
                .into_iter()
                .find(|held| rbac_risks::grants_everything(&held.rule).is_some())?;
            Some((edge.to, held))
        })
}

/// `binding-to-anonymous`: a binding subject that is every anonymous or every authenticated
/// caller.
pub(super) fn binding_to_anonymous(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some(binding) = binding_of(resource) else {
        return;
    };
    let (role_ref, subjects) = (binding.role_ref, binding.subject_nodes);
    let role = match (role_ref.str_at("kind"), role_ref.str_at("name")) {
        (Some(kind), Some(name)) => format!("{kind} `{name}`"),
        _ => "its role".to_string(),
    };
    for subject in subjects {
        let Some(name) = subject.get("name") else {
            continue;
        };
        let who = match (subject.str_at("kind"), name.as_str()) {
            (Some("User"), Some("system:anonymous")) => "every unauthenticated request",
            (Some("Group"), Some("system:unauthenticated")) => "every unauthenticated request",
            (Some("Group"), Some("system:authenticated")) => {
                "every authenticated user and service account"
            }
            _ => continue,
        };
        let value = name.as_str().unwrap_or_default();
        if is_default_public_binding(role_ref, value) {
            continue;
        }
        sink.report(
            resource,
            name,
            format!("binding grants {role} to {who} (`{value}`)"),
        );
    }
}

/// The bindings the API server itself creates for everyone: re-declaring them grants nothing new.
fn is_default_public_binding(role_ref: NodeRef<'_>, subject: &str) -> bool {
    if role_ref.str_at("kind") != Some("ClusterRole") {
        return false;
    }
    matches!(
        (role_ref.str_at("name"), subject),
        (
            Some("system:public-info-viewer"),
            "system:authenticated" | "system:unauthenticated"
        ) | (
            Some("system:discovery" | "system:basic-user"),
            "system:authenticated"
        )
    )
}
