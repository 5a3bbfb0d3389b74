//! NetworkPolicies: rules that allow everything, and pods that no policy isolates.
//!
//! (Policies and peers whose selectors select nothing are judged with the other selectors, in
//! `selectors.rs`.)

use std::collections::{HashMap, HashSet};

use super::hints::{describe, namespace_phrase, relate, MAX_HINTS};
use super::{Ctx, Sink};
use crate::graph::{refs, workload_pod, EdgeKind, Graph};
use crate::model::{PodSpec, Resource};
use crate::yaml::{NodeRef, Span};

/// A direction of traffic: the rules of a NetworkPolicy that allow it, and how messages name
/// it.
#[derive(Clone, Copy)]
struct Direction {
    ingress: bool,
    /// The `policyTypes` entry that enforces it.
    policy_type: &'static str,
    /// The policy's list of rules: `ingress`, `egress`.
    rules_key: &'static str,
    /// A rule's list of peers, and its preposition: `from`, `to`.
    peers_key: &'static str,
    /// "from any source", "to any destination".
    any_peer: &'static str,
    /// What the pods of a workload no policy isolates may do.
    unrestricted: &'static str,
}

const INGRESS: Direction = Direction {
    ingress: true,
    policy_type: "Ingress",
    rules_key: "ingress",
    peers_key: "from",
    any_peer: "from any source",
    unrestricted: "accept connections from any pod and any address",
};

const EGRESS: Direction = Direction {
    ingress: false,
    policy_type: "Egress",
    rules_key: "egress",
    peers_key: "to",
    any_peer: "to any destination",
    unrestricted: "may connect to any pod and any address",
};

impl Direction {
    /// Whether the NetworkPolicy `policy` enforces this direction (its policy types, as the API
    /// server defaults them).
    fn enforced_by(self, policy: &Resource) -> bool {
        let (ingress, egress) = refs::policy_types(policy);
        if self.ingress {
            ingress
        } else {
            egress
        }
    }
}

// ---------------------------------------------------------------------------------------------
// networkpolicy-allow-all

/// `networkpolicy-allow-all`: a NetworkPolicy ingress or egress rule that allows every source
/// (or destination), or one of whose peers selects everything.
///
/// "Everything" is: a rule without peers (`from`/`to` missing, null or `[]`: every address, in
/// or out of the cluster); a peer whose `namespaceSelector` is empty and whose `podSelector` is
/// missing or empty (every pod of every namespace); an `ipBlock` whose CIDR has prefix length 0
/// and no `except` (every IPv4 or IPv6 address); an empty peer `{}` (rejected by the API server,
/// but written to mean "everything"). A `podSelector: {}` alone selects the pods of the policy's
/// own namespace only and is not reported. Rules of a direction the policy does not enforce
/// (`policyTypes` given without it) have no effect and are not reported.
pub(super) fn networkpolicy_allow_all(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if !refs::is_network_policy(resource) {
        return;
    }
    let Some(spec) = resource.root().get("spec").filter(|s| s.is_mapping()) else {
        return;
    };
    // A null or empty `policyTypes` is defaulted from the rules, as if it were absent.
    let policy_types = spec
        .get("policyTypes")
        .filter(|t| !(t.is_null() || (t.is_sequence() && t.items().next().is_none())));
    for direction in [INGRESS, EGRESS] {
        // Without `policyTypes`, Ingress always applies and Egress applies when egress rules
        // exist (which is the case for every rule we look at).
        let enforced = policy_types.map_or(true, |types| {
            !types.is_sequence()
                || types
                    .items()
                    .any(|t| t.as_str() == Some(direction.policy_type))
        });
        if !enforced {
            continue;
        }
        let Some(rules) = spec.get(direction.rules_key) else {
            continue;
        };
        for rule in rules.items() {
            check_rule(resource, direction, rule, sink);
        }
    }
}

fn check_rule(resource: &Resource, direction: Direction, rule: NodeRef<'_>, sink: &mut Sink<'_>) {
    // A null list item decodes to an empty rule, which allows everything.
    if !rule.is_mapping() && !rule.is_null() {
        return;
    }
    // A rule limited to some ports is how a least-privilege policy opens what must be open
    // (DNS egress on 53, metrics scraped from any namespace): the ports are the restriction.
    // Only a rule that opens every port to everything allows all traffic.
    if rule
        .get("ports")
        .is_some_and(|p| p.is_sequence() && p.items().next().is_some())
    {
        return;
    }
    let ports = describe_ports(rule.get("ports"));
    let peers = rule.entry(direction.peers_key);
    let rule_name = direction.rules_key;
    match peers {
        Some((key, value)) if value.is_sequence() && value.items().next().is_none() => {
            sink.report(
                resource,
                key,
                format!(
                    "{rule_name} rule with an empty `{}` list allows traffic {}, {ports}",
                    direction.peers_key, direction.any_peer
                ),
            );
        }
        Some((_, value)) if value.is_sequence() => {
            for peer in value.items() {
                if let Some(what) = selects_everything(peer) {
                    sink.report(
                        resource,
                        peer,
                        format!(
                            "{rule_name} rule allows traffic {} {what}, {ports}",
                            direction.peers_key
                        ),
                    );
                }
            }
        }
        Some((_, value)) if !value.is_null() => {} // not a list: rejected by the API server
        _ => {
            let what = if rule.entries().next().is_none() {
                format!("empty {rule_name} rule")
            } else {
                format!("{rule_name} rule without `{}`", direction.peers_key)
            };
            sink.report(
                resource,
                rule,
                format!("{what} allows traffic {}, {ports}", direction.any_peer),
            );
        }
    }
}

/// What a peer selects when that is everything, for the message; `None` otherwise.
fn selects_everything(peer: NodeRef<'_>) -> Option<String> {
    if !peer.is_mapping() && !peer.is_null() {
        return None;
    }
    let field = |name: &str| peer.get(name).filter(|v| !v.is_null());
    let pods = field("podSelector");
    let namespaces = field("namespaceSelector");
    let ip_block = field("ipBlock");
    match (pods, namespaces, ip_block) {
        (None, None, None) => {
            Some("everything (an empty peer `{}`, which the API server rejects)".to_string())
        }
        (pods, Some(namespaces), None)
            if is_empty_selector(namespaces) && pods.map_or(true, is_empty_selector) =>
        {
            Some(if pods.is_some() {
                "every pod in every namespace (empty `namespaceSelector` and `podSelector`)"
                    .to_string()
            } else {
                "every pod in every namespace (empty `namespaceSelector`)".to_string()
            })
        }
        (None, None, Some(block)) => {
            let cidr = block.str_at("cidr")?;
            let (_, prefix) = cidr.trim().rsplit_once('/')?;
            let has_except = block
                .get("except")
                .is_some_and(|e| e.items().next().is_some());
            (prefix == "0" && !has_except).then(|| {
                let family = if cidr.contains(':') { "IPv6" } else { "IPv4" };
                format!("every {family} address (`ipBlock` `{}`)", cidr.trim())
            })
        }
        _ => None,
    }
}

/// A label selector that matches everything: no `matchLabels` and no `matchExpressions` (or
/// both empty). A null selector matches nothing and is treated as absent by the caller.
fn is_empty_selector(selector: NodeRef<'_>) -> bool {
    if !selector.is_mapping() {
        return false;
    }
    let labels_empty = selector.get("matchLabels").map_or(true, |l| {
        l.is_null() || (l.is_mapping() && l.entries().next().is_none())
    });
    let expressions_empty = selector.get("matchExpressions").map_or(true, |e| {
        e.is_null() || (e.is_sequence() && e.items().next().is_none())
    });
    labels_empty && expressions_empty
}

/// "on every port" or "restricted to ports 53/UDP, 53/TCP".
fn describe_ports(ports: Option<NodeRef<'_>>) -> String {
    let Some(ports) = ports.filter(|p| p.is_sequence() && p.items().next().is_some()) else {
        return "on every port".to_string();
    };
    let described: Vec<String> = ports
        .items()
        .map(|port| {
            let protocol = port.str_at("protocol").unwrap_or("TCP");
            match port.get("port").filter(|p| !p.is_null()) {
                None => format!("every {protocol} port"),
                Some(number) => {
                    let number = number.as_scalar().map_or("?", |(v, _)| v);
                    match port.get("endPort").and_then(NodeRef::as_i64) {
                        Some(end) => format!("{number}-{end}/{protocol}"),
                        None => format!("{number}/{protocol}"),
                    }
                }
            }
        })
        .collect();
    let noun = if described.len() == 1 && described.iter().all(|d| !d.starts_with("every ")) {
        "port "
    } else if described.iter().all(|d| !d.starts_with("every ")) {
        "ports "
    } else {
        ""
    };
    format!("restricted to {noun}{}", described.join(", "))
}

// ---------------------------------------------------------------------------------------------
// pod-not-isolated, pod-egress-unrestricted

/// `pod-not-isolated`: no NetworkPolicy with policy type Ingress selects the workload's pods.
pub(super) fn pod_not_isolated(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    not_isolated(graph, sink, INGRESS);
}

/// `pod-egress-unrestricted`: no NetworkPolicy with policy type Egress selects the workload's
/// pods.
pub(super) fn pod_egress_unrestricted(_ctx: &Ctx<'_>, graph: &Graph<'_>, sink: &mut Sink<'_>) {
    not_isolated(graph, sink, EGRESS);
}

/// The NetworkPolicies of the unit by namespace: every namespace that has one, and the
/// policies of each that enforce `direction` (for hints).
struct Policies<'a> {
    any: HashSet<&'a str>,
    enforcing: HashMap<&'a str, Vec<&'a Resource>>,
}

impl<'a> Policies<'a> {
    fn of(graph: &Graph<'a>, direction: Direction) -> Self {
        let mut policies = Policies {
            any: HashSet::new(),
            enforcing: HashMap::new(),
        };
        for (_, resource) in graph.objects() {
            if !refs::is_network_policy(resource) {
                continue;
            }
            let Some(ns) = resource.namespace.as_deref() else {
                continue;
            };
            policies.any.insert(ns);
            if direction.enforced_by(resource) {
                policies.enforcing.entry(ns).or_default().push(resource);
            }
        }
        policies
    }
}

/// Whether NetworkPolicies apply to the workload's pods: not to pods on the host's network
/// (`host-network`), and a workload scaled to zero runs no pod.
fn isolatable(resource: &Resource, pod: PodSpec<'_>) -> bool {
    let replicas = resource.root().path(&["spec", "replicas"]);
    pod.spec.bool_at("hostNetwork") != Some(true) && replicas.and_then(|r| r.as_i64()) != Some(0)
}

/// Where a finding about a workload's pods points: the pod template's `labels:` key (what a
/// NetworkPolicy selects), else the pod's `spec:` key.
fn pods_anchor(pod: PodSpec<'_>) -> Span {
    pod.metadata
        .and_then(|m| m.key("labels"))
        .map_or_else(|| pod.anchor().span(), |k| k.span())
}

/// `pod-not-isolated` (ingress) and `pod-egress-unrestricted` (egress).
fn not_isolated(graph: &Graph<'_>, sink: &mut Sink<'_>, direction: Direction) {
    let policies = Policies::of(graph, direction);
    for &id in graph.workloads() {
        let Some(resource) = graph.nodes[id].unit_resource() else {
            continue;
        };
        let Some(pod) = workload_pod(resource).filter(|pod| isolatable(resource, *pod)) else {
            continue;
        };
        let isolated = graph.incoming(id).any(|e| {
            e.kind == EdgeKind::Isolates
                && graph.nodes[e.from]
                    .unit_resource()
                    .is_some_and(|policy| direction.enforced_by(policy))
        });
        let Some(namespace) = resource.namespace.as_deref().filter(|_| !isolated) else {
            continue;
        };
        let why = if policies.any.contains(namespace) {
            format!(
                "no NetworkPolicy of {} with policy type {} selects them",
                namespace_phrase(resource),
                direction.policy_type
            )
        } else {
            format!("{} has no NetworkPolicy", namespace_phrase(resource))
        };
        let finding = sink.report_span(
            resource,
            pods_anchor(pod),
            format!(
                "pods of {} {}: {why}",
                describe(resource),
                direction.unrestricted
            ),
        );
        let hints = policies.enforcing.get(namespace).into_iter().flatten();
        for policy in hints.take(MAX_HINTS) {
            let at = refs::policy_pod_selector(policy)
                .and_then(|(_, node)| node)
                .map_or_else(|| policy.name_span(), |n| n.span());
            relate(
                finding,
                at,
                format!("NetworkPolicy `{}` selects other pods", policy.name),
            );
        }
    }
}
