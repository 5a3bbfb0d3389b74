//! Effective permissions: the roles bound to a ServiceAccount through every binding that names
//! it, and the rules they hold, each with the chain of objects that grants it.
//!
//! A ServiceAccount holds the rules of every Role / ClusterRole bound to it: directly (a
//! `ServiceAccount` subject), through its user name (`system:serviceaccount:<ns>:<name>`) or
//! through the groups every service account is in (`system:serviceaccounts`,
//! `system:serviceaccounts:<ns>`, `system:authenticated`). A ClusterRoleBinding grants
//! cluster-wide; a RoleBinding grants in its namespace only, even when it refers to a
//! ClusterRole, so cluster-scoped resources (nodes, users, groups) are out of its reach. An
//! aggregated ClusterRole holds the rules of the ClusterRoles it aggregates (transitively).
//!
//! This answers the question; judging the rules (which are dangerous) is the rule book's
//! (`model::rbac_risks`) and wording the chain is the checks'.

use std::collections::HashSet;

use super::{EdgeKind, Graph, NodeId};
use crate::model::rbac::{aggregation_rule, binding_of, role_scope, written_rules, Rule, Scope};
use crate::yaml::Span;

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Reach {
    Cluster,
    /// The namespace of the RoleBinding (as written; `None` when the binding sets none).
    Namespace(Option<String>),
}

/// One step of the chain that grants a permission, where it is written in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The binding `binding` names the account, or `through` (the node of a user name or group
    /// the account is).
    Bound {
        at: Span,
        binding: NodeId,
        through: Option<NodeId>,
    },
    /// The binding grants the role `role` (its `roleRef`), with the grant's reach.
    Grants {
        at: Span,
        role: NodeId,
        reach: Reach,
    },
    /// The aggregated ClusterRole `into` takes the rules of `from` (at `from`'s name).
    Aggregates {
        at: Span,
        into: NodeId,
        from: NodeId,
    },
}

/// A role bound to an account.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    /// The binding that grants it.
    pub(crate) binding: NodeId,
    pub(crate) role: NodeId,
    pub(crate) reach: Reach,
    /// Binding → role, the steps written in source files.
    pub(crate) chain: Vec<Step>,
}

/// A rule an account holds through a [`Grant`].
#[derive(Clone, Debug)]
pub(crate) struct HeldRule<'a> {
    pub(crate) rule: Rule<'a>,
    /// Whether the rule reaches cluster-scoped resources: a ClusterRole's rule granted
    /// cluster-wide (a Role reaches namespaced resources only, as does any role bound by a
    /// RoleBinding).
    pub(crate) cluster: bool,
    /// The aggregation steps from the granted role to the role that writes the rule.
    pub(crate) chain: Vec<Step>,
}

/// The subjects the ServiceAccount node `account` is: itself, its user name, its groups (those
/// a binding names), with the node of the user or group.
pub(crate) fn holders(graph: &Graph<'_>, account: NodeId) -> Vec<(NodeId, Option<NodeId>)> {
    let node = &graph.nodes[account];
    let (Some(namespace), name) = (node.namespace.as_deref(), node.name.as_ref()) else {
        return Vec::new();
    };
    let mut holders = vec![(account, None)];
    let user = format!("system:serviceaccount:{namespace}:{name}");
    holders.extend(graph.subject("User", &user).map(|id| (id, Some(id))));
    for group in [
        "system:serviceaccounts".to_string(),
        format!("system:serviceaccounts:{namespace}"),
        "system:authenticated".to_string(),
    ] {
        holders.extend(graph.subject("Group", &group).map(|id| (id, Some(id))));
    }
    holders
}

/// The roles bound to the ServiceAccount node `account`, in the order of its subjects and
/// their bindings (the checks take [`holder_grants`] per subject, to share a group's).
#[cfg(test)]
pub(crate) fn grants(graph: &Graph<'_>, account: NodeId) -> Vec<Grant> {
    holders(graph, account)
        .into_iter()
        .flat_map(|(holder, through)| holder_grants(graph, holder, through))
        .collect()
}

/// The roles bound to the subject node `holder` (an account, a user, a group; `through` is the
/// user or group node, `None` for an account itself), in the order of its bindings. What a
/// group holds is the same for every account in it: callers compute it once per group.
pub(crate) fn holder_grants(
    graph: &Graph<'_>,
    holder: NodeId,
    through: Option<NodeId>,
) -> Vec<Grant> {
    let mut out = Vec::new();
    for bind in graph.incoming(holder).filter(|e| e.kind == EdgeKind::Binds) {
        graph.count_permission_work(1);
        let Some(binding) = graph.nodes[bind.from].unit_resource() else {
            continue;
        };
        let Some(cluster_wide) = binding_of(binding).map(|b| b.cluster_wide) else {
            continue;
        };
        let reach = if cluster_wide {
            Reach::Cluster
        } else {
            Reach::Namespace(binding.declared_namespace().map(str::to_string))
        };
        let bound = bind.at.map(|at| Step::Bound {
            at: at.span(),
            binding: bind.from,
            through,
        });
        for grant in graph
            .outgoing(bind.from)
            .filter(|e| e.kind == EdgeKind::Grants)
        {
            let granted = grant.at.map(|at| Step::Grants {
                at: at.span(),
                role: grant.to,
                reach: reach.clone(),
            });
            out.push(Grant {
                binding: bind.from,
                role: grant.to,
                reach: reach.clone(),
                chain: bound.iter().cloned().chain(granted).collect(),
            });
        }
    }
    out
}

/// The rules the role of `grant` holds, following aggregation, in document order; none for a
/// role known by name only (a built-in role without known rules, an external or missing one).
pub(crate) fn held_rules<'a>(graph: &Graph<'a>, grant: &Grant) -> Vec<HeldRule<'a>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    collect_rules(graph, grant.role, &grant.reach, &[], &mut seen, &mut out);
    out
}

/// The rules of role `role` (following aggregation), appended to `out`.
fn collect_rules<'a>(
    graph: &Graph<'a>,
    role: NodeId,
    reach: &Reach,
    chain: &[Step],
    seen: &mut HashSet<NodeId>,
    out: &mut Vec<HeldRule<'a>>,
) {
    if !seen.insert(role) {
        return;
    }
    let Some(resource) = graph.nodes[role].resource else {
        return;
    };
    if aggregation_rule(resource).is_some() {
        for aggregated in graph
            .outgoing(role)
            .filter(|e| e.kind == EdgeKind::Aggregates)
        {
            let mut chain = chain.to_vec();
            if let Some(source) = graph.nodes[aggregated.to].unit_resource() {
                chain.push(Step::Aggregates {
                    at: source.name_span(),
                    into: role,
                    from: aggregated.to,
                });
            }
            collect_rules(graph, aggregated.to, reach, &chain, seen, out);
        }
        return;
    }
    let cluster = role_scope(resource) == Some(Scope::Cluster) && *reach == Reach::Cluster;
    out.extend(written_rules(resource).into_iter().map(|rule| HeldRule {
        rule,
        cluster,
        chain: chain.to_vec(),
    }));
}
