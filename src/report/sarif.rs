//! SARIF 2.1.0, the format GitHub code scanning (and most code-review tools) read.
//!
//! One run; `tool.driver` lists every check the run selected as a rule, with its docs as help
//! (plain text and Markdown), its default level and its category, Pod Security Standards level
//! and tags as properties (`security-severity` is what GitHub sorts alerts by). Each result has
//! its rule, level, message, the primary location (a URI relative to `%SRCROOT%`, the source
//! root, see [`super::paths`]) with a start-to-end region, the chain of a cross-resource
//! finding as `relatedLocations` (linked from the message, as GitHub shows them), the object as
//! a logical location, a `partialFingerprints` entry that ignores line numbers (see
//! [`super::fingerprint`]) and, when the finding has a safe or unsafe fix, that fix as
//! `artifactChanges`. Display-only fixes (placeholders such as `<set-me>`) are not offered
//! as fixes: a tool applying them would write an invalid manifest.
//!
//! Columns count UTF-16 code units, as GitHub's web views and editors do, and the run says so:
//! `columnKind: utf16CodeUnits` (absent, SARIF means `unicodeCodePoints`, which differ after
//! characters outside the Basic Multilingual Plane). Lines are 1-based and `endColumn` is the
//! column just after the region. JSON escaping is serde_json's: every control character in a
//! name or value is escaped, so the document stays well-formed whatever the repository holds.

use std::collections::BTreeMap;

use serde::Serialize;

use super::fingerprint::{fingerprints, object_identity};
use super::paths::{file_uri, relative_uri};
use super::{position_utf16, RenderOptions};
use super::{write_json, Streamed};
use crate::diagnostic::{Applicability, Finding, Severity};
use crate::docs::{self, CheckDoc};
use crate::source::Sources;
use crate::workspace::{LintResult, Workspace};
use crate::yaml::{FileId, Span};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// Where the tool is documented: the package's homepage or repository (Cargo.toml), else its
/// crates.io page.
const INFORMATION_URI: &str = match option_env!("CARGO_PKG_HOMEPAGE") {
    Some(uri) if !uri.is_empty() => uri,
    _ => "https://crates.io/crates/k8sec",
};

#[derive(Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R> {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    /// The results, serialized as they are written.
    results: R,
    invocations: [Invocation; 1],
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'static str>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
    enabled: bool,
}

#[derive(Serialize)]
struct RuleProperties {
    category: &'static str,
    pss: &'static str,
    fix: &'static str,
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    /// Absent for a check without a doc (no rule to point at).
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "fixApplicability")]
    fix_applicability: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

/// How SARIF names a file: relative to `%SRCROOT%`, or as an absolute `file://` URI when it
/// lies outside the source root.
struct Artifacts<'a> {
    sources: &'a Sources,
    options: &'a RenderOptions,
}

impl Artifacts<'_> {
    fn location(&self, file: FileId) -> ArtifactLocation {
        let shown = self.sources.get(file).display_path();
        match self.options.root.relative(shown) {
            Some(relative) => ArtifactLocation {
                uri: relative_uri(&relative),
                uri_base_id: Some(SRCROOT),
            },
            None => ArtifactLocation {
                uri: file_uri(&self.options.root.absolute(shown)),
                uri_base_id: None,
            },
        }
    }

    fn physical(&self, span: Span) -> PhysicalLocation {
        PhysicalLocation {
            artifact_location: self.location(span.file),
            region: region(self.sources, span),
        }
    }
}

pub(super) fn write(
    ws: &Workspace,
    result: &LintResult,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let artifacts = Artifacts {
        sources: &ws.sources,
        options,
    };
    let rule_ids = rule_ids(options, result);
    let prints = fingerprints(ws, &result.findings, &options.root);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let results = result.findings.iter().zip(prints).map(|(finding, print)| {
        // Findings that share a fingerprint are told apart by their order.
        let count = seen.entry(print.key()).or_default();
        *count += 1;
        let key = match *count {
            1 => print.key(),
            n => format!("{}#{n}", print.key()),
        };
        let index = rule_ids.iter().position(|id| *id == finding.check);
        sarif_result(&artifacts, finding, index, key)
    });
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "k8sec",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: rule_ids
                        .iter()
                        .filter_map(|id| docs::doc(id))
                        .map(rule)
                        .collect(),
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: options.root.root_uri(),
                    uri_base_id: None,
                },
            )]),
            column_kind: "utf16CodeUnits",
            results: Streamed::new(results),
            invocations: [invocation(ws)],
        }],
    };
    write_json(&log, out)
}

/// The rules: the run's checks, plus any check that reported without being listed (the loader's
/// `invalid-yaml`), in id order. Only ids with a doc are kept: every rule needs its help.
fn rule_ids(options: &RenderOptions, result: &LintResult) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = options
        .rules
        .iter()
        .copied()
        .chain(result.findings.iter().map(|f| f.check))
        .filter(|id| docs::doc(id).is_some())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn rule(doc: &'static CheckDoc) -> Rule {
    let mut tags = vec![
        "security".to_string(),
        "kubernetes".to_string(),
        doc.category.to_string(),
    ];
    if doc.pss != docs::Pss::None {
        tags.push(format!("pss-{}", doc.pss.as_str()));
    }
    Rule {
        id: doc.id,
        name: camel_case(doc.id),
        short_description: Text {
            text: doc.summary.to_string(),
        },
        full_description: Text {
            text: flatten(doc.what),
        },
        help: Help {
            text: help_text(doc),
            markdown: doc.to_markdown(),
        },
        help_uri: doc.references.first().map(|r| r.url),
        default_configuration: Configuration {
            level: level(doc.severity),
            enabled: doc.enabled,
        },
        properties: RuleProperties {
            category: doc.category,
            pss: doc.pss.as_str(),
            fix: doc.fix.as_str(),
            tags,
            security_severity: match doc.severity {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            },
            precision: "high",
        },
    }
}

/// The doc as plain text: summary, then what, why and how to fix.
fn help_text(doc: &CheckDoc) -> String {
    format!(
        "{}\n\nWhat it finds: {}\n\nWhy it matters: {}\n\nHow to fix it: {}\n\n(k8sec explain {})",
        doc.summary,
        flatten(doc.what),
        flatten(doc.why),
        flatten(doc.remediation),
        doc.id
    )
}

fn sarif_result<'a>(
    artifacts: &Artifacts<'_>,
    finding: &'a Finding,
    rule_index: Option<usize>,
    fingerprint: String,
) -> SarifResult<'a> {
    let related: Vec<Location> = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, related)| Location {
            id: Some(i + 1),
            physical_location: artifacts.physical(related.span),
            logical_locations: Vec::new(),
            message: Some(Text {
                text: escape_message(&related.message),
            }),
        })
        .collect();
    let logical = finding.object.iter().map(|object| LogicalLocation {
        name: match &object.namespace {
            Some(ns) => format!("{ns}/{}", object.name),
            None => object.name.clone(),
        },
        fully_qualified_name: object_identity(object),
        kind: "resource",
    });
    SarifResult {
        rule_id: finding.check,
        rule_index,
        level: level(finding.severity),
        message: Text {
            text: message(finding),
        },
        locations: [Location {
            id: None,
            physical_location: artifacts.physical(finding.span),
            logical_locations: logical.collect(),
            message: None,
        }],
        related_locations: related,
        partial_fingerprints: BTreeMap::from([("k8secFingerprint/v1", fingerprint)]),
        fixes: finding
            .fix
            .as_ref()
            .filter(|fix| fix.applicability != Applicability::DisplayOnly)
            .map(|fix| fix_of(artifacts, fix))
            .into_iter()
            .collect(),
        properties: finding.object.as_ref().map(|object| ResultProperties {
            api_version: &object.api_version,
            kind: &object.kind,
            namespace: object.namespace.as_deref(),
            name: &object.name,
            container: finding.container.as_deref(),
            fix_applicability: finding.fix.as_ref().map(|f| f.applicability.as_str()),
        }),
    }
}

/// The finding's message, then its related locations as SARIF links (`[text](id)`), which is
/// how GitHub shows a cross-resource chain.
fn message(finding: &Finding) -> String {
    let mut text = escape_message(&finding.message);
    for (i, related) in finding.related.iter().enumerate() {
        text.push_str(if i == 0 { ": " } else { "; " });
        text.push_str(&format!(
            "[{}]({})",
            escape_message(&related.message),
            i + 1
        ));
    }
    text
}

/// SARIF message text gives `[`, `]` and `\` a meaning (embedded links): repository text
/// carries them escaped with a backslash.
fn escape_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn fix_of(artifacts: &Artifacts<'_>, fix: &crate::diagnostic::Fix) -> SarifFix {
    let mut by_file: BTreeMap<FileId, Vec<Replacement>> = BTreeMap::new();
    for edit in &fix.edits {
        by_file
            .entry(edit.span.file)
            .or_default()
            .push(Replacement {
                deleted_region: region(artifacts.sources, edit.span),
                inserted_content: Text {
                    text: edit.replacement.clone(),
                },
            });
    }
    SarifFix {
        description: Text {
            text: format!("{} ({})", fix.description, fix.applicability.as_str()),
        },
        artifact_changes: by_file
            .into_iter()
            .map(|(file, replacements)| ArtifactChange {
                artifact_location: artifacts.location(file),
                replacements,
            })
            .collect(),
    }
}

fn region(sources: &Sources, span: Span) -> Region {
    let (start, end) = position_utf16(sources, span);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// Unreadable inputs (the run fails) and notes (a chart skipped), for the tool's status page.
fn invocation(ws: &Workspace) -> Invocation {
    let problems = ws.problems.iter().map(|p| Notification {
        level: "error",
        message: Text {
            text: format!("{}: {}", p.path.display(), p.message),
        },
    });
    let notes = ws.notes.iter().map(|n| Notification {
        level: "note",
        message: Text {
            text: format!("{}: {}", n.path.display(), n.message),
        },
    });
    Invocation {
        execution_successful: ws.problems.is_empty(),
        tool_execution_notifications: problems.chain(notes).collect(),
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `privileged-container` → `PrivilegedContainer` (SARIF's rule `name`).
fn camel_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Doc prose is wrapped for the terminal; one paragraph per blank line, lines joined.
fn flatten(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_escapes_link_syntax() {
        assert_eq!(escape_message(r"a [b](1) \c"), r"a \[b\](1) \\c");
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(camel_case("privileged-container"), "PrivilegedContainer");
    }
}
