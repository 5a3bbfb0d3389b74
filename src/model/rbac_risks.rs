//! The rule book of RBAC: which dangerous permissions one rule grants, on what, and how they are
//! named. Written once for the per-role checks (`rbac-*`, one rule at a time) and for
//! `workload-risky-permissions` (every rule a workload's ServiceAccount holds, through the
//! graph).
//!
//! Each predicate returns the items of the rule that grant the permission, so a finding points
//! at the exact `verbs` or `resources` entry.

use super::rbac::{Item, Rule, RBAC_GROUP};

/// Workload resources and their API groups: creating any of them runs arbitrary pods.
pub(crate) const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// Resources named by a rule's grant, with the item that grants each (the resource itself, or
/// a wildcard that covers it).
pub(crate) type Granted<'a> = Vec<(&'static str, Item<'a>)>;

/// The first `*` of a list.
fn star<'a>(items: &[Item<'a>]) -> Option<Item<'a>> {
    items.iter().find(|i| i.value == "*").copied()
}

/// The verbs among `verbs` the rule grants, in that order.
fn granted_verbs(rule: &Rule<'_>, verbs: &[&'static str]) -> Vec<&'static str> {
    verbs
        .iter()
        .copied()
        .filter(|v| rule.verb(v).is_some())
        .collect()
}

/// The resources among `resources` (in `group`) the rule grants something on.
fn granted<'a>(rule: &Rule<'a>, group: &str, resources: &[&'static str]) -> Granted<'a> {
    resources
        .iter()
        .filter_map(|&name| Some((name, rule.resource_in(group, name)?)))
        .collect()
}

/// Of granted resources, the item a finding points at: one that names its resource exactly,
/// else the first (a wildcard).
pub(crate) fn exact_or_first<'a>(granted: &Granted<'a>) -> Option<Item<'a>> {
    granted
        .iter()
        .find(|(name, item)| item.value == *name)
        .or_else(|| granted.first())
        .map(|&(_, item)| item)
}

/// Whether every granted resource is named exactly (no wildcard grants any of them).
pub(crate) fn all_exact(granted: &Granted<'_>) -> bool {
    granted.iter().all(|(name, item)| item.value == *name)
}

/// `*` verbs on `*` resources of `*` groups: everything. The `*` resource item.
pub(crate) fn everything<'a>(rule: &Rule<'a>) -> Option<Item<'a>> {
    star(&rule.verbs)?;
    let resource = star(&rule.resources)?;
    rule.covers_group("*").then_some(resource)
}

/// A list of a rule where `*` means "every".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleList {
    Verbs,
    Resources,
    ApiGroups,
}

impl RuleList {
    /// The field as written: `verbs`, `resources`, `apiGroups`.
    pub(crate) fn field(self) -> &'static str {
        match self {
            RuleList::Verbs => "verbs",
            RuleList::Resources => "resources",
            RuleList::ApiGroups => "apiGroups",
        }
    }
}

/// Every `*` of a resource rule's verbs, resources and API groups (in that order), with the
/// list it is in. A non-resource rule (`nonResourceURLs` only) has none.
pub(crate) fn wildcards<'a>(rule: &Rule<'a>) -> Vec<(RuleList, Item<'a>)> {
    if rule.resources.is_empty() {
        return Vec::new();
    }
    [
        (RuleList::Verbs, &rule.verbs),
        (RuleList::Resources, &rule.resources),
        (RuleList::ApiGroups, &rule.api_groups),
    ]
    .into_iter()
    .flat_map(|(list, items)| {
        items
            .iter()
            .filter(|i| i.value == "*")
            .map(move |&item| (list, item))
    })
    .collect()
}

/// Reading every secret: `get`, `list` or `watch` on core `secrets`, not limited by
/// `resourceNames` (reading named secrets is the narrow access to ask for). The item granting
/// `secrets`, and the read verbs granted.
pub(crate) fn reads_secrets<'a>(rule: &Rule<'a>) -> Option<(Item<'a>, Vec<&'static str>)> {
    if !rule.resource_names.is_empty() {
        return None;
    }
    let target = rule.resource_in("", "secrets")?;
    let verbs = granted_verbs(rule, &["get", "list", "watch"]);
    (!verbs.is_empty()).then_some((target, verbs))
}

/// Access into running containers: `create` or `get` (enough for a WebSocket connection) on
/// `pods/exec` or `pods/attach`. The subresources granted, and the verbs.
pub(crate) fn execs_into_pods<'a>(rule: &Rule<'a>) -> Option<(Granted<'a>, Vec<&'static str>)> {
    let subresources = granted(rule, "", &["pods/exec", "pods/attach"]);
    let verbs = granted_verbs(rule, &["create", "get"]);
    (!subresources.is_empty() && !verbs.is_empty()).then_some((subresources, verbs))
}

/// Creating workloads: `create` on pods or on a workload kind in its API group. `create` cannot
/// be limited by name (the new object's name is not known when the request is authorized), so
/// a rule with `resourceNames` creates nothing. The workload resources granted.
pub(crate) fn creates_workloads<'a>(rule: &Rule<'a>) -> Granted<'a> {
    if rule.verb("create").is_none() || !rule.resource_names.is_empty() {
        return Vec::new();
    }
    WORKLOADS
        .iter()
        .filter_map(|&(group, name)| Some((name, rule.resource_in(group, name)?)))
        .collect()
}

/// `roles` and `clusterroles` of the RBAC group: what `escalate` and `bind` apply to.
pub(crate) fn role_resources<'a>(rule: &Rule<'a>) -> Granted<'a> {
    granted(rule, RBAC_GROUP, &["roles", "clusterroles"])
}

/// `bind` on roles the rule does not name: binding any role. `bind` limited to named roles is
/// the documented way to delegate those roles only.
pub(crate) fn binds_any_role(rule: &Rule<'_>) -> bool {
    rule.verb("bind").is_some() && rule.resource_names.is_empty()
}

/// The identities `impersonate` may act as: service accounts; and, for a rule that reaches
/// cluster-scoped resources (`cluster`), users, groups, uids and user extras, which are not
/// namespaced.
pub(crate) fn impersonation_targets<'a>(rule: &Rule<'a>, cluster: bool) -> Granted<'a> {
    let mut identities = granted(rule, "", &["serviceaccounts"]);
    if cluster {
        identities.extend(granted(rule, "", &["users", "groups"]));
        identities.extend(granted(rule, "authentication.k8s.io", &["uids"]));
        if rule.covers_group("authentication.k8s.io") {
            let extras = rule
                .resources
                .iter()
                .find(|r| r.value == "*" || r.value.starts_with("userextras"));
            identities.extend(extras.map(|&item| ("userextras", item)));
        }
    }
    identities
}

/// Any access to `nodes/proxy` (the kubelet API, including exec in every pod of the node): the
/// item granting it. Nodes are cluster-scoped: only a rule that reaches the cluster grants it.
pub(crate) fn node_proxy<'a>(rule: &Rule<'a>) -> Option<Item<'a>> {
    if rule.verbs.is_empty() {
        return None;
    }
    rule.resource_in("", "nodes/proxy")
}

/// Minting tokens: `create` on `serviceaccounts/token` (a TokenRequest for a service account of
/// the namespace, which then acts as it). `resourceNames` limits it to the accounts named.
pub(crate) fn creates_tokens<'a>(rule: &Rule<'a>) -> Option<Item<'a>> {
    rule.verb("create")?;
    rule.resource_in("", "serviceaccounts/token")
}

/// The API group of certificate signing requests and signers.
const CERTIFICATES_GROUP: &str = "certificates.k8s.io";

/// Half of approving certificate signing requests: `update` (or `patch`) on
/// `certificatesigningrequests/approval`. The item granting it.
pub(crate) fn updates_csr_approval<'a>(rule: &Rule<'a>) -> Option<Item<'a>> {
    rule.verb("update").or_else(|| rule.verb("patch"))?;
    rule.resource_in(CERTIFICATES_GROUP, "certificatesigningrequests/approval")
}

/// The other half: `approve` on `signers` (all of them, or the ones `resourceNames` names, such
/// as `kubernetes.io/kube-apiserver-client`). The item granting it.
pub(crate) fn approves_for_signers<'a>(rule: &Rule<'a>) -> Option<Item<'a>> {
    rule.verb("approve")?;
    rule.resource_in(CERTIFICATES_GROUP, "signers")
}

/// Writing admission webhook configurations: `create`, `update`, `patch` or `delete` on
/// `mutatingwebhookconfigurations` or `validatingwebhookconfigurations`. The configurations
/// granted, and the verbs.
pub(crate) fn writes_webhooks<'a>(rule: &Rule<'a>) -> Option<(Granted<'a>, Vec<&'static str>)> {
    let configurations = granted(
        rule,
        "admissionregistration.k8s.io",
        &[
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations",
        ],
    );
    let verbs = granted_verbs(rule, &["create", "update", "patch", "delete"]);
    (!configurations.is_empty() && !verbs.is_empty()).then_some((configurations, verbs))
}

/// Creating PersistentVolumes (which may be `hostPath` volumes: the node's filesystem for
/// whoever claims them). Cluster-scoped: only a rule that reaches the cluster grants it.
pub(crate) fn creates_persistent_volumes<'a>(rule: &Rule<'a>) -> Option<Item<'a>> {
    if !rule.resource_names.is_empty() {
        return None;
    }
    rule.verb("create")?;
    rule.resource_in("", "persistentvolumes")
}

/// Changing Node objects: `patch` or `update` on `nodes` or `nodes/status` (labels and taints
/// that steer pods, the addresses and conditions the control plane trusts). Cluster-scoped.
/// The resources granted, and the verbs.
pub(crate) fn modifies_nodes<'a>(rule: &Rule<'a>) -> Option<(Granted<'a>, Vec<&'static str>)> {
    let nodes = granted(rule, "", &["nodes", "nodes/status"]);
    let verbs = granted_verbs(rule, &["patch", "update"]);
    (!nodes.is_empty() && !verbs.is_empty()).then_some((nodes, verbs))
}

/// Adding ephemeral containers to running pods: `update` or `patch` on
/// `pods/ephemeralcontainers` (a container of any image, in the pod's namespaces and with its
/// service account and volumes). The item granting it, and the verbs.
pub(crate) fn adds_ephemeral_containers<'a>(
    rule: &Rule<'a>,
) -> Option<(Item<'a>, Vec<&'static str>)> {
    let verbs = granted_verbs(rule, &["update", "patch"]);
    if verbs.is_empty() {
        return None;
    }
    Some((rule.resource_in("", "pods/ephemeralcontainers")?, verbs))
}

/// Every verb on every resource (`*` in both `verbs` and `resources`) of the rule's API groups:
/// each more specific grant on those groups is implied by it, so a finding of `rbac-wildcard`
/// on such a rule stands for them (see `checks::rbac`).
pub(crate) fn every_verb_on_every_resource(rule: &Rule<'_>) -> bool {
    star(&rule.verbs).is_some() && star(&rule.resources).is_some()
}

/// Cluster-admin-equivalent access: every verb (`*`, or each of the API's eight standard verbs)
/// on every resource (`*`) of every API group (`*`). The `*` resource item.
pub(crate) fn grants_everything<'a>(rule: &Rule<'a>) -> Option<Item<'a>> {
    const STANDARD_VERBS: &[&str] = &[
        "get",
        "list",
        "watch",
        "create",
        "update",
        "patch",
        "delete",
        "deletecollection",
    ];
    let resource = star(&rule.resources)?;
    let every_verb = STANDARD_VERBS.iter().all(|v| rule.verb(v).is_some());
    (every_verb && rule.covers_group("*")).then_some(resource)
}

/// A kind of dangerous permission, as `workload-risky-permissions` sums them up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RiskKind {
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
    CreateTokens,
    /// `update` on `certificatesigningrequests/approval`: with [`RiskKind::ApproveForSigners`],
    /// approving CSRs (summed up only when both are held).
    UpdateCsrApproval,
    /// `approve` on `signers`: see [`RiskKind::UpdateCsrApproval`].
    ApproveForSigners,
    WriteWebhooks,
    CreatePersistentVolumes,
    ModifyNodes,
    EphemeralContainers,
    /// Another rule with `*` in its verbs or resources.
    Wildcard,
}

impl RiskKind {
    /// Whether the kind grants everything, which makes every other risk redundant.
    pub(crate) fn is_total(self) -> bool {
        matches!(self, RiskKind::ClusterAdmin | RiskKind::Everything)
    }

    /// How a message names the risk with its targets: "read secrets", "create pods, jobs".
    pub(crate) fn describe(self, targets: &[String]) -> String {
        let list = targets.join(", ");
        match self {
            RiskKind::ClusterAdmin => "do anything (`cluster-admin`)".to_string(),
            RiskKind::Everything => "do anything (`*` on every resource)".to_string(),
            RiskKind::ReadSecrets => "read secrets".to_string(),
            RiskKind::CreateWorkloads if targets.len() >= WORKLOADS.len() => {
                "create pods and workloads of every kind".to_string()
            }
            RiskKind::CreateWorkloads => format!("create {list}"),
            RiskKind::ExecIntoPods => "exec into pods".to_string(),
            RiskKind::Escalate => format!("escalate {list}"),
            RiskKind::Bind => format!("bind any of the {list}"),
            RiskKind::Impersonate => format!(
                "impersonate {}",
                targets
                    .iter()
                    .map(|t| match t.as_str() {
                        "serviceaccounts" => "service accounts",
                        other => other,
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RiskKind::NodeProxy => "reach the kubelet API (`nodes/proxy`)".to_string(),
            RiskKind::CreateTokens => "mint tokens for service accounts".to_string(),
            RiskKind::UpdateCsrApproval | RiskKind::ApproveForSigners => {
                "approve certificate signing requests".to_string()
            }
            RiskKind::WriteWebhooks => format!("write admission webhook configurations ({list})"),
            RiskKind::CreatePersistentVolumes => "create persistent volumes".to_string(),
            RiskKind::ModifyNodes => format!("modify {list}"),
            RiskKind::EphemeralContainers => "add ephemeral containers to pods".to_string(),
            RiskKind::Wildcard => format!("use wildcards ({})", targets.join("; ")),
        }
    }
}

/// One dangerous permission a rule grants: its kind, what exactly (resources or identities;
/// for a wildcard, what it covers), and the item that grants it.
#[derive(Clone, Debug)]
pub(crate) struct RuleRisk<'a> {
    pub(crate) kind: RiskKind,
    pub(crate) targets: Vec<String>,
    pub(crate) item: Item<'a>,
}

/// The dangerous permissions one rule grants, in [`RiskKind`] order. `cluster` says whether it
/// applies cluster-wide (a ClusterRole's rule through a ClusterRoleBinding): cluster-scoped
/// resources (users, groups, nodes) are only reachable then.
pub(crate) fn rule_risks<'a>(rule: &Rule<'a>, cluster: bool) -> Vec<RuleRisk<'a>> {
    let risk = |kind, targets: Vec<String>, item| RuleRisk {
        kind,
        targets,
        item,
    };
    let names = |granted: &Granted<'_>| granted.iter().map(|(n, _)| n.to_string()).collect();
    if rule.resources.is_empty() || rule.verbs.is_empty() {
        return Vec::new();
    }
    if let Some(item) = everything(rule) {
        return vec![risk(RiskKind::Everything, Vec::new(), item)];
    }
    let mut out = Vec::new();
    if let Some((item, _)) = reads_secrets(rule) {
        out.push(risk(RiskKind::ReadSecrets, Vec::new(), item));
    }
    let workloads = creates_workloads(rule);
    if let Some(&(_, item)) = workloads.first() {
        out.push(risk(RiskKind::CreateWorkloads, names(&workloads), item));
    }
    if let Some((subresources, _)) = execs_into_pods(rule) {
        out.push(risk(
            RiskKind::ExecIntoPods,
            names(&subresources),
            subresources[0].1,
        ));
    }
    let roles = role_resources(rule);
    if let Some(&(_, item)) = roles.first() {
        if rule.verb("escalate").is_some() {
            out.push(risk(RiskKind::Escalate, names(&roles), item));
        }
        if binds_any_role(rule) {
            out.push(risk(RiskKind::Bind, names(&roles), item));
        }
    }
    if rule.verb("impersonate").is_some() {
        out.extend(impersonation_risk(rule, cluster));
    }
    if let Some(item) = creates_tokens(rule) {
        out.push(risk(RiskKind::CreateTokens, Vec::new(), item));
    }
    if let Some((item, _)) = adds_ephemeral_containers(rule) {
        out.push(risk(RiskKind::EphemeralContainers, Vec::new(), item));
    }
    if cluster {
        out.extend(cluster_risks(rule));
    }
    out.extend(wildcard_risk(rule));
    out
}

/// The dangerous permissions of a rule on cluster-scoped resources (nodes, persistent volumes,
/// webhook configurations, certificate signing requests), in [`RiskKind`] order.
fn cluster_risks<'a>(rule: &Rule<'a>) -> Vec<RuleRisk<'a>> {
    let risk = |kind, targets: Vec<String>, item| RuleRisk {
        kind,
        targets,
        item,
    };
    let names = |granted: &Granted<'_>| granted.iter().map(|(n, _)| n.to_string()).collect();
    let mut out = Vec::new();
    if let Some(item) = node_proxy(rule) {
        out.push(risk(RiskKind::NodeProxy, Vec::new(), item));
    }
    if let Some(item) = updates_csr_approval(rule) {
        out.push(risk(RiskKind::UpdateCsrApproval, Vec::new(), item));
    }
    if let Some(item) = approves_for_signers(rule) {
        out.push(risk(RiskKind::ApproveForSigners, Vec::new(), item));
    }
    if let Some((configurations, _)) = writes_webhooks(rule) {
        out.push(risk(
            RiskKind::WriteWebhooks,
            names(&configurations),
            configurations[0].1,
        ));
    }
    if let Some(item) = creates_persistent_volumes(rule) {
        out.push(risk(RiskKind::CreatePersistentVolumes, Vec::new(), item));
    }
    if let Some((nodes, _)) = modifies_nodes(rule) {
        out.push(risk(RiskKind::ModifyNodes, names(&nodes), nodes[0].1));
    }
    out
}

/// `impersonate` on service accounts, users or groups. (Uids and user extras, which
/// `rbac-escalation-verbs` also names, are not summed up here.)
fn impersonation_risk<'a>(rule: &Rule<'a>, cluster: bool) -> Option<RuleRisk<'a>> {
    let identities: Granted<'a> = impersonation_targets(rule, cluster)
        .into_iter()
        .filter(|(name, _)| matches!(*name, "serviceaccounts" | "users" | "groups"))
        .collect();
    let &(_, item) = identities.first()?;
    Some(RuleRisk {
        kind: RiskKind::Impersonate,
        targets: identities.iter().map(|(n, _)| n.to_string()).collect(),
        item,
    })
}

/// `*` in the verbs or resources of a rule that does not grant everything: what it covers.
fn wildcard_risk<'a>(rule: &Rule<'a>) -> Option<RuleRisk<'a>> {
    let stars = wildcards(rule);
    let in_list = |list| {
        stars
            .iter()
            .find(|(l, _)| *l == list)
            .map(|&(_, item)| item)
    };
    let item = in_list(RuleList::Resources).or_else(|| in_list(RuleList::Verbs))?;
    Some(RuleRisk {
        kind: RiskKind::Wildcard,
        targets: vec![describe_wildcard(rule)],
        item,
    })
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

/// How a message names a rule: "`get`, `list` on `secrets`, `configmaps`".
pub(crate) fn describe_rule(rule: &Rule<'_>) -> String {
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
    let every_verb = star(&rule.verbs).is_some();
    let every_resource = star(&rule.resources).is_some();
    match (every_verb, every_resource) {
        (true, true) => format!(
            "every verb on every resource of {}",
            quoted(&rule.api_groups)
        ),
        (false, true) => format!("every resource of {}", quoted(&rule.api_groups)),
        _ => format!("every verb on {}", quoted(&rule.resources)),
    }
}
