//! The `k8sec` command line: parse the flags, set the run up (one way for every command),
//! call the library's pipeline, print, and exit 0, 1 or 2 ([`k8sec::ExitStatus`]).
//!
//! - `args`: the grammar (clap);
//! - `setup`: configuration discovery, worker threads, Helm options, inputs;
//! - `lint`, `graph`, `checks`: one module per command;
//! - `error`: why a command could not run.

mod args;
mod checks;
mod error;
mod git;
mod graph;
mod lint;
mod narrow;
mod outputs;
mod setup;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use k8sec::{ExitStatus, Workspace};

use args::{Cli, Command};

/// Runs the command the arguments name.
pub(crate) fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Lint(args) => matches
            .subcommand_matches("lint")
            .map_or(Ok(Vec::new()), outputs::targets)
            .and_then(|targets| lint::lint(*args, targets)),
        Command::Checks { format } => checks::list(format),
        Command::Explain { id } => checks::explain(&id),
        Command::Graph(args) => graph::graph(args),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("k8sec: error: {error}");
            ExitStatus::Error.into()
        }
    }
}

/// Unreadable paths always go to stderr; notes only when not quiet.
fn report_problems(ws: &Workspace, quiet: bool) {
    for problem in &ws.problems {
        eprintln!(
            "k8sec: error: {}: {}",
            problem.path.display(),
            problem.message
        );
    }
    if !quiet {
        for note in &ws.notes {
            eprintln!("k8sec: note: {}: {}", note.path.display(), note.message);
        }
    }
}

/// Writes to stdout; a closed pipe (`k8sec lint | head`) is not an error.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
