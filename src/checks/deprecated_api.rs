//! `deprecated-api-version`: built-in kinds in API versions the target Kubernetes release
//! (top-level `kubernetes-version`) no longer serves, or has deprecated, with the replacement
//! to use and, where the object reads the same under it, a fix.

use std::path::{Path, PathBuf};

use super::{Applicability, Ctx, KubernetesVersion as Version, Sink};
use crate::model::Resource;
use crate::run_cache::RunCache;
use crate::source::{is_kustomization, normalize, Sources};
use crate::yaml::{FileId, NodeRef};

/// One deprecated API version of some built-in kinds.
#[derive(Debug)]
struct Deprecation {
    api_version: &'static str,
    kinds: &'static [&'static str],
    /// The release that deprecated it.
    deprecated: Version,
    /// The release that stopped serving it.
    removed: Version,
    /// Replacements, oldest first: (apiVersion, first release serving it, last release
    /// serving it when it was itself removed).
    replacements: &'static [(&'static str, Version, Option<Version>)],
}

/// A [`Deprecation`], as the table writes it.
const fn gone(
    api_version: &'static str,
    deprecated: Version,
    removed: Version,
    kinds: &'static [&'static str],
    replacements: &'static [(&'static str, Version, Option<Version>)],
) -> Deprecation {
    Deprecation {
        api_version,
        kinds,
        deprecated,
        removed,
        replacements,
    }
}

/// Built-in API versions that are deprecated and removed, from the Kubernetes "Deprecated API
/// Migration Guide" (removal releases and replacements) and the `prerelease-lifecycle-gen`
/// tags of `k8s.io/api` (deprecation releases).
#[rustfmt::skip]
const DEPRECATIONS: &[Deprecation] = &[
    // gone(apiVersion, deprecated in, removed in, &[kinds],
    //     &[(replacement, served from, removed in)]),
    // v1.16
    gone("extensions/v1beta1", (1, 8), (1, 16), &["Deployment", "DaemonSet", "ReplicaSet"],
        &[("apps/v1", (1, 9), None)]),
    gone("extensions/v1beta1", (1, 9), (1, 16), &["NetworkPolicy"],
        &[("networking.k8s.io/v1", (1, 8), None)]),
    gone("extensions/v1beta1", (1, 11), (1, 16), &["PodSecurityPolicy"],
        &[("policy/v1beta1", (1, 10), Some((1, 25)))]),
    gone("apps/v1beta1", (1, 8), (1, 16), &["Deployment", "StatefulSet", "ReplicaSet",
        "ControllerRevision"],
        &[("apps/v1", (1, 9), None)]),
    gone("apps/v1beta2", (1, 9), (1, 16), &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
        "ControllerRevision"],
        &[("apps/v1", (1, 9), None)]),
    // v1.22
    gone("extensions/v1beta1", (1, 14), (1, 22), &["Ingress"],
        &[("networking.k8s.io/v1", (1, 19), None)]),
    gone("networking.k8s.io/v1beta1", (1, 19), (1, 22), &["Ingress", "IngressClass"],
        &[("networking.k8s.io/v1", (1, 19), None)]),
    gone("admissionregistration.k8s.io/v1beta1", (1, 16), (1, 22), &["MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration"],
        &[("admissionregistration.k8s.io/v1", (1, 16), None)]),
    gone("apiextensions.k8s.io/v1beta1", (1, 16), (1, 22), &["CustomResourceDefinition"],
        &[("apiextensions.k8s.io/v1", (1, 16), None)]),
    gone("apiregistration.k8s.io/v1beta1", (1, 19), (1, 22), &["APIService"],
        &[("apiregistration.k8s.io/v1", (1, 10), None)]),
    gone("authentication.k8s.io/v1beta1", (1, 19), (1, 22), &["TokenReview"],
        &[("authentication.k8s.io/v1", (1, 6), None)]),
    gone("authorization.k8s.io/v1beta1", (1, 19), (1, 22), &["LocalSubjectAccessReview",
        "SelfSubjectAccessReview", "SubjectAccessReview", "SelfSubjectRulesReview"],
        &[("authorization.k8s.io/v1", (1, 6), None)]),
    gone("certificates.k8s.io/v1beta1", (1, 19), (1, 22), &["CertificateSigningRequest"],
        &[("certificates.k8s.io/v1", (1, 19), None)]),
    gone("coordination.k8s.io/v1beta1", (1, 19), (1, 22), &["Lease"],
        &[("coordination.k8s.io/v1", (1, 14), None)]),
    gone("rbac.authorization.k8s.io/v1beta1", (1, 17), (1, 22), &["ClusterRole",
        "ClusterRoleBinding", "Role", "RoleBinding"],
        &[("rbac.authorization.k8s.io/v1", (1, 8), None)]),
    gone("scheduling.k8s.io/v1beta1", (1, 14), (1, 22), &["PriorityClass"],
        &[("scheduling.k8s.io/v1", (1, 14), None)]),
    gone("storage.k8s.io/v1beta1", (1, 19), (1, 22), &["CSIDriver", "CSINode", "StorageClass",
        "VolumeAttachment"],
        &[("storage.k8s.io/v1", (1, 19), None)]),
    // v1.25
    gone("batch/v1beta1", (1, 21), (1, 25), &["CronJob"],
        &[("batch/v1", (1, 21), None)]),
    gone("discovery.k8s.io/v1beta1", (1, 21), (1, 25), &["EndpointSlice"],
        &[("discovery.k8s.io/v1", (1, 21), None)]),
    gone("events.k8s.io/v1beta1", (1, 19), (1, 25), &["Event"],
        &[("events.k8s.io/v1", (1, 19), None)]),
    gone("autoscaling/v2beta1", (1, 22), (1, 25), &["HorizontalPodAutoscaler"],
        &[("autoscaling/v2", (1, 23), None)]),
    gone("policy/v1beta1", (1, 21), (1, 25), &["PodDisruptionBudget"],
        &[("policy/v1", (1, 21), None)]),
    gone("policy/v1beta1", (1, 21), (1, 25), &["PodSecurityPolicy"],
        &[]),
    gone("node.k8s.io/v1beta1", (1, 22), (1, 25), &["RuntimeClass"],
        &[("node.k8s.io/v1", (1, 20), None)]),
    // v1.26
    gone("flowcontrol.apiserver.k8s.io/v1beta1", (1, 23), (1, 26), &["FlowSchema",
        "PriorityLevelConfiguration"],
        &[("flowcontrol.apiserver.k8s.io/v1beta2", (1, 23), Some((1, 29))),
          ("flowcontrol.apiserver.k8s.io/v1beta3", (1, 26), Some((1, 32))),
          ("flowcontrol.apiserver.k8s.io/v1", (1, 29), None)]),
    gone("autoscaling/v2beta2", (1, 23), (1, 26), &["HorizontalPodAutoscaler"],
        &[("autoscaling/v2", (1, 23), None)]),
    // v1.27
    gone("storage.k8s.io/v1beta1", (1, 24), (1, 27), &["CSIStorageCapacity"],
        &[("storage.k8s.io/v1", (1, 24), None)]),
    // v1.29
    gone("flowcontrol.apiserver.k8s.io/v1beta2", (1, 26), (1, 29), &["FlowSchema",
        "PriorityLevelConfiguration"],
        &[("flowcontrol.apiserver.k8s.io/v1beta3", (1, 26), Some((1, 32))),
          ("flowcontrol.apiserver.k8s.io/v1", (1, 29), None)]),
    // v1.32
    gone("flowcontrol.apiserver.k8s.io/v1beta3", (1, 29), (1, 32), &["FlowSchema",
        "PriorityLevelConfiguration"],
        &[("flowcontrol.apiserver.k8s.io/v1", (1, 29), None)]),
];

/// The replacement to name at `target`: the newest one served there, else (for a target older
/// than every replacement) the oldest.
fn replacement(deprecation: &Deprecation, target: Version) -> Option<&'static str> {
    let served = |(_, since, removed): &&(&'static str, Version, Option<Version>)| {
        *since <= target && !matches!(removed, Some(r) if target >= *r)
    };
    deprecation
        .replacements
        .iter()
        .rev()
        .find(served)
        .or_else(|| {
            deprecation
                .replacements
                .iter()
                .find(|(_, since, _)| target < *since)
        })
        .map(|(api_version, _, _)| *api_version)
}

/// `deprecated-api-version`: a built-in kind in an API version that the target Kubernetes
/// version no longer serves, or has deprecated.
pub(super) fn deprecated_api_version(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let target = ctx.kubernetes_version;
    let Some(deprecation) = DEPRECATIONS.iter().find(|d| {
        d.api_version == resource.api_version && d.kinds.contains(&resource.kind.as_str())
    }) else {
        return;
    };
    if target < deprecation.deprecated {
        return;
    }
    let Some(value) = resource.root().get("apiVersion") else {
        return;
    };
    let (removed_major, removed_minor) = deprecation.removed;
    let status = if target >= deprecation.removed {
        format!("was removed in Kubernetes {removed_major}.{removed_minor}")
    } else {
        let (major, minor) = deprecation.deprecated;
        format!(
            "is deprecated since Kubernetes {major}.{minor} and removed in \
             {removed_major}.{removed_minor}"
        )
    };
    let replacement_api = replacement(deprecation, target);
    let replacement = match replacement_api {
        Some(api_version) => format!("use `{api_version}`"),
        None => match resource.kind.as_str() {
            "PodSecurityPolicy" => "no replacement: Pod Security Admission supersedes it".into(),
            _ => "no replacement".into(),
        },
    };
    // The new apiVersion is written only where it accepts the object unchanged, where the
    // target Kubernetes version serves it, and outside Kustomize trees.
    let editor = sink.edit();
    let fix = replacement_api
        .filter(|to| served_at(deprecation, to, target))
        .filter(|to| accepts_unchanged(deprecation.api_version, to, resource))
        .filter(|_| {
            editor
                .sources()
                .is_some_and(|s| !kustomize_may_build(s, value.span().file))
        })
        .map(|to| (to, editor.replace(value, to)));
    let finding = sink.report(
        resource,
        value,
        format!(
            "{} `{}` {status} ({replacement})",
            resource.kind, resource.api_version
        ),
    );
    if let Some((to, fix)) = fix {
        finding.with_fix(
            Applicability::Safe,
            format!("change `apiVersion` to `{to}`"),
            fix,
        );
    }
}

/// Whether a kustomization of the run may build `file`: one in its directory or above, or one
/// that names it. Kustomize finds the object a patch applies to by its apiVersion, so a base
/// whose apiVersion changed alone would no longer take the patches of its overlays, and the
/// build would fail.
fn kustomize_may_build(sources: &Sources, file: FileId) -> bool {
    static SCOPES: RunCache<KustomizeScope> = RunCache::new();
    let scope = SCOPES.get(sources.id(), || KustomizeScope::of(sources));
    let path = normalize(&sources.get(file).path);
    let dir = path.parent().unwrap_or(Path::new(""));
    scope.dirs.iter().any(|kust_dir| dir.starts_with(kust_dir))
        || scope.named.iter().any(|named| path.starts_with(named))
}

/// Where the run's kustomizations may take files from, read once per run (per finding, it made
/// a lint cost findings × kustomizations parses).
struct KustomizeScope {
    /// The directories holding a kustomization: it may build any file under them.
    dirs: Vec<PathBuf>,
    /// The paths kustomizations name, files or directories
    /// (`resources: [../../shared/role.yaml]`).
    named: Vec<PathBuf>,
}

impl KustomizeScope {
    fn of(sources: &Sources) -> Self {
        let mut scope = KustomizeScope {
            dirs: Vec::new(),
            named: Vec::new(),
        };
        for (id, source) in sources.iter() {
            if !is_kustomization(&source.path) {
                continue;
            }
            let kust_dir = normalize(source.path.parent().unwrap_or(Path::new("")));
            let stream = crate::yaml::parse_stream(&source.text, id, &source.line_index);
            for doc in &stream.documents {
                let root = doc.tree.root();
                let listed = ["resources", "bases", "components", "patchesStrategicMerge"]
                    .iter()
                    .flat_map(|key| root.get(key).into_iter().flat_map(|l| l.items()))
                    .filter_map(NodeRef::as_str)
                    .chain(
                        root.get("patches")
                            .into_iter()
                            .flat_map(|l| l.items())
                            .filter_map(|p| p.str_at("path")),
                    );
                scope
                    .named
                    .extend(listed.map(|entry| normalize(&kust_dir.join(entry))));
            }
            scope.dirs.push(kust_dir);
        }
        scope
    }
}

/// Whether `to`, a replacement of `deprecation`, is served by Kubernetes `target`.
fn served_at(deprecation: &Deprecation, to: &str, target: Version) -> bool {
    deprecation
        .replacements
        .iter()
        .any(|(api_version, since, removed)| {
            *api_version == to && *since <= target && !matches!(removed, Some(r) if target >= *r)
        })
}

/// Whether the API server reads `resource`, written for `from`, the same way under `to`: the
/// same fields and the same defaults, per the Deprecated API Migration Guide ("no notable
/// changes") and, for `apps/v1beta2`, its defaulting code. The migrations that rename fields
/// or change defaults are left to the user: Ingress, CustomResourceDefinition, the webhook
/// configurations, CertificateSigningRequest, the access reviews (`spec.group` became
/// `spec.groups`), EndpointSlice, Event, HorizontalPodAutoscaler (the guide lists changes for
/// both betas), the `extensions/v1beta1` and `apps/v1beta1` workloads (selector defaulting,
/// update strategies, history limits) and PriorityLevelConfiguration past `v1beta2`.
fn accepts_unchanged(from: &str, to: &str, resource: &Resource) -> bool {
    let kind = resource.kind.as_str();
    match (from, kind, to) {
        ("extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1")
        | ("extensions/v1beta1", "PodSecurityPolicy", "policy/v1beta1")
        | ("networking.k8s.io/v1beta1", "IngressClass", "networking.k8s.io/v1")
        | ("apiregistration.k8s.io/v1beta1", "APIService", "apiregistration.k8s.io/v1")
        | ("authentication.k8s.io/v1beta1", "TokenReview", "authentication.k8s.io/v1")
        | ("coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1")
        | ("rbac.authorization.k8s.io/v1beta1", _, "rbac.authorization.k8s.io/v1")
        | ("scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1")
        | ("storage.k8s.io/v1beta1", _, "storage.k8s.io/v1")
        | ("batch/v1beta1", "CronJob", "batch/v1")
        | ("node.k8s.io/v1beta1", "RuntimeClass", "node.k8s.io/v1")
        | ("apps/v1beta1", "ControllerRevision", "apps/v1")
        | (
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "PriorityLevelConfiguration",
            "flowcontrol.apiserver.k8s.io/v1beta2",
        ) => true,
        // apps/v1beta2 already requires the selector and has apps/v1's defaults.
        ("apps/v1beta2", _, "apps/v1") => true,
        // FlowSchema is the same in every version; only PriorityLevelConfiguration changed.
        (_, "FlowSchema", _) => from.starts_with("flowcontrol.apiserver.k8s.io/"),
        // An empty selector (`{}`) selects no pod in policy/v1beta1 and every pod in policy/v1;
        // a missing one selects none in both.
        ("policy/v1beta1", "PodDisruptionBudget", "policy/v1") => {
            match resource.root().path(&["spec", "selector"]) {
                None => true,
                Some(selector) if selector.is_null() => true,
                Some(selector) => {
                    selector
                        .get("matchLabels")
                        .is_some_and(|m| m.entries().next().is_some())
                        || selector
                            .get("matchExpressions")
                            .is_some_and(|m| m.items().next().is_some())
                }
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::lint_with;

    fn deprecated(target: Option<Version>, text: &str) -> Vec<String> {
        lint_with("deprecated-api-version", text, |s| {
            if let Some(target) = target {
                s.kubernetes_version = target;
            }
        })
        .into_iter()
        .map(|(_, _, message)| message)
        .collect()
    }

    #[test]
    fn a_file_a_kustomization_may_build_is_under_it_or_named_by_it() {
        use crate::source::{Origin, SourceFile};
        let mut sources = Sources::default();
        let mut add = |path: &str, text: &str| {
            sources.push(SourceFile::new(path.into(), text.into(), Origin::File))
        };
        let kustomization = add(
            "repo/app/kustomization.yaml",
            "resources: [deploy.yaml, ../shared/role.yaml]\npatches:\n- path: ../patches/p.yaml\n",
        );
        let under = add("repo/app/sub/deploy.yaml", "kind: Pod\n");
        let named = add("repo/shared/role.yaml", "kind: Role\n");
        let patch = add("repo/patches/p.yaml", "kind: Pod\n");
        let unrelated = add("repo/shared/other.yaml", "kind: Role\n");
        let above = add("repo/top.yaml", "kind: Pod\n");
        for (file, expected) in [
            (kustomization, true),
            (under, true),
            (named, true),
            (patch, true),
            (unrelated, false),
            (above, false),
        ] {
            let path = &sources.get(file).path;
            assert_eq!(kustomize_may_build(&sources, file), expected, "{path:?}");
        }
    }

    #[test]
    fn removed_apis_name_the_release_and_the_replacement() {
        let messages = deprecated(
            None,
            "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\n",
        );
        assert_eq!(
            messages,
            ["Deployment `extensions/v1beta1` was removed in Kubernetes 1.16 (use `apps/v1`)"]
        );
        let messages = deprecated(
            None,
            "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n",
        );
        assert_eq!(
            messages,
            ["PodSecurityPolicy `policy/v1beta1` was removed in Kubernetes 1.25 (no replacement: Pod Security Admission supersedes it)"]
        );
    }

    #[test]
    fn the_target_version_decides_between_deprecated_removed_and_quiet() {
        let cron = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n";
        assert_eq!(deprecated(Some((1, 20)), cron), Vec::<String>::new());
        assert_eq!(
            deprecated(Some((1, 21)), cron),
            ["CronJob `batch/v1beta1` is deprecated since Kubernetes 1.21 and removed in 1.25 (use `batch/v1`)"]
        );
        assert_eq!(
            deprecated(Some((1, 25)), cron),
            ["CronJob `batch/v1beta1` was removed in Kubernetes 1.25 (use `batch/v1`)"]
        );
        // The default target (1.33) is past every removal in the table.
        assert_eq!(
            deprecated(None, cron),
            ["CronJob `batch/v1beta1` was removed in Kubernetes 1.25 (use `batch/v1`)"]
        );
    }

    #[test]
    fn the_replacement_is_the_newest_served_at_the_target() {
        let flow = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\nmetadata: {name: f}\n";
        let at = |target| deprecated(Some(target), flow).join("");
        assert!(at((1, 24)).ends_with("(use `flowcontrol.apiserver.k8s.io/v1beta2`)"));
        assert!(at((1, 27)).ends_with("(use `flowcontrol.apiserver.k8s.io/v1beta3`)"));
        assert!(at((1, 30)).ends_with("(use `flowcontrol.apiserver.k8s.io/v1`)"));
        let psp = "apiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n";
        assert!(deprecated(Some((1, 16)), psp)
            .join("")
            .ends_with("(use `policy/v1beta1`)"));
        assert!(deprecated(Some((1, 25)), psp)
            .join("")
            .contains("no replacement"));
    }

    #[test]
    fn current_and_custom_apis_are_quiet() {
        for text in [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: d}\n",
            // Same group and version, a kind that was never in it.
            "apiVersion: policy/v1beta1\nkind: Eviction\nmetadata: {name: d}\n",
            // A custom resource whose group merely looks similar.
            "apiVersion: networking.istio.io/v1beta1\nkind: Ingress\nmetadata: {name: d}\n",
        ] {
            assert_eq!(deprecated(None, text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn every_table_entry_is_consistent() {
        for d in DEPRECATIONS {
            assert!(d.deprecated < d.removed, "{}", d.api_version);
            assert!(!d.kinds.is_empty());
            for (api_version, since, removed) in d.replacements {
                assert_ne!(*api_version, d.api_version);
                assert!(!matches!(removed, Some(r) if since >= r), "{api_version}");
            }
        }
        // No (apiVersion, kind) pair is listed twice.
        let mut pairs: Vec<(&str, &str)> = DEPRECATIONS
            .iter()
            .flat_map(|d| d.kinds.iter().map(move |k| (d.api_version, *k)))
            .collect();
        let before = pairs.len();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(before, pairs.len());
    }
}
