//! Hover on a finding's range: what the check finds, why it matters and how to fix it, from
//! the check's documentation (`checks/<id>.toml`, as `k8sec explain` prints it).

use std::path::Path;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::{diagnostics, position};
use crate::diagnostic::Finding;
use crate::docs;
use crate::pipeline::live::LiveWorkspace;

/// The documentation of the findings at `at` in the file at `path`, if any.
pub(crate) fn hover(live: &LiveWorkspace, path: &Path, at: Position) -> Option<Hover> {
    let file = live.file_id(path)?;
    let source = live.workspace().sources.get(file);
    let offset = position::offset(&source.line_index, &source.text, at);
    let here: Vec<&Finding> = live
        .result()
        .findings
        .iter()
        .filter(|f| f.span.file == file)
        .filter(|f| f.span.range.start <= offset && offset <= f.span.range.end)
        .collect();
    let first = here.first()?;
    let sections: Vec<String> = here.iter().map(|f| section(f)).collect();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(position::range(
            &source.line_index,
            &source.text,
            first.span.range,
        )),
    })
}

/// One finding's part of the hover.
fn section(finding: &Finding) -> String {
    let mut out = format!(
        "**k8sec** `{}` ({}): {}",
        finding.check,
        finding.severity.as_str(),
        finding.message
    );
    let Some(doc) = docs::doc(finding.check) else {
        return out;
    };
    out.push_str(&format!("\n\n**{}**", doc.summary));
    out.push_str(&format!("\n\n*Why it matters:* {}", doc.why.trim()));
    out.push_str(&format!("\n\n*How to fix it:* {}", doc.remediation.trim()));
    if let Some(fix) = &finding.fix {
        out.push_str(&format!(
            "\n\n*Fix ({}):* {}",
            fix.applicability.as_str(),
            fix.description
        ));
    }
    let link = diagnostics::docs_url(finding.check)
        .map(|url| format!("[documentation]({}) · ", url.as_str()))
        .unwrap_or_default();
    out.push_str(&format!("\n\n{link}`k8sec explain {}`", finding.check));
    out
}
