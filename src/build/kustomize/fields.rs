//! Which kustomization fields the builder reads, and the warnings for the others.
//!
//! A field the builder ignores changes what the real build would give, so each one is named in
//! a note rather than silently dropped: refused (Helm, plugins), not supported, or unknown.

use super::{Builder, Kust};
use crate::build::knode::KNode;
use crate::yaml::Span;

/// The top-level fields the builder reads.
const SUPPORTED: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "vars",
    "generators",
    "transformers",
];

/// The keys of a `configMapGenerator` entry; a `secretGenerator` entry takes `type` too.
const GENERATOR_KEYS: &[&str] = &[
    "name",
    "namespace",
    "behavior",
    "files",
    "literals",
    "envs",
    "env",
    "options",
];

/// The keys each list field's entries may have (in one or more groups).
const ENTRY_KEYS: &[(&str, &[&[&str]])] = &[
    ("patches", &[&["path", "patch", "target"]]),
    ("patchesJson6902", &[&["path", "patch", "target"]]),
    (
        "images",
        &[&["name", "newName", "newTag", "digest", "tagSuffix"]],
    ),
    ("replicas", &[&["name", "count"]]),
    (
        "labels",
        &[&["pairs", "includeSelectors", "includeTemplates", "fields"]],
    ),
    ("configMapGenerator", &[GENERATOR_KEYS]),
    ("secretGenerator", &[GENERATOR_KEYS, &["type"]]),
    ("vars", &[&["name", "objref", "fieldref"]]),
];

/// Kustomize fields the builder knows of and does not implement.
const UNSUPPORTED: &[&str] = &[
    "replacements",
    "crds",
    "configurations",
    "openapi",
    "sortOptions",
    "buildMetadata",
];

impl Builder<'_, '_> {
    /// Warns about every field, and every key of a list field's entries, that the builder
    /// ignores.
    pub(super) fn check_fields(&mut self, kust: &Kust) {
        self.check_top_level(kust);
        for (field, known) in ENTRY_KEYS {
            for entry in kust.list(field).iter().filter(|e| e.is_map()) {
                self.check_entry(kust, field, entry, known);
            }
        }
    }

    fn check_top_level(&mut self, kust: &Kust) {
        for (key, span) in key_names(&kust.root) {
            if SUPPORTED.contains(&key.as_str()) {
                continue;
            }
            let message = match key.as_str() {
                "helmCharts" | "helmChartInflationGenerator" | "helmGlobals" => format!(
                    "`{key}` refused: k8sec never runs Helm from a kustomization; render the chart and lint the output, or lint the chart directory"
                ),
                "validators" => format!(
                    "`{key}` refused: k8sec never runs validator plugins (exec or KRM functions) from a scanned repository; the build goes on without them"
                ),
                k if UNSUPPORTED.contains(&k) => {
                    format!("`{key}` is not supported by k8sec's Kustomize builder and is ignored: findings may differ from the real build")
                }
                _ => format!("unknown kustomization field `{key}` is ignored"),
            };
            self.warn(kust, span, message);
        }
    }

    /// Names the keys of a list entry (a patch, a generator…) that the builder ignores.
    fn check_entry(&mut self, kust: &Kust, field: &str, entry: &KNode, known: &[&[&str]]) {
        for (key, span) in key_names(entry) {
            if known.iter().any(|group| group.contains(&key.as_str())) {
                continue;
            }
            self.warn(
                kust,
                span,
                format!("`{field}[].{key}` is not supported by k8sec's Kustomize builder and is ignored"),
            );
        }
    }
}

/// The string keys of a mapping, with their spans.
fn key_names(map: &KNode) -> Vec<(String, Span)> {
    map.entries()
        .iter()
        .filter_map(|(k, _)| Some((k.as_str()?.to_string(), k.span)))
        .collect()
}
