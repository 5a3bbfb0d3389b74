//! The JSON output. Its shape is a contract (documented in the README, `"version": 1`): fields
//! are only ever added.

use serde::Serialize;

use super::{position, write_json, Streamed};
use crate::diagnostic::Finding;
use crate::workspace::{LintResult, Workspace};

#[derive(Serialize)]
struct Output<F> {
    version: u32,
    /// The findings, serialized as they are written.
    findings: F,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    check: &'a str,
    severity: &'a str,
    message: &'a str,
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    object: Option<Object<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
    related: Vec<Related<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct Object<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct Related<'a> {
    file: String,
    line: u32,
    column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    description: &'a str,
    /// Why an unsafe or display-only fix is not applied by `--fix`; `null` for a safe one.
    reason: Option<&'a str>,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    file: String,
    start_byte: u32,
    end_byte: u32,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    resources: usize,
    findings: usize,
    suppressed: usize,
    /// Only after `--fix`: fixes applied (the findings are what is left).
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<usize>,
    /// Only with `--baseline`: findings it silenced, and its entries nothing matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale: Option<usize>,
    /// Only with `--changed-since` or `--context`: findings about other files, not reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    out_of_scope: Option<usize>,
}

pub(super) fn write(
    ws: &Workspace,
    result: &LintResult,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let output = Output {
        version: 1,
        findings: Streamed::new(result.findings.iter().map(|f| finding(ws, f))),
        summary: Summary {
            files: ws.files_read(),
            resources: ws.resource_count(),
            findings: result.findings.len(),
            suppressed: result.suppressed,
            fixed: result.fixed.map(|f| f.fixes),
            baselined: result.baseline.map(|b| b.matched),
            stale: result.baseline.map(|b| b.stale),
            out_of_scope: result.out_of_scope,
        },
    };
    write_json(&output, out)
}

fn finding<'a>(ws: &'a Workspace, f: &'a Finding) -> JsonFinding<'a> {
    let (start, end) = position(&ws.sources, f.span);
    JsonFinding {
        check: f.check,
        severity: f.severity.as_str(),
        message: &f.message,
        file: ws.sources.get(f.span.file).display_path().to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        object: f.object.as_ref().map(|o| Object {
            api_version: &o.api_version,
            kind: &o.kind,
            namespace: o.namespace.as_deref(),
            name: &o.name,
        }),
        container: f.container.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| {
                let (start, _) = position(&ws.sources, r.span);
                Related {
                    file: ws.sources.get(r.span.file).display_path().to_string(),
                    line: start.line,
                    column: start.column,
                    message: &r.message,
                }
            })
            .collect(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability.as_str(),
            description: &fix.description,
            reason: fix.reason.as_deref(),
            edits: fix
                .edits
                .iter()
                .map(|e| JsonEdit {
                    file: ws.sources.get(e.span.file).display_path().to_string(),
                    start_byte: e.span.range.start,
                    end_byte: e.span.range.end,
                    replacement: &e.replacement,
                })
                .collect(),
        }),
    }
}
