//! Inputs that need building before they can be linted: Kustomize overlays (built natively)
//! and Helm charts (rendered by `helm template`, or piped in already rendered).
//!
//! Both produce deployment units whose every node keeps a span into a real file — the base,
//! the patch or the kustomization line for Kustomize; the template's rendered document for
//! Helm — so findings point where a developer can act.

pub mod gitops;
pub mod helm;
pub mod helm_map;
pub mod knode;
pub(crate) mod kustomize;
mod store;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::source::boundary_of;
pub use store::FileStore;

use crate::model::Resource;
use crate::source::normalize;
use crate::workspace::Note;
use crate::yaml::FileId;

/// One Kustomize build root's output.
#[derive(Debug)]
pub struct KustomizeBuild {
    /// The root's directory, as discovered.
    pub dir: PathBuf,
    /// The root's kustomization file.
    pub kustomization: FileId,
    /// The objects the build produced, every node spanned at its origin.
    pub resources: Vec<Resource>,
    /// Every file the build read: a change to one of them changes this build's output.
    pub files: BTreeSet<FileId>,
}

/// What building every Kustomize root of a run gave.
#[derive(Debug, Default)]
pub struct KustomizeOutput {
    /// One per root that built.
    pub builds: Vec<KustomizeBuild>,
    /// Files read by successful builds: not linted again as plain files.
    pub consumed: HashSet<FileId>,
    /// Refusals, unsupported fields and failed builds, for the user.
    pub notes: Vec<Note>,
}

/// The directories of the kustomizations among `files` that are build roots: not a
/// `kind: Component` and not included (as a resource, base or component) by another
/// kustomization of the run. Sorted.
pub fn kustomize_roots(store: &FileStore<'_>, files: &[FileId]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut included: HashSet<PathBuf> = HashSet::new();
    for &id in files {
        let path = &store.sources.get(id).path;
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let Some(Some(docs)) = store.docs.get(id.0 as usize) else {
            continue;
        };
        let root = docs.first().map(|t| t.root());
        let is_component = root
            .and_then(|r| r.str_at("kind"))
            .is_some_and(|k| k == "Component");
        for key in ["resources", "bases", "components"] {
            for entry in root
                .and_then(|r| r.get(key))
                .into_iter()
                .flat_map(|n| n.items())
            {
                if let Some(text) = entry.as_str() {
                    included.insert(normalize(&dir.join(text)));
                }
            }
        }
        if !is_component {
            dirs.push(dir);
        }
    }
    let mut roots: Vec<PathBuf> = dirs
        .into_iter()
        .filter(|d| !included.contains(&normalize(d)))
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

/// Notes for the kustomizations among `files` that include themselves through others (`a`
/// includes `b`, which includes `a`): no root reaches them, so they are never built and
/// their files are linted as plain manifests — the user must hear why.
fn cycle_notes(store: &FileStore<'_>, files: &[FileId]) -> Vec<Note> {
    let mut edges: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for &id in files {
        let path = &store.sources.get(id).path;
        let dir = normalize(path.parent().unwrap_or(Path::new("")));
        let Some(Some(docs)) = store.docs.get(id.0 as usize) else {
            continue;
        };
        let root = docs.first().map(|t| t.root());
        let targets = edges.entry(dir.clone()).or_default();
        for key in ["resources", "bases", "components"] {
            let entries = root
                .and_then(|r| r.get(key))
                .into_iter()
                .flat_map(|n| n.items());
            targets.extend(
                entries
                    .filter_map(|e| e.as_str())
                    .map(|t| normalize(&dir.join(t))),
            );
        }
    }
    let reaches_itself = |start: &PathBuf| {
        let mut seen: HashSet<&PathBuf> = HashSet::new();
        let mut todo: Vec<&PathBuf> = edges.get(start).into_iter().flatten().collect();
        while let Some(dir) = todo.pop() {
            if dir == start {
                return true;
            }
            if seen.insert(dir) {
                todo.extend(edges.get(dir).into_iter().flatten());
            }
        }
        false
    };
    edges
        .keys()
        .filter(|dir| reaches_itself(dir))
        .map(|dir| Note {
            path: dir.clone(),
            message: "kustomization cycle: this kustomization includes itself through its \
                      resources, bases or components; it is not built, its files are linted as \
                      plain manifests"
                .to_string(),
        })
        .collect()
}

/// Builds every root among the kustomizations `files` (in parallel-free order: builds share the
/// store of files), turning each output into resources.
pub fn build_kustomizations(
    store: &mut FileStore<'_>,
    files: &[FileId],
    inputs: &[PathBuf],
) -> KustomizeOutput {
    let mut out = KustomizeOutput {
        notes: cycle_notes(store, files),
        ..KustomizeOutput::default()
    };
    for dir in kustomize_roots(store, files) {
        let boundary = boundary_of(&dir, inputs);
        let mut notes = Vec::new();
        let result = kustomize::build(store, &dir, &boundary, &mut notes);
        out.notes.extend(notes.into_iter().map(|n| Note {
            path: n.path,
            message: n.message,
        }));
        match result {
            Ok(built) => {
                out.consumed.extend(built.files.iter().copied());
                let resources = built
                    .resources
                    .into_iter()
                    .flat_map(|r| crate::model::resources_of(&Arc::new(r.node.into_tree())))
                    .collect();
                out.builds.push(KustomizeBuild {
                    dir: built.dir,
                    kustomization: built.kustomization,
                    resources,
                    files: built.files,
                });
            }
            Err(note) => out.notes.push(Note {
                path: note.path,
                message: format!(
                    "kustomize build of `{}` failed, its files are linted as plain manifests: {}",
                    dir.display(),
                    note.message
                ),
            }),
        }
    }
    out
}

/// Builds one kustomization directory, returning how many objects it made and the work its
/// cross-object pass (name references) did: counted, not timed, so a test can show that a
/// build of thousands of objects stays linear.
pub fn build_work(dir: &Path, boundary: &Path) -> Result<(usize, usize), String> {
    build_one(dir, boundary, |built| (built.resources.len(), built.work))
}

/// Builds one kustomization directory to JSON objects, for comparing with `kubectl kustomize`.
pub fn build_to_json(dir: &Path, boundary: &Path) -> Result<Vec<serde_json::Value>, String> {
    build_one(dir, boundary, |built| {
        built.resources.iter().map(|r| r.node.to_json()).collect()
    })
}

/// Builds one kustomization directory on its own (a store of its own, notes dropped) and
/// returns what `read` takes from the output.
fn build_one<T>(
    dir: &Path,
    boundary: &Path,
    read: impl FnOnce(&kustomize::Built) -> T,
) -> Result<T, String> {
    let mut sources = crate::source::Sources::default();
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut store = FileStore::new(&mut sources, &mut docs, &mut errors);
    let mut notes = Vec::new();
    let built = kustomize::build(&mut store, dir, boundary, &mut notes)
        .map_err(|n| format!("{}: {}", n.path.display(), n.message))?;
    Ok(read(&built))
}
