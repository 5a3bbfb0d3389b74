//! `workload-risky-permissions`: what a workload may do through its ServiceAccount, with the
//! chain of objects that grants it (binding, role, aggregated role, rule).
//!
//! The graph answers which rules an account holds (`graph::permissions`); the rule book
//! (`model::rbac_risks`) judges each rule; this module sums the risks up per workload.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::hints::relate;
use super::{Ctx, Sink};
use crate::graph::permissions::{self, Grant, HeldRule, Reach, Step};
use crate::graph::{workload_pod, EdgeKind, Graph, NodeId, Origin};
use crate::model::rbac::is_builtin_span;
use crate::model::rbac_risks::{self, RiskKind, RuleRisk};
use crate::model::PodSpec;
use crate::yaml::Span;
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
/// `*` on everything cluster-wide makes the rest redundant. Approving certificate signing
/// requests takes two permissions (`update` on the approval, `approve` on signers): it is
/// listed once, and only when both are held.
fn summarize(risks: &[Risk]) -> Vec<(RiskKind, String)> {
    let total = risks
        .iter()
        .any(|r| r.kind.is_total() && r.reach == Reach::Cluster);
    let any_everything = risks.iter().any(|r| r.kind.is_total());
    let holds = |kind| risks.iter().any(|r: &Risk| r.kind == kind);
    let approves_csrs = holds(RiskKind::UpdateCsrApproval) && holds(RiskKind::ApproveForSigners);
    let mut by_kind: BTreeMap<RiskKind, (BTreeSet<String>, BTreeSet<Reach>)> = BTreeMap::new();
    for risk in risks {
        if total && !risk.kind.is_total() {
            continue;
        }
        if risk.kind == RiskKind::Wildcard && any_everything {
            continue;
        }
        match risk.kind {
            RiskKind::UpdateCsrApproval if !approves_csrs => continue,
            RiskKind::ApproveForSigners => continue,
            _ => {}
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
/// create workloads, exec into pods, escalate, bind, impersonate, reach nodes/proxy, mint
/// tokens, approve CSRs, write admission webhooks, create persistent volumes, modify nodes,
/// add ephemeral containers, or holds wildcards or cluster-admin.
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
        let mut kinds: HashSet<RiskKind> = summary.iter().map(|(k, _)| *k).collect();
        if kinds.contains(&RiskKind::UpdateCsrApproval) {
            // Its other half proves it too.
            kinds.insert(RiskKind::ApproveForSigners);
        }
        for risk in risks.iter().filter(|r| kinds.contains(&r.kind)) {
            for link in &risk.chain {
                relate(finding, link.span, link.message.clone());
            }
        }
    }
}
