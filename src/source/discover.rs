//! Finding the files to lint with the `ignore` crate's parallel walker.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use super::read::{boundary_of, escapes, special_kind, ReadError, DEFAULT_MAX_FILE_SIZE};
use super::{IoProblem, PathGlobs};

/// How to walk and read.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// Paths matching these globs (relative to the configuration's folder) are not walked.
    pub exclude: Option<PathGlobs>,
    /// Walker threads; 0 lets the crate choose.
    pub threads: usize,
    /// Files larger than this many bytes are not read (`--max-file-size`).
    pub max_file_size: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            exclude: None,
            threads: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to read, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Helm chart directories (they hold `Chart.yaml`); their templates are not YAML.
    pub charts: Vec<PathBuf>,
    pub problems: Vec<IoProblem>,
    /// What the walk left alone, and why (a FIFO, a symlink out of the repository, an
    /// unreadable ignore file): notes for the user.
    pub skipped: Vec<IoProblem>,
}

const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// Walks `paths`. Directories are walked honouring `.gitignore`, `.ignore` and `.k8secignore`
/// and only their `*.yaml`, `*.yml` and `*.json` files are taken; a file named explicitly is
/// always taken, whatever its name. Never taken: special files (FIFOs, sockets, devices: an
/// explicit one is a problem, a walked one a note) and symlinks that lead out of the
/// repository ([`boundary_of`]; a note).
pub fn discover(paths: &[PathBuf], options: &WalkOptions) -> Discovery {
    let mut found = Discovery::default();
    let mut roots = Vec::new();
    for path in paths {
        // A file named on the command line (pre-commit names every changed file) that is a
        // symlink out of its repository; a directory named is itself the root of its walk.
        let is_dir = std::fs::metadata(path).is_ok_and(|m| m.is_dir());
        if let Some(skip) = leaves_repository(path, &[]).filter(|_| !is_dir) {
            found.skipped.push(skip);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            Ok(meta) if special_kind(meta.file_type()).is_some() => {
                let kind = special_kind(meta.file_type()).unwrap_or_default();
                found.problems.push(IoProblem {
                    path: path.clone(),
                    message: ReadError::NotRegular(kind).to_string(),
                });
            }
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
    // A directory whose ignore file is a FIFO or device is not walked (the walker would wait
    // on it forever); an ignore file that cannot be read or parsed is named in a note.
    let ignore_notes = Arc::new(Mutex::new(Vec::new()));
    let roots: Vec<PathBuf> = roots
        .iter()
        .filter(|root| ignore_files_ok(root, &ignore_notes))
        .cloned()
        .collect();
    let Some(first) = roots.first() else {
        found.skipped.append(&mut lock(&ignore_notes));
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for root in &roots[1..] {
        builder.add(root);
    }
    let notes = Arc::clone(&ignore_notes);
    builder
        .add_custom_ignore_filename(".k8secignore")
        // Honour .gitignore even when the tree is not (yet) a Git checkout.
        .require_git(false)
        .filter_entry(move |entry| {
            !entry.file_type().is_some_and(|t| t.is_dir()) || ignore_files_ok(entry.path(), &notes)
        })
        .threads(options.threads);
    let roots = &roots[..];
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
                match refusal(path, entry.file_type(), roots) {
                    Some(skip) => lock(shared).skipped.push(skip),
                    None => lock(shared).files.push(path.to_path_buf()),
                }
            }
            WalkState::Continue
        })
    });
    *found = shared
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    found.skipped.append(&mut lock(&ignore_notes));
}

/// The ignore files a walk reads in each directory.
const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".k8secignore"];

/// Whether the walk may enter `dir`: `false` (with a note) when one of its ignore files is a
/// special file; an ignore file that cannot be read or parsed only gets a note.
fn ignore_files_ok(dir: &Path, notes: &Mutex<Vec<IoProblem>>) -> bool {
    for name in IGNORE_FILES {
        let path = dir.join(name);
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let note = |message: String| {
            lock(notes).push(IoProblem {
                path: path.clone(),
                message,
            })
        };
        if let Some(kind) = special_kind(meta.file_type()) {
            note(format!(
                "{kind} where an ignore file belongs: the directory is not walked"
            ));
            return false;
        }
        let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
        if let Some(error) = builder.add(&path) {
            note(format!("ignore file not applied in full: {error}"));
        }
    }
    true
}

/// Why a walked manifest is not taken: a special file, or a symlink out of the repository or
/// to a special file. `None`: take it.
fn refusal(
    path: &Path,
    file_type: Option<std::fs::FileType>,
    roots: &[PathBuf],
) -> Option<IoProblem> {
    let skip = |message: String| {
        Some(IoProblem {
            path: path.to_path_buf(),
            message,
        })
    };
    let file_type = file_type?;
    if let Some(kind) = special_kind(file_type) {
        return skip(ReadError::NotRegular(kind).to_string());
    }
    if !file_type.is_symlink() {
        return None;
    }
    if let Some(skip) = leaves_repository(path, roots) {
        return Some(skip);
    }
    let kind = std::fs::metadata(path)
        .ok()
        .and_then(|meta| special_kind(meta.file_type()))?;
    skip(ReadError::NotRegular(kind).to_string())
}

/// A note when `path` is a symlink whose target lies outside the repository holding it.
fn leaves_repository(path: &Path, inputs: &[PathBuf]) -> Option<IoProblem> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    escapes(path, &boundary_of(dir, inputs))?;
    Some(IoProblem {
        path: path.to_path_buf(),
        message: "a symlink that leads out of the repository: not followed".to_string(),
    })
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
