//! `k8sec lint`: report the findings, or show (`--diff`) or apply (`--fix`) their fixes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use k8sec::config::Config;
use k8sec::diagnostic::INVALID_YAML;
use k8sec::fix::{unified_diff, FixMode};
use k8sec::report::{self, Color, Format, RenderOptions};
use k8sec::{Baseline, ExitStatus, FixCount, LintResult, Workspace};

use super::args::LintArgs;
use super::error::Error;
use super::narrow::Narrowing;
use super::outputs::Target;
use super::setup::{self, Run};
use super::{report_problems, say, stderr_line, write_stdout};
use k8sec::report::escape::escape;

pub(crate) fn lint(args: LintArgs, targets: Vec<Target>) -> Result<ExitStatus, Error> {
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
    if args.write_baseline.is_some() && args.diff {
        return Err(Error::Usage("`--write-baseline` does not go with `--diff`"));
    }
    // Without a working directory (deleted under us), paths stay relative to "."; they still
    // compare with each other.
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (narrowing, paths) = Narrowing::new(&args, &cwd)?;
    let run = Run::new(
        config,
        &args.helm.flags(),
        args.threads,
        paths,
        args.stdin_filename.clone(),
    )?;
    let ws = k8sec::load_with(&run.inputs, &run.options);
    // Edits are written only for a run that applies them or prints them.
    let writes_edits = args.fix
        || args.diff
        || (!args.statistics && targets.iter().any(|t| t.format.prints_edits()));
    let mut result = if writes_edits {
        k8sec::lint(&ws, &run.config)
    } else {
        k8sec::lint_without_edits(&ws, &run.config)
    };

    let output = Output {
        targets,
        color: args.color.into(),
        quiet: args.quiet,
        statistics: args.statistics,
        options: RenderOptions {
            color: false,
            rules: run.config.enabled.clone(),
            root: narrowing.root.clone(),
        },
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
        narrowing.apply_for_fix(&ws, &mut result);
        return Ok(diff(&ws, &result, &run.config, mode, args.quiet));
    }
    if args.fix {
        narrowing.apply_for_fix(&ws, &mut result);
        return fix(ws, &result, &run, mode, &output, &args, &narrowing);
    }
    let baseline_written = write_baseline(&args, &ws, &result, &narrowing)?;
    narrowing.apply(&ws, &mut result);
    output.emit(&ws, &result, false)?;
    let status = match baseline_written {
        true => ExitStatus::of(!ws.problems.is_empty(), false),
        false => k8sec::exit_status(&ws, &result, run.config.fail_on),
    };
    // The process ends with this run: freeing every tree and finding one by one would cost a
    // few percent of a large repository's run for memory the operating system takes back at
    // once.
    std::mem::forget(result);
    std::mem::forget(ws);
    Ok(status)
}

/// `--write-baseline FILE`: records the run's findings (all of them, whatever `--baseline` or a
/// scope hides); `true` when it wrote one.
fn write_baseline(
    args: &LintArgs,
    ws: &Workspace,
    result: &LintResult,
    narrowing: &Narrowing,
) -> Result<bool, Error> {
    let Some(path) = &args.write_baseline else {
        return Ok(false);
    };
    let baseline = Baseline::of(ws, result, &narrowing.root);
    baseline.write(path).map_err(Error::Baseline)?;
    if !args.quiet {
        stderr_line(&format!(
            "k8sec: wrote {} finding{} to the baseline {}",
            baseline.len(),
            if baseline.len() == 1 { "" } else { "s" },
            escape(&path.to_string_lossy())
        ));
    }
    Ok(true)
}

/// Where and how findings are printed.
struct Output {
    targets: Vec<Target>,
    color: Color,
    quiet: bool,
    /// `--statistics`: a count per check instead of each finding.
    statistics: bool,
    options: RenderOptions,
}

impl Output {
    /// Writes each report: to its file, or to stdout (stderr when stdout carries a fixed text).
    fn emit(&self, ws: &Workspace, result: &LintResult, to_stderr: bool) -> Result<(), Error> {
        if let (Some(fixed), false) = (result.fixed, self.quiet) {
            if self
                .targets
                .iter()
                .any(|t| t.format == Format::Concise && t.file.is_none())
            {
                stderr_line(&fixed_line("Fixed", fixed));
            }
        }
        for target in &self.targets {
            self.stream(ws, result, target, to_stderr)?;
        }
        Ok(())
    }

    /// Writes one report as it is formatted, through a 64 KiB buffer (a large report is never
    /// held whole in memory): to its file, else to stdout or stderr, in color when that is a
    /// terminal that wants it. A closed stdout is not an error; a file that cannot be written is.
    fn stream(
        &self,
        ws: &Workspace,
        result: &LintResult,
        target: &Target,
        to_stderr: bool,
    ) -> Result<(), Error> {
        let color = target.file.is_none() && self.color(to_stderr);
        let write = |out: &mut dyn Write| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
            self.write(ws, result, target.format, color, &mut out)?;
            out.flush()
        };
        match &target.file {
            Some(path) => std::fs::File::create(path)
                .and_then(|mut f| write(&mut f))
                .map_err(|e| Error::Output(path.clone(), e)),
            None if to_stderr => {
                let _ = write(&mut std::io::stderr().lock());
                Ok(())
            }
            None => {
                let _ = write(&mut std::io::stdout().lock());
                Ok(())
            }
        }
    }

    /// Whether the terminal report gets ANSI colors.
    fn color(&self, to_stderr: bool) -> bool {
        let terminal = if to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// One report in `format`: the findings (or `--statistics`' counts), then for human and
    /// GitHub output the summary line and for human output the hint on silencing a check,
    /// unless `--quiet`.
    fn write(
        &self,
        ws: &Workspace,
        result: &LintResult,
        format: Format,
        color: bool,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        if self.statistics {
            let counts = match format {
                Format::Json => report::statistics::render_json(result),
                _ => report::statistics::render_text(result),
            };
            return out.write_all(counts.as_bytes());
        }
        let options = RenderOptions {
            color,
            ..self.options.clone()
        };
        report::write(ws, result, format, &options, out)?;
        if self.quiet || !matches!(format, Format::Human | Format::Github) {
            return Ok(());
        }
        out.write_all(report::summary(ws, result).as_bytes())?;
        // `invalid-yaml` cannot be silenced: no hint when it is all there is.
        let silenceable = result.findings.iter().any(|f| f.check != INVALID_YAML);
        if format == Format::Human && silenceable {
            out.write_all(report::SILENCE_HINT.as_bytes())?;
        }
        Ok(())
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
    args: &LintArgs,
    narrowing: &Narrowing,
) -> Result<ExitStatus, Error> {
    let mut fixed = k8sec::fix_and_write(ws, result, &run.inputs, &run.options, &run.config, mode);
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
    let baseline_written = write_baseline(args, &fixed.ws, &fixed.result, narrowing)?;
    narrowing.apply(&fixed.ws, &mut fixed.result);
    output.emit(&fixed.ws, &fixed.result, fixed.stdin.is_some())?;
    Ok(
        match (fixed.exit_status(run.config.fail_on), baseline_written) {
            (ExitStatus::Failure, true) => ExitStatus::Success,
            (status, _) => status,
        },
    )
}

fn report_fix_warnings(path: &str, warnings: &[String]) {
    for warning in warnings {
        say("warning", Some(path), &escape(warning));
    }
}
