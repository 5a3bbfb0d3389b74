//! `k8sec checks` and `k8sec explain`: the catalogue of checks, from their docs.

use k8sec::docs::{self, DOCS};
use k8sec::ExitStatus;

use super::args::ListFormat;
use super::error::Error;
use super::write_stdout;

/// `k8sec checks`: one line (or one JSON object) per check.
pub(crate) fn list(format: ListFormat) -> Result<ExitStatus, Error> {
    match format {
        ListFormat::Text => {
            let mut out = String::new();
            for doc in DOCS {
                out.push_str(&format!(
                    "{:<34} {:<8} {:<16} {:<11} {:<4} {:<13} {}\n",
                    doc.id,
                    doc.severity.as_str(),
                    doc.category,
                    doc.pss.as_str(),
                    if doc.enabled { "on" } else { "off" },
                    doc.fix.as_str(),
                    doc.summary
                ));
            }
            write_stdout(&out);
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = DOCS
                .iter()
                .map(|doc| {
                    serde_json::json!({
                        "id": doc.id,
                        "summary": doc.summary,
                        "severity": doc.severity.as_str(),
                        "category": doc.category,
                        "pss": doc.pss.as_str(),
                        "enabled": doc.enabled,
                        "fix": doc.fix.as_str(),
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&list).map_err(Error::Json)?;
            write_stdout(&(text + "\n"));
        }
    }
    Ok(ExitStatus::Success)
}

/// `k8sec explain <id>`: a check's full documentation, as Markdown.
pub(crate) fn explain(id: &str) -> Result<ExitStatus, Error> {
    let doc = docs::doc(id).ok_or_else(|| Error::UnknownCheck(id.to_string()))?;
    write_stdout(&doc.to_markdown());
    Ok(ExitStatus::Success)
}
