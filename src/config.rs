//! `.k8sec.toml`: which checks run, how severe they are, and their parameters.
//!
//! The file is found upward from the working directory (or given with `--config`). Unknown
//! keys and bad values are errors naming the key and its line: a silently ignored typo in a
//! security baseline is worse than a failed run.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::de::IgnoredAny;
use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use crate::checks::{self, KubernetesVersion, Params, Selection, DEFAULT_KUBERNETES_VERSION};
use crate::diagnostic::Severity;
use crate::docs::{self, Pss};
use crate::graph::ExternalPattern;

pub(crate) const FILE_NAME: &str = ".k8sec.toml";

/// Pod Security Standards profile selecting the base set of checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Baseline,
    Restricted,
    All,
}

impl Profile {
    pub(crate) fn parse(text: &str) -> Option<Profile> {
        match text {
            "baseline" => Some(Profile::Baseline),
            "restricted" => Some(Profile::Restricted),
            "all" => Some(Profile::All),
            _ => None,
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
    /// The Kubernetes release the manifests are deployed to (top-level `kubernetes-version`):
    /// what the version-dependent checks judge against, and helm's `--kube-version`.
    pub kubernetes_version: KubernetesVersion,
    /// `[checks.<id>]`: the parameters of the checks that have some.
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

/// A configuration problem: what is wrong and, when it comes from the file, where.
///
/// It displays as it always has: `cannot read config <path>: …`, `invalid config <path>: …`
/// (TOML syntax or shape, with the parser's own line, column and snippet), `<path>:<line>: …`
/// (a bad value), or the message alone (a command-line flag).
#[derive(Debug)]
pub struct ConfigError {
    /// The configuration file, when the problem is in it.
    pub path: Option<PathBuf>,
    /// The 1-based line of the problem in the file, when known.
    pub line: Option<usize>,
    /// The 1-based column (in characters) of the problem in the file, when known.
    pub column: Option<usize>,
    /// What is wrong, without the location.
    pub message: String,
    kind: ErrorKind,
}

/// How a [`ConfigError`] displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ErrorKind {
    /// The file cannot be read.
    Unreadable,
    /// The file is not valid TOML, or its shape is wrong (an unknown key, a string where a
    /// list belongs): the message is the TOML parser's report.
    Invalid,
    /// A value in the file is wrong.
    Value,
    /// A problem outside the file (a command-line flag).
    Flag,
}

impl ConfigError {
    fn flag(message: String) -> Self {
        ConfigError {
            path: None,
            line: None,
            column: None,
            message,
            kind: ErrorKind::Flag,
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self
            .path
            .as_deref()
            .map_or_else(String::new, |p| p.display().to_string());
        match self.kind {
            ErrorKind::Unreadable => write!(f, "cannot read config {path}: {}", self.message),
            ErrorKind::Invalid => write!(f, "invalid config {path}: {}", self.message),
            ErrorKind::Value => {
                let line = self.line.unwrap_or(1);
                write!(f, "{path}:{line}: {}", self.message)
            }
            ErrorKind::Flag => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

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
    /// `[checks.<id>]`: each table is read by its check, through the registry, from the
    /// parsed document (see [`ConfigFile::check_params`]), so its errors keep their spans.
    #[serde(default, rename = "checks")]
    _checks: IgnoredAny,
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
        let text = match path {
            Some(path) => std::fs::read_to_string(path).map_err(|e| ConfigError {
                path: Some(path.to_path_buf()),
                line: None,
                column: None,
                message: e.to_string(),
                kind: ErrorKind::Unreadable,
            })?,
            None => String::new(),
        };
        let file = ConfigFile { path, text: &text };
        let (raw, checks) = file.parse()?;
        let enabled = file.enabled_checks(&raw, overrides)?;
        let fail_on = match (overrides.fail_on, &raw.fail_on) {
            (Some(level), _) => level,
            (None, Some(level)) => file.value(
                level,
                Severity::parse,
                "`fail-on` must be error, warning or info",
            )?,
            (None, None) => Severity::Warning,
        };
        let severity = file.severities(&raw.severity)?;
        let exclude = if raw.exclude.is_empty() {
            None
        } else {
            Some(file.glob_set(&raw.exclude)?)
        };
        let mut per_path_ignores = Vec::new();
        for (glob, list) in &raw.per_path_ignores {
            let set = file.glob_set(std::slice::from_ref(glob))?;
            per_path_ignores.push((set, file.check_ids(list)?));
        }
        let params = file.check_params(checks)?;
        let kubernetes_version = match &raw.kubernetes_version {
            Some(version) => file.value(
                version,
                parse_version,
                "`kubernetes-version` must look like \"1.30\"",
            )?,
            None => DEFAULT_KUBERNETES_VERSION,
        };
        let graph_external = raw
            .graph
            .external
            .iter()
            .map(|p| {
                ExternalPattern::parse(p.get_ref())
                    .map_err(|e| file.error_at(p.span(), format!("`graph.external`: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Config {
            path: path.map(Path::to_path_buf),
            enabled,
            severity,
            fail_on,
            exclude,
            per_path_ignores,
            kubernetes_version,
            params,
            helm: raw.helm,
            graph_external,
        })
    }

    /// The severity findings of `id` are reported with.
    pub(crate) fn severity_of(&self, id: &str) -> Severity {
        self.severity
            .get(id)
            .copied()
            .or_else(|| docs::doc(id).map(|d| d.severity))
            .unwrap_or(Severity::Warning)
    }

    /// Whether `per-path-ignores` turns `id` off for the file shown as `path`.
    pub(crate) fn ignored_for_path(&self, id: &str, path: &str) -> bool {
        self.per_path_ignores
            .iter()
            .any(|(globs, ids)| globs.is_match(path) && ids.iter().any(|i| i == id || i == "all"))
    }

    /// The enabled checks, ready to run with this configuration's severities, Kubernetes
    /// version and check parameters: what the pipeline runs.
    pub(crate) fn selection(&self) -> Selection<'_> {
        Selection::new(
            &self.enabled,
            |id| self.severity_of(id),
            self.kubernetes_version,
            &self.params,
        )
    }
}

/// Trust: settings that name a program to run (`[helm] binary`, and any such setting added
/// later) are honoured only from the command line, `PATH`, or a configuration file outside the
/// scanned repositories. A *repository configuration* is a file whose real path lies inside
/// the repository of a linted path or of the working directory — the nearest ancestor holding
/// `.git`, else the path itself ([`crate::source::boundary_of`], the boundary every reader
/// keeps to). In CI that file comes from the pull request.
impl Config {
    /// Drops the program-naming settings of a repository configuration; returns the warning to
    /// print when one was set.
    pub fn distrust_repository_programs(&mut self, inputs: &[PathBuf]) -> Option<String> {
        let path = self.path.as_ref()?.canonicalize().ok()?;
        self.helm.binary.as_ref()?;
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut scanned: Vec<PathBuf> = inputs.to_vec();
        scanned.push(cwd.clone());
        let inside = scanned.iter().any(|input| {
            let input = if input.is_relative() {
                cwd.join(input)
            } else {
                input.clone()
            };
            let dir = if input.is_dir() {
                input.as_path()
            } else {
                input.parent().unwrap_or(&input)
            };
            path.starts_with(crate::source::boundary_of(
                dir,
                std::slice::from_ref(&input),
            ))
        });
        if !inside {
            return None;
        }
        let binary = self.helm.binary.take()?;
        Some(format!(
            "{}: `[helm] binary = \"{}\"` ignored: the configuration is inside the scanned \
             repository, and k8sec never runs a program a repository names (use `--helm` or \
             a helm on PATH)",
            self.path.as_deref().unwrap_or(&path).display(),
            binary.display()
        ))
    }
}

/// The configuration file's text, for reading it and locating problems in it.
struct ConfigFile<'t> {
    path: Option<&'t Path>,
    text: &'t str,
}

impl<'t> ConfigFile<'t> {
    /// The file's settings, and its `[checks]` table (each check's parameters) as parsed, with
    /// spans.
    fn parse(&self) -> Result<(RawConfig, Option<Spanned<DeValue<'t>>>), ConfigError> {
        let document = DeTable::parse(self.text).map_err(|e| self.invalid(e))?;
        let checks = document
            .get_ref()
            .iter()
            .find(|(key, _)| key.get_ref() == "checks")
            .map(|(_, value)| value.clone());
        let raw = RawConfig::deserialize(toml::de::Deserializer::from(document))
            .map_err(|e| self.invalid(e))?;
        Ok((raw, checks))
    }

    /// The file is not TOML, or not shaped as the configuration is.
    fn invalid(&self, mut error: toml::de::Error) -> ConfigError {
        error.set_input(Some(self.text));
        let (line, column) = error.span().map_or((None, None), |span| {
            let (line, column) = self.line_column(span.start);
            (Some(line), Some(column))
        });
        ConfigError {
            path: self.path.map(Path::to_path_buf),
            line,
            column,
            message: error.to_string(),
            kind: ErrorKind::Invalid,
        }
    }

    /// A bad value at byte `span` of the file.
    fn error_at(&self, span: Range<usize>, message: String) -> ConfigError {
        let (line, column) = self.line_column(span.start);
        ConfigError {
            path: self.path.map(Path::to_path_buf),
            line: Some(line),
            column: Some(column),
            message,
            kind: ErrorKind::Value,
        }
    }

    /// A value of the file, read by `parse`; one it refuses is an error saying what it `must`
    /// be: "`fail-on` must be error, warning or info, not `fatal`".
    fn value<T>(
        &self,
        value: &Spanned<String>,
        parse: impl Fn(&str) -> Option<T>,
        must: &str,
    ) -> Result<T, ConfigError> {
        parse(value.get_ref()).ok_or_else(|| {
            let message = format!("{must}, not `{}`", value.get_ref());
            self.error_at(value.span(), message)
        })
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        )
    }

    /// A check id of the file: a registered check or `all`.
    fn check_id(&self, id: &Spanned<String>) -> Result<String, ConfigError> {
        let name = id.get_ref();
        if name == "all" || docs::doc(name).is_some() {
            Ok(name.clone())
        } else {
            Err(self.error_at(id.span(), format!("unknown check `{name}`")))
        }
    }

    fn check_ids(&self, list: &[Spanned<String>]) -> Result<Vec<String>, ConfigError> {
        list.iter().map(|id| self.check_id(id)).collect()
    }

    /// The ids of the checks that run, from the profile, `select`, `extend-select` and
    /// `ignore` of the file and the command line.
    fn enabled_checks(
        &self,
        raw: &RawConfig,
        overrides: &Overrides,
    ) -> Result<Vec<&'static str>, ConfigError> {
        let profile = match (overrides.profile, &raw.profile) {
            (Some(profile), _) => profile,
            (None, Some(profile)) => self.value(
                profile,
                Profile::parse,
                "`profile` must be baseline, restricted or all",
            )?,
            (None, None) => Profile::All,
        };
        let select = match (&overrides.select, &raw.select) {
            (Some(list), _) => Some(validate_cli_ids(list)?),
            (None, Some(list)) => Some(self.check_ids(list)?),
            (None, None) => None,
        };
        let mut extend = self.check_ids(&raw.extend_select)?;
        extend.extend(validate_cli_ids(&overrides.extend_select)?);
        let mut ignore = self.check_ids(&raw.ignore)?;
        ignore.extend(validate_cli_ids(&overrides.ignore)?);
        Ok(select_checks(profile, select.as_deref(), &extend, &ignore))
    }

    /// `[severity]`: the level each listed check reports at.
    fn severities(
        &self,
        table: &BTreeMap<Spanned<String>, Spanned<String>>,
    ) -> Result<BTreeMap<String, Severity>, ConfigError> {
        let mut severity = BTreeMap::new();
        for (id, level) in table {
            let id = self.check_id(id)?;
            let must = "severity must be error, warning or info";
            let level = self.value(level, Severity::parse, must)?;
            severity.insert(id, level);
        }
        Ok(severity)
    }

    /// `[checks.<id>]`: each table read by its check's registry entry into [`Params`].
    fn check_params(&self, checks: Option<Spanned<DeValue<'t>>>) -> Result<Params, ConfigError> {
        let mut params = Params::default();
        let Some(checks) = checks else {
            return Ok(params);
        };
        let span = checks.span();
        let DeValue::Table(tables) = checks.into_inner() else {
            return Err(self.error_at(
                span,
                "`checks` must hold one `[checks.<id>]` table per check".to_string(),
            ));
        };
        for (id, table) in tables {
            let read = match checks::find(id.get_ref()) {
                Some(check) => check.params.ok_or_else(|| {
                    self.error_at(
                        id.span(),
                        format!("check `{}` has no parameters", id.get_ref()),
                    )
                })?,
                None => {
                    return Err(
                        self.error_at(id.span(), format!("unknown check `{}`", id.get_ref()))
                    )
                }
            };
            read(ValueDeserializer::from(table), &mut params).map_err(|e| self.invalid(e))?;
        }
        Ok(params)
    }

    /// The globs of `exclude` or of one `per-path-ignores` entry, each matching a path, the
    /// files under it, and (without a `/`) a file or directory of that name anywhere.
    fn glob_set(&self, globs: &[Spanned<String>]) -> Result<GlobSet, ConfigError> {
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
                    self.error_at(glob.span(), format!("bad glob `{}`: {e}", glob.get_ref()))
                })?);
            }
        }
        builder
            .build()
            .map_err(|e| ConfigError::flag(e.to_string()))
    }
}

/// The largest char boundary of `text` at or before `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn validate_cli_ids(list: &[String]) -> Result<Vec<String>, ConfigError> {
    list.iter()
        .map(|id| {
            if id == "all" || docs::doc(id).is_some() {
                Ok(id.clone())
            } else {
                Err(ConfigError::flag(format!(
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

/// "1.30" or "v1.30.2" → (1, 30).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let text = text.trim_start_matches('v');
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
