//! k8sec: a Kubernetes manifest security linter.
//!
//! Data flows one way: discover → load (spanned YAML) → model (resources) → graph (per unit,
//! when a check needs it) → checks → findings → suppress/config → report. The CLI, the tests
//! and (later) the language server all go through [`load`] and [`lint`]; nothing after loading
//! reads the disk.

pub mod checks;
pub mod config;
pub mod diagnostic;
pub mod graph;
pub mod model;
pub mod report;
pub mod source;
pub mod suppress;
pub mod text;
pub mod yaml;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use checks::{Ctx, Runner, Sink, Unit};
use config::Config;
use diagnostic::{Finding, Severity};
use model::Resource;
use source::{IoProblem, Origin, Sources, WalkOptions};
use yaml::{FileId, Span};

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
}

/// How `k8sec graph` names a unit.
pub fn unit_label(kind: &UnitKind) -> String {
    match kind {
        UnitKind::Files => "files".to_string(),
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

/// Discovers, reads and parses the inputs (in parallel) and extracts their resources.
pub fn load(inputs: &Inputs, walk: &WalkOptions) -> Workspace {
    let discovery = source::discover(&inputs.paths, walk);
    let (mut loaded, problems) = source::load_files(&discovery.files, 0);
    if let Some((name, bytes)) = &inputs.stdin {
        let id = FileId(loaded.len() as u32);
        loaded.push(source::load_text(
            name.clone(),
            bytes.clone(),
            Origin::Stdin,
            id,
        ));
    }
    let patches = source::patch_files(&loaded);

    let mut ws = Workspace {
        problems: discovery.problems,
        ..Workspace::default()
    };
    ws.problems.extend(problems);
    for chart in discovery.charts {
        ws.notes.push(Note {
            message: "Helm chart skipped: rendering charts is not supported yet; lint \
                      `helm template` output with `k8sec lint -` instead"
                .to_string(),
            path: chart,
        });
    }
    let mut files_unit = DeployUnit {
        kind: UnitKind::Files,
        resources: Vec::new(),
    };
    for file in loaded {
        let is_patch = file.source.origin == Origin::File
            && patches.contains(&source::normalize(&file.source.path));
        let skip = is_patch || source::is_kustomization(&file.source.path);
        let id = ws.sources.push(file.source);
        if let Some(error) = file.stream.error {
            ws.parse_errors.push((id, error));
        }
        if skip {
            continue;
        }
        for doc in file.stream.documents {
            files_unit
                .resources
                .extend(model::resources_of(&Arc::new(doc.tree)));
        }
    }
    ws.units.push(files_unit);
    ws
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
}

/// Runs the enabled checks over everything loaded.
pub fn lint(ws: &Workspace, config: &Config) -> LintResult {
    let ctx = Ctx {
        params: &config.params,
    };
    let enabled: Vec<&checks::Check> = config
        .enabled
        .iter()
        .filter_map(|id| checks::find(id))
        .collect();

    // Per-resource checks, in parallel over resources.
    let resources: Vec<&Resource> = ws.resources().collect();
    let per_resource: Vec<(Vec<Finding>, usize)> = resources
        .par_iter()
        .map(|resource| {
            let mut findings = Vec::new();
            let mut suppressed = 0;
            for check in &enabled {
                if let Runner::Resource(run) = check.run {
                    let mut sink = Sink::new(check.id, config, &mut findings);
                    run(&ctx, resource, &mut sink);
                    suppressed += sink.suppressed;
                }
            }
            (findings, suppressed)
        })
        .collect();
    let mut result = LintResult::default();
    for (findings, suppressed) in per_resource {
        result.findings.extend(findings);
        result.suppressed += suppressed;
    }

    // The graph of a unit is built once, and only when a check needs it.
    let wants_graph = enabled.iter().any(|c| matches!(c.run, Runner::Graph(_)));
    let graph_options = graph::GraphOptions {
        sources: Some(&ws.sources),
        external: &config.graph_external,
    };
    for deploy_unit in &ws.units {
        let unit = Unit {
            kind: &deploy_unit.kind,
            resources: &deploy_unit.resources,
        };
        let graph = wants_graph.then(|| graph::Graph::build(&deploy_unit.resources, graph_options));
        for check in &enabled {
            let mut sink = Sink::new(check.id, config, &mut result.findings);
            match (check.run, &graph) {
                (Runner::Unit(run), _) => run(&ctx, &unit, &mut sink),
                (Runner::Graph(run), Some(graph)) => run(&ctx, graph, &mut sink),
                _ => {}
            }
            result.suppressed += sink.suppressed;
        }
    }

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
