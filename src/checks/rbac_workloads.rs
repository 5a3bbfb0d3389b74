//! `workload-risky-permissions`: what a workload may do through its ServiceAccount, with the
//! chain of objects that grants it (binding, role, aggregated role, rule).
//!
//! The graph answers which rules an account holds (`graph::permissions`); the rule book
//! (`model::rbac_risks`) judges each rule; this module sums the risks up per workload.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::hints::relate;
use super::{Ctx, Sink};
use crate::diagnostic::Finding;
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

/// The dangerous permissions one subject (an account itself, its user name, a group every
/// account of a namespace is in) holds, by binding. Computed once per subject: what a group
/// holds is shared by every account in it, so it is not recomputed per account.
struct HolderRisks {
    /// Each binding's risks, in the order of the subject's bindings, grants and rules.
    bindings: Vec<Vec<Risk>>,
    /// Every risk summed up by kind ([`summarize`] reads this).
    digest: Digest,
    /// The bindings (indexes into `bindings`) with a risk of each kind, in order: the first
    /// few bindings of some kinds are found without a pass over every binding.
    by_kind: BTreeMap<RiskKind, Vec<usize>>,
}

/// Risks summed up by kind: what they apply to and where.
type Digest = BTreeMap<RiskKind, (BTreeSet<String>, BTreeSet<Reach>)>;

/// The risks of the subject node `holder` (`through`: the user or group node, `None` for the
/// account itself).
fn holder_risks(graph: &Graph<'_>, holder: NodeId, through: Option<NodeId>) -> HolderRisks {
    let mut bindings: Vec<(NodeId, Vec<Risk>)> = Vec::new();
    for grant in permissions::holder_grants(graph, holder, through) {
        let chain: Vec<Link> = grant.chain.iter().map(|s| link(graph, s)).collect();
        let mut risks = Vec::new();
        let role = &graph.nodes[grant.role];
        if role.kind == "ClusterRole" && role.name == "cluster-admin" {
            risks.push(Risk {
                kind: RiskKind::ClusterAdmin,
                targets: Vec::new(),
                reach: grant.reach.clone(),
                chain,
            });
        } else {
            for held in permissions::held_rules(graph, &grant) {
                risks.extend(rule_risks(graph, &grant, &chain, &held));
            }
        }
        graph.count_permission_work(risks.len());
        match bindings.last_mut() {
            Some((binding, list)) if *binding == grant.binding => list.extend(risks),
            _ => bindings.push((grant.binding, risks)),
        }
    }
    let bindings: Vec<Vec<Risk>> = bindings
        .into_iter()
        .map(|(_, risks)| risks)
        .filter(|risks| !risks.is_empty())
        .collect();
    let mut digest = Digest::new();
    let mut by_kind: BTreeMap<RiskKind, Vec<usize>> = BTreeMap::new();
    for (index, risks) in bindings.iter().enumerate() {
        for risk in risks {
            let entry = digest.entry(risk.kind).or_default();
            entry.0.extend(risk.targets.iter().cloned());
            entry.1.insert(risk.reach.clone());
            let list = by_kind.entry(risk.kind).or_default();
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
    }
    HolderRisks {
        bindings,
        digest,
        by_kind,
    }
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
fn summarize(risks: &Digest) -> Vec<(RiskKind, String)> {
    let total = risks
        .iter()
        .any(|(kind, (_, reaches))| kind.is_total() && reaches.contains(&Reach::Cluster));
    let any_everything = risks.keys().any(|kind| kind.is_total());
    let holds = |kind| risks.contains_key(&kind);
    let approves_csrs = holds(RiskKind::UpdateCsrApproval) && holds(RiskKind::ApproveForSigners);
    risks
        .iter()
        .filter(|(kind, _)| !total || kind.is_total())
        .filter(|(kind, _)| !(**kind == RiskKind::Wildcard && any_everything))
        .filter(|(kind, _)| match kind {
            RiskKind::UpdateCsrApproval => approves_csrs,
            RiskKind::ApproveForSigners => false,
            _ => true,
        })
        .map(|(kind, (targets, reaches))| {
            let targets: Vec<String> = targets.iter().cloned().collect();
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
            (*kind, format!("{} {reach}", kind.describe(&targets)))
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

/// The subjects the workload's ServiceAccounts are, each once, in order, with their risks
/// computed (once per subject across the unit) into `risks_of`.
fn workload_holders(
    graph: &Graph<'_>,
    accounts: &[NodeId],
    risks_of: &mut HashMap<NodeId, HolderRisks>,
) -> Vec<NodeId> {
    let mut holders = Vec::new();
    for &account in accounts {
        for (holder, through) in permissions::holders(graph, account) {
            risks_of
                .entry(holder)
                .or_insert_with(|| holder_risks(graph, holder, through));
            if !holders.contains(&holder) {
                holders.push(holder);
            }
        }
    }
    holders
}

/// By group and kinds of risk: how many bindings have a risk of the kinds, and the first one a
/// finding does not list.
type Omitted = HashMap<(NodeId, Vec<RiskKind>), (usize, Option<usize>)>;

/// Adds to `finding` the chains of `holder`'s risks of `kinds`: every binding's, or for a
/// group the first binding with each kind (one chain proves each risk) and one entry counting
/// the others. A group every account is in (`system:authenticated`) may be bound hundreds of
/// times: listing a fixed number of its bindings would still make a finding grow with the
/// repository until the cap, so what is listed depends only on the kinds of risk. `more`
/// memoizes, by group and kinds, how many bindings have a risk of the kinds and the first one
/// not listed (where the counting entry points).
fn relate_chains(
    graph: &Graph<'_>,
    finding: &mut Finding,
    (holder, risks): (NodeId, &HolderRisks),
    kinds: &HashSet<RiskKind>,
    more: &mut Omitted,
) {
    let group = graph.nodes[holder].kind == "Group";
    let mut key: Vec<RiskKind> = kinds.iter().copied().collect();
    key.sort_unstable();
    let lists = || key.iter().filter_map(|k| risks.by_kind.get(k));
    let mut shown: Vec<usize> = if group {
        lists().filter_map(|l| l.first()).copied().collect()
    } else {
        lists().flatten().copied().collect()
    };
    shown.sort_unstable();
    shown.dedup();
    graph.count_permission_work(shown.len());
    for &binding in &shown {
        // Two risks of one rule (secrets and `pods/exec`) point at the same rule: once.
        let mut said: Vec<&str> = Vec::new();
        for risk in risks.bindings[binding]
            .iter()
            .filter(|r| kinds.contains(&r.kind))
        {
            graph.count_permission_work(risk.chain.len());
            for link in &risk.chain {
                if !said.contains(&link.message.as_str()) {
                    said.push(&link.message);
                    relate(finding, link.span, link.message.clone());
                }
            }
        }
    }
    if !group {
        return;
    }
    let (total, first_omitted) = *more.entry((holder, key.clone())).or_insert_with(|| {
        let mut all: Vec<usize> = lists().flatten().copied().collect();
        graph.count_permission_work(all.len());
        all.sort_unstable();
        all.dedup();
        let first_omitted = all.iter().find(|b| shown.binary_search(b).is_err());
        (all.len(), first_omitted.copied())
    });
    let first_link = first_omitted.and_then(|binding| {
        risks.bindings[binding]
            .iter()
            .filter(|r| kinds.contains(&r.kind))
            .find_map(|r| r.chain.first())
    });
    if let Some(at) = first_link {
        let n = total - shown.len();
        let noun = if n == 1 { "binding" } else { "bindings" };
        let group = graph.nodes[holder].describe();
        relate(
            finding,
            at.span,
            format!("and {n} more {noun} through {group}"),
        );
    }
}

/// `workload-risky-permissions`: through its ServiceAccount, a workload may read secrets,
/// create workloads, exec into pods, escalate, bind, impersonate, reach nodes/proxy, mint
/// tokens, approve CSRs, write admission webhooks, create persistent volumes, modify nodes,
/// add ephemeral containers, or holds wildcards or cluster-admin.
pub(super) fn workload_risky_permissions(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    let mut risks_of: HashMap<NodeId, HolderRisks> = HashMap::new();
    let mut more = HashMap::new();
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
        let accounts: Vec<NodeId> = runs_as.iter().map(|e| e.to).collect();
        let holders = workload_holders(graph, &accounts, &mut risks_of);
        let mut digest = Digest::new();
        for holder in &holders {
            for (kind, (targets, reaches)) in &risks_of[holder].digest {
                let entry = digest.entry(*kind).or_default();
                entry.0.extend(targets.iter().cloned());
                entry.1.extend(reaches.iter().cloned());
            }
        }
        let summary = summarize(&digest);
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
        for &holder in &holders {
            relate_chains(
                graph,
                finding,
                (holder, &risks_of[&holder]),
                &kinds,
                &mut more,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{findings_and_work, Settings};

    /// `apps` workloads, each with its own ServiceAccount, in namespaces of 20, and one
    /// ClusterRoleBinding of a secrets-reading ClusterRole to `system:authenticated` per ten
    /// workloads: every account holds every one of those grants through the group.
    fn unit(apps: usize) -> String {
        let mut out = String::new();
        for i in 0..apps {
            let ns = format!("team-{}", i / 20);
            out.push_str(&format!(
                "---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: sa-{i}, namespace: {ns}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}}}}}
    spec:
      serviceAccountName: sa-{i}
      containers: [{{name: app, image: nginx:1.27}}]
"
            ));
            if i % 10 == 0 {
                out.push_str(&format!(
                    "---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: view-{i}}}
rules: [{{apiGroups: [''], resources: [secrets], verbs: [get]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: view-{i}}}
subjects: [{{kind: Group, name: 'system:authenticated', apiGroup: rbac.authorization.k8s.io}}]
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view-{i}}}
"
                ));
            }
        }
        out
    }

    /// (findings, `related` entries in all, work counted by the graph).
    fn run(apps: usize) -> (usize, usize, usize) {
        let text = unit(apps);
        let (_, findings, work) = findings_and_work(
            "workload-risky-permissions",
            &[("unit.yaml", &text)],
            &Settings::default(),
        );
        let related = findings.iter().map(|f| f.related.len()).sum();
        (findings.len(), related, work)
    }

    #[test]
    fn group_bindings_are_judged_once_and_one_proves_each_risk() {
        let (_, findings, _) = findings_and_work(
            "workload-risky-permissions",
            &[("unit.yaml", &unit(200))],
            &Settings::default(),
        );
        assert_eq!(findings.len(), 200);
        let finding = &findings[0];
        assert_eq!(
            finding.message,
            "pods run as ServiceAccount `team-0/sa-0`, which can read secrets cluster-wide"
        );
        let messages: Vec<&str> = finding.related.iter().map(|r| r.message.as_str()).collect();
        // The account, one binding's chain (binding, role, rule), and the others counted.
        assert_eq!(messages.len(), 1 + 3 + 1, "{messages:#?}");
        assert_eq!(
            messages.last().unwrap(),
            &"and 19 more bindings through Group `system:authenticated`"
        );

        let (small_findings, small_related, small_work) = run(1_000);
        let (large_findings, large_related, large_work) = run(2_000);
        assert_eq!((small_findings, large_findings), (1_000, 2_000));
        let related = large_related as f64 / small_related as f64;
        let work = large_work as f64 / small_work as f64;
        eprintln!(
            "1000 -> 2000 workloads: related {small_related} -> {large_related} ({related:.2}x), \
             work {small_work} -> {large_work} ({work:.2}x)"
        );
        // Before, every account re-judged every group binding and listed each: 4x.
        assert!(related < 2.2, "related grew {related:.2}x");
        // What a finding lists depends on the kinds of risk, not on how many bindings grant
        // it: the same with 2 group bindings as with 200 (a cap of a few would not be).
        let (tiny_findings, tiny_related, _) = run(20);
        assert_eq!(tiny_related / tiny_findings, large_related / large_findings);
        assert_eq!(tiny_related % tiny_findings, 0);
        assert!(work < 2.2, "work grew {work:.2}x");
    }
}
