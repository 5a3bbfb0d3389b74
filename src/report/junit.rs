//! JUnit XML, for the test reports of GitLab, Jenkins and other CI servers.
//!
//! One `<testsuite>` per file that holds objects or findings (named by its path relative to
//! the source root), in path order. In it, each object without findings is one passing
//! `<testcase>` named after the object (`Deployment shop/web`), and each finding is one failing
//! `<testcase>` named after its object, check and place in the object
//! (`Deployment shop/worker: privileged-container at spec.template.spec.containers[worker]…`)
//! with exactly one `<failure>`: GitLab and Jenkins read one failure per test case, and
//! GitLab's merge-request widget compares test cases by name, so a stable name per finding
//! shows which findings a change added or fixed. A finding belongs to the suite of the file its
//! primary location is in.
//!
//! The XML is written here rather than with a writer crate: five escapes are all the syntax
//! needs, and what no crate does for us is the rest. XML 1.0 cannot carry most C0 control
//! characters even as character references, so those are replaced visibly (`\u{1b}`); tab, LF
//! and CR are kept, as character references inside attributes, where a parser would otherwise
//! turn them into spaces.

use std::collections::{BTreeMap, HashSet};

use super::fingerprint::fingerprints;
use super::{position, visible, RenderOptions};
use crate::diagnostic::Finding;
use crate::model::ObjectRef;
use crate::workspace::{LintResult, Workspace};

/// One test case: its name, and the finding it fails on (its failure is written out only when
/// the case is: the report is never held whole in memory).
struct Case<'a> {
    name: String,
    failure: Option<&'a Finding>,
}

/// Writes the report to `out` suite by suite, case by case. The suites' counts come first in
/// the XML, so the cases' names are gathered beforehand; their failures are not.
pub(super) fn write(
    ws: &Workspace,
    result: &LintResult,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let suites = suites(ws, result, options);
    let tests: usize = suites.values().map(Vec::len).sum();
    let failures = result.findings.len();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"k8sec\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    )?;
    for (file, cases) in &suites {
        let failed = cases.iter().filter(|c| c.failure.is_some()).count();
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
            attribute(file),
            cases.len()
        )?;
        for case in cases {
            let open = format!(
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
                attribute(file),
                attribute(&case.name),
                attribute(file)
            );
            match case.failure {
                None => writeln!(out, "{open}/>")?,
                Some(finding) => {
                    let (message, kind, body) = failure(ws, finding, options);
                    writeln!(
                        out,
                        "{open}>\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>",
                        attribute(&message),
                        text(&body)
                    )?;
                }
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// The test cases of each file, by path.
fn suites<'a>(
    ws: &Workspace,
    result: &'a LintResult,
    options: &RenderOptions,
) -> BTreeMap<String, Vec<Case<'a>>> {
    let shown = |file| options.root.display(ws.sources.get(file).display_path());
    let mut suites: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    let failing: HashSet<&ObjectRef> = result
        .findings
        .iter()
        .filter_map(|f| f.object.as_ref())
        .collect();
    let mut passing = HashSet::new();
    for resource in ws.resources() {
        let object = resource.object_ref();
        if !failing.contains(&object) && passing.insert((resource.file, object.clone())) {
            suites.entry(shown(resource.file)).or_default().push(Case {
                name: label(Some(&object)),
                failure: None,
            });
        }
    }
    let prints = fingerprints(ws, &result.findings, &options.root);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (finding, print) in result.findings.iter().zip(prints) {
        let mut name = format!("{}: {}", label(finding.object.as_ref()), finding.check);
        if !print.path.is_empty() {
            name.push_str(&format!(" at {}", print.path));
        }
        let count = seen.entry(print.key()).or_default();
        *count += 1;
        if *count > 1 {
            name.push_str(&format!(" #{count}"));
        }
        suites
            .entry(shown(finding.span.file))
            .or_default()
            .push(Case {
                name,
                failure: Some(finding),
            });
    }
    suites
}

/// `Deployment shop/web`, `ClusterRole admin`; for no object, `file`.
fn label(object: Option<&ObjectRef>) -> String {
    match object {
        Some(o) => match &o.namespace {
            Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
            None => format!("{} {}", o.kind, o.name),
        },
        None => "file".to_string(),
    }
}

/// The failure's message, type (the severity) and body: the finding as `concise` prints it,
/// then what else the human output says.
fn failure(
    ws: &Workspace,
    finding: &Finding,
    options: &RenderOptions,
) -> (String, &'static str, String) {
    let shown = |file| options.root.display(ws.sources.get(file).display_path());
    let file = shown(finding.span.file);
    let (start, _) = position(&ws.sources, finding.span);
    let mut body = format!(
        "{}[{}] {file}:{}:{}: {}",
        finding.severity.as_str(),
        finding.check,
        start.line,
        start.column,
        finding.message
    );
    for related in &finding.related {
        let (at, _) = position(&ws.sources, related.span);
        let path = shown(related.span.file);
        body.push_str(&format!("\n{}: {path}:{}", related.message, at.line));
    }
    if let Some(fix) = &finding.fix {
        body.push_str(&format!(
            "\nfix ({}): {}",
            fix.applicability.as_str(),
            fix.description
        ));
    }
    body.push_str(&format!("\nsee: k8sec explain {}", finding.check));
    (finding.message.clone(), finding.severity.as_str(), body)
}

/// Character data: `&`, `<` and `>` escaped; the characters XML 1.0 cannot hold (C0 controls
/// but tab, LF and CR; U+FFFE, U+FFFF) and the other controls (DEL, C1) replaced visibly.
fn text(value: &str) -> String {
    let replace = |c: char| {
        c.is_control() && !matches!(c, '\t' | '\n' | '\r') || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    visible(value, replace)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An attribute value (in double quotes): as [`text`], plus `"`, and tab, LF and CR as
/// character references so that they survive attribute-value normalization.
fn attribute(value: &str) -> String {
    text(value)
        .replace('"', "&quot;")
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_replaces_controls() {
        assert_eq!(
            text("a<b>&c\u{1}\n\u{ffff}"),
            "a&lt;b&gt;&amp;c\\u{1}\n\\u{ffff}"
        );
        assert_eq!(
            attribute("\"x\"\n\t\r\u{7f}"),
            "&quot;x&quot;&#10;&#9;&#13;\\u{7f}"
        );
    }
}
