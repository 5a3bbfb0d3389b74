//! RBAC: Roles and ClusterRoles one at a time, rule by rule.
//!
//! Rules are read by `crate::model::rbac` and judged by the rule book `crate::model::rbac_risks`
//! (the same predicates for one role and for a workload's effective permissions, see
//! `rbac_workloads`). Rules are matched as the RBAC authorizer matches requests: a verb matches
//! itself or `*`; an API group matches itself or `*`; a resource matches itself, `*`, or for a
//! subresource `*/<subresource>`. Matching is case-sensitive. ClusterRoles with an
//! `aggregationRule` are skipped: the controller overwrites their rules with those of the roles
//! they aggregate.
//!
//! Each check is a *judge* (the findings it makes on a role's rules) run by [`run`]. A rule
//! with `*` in both its verbs and its resources grants everything the other checks look for
//! on its API groups, and a finding that points at a rule's `*` resource is granted by that
//! wildcard: `rbac-wildcard` reports the rule once, listing what it implies, and those
//! findings of the other checks are folded into it, unless they were selected by id
//! ([`Ctx::folds`]).

use super::{Ctx, Sink};
use crate::model::rbac::{rules_of, Item, Rule, Scope};
use crate::model::rbac_risks::{self, all_exact, exact_or_first, Granted};
use crate::model::Resource;
use crate::yaml::{NodeRef, Span};

const WILDCARD: &str = "rbac-wildcard";

/// One finding a judge makes: on which rule (its index), where, what.
struct Judged<'a> {
    rule: usize,
    node: NodeRef<'a>,
    message: String,
    related: Vec<(Span, String)>,
}

impl<'a> Judged<'a> {
    fn new(rule: usize, node: NodeRef<'a>, message: String) -> Self {
        Judged {
            rule,
            node,
            message,
            related: Vec::new(),
        }
    }
}

/// The findings of one per-role check on the rules of a role of `scope`.
type Judge = for<'a> fn(&Resource, Scope, &[Rule<'a>]) -> Vec<Judged<'a>>;

/// The checks a rule with every verb on every resource implies, with how `rbac-wildcard`'s
/// message names what each finds.
const IMPLIED: &[(&str, &str, Judge)] = &[
    (
        "rbac-secrets-access",
        "reading every secret",
        secrets_access,
    ),
    ("rbac-pod-exec", "exec into pods", pod_exec),
    (
        "rbac-workload-create",
        "creating workloads",
        workload_create,
    ),
    (
        "rbac-escalation-verbs",
        "escalate, bind and impersonate",
        escalation_verbs,
    ),
    ("rbac-node-proxy", "the kubelet API", node_proxy),
    (
        "rbac-token-create",
        "minting service account tokens",
        token_create,
    ),
    (
        "rbac-ephemeral-containers",
        "ephemeral containers",
        ephemeral_containers,
    ),
    (
        "rbac-csr-approval",
        "approving certificate requests",
        csr_approval,
    ),
    ("rbac-webhook-config", "admission webhooks", webhook_config),
    (
        "rbac-persistent-volume-create",
        "persistent volumes",
        persistent_volume_create,
    ),
    ("rbac-node-update", "modifying nodes", node_update),
];

/// Runs the judge of check `id` on `resource` (a Role or ClusterRole) and reports what it
/// finds, except findings on a rule `rbac-wildcard` stands for.
fn run(ctx: &Ctx<'_>, id: &str, judge: Judge, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((scope, rules)) = rules_of(resource) else {
        return;
    };
    for judged in judge(resource, scope, &rules) {
        if ctx.folds(id, WILDCARD) && stands_for(&rules[judged.rule], &judged) {
            continue;
        }
        let finding = sink.report(resource, judged.node, judged.message);
        for (span, message) in judged.related {
            finding.related(span, message);
        }
    }
}

/// Whether `rbac-wildcard`'s finding on `rule` stands for `judged`, a finding of another check
/// on it: the rule grants every verb on every resource (of its groups), or the finding points
/// at the rule's `*` resource, where `rbac-wildcard`'s does.
fn stands_for(rule: &Rule<'_>, judged: &Judged<'_>) -> bool {
    rbac_risks::every_verb_on_every_resource(rule)
        || rule
            .resources
            .iter()
            .any(|r| r.value == "*" && r.node.id() == judged.node.id())
}

/// `rbac-wildcard`: `*` in the verbs, resources or apiGroups of a rule, one finding per rule. It
/// names what the other per-role checks find on the rule when it stands for them (see
/// [`stands_for`]; each as a related location), instead of them.
pub(super) fn rbac_wildcard(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((scope, rules)) = rules_of(resource) else {
        return;
    };
    for (index, rule) in rules.iter().enumerate() {
        let stars = rbac_risks::wildcards(rule);
        let Some(&(_, first)) = stars
            .iter()
            .find(|(list, _)| *list == rbac_risks::RuleList::Resources)
            .or_else(|| stars.first())
        else {
            continue;
        };
        let fields: Vec<String> = stars
            .iter()
            .map(|(list, _)| format!("`{}`", list.field()))
            .collect();
        let mut message = format!(
            "`*` in {} grants {}{}",
            join_and(&fields),
            describe_grant(rule),
            rule.names_note("objects")
        );
        let mut implied = Vec::new();
        for &(id, noun, judge) in IMPLIED {
            if !ctx.runs(id) || !ctx.folds(id, WILDCARD) {
                continue;
            }
            let found: Vec<Judged<'_>> = judge(resource, scope, &rules)
                .into_iter()
                .filter(|j| j.rule == index && stands_for(rule, j))
                .collect();
            if !found.is_empty() {
                implied.push((id, noun, found));
            }
        }
        if !implied.is_empty() {
            let nouns: Vec<String> = implied
                .iter()
                .map(|(_, noun, _)| noun.to_string())
                .collect();
            message.push_str(&format!(", which includes {}", join_and(&nouns)));
        }
        let finding = sink.report(resource, first.node, message);
        // The finding stands for the folded ones: it is as severe as the most severe of them.
        for &(id, _, _) in &implied {
            if let Some(severity) = ctx.severity_of(id) {
                finding.severity = finding.severity.max(severity);
            }
        }
        for (id, _, found) in implied {
            for judged in found {
                finding.related(judged.node.span(), format!("{id}: {}", judged.message));
            }
        }
    }
}

/// "every verb on every resource of every API group", "`get` on every resource of `apps`",
/// "every verb on `pods`, `services` of the core group".
fn describe_grant(rule: &Rule<'_>) -> String {
    let every = |items: &[Item<'_>]| items.iter().any(|i| i.value == "*");
    let listed = |items: &[Item<'_>]| {
        let names: Vec<String> = items
            .iter()
            .map(|i| match i.value {
                "" => "the core group".to_string(),
                v => format!("`{v}`"),
            })
            .collect();
        join_and(&names)
    };
    let verbs = if every(&rule.verbs) {
        "every verb".to_string()
    } else {
        listed(&rule.verbs)
    };
    let resources = if every(&rule.resources) {
        "every resource".to_string()
    } else {
        listed(&rule.resources)
    };
    let groups = if every(&rule.api_groups) {
        "every API group".to_string()
    } else {
        listed(&rule.api_groups)
    };
    format!("{verbs} on {resources} of {groups}")
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
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

/// " of namespace `x`", " of its namespace", or "" for a ClusterRole (whose reach is its
/// bindings').
fn place(resource: &Resource, scope: Scope) -> String {
    match (scope, resource.declared_namespace()) {
        (Scope::Namespaced, Some(ns)) => format!(" of namespace `{ns}`"),
        (Scope::Namespaced, None) => " of its namespace".to_string(),
        (Scope::Cluster, _) => String::new(),
    }
}

/// " (through `*`)" when `item` grants `name` through a wildcard, else "".
fn through(item: Item<'_>, name: &str) -> String {
    if item.value == name {
        String::new()
    } else {
        format!(" (through `{}`)", item.value)
    }
}

/// The judged findings of `judge_rule` on each rule.
fn per_rule<'a>(
    rules: &[Rule<'a>],
    mut judge_rule: impl FnMut(&Rule<'a>) -> Option<(NodeRef<'a>, String)>,
) -> Vec<Judged<'a>> {
    rules
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            judge_rule(rule).map(|(node, message)| Judged::new(i, node, message))
        })
        .collect()
}

/// `rbac-secrets-access`: get, list or watch on core `secrets`.
pub(super) fn rbac_secrets_access(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-secrets-access", secrets_access, resource, sink);
}

fn secrets_access<'a>(resource: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    let place = place(resource, scope);
    per_rule(rules, |rule| {
        let (target, verbs) = rbac_risks::reads_secrets(rule)?;
        let via = through(target, "secrets");
        Some((
            target.node,
            format!(
                "rule grants {} on every secret{place}{via}",
                quoted_list(&verbs)
            ),
        ))
    })
}

/// `rbac-pod-exec`: create or get on `pods/exec` or `pods/attach`.
pub(super) fn rbac_pod_exec(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-pod-exec", pod_exec, resource, sink);
}

fn pod_exec<'a>(_: &Resource, _: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    per_rule(rules, |rule| {
        let (subresources, verbs) = rbac_risks::execs_into_pods(rule)?;
        let first = exact_or_first(&subresources)?;
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
        Some((
            first.node,
            format!(
                "rule gives access into running containers: {how} on {names}{via}{}",
                rule.names_note("pods")
            ),
        ))
    })
}

/// `rbac-workload-create`: create on pods or on a workload kind in its API group.
pub(super) fn rbac_workload_create(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-workload-create", workload_create, resource, sink);
}

fn workload_create<'a>(_: &Resource, _: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    per_rule(rules, |rule| {
        let workloads = rbac_risks::creates_workloads(rule);
        let first = exact_or_first(&workloads)?;
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
        Some((
            first.node,
            format!(
                "rule grants `create` on {names}{via}: its holder can run any image as any service account of the namespace"
            ),
        ))
    })
}

/// `rbac-escalation-verbs`: escalate or bind on roles, impersonate on identities.
pub(super) fn rbac_escalation_verbs(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(
        ctx,
        "rbac-escalation-verbs",
        escalation_verbs,
        resource,
        sink,
    );
}

fn escalation_verbs<'a>(_: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    let names = |granted: Granted<'_>| -> Vec<&'static str> {
        granted.into_iter().map(|(name, _)| name).collect()
    };
    let mut out = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let roles = names(rbac_risks::role_resources(rule));
        let identities = names(rbac_risks::impersonation_targets(
            rule,
            scope == Scope::Cluster,
        ));
        for (node, message) in escalations(rule, &roles, &identities) {
            out.push(Judged::new(index, node, message));
        }
    }
    out
}

/// Each escalation verb `rule` grants on `roles` (escalate, bind) or `identities`
/// (impersonate), or one finding for a `*` verb that grants them all.
fn escalations<'a>(
    rule: &Rule<'a>,
    roles: &[&str],
    identities: &[&str],
) -> Vec<(NodeRef<'a>, String)> {
    let note = rule.names_note("objects");
    let mut out = Vec::new();
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
            out.push((
                item.node,
                format!(
                    "rule grants `{verb}` on {}: its holder {effect}{note}",
                    targets.join(", ")
                ),
            ));
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
        out.push((
            item.node,
            format!(
                "rule grants `*`, which includes {}{note}",
                granted.join("; ")
            ),
        ));
    }
    out
}

/// `rbac-node-proxy`: any access to `nodes/proxy` (only a ClusterRole can grant it: nodes are
/// cluster-scoped).
pub(super) fn rbac_node_proxy(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-node-proxy", node_proxy, resource, sink);
}

fn node_proxy<'a>(_: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    if scope != Scope::Cluster {
        return Vec::new();
    }
    per_rule(rules, |rule| {
        let item = rbac_risks::node_proxy(rule)?;
        let verbs: Vec<&str> = rule.verbs.iter().map(|v| v.value).collect();
        Some((
            item.node,
            format!(
                "rule grants {} on `nodes/proxy`{}: the kubelet API, including exec in every pod of the node{}",
                quoted_list(&verbs),
                through(item, "nodes/proxy"),
                rule.names_note("nodes")
            ),
        ))
    })
}

/// `rbac-token-create`: create on `serviceaccounts/token`.
pub(super) fn rbac_token_create(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-token-create", token_create, resource, sink);
}

fn token_create<'a>(resource: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    let place = place(resource, scope);
    per_rule(rules, |rule| {
        let item = rbac_risks::creates_tokens(rule)?;
        let accounts = if rule.resource_names.is_empty() {
            format!("any service account{place}")
        } else {
            format!(
                "the service accounts named {}",
                quoted_list(&rule.resource_names)
            )
        };
        Some((
            item.node,
            format!(
                "rule grants `create` on `serviceaccounts/token`{}: its holder can mint a token for {accounts} and act as it",
                through(item, "serviceaccounts/token")
            ),
        ))
    })
}

/// `rbac-ephemeral-containers`: update or patch on `pods/ephemeralcontainers`.
pub(super) fn rbac_ephemeral_containers(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(
        ctx,
        "rbac-ephemeral-containers",
        ephemeral_containers,
        resource,
        sink,
    );
}

fn ephemeral_containers<'a>(_: &Resource, _: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    per_rule(rules, |rule| {
        let (item, verbs) = rbac_risks::adds_ephemeral_containers(rule)?;
        Some((
            item.node,
            format!(
                "rule grants {} on `pods/ephemeralcontainers`{}: its holder can add a container of any image to a running pod, with the pod's service account and volumes{}",
                quoted_list(&verbs),
                through(item, "pods/ephemeralcontainers"),
                rule.names_note("pods")
            ),
        ))
    })
}

/// `rbac-csr-approval`: `update` on `certificatesigningrequests/approval` and `approve` on
/// `signers`, in one rule or two rules of the role (only a ClusterRole: both are
/// cluster-scoped).
pub(super) fn rbac_csr_approval(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-csr-approval", csr_approval, resource, sink);
}

fn csr_approval<'a>(_: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    if scope != Scope::Cluster {
        return Vec::new();
    }
    let signer = rules.iter().find_map(|rule| {
        let item = rbac_risks::approves_for_signers(rule)?;
        Some((item, rule.names_note("signers")))
    });
    let Some((signer, signers_note)) = signer else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let Some(item) = rbac_risks::updates_csr_approval(rule) else {
            continue;
        };
        let mut judged = Judged::new(
            index,
            item.node,
            format!(
                "rule grants `update` on `certificatesigningrequests/approval`{} and the role `approve` on `signers`{signers_note}: its holder can approve certificate signing requests, issuing certificates for identities the signers serve",
                through(item, "certificatesigningrequests/approval")
            ),
        );
        judged
            .related
            .push((signer.node.span(), "`approve` on `signers`".to_string()));
        out.push(judged);
    }
    out
}

/// `rbac-webhook-config`: create, update, patch or delete on mutating or validating webhook
/// configurations (cluster-scoped: only a ClusterRole).
pub(super) fn rbac_webhook_config(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-webhook-config", webhook_config, resource, sink);
}

fn webhook_config<'a>(_: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    if scope != Scope::Cluster {
        return Vec::new();
    }
    per_rule(rules, |rule| {
        let (configurations, verbs) = rbac_risks::writes_webhooks(rule)?;
        let first = exact_or_first(&configurations)?;
        let names: Vec<String> = configurations
            .iter()
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        let via = if all_exact(&configurations) {
            String::new()
        } else {
            format!(" (through `{}`)", first.value)
        };
        Some((
            first.node,
            format!(
                "rule grants {} on {}{via}: its holder controls admission webhooks, which see every object sent to the API server and, mutating, change it{}",
                quoted_list(&verbs),
                join_and(&names),
                rule.names_note("configurations")
            ),
        ))
    })
}

/// `rbac-persistent-volume-create`: create on `persistentvolumes` (cluster-scoped: only a
/// ClusterRole).
pub(super) fn rbac_persistent_volume_create(
    ctx: &Ctx<'_>,
    resource: &Resource,
    sink: &mut Sink<'_>,
) {
    run(
        ctx,
        "rbac-persistent-volume-create",
        persistent_volume_create,
        resource,
        sink,
    );
}

fn persistent_volume_create<'a>(_: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    if scope != Scope::Cluster {
        return Vec::new();
    }
    per_rule(rules, |rule| {
        let item = rbac_risks::creates_persistent_volumes(rule)?;
        Some((
            item.node,
            format!(
                "rule grants `create` on `persistentvolumes`{}: its holder can create a `hostPath` volume and mount the node's filesystem through a claim",
                through(item, "persistentvolumes")
            ),
        ))
    })
}

/// `rbac-node-update`: patch or update on `nodes` or `nodes/status` (cluster-scoped: only a
/// ClusterRole).
pub(super) fn rbac_node_update(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    run(ctx, "rbac-node-update", node_update, resource, sink);
}

fn node_update<'a>(_: &Resource, scope: Scope, rules: &[Rule<'a>]) -> Vec<Judged<'a>> {
    if scope != Scope::Cluster {
        return Vec::new();
    }
    per_rule(rules, |rule| {
        let (nodes, verbs) = rbac_risks::modifies_nodes(rule)?;
        let first = exact_or_first(&nodes)?;
        let names: Vec<String> = nodes.iter().map(|(name, _)| format!("`{name}`")).collect();
        let via = if all_exact(&nodes) {
            String::new()
        } else {
            format!(" (through `{}`)", first.value)
        };
        Some((
            first.node,
            format!(
                "rule grants {} on {}{via}: its holder can change node labels, taints and status, steering pods to a node it controls{}",
                quoted_list(&verbs),
                join_and(&names),
                rule.names_note("nodes")
            ),
        ))
    })
}
