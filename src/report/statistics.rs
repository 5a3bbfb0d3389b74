//! `--statistics`: one line per check that found something, with how many findings it made
//! and how many of them `--fix` (and `--fix --unsafe-fixes`) would fix, as ruff prints it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Applicability, Severity};
use crate::workspace::LintResult;

/// One check's count.
#[derive(Serialize)]
struct Row {
    check: &'static str,
    severity: &'static str,
    count: usize,
    /// Findings whose fix `--fix` applies.
    fixable: usize,
    /// Findings whose fix only `--fix --unsafe-fixes` applies.
    unsafe_fixable: usize,
}

/// The rows, most findings first (then by check id).
fn rows(result: &LintResult) -> Vec<Row> {
    let mut by_check: BTreeMap<&'static str, Row> = BTreeMap::new();
    for finding in &result.findings {
        let row = by_check.entry(finding.check).or_insert(Row {
            check: finding.check,
            severity: Severity::Info.as_str(),
            count: 0,
            fixable: 0,
            unsafe_fixable: 0,
        });
        row.count += 1;
        // A check's configured severity; folding may raise one finding (the most severe shows).
        if Severity::parse(row.severity) < Some(finding.severity) {
            row.severity = finding.severity.as_str();
        }
        match finding.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => row.fixable += 1,
            Some(Applicability::Unsafe) => row.unsafe_fixable += 1,
            _ => {}
        }
    }
    let mut rows: Vec<Row> = by_check.into_values().collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.check.cmp(b.check)));
    rows
}

/// The statistics as a table (human and concise formats):
///
/// ```text
///   349  automount-service-account-token  warning  340 fixable with --unsafe-fixes
/// ```
pub fn render_text(result: &LintResult) -> String {
    let rows = rows(result);
    let count_width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let id_width = rows.iter().map(|r| r.check.len()).max().unwrap_or(0);
    let mut out = String::new();
    for row in &rows {
        let mut fixes = Vec::new();
        if row.fixable > 0 {
            fixes.push(format!("{} fixable", row.fixable));
        }
        if row.unsafe_fixable > 0 {
            fixes.push(format!(
                "{} fixable with --unsafe-fixes",
                row.unsafe_fixable
            ));
        }
        let line = format!(
            "{:>count_width$}  {:<id_width$}  {:<7}  {}",
            row.count,
            row.check,
            row.severity,
            fixes.join(", ")
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let total: usize = rows.iter().map(|r| r.count).sum();
    let fixable: usize = rows.iter().map(|r| r.fixable).sum();
    let unsafe_fixable: usize = rows.iter().map(|r| r.unsafe_fixable).sum();
    out.push_str(&format!(
        "Found {total} finding{} in {} check{}; {fixable} fixable with `--fix` ({unsafe_fixable} more with `--unsafe-fixes`).\n",
        if total == 1 { "" } else { "s" },
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
    ));
    out
}

/// The statistics as JSON: `{"version": 1, "statistics": [{"check", "severity", "count",
/// "fixable", "unsafe_fixable"}]}`, most findings first.
pub fn render_json(result: &LintResult) -> String {
    #[derive(Serialize)]
    struct Output {
        version: u32,
        statistics: Vec<Row>,
    }
    let output = Output {
        version: 1,
        statistics: rows(result),
    };
    // Plain structs of strings and numbers: serializing cannot fail.
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
