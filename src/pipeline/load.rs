//! Loading: discover and read the inputs, parse them, follow the GitOps objects to the paths of
//! the repository they deploy (`gitops.rs`), build the Kustomize roots, render the Helm charts,
//! and gather the resources of every deployment unit.
//!
//! Every parsed text joins the workspace through one function, [`Loading::add`]: files found
//! on disk, a stream read from stdin, each template of a rendered chart, and the lone text a
//! round of `--fix` re-lints. [`Inputs::overlays`] replace the disk's text of the files they
//! name (an editor's unsaved buffers). Nothing after loading reads the disk.

mod gitops;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::build::helm::{self, HelmOptions};
use crate::build::helm_map::{self, TemplateMap, ValuesFile};
use crate::build::{self, FileStore, KustomizeOutput};
use crate::config::Config;
use crate::model::{self, Resource};
use crate::source::{self, LoadedFile, Origin, Overlays, SourceFile, WalkOptions};
use crate::workspace::{DeployUnit, Inputs, Note, UnitKind, Workspace};
use crate::yaml::{FileId, ParsedStream, Tree};

/// How to load: what the walk skips and how charts are rendered.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub walk: WalkOptions,
    pub helm: HelmOptions,
}

/// Helm settings given for one run (the command line's `--helm`, `--helm-values`,
/// `--helm-set`), on top of the configuration's `[helm]`.
#[derive(Clone, Debug, Default)]
pub struct HelmFlags {
    pub binary: Option<PathBuf>,
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
    /// `--max-file-size` in bytes: the largest file read, and the most a chart may render.
    pub max_file_size: Option<u64>,
}

impl LoadOptions {
    /// The options a configuration gives: its `exclude` globs, its `[helm]` table and its
    /// `kubernetes-version` (as `helm template --kube-version`), with `flags` on top: a flag's
    /// binary wins, values and sets come after the configuration's, and naming a binary
    /// renders charts even where `[helm] enabled = false`. Every command loads with these, so
    /// `k8sec graph` renders charts exactly as `k8sec lint` does.
    pub fn from_config(config: &Config, flags: &HelmFlags) -> LoadOptions {
        let (major, minor) = config.kubernetes_version;
        let max_file_size = flags
            .max_file_size
            .unwrap_or(crate::source::DEFAULT_MAX_FILE_SIZE);
        let helm = HelmOptions {
            binary: flags.binary.clone().or_else(|| config.helm.binary.clone()),
            values: config
                .helm
                .values
                .iter()
                .chain(&flags.values)
                .cloned()
                .collect(),
            set: config.helm.set.iter().chain(&flags.set).cloned().collect(),
            timeout: std::time::Duration::from_secs(config.helm.timeout.unwrap_or(60)),
            kube_version: format!("{major}.{minor}.0"),
            enabled: config.helm.enabled.unwrap_or(true) || flags.binary.is_some(),
            max_output: max_file_size,
        };
        let walk = WalkOptions {
            exclude: config.exclude.clone(),
            max_file_size,
            ..WalkOptions::default()
        };
        LoadOptions { walk, helm }
    }
}

/// Discovers, reads and parses the inputs (in parallel), builds Kustomize roots and renders
/// Helm charts as `options` say, and extracts the resources of every deployment unit.
///
/// Units: the plain files not consumed by a build (one unit), one unit per Kustomize build
/// root, one per rendered chart (or rendered stdin stream).
pub fn load_with(inputs: &Inputs, options: &LoadOptions) -> Workspace {
    load_keeping(inputs, options).0
}

/// What loading knows besides the workspace it returns: every file's parsed documents and the
/// part each plays in the builds. A [`LiveWorkspace`](super::live::LiveWorkspace) keeps it to
/// re-derive the units when one file changes, without reading or parsing the others again.
#[derive(Default)]
pub(super) struct Parsed {
    /// The documents of each file, by file id (`None`: read as text only, by a generator).
    pub(super) docs: Vec<Option<Vec<Arc<Tree>>>>,
    /// Files that are read only through a build: kustomizations and the patches they name.
    pub(super) build_inputs: HashSet<FileId>,
    /// Every kustomization file, build root or not.
    pub(super) kustomizations: Vec<FileId>,
    /// Each Kustomize build that succeeded: its root's kustomization and the files it read.
    pub(super) builds: Vec<(FileId, BTreeSet<FileId>)>,
    /// The files of the directories GitOps objects deploy: units of their own, not plain files.
    pub(super) in_directory: HashSet<FileId>,
}

/// [`load_with`], keeping what the loading knew (see [`Parsed`]).
pub(super) fn load_keeping(inputs: &Inputs, options: &LoadOptions) -> (Workspace, Parsed) {
    let overlays = Overlays::new(&inputs.overlays);
    let mut discovery = source::discover(&inputs.paths, &options.walk);
    overlays.add_unsaved(&mut discovery, &inputs.paths, &options.walk);
    let mut loading = Loading::default();
    loading.ws.problems = discovery.problems;
    loading
        .ws
        .notes
        .extend(discovery.skipped.into_iter().map(|s| Note {
            path: s.path,
            message: s.message,
        }));
    let max_size = options.walk.max_file_size;
    let mut kustomizations = loading.add_files(&discovery.files, &overlays, max_size);
    let mut charts = discovery.charts;
    let gitops_charts =
        loading.follow_gitops(inputs, options, &overlays, &mut kustomizations, &mut charts);
    let mut helm_units = Vec::new();
    if let Some((name, bytes)) = &inputs.stdin {
        helm_units.extend(loading.add_stdin(name, bytes));
    }
    let built = loading.build_kustomizations(&kustomizations, &inputs.paths);
    helm_units.extend(loading.render_charts(charts, &options.helm));
    helm_units.extend(loading.render_gitops_charts(gitops_charts, &options.helm));
    let parsed = Parsed {
        docs: loading.docs.clone(),
        build_inputs: loading.build_inputs.clone(),
        builds: built
            .builds
            .iter()
            .map(|b| (b.kustomization, b.files.clone()))
            .collect(),
        kustomizations,
        in_directory: loading.directory_files(),
    };
    let mut ws = loading.finish(built, helm_units);
    ws.excluded = excluded_sources(&ws, &options.walk, &inputs.paths);
    (ws, parsed)
}

/// The sources that `exclude` names and the command line did not: read only because a build
/// uses them (a file named on the command line is always linted, as the walk always reads it).
fn excluded_sources(ws: &Workspace, walk: &WalkOptions, named: &[PathBuf]) -> HashSet<FileId> {
    let Some(globs) = &walk.exclude else {
        return HashSet::new();
    };
    let named: HashSet<PathBuf> = named.iter().map(|p| source::normalize(p)).collect();
    ws.sources
        .iter()
        .filter(|(_, file)| file.origin != Origin::Stdin)
        .filter(|(_, file)| !named.contains(&source::normalize(&file.path)))
        .filter(|(_, file)| globs.is_match(&file.path))
        .map(|(id, _)| id)
        .collect()
}

/// [`load_with`] with the default options but the walk's: charts are rendered with `helm` from
/// `PATH`, if there is one.
pub fn load(inputs: &Inputs, walk: &WalkOptions) -> Workspace {
    let options = LoadOptions {
        walk: walk.clone(),
        helm: HelmOptions::default(),
    };
    load_with(inputs, &options)
}

/// Loads one text as a workspace of its own (`FileId(0)`, one unit of plain objects): what each
/// round of `--fix` re-lints, and what a single editor buffer can be linted as.
pub fn load_source(path: PathBuf, text: String, origin: Origin) -> Workspace {
    let mut loading = Loading::default();
    let role = Role::of(&path, false);
    let file = source::load_text(path, text.into_bytes(), origin, loading.next_id());
    loading.add(file, role);
    loading.finish(KustomizeOutput::default(), Vec::new())
}

/// What a file's documents are to the plain-files unit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Objects to lint as they are.
    Objects,
    /// Read only through a build, never linted as objects of their own: a kustomization, a
    /// patch it names, a rendered stream split into its templates.
    BuildInput,
}

impl Role {
    fn of(path: &Path, is_patch: bool) -> Role {
        if is_patch || source::is_kustomization(path) {
            Role::BuildInput
        } else {
            Role::Objects
        }
    }
}

/// A workspace being filled, with the parsed documents of each file (by id), which the
/// builders and the plain-files unit read.
#[derive(Default)]
struct Loading {
    ws: Workspace,
    docs: Vec<Option<Vec<Arc<Tree>>>>,
    build_inputs: HashSet<FileId>,
    /// Directories a GitOps object deploys that hold plain manifests: each a unit of its own
    /// (the directory, the object, its files).
    directories: Vec<(PathBuf, String, Vec<FileId>)>,
    /// Kustomize roots a GitOps object deploys (normalised directory → the object).
    deployed_by: HashMap<PathBuf, String>,
}

impl Loading {
    /// The files of the directories GitOps objects deploy (each directory a unit of its own).
    fn directory_files(&self) -> HashSet<FileId> {
        self.directories
            .iter()
            .flat_map(|(_, _, ids)| ids.iter().copied())
            .collect()
    }

    /// The id the next file added gets (a file is parsed with its id: spans carry it).
    fn next_id(&self) -> FileId {
        FileId(self.ws.sources.len() as u32)
    }

    /// The one way a parsed file joins the workspace: its text as a source, its parse error (an
    /// `invalid-yaml` finding later) and its documents. `file` was parsed with the id it gets
    /// here, `next_id()` (its spans carry it).
    fn add(&mut self, file: LoadedFile, role: Role) -> FileId {
        let mut source = file.source;
        let trees: Vec<Arc<Tree>> = file
            .stream
            .documents
            .into_iter()
            .map(|d| Arc::new(d.tree))
            .collect();
        if file.stream.error.is_none() {
            source.keep_documents(trees.clone());
        }
        let id = self.ws.sources.push(source);
        if let Some(error) = file.stream.error {
            self.ws.parse_errors.push((id, error));
        }
        self.docs.push(Some(trees));
        if role == Role::BuildInput {
            self.build_inputs.insert(id);
        }
        id
    }

    /// Reads (from `overlays`, else from disk) and parses the discovered files, in parallel;
    /// returns the kustomizations among them.
    fn add_files(
        &mut self,
        paths: &[PathBuf],
        overlays: &Overlays<'_>,
        max_size: u64,
    ) -> Vec<FileId> {
        let (loaded, problems) = source::load_files(paths, self.next_id().0, overlays, max_size);
        self.ws.problems.extend(problems);
        let patches = source::patch_files(&loaded);
        let mut kustomizations = Vec::new();
        for file in loaded {
            let is_patch = patches.contains(&source::normalize(&file.source.path));
            let is_kustomization = source::is_kustomization(&file.source.path);
            let role = Role::of(&file.source.path, is_patch);
            let id = self.add(file, role);
            if is_kustomization {
                kustomizations.push(id);
            }
        }
        kustomizations
    }

    /// Standard input: rendered Helm output (it has `# Source:` comments) becomes a unit of its
    /// own, linted per template under the templates' paths; anything else is one more file.
    fn add_stdin(&mut self, name: &Path, bytes: &[u8]) -> Option<DeployUnit> {
        let file = source::load_text(
            name.to_path_buf(),
            bytes.to_vec(),
            Origin::Stdin,
            self.next_id(),
        );
        let Some(sections) = helm::split_sources(&file.source.text) else {
            self.add(file, Role::Objects);
            return None;
        };
        // The stream itself stays a source (the run read it), but its text is its templates'.
        let stream = LoadedFile {
            source: file.source,
            stream: ParsedStream::default(),
        };
        self.add(stream, Role::BuildInput);
        let paths = sections
            .iter()
            .map(|s| PathBuf::from(&s.template))
            .collect();
        Some(DeployUnit {
            kind: UnitKind::Helm {
                chart: name.to_path_buf(),
            },
            deployed_by: None,
            resources: self.add_rendered(sections, paths),
        })
    }

    /// Adds each template's rendered documents as a source (under `paths`) and returns their
    /// resources.
    fn add_rendered(&mut self, sections: Vec<helm::Section>, paths: Vec<PathBuf>) -> Vec<Resource> {
        let mut resources = Vec::new();
        for (section, path) in sections.into_iter().zip(paths) {
            let bytes = section.text.into_bytes();
            let file = source::load_text(path, bytes, Origin::Rendered, self.next_id());
            let id = self.add(file, Role::Objects);
            resources.extend(self.resources_of(id));
        }
        resources
    }

    /// Builds every Kustomize root among `kustomizations` (reading what they name that the walk
    /// did not take); the builds' notes join the workspace's.
    fn build_kustomizations(
        &mut self,
        kustomizations: &[FileId],
        inputs: &[PathBuf],
    ) -> KustomizeOutput {
        let mut built = {
            let ws = &mut self.ws;
            let mut store = FileStore::new(&mut ws.sources, &mut self.docs, &mut ws.parse_errors);
            build::build_kustomizations(&mut store, kustomizations, inputs)
        };
        self.ws.notes.append(&mut built.notes);
        built
    }

    /// Renders each chart with `helm template`; a chart that cannot be rendered gets a note.
    fn render_charts(&mut self, charts: Vec<PathBuf>, options: &HelmOptions) -> Vec<DeployUnit> {
        let binary = if options.enabled {
            helm::find_helm(options)
        } else {
            None
        };
        let mut units = Vec::new();
        for chart in charts {
            let Some(binary) = &binary else {
                let how = if options.enabled {
                    "no `helm` binary found; install helm or pass `--helm PATH` to render it"
                } else {
                    "Helm rendering is off (`[helm] enabled = false`)"
                };
                self.ws.notes.push(Note {
                    message: format!(
                        "Helm chart skipped: {how} (or lint `helm template` output with `k8sec lint -`)"
                    ),
                    path: chart,
                });
                continue;
            };
            units.extend(self.render_chart(binary, chart, options, &options.values));
        }
        units
    }

    /// Renders one chart with `options`; `values` are the values files to point findings at.
    /// A chart helm cannot render gets a note.
    fn render_chart(
        &mut self,
        binary: &Path,
        chart: PathBuf,
        options: &HelmOptions,
        values: &[PathBuf],
    ) -> Option<DeployUnit> {
        match helm::render_chart(binary, &chart, options) {
            Ok(text) => {
                let sections = helm::split_sources(&text).unwrap_or_default();
                let paths = sections
                    .iter()
                    .map(|s| helm::template_path(&chart, &s.template))
                    .collect();
                let first = self.next_id().0;
                let resources = self.add_rendered(sections, paths);
                self.map_templates(&chart, first..self.next_id().0, values);
                Some(DeployUnit {
                    kind: UnitKind::Helm { chart },
                    resources,
                    deployed_by: None,
                })
            }
            Err(message) => {
                self.ws.notes.push(Note {
                    path: chart,
                    message: format!("Helm chart not linted: {message}"),
                });
                None
            }
        }
    }

    /// Aligns each rendered template (the sources `rendered`) with its template file, read
    /// from the chart (with the chart's values files) as [`Origin::Chart`] sources, so findings
    /// move to the templates' lines; notes a chart whose output changes from run to run.
    fn map_templates(&mut self, chart: &Path, rendered: std::ops::Range<u32>, values: &[PathBuf]) {
        let templates = helm_map::read_templates(chart);
        if let Some(message) = helm_map::unstable_output(chart, &templates) {
            let path = chart.to_path_buf();
            self.ws.notes.push(Note { path, message });
        }
        let values: Arc<[ValuesFile]> = std::iter::once(chart.join("values.yaml"))
            .chain(values.iter().cloned())
            .rev()
            .filter_map(|path| self.values_file(path))
            .collect();
        for id in rendered.map(FileId) {
            let path = self.ws.sources.get(id).path.clone();
            let Some(text) = templates.get(&source::normalize(&path)) else {
                continue; // a template packed in a subchart archive: it stays on its output
            };
            let file = SourceFile::new(path, text.clone(), Origin::Chart);
            let template = self.ws.sources.push(file);
            self.docs.push(None);
            let docs = self.docs[id.0 as usize].clone().unwrap_or_default();
            let rendered = &self.ws.sources.get(id).text;
            let map = TemplateMap::new(rendered, docs, template, text, values.clone());
            self.ws.helm_maps.insert(id, map);
        }
    }

    /// A chart's values file, parsed: the run's source when the walk read it, else read now.
    fn values_file(&mut self, path: PathBuf) -> Option<ValuesFile> {
        let wanted = source::normalize(&path);
        let known = self
            .ws
            .sources
            .iter()
            .find(|(_, f)| f.origin == Origin::File && source::normalize(&f.path) == wanted);
        if let Some((file, _)) = known {
            let docs = self.docs.get(file.0 as usize).cloned().flatten()?;
            return Some(ValuesFile { file, docs });
        }
        let bytes = source::read_file(&path, source::DEFAULT_MAX_FILE_SIZE).ok()?;
        let loaded = source::load_text(path, bytes, Origin::Chart, self.next_id());
        let file = self.add(loaded, Role::BuildInput);
        let docs = self.docs.get(file.0 as usize).cloned().flatten()?;
        Some(ValuesFile { file, docs })
    }

    /// The resources of one file's documents.
    fn resources_of(&self, id: FileId) -> Vec<Resource> {
        let trees = self.docs.get(id.0 as usize).into_iter().flatten().flatten();
        trees.flat_map(model::resources_of).collect()
    }

    /// The workspace, with its units: the plain files that no build consumed (one unit), then
    /// each Kustomize build, then each Helm chart.
    fn finish(mut self, built: KustomizeOutput, helm_units: Vec<DeployUnit>) -> Workspace {
        let mut files = DeployUnit {
            kind: UnitKind::Files,
            resources: Vec::new(),
            deployed_by: None,
        };
        let in_directory = self.directory_files();
        for (id, file) in self.ws.sources.iter() {
            if is_plain(id, file, &self.build_inputs, &built.consumed, &in_directory) {
                files.resources.extend(self.resources_of(id));
            }
        }
        let mut directories = Vec::new();
        let none = HashSet::new();
        for (root, by, ids) in &self.directories {
            let ids = ids.iter().filter(|&&id| {
                let file = self.ws.sources.get(id);
                is_plain(id, file, &self.build_inputs, &built.consumed, &none)
            });
            directories.push(DeployUnit {
                kind: UnitKind::Directory { root: root.clone() },
                resources: ids.flat_map(|&id| self.resources_of(id)).collect(),
                deployed_by: Some(by.clone()),
            });
        }
        self.ws.units.push(files);
        let cwd = std::env::current_dir().unwrap_or_default();
        for build in built.builds {
            let key = source::normalize(&cwd.join(&build.dir));
            let deployed_by = self.deployed_by.get(&key).cloned();
            self.ws.units.push(DeployUnit {
                kind: UnitKind::Kustomize {
                    root: build.dir,
                    kustomization: build.kustomization,
                },
                resources: build.resources,
                deployed_by,
            });
        }
        self.ws.units.extend(directories);
        self.ws.units.extend(helm_units);
        self.ws
    }
}

/// Whether a file's objects belong to the plain-files unit: it is not read only through a build
/// (a kustomization, a patch it names), no successful build consumed it, and it is not a
/// renderer's output, nor in a directory a GitOps object deploys (a unit of its own).
pub(super) fn is_plain(
    id: FileId,
    file: &SourceFile,
    build_inputs: &HashSet<FileId>,
    consumed: &HashSet<FileId>,
    in_directory: &HashSet<FileId>,
) -> bool {
    !build_inputs.contains(&id)
        && !consumed.contains(&id)
        && !in_directory.contains(&id)
        && matches!(file.origin, Origin::File | Origin::Stdin)
}
