//! `--changed-since REF`: the files a change touches, asked of the `git` command line.
//!
//! "Changed since REF" is what a pull request shows, plus what is not committed yet: the
//! files that differ between the merge base of REF and `HEAD` and the working tree (commits
//! since the branch left REF, staged and unstaged edits), and the untracked files Git does not
//! ignore. Deleted files have nothing to report on. A PR check runs `--changed-since
//! origin/main` (the base branch must be fetched); a developer runs `--changed-since main`.
//!
//! Git runs with the repository's file-system monitor turned off and without external diff
//! or text conversion programs: a scanned repository never makes k8sec run anything.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::Error;

/// The absolute paths of the files changed since `reference` in the repository holding `cwd`.
pub(crate) fn changed_files(cwd: &Path, reference: &str) -> Result<Vec<PathBuf>, Error> {
    if reference.starts_with('-') {
        return Err(Error::Git(format!("`{reference}` is not a Git ref")));
    }
    let top = git(cwd, &["rev-parse", "--show-toplevel"])
        .map_err(|e| Error::Git(format!("`--changed-since` needs a Git repository: {e}")))?;
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
    let base = git(cwd, &["merge-base", reference, "HEAD"]).map_err(|e| {
        Error::Git(format!(
            "`--changed-since {reference}`: not a Git ref with history in common with HEAD: {e}"
        ))
    })?;
    let base = base.trim();
    let diff = git(
        &top,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-ext-diff",
            "--no-textconv",
            base,
            "--",
        ],
    )
    .map_err(Error::Git)?;
    let untracked =
        git(&top, &["ls-files", "--others", "--exclude-standard", "-z"]).map_err(Error::Git)?;
    Ok(diff
        .split('\0')
        .chain(untracked.split('\0'))
        .filter(|p| !p.is_empty())
        .map(|p| top.join(p))
        .collect())
}

/// Runs `git args…` in `dir`; its stdout, or what went wrong (git's stderr).
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(["-c", "core.fsmonitor=false", "-c", "core.quotepath=off"])
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git {}: {}", args[0], stderr.trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
