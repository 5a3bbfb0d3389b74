//! Why a command could not run: printed as `k8sec: error: <message>`, and the run exits 2.

use std::fmt;

use k8sec::config::ConfigError;
use k8sec::BaselineError;

#[derive(Debug)]
pub(crate) enum Error {
    /// The configuration could not be read or is invalid (in the file, or in the flags); the
    /// error names the file and the line of the offending key.
    Config(ConfigError),
    /// Flags that do not go together.
    Usage(&'static str),
    /// Standard input could not be read.
    Stdin(std::io::Error),
    /// `--focus` is malformed, or names no object of the inputs.
    Focus(String),
    /// `k8sec explain` of an id that no check has.
    UnknownCheck(String),
    /// The check list could not be printed as JSON.
    Json(serde_json::Error),
    /// `--helm` names no executable file.
    Helm(String),
    /// `--baseline` could not be read, or `--write-baseline` written.
    Baseline(BaselineError),
    /// `--changed-since`: not in a Git repository, an unknown ref, git missing.
    Git(String),
    /// A report could not be written to its `--output` file.
    Output(std::path::PathBuf, std::io::Error),
    /// A path given with `--context` is not under the context directories.
    Context(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(error) => write!(f, "{error}"),
            Error::Usage(message) => f.write_str(message),
            Error::Stdin(error) => write!(f, "cannot read stdin: {error}"),
            Error::Focus(message) => f.write_str(message),
            Error::UnknownCheck(id) => {
                write!(f, "unknown check `{id}` (see `k8sec checks` for the list)")
            }
            Error::Json(error) => write!(f, "{error}"),
            Error::Helm(message) => f.write_str(message),
            Error::Baseline(error) => write!(f, "{error}"),
            Error::Git(message) | Error::Context(message) => f.write_str(message),
            Error::Output(path, error) => {
                write!(f, "cannot write the report to {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Stdin(error) => Some(error),
            Error::Json(error) => Some(error),
            Error::Baseline(error) => Some(error),
            Error::Output(_, error) => Some(error),
            _ => None,
        }
    }
}
