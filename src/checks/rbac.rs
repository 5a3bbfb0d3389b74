//! RBAC: roles and bindings one object at a time, and what a workload may do through its
//! ServiceAccount.
//!
//! Rules are read by `crate::model::rbac` and judged by the rule book `crate::model::rbac_risks`
//! (the same predicates for one role and for a workload's effective permissions). Rules are
//! matched as the RBAC authorizer matches requests: a verb matches itself or `*`; an API group
//! matches itself or `*`; a resource matches itself, `*`, or for a subresource
//! `*/<subresource>`. Matching is case-sensitive. ClusterRoles with an `aggregationRule` are
//! skipped by the per-role checks: the controller overwrites their rules with those of the
//! roles they aggregate.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::hints::relate;
use super::{Ctx, Sink};
use crate::graph::permissions::{self, Grant, HeldRule, Reach, Step};
use crate::graph::{workload_pod, EdgeKind, Graph, NodeId, Origin};
use crate::model::rbac::{binding_of, is_builtin_span, rules_of, Rule, Scope};
use crate::model::rbac_risks::{self, all_exact, exact_or_first, RiskKind, RuleRisk};
use crate::model::{PodSpec, Resource};
use crate::yaml::{NodeRef, Span};

/// `rbac-wildcard`: `*` in the verbs, resources or apiGroups of a rule.
pub(super) fn rbac_wildcard(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((_, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        let note = rule.names_note("objects");
        for (list, item) in rbac_risks::wildcards(rule) {
            sink.report(
                resource,
                item.node,
                format!("`*` in `{}` grants {}{note}", list.field(), list.every()),
            );
        }
    }
}

/// `rbac-secrets-access`: get, list or watch on core `secrets`.
pub(super) fn rbac_secrets_access(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((scope, rules)) = rules_of(resource) else {
        return;
    };
    let place = match (scope, resource.declared_namespace()) {
        (Scope::Namespaced, Some(ns)) => format!(" of namespace `{ns}`"),
        (Scope::Namespaced, None) => " of its namespace".to_string(),
        (Scope::Cluster, _) => String::new(),
    };
    for rule in &rules {
        let Some((target, verbs)) = rbac_risks::reads_secrets(rule) else {
            continue;
        };
        let via = if target.value == "secrets" {
            String::new()
        } else {
            format!(" (through `{}`)", target.value)
        };
        sink.report(
            resource,
            target.node,
            format!(
                "rule grants {} on every secret{place}{via}",
                quoted_list(&verbs)
            ),
        );
    }
}

/// "`get`, `list`".
fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rbac-pod-exec`: create or get on `pods/exec` or `pods/attach`.
pub(super) fn rbac_pod_exec(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((_, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        let Some((subresources, verbs)) = rbac_risks::execs_into_pods(rule) else {
            continue;
        };
        let Some(first) = exact_or_first(&subresources) else {
            continue;
        };
        let names = subresources
            .iter()
            .map(|(name, _)| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let via = if all_exact(&subresources) {
            String::new()
        } else {
            format!(" (through `{}`)", first.value)
        };
        let how = if verbs.contains(&"create") {
            "`create`"
        } else {
            "`get` (enough for a WebSocket connection on API servers that authorize it as get)"
        };
        sink.report(
            resource,
            first.node,
            format!(
                "rule gives access into running containers: {how} on {names}{via}{}",
                rule.names_note("pods")
            ),
        );
    }
}

/// `rbac-workload-create`: create on pods or on a workload kind in its API group.
pub(super) fn rbac_workload_create(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((_, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        let workloads = rbac_risks::creates_workloads(rule);
        let Some(first) = exact_or_first(&workloads) else {
            continue;
        };
        let names = workloads
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ");
        let via = if all_exact(&workloads) {
            ""
        } else {
            " (through `*`)"
        };
        sink.report(
            resource,
            first.node,
            format!(
                "rule grants `create` on {names}{via}: its holder can run any image as any service account of the namespace"
            ),
        );
    }
}

/// `rbac-escalation-verbs`: escalate or bind on roles, impersonate on identities.
pub(super) fn rbac_escalation_verbs(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((scope, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        let names = |granted: rbac_risks::Granted<'_>| -> Vec<&'static str> {
            granted.into_iter().map(|(name, _)| name).collect()
        };
        let roles = names(rbac_risks::role_resources(rule));
        let identities = names(rbac_risks::impersonation_targets(
            rule,
            scope == Scope::Cluster,
        ));
        report_escalation(resource, rule, &roles, &identities, sink);
    }
}

/// Reports each escalation verb `rule` grants on `roles` (escalate, bind) or `identities`
/// (impersonate), or one finding for a `*` verb that grants them all.
fn report_escalation(
    resource: &Resource,
    rule: &Rule<'_>,
    roles: &[&str],
    identities: &[&str],
    sink: &mut Sink<'_>,
) {
    let note = rule.names_note("objects");
    let mut reported_star = false;
    for (verb, targets, effect) in [
        (
            "escalate",
            roles,
            "can add permissions it does not hold to roles",
        ),
        (
            "bind",
            roles,
            "can bind roles that grant permissions it does not hold",
        ),
        ("impersonate", identities, "can act as other identities"),
    ] {
        if targets.is_empty() {
            continue;
        }
        let Some(item) = rule.verb(verb) else {
            continue;
        };
        // `bind` limited to named roles is the documented way to delegate those roles only:
        // not reported. (`escalate` on a named role still lets its holder put any permission
        // into it.)
        if item.value == "bind" && !rule.resource_names.is_empty() {
            continue;
        }
        if item.value != "*" {
            sink.report(
                resource,
                item.node,
                format!(
                    "rule grants `{verb}` on {}: its holder {effect}{note}",
                    targets.join(", ")
                ),
            );
            continue;
        }
        // One finding for `*`, naming every escalation verb it grants.
        if reported_star {
            continue;
        }
        reported_star = true;
        let mut granted = Vec::new();
        if !roles.is_empty() {
            granted.push(format!("`escalate` and `bind` on {}", roles.join(", ")));
        }
        if !identities.is_empty() {
            granted.push(format!("`impersonate` on {}", identities.join(", ")));
        }
        sink.report(
            resource,
            item.node,
            format!(
                "rule grants `*`, which includes {}{note}",
                granted.join("; ")
            ),
        );
    }
}

/// `rbac-node-proxy`: any access to `nodes/proxy` (only a ClusterRole can grant it: nodes are
/// cluster-scoped).
pub(super) fn rbac_node_proxy(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((Scope::Cluster, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        let Some(item) = rbac_risks::node_proxy(rule) else {
            continue;
        };
        let via = if item.value == "nodes/proxy" {
            String::new()
        } else {
            format!(" (through `{}`)", item.value)
        };
        let verbs: Vec<&str> = rule.verbs.iter().map(|v| v.value).collect();
        sink.report(
            resource,
            item.node,
            format!(
                "rule grants {} on `nodes/proxy`{via}: the kubelet API, including exec in every pod of the node{}",
                quoted_list(&verbs),
                rule.names_note("nodes")
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// What a workload may do through its ServiceAccount

/// One location of the chain that proves a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Link {
    span: Span,
    message: String,
}

/// One dangerous permission a ServiceAccount holds, with its proof.
#[derive(Clone, Debug)]
struct Risk {
    kind: RiskKind,
    /// What exactly: the resources (`pods`, `deployments`) or the identities it applies to.
    targets: Vec<String>,
    reach: Reach,
    /// Binding → role → (aggregated role →) rule, in that order; locations in source files
    /// only.
    chain: Vec<Link>,
}

/// "cluster-wide", "in namespace `shop`".
fn reach_phrase(reach: &Reach) -> String {
    match reach {
        Reach::Cluster => "cluster-wide".to_string(),
        Reach::Namespace(Some(ns)) => format!("in namespace `{ns}`"),
        Reach::Namespace(None) => "in the binding's namespace".to_string(),
    }
}

/// The related location of one step of a grant's chain.
fn link(graph: &Graph<'_>, step: &Step) -> Link {
    let (span, message) = match step {
        Step::Bound {
            at,
            binding,
            through,
        } => {
            let via = through.map_or_else(String::new, |t| {
                format!(" (through {})", graph.nodes[t].describe())
            });
            (
                *at,
                format!("bound by {}{via}", graph.nodes[*binding].describe()),
            )
        }
        Step::Grants { at, role, reach } => {
            let role = &graph.nodes[*role];
            let built_in = if role.origin == Origin::BuiltIn {
                "built-in "
            } else {
                ""
            };
            let message = format!(
                "which grants {built_in}{} {}",
                role.describe(),
                reach_phrase(reach)
            );
            (*at, message)
        }
        Step::Aggregates { at, into, from } => (
            *at,
            format!(
                "aggregated into ClusterRole `{}` from {}",
                graph.nodes[*into].name,
                graph.nodes[*from].describe()
            ),
        ),
    };
    Link { span, message }
}

/// The dangerous permissions the ServiceAccount node `account` holds, in the order of its
/// grants and their rules.
fn account_risks(graph: &Graph<'_>, account: NodeId) -> Vec<Risk> {
    let mut out = Vec::new();
    for grant in permissions::grants(graph, account) {
        let chain: Vec<Link> = grant.chain.iter().map(|s| link(graph, s)).collect();
        let role = &graph.nodes[grant.role];
        if role.kind == "ClusterRole" && role.name == "cluster-admin" {
            out.push(Risk {
                kind: RiskKind::ClusterAdmin,
                targets: Vec::new(),
                reach: grant.reach.clone(),
                chain,
            });
            continue;
        }
        for held in permissions::held_rules(graph, &grant) {
            out.extend(rule_risks(graph, &grant, &chain, &held));
        }
    }
    out
}

/// The risks of one rule held through `grant`, each with the chain that proves it.
fn rule_risks(graph: &Graph<'_>, grant: &Grant, chain: &[Link], held: &HeldRule<'_>) -> Vec<Risk> {
    rbac_risks::rule_risks(&held.rule, held.cluster)
        .into_iter()
        .map(
            |RuleRisk {
                 kind,
                 targets,
                 item,
             }| {
                let mut chain = chain.to_vec();
                chain.extend(held.chain.iter().map(|s| link(graph, s)));
                let span = item.node.span();
                if !is_builtin_span(span) {
                    chain.push(Link {
                        span,
                        message: format!("rule: {}", rbac_risks::describe_rule(&held.rule)),
                    });
                }
                Risk {
                    kind,
                    targets,
                    reach: grant.reach.clone(),
                    chain,
                }
            },
        )
        .collect()
}

/// The message's list of risks: each kind once, with where it applies; `cluster-admin` or
/// `*` on everything cluster-wide makes the rest redundant.
fn summarize(risks: &[Risk]) -> Vec<(RiskKind, String)> {
    let total = risks
        .iter()
        .any(|r| r.kind.is_total() && r.reach == Reach::Cluster);
    let any_everything = risks.iter().any(|r| r.kind.is_total());
    let mut by_kind: BTreeMap<RiskKind, (BTreeSet<String>, BTreeSet<Reach>)> = BTreeMap::new();
    for risk in risks {
        if total && !risk.kind.is_total() {
            continue;
        }
        if risk.kind == RiskKind::Wildcard && any_everything {
            continue;
        }
        let entry = by_kind.entry(risk.kind).or_default();
        entry.0.extend(risk.targets.iter().cloned());
        entry.1.insert(risk.reach.clone());
    }
    by_kind
        .into_iter()
        .map(|(kind, (targets, reaches))| {
            let targets: Vec<String> = targets.into_iter().collect();
            // Cluster-wide covers every namespace.
            let reach = if reaches.contains(&Reach::Cluster) {
                reach_phrase(&Reach::Cluster)
            } else {
                reaches
                    .iter()
                    .map(reach_phrase)
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            (kind, format!("{} {reach}", kind.describe(&targets)))
        })
        .collect()
}

/// Whether the pods of a workload get an API token: `automountServiceAccountToken` of the pod
/// spec, else of the ServiceAccount(s) it runs as (every definition must turn it off), else
/// true; or a projected `serviceAccountToken` volume in any case.
fn mounts_token(graph: &Graph<'_>, workload: NodeId, pod: PodSpec<'_>) -> bool {
    let projected = pod
        .spec
        .get("volumes")
        .into_iter()
        .flat_map(|v| v.items())
        .flat_map(|v| {
            v.path(&["projected", "sources"])
                .into_iter()
                .flat_map(|s| s.items())
        })
        .any(|s| s.get("serviceAccountToken").is_some());
    if projected {
        return true;
    }
    match pod
        .spec
        .get("automountServiceAccountToken")
        .and_then(|v| v.as_bool())
    {
        Some(value) => value,
        None => !account_disables_token(graph, workload),
    }
}

/// Whether every ServiceAccount the workload runs as is defined in the unit with
/// `automountServiceAccountToken: false`.
fn account_disables_token(graph: &Graph<'_>, workload: NodeId) -> bool {
    let mut accounts = graph
        .outgoing(workload)
        .filter(|e| e.kind == EdgeKind::RunsAs)
        .peekable();
    accounts.peek().is_some()
        && accounts.all(|e| {
            graph.nodes[e.to]
                .unit_resource()
                .is_some_and(|sa| sa.root().bool_at("automountServiceAccountToken") == Some(false))
        })
}

/// `workload-risky-permissions`: through its ServiceAccount, a workload may read secrets,
/// create workloads, exec into pods, escalate, bind, impersonate, reach nodes/proxy, or holds
/// wildcards or cluster-admin.
pub(super) fn workload_risky_permissions(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let mut cache: HashMap<NodeId, Vec<Risk>> = HashMap::new();
    for &id in graph.workloads() {
        let Some(resource) = graph.nodes[id].unit_resource() else {
            continue;
        };
        let Some(pod) = workload_pod(resource) else {
            continue;
        };
        if !mounts_token(graph, id, pod) {
            continue;
        }
        let runs_as: Vec<_> = graph
            .outgoing(id)
            .filter(|e| e.kind == EdgeKind::RunsAs)
            .collect();
        let mut risks: Vec<Risk> = Vec::new();
        for edge in &runs_as {
            let account_risks = cache
                .entry(edge.to)
                .or_insert_with(|| account_risks(graph, edge.to));
            risks.extend(account_risks.iter().cloned());
        }
        let summary = summarize(&risks);
        let Some(first) = runs_as.first().filter(|_| !summary.is_empty()) else {
            continue;
        };
        let account = &graph.nodes[first.to];
        let span = first.at.map_or_else(|| pod.anchor().span(), |n| n.span());
        let list: Vec<&str> = summary.iter().map(|(_, text)| text.as_str()).collect();
        let finding = sink.report_span(
            resource,
            span,
            format!(
                "pods run as ServiceAccount `{}`, which can {}",
                account.qualified_name(),
                list.join("; ")
            ),
        );
        for edge in &runs_as {
            if let Some(sa) = graph.nodes[edge.to].unit_resource() {
                relate(
                    finding,
                    sa.name_span(),
                    format!("ServiceAccount `{}` is defined here", sa.name),
                );
            }
        }
        let kinds: HashSet<RiskKind> = summary.iter().map(|(k, _)| *k).collect();
        for risk in risks.iter().filter(|r| kinds.contains(&r.kind)) {
            for link in &risk.chain {
                relate(finding, link.span, link.message.clone());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bindings

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

/// `cluster-admin-binding`: a binding whose roleRef is the ClusterRole `cluster-admin`.
pub(super) fn cluster_admin_binding(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some(binding) = binding_of(resource) else {
        return;
    };
    let (role_ref, subjects) = (binding.role_ref, binding.subject_nodes);
    if role_ref.str_at("kind") != Some("ClusterRole") {
        return;
    }
    let Some(name) = role_ref
        .get("name")
        .filter(|n| n.as_str() == Some("cluster-admin"))
    else {
        return;
    };
    let scope = match (resource.kind.as_str(), resource.declared_namespace()) {
        ("RoleBinding", Some(ns)) => format!("full control of namespace `{ns}`"),
        ("RoleBinding", None) => "full control of its namespace".to_string(),
        _ => "full control of the cluster".to_string(),
    };
    sink.report(
        resource,
        name,
        format!(
            "binding grants `cluster-admin` ({scope}) to {}",
            describe_subjects(resource, &subjects)
        ),
    );
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
