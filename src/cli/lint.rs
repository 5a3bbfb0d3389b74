//! `k8sec lint`: report the findings, or show (`--diff`) or apply (`--fix`) their fixes.

use std::io::{IsTerminal, Write};

use k8sec::config::Config;
use k8sec::fix::{unified_diff, FixMode};
use k8sec::report::{self, Color, Format};
use k8sec::{ExitStatus, FixCount, LintResult, Workspace};

use super::args::LintArgs;
use super::error::Error;
use super::setup::{self, Run};
use super::{report_problems, say, stderr_line, write_stdout};
use k8sec::report::escape::escape;

pub(crate) fn lint(args: LintArgs) -> Result<ExitStatus, Error> {
    let config = setup::config(
        args.config.clone(),
        &args.paths,
        args.stdin_filename.as_deref(),
        &args.overrides(),
    )?;
    if args.unsafe_fixes && !args.fix && !args.diff {
        return Err(Error::Usage(
            "`--unsafe-fixes` applies with `--fix` or `--diff`",
        ));
    }
    let run = Run::new(
        config,
        &args.helm.flags(),
        args.threads,
        args.paths,
        args.stdin_filename,
    )?;
    let ws = k8sec::load_with(&run.inputs, &run.options);
    let result = k8sec::lint(&ws, &run.config);

    let output = Output {
        format: args.format.into(),
        color: args.color.into(),
        quiet: args.quiet,
        statistics: args.statistics,
    };
    let mode = FixMode {
        unsafe_fixes: args.unsafe_fixes,
    };
    report_problems(&ws, args.quiet);
    setup::warn_unmatched_globs(&run, &ws);
    if ws.sources.is_empty() && !ws.problems.is_empty() {
        // Nothing could be read (`k8sec lint /nonexistent`): the error says it all; a report
        // of "no findings" would read as a pass.
        return Ok(ExitStatus::Error);
    }
    if args.diff {
        return Ok(diff(&ws, &result, &run.config, mode, args.quiet));
    }
    if args.fix {
        return Ok(fix(ws, &result, &run, mode, &output));
    }
    output.emit(&ws, &result, false);
    Ok(k8sec::exit_status(&ws, &result, run.config.fail_on))
}

/// How findings are printed.
struct Output {
    format: Format,
    color: Color,
    quiet: bool,
    /// `--statistics`: a count per check instead of each finding.
    statistics: bool,
}

impl Output {
    /// Prints the report to stdout, or to stderr when stdout carries a fixed text.
    fn emit(&self, ws: &Workspace, result: &LintResult, to_stderr: bool) {
        let terminal = if to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        let color = match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        let mut output = match (self.statistics, self.format) {
            (true, Format::Json) => report::statistics::render_json(result),
            (true, _) => report::statistics::render_text(result),
            (false, format) => report::render(ws, result, format, color),
        };
        let human = self.format == Format::Human && !self.statistics;
        if human && !self.quiet && !result.findings.is_empty() {
            output.push_str(report::SILENCE_HINT);
        }
        if self.quiet && human {
            // Drop the summary line.
            if let Some(cut) = output.trim_end_matches('\n').rfind('\n') {
                output.truncate(cut + 1);
            } else {
                output.clear();
            }
        }
        if let (Some(fixed), Format::Concise, false) = (result.fixed, self.format, self.quiet) {
            stderr_line(&fixed_line("Fixed", fixed));
        }
        if to_stderr {
            let _ = std::io::stderr().lock().write_all(output.as_bytes());
        } else {
            write_stdout(&output);
        }
    }
}

/// "Fixed 2 findings in 1 file." (`verb` "Fixed" or "Would fix").
fn fixed_line(verb: &str, fixed: FixCount) -> String {
    format!(
        "{verb} {} finding{} in {} file{}.",
        fixed.fixes,
        if fixed.fixes == 1 { "" } else { "s" },
        fixed.files,
        if fixed.files == 1 { "" } else { "s" }
    )
}

/// `--diff`: what `--fix` would change, as unified diffs on stdout; nothing is written.
fn diff(
    ws: &Workspace,
    result: &LintResult,
    config: &Config,
    mode: FixMode,
    quiet: bool,
) -> ExitStatus {
    let preview = k8sec::preview(ws, result, config, mode);
    // A diff shows context lines: the secrets findings mark are masked there too.
    let secrets = report::redact::secrets(ws, result);
    let mut out = String::new();
    for fixed in &preview.files {
        let source = ws.sources.get(fixed.file);
        report_fix_warnings(source.display_path(), &fixed.warnings);
        if fixed.changes(ws) {
            let path = source.display_path();
            let (before, after) = (
                report::redact::mask(&source.text, &secrets),
                report::redact::mask(&fixed.text, &secrets),
            );
            out.push_str(&unified_diff(path, &before, &after));
        }
    }
    write_stdout(&out);
    if !quiet {
        stderr_line(&fixed_line("Would fix", preview.count));
    }
    preview.exit_status(ws)
}

/// `--fix`: writes the fixed files (stdin's text goes to stdout, the report then to stderr)
/// and reports what is left. A file that cannot be written is an error for that file only.
fn fix(
    ws: Workspace,
    result: &LintResult,
    run: &Run,
    mode: FixMode,
    output: &Output,
) -> ExitStatus {
    let fixed = k8sec::fix_and_write(ws, result, &run.inputs, &run.options, &run.config, mode);
    for file in &fixed.files {
        report_fix_warnings(&file.path, &file.warnings);
        if let Some(error) = &file.write_error {
            let message = format!("cannot write the fixed file: {error}");
            say("error", Some(&file.path), &escape(&message));
        }
    }
    if let Some(bytes) = &fixed.stdin {
        // The whole stream goes back out, fixed or not, so `k8sec lint --fix -` can sit in a
        // pipeline (or an editor's format-on-save) without losing anything.
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
    }
    output.emit(&fixed.ws, &fixed.result, fixed.stdin.is_some());
    fixed.exit_status(run.config.fail_on)
}

fn report_fix_warnings(path: &str, warnings: &[String]) {
    for warning in warnings {
        say("warning", Some(path), &escape(warning));
    }
}
