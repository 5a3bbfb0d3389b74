//! Following the run's GitOps objects (see [`crate::build::gitops`]) to the paths of this
//! repository they deploy: a path the walk did not take is read and linted as a unit of its own
//! (its Kustomize build, its chart, or its manifests together); a chart a GitOps object
//! renders with its own values is rendered with them; every object whose content k8sec did not
//! render is counted in one note.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{LoadOptions, Loading};
use crate::build::gitops::{self, GitOpsRef, HelmSettings, Target};
use crate::build::helm::{self, HelmOptions};
use crate::source::{self, Origin, Overlays};
use crate::workspace::{DeployUnit, Inputs, Note};
use crate::yaml::FileId;

/// Rounds of following: a path read because of a GitOps object may hold more of them (a Flux
/// Kustomization of the cluster's `apps`); cycles stop at the paths already seen.
const MAX_ROUNDS: usize = 8;

/// What following has reached: the paths the walk covers (absolute), the directories read.
struct Reach {
    walked: Vec<PathBuf>,
    seen: HashSet<PathBuf>,
    cwd: PathBuf,
}

/// `path` made absolute against `cwd`, lexically normalised.
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    source::normalize(&cwd.join(path))
}

/// A chart a GitOps object renders: its directory, its settings, the object.
pub(super) struct GitOpsChart {
    chart: PathBuf,
    settings: HelmSettings,
    by: String,
}

impl Loading {
    /// Follows the GitOps objects of the files read so far (and of those it reads): adds the
    /// kustomizations of the paths it reads to `kustomizations`, takes the charts GitOps
    /// objects render with their own settings out of `charts` and returns them.
    pub(super) fn follow_gitops(
        &mut self,
        inputs: &Inputs,
        options: &LoadOptions,
        overlays: &Overlays<'_>,
        kustomizations: &mut Vec<FileId>,
        charts: &mut Vec<PathBuf>,
    ) -> Vec<GitOpsChart> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut reach = Reach {
            walked: inputs.paths.iter().map(|p| absolute(&cwd, p)).collect(),
            seen: HashSet::new(),
            cwd,
        };
        let mut out: Vec<GitOpsChart> = Vec::new();
        let mut elsewhere: Vec<(String, PathBuf)> = Vec::new();
        let mut from = 0;
        for _ in 0..MAX_ROUNDS {
            let upto = self.ws.sources.len();
            let refs = self.gitops_refs(from..upto, &inputs.paths, &reach.cwd);
            from = upto;
            if refs.is_empty() {
                break;
            }
            for (found_in, GitOpsRef { object, target }) in refs {
                match target {
                    Target::Elsewhere(why) => {
                        elsewhere.push((format!("{object} ({why})"), found_in));
                    }
                    Target::Path { dir, helm } if dir.join("Chart.yaml").is_file() => {
                        let key = absolute(&reach.cwd, &dir);
                        // Rendered as the object says, not with the chart's defaults alone.
                        charts.retain(|c| absolute(&reach.cwd, c) != key);
                        let settings = HelmSettings {
                            flat: false,
                            ..helm
                        };
                        let same = |c: &GitOpsChart| {
                            absolute(&reach.cwd, &c.chart) == key && c.settings == settings
                        };
                        if !out.iter().any(same) {
                            out.push(GitOpsChart {
                                chart: dir,
                                settings,
                                by: object,
                            });
                        }
                    }
                    Target::Path { dir, helm } => {
                        let read = self
                            .read_deployed(&mut reach, dir, helm.flat, object, options, overlays);
                        kustomizations.extend(read);
                    }
                }
            }
        }
        self.note_unrendered(elsewhere);
        out
    }

    /// A directory a GitOps object deploys: when the walk did not take it, its files are read
    /// (their kustomizations returned, to be built); without a kustomization its manifests
    /// are a unit of their own (`flat`: its own files only, as Argo CD reads a directory).
    fn read_deployed(
        &mut self,
        reach: &mut Reach,
        dir: PathBuf,
        flat: bool,
        object: String,
        options: &LoadOptions,
        overlays: &Overlays<'_>,
    ) -> Vec<FileId> {
        let key = absolute(&reach.cwd, &dir);
        let is_kustomize = source::KUSTOMIZATION_NAMES
            .iter()
            .any(|n| dir.join(n).is_file());
        if is_kustomize {
            self.deployed_by
                .entry(key.clone())
                .or_insert_with(|| object.clone());
        }
        let walked = reach.walked.iter().any(|w| key.starts_with(w));
        if walked || !reach.seen.insert(key) {
            return Vec::new(); // its build or its files are linted already
        }
        let mut found = source::discover(std::slice::from_ref(&dir), &options.walk);
        if flat && !is_kustomize {
            found.files.retain(|f| f.parent() == Some(dir.as_path()));
        }
        self.ws.problems.append(&mut found.problems);
        self.ws
            .notes
            .extend(found.skipped.into_iter().map(|s| Note {
                path: s.path,
                message: s.message,
            }));
        let first = self.next_id().0;
        let kustomizations = self.add_files(&found.files, overlays, options.walk.max_file_size);
        if !is_kustomize {
            let ids = (first..self.next_id().0).map(FileId).collect();
            self.directories.push((dir, object, ids));
        }
        kustomizations
    }

    /// The GitOps objects of the sources `range` and what they deploy, with the file of each.
    fn gitops_refs(
        &self,
        range: std::ops::Range<usize>,
        inputs: &[PathBuf],
        cwd: &Path,
    ) -> Vec<(PathBuf, GitOpsRef)> {
        let mut remotes: HashMap<PathBuf, Vec<String>> = HashMap::new();
        let mut out = Vec::new();
        for index in range {
            let id = FileId(index as u32);
            let file = self.ws.sources.get(id);
            if file.origin != Origin::File || self.build_inputs.contains(&id) {
                continue;
            }
            let Some(Some(trees)) = self.docs.get(index) else {
                continue;
            };
            let repo = repository_of(&file.path, inputs, cwd);
            let remotes = remotes
                .entry(repo.clone())
                .or_insert_with(|| gitops::remotes(&repo));
            let objects: Vec<gitops::Object<'_>> = trees
                .iter()
                .map(|t| gitops::Object {
                    root: t.root(),
                    repo: &repo,
                    remotes,
                })
                .collect();
            out.extend(
                gitops::scan(&objects)
                    .into_iter()
                    .map(|r| (file.path.clone(), r)),
            );
        }
        out
    }

    /// One note for the run: how many GitOps objects deploy content k8sec did not render, and
    /// which.
    fn note_unrendered(&mut self, elsewhere: Vec<(String, PathBuf)>) {
        let Some((_, path)) = elsewhere.first() else {
            return;
        };
        let count = elsewhere.len();
        let shown: Vec<&str> = elsewhere.iter().take(5).map(|(o, _)| o.as_str()).collect();
        let more = count.saturating_sub(shown.len());
        let mut list = shown.join("; ");
        if more > 0 {
            list.push_str(&format!("; and {more} more"));
        }
        let objects = if count == 1 {
            "object deploys"
        } else {
            "objects deploy"
        };
        self.ws.notes.push(Note {
            path: path.clone(),
            message: format!(
                "{count} GitOps {objects} content k8sec did not render (it lints paths of this repository only): {list}"
            ),
        });
    }

    /// Renders each chart a GitOps object deploys, with the object's values, value files and
    /// parameters on top of the run's Helm options.
    pub(super) fn render_gitops_charts(
        &mut self,
        charts: Vec<GitOpsChart>,
        options: &HelmOptions,
    ) -> Vec<DeployUnit> {
        let binary = if options.enabled {
            helm::find_helm(options)
        } else {
            None
        };
        let mut units = Vec::new();
        for GitOpsChart {
            chart,
            settings,
            by,
        } in charts
        {
            let Some(binary) = &binary else {
                self.ws.notes.push(Note {
                    path: chart,
                    message: format!("Helm chart skipped ({by} deploys it): no `helm` binary found; install helm or pass `--helm PATH` to render it"),
                });
                continue;
            };
            // Values written in the object go to helm as files of their own.
            let inline: Vec<tempfile::NamedTempFile> = settings
                .inline
                .iter()
                .filter_map(|text| {
                    let mut file = tempfile::NamedTempFile::new().ok()?;
                    file.write_all(text.as_bytes()).ok()?;
                    Some(file)
                })
                .collect();
            let mut with = options.clone();
            with.values.extend(settings.files.iter().cloned());
            with.values
                .extend(inline.iter().map(|f| f.path().to_path_buf()));
            with.set.extend(settings.set.iter().cloned());
            let mut values = options.values.clone();
            values.extend(settings.files.iter().cloned());
            if let Some(mut unit) = self.render_chart(binary, chart, &with, &values) {
                unit.deployed_by = Some(by);
                units.push(unit);
            }
        }
        units
    }
}

/// The repository holding `file`: the nearest directory above it holding `.git`, else the
/// linted path that holds it; shown relative to the working directory when below it.
fn repository_of(file: &Path, inputs: &[PathBuf], cwd: &Path) -> PathBuf {
    let absolute = source::normalize(&cwd.join(file));
    let dir = absolute.parent().unwrap_or(&absolute);
    let root = dir
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| {
            inputs
                .iter()
                .map(|i| source::normalize(&cwd.join(i)))
                .filter(|i| dir.starts_with(i))
                .max_by_key(|i| i.as_os_str().len())
        })
        .unwrap_or_else(|| dir.to_path_buf());
    match root.strip_prefix(cwd) {
        Ok(inside) if inside.as_os_str().is_empty() => PathBuf::from("."),
        Ok(inside) => inside.to_path_buf(),
        Err(_) => root,
    }
}
