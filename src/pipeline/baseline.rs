//! Baselines: adopt k8sec on a repository with existing findings, and fail only on new ones.
//!
//! `--write-baseline FILE` records every finding of the run by its fingerprint (check, file,
//! object, path inside the object: see [`crate::report::fingerprint`]), never by line, so a
//! baselined finding stays silent when lines are added above it or its document moves within
//! the file. `--baseline FILE` drops the findings the file holds: the report, the exit status
//! and the summary count only the others. Findings that share a fingerprint (the same object
//! twice in one file, a check that reports two things about one value) are counted: an entry
//! with `count: 2` silences two of them, and a third is new. Entries no finding
//! matched any more (fixed, or the object renamed) are *stale*: counted in the summary, and
//! dropped the next time the baseline is written.
//!
//! The file is JSON, sorted by file, object, check and path, one field per line: it diffs and
//! merges well in review.
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {
//!       "file": "apps/shop/worker.yaml",
//!       "object": "Deployment.apps/shop/worker",
//!       "check": "privileged-container",
//!       "path": "spec.template.spec.containers[worker].securityContext.privileged",
//!       "count": 1
//!     }
//!   ]
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::fingerprint::{fingerprints, Fingerprint};
use crate::report::paths::SrcRoot;
use crate::workspace::{BaselineCount, LintResult, Workspace};

/// The format version this build reads and writes.
const VERSION: u32 = 1;

/// Recorded findings: how many of each fingerprint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<Fingerprint, usize>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    object: String,
    check: String,
    path: String,
    count: usize,
}

/// Why a baseline could not be read or written.
#[derive(Debug)]
pub enum BaselineError {
    Io(PathBuf, std::io::Error),
    Invalid(PathBuf, String),
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaselineError::Io(path, error) => write!(f, "baseline {}: {error}", path.display()),
            BaselineError::Invalid(path, message) => {
                write!(f, "baseline {}: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for BaselineError {}

impl Baseline {
    /// The findings of `result`, recorded.
    pub fn of(ws: &Workspace, result: &LintResult, root: &SrcRoot) -> Baseline {
        let mut entries = BTreeMap::new();
        for print in fingerprints(ws, &result.findings, root) {
            *entries.entry(print).or_default() += 1;
        }
        Baseline { entries }
    }

    /// How many findings it records.
    pub fn len(&self) -> usize {
        self.entries.values().sum()
    }

    /// Whether it records nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| BaselineError::Io(path.to_path_buf(), e))?;
        Baseline::parse(&text)
            .map_err(|message| BaselineError::Invalid(path.to_path_buf(), message))
    }

    /// Parses the text of a baseline file.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.version != VERSION {
            return Err(format!(
                "version {} is not supported (this k8sec reads version {VERSION}); write it again with --write-baseline",
                file.version
            ));
        }
        let mut entries = BTreeMap::new();
        for entry in file.findings {
            let print = Fingerprint {
                file: entry.file,
                object: entry.object,
                check: entry.check,
                path: entry.path,
            };
            *entries.entry(print).or_default() += entry.count;
        }
        Ok(Baseline { entries })
    }

    /// The file's text: sorted, pretty JSON ending in a newline.
    pub fn to_json(&self) -> String {
        let file = BaselineFile {
            version: VERSION,
            findings: self
                .entries
                .iter()
                .map(|(print, &count)| Entry {
                    file: print.file.clone(),
                    object: print.object.clone(),
                    check: print.check.clone(),
                    path: print.path.clone(),
                    count,
                })
                .collect(),
        };
        // Plain strings and numbers: serializing cannot fail.
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the file (atomically: a temporary file renamed over it).
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let error = |e: std::io::Error| BaselineError::Io(path.to_path_buf(), e);
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(error)?;
        std::io::Write::write_all(&mut file, self.to_json().as_bytes()).map_err(error)?;
        file.persist(path).map_err(|e| error(e.error))?;
        Ok(())
    }

    /// Drops from `result` the findings this baseline records (as many of each fingerprint as
    /// it counts, the first ones in report order) and records what it matched and what is
    /// stale in `result.baseline`.
    pub fn apply(&self, ws: &Workspace, result: &mut LintResult, root: &SrcRoot) {
        let mut left = self.entries.clone();
        let prints = fingerprints(ws, &result.findings, root);
        let mut keep = prints.iter().map(|print| match left.get_mut(print) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        });
        let before = result.findings.len();
        result.findings.retain(|_| keep.next().unwrap_or(true));
        result.baseline = Some(BaselineCount {
            matched: before - result.findings.len(),
            stale: left.values().sum(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(check: &str, path: &str) -> Fingerprint {
        Fingerprint {
            file: "a.yaml".into(),
            object: "Pod/default/web".into(),
            check: check.into(),
            path: path.into(),
        }
    }

    #[test]
    fn the_file_round_trips_sorted() {
        let mut baseline = Baseline::default();
        baseline.entries.insert(print("z-check", "spec"), 2);
        baseline.entries.insert(print("a-check", "spec.x"), 1);
        let text = baseline.to_json();
        assert!(text.find("a-check").unwrap() < text.find("z-check").unwrap());
        assert_eq!(Baseline::parse(&text).unwrap(), baseline);
        assert_eq!(baseline.len(), 3);
    }

    #[test]
    fn other_versions_and_unknown_fields_are_refused() {
        assert!(Baseline::parse(r#"{"version": 2, "findings": []}"#)
            .unwrap_err()
            .contains("version 2"));
        assert!(Baseline::parse(r#"{"version": 1, "findings": [], "x": 1}"#).is_err());
    }
}
