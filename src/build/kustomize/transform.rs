//! Kustomize's built-in transformers: namespace, name prefix/suffix, labels, annotations,
//! images and replicas, with the field specs Kustomize uses to find the fields they touch.
//!
//! Every value a transformer sets carries the span of the kustomization line that asked for
//! it, so a finding on (say) an image tag points at `newTag:` in the overlay.

use std::collections::HashMap;

use super::regex::Regex;
use super::res::{is_cluster_scoped, Gvk, KRes, ResId};
use crate::build::knode::{KKind, KNode};
use crate::yaml::Span;

/// Where a transformer writes: a `/`-separated path (`name[]` for a list that must exist),
/// for resources of `gvk`, creating missing fields when `create` is set.
#[derive(Clone, Debug)]
pub(crate) struct FieldSpec {
    pub(crate) gvk: Gvk,
    pub(crate) path: String,
    /// `path` split into its [`segments`] once, not for every resource it is applied to.
    pub(crate) segments: Vec<String>,
    pub(crate) create: bool,
}

impl FieldSpec {
    pub(crate) fn new(gvk: Gvk, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk,
            path: path.to_string(),
            segments: segments(path),
            create,
        }
    }
}

const fn fs(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    path: &'static str,
    create: bool,
) -> (&'static str, &'static str, &'static str, &'static str, bool) {
    (group, version, kind, path, create)
}

type RawSpec = (&'static str, &'static str, &'static str, &'static str, bool);

fn specs(raw: &[RawSpec]) -> Vec<FieldSpec> {
    raw.iter()
        .map(|&(g, v, k, path, create)| FieldSpec::new(Gvk::new(g, v, k), path, create))
        .collect()
}

const AFFINITY: [&str; 5] = [
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
];

/// `metadata/labels` and the pod template labels of workloads.
const META_LABELS: &[RawSpec] = &[
    fs("", "", "", "metadata/labels", true),
    fs(
        "",
        "v1",
        "ReplicationController",
        "spec/template/metadata/labels",
        true,
    ),
    fs("", "", "Deployment", "spec/template/metadata/labels", true),
    fs("", "", "ReplicaSet", "spec/template/metadata/labels", true),
    fs("", "", "DaemonSet", "spec/template/metadata/labels", true),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/template/metadata/labels",
        true,
    ),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ),
    fs("batch", "", "Job", "spec/template/metadata/labels", true),
    fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/metadata/labels",
        true,
    ),
    fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/labels",
        true,
    ),
];

/// The field specs of `commonLabels` (and of `labels` with `includeSelectors`).
pub(crate) fn common_label_specs() -> Vec<FieldSpec> {
    let mut raw: Vec<RawSpec> = vec![
        fs("", "v1", "Service", "spec/selector", true),
        fs("", "v1", "ReplicationController", "spec/selector", true),
        fs("", "", "Deployment", "spec/selector/matchLabels", true),
        fs("", "", "ReplicaSet", "spec/selector/matchLabels", true),
        fs("", "", "DaemonSet", "spec/selector/matchLabels", true),
        fs("apps", "", "StatefulSet", "spec/selector/matchLabels", true),
        fs("batch", "", "Job", "spec/selector/matchLabels", false),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        fs(
            "policy",
            "",
            "PodDisruptionBudget",
            "spec/selector/matchLabels",
            false,
        ),
        fs(
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/podSelector/matchLabels",
            false,
        ),
        fs(
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        fs(
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ];
    for kind in ["Deployment", "StatefulSet"] {
        for path in AFFINITY {
            raw.push(fs("apps", "", kind, path, false));
        }
    }
    raw.extend_from_slice(META_LABELS);
    specs(&raw)
}

pub(crate) fn metadata_label_specs() -> Vec<FieldSpec> {
    specs(&META_LABELS[..1])
}

pub(crate) fn template_label_specs() -> Vec<FieldSpec> {
    specs(&META_LABELS[1..])
}

pub(crate) fn annotation_specs() -> Vec<FieldSpec> {
    specs(&[
        fs("", "", "", "metadata/annotations", true),
        fs(
            "",
            "v1",
            "ReplicationController",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "Deployment",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "ReplicaSet",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "DaemonSet",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "StatefulSet",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "batch",
            "",
            "Job",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/metadata/annotations",
            true,
        ),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/annotations",
            true,
        ),
    ])
}

/// Splits a field-spec path on `/`, keeping `\/` inside a segment.
pub(crate) fn segments(path: &str) -> Vec<String> {
    if !path.contains('\\') {
        return path.split('/').map(str::to_string).collect();
    }
    let mut out = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                chars.next();
                if let Some(last) = out.last_mut() {
                    last.push('/');
                }
            }
            '/' => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// Calls `set` on every node at `path` in `node` (sequences on the way are entered element by
/// element). With `create`, missing mappings on the way (and the target, as a mapping) are
/// made, carrying `span`.
pub(crate) fn visit(
    node: &mut KNode,
    path: &[String],
    create: bool,
    span: Span,
    set: &mut dyn FnMut(&mut KNode),
) {
    let Some((first, rest)) = path.split_first() else {
        set(node);
        return;
    };
    match &mut node.kind {
        KKind::Seq(items) => {
            for item in items {
                visit(item, path, create, span, set);
            }
        }
        KKind::Map(_) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_str(), false),
            };
            if create && !is_seq {
                let missing = node.get(name).map_or(true, KNode::is_null);
                if missing {
                    let mut value = KNode::map(span);
                    if let Some(old) = node.get(name) {
                        value.span = old.span;
                    }
                    node.set(name, span, value);
                }
            }
            if let Some(child) = node.get_mut(name) {
                if child.is_null() {
                    return;
                }
                visit(child, rest, create, span, set);
            }
        }
        KKind::Scalar(..) => {}
    }
}

/// Applies `specs` that select `res` (by its current gvk).
pub(crate) fn apply_specs(
    res: &mut KRes,
    specs: &[FieldSpec],
    span: Span,
    set: &mut dyn FnMut(&mut KNode),
) {
    let gvk = res.gvk();
    for spec in specs {
        if !gvk.selected_by(&spec.gvk) {
            continue;
        }
        visit(&mut res.node, &spec.segments, spec.create, span, set);
    }
}

/// Sets `key: value` in a mapping (a label, an annotation).
pub(crate) fn set_entry(map: &mut KNode, key: &KNode, value: &KNode) {
    if !map.is_map() {
        return;
    }
    map.set_with_key(key.clone(), value.clone());
}

/// The field specs `namespace:` sets besides `metadata/namespace` and RoleBinding subjects:
/// Kustomize's defaults (a `Namespace` object is renamed; APIService and CRD webhook services
/// follow).
pub(crate) fn namespace_specs() -> Vec<FieldSpec> {
    specs(&[
        fs("", "v1", "Namespace", "metadata/name", true),
        fs(
            "apiregistration.k8s.io",
            "",
            "APIService",
            "spec/service/namespace",
            true,
        ),
        fs(
            "apiextensions.k8s.io",
            "",
            "CustomResourceDefinition",
            "spec/conversion/webhook/clientConfig/service/namespace",
            false,
        ),
    ])
}

/// `namespace:`: every namespaced resource moves to the namespace; RoleBinding subjects named
/// `default` follow; `specs` say what else is set (see [`namespace_specs`]).
pub(crate) fn namespace(
    resources: &mut [KRes],
    ns: &str,
    span: Span,
    specs: &[FieldSpec],
) -> Result<(), String> {
    for res in resources.iter_mut() {
        if res.node.entries().is_empty() {
            continue;
        }
        res.store_previous_id();
        let kind = res.kind().to_string();
        let value = KNode::string(ns, span);
        if !is_cluster_scoped(&kind) {
            if let Some(meta) = res.node.map_at("metadata", span) {
                meta.set("namespace", span, value.clone());
            }
        }
        if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
            if let Some(subjects) = res.node.get_mut("subjects").and_then(KNode::items_mut) {
                for subject in subjects {
                    if subject.str_at("name") == Some("default") && subject.is_map() {
                        subject.set("namespace", span, value.clone());
                    }
                }
            }
        }
        let gvk = res.gvk();
        for spec in specs.iter().filter(|s| gvk.selected_by(&s.gvk)) {
            if spec.path == "metadata/namespace" {
                continue; // done above, for namespaced kinds only
            }
            set_scalar_at(&mut res.node, &spec.segments, spec.create, &value);
        }
    }
    // The first resource that has a twin, in one pass (each id's key built once).
    let ids: Vec<ResId> = resources.iter().map(KRes::cur_id).collect();
    let keys: Vec<_> = ids.iter().map(ResId::key).collect();
    let mut count: HashMap<_, usize> = HashMap::with_capacity(keys.len());
    for key in &keys {
        *count.entry(key).or_default() += 1;
    }
    if let Some(i) = (0..keys.len()).find(|&i| count[&keys[i]] > 1) {
        return Err(format!(
            "namespace `{ns}` makes two resources the same: {}",
            ids[i].describe()
        ));
    }
    Ok(())
}

/// Sets a scalar at `path` (the last segment), creating the mappings on the way if `create`.
pub(crate) fn set_scalar_at(node: &mut KNode, path: &[String], create: bool, value: &KNode) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let span = value.span;
    let mut found = false;
    visit(node, parents, create, span, &mut |parent| {
        if parent.is_map() && (create || parent.get(last).is_some()) {
            parent.set(last, span, value.clone());
            found = true;
        }
    });
    let _ = found;
}

/// `namePrefix:` / `nameSuffix:` (over all resources, or those a built-in transformer's field
/// specs select).
pub(crate) fn prefix_suffix<'r>(
    resources: impl IntoIterator<Item = &'r mut KRes>,
    prefix: &str,
    suffix: &str,
) {
    for res in resources {
        let org = res.org_id();
        if org.gvk.kind == "CustomResourceDefinition"
            || (org.gvk.kind == "APIService" && org.gvk.group == "apiregistration.k8s.io")
        {
            continue;
        }
        for (affix, is_prefix) in [(prefix, true), (suffix, false)] {
            if affix.is_empty() {
                continue;
            }
            res.store_previous_id();
            if is_prefix {
                res.prefixes.push(affix.to_string());
            } else {
                res.suffixes.push(affix.to_string());
            }
            let name = res.name().to_string();
            if res.node.path(&["metadata", "name"]).is_some() {
                let renamed = if is_prefix {
                    format!("{affix}{name}")
                } else {
                    format!("{name}{affix}")
                };
                res.set_name(&renamed);
            }
        }
    }
}

/// `images:` entry.
#[derive(Clone, Debug)]
pub(crate) struct ImageRule {
    pub(crate) name: String,
    pub(crate) new_name: Option<String>,
    pub(crate) new_tag: Option<String>,
    pub(crate) digest: Option<String>,
    pub(crate) tag_suffix: Option<String>,
    /// The kustomization node the new value is attributed to.
    pub(crate) span: Span,
}

/// Splits an image reference into name, tag and digest, as Kustomize does.
pub(crate) fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (Some(c), Some(d)) if c < d => {
            let (c, d) = (c + slash, d + slash);
            (
                image[..c].to_string(),
                image[c + 1..d].to_string(),
                image[d + 1..].to_string(),
            )
        }
        (_, Some(d)) => {
            let d = d + slash;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), None) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
    }
}

impl ImageRule {
    /// The new reference for `value`, if `matcher` (of this rule's name) matches it.
    pub(crate) fn rewrite(&self, matcher: &Regex, value: &str) -> Option<String> {
        if !matcher.is_match(value) {
            return None;
        }
        let (mut name, mut tag, mut digest) = split_image(value);
        if let Some(new_name) = &self.new_name {
            name = new_name.clone();
        }
        match (&self.new_tag, &self.digest) {
            (Some(t), Some(d)) => {
                tag = t.clone();
                digest = d.clone();
            }
            (Some(t), None) => {
                tag = t.clone();
                digest.clear();
            }
            (None, Some(d)) => {
                tag.clear();
                digest = d.clone();
            }
            (None, None) => {}
        }
        if let Some(suffix) = &self.tag_suffix {
            tag.push_str(suffix);
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }
}

/// The matcher of an image rule's name (with any tag and digest).
pub(crate) fn image_matcher(rule: &ImageRule) -> Option<Regex> {
    Regex::new(&format!(
        "{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?",
        rule.name
    ))
    .ok()
}

/// `images:`: rewrites `image:` of every container and init container.
pub(crate) fn images(resources: &mut [KRes], rule: &ImageRule) {
    let Some(matcher) = image_matcher(rule) else {
        return;
    };
    for res in resources.iter_mut() {
        if res.kind() == "CustomResourceDefinition" {
            continue;
        }
        walk_images(&mut res.node, rule, &matcher);
    }
}

fn walk_images(node: &mut KNode, rule: &ImageRule, matcher: &Regex) {
    match &mut node.kind {
        KKind::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                walk_images(v, rule, matcher);
                if matches!(k.as_str(), Some("containers" | "initContainers")) {
                    for container in v.items_mut().into_iter().flatten() {
                        let Some(image) = container.get_mut("image") else {
                            continue;
                        };
                        let Some(value) = image.as_str() else {
                            continue;
                        };
                        if let Some(new) = rule.rewrite(matcher, value) {
                            *image = KNode::string(&new, rule.span);
                        }
                    }
                }
            }
        }
        KKind::Seq(items) => items.iter_mut().for_each(|i| walk_images(i, rule, matcher)),
        KKind::Scalar(..) => {}
    }
}

/// `replicas:` entry: sets `spec.replicas` of the workloads named `name`.
pub(crate) fn replicas(resources: &mut [KRes], name: &str, count: &KNode) -> Result<(), String> {
    let mut found = false;
    for res in resources.iter_mut() {
        let kind = res.kind();
        if !matches!(
            kind,
            "Deployment" | "ReplicationController" | "ReplicaSet" | "StatefulSet"
        ) {
            continue;
        }
        if res.org_id().name != name && res.name() != name {
            continue;
        }
        found = true;
        let span = count.span;
        if let Some(spec) = res.node.map_at("spec", span) {
            spec.set("replicas", span, count.clone());
        }
    }
    if found {
        Ok(())
    } else {
        Err(format!("`replicas`: no Deployment, ReplicationController, ReplicaSet or StatefulSet is named `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_split_like_kustomize() {
        assert_eq!(split_image("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(
            split_image("nginx:1.2"),
            ("nginx".into(), "1.2".into(), "".into())
        );
        assert_eq!(
            split_image("reg:5000/app:v1@sha256:abc"),
            ("reg:5000/app".into(), "v1".into(), "sha256:abc".into())
        );
        assert_eq!(
            split_image("reg/app@sha256:abc"),
            ("reg/app".into(), "".into(), "sha256:abc".into())
        );
    }

    #[test]
    fn a_namespace_that_makes_two_resources_one_is_refused() {
        let res = |text: &str| KRes::new(crate::build::knode::parse_first(text));
        let span = Span::new(crate::yaml::FileId(0), crate::text::TextRange::empty(0));
        let mut resources = vec![
            res("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n"),
            res("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: x}\n"),
            res("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: y}\n"),
        ];
        let err = namespace(&mut resources, "z", span, &[]).unwrap_err();
        assert_eq!(
            err,
            "namespace `z` makes two resources the same: ConfigMap `z/b`"
        );
        let mut distinct = resources[..2].to_vec();
        assert!(namespace(&mut distinct, "w", span, &[]).is_ok());
    }

    #[test]
    fn escaped_slashes_stay_in_a_segment() {
        assert_eq!(
            segments("metadata/annotations/a.io\\/b"),
            ["metadata", "annotations", "a.io/b"]
        );
    }
}
