//! k8sec: a Kubernetes manifest security linter.
//!
//! Data flows one way: discover → load (spanned YAML) → model (resources) → checks →
//! findings → suppress/config → report or fix. The CLI, the tests and (later) the language
//! server all go through [`load`] (or [`load_source`] for one in-memory text) and [`lint`];
//! nothing after loading reads the disk.

pub mod checks;
pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod model;
pub mod report;
pub mod source;
pub mod suppress;
pub mod text;
pub mod yaml;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use checks::{Ctx, Runner, Sink, Unit};
use config::Config;
use diagnostic::{Finding, Severity};
use model::Resource;
use source::{IoProblem, LoadedFile, Origin, Sources, WalkOptions};
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
    let mut ws = assemble(loaded);
    ws.problems = discovery.problems;
    ws.problems.extend(problems);
    for chart in discovery.charts {
        ws.notes.push(Note {
            message: "Helm chart skipped: rendering charts is not supported yet; lint \
                      `helm template` output with `k8sec lint -` instead"
                .to_string(),
            path: chart,
        });
    }
    ws
}

/// Loads one text as a workspace of its own, through the same pipeline as files on disk: what
/// each round of `--fix` re-lints, and what an editor buffer will be linted as. The file is
/// `FileId(0)`.
pub fn load_source(path: PathBuf, text: String, origin: Origin) -> Workspace {
    assemble(vec![source::load_text(
        path,
        text.into_bytes(),
        origin,
        FileId(0),
    )])
}

/// The workspace after `--fix`: the files of `changed` get their new text and are parsed
/// again; every other file keeps its parse (so a file that was not valid UTF-8 stays reported)
/// and the file ids, notes and problems stay as they were.
pub fn reload(ws: Workspace, changed: &HashMap<FileId, String>) -> Workspace {
    let Workspace {
        sources: old_sources,
        units,
        parse_errors,
        notes,
        problems,
    } = ws;
    let reparsed: HashMap<FileId, LoadedFile> = changed
        .par_iter()
        .filter(|(id, _)| (id.0 as usize) < old_sources.len())
        .map(|(id, text)| {
            let old = old_sources.get(*id);
            let file = source::load_text(
                old.path.clone(),
                text.clone().into_bytes(),
                old.origin.clone(),
                *id,
            );
            (*id, file)
        })
        .collect();
    let mut old_resources: HashMap<FileId, Vec<Resource>> = HashMap::new();
    for resource in units.into_iter().flat_map(|u| u.resources) {
        old_resources
            .entry(resource.file)
            .or_default()
            .push(resource);
    }
    let mut new = Workspace {
        notes,
        problems,
        ..Workspace::default()
    };
    let mut resources = Vec::new();
    let mut reparsed = reparsed;
    for (id, old) in old_sources.iter() {
        match reparsed.remove(&id) {
            Some(file) => {
                new.sources.push(file.source);
                if let Some(error) = file.stream.error {
                    new.parse_errors.push((id, error));
                }
                // A changed file is never a kustomize patch file: those yield no findings, so
                // no fixes.
                if !source::is_kustomization(&old.path) {
                    for doc in file.stream.documents {
                        resources.extend(model::resources_of(&Arc::new(doc.tree)));
                    }
                }
            }
            None => {
                new.sources.push(source::SourceFile::new(
                    old.path.clone(),
                    old.text.clone(),
                    old.origin.clone(),
                ));
                new.parse_errors
                    .extend(parse_errors.iter().filter(|(file, _)| *file == id).cloned());
                resources.extend(old_resources.remove(&id).unwrap_or_default());
            }
        }
    }
    new.units.push(DeployUnit {
        kind: UnitKind::Files,
        resources,
    });
    new
}

/// Builds the workspace from parsed files: kustomize patch files and kustomizations are kept
/// as sources but yield no resources; every other file's objects go into one unit.
fn assemble(loaded: Vec<LoadedFile>) -> Workspace {
    let patches = source::patch_files(&loaded);
    let mut ws = Workspace::default();
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
                    let mut sink =
                        Sink::new(check.id, config, &mut findings).with_sources(&ws.sources);
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

    for deploy_unit in &ws.units {
        let unit = Unit {
            kind: &deploy_unit.kind,
            resources: &deploy_unit.resources,
        };
        for check in &enabled {
            if let Runner::Unit(run) = check.run {
                let mut sink =
                    Sink::new(check.id, config, &mut result.findings).with_sources(&ws.sources);
                run(&ctx, &unit, &mut sink);
                result.suppressed += sink.suppressed;
            }
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
