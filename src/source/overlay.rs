//! Texts that replace the disk: an editor's unsaved buffers.
//!
//! An overlay is keyed by the path of the file it stands for. The walk still decides which
//! files are taken (ignore files, `exclude`, extensions); an overlay only changes where a taken
//! file's text comes from. A buffer for a file that is not on disk yet (a new, unsaved file) is
//! taken when it lies under a walked directory and the walk would take a file of its name
//! there (its name, `exclude`; ignore files are not consulted for a file that is not on disk),
//! or when it is named as an input itself. Paths are compared once made absolute and lexically
//! normalised; symlinks are not resolved.
//!
//! Files a Kustomize build reads outside the walk, and the files `helm template` reads, still
//! come from the disk.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::discover::{is_excluded, is_helm_template, is_manifest_name};
use super::{normalize, Discovery, WalkOptions};

/// The overlays of a run, by absolute path.
#[derive(Debug, Default)]
pub struct Overlays<'a> {
    texts: HashMap<PathBuf, &'a str>,
    /// The working directory relative paths are resolved against.
    cwd: PathBuf,
}

impl<'a> Overlays<'a> {
    pub fn new(overlays: &'a BTreeMap<PathBuf, String>) -> Self {
        if overlays.is_empty() {
            return Overlays::default();
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let texts = overlays
            .iter()
            .map(|(path, text)| (absolute(&cwd, path), text.as_str()))
            .collect();
        Overlays { texts, cwd }
    }

    /// The text that replaces the file at `path` (spelled as the walk spells it), if any.
    pub fn text(&self, path: &Path) -> Option<&'a str> {
        if self.texts.is_empty() {
            return None;
        }
        self.texts.get(&absolute(&self.cwd, path)).copied()
    }

    /// Adds to `found` the overlays for files that are not on disk but that a walk of `roots`
    /// would take, named as the walk would name them (under their root's spelling). A problem
    /// reported for an input path that such an overlay stands for is dropped.
    pub fn add_unsaved(&self, found: &mut Discovery, roots: &[PathBuf], options: &WalkOptions) {
        if self.texts.is_empty() {
            return;
        }
        let taken: HashSet<PathBuf> = found.files.iter().map(|f| absolute(&self.cwd, f)).collect();
        let mut named = Vec::new();
        for (overlay, _) in self.texts.iter().filter(|(p, _)| !taken.contains(*p)) {
            if overlay.exists() {
                continue; // on disk, and the walk did not take it: it is ignored or excluded
            }
            if let Some(root) = roots.iter().find(|r| absolute(&self.cwd, r) == *overlay) {
                named.push(root.clone());
                found.files.push(root.clone());
                continue;
            }
            let under = roots.iter().filter(|r| r.is_dir()).find_map(|root| {
                let inside = overlay.strip_prefix(absolute(&self.cwd, root)).ok()?;
                Some(root.join(inside))
            });
            if let Some(path) = under.filter(|p| walk_takes(p, options)) {
                found.files.push(path);
            }
        }
        found.problems.retain(|p| !named.contains(&p.path));
        found.files.sort();
        found.files.dedup();
    }
}

/// Whether a walk would take a file at `path` (which need not exist).
fn walk_takes(path: &Path, options: &WalkOptions) -> bool {
    let excluded = options
        .exclude
        .as_ref()
        .is_some_and(|globs| path.ancestors().any(|p| is_excluded(globs, p)));
    is_manifest_name(path) && !excluded && !is_helm_template(path)
}

/// `path` made absolute against `cwd` and lexically normalised.
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    normalize(&cwd.join(path))
}
