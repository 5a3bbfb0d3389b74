//! Hardening beyond the Pod Security Standards.

use std::collections::HashMap;

use serde::Deserialize;

use super::required_setting::RequiredSetting;
use super::{Applicability, Ctx, Sink};
use crate::graph::permissions::{self, Step};
use crate::graph::{refs, EdgeKind, Graph, NodeId};
use crate::model::pod_risks::{SensitivePaths, DEFAULT_SENSITIVE_HOST_PATHS};
use crate::model::{Container, PodSpec, Resource};
use crate::yaml::NodeRef;

/// `[checks.sensitive-host-mount]`: the host paths the check reports, and everything under
/// them (also what `exposed-privileged-workload` counts as a sensitive mount).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SensitiveHostMount {
    pub(crate) paths: Vec<String>,
}

impl Default for SensitiveHostMount {
    fn default() -> Self {
        SensitiveHostMount {
            paths: DEFAULT_SENSITIVE_HOST_PATHS
                .iter()
                .map(|p| p.to_string())
                .collect(),
        }
    }
}

/// `sensitive-host-mount`: a hostPath volume (of a pod, or a PersistentVolume) mounts a
/// sensitive host path or something under it.
pub(super) fn sensitive_host_mount(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    // Read from the configuration only for an object with a host path (few have one).
    let mut sensitive = None;
    let mut check = |what: String, host_path: Option<NodeRef<'_>>| {
        let Some(node) = host_path.and_then(|h| h.get("path")) else {
            return;
        };
        let sensitive = sensitive
            .get_or_insert_with(|| SensitivePaths::new(&ctx.params.sensitive_host_mount.paths));
        let Some(found) = sensitive.matching(node) else {
            return;
        };
        let (path, entry) = (found.written, found.entry);
        let message = if entry == found.path {
            format!("{what} mounts sensitive host path `{path}`")
        } else {
            format!("{what} mounts host path `{path}`, under sensitive `{entry}`")
        };
        sink.report(resource, node, message);
    };
    if let Some(pod) = PodSpec::of(resource) {
        for volume in pod.items("volumes") {
            let what = match volume.str_at("name") {
                Some(name) if !name.is_empty() => format!("volume `{name}`"),
                _ => "unnamed volume".to_string(),
            };
            check(what, volume.get("hostPath"));
        }
    } else if resource.kind == "PersistentVolume" && resource.group().is_empty() {
        // Whoever claims the volume gets the host path, as with an inline hostPath volume.
        let what = if resource.name.is_empty() {
            "PersistentVolume".to_string()
        } else {
            format!("PersistentVolume `{}`", resource.name)
        };
        check(what, resource.root().path(&["spec", "hostPath"]));
    }
}

/// `writable-root-filesystem`: a container's `readOnlyRootFilesystem` is not `true`.
pub(super) fn writable_root_filesystem(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    const READ_ONLY_ROOT: RequiredSetting = RequiredSetting {
        field: "readOnlyRootFilesystem",
        required: true,
        when_opposite: "has a writable root filesystem",
        when_missing: "has a writable root filesystem: readOnlyRootFilesystem: true is not set",
        applicability: Applicability::Unsafe,
        when_written: None,
    };
    READ_ONLY_ROOT.check(resource, pod, container, true, sink);
}

/// Whether a RoleBinding or ClusterRoleBinding of the unit grants a role to the ServiceAccount
/// node `account` itself (as a `ServiceAccount` subject or by its user name, not through the
/// groups every account is in): its pods are meant to call the API with their token.
fn account_is_bound(graph: &Graph<'_>, account: NodeId) -> bool {
    permissions::holders(graph, account)
        .into_iter()
        .filter(|(_, through)| through.map_or(true, |t| graph.nodes[t].kind == "User"))
        .any(|(holder, through)| {
            permissions::holder_grants(graph, holder, through)
                .iter()
                .any(|grant| {
                    grant
                        .chain
                        .iter()
                        .any(|step| matches!(step, Step::Bound { .. }))
                })
        })
}

/// `automount-service-account-token`: the pod's API token is mounted: the pod spec sets
/// `automountServiceAccountToken: true`, or does not set it and the ServiceAccount it runs as
/// does not set it to `false` either (the pod inherits the ServiceAccount's setting). Not
/// reported, so no fix is offered, when a binding of the unit grants a role to the account the
/// pod runs as: the pod calls the API and needs its token (what it may do is
/// `workload-risky-permissions`' to judge).
pub(super) fn automount_service_account_token(
    _ctx: &Ctx<'_>,
    graph: &Graph<'_>,
    sink: &mut Sink<'_>,
) {
    // Many pods run as one account (a namespace's `default`): its bindings are looked up once.
    let mut bound_accounts: HashMap<NodeId, bool> = HashMap::new();
    for (id, resource) in graph.objects() {
        let Some(pod) = PodSpec::of(resource) else {
            continue;
        };
        let bound = graph
            .outgoing(id)
            .filter(|e| e.kind == EdgeKind::RunsAs)
            .any(|e| {
                *bound_accounts
                    .entry(e.to)
                    .or_insert_with(|| account_is_bound(graph, e.to))
            });
        if bound {
            continue;
        }
        if let Some(value) = pod
            .spec
            .get("automountServiceAccountToken")
            .filter(|v| !v.is_null())
        {
            if value.as_bool() == Some(true) {
                let fix = sink.edit().replace(value, false);
                sink.report(
                    resource,
                    value,
                    "pod mounts a service account token (automountServiceAccountToken: true)",
                )
                .with_fix(
                    Applicability::Unsafe,
                    "set `automountServiceAccountToken: false`",
                    fix,
                );
            }
            continue;
        }
        // The ServiceAccount(s) the pod runs as, as defined in the unit (nearest variants).
        let accounts: Vec<(&Resource, Option<NodeRef<'_>>)> = graph
            .outgoing(id)
            .filter(|e| e.kind == EdgeKind::RunsAs)
            .filter_map(|e| graph.nodes[e.to].unit_resource())
            .map(|sa| (sa, sa.root().get("automountServiceAccountToken")))
            .collect();
        if !accounts.is_empty()
            && accounts
                .iter()
                .all(|(_, v)| v.and_then(|v| v.as_bool()) == Some(false))
        {
            continue;
        }
        let fix = sink
            .edit()
            .set(pod.spec, "automountServiceAccountToken", false);
        let finding = sink
            .report(
                resource,
                pod.anchor(),
                "pod does not set automountServiceAccountToken: false, so a service account token may be mounted",
            )
            .with_fix(
                Applicability::Unsafe,
                "set `automountServiceAccountToken: false` on the pod",
                fix,
            );
        relate_accounts(finding, &accounts);
    }
}

/// The ServiceAccounts a pod inherits its token setting from, as related locations: at a
/// `true`, else at the account's name.
fn relate_accounts(
    finding: &mut crate::diagnostic::Finding,
    accounts: &[(&Resource, Option<NodeRef<'_>>)],
) {
    for (sa, value) in accounts {
        match value.filter(|v| v.as_bool() == Some(true)) {
            Some(value) => finding.related(
                value.span(),
                format!("ServiceAccount `{}` mounts its token in every pod", sa.name),
            ),
            None => finding.related(
                sa.name_span(),
                format!(
                    "ServiceAccount `{}` does not set automountServiceAccountToken: false",
                    sa.name
                ),
            ),
        };
    }
}

/// `default-service-account`: the pod runs as the namespace's `default` ServiceAccount.
pub(super) fn default_service_account(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    match refs::service_account(pod) {
        ("default", Some(node)) => {
            sink.report(resource, node, "pod runs as the `default` service account");
        }
        ("default", None) => {
            sink.report(
                resource,
                pod.anchor(),
                "pod runs as the `default` service account: no serviceAccountName is set",
            );
        }
        _ => {}
    }
}

/// `deprecated-service-account-field`: the pod spec sets the deprecated `serviceAccount`.
pub(super) fn deprecated_service_account_field(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    let Some((key, value)) = pod.spec.entry("serviceAccount") else {
        return;
    };
    // An empty value (as `kubectl get -o yaml` of old clusters writes it) sets nothing.
    let Some(name) = value.as_str().filter(|n| !n.is_empty()) else {
        return;
    };
    let current = pod
        .spec
        .get("serviceAccountName")
        .and_then(|n| n.as_str().map(|s| (n, s)))
        .filter(|(_, s)| !s.is_empty());
    match current {
        Some((node, current)) if current != name => {
            // `serviceAccountName` wins: the deprecated field changes nothing and goes.
            let fix = sink.edit().remove(pod.spec, "serviceAccount");
            sink.report(
                resource,
                key,
                format!(
                    "deprecated field `serviceAccount` is set to `{name}`, which `serviceAccountName` (`{current}`) overrides"
                ),
            )
            .related(node.span(), "the service account the pod runs as")
            .with_fix(Applicability::Safe, "remove `serviceAccount`", fix);
        }
        _ => {
            // Renamed when `serviceAccountName` is absent; removed when it repeats the name;
            // when it is empty or null (read as unset), it gets the name and the field goes.
            let editor = sink.edit();
            let (description, fix) = match pod.spec.get("serviceAccountName") {
                None => (
                    "rename `serviceAccount` to `serviceAccountName`",
                    editor.rename_key(pod.spec, "serviceAccount", "serviceAccountName"),
                ),
                Some(current) if current.as_str() == Some(name) => (
                    "remove `serviceAccount`, which repeats `serviceAccountName`",
                    editor.remove(pod.spec, "serviceAccount"),
                ),
                Some(_) => (
                    "move the name to `serviceAccountName`",
                    editor
                        .set(pod.spec, "serviceAccountName", name)
                        .zip(editor.remove(pod.spec, "serviceAccount"))
                        .map(|(set, remove)| [set, remove].concat()),
                ),
            };
            sink.report(resource, key, "deprecated field `serviceAccount` is set")
                .with_fix(Applicability::Safe, description, fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::assert_expected;

    #[test]
    fn sensitive_host_mount_follows_the_configured_paths() {
        let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
  volumes:
    - name: data
      hostPath:
        path: /srv/data/ # expect: sensitive-host-mount@15
    - name: etc
      hostPath:
        path: /etc
";
        assert_expected("sensitive-host-mount", text, |s| {
            s.params.sensitive_host_mount.paths = vec!["/srv/data".into()];
        });
    }
}
