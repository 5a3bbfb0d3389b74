//! The `k8sec` command line: parse the flags, set the run up (one way for every command),
//! call the library's pipeline, print, and exit 0, 1 or 2 ([`k8sec::ExitStatus`]).
//!
//! - `args`: the grammar (clap);
//! - `setup`: configuration discovery, worker threads, Helm options, inputs;
//! - `lint`, `graph`, `checks`, `lsp`: one module per command;
//! - `error`: why a command could not run.

mod args;
mod checks;
mod error;
mod git;
mod graph;
mod lint;
mod lsp;
mod narrow;
mod outputs;
mod setup;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use k8sec::report::escape::{escape, escape_keeping};
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
        Command::Lsp => Ok(lsp::lsp()),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            // A configuration error quotes the file's lines: its own line breaks stay.
            let message = error.to_string();
            say("error", None, &escape_keeping(&message, &['\n']));
            ExitStatus::Error.into()
        }
    }
}

/// Unreadable paths always go to stderr; notes only when not quiet.
fn report_problems(ws: &Workspace, quiet: bool) {
    for problem in &ws.problems {
        let path = problem.path.to_string_lossy();
        say("error", Some(&path), &escape(&problem.message));
    }
    if !quiet {
        for note in &ws.notes {
            let path = note.path.to_string_lossy();
            say("note", Some(&path), &escape(&note.message));
        }
    }
}

/// `k8sec: <level>: [<path>: ]<message>` on stderr. The path is escaped here (file names come
/// from the scanned repository); `message` must be escaped by the caller, who knows which of
/// its parts are untrusted.
fn say(level: &str, path: Option<&str>, message: &str) {
    match path {
        Some(path) => stderr_line(&format!("k8sec: {level}: {}: {message}", escape(path))),
        None => stderr_line(&format!("k8sec: {level}: {message}")),
    }
}

/// Writes one line to stderr. A closed or full stderr is not an error: unlike `eprintln!`,
/// this never panics.
fn stderr_line(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// Writes to stdout; a closed pipe (`k8sec lint | head`) is not an error.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
