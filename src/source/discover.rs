//! Finding the files to lint with the `ignore` crate's parallel walker.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::{IoProblem, PathGlobs};

/// How to walk.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Paths matching these globs (relative to the configuration's folder) are not walked.
    pub exclude: Option<PathGlobs>,
    /// Walker threads; 0 lets the crate choose.
    pub threads: usize,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to read, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Helm chart directories (they hold `Chart.yaml`); their templates are not YAML.
    pub charts: Vec<PathBuf>,
    pub problems: Vec<IoProblem>,
}

const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// Walks `paths`. Directories are walked honouring `.gitignore`, `.ignore` and `.k8secignore`
/// and only their `*.yaml`, `*.yml` and `*.json` files are taken; a file named explicitly is
/// always taken, whatever its name.
pub fn discover(paths: &[PathBuf], options: &WalkOptions) -> Discovery {
    let mut found = Discovery::default();
    let mut roots = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            Ok(_) => {
                if is_helm_template(path) {
                    found.charts.extend(chart_of(path));
                } else {
                    found.files.push(path.clone());
                }
            }
            Err(error) => found.problems.push(IoProblem {
                path: path.clone(),
                message: error.to_string(),
            }),
        }
    }
    if !roots.is_empty() {
        walk(&roots, options, &mut found);
    }
    found.files.sort();
    found.files.dedup();
    found.charts.sort();
    found.charts.dedup();
    found
}

fn walk(roots: &[PathBuf], options: &WalkOptions, found: &mut Discovery) {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder
        .add_custom_ignore_filename(".k8secignore")
        // Honour .gitignore even when the tree is not (yet) a Git checkout.
        .require_git(false)
        .threads(options.threads);
    let shared = Mutex::new(std::mem::take(found));
    builder.build_parallel().run(|| {
        let shared = &shared;
        let exclude = options.exclude.as_ref();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let path = error_path(&error).unwrap_or_default();
                    lock(shared).problems.push(IoProblem {
                        path,
                        message: error.to_string(),
                    });
                    return WalkState::Continue;
                }
            };
            let path = entry.path();
            if exclude.is_some_and(|globs| is_excluded(globs, path)) {
                return WalkState::Skip;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                if path.join("Chart.yaml").is_file() {
                    lock(shared).charts.push(path.to_path_buf());
                    return WalkState::Skip;
                }
                return WalkState::Continue;
            }
            if is_manifest_name(path) {
                lock(shared).files.push(path.to_path_buf());
            }
            WalkState::Continue
        })
    });
    *found = shared
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A visitor never panics while holding the lock; recover the data if one somehow did.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// Whether a walk takes a file of this name: `*.yaml`, `*.yml`, `*.json`, or Kustomize's
/// extension-less `Kustomization`.
pub(super) fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
        || path.file_name().is_some_and(|n| n == "Kustomization")
}

/// Whether `path` matches an exclude glob (the walk asks for every directory on the way).
pub(super) fn is_excluded(globs: &PathGlobs, path: &Path) -> bool {
    globs.is_match(path)
}

/// A file under a `templates/` directory of a Helm chart: text for Go templates, not YAML.
pub(super) fn is_helm_template(path: &Path) -> bool {
    chart_of(path).is_some()
}

/// The chart directory holding `path` in its `templates/` tree, if any.
fn chart_of(path: &Path) -> Option<PathBuf> {
    let mut dir = path.parent();
    while let Some(current) = dir {
        if current.file_name().is_some_and(|n| n == "templates") {
            let chart = current.parent()?;
            if chart.join("Chart.yaml").is_file() {
                return Some(chart.to_path_buf());
            }
        }
        dir = current.parent();
    }
    None
}
