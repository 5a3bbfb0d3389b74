//! RBAC rules and bindings, read the way the RBAC authorizer reads them.
//!
//! One way to read RBAC for every check: the per-object checks (`src/checks/rbac.rs`), the
//! graph (the rules an account holds, `graph::permissions`) and the rule book that judges
//! them (`model::rbac_risks`) all read rules here.
//!
//! Rules are matched as the authorizer matches requests: a verb matches itself or `*`; an API
//! group matches itself or `*`; a resource matches itself, `*`, or for a subresource
//! `*/<subresource>`. Matching is case-sensitive.
//!
//! The default ClusterRoles every cluster has (`cluster-admin`, `admin`, `edit`, `view` and the
//! `system:aggregate-to-*` roles they aggregate) are known with their rule sets
//! ([`builtin_cluster_role`]), so a binding to `edit` is understood; the other roles the API
//! server bootstraps are known by name only ([`is_builtin_cluster_role`]).

use std::sync::{Arc, LazyLock};

use super::resource::{resources_of, Resource};
use crate::text::LineIndex;
use crate::yaml::{parse_stream, FileId, NodeRef};

pub(crate) const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// One string item of a rule list (`verbs`, `apiGroups`, `resources`, `nonResourceURLs`), with
/// its node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item<'a> {
    pub(crate) value: &'a str,
    pub(crate) node: NodeRef<'a>,
}

/// One rule of a Role or ClusterRole.
#[derive(Clone, Debug)]
pub(crate) struct Rule<'a> {
    pub(crate) api_groups: Vec<Item<'a>>,
    pub(crate) resources: Vec<Item<'a>>,
    pub(crate) verbs: Vec<Item<'a>>,
    pub(crate) resource_names: Vec<&'a str>,
}

/// Whether a role's rules can reach cluster-scoped resources (only a ClusterRole's can, and
/// only through a ClusterRoleBinding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Namespaced,
    Cluster,
}

fn items<'a>(rule: NodeRef<'a>, key: &str) -> Vec<Item<'a>> {
    rule.get(key)
        .into_iter()
        .flat_map(|list| list.items())
        // A null item decodes to "" (the core group, in `apiGroups`).
        .filter_map(|node| {
            let value = if node.is_null() {
                Some("")
            } else {
                node.as_str()
            };
            value.map(|value| Item { value, node })
        })
        .collect()
}

/// A Role or ClusterRole of the RBAC API group: its scope and whether it aggregates.
pub(crate) fn role_scope(resource: &Resource) -> Option<Scope> {
    if resource.group() != RBAC_GROUP {
        return None;
    }
    match resource.kind.as_str() {
        "Role" => Some(Scope::Namespaced),
        "ClusterRole" => Some(Scope::Cluster),
        _ => None,
    }
}

/// The `aggregationRule` of a ClusterRole, when it has one: the controller then overwrites the
/// role's rules with those of the ClusterRoles its `clusterRoleSelectors` select.
pub(crate) fn aggregation_rule(resource: &Resource) -> Option<NodeRef<'_>> {
    if role_scope(resource) != Some(Scope::Cluster) {
        return None;
    }
    resource
        .root()
        .get("aggregationRule")
        .filter(|a| !a.is_null())
}

/// The rules written in a Role or ClusterRole, whether or not it aggregates.
pub(crate) fn written_rules(resource: &Resource) -> Vec<Rule<'_>> {
    resource
        .root()
        .get("rules")
        .into_iter()
        .flat_map(|rules| rules.items())
        .filter(|rule| rule.is_mapping())
        .map(|rule| Rule {
            api_groups: items(rule, "apiGroups"),
            resources: items(rule, "resources"),
            verbs: items(rule, "verbs"),
            resource_names: rule
                .get("resourceNames")
                .into_iter()
                .flat_map(|names| names.items())
                .filter_map(|n| n.as_str())
                .collect(),
        })
        .collect()
}

/// The rules of a Role or ClusterRole, with its scope; `None` for other objects and for an
/// aggregated ClusterRole (its written rules are overwritten by the ones it aggregates).
pub(crate) fn rules_of(resource: &Resource) -> Option<(Scope, Vec<Rule<'_>>)> {
    let scope = role_scope(resource)?;
    if aggregation_rule(resource).is_some() {
        return None;
    }
    Some((scope, written_rules(resource)))
}

impl<'a> Rule<'a> {
    pub(crate) fn covers_group(&self, group: &str) -> bool {
        self.api_groups
            .iter()
            .any(|g| g.value == group || g.value == "*")
    }

    /// The item that grants `verb`: the verb itself, else `*`.
    pub(crate) fn verb(&self, verb: &str) -> Option<Item<'a>> {
        self.verbs
            .iter()
            .find(|v| v.value == verb)
            .or_else(|| self.verbs.iter().find(|v| v.value == "*"))
            .copied()
    }

    /// The item that grants `resource` (`pods` or `pods/exec`): the resource itself, else
    /// `*/<subresource>`, else `*`.
    pub(crate) fn resource(&self, resource: &str) -> Option<Item<'a>> {
        let exact = self.resources.iter().find(|r| r.value == resource);
        let sub = resource.split_once('/').and_then(|(_, sub)| {
            self.resources
                .iter()
                .find(|r| r.value.strip_prefix("*/") == Some(sub))
        });
        exact
            .or(sub)
            .or_else(|| self.resources.iter().find(|r| r.value == "*"))
            .copied()
    }

    /// The item granting `resource` in `group`, if the rule covers that group.
    pub(crate) fn resource_in(&self, group: &str, resource: &str) -> Option<Item<'a>> {
        if self.covers_group(group) {
            self.resource(resource)
        } else {
            None
        }
    }

    /// " (limited to the {what} named `a`, `b`)", or "".
    pub(crate) fn names_note(&self, what: &str) -> String {
        if self.resource_names.is_empty() {
            String::new()
        } else {
            format!(
                " (limited to the {what} named {})",
                self.resource_names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// One subject of a binding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Subject<'a> {
    /// `ServiceAccount`, `User` or `Group` (as written).
    pub(crate) kind: &'a str,
    pub(crate) name: &'a str,
    /// The namespace of a ServiceAccount subject: as written, else the binding's effective
    /// namespace (what the API server defaults it to for a RoleBinding).
    pub(crate) namespace: Option<&'a str>,
    /// The subject's mapping.
    pub(crate) node: NodeRef<'a>,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Clone, Debug)]
pub(crate) struct Binding<'a> {
    pub(crate) role_ref: NodeRef<'a>,
    /// `roleRef.kind`: `Role` or `ClusterRole` (as written).
    pub(crate) role_kind: Option<&'a str>,
    pub(crate) role_name: Option<&'a str>,
    /// The subjects' mappings, in order, including ones without a kind or a name.
    pub(crate) subject_nodes: Vec<NodeRef<'a>>,
    /// The subjects that have a kind and a name.
    pub(crate) subjects: Vec<Subject<'a>>,
    /// A ClusterRoleBinding grants everywhere; a RoleBinding within its namespace only.
    pub(crate) cluster_wide: bool,
}

/// The `roleRef` and `subjects` of a RoleBinding or ClusterRoleBinding.
pub(crate) fn binding_of(resource: &Resource) -> Option<Binding<'_>> {
    if resource.group() != RBAC_GROUP {
        return None;
    }
    let cluster_wide = match resource.kind.as_str() {
        "RoleBinding" => false,
        "ClusterRoleBinding" => true,
        _ => return None,
    };
    let root = resource.root();
    let role_ref = root.get("roleRef").filter(|r| r.is_mapping())?;
    let subject_nodes: Vec<NodeRef<'_>> = root
        .get("subjects")
        .into_iter()
        .flat_map(|s| s.items())
        .filter(|s| s.is_mapping())
        .collect();
    let subjects = subject_nodes
        .iter()
        .filter_map(|&node| {
            let kind = node.str_at("kind")?;
            let name = node.str_at("name").filter(|n| !n.is_empty())?;
            let namespace = node.str_at("namespace").filter(|ns| !ns.is_empty()).or(
                if kind == "ServiceAccount" {
                    resource.namespace.as_deref()
                } else {
                    None
                },
            );
            Some(Subject {
                kind,
                name,
                namespace,
                node,
            })
        })
        .collect();
    Some(Binding {
        role_ref,
        role_kind: role_ref.str_at("kind"),
        role_name: role_ref.str_at("name").filter(|n| !n.is_empty()),
        subject_nodes,
        subjects,
        cluster_wide,
    })
}

/// The file id of the built-in roles' text. It is not a source of the run: nothing may report
/// a span in it (see [`is_builtin_span`]).
pub(crate) const BUILTIN_FILE: FileId = FileId(u32::MAX);

/// Whether a span points into the built-in roles rather than into a source file.
pub(crate) fn is_builtin_span(span: crate::yaml::Span) -> bool {
    span.file == BUILTIN_FILE
}

/// The default roles of every cluster that a manifest may bind to and whose rules matter, in
/// the same shape the API server stores them (aggregation labels and rules included), so the
/// same code reads them as roles of the repository. The rule sets are those of the API
/// server's bootstrap policy (Kubernetes 1.30 to 1.33).
const BUILTIN_ROLES: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
  - {nonResourceURLs: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: admin}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: edit
  labels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: view
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregate-to-admin
  labels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}
rules:
  - {apiGroups: [authorization.k8s.io], resources: [localsubjectaccessreviews], verbs: [create]}
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [rolebindings, roles]
    verbs: [create, delete, deletecollection, get, list, patch, update, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregate-to-edit
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules:
  - apiGroups: [""]
    resources: [pods/attach, pods/exec, pods/portforward, pods/proxy, secrets, services/proxy]
    verbs: [get, list, watch]
  - {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}
  - apiGroups: [""]
    resources: [pods, pods/attach, pods/exec, pods/portforward, pods/proxy]
    verbs: [create, delete, deletecollection, patch, update]
  - {apiGroups: [""], resources: [pods/eviction], verbs: [create]}
  - apiGroups: [""]
    resources: [configmaps, events, persistentvolumeclaims, replicationcontrollers,
      replicationcontrollers/scale, secrets, serviceaccounts, services, services/proxy]
    verbs: [create, delete, deletecollection, patch, update]
  - {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}
  - apiGroups: [apps]
    resources: [daemonsets, deployments, deployments/rollback, deployments/scale, replicasets,
      replicasets/scale, statefulsets, statefulsets/scale]
    verbs: [create, delete, deletecollection, patch, update]
  - apiGroups: [autoscaling]
    resources: [horizontalpodautoscalers]
    verbs: [create, delete, deletecollection, patch, update]
  - apiGroups: [batch]
    resources: [cronjobs, jobs]
    verbs: [create, delete, deletecollection, patch, update]
  - apiGroups: [extensions]
    resources: [daemonsets, deployments, deployments/rollback, deployments/scale, ingresses,
      networkpolicies, replicasets, replicasets/scale, replicationcontrollers/scale]
    verbs: [create, delete, deletecollection, patch, update]
  - apiGroups: [policy]
    resources: [poddisruptionbudgets]
    verbs: [create, delete, deletecollection, patch, update]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses, networkpolicies]
    verbs: [create, delete, deletecollection, patch, update]
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: [create, delete, deletecollection, get, list, patch, update, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregate-to-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
  - apiGroups: [""]
    resources: [configmaps, endpoints, persistentvolumeclaims, persistentvolumeclaims/status,
      pods, replicationcontrollers, replicationcontrollers/scale, serviceaccounts, services,
      services/status, bindings, events, limitranges, namespaces/status, pods/log, pods/status,
      replicationcontrollers/status, resourcequotas, resourcequotas/status, namespaces]
    verbs: [get, list, watch]
  - {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch]}
  - apiGroups: [apps]
    resources: [controllerrevisions, daemonsets, daemonsets/status, deployments,
      deployments/scale, deployments/status, replicasets, replicasets/scale, replicasets/status,
      statefulsets, statefulsets/scale, statefulsets/status]
    verbs: [get, list, watch]
  - apiGroups: [autoscaling]
    resources: [horizontalpodautoscalers, horizontalpodautoscalers/status]
    verbs: [get, list, watch]
  - apiGroups: [batch]
    resources: [cronjobs, cronjobs/status, jobs, jobs/status]
    verbs: [get, list, watch]
  - apiGroups: [extensions]
    resources: [daemonsets, daemonsets/status, deployments, deployments/scale,
      deployments/status, ingresses, ingresses/status, networkpolicies, replicasets,
      replicasets/scale, replicasets/status, replicationcontrollers/scale]
    verbs: [get, list, watch]
  - apiGroups: [policy]
    resources: [poddisruptionbudgets, poddisruptionbudgets/status]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses, ingresses/status, networkpolicies]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: extension-apiserver-authentication-reader, namespace: kube-system}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    resourceNames: [extension-apiserver-authentication]
    verbs: [get, list, watch]
"#;

/// The built-in roles, parsed once.
static BUILTIN: LazyLock<Vec<Resource>> = LazyLock::new(|| {
    let index = LineIndex::new(BUILTIN_ROLES);
    parse_stream(BUILTIN_ROLES, BUILTIN_FILE, &index)
        .documents
        .into_iter()
        .flat_map(|doc| resources_of(&Arc::new(doc.tree)))
        .collect()
});

/// Every built-in role known with its rules (ClusterRoles and kube-system Roles).
pub(crate) fn builtin_roles() -> &'static [Resource] {
    &BUILTIN
}

/// The built-in ClusterRole `name`, when its rules are known.
pub(crate) fn builtin_cluster_role(name: &str) -> Option<&'static Resource> {
    BUILTIN
        .iter()
        .find(|r| r.kind == "ClusterRole" && r.name == name)
}

/// The built-in Role `namespace/name`, when its rules are known.
pub(crate) fn builtin_role(namespace: &str, name: &str) -> Option<&'static Resource> {
    BUILTIN
        .iter()
        .find(|r| r.kind == "Role" && r.name == name && r.namespace.as_deref() == Some(namespace))
}

/// ClusterRoles the API server creates at startup (its bootstrap policy) besides those of
/// [`BUILTIN_ROLES`], and the prefix of the controllers' roles. Sorted.
const BOOTSTRAP_CLUSTER_ROLES: &[&str] = &[
    "system:auth-delegator",
    "system:basic-user",
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    "system:certificates.k8s.io:kube-apiserver-client-approver",
    "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
    "system:certificates.k8s.io:kubelet-serving-approver",
    "system:certificates.k8s.io:legacy-unknown-approver",
    "system:discovery",
    "system:heapster",
    "system:kube-aggregator",
    "system:kube-controller-manager",
    "system:kube-dns",
    "system:kube-scheduler",
    "system:kubelet-api-admin",
    "system:monitoring",
    "system:node",
    "system:node-bootstrapper",
    "system:node-problem-detector",
    "system:node-proxier",
    "system:persistent-volume-provisioner",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
    "system:volume-scheduler",
];

/// Roles the API server creates in `kube-system` (and `kube-public`) besides those of
/// [`BUILTIN_ROLES`].
const BOOTSTRAP_ROLES: &[(&str, &str)] = &[
    ("kube-public", "system:controller:bootstrap-signer"),
    (
        "kube-system",
        "system::leader-locking-kube-controller-manager",
    ),
    ("kube-system", "system::leader-locking-kube-scheduler"),
    ("kube-system", "system:controller:bootstrap-signer"),
    ("kube-system", "system:controller:cloud-provider"),
    ("kube-system", "system:controller:token-cleaner"),
];

/// Whether every cluster has the ClusterRole `name` (with known rules or not).
pub(crate) fn is_builtin_cluster_role(name: &str) -> bool {
    builtin_cluster_role(name).is_some()
        || BOOTSTRAP_CLUSTER_ROLES.binary_search(&name).is_ok()
        || name.starts_with("system:controller:")
}

/// Whether every cluster has the Role `namespace/name`.
pub(crate) fn is_builtin_role(namespace: &str, name: &str) -> bool {
    builtin_role(namespace, name).is_some() || BOOTSTRAP_ROLES.contains(&(namespace, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_roles_parse_with_their_rules() {
        let names: Vec<&str> = builtin_roles().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cluster-admin",
                "admin",
                "edit",
                "view",
                "system:aggregate-to-admin",
                "system:aggregate-to-edit",
                "system:aggregate-to-view",
                "extension-apiserver-authentication-reader",
            ]
        );
        let edit = builtin_cluster_role("system:aggregate-to-edit").unwrap();
        let rules = written_rules(edit);
        assert!(rules
            .iter()
            .any(|r| r.verb("create").is_some() && r.resource_in("", "pods/exec").is_some()));
        assert!(aggregation_rule(builtin_cluster_role("edit").unwrap()).is_some());
        assert!(builtin_role("kube-system", "extension-apiserver-authentication-reader").is_some());
        let mut sorted = BOOTSTRAP_CLUSTER_ROLES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, BOOTSTRAP_CLUSTER_ROLES);
    }

    #[test]
    fn builtin_names() {
        assert!(is_builtin_cluster_role("edit"));
        assert!(is_builtin_cluster_role("system:auth-delegator"));
        assert!(is_builtin_cluster_role("system:controller:job-controller"));
        assert!(!is_builtin_cluster_role("system:metrics-server"));
        assert!(!is_builtin_cluster_role("editor"));
        assert!(is_builtin_role(
            "kube-system",
            "extension-apiserver-authentication-reader"
        ));
        assert!(!is_builtin_role(
            "default",
            "extension-apiserver-authentication-reader"
        ));
    }
}
