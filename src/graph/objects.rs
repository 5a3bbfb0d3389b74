//! What an object implies for the graph: the pods a workload runs (and the labels their
//! controller adds), the objects it makes a controller or a Job create, whether an operator
//! runs pods for it.

use crate::model::rbac::{self, role_scope, Scope};
use crate::model::{PodSpec, Resource};

/// The pod spec of a workload: an object that runs pods (a PodTemplate only describes them).
pub(crate) fn workload_pod(resource: &Resource) -> Option<PodSpec<'_>> {
    if resource.kind == "PodTemplate" {
        return None;
    }
    PodSpec::of(resource)
}

/// The labels a workload's controller adds to each pod, with values the manifest does not
/// spell out (a hash, an ordinal, a generated name): selectors may use them.
pub(super) fn controller_labels(resource: &Resource) -> &'static [&'static str] {
    match (resource.group(), resource.kind.as_str()) {
        ("apps", "StatefulSet") => &[
            "apps.kubernetes.io/pod-index",
            "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name",
        ],
        ("apps" | "extensions", "Deployment") => &["pod-template-hash"],
        ("apps" | "extensions", "DaemonSet") => {
            &["controller-revision-hash", "pod-template-generation"]
        }
        ("batch", "Job" | "CronJob") => &[
            "batch.kubernetes.io/controller-uid",
            "batch.kubernetes.io/job-completion-index",
            "batch.kubernetes.io/job-name",
            "controller-uid",
            "job-name",
        ],
        _ => &[],
    }
}

/// What an object makes a controller, a Job or a workload create under a name written in the
/// object: a cert-manager Certificate its `spec.secretName`, a Bitnami SealedSecret and an
/// External Secrets ExternalSecret their Secret, a Job (or CronJob) the Secrets and ConfigMaps
/// its arguments name with a flag such as `--secret-name=<name>` (webhook certificate
/// generators), a Role the Secrets and ConfigMaps it lets its holder create and names.
pub(super) fn creations(resource: &Resource) -> Vec<(&'static str, &str)> {
    let spec = resource.root().get("spec");
    let mut out = Vec::new();
    let secret = match (resource.group(), resource.kind.as_str()) {
        ("cert-manager.io", "Certificate") => spec.and_then(|s| s.str_at("secretName")),
        ("bitnami.com", "SealedSecret") => Some(resource.name.as_str()),
        ("external-secrets.io", "ExternalSecret") => spec
            .and_then(|s| s.path(&["target", "name"]))
            .and_then(|n| n.as_str())
            .or(Some(resource.name.as_str())),
        _ => None,
    };
    out.extend(secret.filter(|n| !n.is_empty()).map(|n| ("Secret", n)));
    // A Role that lets its holder create Secrets (or ConfigMaps) and names some in
    // `resourceNames`: its holder creates those at run time and then reads or updates them
    // (Argo CD's redis password, leader-election records).
    if role_scope(resource) == Some(Scope::Namespaced) {
        let rules = rbac::written_rules(resource);
        for (kind, plural) in [("Secret", "secrets"), ("ConfigMap", "configmaps")] {
            let creates = rules.iter().any(|r| {
                r.resource_names.is_empty()
                    && r.verb("create").is_some()
                    && r.resource_in("", plural).is_some()
            });
            if creates {
                for rule in rules.iter().filter(|r| r.resource_in("", plural).is_some()) {
                    out.extend(rule.resource_names.iter().map(|&n| (kind, n)));
                }
            }
        }
    }
    if matches!(resource.kind.as_str(), "Job" | "CronJob") {
        if let Some(pod) = PodSpec::of(resource) {
            for container in pod.containers() {
                let words: Vec<&str> = ["command", "args"]
                    .into_iter()
                    .filter_map(|key| container.node.get(key))
                    .flat_map(|list| list.items())
                    .filter_map(|item| item.as_str())
                    .collect();
                for (i, word) in words.iter().enumerate() {
                    let Some(flag) = word.strip_prefix("--") else {
                        continue;
                    };
                    let (flag, value) = match flag.split_once('=') {
                        Some((flag, value)) => (flag, Some(value)),
                        None => (flag, words.get(i + 1).copied()),
                    };
                    let flag = flag.to_ascii_lowercase();
                    let kind = if flag.contains("secret") {
                        "Secret"
                    } else if flag.contains("configmap") || flag.contains("config-map") {
                        "ConfigMap"
                    } else {
                        continue;
                    };
                    if let Some(value) = value.filter(|v| is_object_name(v)) {
                        out.push((kind, value));
                    }
                }
            }
        }
    }
    out
}

/// A valid object name (a DNS subdomain): what a flag value must be to name a Secret.
fn is_object_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && text.starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// Whether a custom resource looks like it makes an operator run pods: its `spec` has the
/// fields of a workload (replicas, an image, a pod template or pod metadata, a service
/// account, scheduling constraints), as a Prometheus, an Alertmanager or an Elasticsearch has.
pub(super) fn runs_operator_pods(resource: &Resource) -> bool {
    let group = resource.group();
    // Core and `*.k8s.io` groups are Kubernetes' own kinds, all modelled or pod-less.
    if group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io") {
        return false;
    }
    let Some(spec) = resource.root().get("spec") else {
        return false;
    };
    const WORKLOAD_FIELDS: &[&str] = &[
        "replicas",
        "image",
        "containers",
        "podTemplate",
        "podMetadata",
        "podSpec",
        "serviceAccountName",
        "nodeSelector",
        "tolerations",
        "affinity",
    ];
    WORKLOAD_FIELDS.iter().any(|f| spec.get(f).is_some())
}
