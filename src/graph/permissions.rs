//! Effective permissions: what a ServiceAccount may do through every binding that names it,
//! each with the chain of objects that grants it.
//!
//! A ServiceAccount holds the rules of every Role / ClusterRole bound to it: directly (a
//! `ServiceAccount` subject), through its user name (`system:serviceaccount:<ns>:<name>`) or
//! through the groups every service account is in (`system:serviceaccounts`,
//! `system:serviceaccounts:<ns>`, `system:authenticated`). A ClusterRoleBinding grants
//! cluster-wide; a RoleBinding grants in its namespace only, even when it refers to a
//! ClusterRole, so cluster-scoped resources (nodes, users, groups) are out of its reach. An
//! aggregated ClusterRole holds the rules of the ClusterRoles it aggregates (transitively).

use std::collections::HashSet;

use super::{EdgeKind, Graph, NodeId, Origin};
use crate::model::rbac::{
    aggregation_rule, binding_of, is_builtin_span, role_scope, written_rules, Item, Rule, Scope,
    RBAC_GROUP,
};
use crate::yaml::Span;

/// A kind of dangerous permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RiskKind {
    /// Bound to `cluster-admin`.
    ClusterAdmin,
    /// A rule with `*` verbs on `*` resources of `*` groups.
    Everything,
    ReadSecrets,
    CreateWorkloads,
    ExecIntoPods,
    Escalate,
    Bind,
    Impersonate,
    NodeProxy,
    /// Another rule with `*` in its verbs or resources.
    Wildcard,
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    Cluster,
    /// The namespace of the RoleBinding (as written; `None` when the binding sets none).
    Namespace(Option<String>),
}

impl Reach {
    pub fn describe(&self) -> String {
        match self {
            Reach::Cluster => "cluster-wide".to_string(),
            Reach::Namespace(Some(ns)) => format!("in namespace `{ns}`"),
            Reach::Namespace(None) => "in the binding's namespace".to_string(),
        }
    }
}

/// One location of the chain that proves a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub span: Span,
    pub message: String,
}

/// One dangerous permission with its proof.
#[derive(Clone, Debug)]
pub struct Risk {
    pub kind: RiskKind,
    /// What exactly: the resources (`pods`, `deployments`) or the identities it applies to.
    pub targets: Vec<String>,
    pub reach: Reach,
    /// Binding → role → (aggregated role →) rule, in that order; locations in source files only.
    pub chain: Vec<Link>,
}

/// Workload resources and their API groups.
const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// The dangerous permissions the ServiceAccount node `account` holds in the graph.
pub fn risks(graph: &Graph<'_>, account: NodeId) -> Vec<Risk> {
    let node = &graph.nodes[account];
    let (Some(namespace), name) = (node.namespace.as_deref(), node.name.as_ref()) else {
        return Vec::new();
    };
    // The subjects the service account is: itself, its user name, its groups.
    let mut holders: Vec<(NodeId, Option<String>)> = vec![(account, None)];
    let user = format!("system:serviceaccount:{namespace}:{name}");
    if let Some(id) = graph.subject("User", &user) {
        holders.push((id, Some(format!("User `{user}`"))));
    }
    for group in [
        "system:serviceaccounts".to_string(),
        format!("system:serviceaccounts:{namespace}"),
        "system:authenticated".to_string(),
    ] {
        if let Some(id) = graph.subject("Group", &group) {
            holders.push((id, Some(format!("Group `{group}`"))));
        }
    }
    let mut out = Vec::new();
    for (holder, through) in holders {
        for bind in graph.incoming(holder).filter(|e| e.kind == EdgeKind::Binds) {
            let binding_node = &graph.nodes[bind.from];
            let Some(binding_resource) = binding_node.unit_resource() else {
                continue;
            };
            let Some(binding) = binding_of(binding_resource) else {
                continue;
            };
            let reach = if binding.cluster_wide {
                Reach::Cluster
            } else {
                Reach::Namespace(binding_resource.declared_namespace().map(str::to_string))
            };
            let mut chain = Vec::new();
            if let Some(at) = bind.at {
                let via = through
                    .as_ref()
                    .map_or_else(String::new, |t| format!(" (through {t})"));
                chain.push(Link {
                    span: at.span(),
                    message: format!("bound by {}{via}", binding_node.describe()),
                });
            }
            for grant in graph
                .outgoing(bind.from)
                .filter(|e| e.kind == EdgeKind::Grants)
            {
                let role = &graph.nodes[grant.to];
                let mut chain = chain.clone();
                if let Some(at) = grant.at {
                    let built_in = if role.origin == Origin::BuiltIn {
                        "built-in "
                    } else {
                        ""
                    };
                    chain.push(Link {
                        span: at.span(),
                        message: format!(
                            "which grants {built_in}{} {}",
                            role.describe(),
                            reach.describe()
                        ),
                    });
                }
                if role.kind == "ClusterRole" && role.name == "cluster-admin" {
                    out.push(Risk {
                        kind: RiskKind::ClusterAdmin,
                        targets: Vec::new(),
                        reach: reach.clone(),
                        chain,
                    });
                    continue;
                }
                let mut seen = HashSet::new();
                role_risks(graph, grant.to, &reach, &chain, &mut seen, &mut out);
            }
        }
    }
    out
}

/// The risks of the rules of role `role` (following aggregation), appended to `out`.
fn role_risks(
    graph: &Graph<'_>,
    role: NodeId,
    reach: &Reach,
    chain: &[Link],
    seen: &mut HashSet<NodeId>,
    out: &mut Vec<Risk>,
) {
    if !seen.insert(role) {
        return;
    }
    let Some(resource) = graph.nodes[role].resource else {
        return; // rules unknown: a built-in role known by name only, external or missing
    };
    if aggregation_rule(resource).is_some() {
        for aggregated in graph
            .outgoing(role)
            .filter(|e| e.kind == EdgeKind::Aggregates)
        {
            let source = &graph.nodes[aggregated.to];
            let mut chain = chain.to_vec();
            if let Some(res) = source.unit_resource() {
                chain.push(Link {
                    span: res.name_span(),
                    message: format!(
                        "aggregated into ClusterRole `{}` from {}",
                        graph.nodes[role].name,
                        source.describe()
                    ),
                });
            }
            role_risks(graph, aggregated.to, reach, &chain, seen, out);
        }
        return;
    }
    // A Role reaches namespaced resources only, as does any role bound by a RoleBinding.
    let cluster = role_scope(resource) == Some(Scope::Cluster) && *reach == Reach::Cluster;
    for rule in written_rules(resource) {
        for (kind, targets, item) in rule_risks(&rule, cluster) {
            let mut chain = chain.to_vec();
            let span = item.node.span();
            if !is_builtin_span(span) {
                chain.push(Link {
                    span,
                    message: format!("rule: {}", describe_rule(&rule)),
                });
            }
            out.push(Risk {
                kind,
                targets,
                reach: reach.clone(),
                chain,
            });
        }
    }
}

/// At most this many items of a rule's list are named in a message.
const MAX_LISTED: usize = 5;

/// "`a`, `b`, `c`", or "`a`, `b`, `c`, `d`, `e` and 18 more" for long lists.
fn capped(names: impl Iterator<Item = String>) -> String {
    let names: Vec<String> = names.collect();
    if names.len() <= MAX_LISTED + 1 {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..MAX_LISTED].join(", "),
        names.len() - MAX_LISTED
    )
}

/// "`get`, `list` on `secrets`, `configmaps`".
fn describe_rule(rule: &Rule<'_>) -> String {
    let list = |items: &[Item<'_>]| capped(items.iter().map(|i| format!("`{}`", i.value)));
    format!(
        "{} on {}{}",
        list(&rule.verbs),
        list(&rule.resources),
        rule.names_note("objects")
    )
}

/// What a wildcard rule covers: "every verb on `statefulsets`", "every resource of
/// `monitoring.coreos.com`", "every verb on every resource of the core group".
fn describe_wildcard(rule: &Rule<'_>) -> String {
    let quoted = |items: &[Item<'_>]| {
        capped(items.iter().map(|i| match i.value {
            "" => "the core group".to_string(),
            "*" => "every API group".to_string(),
            v => format!("`{v}`"),
        }))
    };
    let every_verb = rule.verbs.iter().any(|v| v.value == "*");
    let every_resource = rule.resources.iter().any(|r| r.value == "*");
    match (every_verb, every_resource) {
        (true, true) => format!(
            "every verb on every resource of {}",
            quoted(&rule.api_groups)
        ),
        (false, true) => format!("every resource of {}", quoted(&rule.api_groups)),
        _ => format!("every verb on {}", quoted(&rule.resources)),
    }
}

/// The risks one rule grants, each with the item that grants it. `cluster` says whether it
/// applies cluster-wide (cluster-scoped resources are only reachable then).
fn rule_risks<'a>(rule: &Rule<'a>, cluster: bool) -> Vec<(RiskKind, Vec<String>, Item<'a>)> {
    let mut out = Vec::new();
    // A non-resource rule (`nonResourceURLs` only) has no resources.
    let Some(first) = rule.resources.first().copied() else {
        return out;
    };
    if rule.verbs.is_empty() {
        return out;
    }
    let star = |items: &[Item<'a>]| items.iter().find(|i| i.value == "*").copied();
    if let (Some(_), Some(resource), true) = (
        star(&rule.verbs),
        star(&rule.resources),
        rule.covers_group("*"),
    ) {
        out.push((RiskKind::Everything, Vec::new(), resource));
        return out;
    }
    let unnamed = rule.resource_names.is_empty();
    let any_verb = |verbs: &[&str]| verbs.iter().any(|v| rule.verb(v).is_some());
    if unnamed && any_verb(&["get", "list", "watch"]) {
        if let Some(item) = rule.resource_in("", "secrets") {
            out.push((RiskKind::ReadSecrets, Vec::new(), item));
        }
    }
    // `create` cannot be limited by name: a rule with resourceNames creates nothing.
    if unnamed && rule.verb("create").is_some() {
        let matched: Vec<(&str, Item<'a>)> = WORKLOADS
            .iter()
            .filter_map(|&(group, name)| Some((name, rule.resource_in(group, name)?)))
            .collect();
        if let Some(&(_, item)) = matched.first() {
            let names = matched.iter().map(|(n, _)| n.to_string()).collect();
            out.push((RiskKind::CreateWorkloads, names, item));
        }
    }
    if any_verb(&["create", "get"]) {
        let matched: Vec<(&str, Item<'a>)> = ["pods/exec", "pods/attach"]
            .into_iter()
            .filter_map(|sub| Some((sub, rule.resource_in("", sub)?)))
            .collect();
        if let Some(&(_, item)) = matched.first() {
            let names = matched.iter().map(|(n, _)| n.to_string()).collect();
            out.push((RiskKind::ExecIntoPods, names, item));
        }
    }
    let roles: Vec<(&str, Item<'a>)> = ["roles", "clusterroles"]
        .into_iter()
        .filter_map(|r| Some((r, rule.resource_in(RBAC_GROUP, r)?)))
        .collect();
    if let Some(&(_, item)) = roles.first() {
        let names: Vec<String> = roles.iter().map(|(n, _)| n.to_string()).collect();
        if rule.verb("escalate").is_some() {
            out.push((RiskKind::Escalate, names.clone(), item));
        }
        // `bind` limited to named roles delegates those roles only.
        if rule.verb("bind").is_some() && unnamed {
            out.push((RiskKind::Bind, names, item));
        }
    }
    if rule.verb("impersonate").is_some() {
        let mut identities: Vec<(&str, Item<'a>)> = Vec::new();
        if let Some(item) = rule.resource_in("", "serviceaccounts") {
            identities.push(("serviceaccounts", item));
        }
        if cluster {
            for name in ["users", "groups"] {
                if let Some(item) = rule.resource_in("", name) {
                    identities.push((name, item));
                }
            }
        }
        if let Some(&(_, item)) = identities.first() {
            let names = identities.iter().map(|(n, _)| n.to_string()).collect();
            out.push((RiskKind::Impersonate, names, item));
        }
    }
    if cluster {
        if let Some(item) = rule.resource_in("", "nodes/proxy") {
            out.push((RiskKind::NodeProxy, Vec::new(), item));
        }
    }
    if star(&rule.verbs).is_some() || star(&rule.resources).is_some() {
        let item = star(&rule.resources)
            .or_else(|| star(&rule.verbs))
            .unwrap_or(first);
        out.push((RiskKind::Wildcard, vec![describe_wildcard(rule)], item));
    }
    out
}

/// How a message names a kind of risk with its targets.
pub fn describe_risk(kind: RiskKind, targets: &[String]) -> String {
    let list = |targets: &[String]| targets.join(", ");
    match kind {
        RiskKind::ClusterAdmin => "do anything (`cluster-admin`)".to_string(),
        RiskKind::Everything => "do anything (`*` on every resource)".to_string(),
        RiskKind::ReadSecrets => "read secrets".to_string(),
        RiskKind::CreateWorkloads if targets.len() >= WORKLOADS.len() => {
            "create pods and workloads of every kind".to_string()
        }
        RiskKind::CreateWorkloads => format!("create {}", list(targets)),
        RiskKind::ExecIntoPods => "exec into pods".to_string(),
        RiskKind::Escalate => format!("escalate {}", list(targets)),
        RiskKind::Bind => format!("bind any of the {}", list(targets)),
        RiskKind::Impersonate => format!(
            "impersonate {}",
            targets
                .iter()
                .map(|t| if t == "serviceaccounts" {
                    "service accounts"
                } else {
                    t
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RiskKind::NodeProxy => "reach the kubelet API (`nodes/proxy`)".to_string(),
        RiskKind::Wildcard => format!("use wildcards ({})", targets.join("; ")),
    }
}
