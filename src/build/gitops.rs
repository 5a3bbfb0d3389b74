//! GitOps objects: Flux `Kustomization` and `HelmRelease`, Argo CD `Application` and
//! `ApplicationSet`. They deploy content the manifests do not hold; k8sec lints what it can
//! reach and says how much it could not.
//!
//! What each object deploys ([`GitOpsRef::target`]):
//! - a **path of this repository**: a Flux `Kustomization`'s `spec.path`, or a Flux
//!   `HelmRelease`'s chart path, whose `sourceRef` is a `GitRepository` of this repository; an
//!   Argo CD `Application`'s `source.path` (each of `sources`) whose `repoURL` is this
//!   repository. The path is linted as a unit of its own: built when it holds a
//!   kustomization, rendered (with the `HelmRelease`'s `values`, the `Application`'s `helm`
//!   values, value files and parameters) when it holds a chart, else its manifests together;
//! - anything else (a Helm repository chart, another repository, an `ApplicationSet`'s
//!   generated applications, a path that does not exist): counted in one note.
//!
//! **This repository** is recognised by its Git remotes: a source URL is this repository's when
//! it names the same host and path as a `url` of `.git/config` (scheme, user, `.git` suffix and
//! `:`/`/` spelling aside). A `.git` that is not a directory (a worktree's pointer) is not
//! followed: nothing outside the repository is read. Flux's `GitRepository` `flux-system` in
//! namespace `flux-system` is the repository `flux bootstrap` writes to, so it is this one too.

use std::path::{Path, PathBuf};

use crate::build::knode::KNode;
use crate::source::normalize;
use crate::yaml::NodeRef;

/// One GitOps object and what it deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitOpsRef {
    /// "Flux Kustomization `flux-system/apps`".
    pub object: String,
    pub target: Target,
}

/// What a GitOps object deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A directory of this repository (lexically normalised, inside the repository).
    Path { dir: PathBuf, helm: HelmSettings },
    /// Content k8sec does not render, and why.
    Elsewhere(String),
}

/// The Helm settings a GitOps object gives its chart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelmSettings {
    /// Values files (`valueFiles`, relative to the chart), in order.
    pub files: Vec<PathBuf>,
    /// Values written in the object (`values`, `valuesObject`), as YAML or JSON text, in order.
    pub inline: Vec<String>,
    /// `--set` (and `--set-string`, marked with a leading `string:`) assignments.
    pub set: Vec<String>,
    /// Argo CD's `directory.recurse` is false: only the directory's own files.
    pub flat: bool,
}

/// An object of the run, as GitOps scanning reads it.
pub struct Object<'a> {
    pub root: NodeRef<'a>,
    /// The repository holding its file (the nearest `.git`, else the linted path).
    pub repo: &'a Path,
    /// The normalised remote URLs of that repository.
    pub remotes: &'a [String],
}

/// The GitOps objects among `objects` and what they deploy; `repositories` are the run's Flux
/// `GitRepository` objects (namespace, name, url).
pub fn scan(objects: &[Object<'_>]) -> Vec<GitOpsRef> {
    let repositories: Vec<(String, String, String)> = objects
        .iter()
        .filter(|o| is(o.root, "source.toolkit.fluxcd.io/", "GitRepository"))
        .map(|o| {
            let (ns, name) = identity(o.root);
            let url = o
                .root
                .get("spec")
                .and_then(|s| s.str_at("url"))
                .unwrap_or_default();
            (ns, name, url.to_string())
        })
        .collect();
    let mut out = Vec::new();
    for object in objects {
        let root = object.root;
        let (ns, name) = identity(root);
        let describe = |what: &str| format!("{what} `{ns}/{name}`");
        if is(root, "kustomize.toolkit.fluxcd.io/", "Kustomization") {
            let object_name = describe("Flux Kustomization");
            let target = flux_source(object, &repositories, root.get("spec"), &ns)
                .and_then(|_| {
                    path_in(
                        object.repo,
                        spec_str(root, "path").unwrap_or("."),
                        "`spec.path`",
                    )
                })
                .map(|dir| Target::Path {
                    dir,
                    helm: HelmSettings::default(),
                })
                .unwrap_or_else(Target::Elsewhere);
            out.push(GitOpsRef {
                object: object_name,
                target,
            });
        } else if is(root, "helm.toolkit.fluxcd.io/", "HelmRelease") {
            out.push(GitOpsRef {
                object: describe("Flux HelmRelease"),
                target: helm_release(object, &repositories, &ns),
            });
        } else if is(root, "argoproj.io/", "Application") {
            let spec = root.get("spec");
            let sources: Vec<NodeRef<'_>> = match spec.and_then(|s| s.get("sources")) {
                Some(list) => list.items().collect(),
                None => spec.and_then(|s| s.get("source")).into_iter().collect(),
            };
            for source in sources {
                out.push(GitOpsRef {
                    object: describe("Argo CD Application"),
                    target: argo_source(object, source),
                });
            }
        } else if is(root, "argoproj.io/", "ApplicationSet") {
            out.push(GitOpsRef {
                object: describe("Argo CD ApplicationSet"),
                target: Target::Elsewhere("the applications its generators make".to_string()),
            });
        }
    }
    out
}

/// Whether `root` is a `kind` of an API group starting with `group`.
fn is(root: NodeRef<'_>, group: &str, kind: &str) -> bool {
    root.str_at("kind") == Some(kind)
        && root
            .str_at("apiVersion")
            .is_some_and(|v| v.starts_with(group))
}

/// (namespace, name), the namespace `default` when unset.
fn identity(root: NodeRef<'_>) -> (String, String) {
    let meta = root.get("metadata");
    let get = |k: &str| {
        meta.and_then(|m| m.str_at(k))
            .unwrap_or_default()
            .to_string()
    };
    let ns = get("namespace");
    (
        if ns.is_empty() { "default".into() } else { ns },
        get("name"),
    )
}

fn spec_str<'a>(root: NodeRef<'a>, key: &str) -> Option<&'a str> {
    root.get("spec").and_then(|s| s.str_at(key))
}

/// The `sourceRef` of a Flux object is a `GitRepository` of this repository: `Ok`, else why
/// not.
fn flux_source(
    object: &Object<'_>,
    repositories: &[(String, String, String)],
    holder: Option<NodeRef<'_>>,
    namespace: &str,
) -> Result<(), String> {
    let source = holder.and_then(|h| h.get("sourceRef"));
    let kind = source
        .and_then(|s| s.str_at("kind"))
        .unwrap_or("GitRepository");
    let name = source.and_then(|s| s.str_at("name")).unwrap_or_default();
    let ns = source
        .and_then(|s| s.str_at("namespace"))
        .unwrap_or(namespace);
    if kind != "GitRepository" {
        return Err(format!("{kind} `{ns}/{name}`"));
    }
    if ns == "flux-system" && name == "flux-system" {
        return Ok(()); // the repository `flux bootstrap` writes to
    }
    match repositories.iter().find(|(n, m, _)| n == ns && m == name) {
        Some((_, _, url)) if same_repository(url, object.remotes) => Ok(()),
        Some((_, _, url)) => Err(format!("repository {url}, not this one")),
        None => Err(format!(
            "GitRepository `{ns}/{name}`, not in the linted files"
        )),
    }
}

/// A Flux `HelmRelease`: its chart path when it comes from this repository.
fn helm_release(
    object: &Object<'_>,
    repositories: &[(String, String, String)],
    ns: &str,
) -> Target {
    let chart_spec = object
        .root
        .get("spec")
        .and_then(|s| s.get("chart"))
        .and_then(|c| c.get("spec"));
    let Some(chart_spec) = chart_spec else {
        return Target::Elsewhere("a chart given by `chartRef`".to_string());
    };
    let chart = chart_spec.str_at("chart").unwrap_or_default();
    if let Err(why) = flux_source(object, repositories, Some(chart_spec), ns) {
        return Target::Elsewhere(format!("chart `{chart}` from {why}"));
    }
    let mut helm = HelmSettings::default();
    if let Some(values) = object.root.get("spec").and_then(|s| s.get("values")) {
        helm.inline.extend(json_text(values));
    }
    match path_in(object.repo, chart, "`chart`") {
        Ok(dir) => Target::Path { dir, helm },
        Err(why) => Target::Elsewhere(why),
    }
}

/// One Argo CD `Application` source.
fn argo_source(object: &Object<'_>, source: NodeRef<'_>) -> Target {
    let url = source.str_at("repoURL").unwrap_or_default();
    if let Some(chart) = source.str_at("chart") {
        return Target::Elsewhere(format!("chart `{chart}` from {url}"));
    }
    if !same_repository(url, object.remotes) {
        return Target::Elsewhere(format!("repository {url}, not this one"));
    }
    let Some(path) = source.str_at("path") else {
        return Target::Elsewhere("a source without `path`".to_string());
    };
    let dir = match path_in(object.repo, path, "`source.path`") {
        Ok(dir) => dir,
        Err(why) => return Target::Elsewhere(why),
    };
    let mut helm = HelmSettings::default();
    if let Some(h) = source.get("helm") {
        for file in h.get("valueFiles").into_iter().flat_map(|f| f.items()) {
            if let Some(f) = file.as_str() {
                helm.files.push(normalize(&dir.join(f)));
            }
        }
        if let Some(values) = h.str_at("values") {
            helm.inline.push(values.to_string());
        }
        if let Some(values) = h.get("valuesObject") {
            helm.inline.extend(json_text(values));
        }
        for p in h.get("parameters").into_iter().flat_map(|p| p.items()) {
            let (Some(name), Some(value)) = (p.str_at("name"), p.str_at("value")) else {
                continue;
            };
            let string = p.get("forceString").and_then(|f| f.as_bool()) == Some(true);
            let prefix = if string { "string:" } else { "" };
            helm.set.push(format!("{prefix}{name}={value}"));
        }
    }
    helm.flat = source
        .get("directory")
        .and_then(|d| d.get("recurse"))
        .and_then(|r| r.as_bool())
        != Some(true);
    Target::Path { dir, helm }
}

/// A node as JSON text (JSON is YAML: a values file helm reads).
fn json_text(node: NodeRef<'_>) -> Option<String> {
    let mut budget = crate::build::knode::MAX_NODES;
    let value = KNode::from_ref(node, &mut budget).ok()?.to_json();
    value.is_object().then(|| value.to_string())
}

/// `path` (relative to the repository root) as a directory of the repository: `Err` when it
/// leaves the repository (lexically, or through a symlink) or is not a directory there.
fn path_in(repo: &Path, path: &str, what: &str) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let repo_abs = normalize(&cwd.join(repo));
    let dir_abs = normalize(&repo_abs.join(path.trim_start_matches('/')));
    let Ok(inside) = dir_abs.strip_prefix(&repo_abs) else {
        return Err(format!("{what} `{path}` is outside this repository"));
    };
    if path.contains("://") {
        return Err(format!("{what} `{path}` is outside this repository"));
    }
    let real = dir_abs
        .canonicalize()
        .map_err(|_| format!("{what} `{path}` is not in this repository"))?;
    let repo_real = repo_abs.canonicalize().unwrap_or(repo_abs);
    if !real.starts_with(&repo_real) {
        return Err(format!(
            "{what} `{path}` is a symlink outside this repository"
        ));
    }
    if !real.is_dir() {
        return Err(format!(
            "{what} `{path}` is not a directory of this repository"
        ));
    }
    Ok(normalize(&repo.join(inside)))
}

/// The normalised `url`s of the remotes in `<repo>/.git/config` (none when `.git` is not a
/// directory of the repository).
pub fn remotes(repo: &Path) -> Vec<String> {
    let git = repo.join(".git");
    let is_dir = std::fs::symlink_metadata(&git).is_ok_and(|m| m.is_dir());
    if !is_dir {
        return Vec::new();
    }
    let Ok(text) = std::fs::read_to_string(git.join("config")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let (key, value) = l.trim().split_once('=')?;
            (key.trim() == "url").then(|| normalize_url(value.trim()))
        })
        .collect()
}

/// Whether a source URL names one of `remotes` (normalised).
fn same_repository(url: &str, remotes: &[String]) -> bool {
    let url = normalize_url(url);
    !url.is_empty() && remotes.contains(&url)
}

/// `https://user@GitHub.com/org/repo.git/` and `git@github.com:org/repo` → `github.com/org/repo`.
fn normalize_url(url: &str) -> String {
    let mut rest = url.trim();
    if let Some((_, after)) = rest.split_once("://") {
        rest = after;
    }
    if let Some((user, after)) = rest.split_once('@') {
        if !user.contains('/') {
            rest = after;
        }
    }
    let (host, path) = match (rest.find(':'), rest.find('/')) {
        (Some(c), Some(s)) if c < s => (&rest[..c], &rest[c + 1..]),
        (Some(c), None) => (&rest[..c], &rest[c + 1..]),
        (_, Some(s)) => (&rest[..s], &rest[s + 1..]),
        (None, None) => (rest, ""),
    };
    // A port (`host:2222/…`) is not part of the repository's name.
    let path = match path.split_once('/') {
        Some((port, tail)) if port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty() => tail,
        _ => path,
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if host.is_empty() || path.is_empty() {
        return String::new();
    }
    format!(
        "{}/{}",
        host.to_ascii_lowercase(),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_compared_by_host_and_path() {
        let same = [
            "https://github.com/acme/fleet",
            "https://github.com/acme/fleet.git",
            "https://user@GitHub.com/acme/fleet/",
            "git@github.com:acme/fleet.git",
            "ssh://git@github.com/acme/fleet",
            "ssh://git@github.com:22/acme/fleet.git",
        ];
        for url in same {
            assert_eq!(normalize_url(url), "github.com/acme/fleet", "{url}");
        }
        assert_ne!(
            normalize_url("https://github.com/acme/other"),
            "github.com/acme/fleet"
        );
        assert!(!same_repository("", &[normalize_url("")]));
    }
}
