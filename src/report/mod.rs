//! Output formats: human (codespan-reporting snippets), concise (one line each), JSON (a
//! versioned contract, see the README).

mod concise;
pub mod escape;
pub mod graph;
mod human;
mod json;
pub mod redact;
mod snippet;
pub mod statistics;

pub use human::Color;

use crate::source::Sources;
use crate::text::LineCol;
use crate::workspace::{LintResult, Workspace};
use crate::yaml::Span;

/// The `--format` of `k8sec lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
}

/// The line the human summary ends with: how to silence a check that does not apply.
pub const SILENCE_HINT: &str = "To silence a check: `# k8sec-ignore: <check> <reason>` on or above the line, the annotation `ignore-check.k8sec.io/<check>: \"<reason>\"` on the object, or `ignore = [\"<check>\"]` in .k8sec.toml.\n";

/// Renders the findings of a run in `format`.
pub fn render(ws: &Workspace, result: &LintResult, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(ws, result, color),
        Format::Concise => concise::render(ws, result),
        Format::Json => json::render(ws, result),
    }
}

/// 1-based (line, column) of both ends of a span.
pub(crate) fn position(sources: &Sources, span: Span) -> (LineCol, LineCol) {
    let file = sources.get(span.file);
    let start = file.line_index.line_col(&file.text, span.range.start);
    let end = file.line_index.line_col(&file.text, span.range.end);
    (start, end)
}
