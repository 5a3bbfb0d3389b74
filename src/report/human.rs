//! Human output: each finding as a source snippet with its primary and related labels.

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::termcolor::Buffer;
use codespan_reporting::term::{self, Config};

use crate::diagnostic::{Applicability, Finding, Severity};
use crate::source::Sources;
use crate::workspace::{LintResult, Workspace};

/// `--color`: when to use ANSI colors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Adapter so codespan-reporting reads our sources and line index.
struct SourceFiles<'a>(&'a Sources);

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = crate::yaml::FileId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: Self::FileId) -> Result<String, FilesError> {
        Ok(self.0.get(id).display_path().to_string())
    }

    fn source(&'a self, id: Self::FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).text)
    }

    fn line_index(&'a self, id: Self::FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.0.get(id).line_index.line_of(byte_index as u32))
    }

    fn line_range(
        &'a self,
        id: Self::FileId,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        let file = self.0.get(id);
        match file.line_index.line_range(line_index) {
            Some(range) => Ok(range.to_range()),
            // codespan asks for the line after the last one to find where a span ends.
            None if line_index == file.line_index.line_count() => {
                Ok(file.text.len()..file.text.len())
            }
            None => Err(FilesError::LineTooLarge {
                given: line_index,
                max: file.line_index.line_count() - 1,
            }),
        }
    }
}

pub(super) fn render(ws: &Workspace, result: &LintResult, color: bool) -> String {
    let files = SourceFiles(&ws.sources);
    let config = Config::default();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for finding in &result.findings {
        let diagnostic = diagnostic(finding);
        // Our spans come from the same sources, so rendering cannot miss a file or a line.
        let _ = term::emit_to_write_style(&mut buffer, &config, &files, &diagnostic);
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    out.push_str(&summary(ws, result));
    out
}

fn diagnostic(finding: &Finding) -> Diagnostic<crate::yaml::FileId> {
    let severity = match finding.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let mut labels = vec![Label::primary(
        finding.span.file,
        finding.span.range.to_range(),
    )];
    labels.extend(
        finding.related.iter().map(|r| {
            Label::secondary(r.span.file, r.span.range.to_range()).with_message(&r.message)
        }),
    );
    let mut notes = Vec::new();
    if let Some(object) = &finding.object {
        let name = match &object.namespace {
            Some(ns) => format!("{ns}/{}", object.name),
            None => object.name.clone(),
        };
        notes.push(format!("in {} `{name}`", object.kind));
    }
    if let Some(fix) = &finding.fix {
        let level = match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "suggestion",
        };
        notes.push(format!("fix ({level}): {}", fix.description));
    }
    if let Some(doc) = crate::docs::doc(finding.check) {
        notes.push(format!(
            "help: {} (`k8sec explain {}`)",
            first_sentence(doc.remediation),
            doc.id
        ));
    }
    Diagnostic::new(severity)
        .with_code(finding.check)
        .with_message(&finding.message)
        .with_labels(labels)
        .with_notes(notes)
}

fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(end) => flat[..=end].to_string(),
        None => flat,
    }
}

/// The closing line: fixes applied, counts by severity, files, suppressed, fixes available.
pub(super) fn summary(ws: &Workspace, result: &LintResult) -> String {
    let count = |s: Severity| result.findings.iter().filter(|f| f.severity == s).count();
    let total = result.findings.len();
    let mut line = String::new();
    if let Some(fixed) = result.fixed {
        line.push_str(&format!(
            "Fixed {} finding{} in {} file{}. ",
            fixed.fixes,
            plural(fixed.fixes),
            fixed.files,
            plural(fixed.files)
        ));
    }
    line += &if total == 0 {
        "No findings".to_string()
    } else {
        format!(
            "Found {total} finding{} ({} error{}, {} warning{}, {} info)",
            plural(total),
            count(Severity::Error),
            plural(count(Severity::Error)),
            count(Severity::Warning),
            plural(count(Severity::Warning)),
            count(Severity::Info),
        )
    };
    line.push_str(&format!(
        " in {} file{} ({} object{})",
        ws.sources.len(),
        plural(ws.sources.len()),
        ws.resource_count(),
        plural(ws.resource_count())
    ));
    if result.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", result.suppressed));
    }
    if let Some(baseline) = result.baseline {
        line.push_str(&format!("; {} in the baseline", baseline.matched));
        if baseline.stale > 0 {
            line.push_str(&format!(
                " ({} stale entr{})",
                baseline.stale,
                if baseline.stale == 1 { "y" } else { "ies" }
            ));
        }
    }
    if let Some(outside) = result.out_of_scope.filter(|n| *n > 0) {
        line.push_str(&format!("; {outside} about other files"));
    }
    line.push_str(&fixable(result));
    line.push_str(".\n");
    line
}

/// "; 2 fixable with `--fix` (1 more with `--unsafe-fixes`)", or nothing. Counts findings
/// whose fix `--fix` (and `--unsafe-fixes`) would apply, not display-only suggestions.
fn fixable(result: &LintResult) -> String {
    let count = |a: Applicability| {
        result
            .findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|fix| fix.applicability == a))
            .count()
    };
    match (count(Applicability::Safe), count(Applicability::Unsafe)) {
        (0, 0) => String::new(),
        (0, unsafe_) => format!("; {unsafe_} fixable with `--fix --unsafe-fixes`"),
        (safe, 0) => format!("; {safe} fixable with `--fix`"),
        (safe, unsafe_) => {
            format!("; {safe} fixable with `--fix` ({unsafe_} more with `--unsafe-fixes`)")
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
