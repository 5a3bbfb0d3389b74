//! `.k8sec.toml`: which checks run, how severe they are, and their parameters.
//!
//! The file is found upward from the working directory (or given with `--config`). Unknown
//! keys and bad values are errors naming the key and its line: a silently ignored typo in a
//! security baseline is worse than a failed run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::docs::{self, Pss};
use crate::graph::ExternalPattern;

pub const FILE_NAME: &str = ".k8sec.toml";

/// Pod Security Standards profile selecting the base set of checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Baseline,
    Restricted,
    All,
}

impl Profile {
    pub fn parse(text: &str) -> Option<Profile> {
        match text {
            "baseline" => Some(Profile::Baseline),
            "restricted" => Some(Profile::Restricted),
            "all" => Some(Profile::All),
            _ => None,
        }
    }
}

/// Check parameters, with their defaults.
#[derive(Clone, Debug)]
pub struct Params {
    /// hostPath prefixes `sensitive-host-mount` reports.
    pub sensitive_host_paths: Vec<String>,
    /// Case-insensitive name fragments that mark an env var's value as a secret
    /// (`secret-in-env`).
    pub secret_env_name_patterns: Vec<String>,
    /// The same for ConfigMap keys (`secret-in-configmap`).
    pub secret_configmap_name_patterns: Vec<String>,
    /// Capabilities `added-capabilities` accepts.
    pub allowed_capabilities: Vec<String>,
    /// `run-as-root`: demand `runAsNonRoot: true` even when a non-zero `runAsUser` is set.
    pub require_run_as_non_root: bool,
    /// The Kubernetes version manifests are deployed to (top-level `kubernetes-version`), for
    /// every version-dependent check: `deprecated-api-version`, and the Pod Security checks
    /// whose rules changed between releases (`unsafe-sysctls`, `selinux-custom-options`,
    /// `unsafe-proc-mount`, `seccomp-unconfined`).
    pub kubernetes_version: (u32, u32),
}

impl Default for Params {
    fn default() -> Self {
        let secret_names: Vec<String> = [
            "password",
            "passwd",
            "secret",
            "token",
            "apikey",
            "api_key",
            "api-key",
            "private_key",
            "private-key",
            "privatekey",
            "credential",
            "access_key",
            "accesskey",
            "auth",
        ]
        .map(String::from)
        .to_vec();
        Params {
            sensitive_host_paths: [
                "/",
                "/etc",
                "/proc",
                "/sys",
                "/dev",
                "/boot",
                "/root",
                "/home",
                "/var/lib/kubelet",
                "/var/lib/docker",
                "/var/lib/containerd",
                "/var/run",
                "/run",
                "/var/log",
                "/etc/kubernetes",
                "/var/run/docker.sock",
                "/run/containerd/containerd.sock",
                "/var/run/containerd/containerd.sock",
                "/var/run/crio/crio.sock",
                "/run/crio/crio.sock",
            ]
            .map(String::from)
            .to_vec(),
            secret_configmap_name_patterns: secret_names.clone(),
            secret_env_name_patterns: secret_names,
            allowed_capabilities: vec!["NET_BIND_SERVICE".to_string()],
            require_run_as_non_root: false,
            kubernetes_version: (1, 33),
        }
    }
}

/// The effective configuration of a run (file settings merged with command-line flags).
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the file was found; `None` when no file was used.
    pub path: Option<PathBuf>,
    /// The ids of the checks that run, sorted.
    pub enabled: Vec<&'static str>,
    pub severity: BTreeMap<String, Severity>,
    pub fail_on: Severity,
    pub exclude: Option<GlobSet>,
    pub per_path_ignores: Vec<(GlobSet, Vec<String>)>,
    pub params: Params,
    /// `[graph] external`: objects created outside the repository, never reported missing.
    pub graph_external: Vec<ExternalPattern>,
    /// `[helm]`: how chart directories are rendered.
    pub helm: HelmConfig,
}

/// `[helm]` settings (command-line flags add to or override them).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HelmConfig {
    /// The helm binary; default: `helm` on `PATH`.
    pub binary: Option<PathBuf>,
    /// Values files passed to every chart (`--values`), relative to the working directory.
    #[serde(default)]
    pub values: Vec<PathBuf>,
    /// `--set` assignments passed to every chart.
    #[serde(default)]
    pub set: Vec<String>,
    /// Seconds one `helm template` may take (default 60).
    pub timeout: Option<u64>,
    /// `false` skips charts even when helm is available.
    pub enabled: Option<bool>,
}

/// Selection flags from the command line, which override or extend the file's.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub profile: Option<Profile>,
    pub fail_on: Option<Severity>,
}

/// A configuration problem, with the file and line when it comes from the file.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    profile: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    kubernetes_version: Option<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    checks: RawParams,
    #[serde(default)]
    helm: HelmConfig,
    #[serde(default)]
    graph: RawGraph,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGraph {
    #[serde(default)]
    external: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawParams {
    #[serde(rename = "sensitive-host-mount")]
    sensitive_host_mount: Option<SensitiveHostMount>,
    #[serde(rename = "secret-in-env")]
    secret_in_env: Option<SecretNames>,
    #[serde(rename = "secret-in-configmap")]
    secret_in_configmap: Option<SecretNames>,
    #[serde(rename = "added-capabilities")]
    added_capabilities: Option<AddedCapabilities>,
    #[serde(rename = "run-as-root")]
    run_as_root: Option<RunAsRoot>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SensitiveHostMount {
    paths: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SecretNames {
    name_patterns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AddedCapabilities {
    allowed: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RunAsRoot {
    require_run_as_non_root: bool,
}

/// Finds `.k8sec.toml` in `start` or its ancestors.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| p.is_file())
}

impl Config {
    /// Configuration from the file at `path` (if any) and the command-line overrides.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let (raw, text) = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError(format!("cannot read config {}: {e}", path.display()))
                })?;
                let raw: RawConfig = toml::from_str(&text).map_err(|e| {
                    ConfigError(format!("invalid config {}: {}", path.display(), e))
                })?;
                (raw, text)
            }
            None => (RawConfig::default(), String::new()),
        };
        let shown = path.map_or_else(String::new, |p| p.display().to_string());
        let at = |span: std::ops::Range<usize>| -> String {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("{shown}:{line}")
        };
        let check_id = |id: &Spanned<String>| -> Result<String, ConfigError> {
            let name = id.get_ref();
            if name == "all" || docs::doc(name).is_some() {
                Ok(name.clone())
            } else {
                Err(ConfigError(format!(
                    "{}: unknown check `{name}`",
                    at(id.span())
                )))
            }
        };
        let ids = |list: &[Spanned<String>]| -> Result<Vec<String>, ConfigError> {
            list.iter().map(check_id).collect()
        };

        let profile = match (&overrides.profile, &raw.profile) {
            (Some(p), _) => *p,
            (None, Some(p)) => Profile::parse(p.get_ref()).ok_or_else(|| {
                ConfigError(format!(
                    "{}: `profile` must be baseline, restricted or all, not `{}`",
                    at(p.span()),
                    p.get_ref()
                ))
            })?,
            (None, None) => Profile::All,
        };
        let select = match (&overrides.select, &raw.select) {
            (Some(list), _) => Some(validate_cli_ids(list)?),
            (None, Some(list)) => Some(ids(list)?),
            (None, None) => None,
        };
        let mut extend = ids(&raw.extend_select)?;
        extend.extend(validate_cli_ids(&overrides.extend_select)?);
        let mut ignore = ids(&raw.ignore)?;
        ignore.extend(validate_cli_ids(&overrides.ignore)?);

        let enabled = select_checks(profile, select.as_deref(), &extend, &ignore);

        let fail_on = match (&overrides.fail_on, &raw.fail_on) {
            (Some(s), _) => *s,
            (None, Some(s)) => Severity::parse(s.get_ref()).ok_or_else(|| {
                ConfigError(format!(
                    "{}: `fail-on` must be error, warning or info, not `{}`",
                    at(s.span()),
                    s.get_ref()
                ))
            })?,
            (None, None) => Severity::Warning,
        };

        let mut severity = BTreeMap::new();
        for (id, level) in &raw.severity {
            let id = check_id(id)?;
            let level = Severity::parse(level.get_ref()).ok_or_else(|| {
                ConfigError(format!(
                    "{}: severity must be error, warning or info, not `{}`",
                    at(level.span()),
                    level.get_ref()
                ))
            })?;
            severity.insert(id, level);
        }

        let exclude = if raw.exclude.is_empty() {
            None
        } else {
            Some(glob_set(&raw.exclude, &at)?)
        };
        let mut per_path_ignores = Vec::new();
        for (glob, list) in &raw.per_path_ignores {
            let set = glob_set(std::slice::from_ref(glob), &at)?;
            per_path_ignores.push((set, ids(list)?));
        }

        let mut params = Params::default();
        if let Some(p) = raw.checks.sensitive_host_mount {
            params.sensitive_host_paths = p.paths;
        }
        let lowercase = |p: SecretNames| -> Vec<String> {
            p.name_patterns
                .into_iter()
                .map(|s| s.to_ascii_lowercase())
                .collect()
        };
        if let Some(p) = raw.checks.secret_in_env {
            params.secret_env_name_patterns = lowercase(p);
        }
        if let Some(p) = raw.checks.secret_in_configmap {
            params.secret_configmap_name_patterns = lowercase(p);
        }
        if let Some(p) = raw.checks.added_capabilities {
            params.allowed_capabilities = p.allowed;
        }
        if let Some(p) = raw.checks.run_as_root {
            params.require_run_as_non_root = p.require_run_as_non_root;
        }
        if let Some(version) = &raw.kubernetes_version {
            params.kubernetes_version = parse_version(version.get_ref()).ok_or_else(|| {
                ConfigError(format!(
                    "{}: `kubernetes-version` must look like \"1.30\", not `{}`",
                    at(version.span()),
                    version.get_ref()
                ))
            })?;
        }

        let graph_external = raw
            .graph
            .external
            .iter()
            .map(|p| {
                ExternalPattern::parse(p.get_ref())
                    .map_err(|e| ConfigError(format!("{}: `graph.external`: {e}", at(p.span()))))
            })
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Config {
            path: path.map(Path::to_path_buf),
            enabled,
            severity,
            fail_on,
            exclude,
            per_path_ignores,
            params,
            helm: raw.helm,
            graph_external,
        })
    }

    /// The severity findings of `id` are reported with.
    pub fn severity_of(&self, id: &str) -> Severity {
        self.severity
            .get(id)
            .copied()
            .or_else(|| docs::doc(id).map(|d| d.severity))
            .unwrap_or(Severity::Warning)
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.enabled.binary_search(&id).is_ok()
    }

    /// Whether `per-path-ignores` turns `id` off for the file shown as `path`.
    pub fn ignored_for_path(&self, id: &str, path: &str) -> bool {
        self.per_path_ignores
            .iter()
            .any(|(globs, ids)| globs.is_match(path) && ids.iter().any(|i| i == id || i == "all"))
    }
}

fn validate_cli_ids(list: &[String]) -> Result<Vec<String>, ConfigError> {
    list.iter()
        .map(|id| {
            if id == "all" || docs::doc(id).is_some() {
                Ok(id.clone())
            } else {
                Err(ConfigError(format!(
                    "unknown check `{id}` (see `k8sec checks` for the list)"
                )))
            }
        })
        .collect()
}

/// The ids that run: the profile's set (or `select` when given), plus `extend`, minus
/// `ignore`. `invalid-yaml` always runs: a file we cannot read is never silently passed.
fn select_checks(
    profile: Profile,
    select: Option<&[String]>,
    extend: &[String],
    ignore: &[String],
) -> Vec<&'static str> {
    let wants = |list: &[String], id: &str| list.iter().any(|i| i == id || i == "all");
    docs::DOCS
        .iter()
        .filter(|doc| {
            let base = match select {
                Some(list) => wants(list, doc.id),
                None => {
                    doc.enabled
                        && match profile {
                            Profile::All => true,
                            Profile::Restricted => doc.pss != Pss::None,
                            Profile::Baseline => doc.pss == Pss::Baseline,
                        }
                }
            };
            doc.id == "invalid-yaml" || ((base || wants(extend, doc.id)) && !wants(ignore, doc.id))
        })
        .map(|doc| doc.id)
        .collect()
}

fn glob_set(
    globs: &[Spanned<String>],
    at: &dyn Fn(std::ops::Range<usize>) -> String,
) -> Result<GlobSet, ConfigError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let pattern = glob
            .get_ref()
            .trim_start_matches("./")
            .trim_end_matches('/');
        for variant in [
            pattern.to_string(),
            format!("{pattern}/**"),
            format!("**/{pattern}"),
        ] {
            if variant.starts_with("**/") && pattern.contains('/') {
                continue;
            }
            builder.add(Glob::new(&variant).map_err(|e| {
                ConfigError(format!(
                    "{}: bad glob `{}`: {e}",
                    at(glob.span()),
                    glob.get_ref()
                ))
            })?);
        }
    }
    builder.build().map_err(|e| ConfigError(e.to_string()))
}

/// "1.30" or "v1.30.2" → (1, 30).
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let text = text.trim_start_matches('v');
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
