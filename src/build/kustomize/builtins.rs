//! `transformers:` and `generators:` entries that configure one of Kustomize's built-in
//! plugins (`apiVersion: builtin`): applied as Kustomize applies them, after the
//! kustomization's own transformer (or generator) fields, in the order listed.
//!
//! An entry is a file of configurations, a directory (a kustomization whose output is the
//! configurations), or a configuration written inline. Their files are inputs of the build,
//! never objects of it. Any other configuration is an exec or KRM function plugin: refused
//! with a note (nothing from a scanned repository runs), and the build goes on without it.

use super::generate;
use super::res::{Gvk, KRes};
use super::transform::{self, set_scalar_at, FieldSpec};
use super::transformers::{apply_pairs, image_rule};
use super::{bool_of, is_remote, Acc, Builder, Fail, Kust};
use crate::build::knode::KNode;

/// The built-in transformers k8sec applies.
const TRANSFORMERS: [&str; 9] = [
    "LabelTransformer",
    "AnnotationsTransformer",
    "NamespaceTransformer",
    "PrefixSuffixTransformer",
    "ImageTagTransformer",
    "ReplicaCountTransformer",
    "PatchTransformer",
    "PatchStrategicMergeTransformer",
    "PatchJson6902Transformer",
];

/// The built-in generators k8sec applies.
const GENERATORS: [&str; 2] = ["ConfigMapGenerator", "SecretGenerator"];

impl Builder<'_, '_> {
    /// Runs the built-in generators the `generators` field configures.
    pub(super) fn plugin_generators(&mut self, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
        for config in self.plugin_configs(kust, "generators", &GENERATORS)? {
            let kind = config.str_at("kind").unwrap_or_default();
            let kind = kind.strip_suffix("Generator").unwrap_or(kind).to_string();
            generate::builtin(self, kust, &config, &kind, acc)?;
        }
        Ok(())
    }

    /// Runs the built-in transformers the `transformers` field configures.
    pub(super) fn plugin_transformers(&mut self, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
        for config in self.plugin_configs(kust, "transformers", &TRANSFORMERS)? {
            self.builtin_transformer(kust, &config, acc)?;
        }
        Ok(())
    }

    /// The configurations of a plugin field's entries that are built-ins of `known`, in order;
    /// the others are refused with a note.
    fn plugin_configs(
        &mut self,
        kust: &Kust,
        field: &str,
        known: &[&str],
    ) -> Result<Vec<KNode>, Fail> {
        let mut out = Vec::new();
        for entry in kust.list(field) {
            for config in self.entry_configs(kust, field, &entry)? {
                let api_version = config.str_at("apiVersion").unwrap_or_default();
                let kind = config.str_at("kind").unwrap_or_default();
                let builtin = api_version == "builtin" || api_version.starts_with("builtin/");
                if builtin && known.contains(&kind) {
                    out.push(config);
                } else {
                    let what = if builtin { "built-in plugin" } else { "plugin" };
                    self.warn(kust, entry.span, format!(
                        "`{field}`: {what} `{kind}` (`apiVersion: {api_version}`) refused: k8sec applies Kustomize's built-in transformers and generators but never runs exec or KRM function plugins from a scanned repository; the build goes on without it"
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The configurations one entry names: inline YAML, a file's documents, or a directory's
    /// build output.
    fn entry_configs(
        &mut self,
        kust: &Kust,
        field: &str,
        entry: &KNode,
    ) -> Result<Vec<KNode>, Fail> {
        let Some(text) = entry.as_str() else {
            return Err(self.fail(
                kust,
                entry.span,
                format!("a `{field}` entry must be a string"),
            ));
        };
        if text.contains('\n') || text.contains(": ") || text.trim_start().starts_with('{') {
            return self.inline_docs(kust, entry, text);
        }
        let local = kust.dir.join(text);
        if !local.exists() && self.store.lookup(&local).is_none() {
            if is_remote(text) {
                self.warn(kust, entry.span, format!("remote `{field}` entry `{text}` refused: k8sec never fetches remote configurations; the build goes on without it"));
                return Ok(Vec::new());
            }
            return Err(self.fail(kust, entry.span, format!("`{text}` not found")));
        }
        let path = self.resolve(kust, entry.span, text)?;
        if path.is_dir() && self.store.lookup(&path).is_none() {
            let mut sub = Acc::default();
            self.accumulate(&path, &mut sub, false)?;
            return Ok(sub.res.into_iter().map(|r| r.node).collect());
        }
        self.patch_docs(kust, entry, false)
    }

    /// Applies one built-in transformer's configuration.
    fn builtin_transformer(
        &mut self,
        kust: &Kust,
        config: &KNode,
        acc: &mut Acc,
    ) -> Result<(), Fail> {
        let kind = config.str_at("kind").unwrap_or_default();
        let specs = self.field_specs(kust, config)?;
        let required = |b: &Self| match &specs {
            Some(_) => Ok(()),
            None => Err(b.fail(
                kust,
                config.span,
                format!("{kind}: `fieldSpecs` is required"),
            )),
        };
        let specs_or_none = specs.clone().unwrap_or_default();
        match kind {
            "LabelTransformer" | "AnnotationsTransformer" => {
                let key = if kind == "LabelTransformer" {
                    "labels"
                } else {
                    "annotations"
                };
                if let Some(pairs) = config.get(key) {
                    apply_pairs(&mut acc.res, pairs, &specs_or_none);
                }
            }
            "NamespaceTransformer" => {
                for option in ["unsetOnly", "setRoleBindingSubjects", "skipExisting"] {
                    if config.get(option).is_some() {
                        self.warn(kust, config.span, format!("NamespaceTransformer `{option}` is not supported by k8sec and is ignored"));
                    }
                }
                if let Some(ns) = config
                    .path(&["metadata", "namespace"])
                    .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
                {
                    let text = ns.as_str().unwrap_or_default().to_string();
                    transform::namespace(&mut acc.res, &text, ns.span, &specs_or_none)
                        .map_err(|e| self.fail(kust, ns.span, e))?;
                }
            }
            "PrefixSuffixTransformer" => {
                required(self)?;
                self.prefix_suffix(kust, config, &specs_or_none, &mut acc.res);
            }
            "ImageTagTransformer" => {
                if let Some(rule) = config.get("imageTag").and_then(image_rule) {
                    transform::images(&mut acc.res, &rule);
                    images_at(&mut acc.res, &rule, &specs_or_none);
                }
            }
            "ReplicaCountTransformer" => {
                required(self)?;
                replica_count(&mut acc.res, config, &specs_or_none)
                    .map_err(|e| self.fail(kust, config.span, e))?;
            }
            "PatchTransformer" => self.patch(kust, config, acc)?,
            "PatchStrategicMergeTransformer" => self.strategic_merge(kust, config, acc)?,
            "PatchJson6902Transformer" => self.json6902_plugin(kust, config, acc)?,
            _ => {}
        }
        Ok(())
    }

    /// A configuration's `fieldSpecs` (`None` when absent).
    fn field_specs(&self, kust: &Kust, config: &KNode) -> Result<Option<Vec<FieldSpec>>, Fail> {
        let Some(list) = config.get("fieldSpecs").filter(|l| !l.is_null()) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for spec in list.items() {
            let Some(path) = spec.str_at("path") else {
                return Err(self.fail(kust, spec.span, "a field spec needs a `path`"));
            };
            let part = |key: &str| spec.str_at(key).unwrap_or_default();
            out.push(FieldSpec::new(
                Gvk::new(part("group"), part("version"), part("kind")),
                path,
                spec.get("create").and_then(bool_of).unwrap_or(false),
            ));
        }
        Ok(Some(out))
    }

    /// PrefixSuffixTransformer: renames the resources its `metadata/name` field specs select.
    fn prefix_suffix(
        &mut self,
        kust: &Kust,
        config: &KNode,
        specs: &[FieldSpec],
        resources: &mut [KRes],
    ) {
        let text = |key: &str| config.str_at(key).unwrap_or_default().to_string();
        let (prefix, suffix) = (text("prefix"), text("suffix"));
        let names: Vec<&FieldSpec> = specs.iter().filter(|s| s.path == "metadata/name").collect();
        if names.len() < specs.len() {
            self.warn(kust, config.span, "PrefixSuffixTransformer: only `metadata/name` field specs are supported; the others are ignored");
        }
        let selected = resources
            .iter_mut()
            .filter(|r| names.iter().any(|s| r.gvk().selected_by(&s.gvk)));
        transform::prefix_suffix(selected, &prefix, &suffix);
    }

    /// PatchStrategicMergeTransformer: its `paths` (files, or patches written in place) and its
    /// inline `patches`, each applied to the object it names.
    fn strategic_merge(&mut self, kust: &Kust, config: &KNode, acc: &mut Acc) -> Result<(), Fail> {
        let mut docs = Vec::new();
        for path in config.get("paths").map(KNode::items).unwrap_or_default() {
            let inline = path.as_str().is_some_and(|s| s.contains('\n'));
            docs.extend(self.patch_docs(kust, path, inline)?);
        }
        if let Some(patches) = config.get("patches") {
            docs.extend(self.patch_docs(kust, patches, true)?);
        }
        if docs.is_empty() {
            return Err(self.fail(
                kust,
                config.span,
                "PatchStrategicMergeTransformer: no patch in `paths` or `patches`",
            ));
        }
        for patch in docs {
            self.smp_by_id(kust, config, acc, &patch)?;
        }
        Ok(())
    }

    /// PatchJson6902Transformer: `jsonOp` (JSON or YAML) or the file at `path`, applied to what
    /// `target` selects (which must be something).
    fn json6902_plugin(&mut self, kust: &Kust, config: &KNode, acc: &mut Acc) -> Result<(), Fail> {
        let Some(target) = config.get("target") else {
            return Err(self.fail(
                kust,
                config.span,
                "PatchJson6902Transformer needs a `target`",
            ));
        };
        let selector = self.selector(kust, target)?;
        let (source, inline) = match (config.get("path"), config.get("jsonOp")) {
            (Some(path), None) => (path, false),
            (None, Some(op)) => (op, true),
            _ => {
                return Err(self.fail(
                    kust,
                    config.span,
                    "PatchJson6902Transformer needs exactly one of `path` and `jsonOp`",
                ))
            }
        };
        let docs = self.patch_docs(kust, source, inline)?;
        let Some(doc) = docs.first() else {
            return Err(self.fail(kust, source.span, "the JSON patch is empty"));
        };
        if !self.json6902(kust, source, acc, doc, &selector)? {
            return Err(self.fail(kust, target.span, "no resource matches this `target`"));
        }
        Ok(())
    }
}

/// ImageTagTransformer's field specs: image references at those paths (besides every
/// container's `image`) are rewritten too.
fn images_at(resources: &mut [KRes], rule: &transform::ImageRule, specs: &[FieldSpec]) {
    let Some(matcher) = transform::image_matcher(rule) else {
        return;
    };
    for res in resources.iter_mut() {
        let gvk = res.gvk();
        for spec in specs.iter().filter(|s| gvk.selected_by(&s.gvk)) {
            let Some((last, parents)) = spec.segments.split_last() else {
                continue;
            };
            transform::visit(&mut res.node, parents, false, rule.span, &mut |parent| {
                let Some(image) = parent.get_mut(last) else {
                    return;
                };
                let rewritten = image.as_str().and_then(|v| rule.rewrite(&matcher, v));
                if let Some(new) = rewritten {
                    *image = KNode::string(&new, rule.span);
                }
            });
        }
    }
}

/// ReplicaCountTransformer: `replica.count` at each field spec's path of the resources named
/// `replica.name` that the spec selects; an error when none is.
fn replica_count(
    resources: &mut [KRes],
    config: &KNode,
    specs: &[FieldSpec],
) -> Result<(), String> {
    let replica = config.get("replica");
    let name = replica.and_then(|r| r.str_at("name")).unwrap_or_default();
    let Some(count) = replica.and_then(|r| r.get("count")) else {
        return Err("ReplicaCountTransformer needs `replica.count`".to_string());
    };
    let mut found = false;
    for spec in specs {
        for res in resources.iter_mut() {
            let named = res.any_ids().any(|id| id.name == name);
            if named && res.gvk().selected_by(&spec.gvk) {
                found = true;
                set_scalar_at(&mut res.node, &spec.segments, spec.create, count);
            }
        }
    }
    if found {
        Ok(())
    } else {
        Err(format!(
            "ReplicaCountTransformer: no resource named `{name}` matches its field specs"
        ))
    }
}
