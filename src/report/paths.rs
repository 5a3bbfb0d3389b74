//! Repository-relative paths: what SARIF (`%SRCROOT%`), GitHub annotations and baselines name
//! files by, so a report means the same file wherever k8sec ran from (`k8sec lint .` at the
//! root, `k8sec lint ../deploy` from a subdirectory).
//!
//! The source root is the nearest directory at or above the working directory that holds
//! `.git` (a directory, or a file in a worktree or submodule): a CI checkout's root, which is
//! what GitHub resolves annotation and SARIF paths against. Outside a Git repository it is the
//! working directory. Paths are joined and normalized lexically (`a/../b` is `b`); nothing is
//! read but the `.git` entries of the working directory's ancestors.

use std::path::{Component, Path, PathBuf};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What a path segment of a URI keeps unencoded: RFC 3986's unreserved characters. Everything
/// else (spaces, `%`, `#`, `?`, `:`, non-ASCII) is percent-encoded as UTF-8.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The working directory and the source root above it.
#[derive(Clone, Debug)]
pub struct SrcRoot {
    cwd: PathBuf,
    root: PathBuf,
}

impl SrcRoot {
    /// `root` is the source root, `cwd` the directory reported paths are relative to; both
    /// absolute.
    pub fn new(cwd: PathBuf, root: PathBuf) -> SrcRoot {
        SrcRoot {
            cwd: normalize(&cwd),
            root: normalize(&root),
        }
    }

    /// The source root of `cwd`: the nearest ancestor (or itself) holding `.git`, else `cwd`.
    pub fn discover(cwd: &Path) -> SrcRoot {
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(cwd);
        SrcRoot::new(cwd.to_path_buf(), root.to_path_buf())
    }

    /// The source root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `shown` (a path as reports show it, relative to the working directory or absolute) as
    /// an absolute, normalized path.
    pub fn absolute(&self, shown: &str) -> PathBuf {
        normalize(&self.cwd.join(shown))
    }

    /// `shown` relative to the source root, with `/` separators; `None` when it lies outside.
    pub fn relative(&self, shown: &str) -> Option<String> {
        let absolute = self.absolute(shown);
        let rest = absolute.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = rest
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// The path reports name a file by: relative to the source root, else absolute.
    pub fn display(&self, shown: &str) -> String {
        self.relative(shown)
            .unwrap_or_else(|| self.absolute(shown).to_string_lossy().replace('\\', "/"))
    }

    /// The source root as a `file://` URI, ending in `/` (SARIF `originalUriBaseIds`).
    pub fn root_uri(&self) -> String {
        let mut uri = file_uri(&self.root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }
}

/// A relative path (`/`-separated) as a relative URI reference: each segment percent-encoded.
pub fn relative_uri(path: &str) -> String {
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// An absolute path as a `file://` URI.
pub fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let encoded = relative_uri(text.trim_start_matches('/'));
    format!("file:///{encoded}")
}

/// `path` with `.` and `..` resolved lexically (a `..` at the root stays at the root).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> SrcRoot {
        SrcRoot::new(PathBuf::from("/repo/deploy/./x/.."), PathBuf::from("/repo"))
    }

    #[test]
    fn paths_are_relative_to_the_source_root() {
        let root = root();
        assert_eq!(
            root.relative("apps/web.yaml").as_deref(),
            Some("deploy/apps/web.yaml")
        );
        assert_eq!(
            root.relative("../base/a.yaml").as_deref(),
            Some("base/a.yaml")
        );
        assert_eq!(root.relative("/repo/c.yaml").as_deref(), Some("c.yaml"));
        assert_eq!(root.relative("../../etc/passwd"), None);
        assert_eq!(root.display("../../etc/passwd"), "/etc/passwd");
        // A sibling whose name starts like the root is outside it.
        assert_eq!(root.relative("/repository/x.yaml"), None);
    }

    #[test]
    fn uris_encode_everything_but_unreserved_characters() {
        assert_eq!(
            relative_uri("apps/mÿ app/a#1%?:b.yaml"),
            "apps/m%C3%BF%20app/a%231%25%3F%3Ab.yaml"
        );
        assert_eq!(root().root_uri(), "file:///repo/");
        assert_eq!(
            file_uri(Path::new("/tmp/a b.yaml")),
            "file:///tmp/a%20b.yaml"
        );
    }
}
