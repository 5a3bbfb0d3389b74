//! Human output: each finding as a source snippet with its primary and related labels.

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files;
use codespan_reporting::term::termcolor::{Ansi, NoColor, WriteColor};
use codespan_reporting::term::{self, Config};

use super::escape::escape;
use super::redact::masked_sources;
use super::snippet::Snippets;
use crate::diagnostic::{Applicability, Finding, Severity};
use crate::workspace::{LintResult, Workspace};

/// `--color`: when to use ANSI colors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Every finding as a snippet of its lines (escaped, long lines cut: see `snippet.rs`; secret
/// text a finding marks masked: see `redact.rs`), written to `out` as it is rendered, finding
/// by finding. Messages, names and notes are escaped: they carry the repository's text. The
/// summary line is the caller's ([`summary`]): `--quiet` leaves it out.
pub(super) fn write(
    ws: &Workspace,
    result: &LintResult,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let masked = masked_sources(ws, result);
    let config = Config::default();
    let (mut ansi, mut plain);
    let styled: &mut dyn WriteColor = if color {
        ansi = Ansi::new(out);
        &mut ansi
    } else {
        plain = NoColor::new(out);
        &mut plain
    };
    for finding in &result.findings {
        let spans: Vec<_> = std::iter::once(finding.span)
            .chain(finding.related.iter().map(|r| r.span))
            .collect();
        let files = Snippets::new(&ws.sources, &masked, &spans);
        let diagnostic = diagnostic(finding, &files);
        // Only writing can fail: our spans come from the same sources, so rendering cannot
        // miss a file or a line.
        if let Err(files::Error::Io(error)) =
            term::emit_to_write_style(styled, &config, &files, &diagnostic)
        {
            return Err(error);
        }
    }
    Ok(())
}

fn diagnostic(finding: &Finding, files: &Snippets<'_>) -> Diagnostic<crate::yaml::FileId> {
    let severity = match finding.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let mut labels = vec![Label::primary(finding.span.file, files.range(finding.span))];
    labels.extend(finding.related.iter().map(|r| {
        Label::secondary(r.span.file, files.range(r.span)).with_message(escape(&r.message))
    }));
    let mut notes = Vec::new();
    if let Some(object) = &finding.object {
        let name = match &object.namespace {
            Some(ns) => format!("{ns}/{}", object.name),
            None => object.name.clone(),
        };
        notes.push(format!("in {} `{}`", escape(&object.kind), escape(&name)));
    }
    if let Some(fix) = &finding.fix {
        let level = match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "suggestion",
        };
        notes.push(format!("fix ({level}): {}", escape(&fix.description)));
        if let Some(reason) = &fix.reason {
            let why = match fix.applicability {
                Applicability::DisplayOnly => "not applied",
                _ => "unsafe",
            };
            notes.push(format!("why {why}: {}", escape(reason)));
        }
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
        .with_message(escape(&finding.message))
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
pub fn summary(ws: &Workspace, result: &LintResult) -> String {
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
        ws.files_read(),
        plural(ws.files_read()),
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
