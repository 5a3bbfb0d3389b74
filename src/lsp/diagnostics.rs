//! Findings as the protocol's diagnostics.
//!
//! A diagnostic has the finding's exact range (in UTF-16 positions), its severity, the check id
//! as `code` with a link to the check's documentation (`codeDescription`), `source: "k8sec"`,
//! and the chain of related locations (the ServiceAccount, the binding, the rule that grants;
//! the Kustomize overlays a base's finding comes through) as `relatedInformation`. The overlays
//! are also named in the message, since not every editor shows related information.
//!
//! A check's documentation is `<repository>/blob/main/checks/<id>.toml`, the file `k8sec
//! explain <id>` prints, with the repository of the crate's manifest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};

use super::{position, uri};
use crate::config::ConfigError;
use crate::diagnostic::{Finding, Severity};
use crate::pipeline::live::LiveWorkspace;
use crate::yaml::FileId;

/// The `source` of every diagnostic.
pub(crate) const SOURCE: &str = "k8sec";

/// How the pipeline names the overlay a Kustomize finding comes through (a related note).
const OVERLAY_NOTE: &str = "in overlay ";

/// Where the documentation of check `id` is.
pub(crate) fn docs_url(id: &str) -> Option<Uri> {
    let repository = env!("CARGO_PKG_REPOSITORY");
    if repository.is_empty() {
        return None;
    }
    Uri::from_str(&format!("{repository}/blob/main/checks/{id}.toml")).ok()
}

/// The diagnostic of one finding of `live`.
pub(crate) fn diagnostic(live: &LiveWorkspace, finding: &Finding) -> Diagnostic {
    let ws = live.workspace();
    let file = ws.sources.get(finding.span.file);
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .map(|r| {
            let source = ws.sources.get(r.span.file);
            DiagnosticRelatedInformation {
                location: Location {
                    uri: uri::from_path(&live.path_of(r.span.file)),
                    range: position::range(&source.line_index, &source.text, r.span.range),
                },
                message: r.message.clone(),
            }
        })
        .collect();
    Diagnostic {
        range: position::range(&file.line_index, &file.text, finding.span.range),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.check.to_string())),
        code_description: docs_url(finding.check).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: message(finding),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The finding's message, with the overlays it comes through: "… (in overlay `overlays/prod`)".
fn message(finding: &Finding) -> String {
    let overlays: Vec<&str> = finding
        .related
        .iter()
        .filter_map(|r| r.message.strip_prefix(OVERLAY_NOTE))
        .collect();
    match overlays.as_slice() {
        [] => finding.message.clone(),
        [one] => format!("{} (in overlay {one})", finding.message),
        many => format!("{} (in overlays {})", finding.message, many.join(", ")),
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The diagnostics made for each file, and what they were made from: a lint that leaves a
/// file's findings, and the texts they point into, as they were costs no conversion (a keystroke
/// in one file of a large workspace converts that file's findings, not all of them).
#[derive(Default)]
pub(crate) struct Made {
    files: HashMap<PathBuf, Conversion>,
}

struct Conversion {
    findings: Vec<Finding>,
    /// The version of each text the findings point into.
    versions: Vec<(FileId, u64)>,
    diagnostics: Vec<Diagnostic>,
}

impl Made {
    /// The diagnostics of every file of `live` with findings that `owns` says is this
    /// workspace's to report, by absolute path.
    pub(crate) fn by_file(
        &mut self,
        live: &LiveWorkspace,
        owns: impl Fn(&Path) -> bool,
    ) -> HashMap<PathBuf, Vec<Diagnostic>> {
        let mut groups: HashMap<FileId, Vec<&Finding>> = HashMap::new();
        for finding in &live.result().findings {
            groups.entry(finding.span.file).or_default().push(finding);
        }
        let mut out = HashMap::new();
        for (file, findings) in groups {
            let path = live.path_of(file);
            if !owns(&path) {
                continue;
            }
            let mut versions: Vec<(FileId, u64)> = findings
                .iter()
                .flat_map(|f| {
                    let related = f.related.iter().map(|r| r.span.file);
                    std::iter::once(f.span.file).chain(related)
                })
                .map(|id| (id, live.version(id)))
                .collect();
            versions.sort_unstable();
            versions.dedup();
            let known = self.files.get(&path).filter(|made| {
                made.versions == versions && made.findings.iter().eq(findings.iter().copied())
            });
            let diagnostics = match known {
                Some(made) => made.diagnostics.clone(),
                None => {
                    let diagnostics: Vec<Diagnostic> =
                        findings.iter().map(|f| diagnostic(live, f)).collect();
                    let made = Conversion {
                        findings: findings.into_iter().cloned().collect(),
                        versions,
                        diagnostics: diagnostics.clone(),
                    };
                    self.files.insert(path.clone(), made);
                    diagnostics
                }
            };
            out.insert(path, diagnostics);
        }
        out
    }

    /// Forgets the files not in `current`.
    pub(crate) fn keep_only(&mut self, current: &HashMap<PathBuf, Vec<Diagnostic>>) {
        self.files.retain(|path, _| current.contains_key(path));
    }
}

/// The diagnostics of one file (none when the workspace does not hold it).
pub(crate) fn of_file(live: &LiveWorkspace, path: &Path) -> Vec<Diagnostic> {
    let Some(file) = live.file_id(path) else {
        return Vec::new();
    };
    // Findings are sorted by path: a file's are together (but its id is not the sort key).
    live.result()
        .findings
        .iter()
        .filter(|f| f.span.file == file)
        .map(|f| diagnostic(live, f))
        .collect()
}

/// A configuration that cannot be used, as a diagnostic at the problem in its file (`text`).
pub(crate) fn config_error(error: &ConfigError, text: &str) -> Diagnostic {
    let line = error.line.unwrap_or(1).saturating_sub(1);
    let column = error.column.unwrap_or(1).saturating_sub(1);
    let utf16: u32 = text
        .lines()
        .nth(line)
        .unwrap_or("")
        .chars()
        .take(column)
        .map(|c| c.len_utf16() as u32)
        .sum();
    let at = Position::new(line as u32, utf16);
    Diagnostic {
        range: Range::new(at, at),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message: format!("k8sec cannot use this configuration: {}", error.message),
        ..Diagnostic::default()
    }
}
