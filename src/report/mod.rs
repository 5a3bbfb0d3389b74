//! Output formats: human (codespan-reporting snippets), concise (one line each), JSON (a
//! versioned contract, see the README), and for CI: SARIF 2.1.0 (code scanning), GitHub
//! workflow commands (annotations) and JUnit XML (GitLab, Jenkins). Each printer escapes what
//! comes from the repository (paths, names, values) for its own syntax.

mod concise;
pub mod escape;
pub mod fingerprint;
mod github;
pub mod graph;
mod human;
mod json;
mod junit;
pub mod paths;
mod pretty;
pub mod redact;
mod sarif;
mod snippet;
pub mod statistics;

pub use human::{summary, Color};

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
    Sarif,
    Github,
    Junit,
}

impl Format {
    /// Whether the format prints a fix's edits (the others say only that a finding has a
    /// fix, and what it does).
    pub fn prints_edits(self) -> bool {
        matches!(self, Format::Json | Format::Sarif)
    }
}

/// What printers need besides the findings.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// ANSI colors (human output only).
    pub color: bool,
    /// The checks the run selected, by id (SARIF lists them as rules).
    pub rules: Vec<&'static str>,
    /// Where repository-relative paths start (SARIF, GitHub annotations, JUnit).
    pub root: paths::SrcRoot,
}

/// The line the human summary ends with: how to silence a check that does not apply.
pub const SILENCE_HINT: &str = "To silence a check: `# k8sec-ignore: <check> <reason>` on or above the line, the annotation `ignore-check.k8sec.io/<check>: \"<reason>\"` on the object, or `ignore = [\"<check>\"]` in .k8sec.toml.\n";

/// Writes the findings of a run in `format` to `out`, finding by finding as each is formatted
/// or serialized: a report of a large repository is never held whole in memory (JUnit gathers
/// its test cases' names first, for the counts its XML starts with). Human and GitHub output
/// end with the findings: the caller adds the [`summary`] line unless asked to be quiet.
pub fn write(
    ws: &Workspace,
    result: &LintResult,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(ws, result, options.color, out),
        Format::Concise => concise::write(ws, result, out),
        Format::Json => json::write(ws, result, out),
        Format::Sarif => sarif::write(ws, result, options, out),
        Format::Github => github::write(ws, result, options, out),
        Format::Junit => junit::write(ws, result, options, out),
    }
}

/// A sequence serialized from an iterator as it is written, without collecting it first.
/// Serializes once (the iterator is taken): the printers serialize each report once.
pub(crate) struct Streamed<I>(std::cell::RefCell<Option<I>>);

impl<I> Streamed<I> {
    pub(crate) fn new(items: I) -> Self {
        Streamed(std::cell::RefCell::new(Some(items)))
    }
}

impl<I> serde::Serialize for Streamed<I>
where
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.borrow_mut().take() {
            Some(items) => serializer.collect_seq(items),
            None => serializer.collect_seq(std::iter::empty::<I::Item>()),
        }
    }
}

/// Writes `value` as pretty-printed JSON and a final newline. The serializer makes a write
/// per token: through a buffer of a concrete type they are inlined copies, where through `out`
/// (a `dyn Write`) each was a call (a third of the time of a large report).
fn write_json(value: &impl serde::Serialize, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut buffered = std::io::BufWriter::new(out);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut buffered, pretty::Pretty::default());
    value.serialize(&mut serializer)?;
    std::io::Write::write_all(&mut buffered, b"\n")?;
    std::io::Write::flush(&mut buffered)
}

/// 1-based (line, column) of both ends of a span.
pub(crate) fn position(sources: &Sources, span: Span) -> (LineCol, LineCol) {
    let file = sources.get(span.file);
    let start = file.line_index.line_col(&file.text, span.range.start);
    let end = file.line_index.line_col(&file.text, span.range.end);
    (start, end)
}

/// 1-based (line, column) of both ends of a span, columns counted in UTF-16 code units: what
/// SARIF consumers (`columnKind: utf16CodeUnits`) and GitHub's annotations count.
pub(crate) fn position_utf16(sources: &Sources, span: Span) -> (LineCol, LineCol) {
    let file = sources.get(span.file);
    let at = |offset: u32| LineCol {
        line: file.line_index.line_col(&file.text, offset).line,
        column: file.line_index.utf16_column(&file.text, offset) + 1,
    };
    (at(span.range.start), at(span.range.end))
}

/// Replaces the characters of `text` that `replace` picks with a visible `\u{1b}`, so that no
/// repository text reaches a log or a document as a raw control character.
pub(crate) fn visible(text: &str, replace: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if replace(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
