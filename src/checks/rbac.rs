//! RBAC roles and bindings, one object at a time (rules are read by `crate::model::rbac`).
//!
//! Rules are matched as the RBAC authorizer matches requests: a verb matches itself or `*`; an
//! API group matches itself or `*`; a resource matches itself, `*`, or for a subresource
//! `*/<subresource>`. Matching is case-sensitive. ClusterRoles with an `aggregationRule` are
//! skipped: the controller overwrites their rules with those of the roles they aggregate.

use super::{Ctx, Sink};
use crate::model::rbac::{binding_of, rules_of, Item, Scope, RBAC_GROUP};
use crate::model::Resource;
use crate::yaml::NodeRef;

/// `rbac-wildcard`: `*` in the verbs, resources or apiGroups of a rule.
pub(super) fn rbac_wildcard(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((_, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        // A non-resource rule (`nonResourceURLs` only) has no resources and no groups.
        if rule.resources.is_empty() {
            continue;
        }
        let note = rule.names_note("objects");
        for (list, field, what) in [
            (&rule.verbs, "verbs", "every verb"),
            (&rule.resources, "resources", "every resource"),
            (&rule.api_groups, "apiGroups", "every API group"),
        ] {
            for item in list.iter().filter(|i| i.value == "*") {
                sink.report(
                    resource,
                    item.node,
                    format!("`*` in `{field}` grants {what}{note}"),
                );
            }
        }
    }
}

/// `rbac-secrets-access`: get, list or watch on core `secrets`.
pub(super) fn rbac_secrets_access(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((scope, rules)) = rules_of(resource) else {
        return;
    };
    let place = match (scope, explicit_namespace(resource)) {
        (Scope::Namespaced, Some(ns)) => format!(" of namespace `{ns}`"),
        (Scope::Namespaced, None) => " of its namespace".to_string(),
        (Scope::Cluster, _) => String::new(),
    };
    for rule in &rules {
        // Reading secrets named in `resourceNames` is the narrow access the remediation asks
        // for: not reported.
        if !rule.resource_names.is_empty() {
            continue;
        }
        let Some(target) = rule.resource_in("", "secrets") else {
            continue;
        };
        let verbs: Vec<&str> = ["get", "list", "watch"]
            .into_iter()
            .filter(|v| rule.verb(v).is_some())
            .collect();
        if verbs.is_empty() {
            continue;
        }
        let via = if target.value == "secrets" {
            String::new()
        } else {
            format!(" (through `{}`)", target.value)
        };
        let verbs = verbs
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        sink.report(
            resource,
            target.node,
            format!("rule grants {verbs} on every secret{place}{via}"),
        );
    }
}

/// `rbac-pod-exec`: create or get on `pods/exec` or `pods/attach`.
pub(super) fn rbac_pod_exec(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((_, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        let matched: Vec<(&str, Item<'_>)> = ["pods/exec", "pods/attach"]
            .into_iter()
            .filter_map(|sub| Some((sub, rule.resource_in("", sub)?)))
            .collect();
        let Some(&(_, first)) = matched
            .iter()
            .find(|(name, item)| item.value == *name)
            .or_else(|| matched.first())
        else {
            continue;
        };
        let verbs: Vec<&str> = ["create", "get"]
            .into_iter()
            .filter(|v| rule.verb(v).is_some())
            .collect();
        if verbs.is_empty() {
            continue;
        }
        let subresources = matched
            .iter()
            .map(|(name, _)| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let via = if matched.iter().all(|(name, item)| item.value == *name) {
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
                "rule gives access into running containers: {how} on {subresources}{via}{}",
                rule.names_note("pods")
            ),
        );
    }
}

/// Workload resources and their API groups, for `rbac-workload-create`.
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

/// `rbac-workload-create`: create on pods or on a workload kind in its API group.
pub(super) fn rbac_workload_create(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((_, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        // `create` cannot be restricted by name (the new object's name is not known when the
        // request is authorized), so a rule with `resourceNames` grants no creation at all.
        if rule.verb("create").is_none() || !rule.resource_names.is_empty() {
            continue;
        }
        let matched: Vec<(&str, Item<'_>)> = WORKLOADS
            .iter()
            .filter_map(|&(group, name)| Some((name, rule.resource_in(group, name)?)))
            .collect();
        let Some(&(_, first)) = matched
            .iter()
            .find(|(name, item)| item.value == *name)
            .or_else(|| matched.first())
        else {
            continue;
        };
        let names = matched
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ");
        let via = if matched.iter().all(|(name, item)| item.value == *name) {
            String::new()
        } else {
            " (through `*`)".to_string()
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
        let note = rule.names_note("objects");
        // escalate and bind apply to roles and clusterroles.
        let roles: Vec<&str> = ["roles", "clusterroles"]
            .into_iter()
            .filter(|r| rule.resource_in(RBAC_GROUP, r).is_some())
            .collect();
        // impersonate applies to users, groups, service accounts, uids and user extras;
        // users, groups, uids and extras are not namespaced, so a Role can only grant the
        // impersonation of service accounts.
        let mut identities: Vec<&str> = Vec::new();
        if rule.resource_in("", "serviceaccounts").is_some() {
            identities.push("serviceaccounts");
        }
        if scope == Scope::Cluster {
            for name in ["users", "groups"] {
                if rule.resource_in("", name).is_some() {
                    identities.push(name);
                }
            }
            if rule.resource_in("authentication.k8s.io", "uids").is_some() {
                identities.push("uids");
            }
            if rule.covers_group("authentication.k8s.io")
                && rule
                    .resources
                    .iter()
                    .any(|r| r.value == "*" || r.value.starts_with("userextras"))
            {
                identities.push("userextras");
            }
        }
        let mut reported = Vec::new();
        for (verb, targets, effect) in [
            (
                "escalate",
                &roles,
                "can add permissions it does not hold to roles",
            ),
            (
                "bind",
                &roles,
                "can bind roles that grant permissions it does not hold",
            ),
            ("impersonate", &identities, "can act as other identities"),
        ] {
            if targets.is_empty() {
                continue;
            }
            let Some(item) = rule.verb(verb) else {
                continue;
            };
            // `bind` limited to named roles is the documented way to delegate those roles
            // only: not reported. (`escalate` on a named role still lets its holder put any
            // permission into it.)
            if item.value == "bind" && !rule.resource_names.is_empty() {
                continue;
            }
            let on = targets.join(", ");
            if item.value == "*" {
                // One finding for `*`, naming every escalation verb it grants.
                if !reported.contains(&item.node.id()) {
                    reported.push(item.node.id());
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
                continue;
            }
            sink.report(
                resource,
                item.node,
                format!("rule grants `{verb}` on {on}: its holder {effect}{note}"),
            );
        }
    }
}

/// `rbac-node-proxy`: any access to `nodes/proxy` (only a ClusterRole can grant it: nodes are
/// cluster-scoped).
pub(super) fn rbac_node_proxy(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some((Scope::Cluster, rules)) = rules_of(resource) else {
        return;
    };
    for rule in &rules {
        if rule.verbs.is_empty() {
            continue;
        }
        let Some(item) = rule.resource_in("", "nodes/proxy") else {
            continue;
        };
        let via = if item.value == "nodes/proxy" {
            String::new()
        } else {
            format!(" (through `{}`)", item.value)
        };
        let verbs = rule
            .verbs
            .iter()
            .map(|v| format!("`{}`", v.value))
            .collect::<Vec<_>>()
            .join(", ");
        sink.report(
            resource,
            item.node,
            format!(
                "rule grants {verbs} on `nodes/proxy`{via}: the kubelet API, including exec in every pod of the node{}",
                rule.names_note("nodes")
            ),
        );
    }
}

/// `metadata.namespace` when the manifest sets it. Without it the object lands in whatever
/// namespace it is applied to, so messages do not name `default`.
fn explicit_namespace(resource: &Resource) -> Option<&str> {
    resource
        .metadata()
        .and_then(|m| m.str_at("namespace"))
        .filter(|ns| !ns.is_empty())
}

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
                .or_else(|| explicit_namespace(resource));
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
    let scope = match (resource.kind.as_str(), explicit_namespace(resource)) {
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
