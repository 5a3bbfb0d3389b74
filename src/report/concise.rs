//! `path:line:col: severity[id] message`, one finding per line: for grep, editors and CI logs.
//! The path and the message are escaped: a name holding a line break cannot forge a line.

use super::escape::escape;
use super::position;
use crate::workspace::{LintResult, Workspace};

pub(super) fn write(
    ws: &Workspace,
    result: &LintResult,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for finding in &result.findings {
        let (start, _) = position(&ws.sources, finding.span);
        let path = escape(ws.sources.get(finding.span.file).display_path());
        writeln!(
            out,
            "{path}:{}:{}: {}[{}] {}",
            start.line,
            start.column,
            finding.severity.as_str(),
            finding.check,
            escape(&finding.message)
        )?;
    }
    Ok(())
}
