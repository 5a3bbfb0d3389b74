//! A workspace kept current as its files change: what the language server lints.
//!
//! [`LiveWorkspace::load`] loads and lints as `k8sec lint` does ([`load_keeping`], then the
//! checks, then [`conclude`]) and keeps what loading knew ([`Parsed`]: every file's documents,
//! which files are build inputs, what each Kustomize build read). [`LiveWorkspace::update`]
//! then takes new texts of files it holds (an editor's buffer, a file changed on disk) and
//! redoes only what they touch, so a keystroke in a large repository costs one file's parse and
//! the checks of the units that use it, not a whole run:
//!
//! - each changed file is parsed again under its own file id, so every other file's spans (and
//!   cached findings) stay valid, and the sources get a new identity (fix caches are keyed by
//!   it);
//! - the Kustomize roots whose builds read a changed file are built again, and roots whose
//!   build failed are retried; the plain-files unit is re-derived from the kept documents when
//!   a changed file belongs to it or when the builds now consume other files;
//! - the per-resource checks run again on the changed files' objects and on rebuilt units only
//!   (the others' findings are kept, by file); the unit and graph checks run again on the units
//!   that changed;
//! - then, as [`crate::lint`] does, findings are attributed to their origin, suppressed and
//!   sorted ([`conclude`]).
//!
//! What it cannot redo in place it loads whole again, from [`Inputs`] whose overlays hold the
//! editor's buffers: a file it does not hold (new, or not taken by the walk before), a
//! kustomization (it decides which directories are build roots, which files are patches and
//! which are consumed). The findings are those a fresh load and lint of the same texts gives
//! (the tests in `live/tests.rs` compare them after each kind of change), with two exceptions a
//! full reload settles: notes (skipped charts, build warnings) are the last full load's, and a
//! non-UTF-8 generator input read by a rebuilt root is read as text.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::lint::{check_unit, conclude};
use super::load::{is_plain, load_keeping, LoadOptions, Parsed};
use crate::build::{self, FileStore};
use crate::config::Config;
use crate::diagnostic::Finding;
use crate::model::{self, Resource};
use crate::source::{self, normalize};
use crate::workspace::{DeployUnit, Inputs, LintResult, UnitKind, Workspace};
use crate::yaml::FileId;

/// How [`LiveWorkspace::update`] brought the workspace up to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Nothing to do: the texts were those already held, or belong to no input.
    Unchanged,
    /// The changed files were parsed again and only what they touch was rebuilt and checked.
    InPlace,
    /// Everything was loaded and linted again.
    Reloaded,
}

/// Findings of some checks, with how many of theirs annotations suppressed.
#[derive(Clone, Debug, Default)]
struct Found {
    findings: Vec<Finding>,
    suppressed: usize,
}

/// A loaded, linted workspace that takes changed texts one update at a time.
pub(crate) struct LiveWorkspace {
    inputs: Inputs,
    options: LoadOptions,
    /// The working directory, as the caller spells paths (an editor's path to a folder may go
    /// through a symlink the process's working directory resolves): relative input paths, and
    /// the paths of the files loaded, are relative to it.
    cwd: PathBuf,
    ws: Workspace,
    parsed: Parsed,
    /// The kustomization of every Kustomize build root, built or failed.
    roots: Vec<FileId>,
    /// The files that successful builds read (their objects are not plain files' objects).
    consumed: HashSet<FileId>,
    /// Every file read from disk (or from an overlay), by absolute, normalised path.
    by_path: HashMap<PathBuf, FileId>,
    /// Paths an update named that the last reload did not take (excluded, ignored, not a
    /// manifest): they do not cause another reload until something else does.
    outside: HashSet<PathBuf>,
    /// The version of every text loaded by the last reload (see [`version`](Self::version)).
    epoch: u64,
    /// The versions of the texts updated since.
    edited: HashMap<FileId, u64>,
    /// The per-resource findings of the plain-files unit, by file.
    plain_found: HashMap<FileId, Found>,
    /// By unit index: the plain-files unit's unit and graph findings; every finding of any other
    /// unit. `None`: to check again.
    unit_found: Vec<Option<Found>>,
    result: LintResult,
}

impl LiveWorkspace {
    /// Loads `inputs` and lints them; relative paths are relative to the working directory,
    /// which is `cwd` (spelled as the caller spells the paths it gives).
    pub(crate) fn load(
        inputs: Inputs,
        options: LoadOptions,
        config: &Config,
        cwd: PathBuf,
    ) -> LiveWorkspace {
        let mut live = LiveWorkspace {
            inputs,
            options,
            cwd,
            ws: Workspace::default(),
            parsed: Parsed::default(),
            roots: Vec::new(),
            consumed: HashSet::new(),
            by_path: HashMap::new(),
            outside: HashSet::new(),
            epoch: 0,
            edited: HashMap::new(),
            plain_found: HashMap::new(),
            unit_found: Vec::new(),
            result: LintResult::default(),
        };
        live.reload(config);
        live
    }

    /// The workspace as it stands.
    pub(crate) fn workspace(&self) -> &Workspace {
        &self.ws
    }

    /// Its findings, as [`crate::lint`] gives them.
    pub(crate) fn result(&self) -> &LintResult {
        &self.result
    }

    /// The texts that replace the disk in a reload (an editor's open buffers), by path.
    pub(crate) fn overlays_mut(&mut self) -> &mut std::collections::BTreeMap<PathBuf, String> {
        &mut self.inputs.overlays
    }

    /// The file at `path` (absolute, or relative to the working directory of the last load).
    pub(crate) fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(&normalize(&self.cwd.join(path))).copied()
    }

    /// Whether the workspace holds a file in the directory `dir` or below.
    pub(crate) fn holds_under(&self, dir: &Path) -> bool {
        let dir = normalize(&self.cwd.join(dir));
        self.by_path.keys().any(|p| p.starts_with(&dir))
    }

    /// A number that changes whenever the text of file `id` does (no two texts, of any
    /// workspace, get the same): what a cache of anything computed from positions in the text
    /// is keyed by.
    pub(crate) fn version(&self, id: FileId) -> u64 {
        self.edited.get(&id).copied().unwrap_or(self.epoch)
    }

    /// The absolute path of a file of the workspace.
    pub(crate) fn path_of(&self, id: FileId) -> PathBuf {
        normalize(&self.cwd.join(&self.ws.sources.get(id).path))
    }

    /// Loads everything again (the walk, every file, every build) and lints it.
    pub(crate) fn reload(&mut self, config: &Config) {
        let (mut ws, mut parsed) = load_keeping(&self.inputs, &self.options);
        let store = FileStore::new(&mut ws.sources, &mut parsed.docs, &mut ws.parse_errors);
        let dirs: HashSet<PathBuf> = build::kustomize_roots(&store, &parsed.kustomizations)
            .into_iter()
            .collect();
        let built: HashSet<FileId> = parsed.builds.iter().map(|(k, _)| *k).collect();
        // One root per directory: the kustomization its build used, if it built.
        let mut roots: Vec<(PathBuf, bool, FileId)> = parsed
            .kustomizations
            .iter()
            .map(|&k| {
                (
                    dir_of(&ws.sources.get(k).path).to_path_buf(),
                    !built.contains(&k),
                    k,
                )
            })
            .filter(|(dir, _, _)| dirs.contains(dir))
            .collect();
        roots.sort();
        roots.dedup_by(|a, b| a.0 == b.0);
        self.roots = roots.into_iter().map(|(_, _, k)| k).collect();
        self.consumed = consumed(&parsed.builds);
        self.unit_found = vec![None; ws.units.len()];
        self.ws = ws;
        self.parsed = parsed;
        self.by_path.clear();
        self.index_paths(0);
        self.outside.clear();
        self.epoch = next_version();
        self.edited.clear();
        self.plain_found.clear();
        self.relint(config);
    }

    /// The files at these paths now hold these texts. Redoes what they touch, in place where it
    /// can (see the module's doc), else reloads everything (with the overlays the caller keeps
    /// in [`overlays_mut`](Self::overlays_mut)).
    pub(crate) fn update(&mut self, changes: Vec<(PathBuf, String)>, config: &Config) -> Refresh {
        let mut changed: Vec<(FileId, String)> = Vec::new();
        for (path, text) in changes {
            let Some(id) = self.file_id(&path) else {
                let key = normalize(&self.cwd.join(&path));
                if self.outside.contains(&key) {
                    continue;
                }
                self.reload(config);
                if self.file_id(&path).is_none() {
                    self.outside.insert(key);
                }
                return Refresh::Reloaded;
            };
            let source = self.ws.sources.get(id);
            if source.text == text {
                continue;
            }
            // A kustomization changes what builds read; a GitOps object (or a file of a
            // directory one deploys) changes which units exist: both reload.
            if source::is_kustomization(&source.path)
                || self.parsed.in_directory.contains(&id)
                || names_gitops(&source.text)
                || names_gitops(&text)
            {
                self.reload(config);
                return Refresh::Reloaded;
            }
            changed.push((id, text));
        }
        if changed.is_empty() {
            return Refresh::Unchanged;
        }
        let ids: HashSet<FileId> = changed.iter().map(|(id, _)| *id).collect();
        for (id, text) in changed {
            self.reparse(id, text);
        }
        let was_consumed = self.consumed.clone();
        self.rebuild_roots(&ids);
        if was_consumed != self.consumed {
            self.rederive_plain_unit();
        } else {
            self.splice_plain_unit(&ids);
        }
        for id in &ids {
            self.plain_found.remove(id);
        }
        self.relint(config);
        Refresh::InPlace
    }

    /// Parses `text` as the new content of file `id`, under the same id.
    fn reparse(&mut self, id: FileId, text: String) {
        let old = self.ws.sources.get(id);
        let file = source::load_text(old.path.clone(), text.into_bytes(), old.origin.clone(), id);
        let slot = &mut self.parsed.docs[id.0 as usize];
        // A file a generator reads as text (an `.env` file) stays text: it is not YAML.
        if slot.is_some() {
            self.ws.parse_errors.retain(|(f, _)| *f != id);
            if let Some(error) = file.stream.error {
                self.ws.parse_errors.push((id, error));
            }
            let trees = file.stream.documents.into_iter().map(|d| Arc::new(d.tree));
            *slot = Some(trees.collect());
        }
        self.ws.sources.replace(id, file.source);
        self.edited.insert(id, next_version());
    }

    /// Builds again the roots that read one of `changed`, and the roots whose build failed;
    /// their units are replaced (kept in the order a load gives: by root directory).
    fn rebuild_roots(&mut self, changed: &HashSet<FileId>) {
        let reads: HashMap<FileId, &BTreeSet<FileId>> =
            self.parsed.builds.iter().map(|(k, f)| (*k, f)).collect();
        let again: Vec<FileId> = self
            .roots
            .iter()
            .copied()
            .filter(|k| match reads.get(k) {
                Some(read) => read.iter().any(|f| changed.contains(f)),
                None => true, // failed: try again
            })
            .collect();
        if again.is_empty() {
            return;
        }
        let known = self.ws.sources.len();
        let output = {
            let ws = &mut self.ws;
            let mut store =
                FileStore::new(&mut ws.sources, &mut self.parsed.docs, &mut ws.parse_errors);
            build::build_kustomizations(&mut store, &again, &self.inputs.paths)
        };
        self.index_paths(known);
        self.parsed.builds.retain(|(k, _)| !again.contains(k));
        let units = std::mem::take(&mut self.ws.units);
        let found = std::mem::take(&mut self.unit_found);
        // A rebuilt root keeps the GitOps object that deploys it.
        let deployed_by: HashMap<FileId, String> = units
            .iter()
            .filter_map(|u| match (&u.kind, &u.deployed_by) {
                (UnitKind::Kustomize { kustomization, .. }, Some(by)) => {
                    Some((*kustomization, by.clone()))
                }
                _ => None,
            })
            .collect();
        let mut kept: Vec<(DeployUnit, Option<Found>)> = units
            .into_iter()
            .zip(found)
            .filter(|(u, _)| {
                !matches!(&u.kind, UnitKind::Kustomize { kustomization, .. } if again.contains(kustomization))
            })
            .collect();
        for built in output.builds {
            self.parsed.builds.push((built.kustomization, built.files));
            let unit = DeployUnit {
                kind: UnitKind::Kustomize {
                    root: built.dir,
                    kustomization: built.kustomization,
                },
                resources: built.resources,
                deployed_by: deployed_by.get(&built.kustomization).cloned(),
            };
            kept.push((unit, None));
        }
        // Plain files first, then the builds by root directory, then the charts, as loaded.
        kept.sort_by(|(a, _), (b, _)| unit_order(&a.kind).cmp(&unit_order(&b.kind)));
        (self.ws.units, self.unit_found) = kept.into_iter().unzip();
        self.consumed = consumed(&self.parsed.builds);
    }

    /// The plain-files unit again, from the kept documents of the files that are plain now.
    fn rederive_plain_unit(&mut self) {
        let mut resources: Vec<Resource> = Vec::new();
        for (id, _) in self.ws.sources.iter() {
            resources.extend(self.plain_resources(id));
        }
        if let Some(at) = self.ws.units.iter().position(|u| u.kind == UnitKind::Files) {
            self.ws.units[at].resources = resources;
            self.unit_found[at] = None;
        }
    }

    /// The plain-files unit with the objects of the `changed` files replaced (the same files
    /// are plain as before): a file's objects are in file order, as the load puts them.
    fn splice_plain_unit(&mut self, changed: &HashSet<FileId>) {
        let Some(at) = self.ws.units.iter().position(|u| u.kind == UnitKind::Files) else {
            return;
        };
        let mut new: BTreeMap<FileId, Vec<Resource>> = changed
            .iter()
            .map(|&id| (id, self.plain_resources(id)))
            .filter(|(_, resources)| !resources.is_empty())
            .collect();
        let before = std::mem::take(&mut self.ws.units[at].resources);
        let touched = new.len() + before.iter().filter(|r| changed.contains(&r.file)).count();
        if touched == 0 {
            self.ws.units[at].resources = before;
            return;
        }
        let mut resources = Vec::with_capacity(before.len());
        for resource in before {
            while let Some(entry) = new.first_entry().filter(|e| *e.key() < resource.file) {
                resources.extend(entry.remove());
            }
            if !changed.contains(&resource.file) {
                resources.push(resource);
            }
        }
        resources.extend(new.into_values().flatten());
        self.ws.units[at].resources = resources;
        self.unit_found[at] = None;
    }

    /// The objects of file `id` if it is a plain file (none otherwise), from its documents.
    fn plain_resources(&self, id: FileId) -> Vec<Resource> {
        let file = self.ws.sources.get(id);
        if !is_plain(
            id,
            file,
            &self.parsed.build_inputs,
            &self.consumed,
            &self.parsed.in_directory,
        ) {
            return Vec::new();
        }
        let trees = self.parsed.docs.get(id.0 as usize).into_iter().flatten();
        trees.flatten().flat_map(model::resources_of).collect()
    }

    /// Indexes by path the files from `first` on.
    fn index_paths(&mut self, first: usize) {
        for (id, file) in self.ws.sources.iter().skip(first) {
            if file.origin == source::Origin::File {
                self.by_path
                    .insert(normalize(&self.cwd.join(&file.path)), id);
            }
        }
    }

    /// Runs the checks whose findings are not kept, then attributes, suppresses and sorts all.
    fn relint(&mut self, config: &Config) {
        let checks = config.selection();
        let ws = &self.ws;
        // Per-resource checks on the plain files whose findings are not kept, in parallel.
        if let Some(plain) = ws.units.iter().find(|u| u.kind == UnitKind::Files) {
            let todo: Vec<&Resource> = plain
                .resources
                .iter()
                .filter(|r| !self.plain_found.contains_key(&r.file))
                .collect();
            let done: Vec<(FileId, Found)> = todo
                .par_iter()
                .map(|resource| {
                    let mut found = Found::default();
                    found.suppressed =
                        checks.run_resource(resource, &ws.sources, &mut found.findings);
                    (resource.file, found)
                })
                .collect();
            for (file, found) in done {
                let entry = self.plain_found.entry(file).or_default();
                entry.findings.extend(found.findings);
                entry.suppressed += found.suppressed;
            }
        }
        // Every unit without kept findings, in parallel.
        let todo: Vec<usize> = (0..ws.units.len())
            .filter(|&i| self.unit_found[i].is_none())
            .collect();
        let done: Vec<(usize, Found)> = todo
            .par_iter()
            .map(|&i| {
                let unit = &ws.units[i];
                let mut found = Found::default();
                if unit.kind != UnitKind::Files {
                    for resource in &unit.resources {
                        found.suppressed +=
                            checks.run_resource(resource, &ws.sources, &mut found.findings);
                    }
                }
                found.suppressed +=
                    check_unit(&checks, ws, config, &unit.resources, &mut found.findings);
                (i, found)
            })
            .collect();
        for (i, found) in done {
            self.unit_found[i] = Some(found);
        }
        let (by_unit, suppressed) = self.gather();
        self.result = conclude(&self.ws, config, by_unit, suppressed);
    }

    /// Every unit's findings (per resource, then unit-wide, as [`crate::lint`] orders them) and
    /// how many annotations suppressed.
    fn gather(&self) -> (Vec<Vec<Finding>>, usize) {
        let mut suppressed = 0;
        let mut by_unit = Vec::with_capacity(self.ws.units.len());
        for (unit, found) in self.ws.units.iter().zip(&self.unit_found) {
            let mut findings = Vec::new();
            if unit.kind == UnitKind::Files {
                // A file's objects are consecutive: take each file's findings once, in order.
                let mut last = None;
                for resource in &unit.resources {
                    if last == Some(resource.file) {
                        continue;
                    }
                    last = Some(resource.file);
                    if let Some(kept) = self.plain_found.get(&resource.file) {
                        findings.extend(kept.findings.iter().cloned());
                        suppressed += kept.suppressed;
                    }
                }
            }
            if let Some(kept) = found {
                findings.extend(kept.findings.iter().cloned());
                suppressed += kept.suppressed;
            }
            by_unit.push(findings);
        }
        (by_unit, suppressed)
    }
}

/// A text version no other text got (see [`LiveWorkspace::version`]).
fn next_version() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The directory of a kustomization, as `build::kustomize_roots` names it.
fn dir_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new(""))
}

/// Every file that successful builds read.
fn consumed(builds: &[(FileId, BTreeSet<FileId>)]) -> HashSet<FileId> {
    builds.iter().flat_map(|(_, f)| f.iter().copied()).collect()
}

/// Where a unit goes in a workspace's list: plain files, builds by root, the directories GitOps
/// objects deploy, charts (directories and charts kept in their order: the sort is stable).
fn unit_order(kind: &UnitKind) -> (u8, Option<&Path>) {
    match kind {
        UnitKind::Files => (0, None),
        UnitKind::Kustomize { root, .. } => (1, Some(root)),
        UnitKind::Directory { .. } => (2, None),
        UnitKind::Helm { .. } => (3, None),
    }
}

/// Whether `text` may hold a Flux or Argo CD object, whose paths become units of their own:
/// an `apiVersion` with one of their API groups. Conservative (a false yes only costs a
/// reload), but not so loose that an Argo CD annotation (`argocd.argoproj.io/sync-wave`) or
/// Argo CD's own CRDs (`group: argoproj.io`) reload the folder on every keystroke.
fn names_gitops(text: &str) -> bool {
    /// How far after `apiVersion` its value is looked at (quotes, a line break and
    /// indentation, a tag, the group).
    const WINDOW: usize = 80;
    text.match_indices("apiVersion").any(|(at, key)| {
        let rest = &text[at + key.len()..];
        let mut end = rest.len().min(WINDOW);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        // The value: from its first character (after the quotes, colon and line break that
        // may come first) to the end of its line or flow entry.
        let value = rest[..end]
            .trim_start_matches(['"', '\'', ':', ' ', '\t', '\r', '\n'])
            .split(['\r', '\n', ',', '}'])
            .next()
            .unwrap_or_default();
        value.contains("fluxcd.io/") || value.contains("argoproj.io/")
    })
}

#[cfg(test)]
mod tests;
