//! Report scopes: lint everything a finding may depend on, report only about some files.
//!
//! Cross-resource checks need whole deployment units (the ServiceAccount, the RoleBinding and
//! the Role of a workload may sit in three files), so `--changed-since REF` and `--context DIR`
//! (what the pre-commit hook uses) lint all their inputs and then keep the findings *about* the
//! files in scope: a finding is in scope when its primary location, or one of its related
//! locations, is in one of those files or under one of those directories. A related location
//! counts because a change there can cause the finding: the Role that now grants `secrets`,
//! the overlay whose kustomization now includes an insecure base. Fixing (`--fix`, `--diff`)
//! keeps only the findings whose primary location is in scope: only those files are edited.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::report::paths::SrcRoot;
use crate::workspace::{LintResult, Workspace};
use crate::yaml::FileId;

/// Files and directories, as absolute normalized paths.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    paths: Vec<PathBuf>,
}

impl Scope {
    /// The scope of `paths` (absolute; a directory holds everything under it).
    pub fn new(paths: impl IntoIterator<Item = PathBuf>) -> Scope {
        let mut paths: Vec<PathBuf> = paths.into_iter().collect();
        paths.sort();
        paths.dedup();
        Scope { paths }
    }

    /// Whether `path` (absolute, normalized) is one of the paths or under one of them.
    pub fn contains(&self, path: &Path) -> bool {
        self.paths.iter().any(|p| path.starts_with(p))
    }

    /// Drops the findings of `result` that are not about a file in scope, and adds how many to
    /// `result.out_of_scope`. `related`: whether a related location in scope is enough (to
    /// report; to fix, the primary location must be in scope, so that only those files change).
    pub fn apply(&self, ws: &Workspace, result: &mut LintResult, root: &SrcRoot, related: bool) {
        let mut cache: HashMap<FileId, bool> = HashMap::new();
        let mut in_scope = |file: FileId| {
            *cache.entry(file).or_insert_with(|| {
                self.contains(&root.absolute(ws.sources.get(file).display_path()))
            })
        };
        let before = result.findings.len();
        result.findings.retain(|finding| {
            in_scope(finding.span.file)
                || related && finding.related.iter().any(|r| in_scope(r.span.file))
        });
        *result.out_of_scope.get_or_insert(0) += before - result.findings.len();
    }
}
