//! The command line's grammar (clap), and how its values map to the library's.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use k8sec::config::{Overrides, Profile};
use k8sec::diagnostic::Severity;
use k8sec::report::graph::GraphFormat;
use k8sec::report::{Color, Format};
use k8sec::HelmFlags;

#[derive(Parser)]
#[command(
    name = "k8sec",
    version,
    about = "A fast, precise Kubernetes manifest security linter"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// Run the language server on stdin/stdout (diagnostics, quick fixes and check docs in
    /// an editor; see editors/).
    Lsp,
}

#[derive(clap::Args)]
pub(crate) struct GraphArgs {
    /// Files or directories; `-` reads one YAML stream from stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: GraphFormatArg,
    /// Only this object and its neighbourhood: `Kind/namespace/name` (`Kind/name` when
    /// cluster-scoped), e.g. `Deployment/shop/web`.
    #[arg(long)]
    pub focus: Option<String>,
    /// Configuration file (default: the nearest `.k8sec.toml` at or above the paths linted), for
    /// `[graph] external`, `exclude`, `[helm]` and `kubernetes-version`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The name to report for stdin input.
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    #[command(flatten)]
    pub helm: HelmArgs,
}

/// How Helm charts are rendered: the same flags for every command that reads manifests.
#[derive(clap::Args)]
pub(crate) struct HelmArgs {
    /// The helm binary that renders chart directories (default: `helm` on PATH).
    #[arg(long, value_name = "PATH")]
    pub helm: Option<PathBuf>,
    /// A values file for every rendered chart (repeatable).
    #[arg(long, value_name = "FILE")]
    pub helm_values: Vec<PathBuf>,
    /// A `--set key=value` for every rendered chart (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub helm_set: Vec<String>,
    /// Files (and a chart's rendering) larger than this many MB are not read.
    #[arg(long, value_name = "MB", default_value_t = 50)]
    pub max_file_size: u64,
}

impl HelmArgs {
    pub fn flags(&self) -> HelmFlags {
        HelmFlags {
            binary: self.helm.clone(),
            values: self.helm_values.clone(),
            set: self.helm_set.clone(),
            max_file_size: Some(self.max_file_size.saturating_mul(1024 * 1024)),
        }
    }
}

#[derive(clap::Args)]
pub(crate) struct LintArgs {
    /// Files or directories to lint; `-` reads one YAML stream from stdin. With `--context`:
    /// the files and directories to report on.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Report format (default human). Repeatable, each with its own `--output`: `--format human
    /// --format sarif --output k8sec.sarif` prints to the terminal and writes SARIF in one run.
    #[arg(long, value_enum, action = clap::ArgAction::Append)]
    pub format: Vec<OutputFormat>,
    /// Write the report of the `--format` just before it to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE", action = clap::ArgAction::Append)]
    pub output: Vec<PathBuf>,
    /// When to color human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Run only these checks (comma-separated ids or categories such as `rbac`; `all` selects
    /// every check).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Run these checks in addition to the selected ones (ids or categories, e.g.
    /// `reliability` for the off-by-default probe and request checks).
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Do not run these checks (ids or categories).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Pod Security Standards profile: baseline, restricted, or all (every default-on check).
    #[arg(long, value_enum)]
    pub profile: Option<ProfileArg>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<SeverityArg>,
    /// Configuration file (default: the nearest `.k8sec.toml` at or above the paths linted).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The name to report for stdin input.
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Print findings only: no summary, no notes.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print a count per check (and how many `--fix` can fix) instead of each finding.
    #[arg(long)]
    pub statistics: bool,
    #[command(flatten)]
    pub helm: HelmArgs,
    /// Apply safe fixes, write the files (stdin: print the fixed text), report what is left.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix` or `--diff`: apply unsafe fixes too (they may break some workloads).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change and write nothing; exit 1 if anything
    /// would change.
    #[arg(long)]
    pub diff: bool,
    /// Report (and fail on) only the findings this baseline file does not record.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the run's findings in FILE, a baseline for `--baseline`; the run then exits 0
    /// (2 on an error).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Lint everything given, but report only findings about files changed since the Git ref
    /// REF (its merge base with HEAD): committed, staged, unstaged and untracked changes.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Lint DIR as a whole (every deployment unit in it) but report only findings about the
    /// PATHs given: what the pre-commit hook runs, so a commit of a few files is still checked
    /// against the objects they refer to. Repeatable.
    #[arg(long, value_name = "DIR", action = clap::ArgAction::Append)]
    pub context: Vec<PathBuf>,
}

impl LintArgs {
    /// The check selection the flags make, over the configuration's.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            profile: self.profile.map(|p| match p {
                ProfileArg::Baseline => Profile::Baseline,
                ProfileArg::Restricted => Profile::Restricted,
                ProfileArg::All => Profile::All,
            }),
            fail_on: self.fail_on.map(|s| match s {
                SeverityArg::Error => Severity::Error,
                SeverityArg::Warning => Severity::Warning,
                SeverityArg::Info => Severity::Info,
            }),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Source snippets with labels (the default).
    Human,
    /// One line per finding: `path:line:column: severity[check] message`.
    Concise,
    /// The versioned JSON contract.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML (GitLab, Jenkins).
    Junit,
}

impl From<OutputFormat> for Format {
    fn from(format: OutputFormat) -> Format {
        match format {
            OutputFormat::Human => Format::Human,
            OutputFormat::Concise => Format::Concise,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Github => Format::Github,
            OutputFormat::Junit => Format::Junit,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum GraphFormatArg {
    Text,
    Dot,
    Mermaid,
    Json,
}

impl From<GraphFormatArg> for GraphFormat {
    fn from(format: GraphFormatArg) -> GraphFormat {
        match format {
            GraphFormatArg::Text => GraphFormat::Text,
            GraphFormatArg::Dot => GraphFormat::Dot,
            GraphFormatArg::Mermaid => GraphFormat::Mermaid,
            GraphFormatArg::Json => GraphFormat::Json,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

impl From<ColorArg> for Color {
    fn from(color: ColorArg) -> Color {
        match color {
            ColorArg::Auto => Color::Auto,
            ColorArg::Always => Color::Always,
            ColorArg::Never => Color::Never,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ProfileArg {
    Baseline,
    Restricted,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SeverityArg {
    Error,
    Warning,
    Info,
}
