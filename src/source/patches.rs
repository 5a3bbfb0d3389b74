//! Files that a kustomization names as patches.
//!
//! A patch is a partial object (`kind` and `name` plus the fields it changes): linting it as a
//! resource would report every missing field. They are only ever linted through the build. The
//! same goes for the configuration files of `transformers`, `generators` and `validators`
//! (built-in plugins' settings, `apiVersion: builtin`, or refused plugins'): never objects.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use super::LoadedFile;

/// The file names a kustomization may have.
pub(crate) const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

pub fn is_kustomization(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_NAMES.contains(&n))
}

/// Normalised paths of every file named under `patches`, `patchesStrategicMerge`,
/// `patchesJson6902`, `transformers`, `generators` or `validators` of the kustomizations among
/// `files`.
pub fn patch_files(files: &[LoadedFile]) -> HashSet<PathBuf> {
    let mut out = HashSet::new();
    for file in files.iter().filter(|f| is_kustomization(&f.source.path)) {
        let dir = file.source.path.parent().unwrap_or(Path::new(""));
        for doc in &file.stream.documents {
            let root = doc.tree.root();
            for key in ["patches", "patchesJson6902"] {
                for patch in root.get(key).into_iter().flat_map(|p| p.items()) {
                    if let Some(path) = patch.str_at("path") {
                        out.insert(normalize(&dir.join(path)));
                    }
                }
            }
            for key in ["transformers", "generators", "validators"] {
                for entry in root.get(key).into_iter().flat_map(|p| p.items()) {
                    // A path, or a configuration written inline (several lines).
                    if let Some(path) = entry.as_str().filter(|p| !p.contains('\n')) {
                        out.insert(normalize(&dir.join(path)));
                    }
                }
            }
            for patch in root
                .get("patchesStrategicMerge")
                .into_iter()
                .flat_map(|p| p.items())
            {
                // Entries are file paths or inline patches (which span several lines).
                if let Some(path) = patch.as_str().filter(|p| !p.contains('\n')) {
                    out.insert(normalize(&dir.join(path)));
                }
            }
        }
    }
    out
}

/// Lexically normalised path: `a/./b/../c` → `a/c`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
