//! What `k8sec lint` reports of what it finds: all of it, or only the findings a baseline does
//! not record (`--baseline`), about files changed since a Git ref (`--changed-since`), or about
//! the files a pre-commit hook passed (`--context`). The inputs are linted whole either way:
//! cross-resource checks need every object of a unit.

use std::path::{Path, PathBuf};

use k8sec::report::paths::SrcRoot;
use k8sec::{Baseline, LintResult, Scope, Workspace};

use super::args::LintArgs;
use super::error::Error;
use super::git;

/// How a run's findings are narrowed before they are reported.
pub(crate) struct Narrowing {
    pub root: SrcRoot,
    baseline: Option<Baseline>,
    scopes: Vec<Scope>,
}

impl Narrowing {
    /// Reads the baseline and asks Git for the changed files (before anything is loaded, so a
    /// mistake fails fast); returns the narrowing and the paths to lint.
    pub fn new(args: &LintArgs, cwd: &Path) -> Result<(Narrowing, Vec<PathBuf>), Error> {
        let root = SrcRoot::discover(cwd);
        let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
        if stdin && (args.changed_since.is_some() || !args.context.is_empty()) {
            return Err(Error::Usage(
                "`--changed-since` and `--context` read files, not stdin (`-`)",
            ));
        }
        let baseline = args
            .baseline
            .as_deref()
            .map(Baseline::read)
            .transpose()
            .map_err(Error::Baseline)?;
        let mut scopes = Vec::new();
        let mut inputs = args.paths.clone();
        if !args.context.is_empty() {
            scopes.push(context_scope(args, &root)?);
            inputs = args.context.clone();
        }
        if let Some(reference) = &args.changed_since {
            scopes.push(Scope::new(git::changed_files(cwd, reference)?));
        }
        let narrowing = Narrowing {
            root,
            baseline,
            scopes,
        };
        Ok((narrowing, inputs))
    }

    /// Drops what is not to be reported, counting it in `result`.
    pub fn apply(&self, ws: &Workspace, result: &mut LintResult) {
        self.narrow(ws, result, true);
    }

    /// Drops what is not to be fixed: as [`Narrowing::apply`], but a finding is in a scope only
    /// by its primary location (the file its fix edits).
    pub fn apply_for_fix(&self, ws: &Workspace, result: &mut LintResult) {
        self.narrow(ws, result, false);
    }

    fn narrow(&self, ws: &Workspace, result: &mut LintResult, related: bool) {
        if let Some(baseline) = &self.baseline {
            baseline.apply(ws, result, &self.root);
        }
        for scope in &self.scopes {
            scope.apply(ws, result, &self.root, related);
        }
    }
}

/// `--context DIR…`: the paths given are what to report on, and each must lie in a context
/// directory (a file outside them would silently get no report).
fn context_scope(args: &LintArgs, root: &SrcRoot) -> Result<Scope, Error> {
    let contexts: Vec<PathBuf> = args
        .context
        .iter()
        .map(|c| root.absolute(&c.to_string_lossy()))
        .collect();
    let mut paths = Vec::new();
    for path in &args.paths {
        let absolute = root.absolute(&path.to_string_lossy());
        if !contexts.iter().any(|c| absolute.starts_with(c)) {
            return Err(Error::Context(format!(
                "`{}` is not inside a `--context` directory",
                path.display()
            )));
        }
        paths.push(absolute);
    }
    Ok(Scope::new(paths))
}
