//! `.k8sec.toml`: which checks run, how severe they are, and their parameters.
//!
//! The file is found from the linted paths: the nearest `.k8sec.toml` at or above each path
//! given (see [`discover`]), or given with `--config`. Its path globs (`exclude`,
//! `per-path-ignores`) and `[helm] values` are relative to its folder, so a configuration means
//! the same whatever the working directory and however the path was typed. Unknown keys and bad
//! values are errors naming the key and its line: a silently ignored typo in a security baseline
//! is worse than a failed run.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use crate::checks::{self, KubernetesVersion, Params, Selection, DEFAULT_KUBERNETES_VERSION};
use crate::diagnostic::Severity;
use crate::docs::{self, Pss};
use crate::graph::ExternalPattern;
use crate::source::{self, normalize, GlobPattern, PathGlobs};

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
    /// The checks selected by their id (in `select` or `extend-select`, of the file or the
    /// command line), not through `all`, a category or the defaults: a finding they make is
    /// never folded into a stronger check's.
    pub named: Vec<&'static str>,
    pub severity: BTreeMap<String, Severity>,
    pub fail_on: Severity,
    /// `exclude`: paths the walk skips, relative to the file's folder.
    pub exclude: Option<PathGlobs>,
    /// `[per-path-ignores]`: the globs (relative to the file's folder) and, for each pattern
    /// in order, the check ids it turns off.
    pub per_path_ignores: Option<(PathGlobs, Vec<Vec<String>>)>,
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
    /// Values files passed to every chart (`--values`), relative to the configuration file's
    /// folder (resolved when the file is loaded).
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

/// The configuration of a run over `paths` (`-` is standard input, placed at `stdin_name`
/// when given, else in the working directory): the nearest `.k8sec.toml` at or above each path
/// (a directory itself, a file's folder), as ruff finds its configuration.
///
/// A run has one configuration: the checks it runs, their severities and parameters, and the
/// graph of each unit do not change from file to file. When the paths given have different
/// nearest configurations (or some have one and some none) the run stops with an error naming
/// both, rather than applying one project's security baseline to another's files.
pub fn discover(
    paths: &[PathBuf],
    stdin_name: Option<&Path>,
) -> Result<Option<PathBuf>, ConfigError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let start_of = |path: &Path| -> PathBuf {
        if path.as_os_str() == "-" {
            let named = stdin_name.and_then(Path::parent).unwrap_or(Path::new(""));
            return normalize(&cwd.join(named));
        }
        let absolute = normalize(&cwd.join(path));
        if absolute.is_dir() {
            absolute
        } else {
            absolute
                .parent()
                .map_or(absolute.clone(), Path::to_path_buf)
        }
    };
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut chosen: Option<(&Path, Option<PathBuf>)> = None;
    for path in paths {
        let found = find(&start_of(path));
        match &chosen {
            None => chosen = Some((path, found)),
            Some((first, config)) if *config != found => {
                let name = |c: &Option<PathBuf>| {
                    c.as_ref().map_or("no configuration".to_string(), |p| {
                        format!("`{}`", p.display())
                    })
                };
                return Err(ConfigError::flag(format!(
                    "`{}` and `{}` have different configurations ({} and {}): lint them in separate runs, or choose one with `--config`",
                    first.display(),
                    path.display(),
                    name(config),
                    name(&found),
                )));
            }
            Some(_) => {}
        }
    }
    // Shown relative to the working directory when it is below it, as the paths are.
    let shown = |config: PathBuf| match config.strip_prefix(&cwd) {
        Ok(inside) => inside.to_path_buf(),
        Err(_) => config,
    };
    Ok(chosen.and_then(|(_, config)| config).map(shown))
}

/// The largest configuration file read: far above any real one.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// The text of the configuration file at `path`, read as every file of a scanned repository
/// is: a regular file (never a FIFO), bounded, and not through a symlink that leaves its
/// repository — a `.k8sec.toml` linked to a credentials file would otherwise print that file's
/// lines in a parse error.
fn read_config(path: &Path) -> Result<String, String> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let boundary = source::boundary_of(&dir, std::slice::from_ref(&dir));
    if let Some(target) = source::escapes(path, &boundary) {
        return Err(format!(
            "a symlink that leads out of the repository (to {}): not followed",
            target.display()
        ));
    }
    let bytes = source::read_file(path, MAX_CONFIG_SIZE).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

impl Config {
    /// Configuration from the file at `path` (if any) and the command-line overrides.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let text = match path {
            Some(path) => read_config(path).map_err(|message| ConfigError {
                path: Some(path.to_path_buf()),
                line: None,
                column: None,
                message,
                kind: ErrorKind::Unreadable,
            })?,
            None => String::new(),
        };
        let file = ConfigFile { path, text: &text };
        let (raw, checks) = file.parse()?;
        let (enabled, named) = file.enabled_checks(&raw, overrides)?;
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
        let exclude = file.path_globs(raw.exclude.iter())?;
        let per_path_ignores = match file.path_globs(raw.per_path_ignores.keys())? {
            Some(globs) => {
                let ids = raw.per_path_ignores.values().map(|l| file.check_ids(l));
                Some((globs, ids.collect::<Result<_, _>>()?))
            }
            None => None,
        };
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

        let mut helm = raw.helm;
        helm.values = helm.values.iter().map(|v| file.folder().join(v)).collect();
        Ok(Config {
            path: path.map(Path::to_path_buf),
            enabled,
            named,
            severity,
            fail_on,
            exclude,
            per_path_ignores,
            kubernetes_version,
            params,
            helm,
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

    /// Whether `per-path-ignores` turns `id` off for the file at `path` (as read): by its id,
    /// `all`, or its category.
    pub(crate) fn ignored_for_path(&self, id: &str, path: &Path) -> bool {
        let Some((globs, ids)) = &self.per_path_ignores else {
            return false;
        };
        globs.matching(path).into_iter().any(|i| {
            ids[i]
                .iter()
                .any(|c| c == id || c == "all" || docs::doc(id).is_some_and(|d| d.category == c))
        })
    }

    /// Warnings for the path globs that matched no file of the run: a typo or a moved
    /// directory, which would otherwise silently exclude or ignore nothing. `read` are the files
    /// the run read (for `per-path-ignores`; `exclude` globs remember what the walk skipped).
    /// Only when the run covered the configuration's whole folder: linting one subdirectory
    /// or a few files (a pre-commit hook) leaves most globs legitimately unmatched.
    pub fn unmatched_globs<'a>(
        &self,
        inputs: &[PathBuf],
        read: impl Iterator<Item = &'a Path>,
    ) -> Vec<String> {
        let Some(config) = &self.path else {
            return Vec::new();
        };
        let lists = [
            ("exclude", self.exclude.as_ref()),
            (
                "per-path-ignores",
                self.per_path_ignores.as_ref().map(|p| &p.0),
            ),
        ];
        let Some(any) = lists.iter().find_map(|(_, g)| *g) else {
            return Vec::new();
        };
        if !inputs.iter().any(|input| any.covered_by(input)) {
            return Vec::new();
        }
        if let Some((globs, _)) = &self.per_path_ignores {
            for path in read {
                globs.matching(path);
            }
        }
        let mut warnings = Vec::new();
        for (key, globs) in lists {
            for pattern in globs.into_iter().flat_map(PathGlobs::unmatched) {
                warnings.push(format!(
                    "{}:{}: `{key}` glob `{}` matches no file (globs are relative to this file's folder)",
                    config.display(),
                    pattern.line,
                    pattern.text,
                ));
            }
        }
        warnings
    }

    /// The enabled checks, ready to run with this configuration's severities, Kubernetes
    /// version and check parameters: what the pipeline runs.
    pub(crate) fn selection(&self) -> Selection<'_> {
        Selection::new(
            &self.enabled,
            &self.named,
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

    /// A selector of the file: a registered check, a category or `all`.
    fn check_id(&self, id: &Spanned<String>) -> Result<String, ConfigError> {
        let name = id.get_ref();
        if is_selector(name) {
            Ok(name.clone())
        } else {
            Err(self.error_at(id.span(), format!("unknown check `{name}`")))
        }
    }

    fn check_ids(&self, list: &[Spanned<String>]) -> Result<Vec<String>, ConfigError> {
        list.iter().map(|id| self.check_id(id)).collect()
    }

    /// The ids of the checks that run, from the profile, `select`, `extend-select` and
    /// `ignore` of the file and the command line; and those of them selected by id.
    fn enabled_checks(
        &self,
        raw: &RawConfig,
        overrides: &Overrides,
    ) -> Result<(Vec<&'static str>, Vec<&'static str>), ConfigError> {
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
        let enabled = select_checks(profile, select.as_deref(), &extend, &ignore);
        let named = enabled
            .iter()
            .copied()
            .filter(|id| select.iter().flatten().chain(&extend).any(|s| s == id))
            .collect();
        Ok((enabled, named))
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

    /// The folder the file's relative paths start from (the working directory without a file).
    fn folder(&self) -> &'t Path {
        self.path.and_then(Path::parent).unwrap_or(Path::new(""))
    }

    /// The globs of `exclude` or of `per-path-ignores`, relative to the file's folder (see
    /// [`PathGlobs`]); `None` when there are none.
    fn path_globs<'g>(
        &self,
        globs: impl Iterator<Item = &'g Spanned<String>>,
    ) -> Result<Option<PathGlobs>, ConfigError> {
        let globs: Vec<&Spanned<String>> = globs.collect();
        if globs.is_empty() {
            return Ok(None);
        }
        let patterns = globs
            .iter()
            .map(|g| GlobPattern {
                text: g.get_ref().clone(),
                line: self.line_column(g.span().start).0,
            })
            .collect();
        PathGlobs::new(self.folder(), patterns)
            .map(Some)
            .map_err(|(index, e)| {
                let glob = globs[index];
                self.error_at(glob.span(), format!("bad glob `{}`: {e}", glob.get_ref()))
            })
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

/// A check id, a category (`reliability`, `rbac`…) or `all`.
fn is_selector(name: &str) -> bool {
    name == "all" || docs::doc(name).is_some() || docs::is_category(name)
}

fn validate_cli_ids(list: &[String]) -> Result<Vec<String>, ConfigError> {
    list.iter()
        .map(|id| {
            if is_selector(id) {
                Ok(id.clone())
            } else {
                Err(ConfigError::flag(format!(
                    "unknown check `{id}` (see `k8sec checks` for the checks and their categories)"
                )))
            }
        })
        .collect()
}

/// The ids that run: the profile's set (or `select` when given), plus `extend`, minus
/// `ignore`, each list naming checks by id, by category or as `all`. `invalid-yaml` always
/// runs: a file we cannot read is never silently passed.
fn select_checks(
    profile: Profile,
    select: Option<&[String]>,
    extend: &[String],
    ignore: &[String],
) -> Vec<&'static str> {
    let wants = |list: &[String], doc: &docs::CheckDoc| {
        list.iter()
            .any(|i| i == doc.id || i == doc.category || i == "all")
    };
    docs::DOCS
        .iter()
        .filter(|doc| {
            let base = match select {
                Some(list) => wants(list, doc),
                None => {
                    doc.enabled
                        && match profile {
                            Profile::All => true,
                            Profile::Restricted => doc.pss != Pss::None,
                            Profile::Baseline => doc.pss == Pss::Baseline,
                        }
                }
            };
            doc.id == "invalid-yaml" || ((base || wants(extend, doc)) && !wants(ignore, doc))
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
