//! One set-up for every command that reads manifests: the configuration (`--config`, else
//! the nearest `.k8sec.toml` at or above the paths linted), the worker threads, how charts are
//! rendered (`[helm]`, `kubernetes-version` and the helm flags) and the inputs (stdin read once).
//! `k8sec lint` and `k8sec graph` therefore load the same workspace from the same inputs.

use std::io::Read;
use std::path::{Path, PathBuf};

use k8sec::config::{self, Config, Overrides};
use k8sec::{HelmFlags, Inputs, LoadOptions, Workspace};

use super::error::Error;
use super::{say, stderr_line};
use k8sec::report::escape::escape;

/// Most worker threads `-j` may ask for: more only costs memory (each thread has its stack),
/// and under a memory limit a thousand threads cannot even start.
const MAX_THREADS: usize = 64;

/// What a command loads, and with which configuration.
pub(crate) struct Run {
    pub config: Config,
    pub options: LoadOptions,
    pub inputs: Inputs,
}

/// The configuration: the file `--config` names, else the nearest `.k8sec.toml` at or above
/// the `paths` linted (see [`config::discover`]; `-` counts as `stdin_name`'s folder, else the
/// working directory), else the defaults; `overrides` on top.
pub(crate) fn config(
    explicit: Option<PathBuf>,
    paths: &[PathBuf],
    stdin_name: Option<&Path>,
    overrides: &Overrides,
) -> Result<Config, Error> {
    let path = match explicit {
        Some(path) => Some(path),
        None => config::discover(paths, stdin_name).map_err(Error::Config)?,
    };
    Config::load(path.as_deref(), overrides).map_err(Error::Config)
}

impl Run {
    /// Sizes the worker pool (`threads`; `None`: one per core), assembles the load options from
    /// `config` and `helm`, and reads the inputs: `paths`, where `-` reads one YAML stream from
    /// stdin (once), named `stdin_filename`.
    pub fn new(
        mut config: Config,
        helm: &HelmFlags,
        threads: Option<usize>,
        paths: Vec<PathBuf>,
        stdin_filename: Option<PathBuf>,
    ) -> Result<Run, Error> {
        if let Some(binary) = &helm.binary {
            if !binary.is_file() {
                return Err(Error::Helm(format!(
                    "`--helm {}`: no such file",
                    escape(&binary.to_string_lossy())
                )));
            }
        }
        if let Some(warning) = config.distrust_repository_programs(&paths) {
            say("warning", None, &escape(&warning));
        }
        let mut threads = threads.unwrap_or(0);
        if threads > MAX_THREADS {
            stderr_line(&format!(
                "k8sec: warning: `-j {threads}` lowered to {MAX_THREADS} worker threads"
            ));
            threads = MAX_THREADS;
        }
        if threads > 0 {
            // Only fails if a global pool already exists, which nothing else creates.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build_global();
        }
        let mut options = LoadOptions::from_config(&config, helm);
        options.walk.threads = threads;
        let limit = helm
            .max_file_size
            .unwrap_or(k8sec::source::DEFAULT_MAX_FILE_SIZE);
        let inputs = read_inputs(paths, stdin_filename, limit)?;
        Ok(Run {
            config,
            options,
            inputs,
        })
    }
}

/// The paths to read; `-` reads one YAML stream from stdin (once), named `stdin_filename`.
/// Stdin is read up to `limit` bytes (`--max-file-size`), as any file.
fn read_inputs(
    paths: Vec<PathBuf>,
    stdin_filename: Option<PathBuf>,
    limit: u64,
) -> Result<Inputs, Error> {
    let mut inputs = Inputs::default();
    for path in paths {
        if path.as_os_str() != "-" {
            inputs.paths.push(path);
            continue;
        }
        if inputs.stdin.is_some() {
            return Err(Error::Usage("`-` (stdin) can be given only once"));
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(Error::Stdin)?;
        if bytes.len() as u64 > limit {
            return Err(Error::Stdin(std::io::Error::other(format!(
                "larger than the {} MB limit (raise it with `--max-file-size`)",
                limit / (1024 * 1024)
            ))));
        }
        let name = stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        inputs.stdin = Some((name, bytes));
    }
    Ok(inputs)
}

/// Warns, on stderr, about each `exclude` or `per-path-ignores` glob that matched no file of
/// the run (see [`Config::unmatched_globs`]).
pub(crate) fn warn_unmatched_globs(run: &Run, ws: &Workspace) {
    let read = ws.sources.iter().map(|(_, file)| file.path.as_path());
    for warning in run.config.unmatched_globs(&run.inputs.paths, read) {
        // The glob is the repository's text.
        say("warning", None, &escape(&warning));
    }
}
