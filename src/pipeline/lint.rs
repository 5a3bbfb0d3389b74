//! Linting a loaded workspace: run the enabled checks, attribute each finding to its origin
//! (naming the Kustomize overlays it comes from), report the files that do not parse, apply
//! comment suppressions and per-path ignores, sort, and decide how the run exits.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::build::helm_map;
use crate::checks::Selection;
use crate::config::Config;
use crate::diagnostic::{Finding, Related, Severity, INVALID_YAML};
use crate::graph;
use crate::model::Resource;
use crate::source::SourceFile;
use crate::suppress::IgnoreComments;
use crate::text::TextRange;
use crate::workspace::{LintResult, UnitKind, Workspace};
use crate::yaml::{FileId, Span};

/// Runs the enabled checks over everything loaded, and returns the findings that are left
/// after suppression, sorted by (path, position, check id, message).
pub fn lint(ws: &Workspace, config: &Config) -> LintResult {
    lint_selected(ws, config, &config.selection())
}

/// [`lint`] for outputs that print no edits (human, concise, GitHub annotations, JUnit,
/// statistics): every finding has a fix exactly when it has one in [`lint`], with the same
/// applicability, description and reason, but its edits are not written (an empty
/// [`Fix::edits`](crate::fix::Fix::edits)). On a List of thousands of Pods, writing them was
/// a tenth of a lint.
pub fn lint_without_edits(ws: &Workspace, config: &Config) -> LintResult {
    lint_selected(ws, config, &config.selection().without_edits())
}

/// [`lint`] with only the checks `checks` executes (see [`Selection::only`]).
pub(super) fn lint_selected(ws: &Workspace, config: &Config, checks: &Selection<'_>) -> LintResult {
    let (by_unit, suppressed_by_annotation) = run_checks(ws, config, checks);
    conclude(ws, config, by_unit, suppressed_by_annotation)
}

/// What follows the checks: attribute each unit's findings (`by_unit`, by unit index), add the
/// files that do not parse, suppress, sort.
pub(super) fn conclude(
    ws: &Workspace,
    config: &Config,
    by_unit: Vec<Vec<Finding>>,
    suppressed_by_annotation: usize,
) -> LintResult {
    let mut findings = attribute(ws, by_unit);
    // A file `exclude` names that a build read anyway (a Kustomize base): its findings go with
    // it, as if the walk had skipped it.
    findings.retain(|f| !ws.excluded.contains(&f.span.file));
    // Findings on rendered chart output move to their templates' lines.
    helm_map::remap(&ws.helm_maps, &ws.sources, &mut findings);
    findings.extend(invalid_yaml(ws, config));
    let suppressed = suppressed_by_annotation + suppress(ws, config, &mut findings);
    sort(ws, &mut findings);
    LintResult {
        findings,
        suppressed,
        ..LintResult::default()
    }
}

/// Runs every enabled check: per-resource checks in parallel over all resources, then unit and
/// graph checks in parallel over units. Returns each unit's findings (by unit index) and how
/// many findings annotations suppressed.
fn run_checks(
    ws: &Workspace,
    config: &Config,
    checks: &Selection<'_>,
) -> (Vec<Vec<Finding>>, usize) {
    // Per-resource checks, in parallel over resources (each tagged with its unit).
    let resources: Vec<(usize, &Resource)> = ws
        .units
        .iter()
        .enumerate()
        .flat_map(|(u, unit)| unit.resources.iter().map(move |r| (u, r)))
        .collect();
    let per_resource: Vec<(usize, Vec<Finding>, usize)> = resources
        .par_iter()
        .map(|(unit, resource)| {
            let mut findings = Vec::new();
            let suppressed = checks.run_resource(resource, &ws.sources, &mut findings);
            (*unit, findings, suppressed)
        })
        .collect();
    let mut suppressed = 0;
    let mut by_unit: Vec<Vec<Finding>> = vec![Vec::new(); ws.units.len()];
    for (unit, findings, count) in per_resource {
        by_unit[unit].extend(findings);
        suppressed += count;
    }

    // Units are independent: their graphs and unit checks run in parallel.
    let unit_suppressed: usize = ws
        .units
        .par_iter()
        .zip(by_unit.par_iter_mut())
        .map(|(unit, findings)| check_unit(checks, ws, config, &unit.resources, findings))
        .sum();
    (by_unit, suppressed + unit_suppressed)
}

/// Runs the unit and graph checks of `checks` over one unit's `resources`, adding to
/// `findings`; returns how many findings annotations suppressed. The unit's graph is built
/// here, and only when a check needs it.
pub(super) fn check_unit(
    checks: &Selection<'_>,
    ws: &Workspace,
    config: &Config,
    resources: &[Resource],
    findings: &mut Vec<Finding>,
) -> usize {
    let options = graph::GraphOptions {
        sources: Some(&ws.sources),
        external: &config.graph_external,
        peer_edges: false,
    };
    let graph = checks
        .wants_graph()
        .then(|| graph::Graph::build(resources, options));
    checks.run_unit(resources, graph.as_ref(), &ws.sources, findings)
}

/// The findings of every unit, with each Kustomize finding naming its build root in a related
/// note ("in overlay `overlays/prod`"), and a finding at the same origin in several overlays
/// reported once with all of them listed.
///
/// "The same origin" is the check, the span and the container: overlays rename objects
/// (`namePrefix`), move them to other namespaces and bind them differently, so the message of a
/// finding at one base line (which names the object, its namespace, its account) differs from
/// overlay to overlay while the line to fix is the same. The first finding is kept; each other
/// overlay is listed, with its own message when it differs ("in overlay `staging`: pods of
/// Deployment `staging-web` …"). Two findings of one overlay at one origin that are about
/// different objects (a base included twice) are one finding the same way; findings of one
/// object stay apart.
fn attribute(ws: &Workspace, by_unit: Vec<Vec<Finding>>) -> Vec<Finding> {
    type Origin = (&'static str, Span, Option<String>);
    let mut out: Vec<Finding> = Vec::new();
    // origin -> indexes in `out` of the findings kept for it
    let mut seen: HashMap<Origin, Vec<usize>> = HashMap::new();
    for (unit, findings) in ws.units.iter().zip(by_unit) {
        let UnitKind::Kustomize { kustomization, .. } = &unit.kind else {
            out.extend(findings);
            continue;
        };
        let shown = ws.sources.get(*kustomization).display_path();
        let dir = shown
            .rsplit_once('/')
            .map_or(".".to_string(), |(d, _)| d.to_string());
        let note_span = first_line(ws.sources.get(*kustomization), *kustomization);
        let note = Related {
            span: note_span,
            message: format!("in overlay `{dir}`"),
        };
        // Findings of this overlay kept so far, by origin: (index, object).
        let mut this_unit: HashMap<Origin, Vec<usize>> = HashMap::new();
        for mut finding in findings {
            let origin = (finding.check, finding.span, finding.container.clone());
            let kept = seen.get(&origin).and_then(|indexes| {
                indexes.iter().copied().find(|&i| {
                    // One object's several findings at one origin stay apart.
                    let same_unit = this_unit.get(&origin).is_some_and(|own| own.contains(&i));
                    !(same_unit
                        && out[i].object == finding.object
                        && out[i].message != finding.message)
                })
            });
            match kept {
                Some(i) => {
                    let related = if out[i].message == finding.message {
                        note.clone()
                    } else {
                        Related {
                            span: note_span,
                            message: format!("in overlay `{dir}`: {}", finding.message),
                        }
                    };
                    if !out[i].related.contains(&related) {
                        out[i].related.push(related);
                    }
                }
                None => {
                    finding.related.push(note.clone());
                    seen.entry(origin.clone()).or_default().push(out.len());
                    this_unit.entry(origin).or_default().push(out.len());
                    out.push(finding);
                }
            }
        }
    }
    out
}

/// The span of the first line of a kustomization that is not blank or a comment.
fn first_line(file: &SourceFile, id: FileId) -> Span {
    let mut offset = 0usize;
    for line in file.text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') && trimmed != "---" {
            let start = offset + (line.len() - line.trim_start().len());
            let end = offset + line.trim_end().len();
            return Span::new(id, TextRange::new(start as u32, end as u32));
        }
        offset += line.len();
    }
    Span::new(id, TextRange::empty(0))
}

/// One `invalid-yaml` finding per file that failed to parse, where parsing stopped.
fn invalid_yaml<'a>(ws: &'a Workspace, config: &'a Config) -> impl Iterator<Item = Finding> + 'a {
    ws.parse_errors.iter().map(|(file, error)| {
        let span = Span::new(*file, TextRange::empty(error.offset));
        let severity = config.severity_of(INVALID_YAML);
        let message = format!("invalid YAML: {}", error.message);
        Finding::new(INVALID_YAML, severity, span, message)
    })
}

/// Drops the findings that a `# k8sec-ignore:` comment or a per-path ignore suppresses;
/// returns how many.
fn suppress(ws: &Workspace, config: &Config, findings: &mut Vec<Finding>) -> usize {
    let before = findings.len();
    let mut comments = HashMap::new();
    findings.retain(|finding| {
        if finding.check == INVALID_YAML {
            return true; // a file we cannot read is never silently passed
        }
        let file = ws.sources.get(finding.span.file);
        let comments = comments
            .entry(finding.span.file)
            .or_insert_with(|| IgnoreComments::of(file));
        !(config.ignored_for_path(finding.check, &file.path)
            || comments.suppress(file, finding.span.range.start, finding.check))
    });
    before - findings.len()
}

/// The one order of findings, whatever the thread count: path, position, check id, message.
fn sort(ws: &Workspace, findings: &mut [Finding]) {
    findings.par_sort_by(|a, b| {
        let pa = ws.sources.get(a.span.file).display_path();
        let pb = ws.sources.get(b.span.file).display_path();
        (pa, a.span.range.start, a.check, &a.message).cmp(&(
            pb,
            b.span.range.start,
            b.check,
            &b.message,
        ))
    });
}

/// How a run ends, as its process exit status: one policy for every command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: nothing at or above the threshold (`--diff`: nothing would change).
    Success,
    /// 1: a finding at or above the threshold (`--diff`: something would change).
    Failure,
    /// 2: a usage, configuration or I/O error: an input that could not be read, a fixed file
    /// that could not be written.
    Error,
}

impl ExitStatus {
    /// The policy: an error wins over what the run gates on (findings, or changes).
    pub fn of(error: bool, gate: bool) -> ExitStatus {
        if error {
            ExitStatus::Error
        } else if gate {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    }

    /// 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// How a lint run exits: 2 when an input could not be read, else 1 when a finding reaches
/// `fail_on`, else 0.
pub fn exit_status(ws: &Workspace, result: &LintResult, fail_on: Severity) -> ExitStatus {
    let failing = result.findings.iter().any(|f| f.severity >= fail_on);
    ExitStatus::of(!ws.problems.is_empty(), failing)
}
