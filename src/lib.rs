//! k8sec: a Kubernetes manifest security linter.
//!
//! Data flows one way: discover → load (spanned YAML, in-memory overlays over the disk) →
//! build units (Kustomize, Helm) → model (resources) → graph (per unit, when a check needs it)
//! → checks → attribute, suppress, sort → report, or fix. The command line, the tests and
//! (later) the language server all go through the same entry points:
//!
//! - [`load_with`] (or [`load`], [`load_source`] for one text) gives a [`Workspace`];
//! - [`lint`] gives its [`LintResult`], and [`exit_status`] how the run ends;
//! - [`fix_workspace`] / [`fix_file`] compute fixes in memory, [`preview`] is `--diff`, and
//!   [`fix_and_write`] is `--fix` (write, read again, lint what is left);
//! - [`lsp::run`] is `k8sec lsp`, which keeps a workspace current as files change
//!   (`pipeline/live.rs`).
//!
//! Nothing after loading reads the disk, and nothing but [`fix_and_write`] writes to it.

#![forbid(unsafe_code)]

pub mod build;
pub mod checks;
pub mod config;
pub mod diagnostic;
pub mod docs;
pub mod fix;
pub mod graph;
pub mod lsp;
pub mod model;
pub mod report;
pub mod source;
pub mod text;
pub mod yaml;

mod pipeline;
mod run_cache;
mod suppress;
mod workspace;

pub use pipeline::baseline::{Baseline, BaselineError};
pub use pipeline::fix::{
    fix_and_write, fix_file, fix_workspace, preview, FileFix, FileOutcome, FixRun, Preview,
    MAX_ROUNDS,
};
pub use pipeline::lint::{exit_status, lint, lint_without_edits, ExitStatus};
pub use pipeline::load::{load, load_source, load_with, HelmFlags, LoadOptions};
pub use pipeline::scope::Scope;
pub use workspace::{
    BaselineCount, DeployUnit, FixCount, Inputs, LintResult, Note, UnitKind, Workspace,
};
