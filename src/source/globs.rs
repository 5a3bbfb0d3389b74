//! Path globs of the configuration (`exclude`, `per-path-ignores`), matched relative to the
//! folder of the file that declares them.
//!
//! A glob means the same whatever the working directory and however the linted path was typed
//! (`.`, `./repo`, `/abs/repo`, `../repo`): each path is made absolute against the working
//! directory, normalised lexically, and matched by its part below the configuration's folder.
//! A path outside that folder matches nothing.
//!
//! Each pattern remembers whether it ever matched (atomically: the walk matches from several
//! threads), so a run can warn about a glob that matches no file (a typo, a moved directory).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::normalize;

/// One pattern as written in the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobPattern {
    /// The glob as written.
    pub text: String,
    /// Its 1-based line in the configuration file.
    pub line: usize,
}

/// Globs relative to a folder, each tracked for whether it matched.
#[derive(Clone, Debug)]
pub struct PathGlobs {
    /// The absolute, normalised folder the globs are relative to.
    root: PathBuf,
    /// The working directory relative paths are resolved against.
    cwd: PathBuf,
    set: GlobSet,
    /// For each glob of `set`, the index of the pattern it was made from.
    owner: Vec<usize>,
    patterns: Vec<GlobPattern>,
    /// Per pattern: has it matched a path yet (shared by clones: the walk's copy and the
    /// configuration's are one record).
    hits: Arc<[AtomicBool]>,
}

impl PathGlobs {
    /// Globs relative to `root` (resolved against the working directory when relative). A
    /// pattern matches a path, everything under it, and, without a `/`, a file or directory of
    /// that name at any depth. The error names the pattern that is not a glob.
    pub fn new(root: &Path, patterns: Vec<GlobPattern>) -> Result<PathGlobs, (usize, String)> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut builder = GlobSetBuilder::new();
        let mut owner = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let text = pattern.text.trim_start_matches("./").trim_end_matches('/');
            let mut variants = vec![text.to_string(), format!("{text}/**")];
            if !text.contains('/') {
                variants.push(format!("**/{text}"));
            }
            for variant in variants {
                let glob = Glob::new(&variant).map_err(|e| (index, e.to_string()))?;
                builder.add(glob);
                owner.push(index);
            }
        }
        let set = builder.build().map_err(|e| (0, e.to_string()))?;
        let hits = patterns.iter().map(|_| AtomicBool::new(false)).collect();
        Ok(PathGlobs {
            root: normalize(&cwd.join(root)),
            cwd,
            set,
            owner,
            patterns,
            hits,
        })
    }

    /// The patterns, in the order given.
    pub fn patterns(&self) -> &[GlobPattern] {
        &self.patterns
    }

    /// Whether walking `input` covers the globs' whole folder (it is the folder or above it).
    pub fn covered_by(&self, input: &Path) -> bool {
        self.root.starts_with(normalize(&self.cwd.join(input)))
    }

    /// `path` below the globs' folder, `/`-separated; `None` outside it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let absolute = normalize(&self.cwd.join(path));
        let inside = absolute.strip_prefix(&self.root).ok()?;
        Some(inside.to_string_lossy().replace('\\', "/"))
    }

    /// The indices of the patterns that match `path` (each marked as having matched).
    pub fn matching(&self, path: &Path) -> Vec<usize> {
        let Some(relative) = self.relative(path) else {
            return Vec::new();
        };
        let mut found: Vec<usize> = self
            .set
            .matches(&relative)
            .into_iter()
            .map(|i| self.owner[i])
            .collect();
        found.sort_unstable();
        found.dedup();
        for &index in &found {
            self.hits[index].store(true, Ordering::Relaxed);
        }
        found
    }

    /// Whether any pattern matches `path`.
    pub fn is_match(&self, path: &Path) -> bool {
        !self.matching(path).is_empty()
    }

    /// The patterns that have matched no path so far.
    pub fn unmatched(&self) -> impl Iterator<Item = &GlobPattern> {
        self.patterns
            .iter()
            .zip(self.hits.iter())
            .filter(|(_, hit)| !hit.load(Ordering::Relaxed))
            .map(|(pattern, _)| pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(root: &str, patterns: &[&str]) -> PathGlobs {
        let patterns = patterns
            .iter()
            .enumerate()
            .map(|(i, text)| GlobPattern {
                text: text.to_string(),
                line: i + 1,
            })
            .collect();
        PathGlobs::new(Path::new(root), patterns).unwrap()
    }

    #[test]
    fn paths_match_by_their_part_below_the_root_however_spelled() {
        let g = globs("/repo", &["vendor", "apps/legacy/*.yaml"]);
        for path in [
            "/repo/vendor/x.yaml",
            "/repo/./a/../vendor",
            "/repo/sub/vendor",
        ] {
            assert!(g.is_match(Path::new(path)), "{path}");
        }
        assert!(g.is_match(Path::new("/repo/apps/legacy/old.yaml")));
        assert!(!g.is_match(Path::new("/repo/x/apps/legacy/old.yaml")));
        // Outside the root nothing matches, not even a name-anywhere pattern.
        assert!(!g.is_match(Path::new("/elsewhere/vendor/x.yaml")));
    }

    #[test]
    fn unmatched_patterns_are_remembered_across_clones() {
        let g = globs("/repo", &["vendor", "typo/**"]);
        let walk_copy = g.clone();
        assert!(walk_copy.is_match(Path::new("/repo/vendor")));
        let left: Vec<&str> = g.unmatched().map(|p| p.text.as_str()).collect();
        assert_eq!(left, ["typo/**"]);
    }

    #[test]
    fn a_bad_glob_names_its_pattern() {
        let patterns = vec![
            GlobPattern {
                text: "ok".into(),
                line: 1,
            },
            GlobPattern {
                text: "a[".into(),
                line: 2,
            },
        ];
        let error = PathGlobs::new(Path::new("/r"), patterns).unwrap_err();
        assert_eq!(error.0, 1);
    }
}
