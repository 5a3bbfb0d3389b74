//! `k8sec lint` over the real-world corpus builds its Kustomize roots and (with helm) renders
//! its charts, each as its own unit, and lints build inputs only through the builds.
//!
//! Prints the units with their resource and finding counts (`--nocapture`). Skips without the
//! corpus (`K8SEC_CORPUS`, else `../shared/corpus`); charts are rendered with `K8SEC_HELM` or
//! `helm` on `PATH` when there is one.

use std::collections::BTreeMap;
use std::path::Path;

use k8sec::build::helm::HelmOptions;
use k8sec::config::{Config, Overrides};
use k8sec::source::WalkOptions;
use k8sec::{Inputs, LoadOptions, UnitKind};

mod common;
use common::{corpus, helm};

#[test]
fn the_corpus_is_linted_per_unit() {
    let Some(corpus) = corpus() else {
        return;
    };
    let helm = helm();
    let options = LoadOptions {
        walk: WalkOptions::default(),
        helm: HelmOptions {
            binary: helm.clone(),
            ..HelmOptions::default()
        },
    };
    let inputs = Inputs {
        paths: vec![corpus.clone()],
        stdin: None,
        ..Default::default()
    };
    let ws = k8sec::load_with(&inputs, &options);
    let overrides = Overrides {
        select: Some(vec!["all".to_string()]),
        ..Overrides::default()
    };
    let config = Config::load(None, &overrides).unwrap();
    let result = k8sec::lint(&ws, &config);

    // Which unit each finding belongs to: a Kustomize finding names its overlays, a Helm
    // finding is in a rendered source, the rest are plain files.
    let shown = |p: &Path| p.strip_prefix(&corpus).unwrap_or(p).display().to_string();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for finding in &result.findings {
        let overlays: Vec<&str> = finding
            .related
            .iter()
            .filter_map(|r| r.message.strip_prefix("in overlay `"))
            .collect();
        if overlays.is_empty() {
            let file = ws.sources.get(finding.span.file);
            let unit = ws
                .units
                .iter()
                .find_map(|u| match &u.kind {
                    UnitKind::Helm { chart } if file.path.starts_with(chart) => {
                        Some(format!("helm {}", shown(chart)))
                    }
                    _ => None,
                })
                .unwrap_or_else(|| "files".to_string());
            *counts.entry(unit).or_default() += 1;
        } else {
            for overlay in overlays {
                let dir = overlay.trim_end_matches('`');
                *counts
                    .entry(format!("kustomize {}", shown(Path::new(dir))))
                    .or_default() += 1;
            }
        }
    }
    let mut kustomize_roots = 0;
    let mut charts = 0;
    eprintln!("{:<80} {:>9} {:>8}", "unit", "resources", "findings");
    for unit in &ws.units {
        let name = match &unit.kind {
            UnitKind::Files => "files".to_string(),
            UnitKind::Kustomize { root, .. } => {
                kustomize_roots += 1;
                format!("kustomize {}", shown(root))
            }
            UnitKind::Helm { chart } => {
                charts += 1;
                format!("helm {}", shown(chart))
            }
            UnitKind::Directory { root } => format!("directory {}", shown(root)),
        };
        eprintln!(
            "{name:<80} {:>9} {:>8}",
            unit.resources.len(),
            counts.get(&name).copied().unwrap_or(0)
        );
    }
    for note in &ws.notes {
        eprintln!("note: {}: {}", shown(&note.path), note.message);
    }

    // Every kustomization that is not a component and not included by another is a root.
    assert_eq!(kustomize_roots, 28, "kustomize roots");
    assert!(
        !ws.notes.iter().any(|n| n.message.contains("failed")) || helm.is_some(),
        "{:?}",
        ws.notes
    );
    assert!(
        ws.notes
            .iter()
            .all(|n| !n.message.contains("kustomize build")),
        "{:?}",
        ws.notes
    );
    if helm.is_some() {
        // All charts but argo-cd's redis-ha (its dependency is not vendored) render.
        assert_eq!(charts, 5, "rendered charts");
    }
    // A base built by an overlay is not linted as a plain file too.
    let files = ws.units.iter().find(|u| u.kind == UnitKind::Files).unwrap();
    let in_files = |suffix: &str| {
        files
            .resources
            .iter()
            .any(|r| ws.sources.get(r.file).path.ends_with(suffix))
    };
    assert!(!in_files(
        "argo-cd/manifests/base/server/argocd-server-deployment.yaml"
    ));
    assert!(!in_files("microservices-demo/kustomize/base/frontend.yaml"));
    // A file no build uses still is.
    assert!(
        in_files("kubernetes-examples/guestbook/frontend-deployment.yaml")
            || in_files("frontend-deployment.yaml")
    );
    // Rendered and built output never yields invalid-yaml of its own.
    for finding in result.findings.iter().filter(|f| f.check == "invalid-yaml") {
        let file = ws.sources.get(finding.span.file);
        assert_eq!(
            file.origin,
            k8sec::source::Origin::File,
            "{}",
            file.display_path()
        );
    }
}
