//! A kustomization's transformer fields, run over everything it accumulated, in Kustomize's
//! order: patches, `namespace`, `namePrefix`/`nameSuffix`, `labels`, `commonLabels`,
//! `commonAnnotations`, `patchesJson6902`, `replicas`, `images`, then the built-in transformers
//! its `transformers` field configures ([`super::builtins`]).
//!
//! This reads the fields and reports their errors against the kustomization; the transformers
//! themselves (which fields of which kinds they touch) are in [`super::transform`], the patches
//! in [`super::patches`].

use super::transform::{self, FieldSpec, ImageRule};
use super::{bool_of, Acc, Builder, Fail, KRes, Kust};
use crate::build::knode::{KKind, KNode};

impl Builder<'_, '_> {
    /// Runs the kustomization's transformers over `acc`, in Kustomize's order.
    pub(super) fn transform(&mut self, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
        self.patches_strategic_merge(kust, acc)?;
        self.patches(kust, acc)?;
        if let Some(ns) = kust.field("namespace") {
            if let Some(text) = ns.as_str() {
                transform::namespace(&mut acc.res, text, ns.span, &transform::namespace_specs())
                    .map_err(|e| self.fail(kust, ns.span, e))?;
            }
        }
        name_affixes(kust, &mut acc.res);
        self.labels(kust, &mut acc.res);
        if let Some(pairs) = kust.field("commonLabels") {
            apply_pairs(&mut acc.res, pairs, &transform::common_label_specs());
        }
        if let Some(pairs) = kust.field("commonAnnotations") {
            apply_pairs(&mut acc.res, pairs, &transform::annotation_specs());
        }
        self.patches_json6902(kust, acc)?;
        self.replicas(kust, &mut acc.res)?;
        for entry in kust.list("images") {
            if let Some(rule) = image_rule(&entry) {
                transform::images(&mut acc.res, &rule);
            }
        }
        self.plugin_transformers(kust, acc)
    }

    /// `labels`: each entry's `pairs`, on metadata only, or also on pod templates
    /// (`includeTemplates`), or also on selectors (`includeSelectors`).
    fn labels(&mut self, kust: &Kust, resources: &mut [KRes]) {
        for entry in kust.list("labels") {
            let Some(pairs) = entry.get("pairs") else {
                continue;
            };
            let flag = |key: &str| entry.get(key).and_then(bool_of).unwrap_or(false);
            let specs = if flag("includeSelectors") {
                transform::common_label_specs()
            } else if flag("includeTemplates") {
                let mut s = transform::metadata_label_specs();
                s.extend(transform::template_label_specs());
                s
            } else {
                transform::metadata_label_specs()
            };
            if entry.get("fields").is_some() {
                self.warn(kust, entry.span, "`labels[].fields` is not supported; labels are applied to the default fields only");
            }
            apply_pairs(resources, pairs, &specs);
        }
    }

    /// `replicas`: each entry sets the count of the workloads named.
    fn replicas(&self, kust: &Kust, resources: &mut [KRes]) -> Result<(), Fail> {
        for entry in kust.list("replicas") {
            let (Some(name), Some(count)) = (entry.str_at("name"), entry.get("count")) else {
                return Err(self.fail(
                    kust,
                    entry.span,
                    "a `replicas` entry needs `name` and `count`",
                ));
            };
            transform::replicas(resources, name, count)
                .map_err(|e| self.fail(kust, entry.span, e))?;
        }
        Ok(())
    }
}

/// `namePrefix`, then `nameSuffix`.
fn name_affixes(kust: &Kust, resources: &mut [KRes]) {
    let text = |key: &str| {
        kust.field(key).and_then(|n| match &n.kind {
            KKind::Scalar(s, _) => Some(s.clone()),
            _ => None,
        })
    };
    if let Some(prefix) = text("namePrefix") {
        transform::prefix_suffix(resources.iter_mut(), &prefix, "");
    }
    if let Some(suffix) = text("nameSuffix") {
        transform::prefix_suffix(resources.iter_mut(), "", &suffix);
    }
}

/// One `images` entry (or an ImageTagTransformer's `imageTag`); `None` without a `name`.
pub(super) fn image_rule(entry: &KNode) -> Option<ImageRule> {
    let name = entry.str_at("name")?;
    let get = |k: &str| {
        entry.get(k).and_then(|v| match &v.kind {
            KKind::Scalar(s, _) if !v.is_null() => Some(s.clone()),
            _ => None,
        })
    };
    // The new value is attributed to the first of these the entry sets.
    let span = ["newTag", "digest", "tagSuffix", "newName"]
        .iter()
        .find_map(|k| entry.get(k).map(|v| v.span))
        .unwrap_or(entry.span);
    Some(ImageRule {
        name: name.to_string(),
        new_name: get("newName"),
        new_tag: get("newTag"),
        digest: get("digest"),
        tag_suffix: get("tagSuffix"),
        span,
    })
}

/// Sets each `key: value` of `pairs` at `specs` of every resource.
pub(super) fn apply_pairs(resources: &mut [KRes], pairs: &KNode, specs: &[FieldSpec]) {
    let pairs: Vec<(KNode, KNode)> = pairs
        .entries()
        .iter()
        .map(|(k, v)| {
            let value = match &v.kind {
                KKind::Scalar(s, _) if !v.is_null() => KNode::string(s, v.span),
                _ => KNode::string("", v.span),
            };
            (k.clone(), value)
        })
        .collect();
    if pairs.is_empty() {
        return;
    }
    let span = pairs[0].0.span;
    for res in resources.iter_mut() {
        transform::apply_specs(res, specs, span, &mut |map| {
            for (k, v) in &pairs {
                transform::set_entry(map, k, v);
            }
        });
    }
}
