//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! which the runner turns into an annotation on the file and lines of the pull request.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::MESSAGE`. The runner reads
//! each output line that starts with `::` as a command, so everything from the repository
//! (paths, names, values) is escaped the way the runner unescapes it: in the message `%`, CR
//! and LF become `%25`, `%0D`, `%0A` (a multi-line message stays on one line: no text can
//! start a line of its own, so no `::stop-commands::` or `::error` hidden in a name ever runs);
//! in properties `:` and `,` also become `%3A` and `%2C`. Other control characters (an ANSI
//! escape that would color the log) are shown as `\u{1b}`.
//!
//! Paths are relative to the source root (what GitHub resolves them against); lines are
//! 1-based and columns count UTF-16 code units, as GitHub's web views do. The CLI follows the
//! annotations with the summary line ([`super::summary`]), as plain log text.

use super::{position_utf16, visible, RenderOptions};
use crate::diagnostic::{Applicability, Finding, Severity};
use crate::workspace::{LintResult, Workspace};

/// One annotation per finding, written to `out` as each is formatted.
pub(super) fn write(
    ws: &Workspace,
    result: &LintResult,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for finding in &result.findings {
        let (start, end) = position_utf16(&ws.sources, finding.span);
        let file = options
            .root
            .display(ws.sources.get(finding.span.file).display_path());
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&file),
            start.line,
            start.column,
            end.line,
            end.column,
            property(finding.check),
            data(&message(ws, finding, options)),
        )?;
    }
    Ok(())
}

/// The annotation's text: the message, the object, the related locations, the fix and where to
/// read more, one per line.
fn message(ws: &Workspace, finding: &Finding, options: &RenderOptions) -> String {
    let mut lines = vec![finding.message.clone()];
    if let Some(object) = &finding.object {
        lines.push(match &object.namespace {
            Some(ns) => format!("in {} `{ns}/{}`", object.kind, object.name),
            None => format!("in {} `{}`", object.kind, object.name),
        });
    }
    for related in &finding.related {
        let (start, _) = position_utf16(&ws.sources, related.span);
        let file = options
            .root
            .display(ws.sources.get(related.span.file).display_path());
        lines.push(format!("{}: {file}:{}", related.message, start.line));
    }
    if let Some(fix) = &finding.fix {
        lines.push(match fix.applicability {
            Applicability::Safe => format!("fix: {} (k8sec lint --fix)", fix.description),
            Applicability::Unsafe => format!(
                "fix (unsafe): {} (k8sec lint --fix --unsafe-fixes)",
                fix.description
            ),
            Applicability::DisplayOnly => format!("suggestion: {}", fix.description),
        });
    }
    lines.push(format!("k8sec explain {}", finding.check));
    lines.join("\n")
}

/// A command's message, escaped as the runner unescapes it.
fn data(text: &str) -> String {
    visible(text, |c| c.is_control() && c != '\n' && c != '\r')
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: its message escaping, plus `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_a_command_on_one_line() {
        assert_eq!(
            data("a%b\r\n::stop-commands::x"),
            "a%25b%0D%0A::stop-commands::x"
        );
        assert_eq!(property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(data("\u{1b}[31mred"), "\\u{1b}[31mred");
        // The escape of `%` comes first: an escaped control character is not unescaped twice.
        assert_eq!(data("%0A"), "%250A");
    }
}
