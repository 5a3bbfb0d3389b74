//! `path:line:col: severity[id] message`, one finding per line: for grep, editors and CI logs.

use std::fmt::Write as _;

use super::position;
use crate::workspace::{LintResult, Workspace};

pub(super) fn render(ws: &Workspace, result: &LintResult) -> String {
    let mut out = String::new();
    for finding in &result.findings {
        let (start, _) = position(&ws.sources, finding.span);
        let path = ws.sources.get(finding.span.file).display_path();
        let _ = writeln!(
            out,
            "{path}:{}:{}: {}[{}] {}",
            start.line,
            start.column,
            finding.severity.as_str(),
            finding.check,
            finding.message
        );
    }
    out
}
