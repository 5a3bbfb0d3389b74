//! One set-up for every command that reads manifests: the configuration (`--config`, else
//! `.k8sec.toml` found upward from the working directory), the worker threads, how charts are
//! rendered (`[helm]`, `kubernetes-version` and the helm flags) and the inputs (stdin read once).
//! `k8sec lint` and `k8sec graph` therefore load the same workspace from the same inputs.

use std::io::Read;
use std::path::PathBuf;

use k8sec::config::{self, Config, Overrides};
use k8sec::{HelmFlags, Inputs, LoadOptions};

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

/// The configuration: the file `--config` names, else `.k8sec.toml` in the working directory
/// or above it, else the defaults; `overrides` on top.
pub(crate) fn config(explicit: Option<PathBuf>, overrides: &Overrides) -> Result<Config, Error> {
    let path = explicit.or_else(|| {
        std::env::current_dir()
            .ok()
            .and_then(|dir| config::find(&dir))
    });
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
