//! k8sec: a Kubernetes manifest security linter.
//!
//! Data flows one way: discover → load (spanned YAML) → model (resources) → graph (per unit,
//! when a check needs it) → checks → findings → suppress/config → report or fix. The CLI,
//! the tests and (later) the language server all go through [`load`] (or [`load_source`] for
//! one in-memory text) and [`lint`]; nothing after loading reads the disk.

pub mod build;
pub mod checks;
pub mod config;
pub mod diagnostic;
pub mod docs;
pub mod fix;
pub mod graph;
pub mod model;
pub mod report;
pub mod source;
pub mod suppress;
pub mod text;
pub mod yaml;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use build::helm::{self, HelmOptions};
use build::FileStore;
use config::Config;
use diagnostic::{Finding, Severity};
use model::Resource;
use source::{IoProblem, Origin, SourceFile, Sources, WalkOptions};
use yaml::{FileId, Span, Tree};

/// The id of the finding for files that do not parse.
pub const INVALID_YAML: &str = "invalid-yaml";

/// What to lint.
#[derive(Debug, Default)]
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    /// One YAML stream read from standard input, with the name to show for it.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
}

/// Something worth telling the user that is not a finding (a skipped Helm chart).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub path: PathBuf,
    pub message: String,
}

/// Where a unit's resources come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// All plain manifest files of the run, together (not one unit per directory).
    Files,
    /// The output of one Kustomize build root (its directory, as discovered).
    Kustomize {
        root: PathBuf,
        kustomization: FileId,
    },
    /// A Helm chart rendered by `helm template`, or a rendered stream read from stdin.
    Helm { chart: PathBuf },
}

/// How `k8sec graph` names a unit.
pub fn unit_label(kind: &UnitKind) -> String {
    match kind {
        UnitKind::Files => "files".to_string(),
        UnitKind::Kustomize { root, .. } => format!("kustomize {}", root.display()),
        UnitKind::Helm { chart } => format!("helm {}", chart.display()),
    }
}

/// A deployment unit: objects deployed together, which may refer to each other. Cross-resource
/// checks look inside one unit only.
#[derive(Debug)]
pub struct DeployUnit {
    pub kind: UnitKind,
    pub resources: Vec<Resource>,
}

/// Everything loaded for a run.
#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: Sources,
    pub units: Vec<DeployUnit>,
    /// Files that failed to parse, with the error (reported as `invalid-yaml`; never fixed).
    pub parse_errors: Vec<(FileId, yaml::YamlError)>,
    pub notes: Vec<Note>,
    /// Unreadable paths: reported, and the run exits 2.
    pub problems: Vec<IoProblem>,
}

/// Discovers, reads and parses the inputs (in parallel), builds Kustomize roots and renders
/// Helm charts, and extracts the resources of every deployment unit.
///
/// Units: the plain files not consumed by a build (one unit), one unit per Kustomize build
/// root, one per rendered chart (or rendered stdin stream).
pub fn load(inputs: &Inputs, walk: &WalkOptions) -> Workspace {
    load_with_helm(inputs, walk, &HelmOptions::default())
}

/// [`load`], rendering Helm charts as `helm` says.
pub fn load_with_helm(
    inputs: &Inputs,
    walk: &WalkOptions,
    helm_options: &HelmOptions,
) -> Workspace {
    let discovery = source::discover(&inputs.paths, walk);
    let (loaded, problems) = source::load_files(&discovery.files, 0);
    let patches = source::patch_files(&loaded);

    let mut ws = Workspace {
        problems: discovery.problems,
        ..Workspace::default()
    };
    ws.problems.extend(problems);
    // Parsed documents by file id, shared by the builders and the plain-files unit.
    let mut docs: Vec<Option<Vec<Arc<Tree>>>> = Vec::new();
    let mut not_objects: HashSet<FileId> = HashSet::new();
    let mut kustomizations = Vec::new();
    for file in loaded {
        let is_patch = patches.contains(&source::normalize(&file.source.path));
        let is_kustomization = source::is_kustomization(&file.source.path);
        let id = ws.sources.push(file.source);
        if let Some(error) = file.stream.error {
            ws.parse_errors.push((id, error));
        }
        docs.push(Some(
            file.stream
                .documents
                .into_iter()
                .map(|d| Arc::new(d.tree))
                .collect(),
        ));
        if is_kustomization {
            kustomizations.push(id);
        }
        if is_patch || is_kustomization {
            not_objects.insert(id);
        }
    }

    let mut helm_units = Vec::new();
    if let Some((name, bytes)) = &inputs.stdin {
        let id = FileId(ws.sources.len() as u32);
        let file = source::load_text(name.clone(), bytes.clone(), Origin::Stdin, id);
        match helm::split_sources(&file.source.text) {
            Some(sections) => {
                // Rendered Helm output: linted per template, under the templates' paths.
                ws.sources.push(file.source);
                docs.push(None);
                not_objects.insert(id);
                let paths = sections
                    .iter()
                    .map(|s| PathBuf::from(&s.template))
                    .collect();
                let resources = rendered(&mut ws, &mut docs, sections, paths);
                helm_units.push(DeployUnit {
                    kind: UnitKind::Helm {
                        chart: name.clone(),
                    },
                    resources,
                });
            }
            None => {
                ws.sources.push(file.source);
                if let Some(error) = file.stream.error {
                    ws.parse_errors.push((id, error));
                }
                docs.push(Some(
                    file.stream
                        .documents
                        .into_iter()
                        .map(|d| Arc::new(d.tree))
                        .collect(),
                ));
            }
        }
    }

    let built = {
        let mut store = FileStore::new(&mut ws.sources, &mut docs, &mut ws.parse_errors);
        build::build_kustomizations(&mut store, &kustomizations, &inputs.paths)
    };
    ws.notes.extend(built.notes);

    let helm_binary = if helm_options.enabled {
        helm::find_helm(helm_options)
    } else {
        None
    };
    for chart in discovery.charts {
        let Some(binary) = &helm_binary else {
            let how = if helm_options.enabled {
                "no `helm` binary found; install helm or pass `--helm PATH` to render it"
            } else {
                "Helm rendering is off (`[helm] enabled = false`)"
            };
            ws.notes.push(Note {
                message: format!(
                    "Helm chart skipped: {how} (or lint `helm template` output with `k8sec lint -`)"
                ),
                path: chart,
            });
            continue;
        };
        match helm::render_chart(binary, &chart, helm_options) {
            Ok(text) => {
                let sections = helm::split_sources(&text).unwrap_or_default();
                let paths = sections
                    .iter()
                    .map(|s| helm::template_path(&chart, &s.template))
                    .collect();
                let resources = rendered(&mut ws, &mut docs, sections, paths);
                helm_units.push(DeployUnit {
                    kind: UnitKind::Helm { chart },
                    resources,
                });
            }
            Err(message) => ws.notes.push(Note {
                path: chart,
                message: format!("Helm chart not linted: {message}"),
            }),
        }
    }

    let mut files_unit = DeployUnit {
        kind: UnitKind::Files,
        resources: Vec::new(),
    };
    for (index, trees) in docs.iter().enumerate() {
        let id = FileId(index as u32);
        if not_objects.contains(&id)
            || built.consumed.contains(&id)
            || ws.sources.get(id).origin == Origin::Rendered
        {
            continue;
        }
        for tree in trees.iter().flatten() {
            files_unit.resources.extend(model::resources_of(tree));
        }
    }
    ws.units.push(files_unit);
    for build in built.builds {
        ws.units.push(DeployUnit {
            kind: UnitKind::Kustomize {
                root: build.dir,
                kustomization: build.kustomization,
            },
            resources: build.resources,
        });
    }
    ws.units.extend(helm_units);
    ws
}

/// Loads one text as a workspace of its own (`FileId(0)`, one unit of plain objects): what each
/// round of `--fix` re-lints, and what an editor buffer will be linted as.
pub fn load_source(path: PathBuf, text: String, origin: Origin) -> Workspace {
    let file = source::load_text(path, text.into_bytes(), origin, FileId(0));
    let not_objects = source::is_kustomization(&file.source.path);
    let mut ws = Workspace::default();
    ws.sources.push(file.source);
    if let Some(error) = file.stream.error {
        ws.parse_errors.push((FileId(0), error));
    }
    let mut unit = DeployUnit {
        kind: UnitKind::Files,
        resources: Vec::new(),
    };
    if !not_objects {
        for doc in file.stream.documents {
            unit.resources
                .extend(model::resources_of(&Arc::new(doc.tree)));
        }
    }
    ws.units.push(unit);
    ws
}

/// Adds each template's rendered documents as a source (under `paths`) and returns their
/// resources.
fn rendered(
    ws: &mut Workspace,
    docs: &mut Vec<Option<Vec<Arc<Tree>>>>,
    sections: Vec<helm::Section>,
    paths: Vec<PathBuf>,
) -> Vec<Resource> {
    let mut resources = Vec::new();
    for (section, path) in sections.into_iter().zip(paths) {
        let file = SourceFile::new(path, section.text, Origin::Rendered);
        let id = FileId(ws.sources.len() as u32);
        let stream = yaml::parse_stream(&file.text, id, &file.line_index);
        ws.sources.push(file);
        if let Some(error) = stream.error {
            ws.parse_errors.push((id, error));
        }
        for doc in stream.documents {
            resources.extend(model::resources_of(&Arc::new(doc.tree)));
        }
        docs.push(None);
    }
    resources
}

impl Workspace {
    /// Every resource of every unit.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.units.iter().flat_map(|u| u.resources.iter())
    }

    pub fn resource_count(&self) -> usize {
        self.units.iter().map(|u| u.resources.len()).sum()
    }
}

/// The findings of a run and its counts.
#[derive(Debug, Default)]
pub struct LintResult {
    /// Sorted by (path, position, check id).
    pub findings: Vec<Finding>,
    pub suppressed: usize,
    /// After `--fix`: how many fixes were applied, to how many files (the findings are then
    /// what is left).
    pub fixed: Option<FixCount>,
}

/// Fixes applied by `--fix`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixCount {
    pub fixes: usize,
    pub files: usize,
}

/// Runs the enabled checks over everything loaded.
pub fn lint(ws: &Workspace, config: &Config) -> LintResult {
    let checks = config.selection();

    // Per-resource checks, in parallel over resources (each tagged with its unit).
    let resources: Vec<(usize, &Resource)> = ws
        .units
        .iter()
        .enumerate()
        .flat_map(|(u, unit)| unit.resources.iter().map(move |r| (u, r)))
        .collect();
    let per_resource: Vec<(usize, Vec<Finding>, usize)> = resources
        .par_iter()
        .map(|(unit, resource)| {
            let mut findings = Vec::new();
            let suppressed = checks.run_resource(resource, &ws.sources, &mut findings);
            (*unit, findings, suppressed)
        })
        .collect();
    let mut result = LintResult::default();
    let mut by_unit: Vec<Vec<Finding>> = vec![Vec::new(); ws.units.len()];
    for (unit, findings, suppressed) in per_resource {
        by_unit[unit].extend(findings);
        result.suppressed += suppressed;
    }

    // The graph of a unit is built once, and only when a check needs it.
    let wants_graph = checks.wants_graph();
    let graph_options = graph::GraphOptions {
        sources: Some(&ws.sources),
        external: &config.graph_external,
    };
    // Units are independent: their graphs and unit checks run in parallel.
    let unit_suppressed: usize = ws
        .units
        .par_iter()
        .zip(by_unit.par_iter_mut())
        .map(|(unit, findings)| {
            let graph = wants_graph.then(|| graph::Graph::build(&unit.resources, graph_options));
            checks.run_unit(&unit.resources, graph.as_ref(), &ws.sources, findings)
        })
        .sum();
    result.suppressed += unit_suppressed;
    result.findings = build::attribute(ws, by_unit);

    for (file, error) in &ws.parse_errors {
        let span = Span::new(*file, text::TextRange::empty(error.offset));
        let severity = config.severity_of(INVALID_YAML);
        let message = format!("invalid YAML: {}", error.message);
        result
            .findings
            .push(Finding::new("invalid-yaml", severity, span, message));
    }

    // Comment suppressions and per-path ignores.
    let before = result.findings.len();
    result.findings.retain(|finding| {
        if finding.check == INVALID_YAML {
            return true; // a file we cannot read is never silently passed
        }
        let file = ws.sources.get(finding.span.file);
        let path = file.display_path();
        !(config.ignored_for_path(finding.check, path)
            || suppress::is_suppressed_by_comment(file, finding.span.range.start, finding.check))
    });
    result.suppressed += before - result.findings.len();

    result.findings.par_sort_by(|a, b| {
        let pa = ws.sources.get(a.span.file).display_path();
        let pb = ws.sources.get(b.span.file).display_path();
        (pa, a.span.range.start, a.check, &a.message).cmp(&(
            pb,
            b.span.range.start,
            b.check,
            &b.message,
        ))
    });
    result
}

/// The exit status a run ends with: 2 for I/O problems, 1 when a finding reaches the threshold.
pub fn exit_code(ws: &Workspace, result: &LintResult, fail_on: Severity) -> u8 {
    if !ws.problems.is_empty() {
        2
    } else if result.findings.iter().any(|f| f.severity >= fail_on) {
        1
    } else {
        0
    }
}
