//! The `k8sec` command line.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use k8sec::build::helm::HelmOptions;
use k8sec::config::{self, Config, Overrides, Profile};
use k8sec::diagnostic::Severity;
use k8sec::docs::{self, DOCS};
use k8sec::fix::{fix_workspace, unified_diff, write_fixed, FixMode};
use k8sec::graph;
use k8sec::report::{self, Format};
use k8sec::source::{Origin, WalkOptions};
use k8sec::{FixCount, Inputs, LintResult, Workspace};

#[derive(Parser)]
#[command(
    name = "k8sec",
    version,
    about = "A fast, precise Kubernetes manifest security linter"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint Kubernetes manifests (files, directories, or `-` for stdin).
    Lint(Box<LintArgs>),
    /// List every check.
    Checks {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Print a check's full documentation.
    Explain {
        /// The check id, e.g. `privileged-container`.
        id: String,
    },
    /// Print the cross-resource graph: what runs as which ServiceAccount, who binds and grants
    /// what, which Services, NetworkPolicies and Ingresses select or route to which workloads.
    Graph(GraphArgs),
}

#[derive(clap::Args)]
struct GraphArgs {
    /// Files or directories; `-` reads one YAML stream from stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: GraphFormatArg,
    /// Only this object and its neighbourhood: `Kind/namespace/name` (`Kind/name` when
    /// cluster-scoped), e.g. `Deployment/shop/web`.
    #[arg(long)]
    focus: Option<String>,
    /// Configuration file (default: `.k8sec.toml` found upward from the working directory), for
    /// `[graph] external` and `exclude`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The name to report for stdin input.
    #[arg(long)]
    stdin_filename: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormatArg {
    Text,
    Dot,
    Mermaid,
    Json,
}

#[derive(clap::Args)]
struct LintArgs {
    /// Files or directories to lint; `-` reads one YAML stream from stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,
    /// When to color human output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// Run only these checks (comma-separated ids; `all` selects every check).
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Run these checks in addition to the selected ones (e.g. off-by-default checks).
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Do not run these checks.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Pod Security Standards profile: baseline, restricted, or all (every default-on check).
    #[arg(long, value_enum)]
    profile: Option<ProfileArg>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum)]
    fail_on: Option<SeverityArg>,
    /// Configuration file (default: `.k8sec.toml` found upward from the working directory).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The name to report for stdin input.
    #[arg(long)]
    stdin_filename: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Print findings only: no summary, no notes.
    #[arg(short, long)]
    quiet: bool,
    /// The helm binary that renders chart directories (default: `helm` on PATH).
    #[arg(long, value_name = "PATH")]
    helm: Option<PathBuf>,
    /// A values file for every rendered chart (repeatable).
    #[arg(long, value_name = "FILE")]
    helm_values: Vec<PathBuf>,
    /// A `--set key=value` for every rendered chart (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    helm_set: Vec<String>,
    /// Apply safe fixes, write the files (stdin: print the fixed text), report what is left.
    #[arg(long)]
    fix: bool,
    /// With `--fix` or `--diff`: apply unsafe fixes too (they may break some workloads).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change and write nothing; exit 1 if anything
    /// would change.
    #[arg(long)]
    diff: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Concise,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    Baseline,
    Restricted,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum SeverityArg {
    Error,
    Warning,
    Info,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => lint(*args),
        Command::Checks { format } => list_checks(format),
        Command::Explain { id } => explain(&id),
        Command::Graph(args) => graph(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("k8sec: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn lint(args: LintArgs) -> Result<u8, String> {
    let overrides = Overrides {
        select: args.select,
        extend_select: args.extend_select,
        ignore: args.ignore,
        profile: args.profile.map(|p| match p {
            ProfileArg::Baseline => Profile::Baseline,
            ProfileArg::Restricted => Profile::Restricted,
            ProfileArg::All => Profile::All,
        }),
        fail_on: args.fail_on.map(|s| match s {
            SeverityArg::Error => Severity::Error,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Info => Severity::Info,
        }),
    };
    let config_path = match args.config {
        Some(path) => Some(path),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| config::find(&dir)),
    };
    let config = Config::load(config_path.as_deref(), &overrides).map_err(|e| e.to_string())?;
    if args.unsafe_fixes && !args.fix && !args.diff {
        return Err("`--unsafe-fixes` applies with `--fix` or `--diff`".to_string());
    }

    let threads = args.threads.unwrap_or(0);
    if threads > 0 {
        // Only fails if a global pool already exists, which nothing else creates.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }

    let (major, minor) = config.kubernetes_version;
    let helm = HelmOptions {
        binary: args.helm.clone().or_else(|| config.helm.binary.clone()),
        values: config
            .helm
            .values
            .iter()
            .chain(&args.helm_values)
            .cloned()
            .collect(),
        set: config
            .helm
            .set
            .iter()
            .chain(&args.helm_set)
            .cloned()
            .collect(),
        timeout: Duration::from_secs(config.helm.timeout.unwrap_or(60)),
        kube_version: format!("{major}.{minor}.0"),
        enabled: config.helm.enabled.unwrap_or(true) || args.helm.is_some(),
    };
    let inputs = read_inputs(args.paths, args.stdin_filename.clone())?;

    let walk = WalkOptions {
        exclude: config.exclude.clone(),
        threads,
    };
    let stdin_bytes = inputs.stdin.as_ref().map(|(_, bytes)| bytes.clone());
    let ws = k8sec::load_with_helm(&inputs, &walk, &helm);
    let result = k8sec::lint(&ws, &config);

    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Concise => Format::Concise,
        OutputFormat::Json => Format::Json,
    };
    let output = Output {
        format,
        color: args.color,
        quiet: args.quiet,
    };
    let mode = FixMode {
        unsafe_fixes: args.unsafe_fixes,
    };
    report_problems(&ws, args.quiet);
    if args.diff {
        return Ok(diff(&ws, &result, &config, mode, args.quiet));
    }
    if args.fix {
        // After writing, what is left is linted from the files as they now are.
        let reload = |fixed_stdin: Option<Vec<u8>>| {
            let again = Inputs {
                paths: inputs.paths.clone(),
                stdin: inputs.stdin.as_ref().map(|(name, original)| {
                    (
                        name.clone(),
                        fixed_stdin.unwrap_or_else(|| original.clone()),
                    )
                }),
            };
            k8sec::load_with_helm(&again, &walk, &helm)
        };
        return Ok(fix(
            ws,
            &result,
            &config,
            mode,
            stdin_bytes,
            &output,
            &reload,
        ));
    }
    output.emit(&ws, &result, false);
    Ok(k8sec::exit_code(&ws, &result, config.fail_on))
}

/// How findings are printed.
struct Output {
    format: Format,
    color: ColorArg,
    quiet: bool,
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
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        let mut output = report::render(ws, result, self.format, color);
        if self.quiet && self.format == Format::Human {
            // Drop the summary line.
            if let Some(cut) = output.trim_end_matches('\n').rfind('\n') {
                output.truncate(cut + 1);
            } else {
                output.clear();
            }
        }
        if let (Some(fixed), Format::Concise, false) = (result.fixed, self.format, self.quiet) {
            eprintln!("{}", fixed_line("Fixed", fixed));
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
fn diff(ws: &Workspace, result: &LintResult, config: &Config, mode: FixMode, quiet: bool) -> u8 {
    let mut out = String::new();
    let mut count = FixCount::default();
    for fixed in fix_workspace(ws, result, config, mode) {
        let source = ws.sources.get(fixed.file);
        report_fix_warnings(source.display_path(), &fixed.warnings);
        if fixed.text != source.text {
            out.push_str(&unified_diff(
                source.display_path(),
                &source.text,
                &fixed.text,
            ));
            count.fixes += fixed.applied;
            count.files += 1;
        }
    }
    write_stdout(&out);
    if !quiet {
        eprintln!("{}", fixed_line("Would fix", count));
    }
    if !ws.problems.is_empty() {
        2
    } else if count.files > 0 {
        1
    } else {
        0
    }
}

/// `--fix`: applies the fixes, writes each changed file atomically (stdin's text goes to
/// stdout, the report then to stderr), and reports what is left. A file that cannot be written
/// is an error for that file only; the run exits 2 at the end.
fn fix(
    ws: Workspace,
    result: &LintResult,
    config: &Config,
    mode: FixMode,
    stdin_bytes: Option<Vec<u8>>,
    output: &Output,
    reload: &dyn Fn(Option<Vec<u8>>) -> Workspace,
) -> u8 {
    let mut count = FixCount::default();
    let mut write_failed = false;
    let mut stdin_fixed: Option<String> = None;
    let mut written: HashMap<PathBuf, String> = HashMap::new();
    for fixed in fix_workspace(&ws, result, config, mode) {
        let source = ws.sources.get(fixed.file);
        report_fix_warnings(source.display_path(), &fixed.warnings);
        if fixed.text == source.text {
            continue;
        }
        match source.origin {
            // fix_workspace never edits rendered Helm output.
            Origin::Rendered => continue,
            Origin::Stdin => stdin_fixed = Some(fixed.text.clone()),
            Origin::File => {
                // The same file named twice (`a.yaml ./a.yaml`) is fixed once.
                let canonical = std::fs::canonicalize(&source.path).ok();
                let seen = canonical.as_ref().and_then(|c| written.get(c));
                if seen.is_some_and(|text| *text == fixed.text) {
                    continue;
                }
                if let Err(error) =
                    write_fixed(&source.path, source.text.as_bytes(), fixed.text.as_bytes())
                {
                    eprintln!(
                        "k8sec: error: {}: cannot write the fixed file: {error}",
                        source.display_path()
                    );
                    write_failed = true;
                    continue;
                }
                if let Some(canonical) = canonical {
                    written.insert(canonical, fixed.text.clone());
                }
            }
        }
        count.fixes += fixed.applied;
        count.files += 1;
    }
    let to_stderr = stdin_bytes.is_some();
    if let Some(original) = stdin_bytes {
        // The whole stream goes back out, fixed or not, so `k8sec lint --fix -` can sit in a
        // pipeline (or an editor's format-on-save) without losing anything.
        let mut stdout = std::io::stdout().lock();
        let bytes = stdin_fixed.as_ref().map_or(&original[..], |t| t.as_bytes());
        let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
    }
    drop(ws);
    let ws = reload(stdin_fixed.map(String::into_bytes));
    let mut result = k8sec::lint(&ws, config);
    result.fixed = Some(count);
    output.emit(&ws, &result, to_stderr);
    if write_failed {
        2
    } else {
        k8sec::exit_code(&ws, &result, config.fail_on)
    }
}

fn report_fix_warnings(path: &str, warnings: &[String]) {
    for warning in warnings {
        eprintln!("k8sec: warning: {path}: {warning}");
    }
}

fn graph(args: GraphArgs) -> Result<u8, String> {
    let focus = args
        .focus
        .as_deref()
        .map(report::graph::Focus::parse)
        .transpose()?;
    let config_path = match args.config {
        Some(path) => Some(path),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| config::find(&dir)),
    };
    let config =
        Config::load(config_path.as_deref(), &Overrides::default()).map_err(|e| e.to_string())?;
    let inputs = read_inputs(args.paths, args.stdin_filename.clone())?;
    let walk = WalkOptions {
        exclude: config.exclude.clone(),
        threads: 0,
    };
    let ws = k8sec::load(&inputs, &walk);
    report_problems(&ws, false);
    for (file, error) in &ws.parse_errors {
        let source = ws.sources.get(*file);
        let at = source.line_index.line_col(&source.text, error.offset);
        eprintln!(
            "k8sec: note: {}:{}:{}: invalid YAML ({}): the objects from there on are not in the graph",
            source.display_path(),
            at.line,
            at.column,
            error.message
        );
    }
    let options = graph::GraphOptions {
        sources: Some(&ws.sources),
        external: &config.graph_external,
    };
    let graphs: Vec<(String, graph::Graph<'_>)> = ws
        .units
        .iter()
        .map(|unit| {
            (
                k8sec::unit_label(&unit.kind),
                graph::Graph::build(&unit.resources, options),
            )
        })
        .collect();
    let units: Vec<report::graph::UnitGraph<'_, '_>> = graphs
        .iter()
        .map(|(label, graph)| report::graph::UnitGraph {
            label: label.clone(),
            graph,
        })
        .collect();
    let format = match args.format {
        GraphFormatArg::Text => report::graph::GraphFormat::Text,
        GraphFormatArg::Dot => report::graph::GraphFormat::Dot,
        GraphFormatArg::Mermaid => report::graph::GraphFormat::Mermaid,
        GraphFormatArg::Json => report::graph::GraphFormat::Json,
    };
    let output = report::graph::render(&units, &ws.sources, format, focus.as_ref())?;
    write_stdout(&output);
    Ok(if ws.problems.is_empty() { 0 } else { 2 })
}

/// The paths to lint; `-` reads one YAML stream from stdin (once), named `stdin_filename`.
fn read_inputs(paths: Vec<PathBuf>, stdin_filename: Option<PathBuf>) -> Result<Inputs, String> {
    let mut inputs = Inputs::default();
    for path in paths {
        if path.as_os_str() != "-" {
            inputs.paths.push(path);
            continue;
        }
        if inputs.stdin.is_some() {
            return Err("`-` (stdin) can be given only once".to_string());
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        let name = stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        inputs.stdin = Some((name, bytes));
    }
    Ok(inputs)
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

fn list_checks(format: ListFormat) -> Result<u8, String> {
    match format {
        ListFormat::Text => {
            let mut out = String::new();
            for doc in DOCS {
                out.push_str(&format!(
                    "{:<34} {:<8} {:<16} {:<11} {:<4} {:<13} {}\n",
                    doc.id,
                    doc.severity.as_str(),
                    doc.category,
                    doc.pss.as_str(),
                    if doc.enabled { "on" } else { "off" },
                    doc.fix.as_str(),
                    doc.summary
                ));
            }
            write_stdout(&out);
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = DOCS
                .iter()
                .map(|doc| {
                    serde_json::json!({
                        "id": doc.id,
                        "summary": doc.summary,
                        "severity": doc.severity.as_str(),
                        "category": doc.category,
                        "pss": doc.pss.as_str(),
                        "enabled": doc.enabled,
                        "fix": doc.fix.as_str(),
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
            write_stdout(&(text + "\n"));
        }
    }
    Ok(0)
}

fn explain(id: &str) -> Result<u8, String> {
    let doc = docs::doc(id)
        .ok_or_else(|| format!("unknown check `{id}` (see `k8sec checks` for the list)"))?;
    write_stdout(&doc.to_markdown());
    Ok(0)
}
