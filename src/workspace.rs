//! What a run works on: its inputs, and everything loaded from them (sources, deployment units,
//! parse errors, notes, I/O problems), then the result of linting it.
//!
//! These types sit low in the stack on purpose: the builders, the checks, the fix loop and the
//! printers all read them, and none of those may import the pipeline that fills them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use crate::build::helm_map::TemplateMap;
use crate::diagnostic::Finding;
use crate::model::Resource;
use crate::source::{IoProblem, Sources};
use crate::yaml::{self, FileId};

/// What to lint.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Files and directories, walked and read from disk.
    pub paths: Vec<PathBuf>,
    /// One YAML stream read from standard input, with the name to show for it.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    /// Texts that replace what is on disk, by path: an editor's unsaved buffers. A file the
    /// walk takes is read from here when it has an overlay; an overlay for a file that is not
    /// on disk yet is taken when it lies under one of `paths` and the walk would take a file of
    /// its name there. Nothing is written because of an overlay (see `source/overlay.rs`).
    pub overlays: BTreeMap<PathBuf, String>,
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
    /// The manifests of a directory a GitOps object deploys (no kustomization, no chart),
    /// outside the paths linted.
    Directory { root: PathBuf },
}

impl UnitKind {
    /// How `k8sec graph` names a unit: `files`, `kustomize <dir>`, `helm <chart>`,
    /// `directory <dir>`.
    pub fn label(&self) -> String {
        match self {
            UnitKind::Files => "files".to_string(),
            UnitKind::Kustomize { root, .. } => format!("kustomize {}", root.display()),
            UnitKind::Helm { chart } => format!("helm {}", chart.display()),
            UnitKind::Directory { root } => format!("directory {}", root.display()),
        }
    }
}

/// A deployment unit: objects deployed together, which may refer to each other. Cross-resource
/// checks look inside one unit only.
#[derive(Debug)]
pub struct DeployUnit {
    pub kind: UnitKind,
    pub resources: Vec<Resource>,
    /// The GitOps object that deploys the unit, when one of the run does
    /// ("Argo CD Application `argocd/guestbook`").
    pub deployed_by: Option<String>,
}

impl DeployUnit {
    /// The kind's label, with the GitOps object that deploys the unit.
    pub fn label(&self) -> String {
        match &self.deployed_by {
            Some(by) => format!("{} (deployed by {by})", self.kind.label()),
            None => self.kind.label(),
        }
    }
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
    /// Files `exclude` names that were read only because a build uses them (a Kustomize base,
    /// a chart's template): the build still needs them, but their findings are dropped.
    pub excluded: HashSet<FileId>,
    /// Each rendered chart template (by its rendered source) aligned with the template file,
    /// so findings move to the template's lines.
    pub helm_maps: HashMap<FileId, TemplateMap>,
}

impl Workspace {
    /// Every resource of every unit.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.units.iter().flat_map(|u| u.resources.iter())
    }

    /// How many files the run read: every source but the rendered output of charts (a
    /// chart's templates and values files are counted instead).
    pub fn files_read(&self) -> usize {
        let rendered = |f: &&crate::source::SourceFile| f.origin == crate::source::Origin::Rendered;
        self.sources.iter().filter(|(_, f)| !rendered(f)).count()
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
    /// With `--baseline`: the findings it silenced, and its entries nothing matched.
    pub baseline: Option<BaselineCount>,
    /// With a report scope (`--changed-since`, `--context`): the findings left out because
    /// they are about no file in scope.
    pub out_of_scope: Option<usize>,
}

/// What a baseline did to a run's findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaselineCount {
    /// Findings the baseline records: not reported.
    pub matched: usize,
    /// Entries of the baseline no finding matched (fixed since, or renamed).
    pub stale: usize,
}

/// Fixes applied by `--fix` (or that `--diff` shows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixCount {
    pub fixes: usize,
    pub files: usize,
}
