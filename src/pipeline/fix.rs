//! Fixing: compute the fixes of a run's findings, apply them round after round in memory,
//! and, for `--fix`, write the changed files, read the inputs again and lint what is left.
//!
//! Per file, the fixes of the findings whose applicability is allowed are applied in one pass
//! ([`apply_fixes`]); the result is parsed and linted again, in memory, through the same
//! pipeline as files on disk ([`load_source`], [`lint`]), until no fix changes anything, at
//! most [`MAX_ROUNDS`] times. A later round fixes only findings the run reported (same check,
//! object and container), since a file read alone is not always what was linted (a Kustomize
//! patch, a base its overlays change). A round whose result does not parse, or whose objects
//! are no longer the same ones, is thrown away: a fix must never corrupt a file.
//!
//! Fixing a file must converge, or nothing of it is kept: when a round applies more fixes to
//! one finding's key (check, object, container) than the run reported findings of that key —
//! a fix that did not take effect, whose finding came back to be fixed again, as when the
//! re-read file ends early at a NUL byte — or the rounds run out, the file is left as it was,
//! with a warning saying why. A file with a line ending in a lone CR is not fixed either:
//! Kubernetes reads a lone CR as a line break and k8sec's edits work on lines.
//!
//! [`fix_workspace`] and [`fix_file`] write nothing: they are what `--diff` shows and what an
//! editor offers for one buffer. [`fix_and_write`] is `--fix`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;

use super::lint::{exit_status, lint, lint_selected, ExitStatus};
use super::load::{load_source, load_with, LoadOptions};
use crate::config::Config;
use crate::diagnostic::{Edit, Finding, Severity};
use crate::docs::FixAvailability;
use crate::fix::{apply_fixes, write_fixed, Applicability, FixMode};
use crate::model::Resource;
use crate::source::{Origin, SourceFile};
use crate::text::TextRange;
use crate::workspace::{FixCount, Inputs, LintResult, Workspace};
use crate::yaml::FileId;

/// Most rounds of fix → re-lint on one file. Fixes normally converge in two or three (a
/// container gets its `securityContext:` in the first, the other settings in the second).
pub const MAX_ROUNDS: usize = 10;

/// What fixing did to one file.
#[derive(Debug)]
pub struct FileFix {
    /// The file, in the workspace the fixes were computed on.
    pub file: FileId,
    /// The fixed text (equal to the original when nothing could be applied).
    pub text: String,
    /// Fixes applied, over all rounds.
    pub applied: usize,
    /// The edits of each round that changed the text, in order; each round's edits are
    /// positions in the text the round before produced.
    pub rounds: Vec<Vec<Edit>>,
    /// Why fixing stopped early, if it did (a fix that would break the file, no convergence).
    pub warnings: Vec<String>,
}

/// Fixes every file of `ws` that has applicable fixes among `result`'s findings, in parallel.
///
/// Files that failed to parse are never fixed (their findings may come from documents before
/// the error, but the file as a whole is not understood), nor is rendered Helm output. Fixes
/// whose edits span several files are not applied yet: no check produces one. Returns one
/// entry per file that had applicable fixes, in file order; nothing is written.
pub fn fix_workspace(
    ws: &Workspace,
    result: &LintResult,
    config: &Config,
    mode: FixMode,
) -> Vec<FileFix> {
    let work: Vec<(FileId, Vec<&Finding>)> = fixes_by_file(ws, result, mode).into_iter().collect();
    let mut fixed: Vec<FileFix> = work
        .into_par_iter()
        .map(|(id, fixes)| fix_one(ws, result, config, mode, id, fixes))
        .collect();
    fixed.sort_by_key(|f| f.file);
    fixed
}

/// [`fix_workspace`] for one file only (an editor's buffer): `None` when it has no applicable
/// fix. Nothing is written.
pub fn fix_file(
    ws: &Workspace,
    result: &LintResult,
    config: &Config,
    mode: FixMode,
    file: FileId,
) -> Option<FileFix> {
    let fixes = fixes_by_file(ws, result, mode).remove(&file)?;
    Some(fix_one(ws, result, config, mode, file, fixes))
}

/// The findings of `result` with an applicable fix, by the file it edits, for the files that
/// may be edited.
fn fixes_by_file<'r>(
    ws: &Workspace,
    result: &'r LintResult,
    mode: FixMode,
) -> BTreeMap<FileId, Vec<&'r Finding>> {
    let broken: HashSet<FileId> = ws.parse_errors.iter().map(|(id, _)| *id).collect();
    // Rendered Helm output is shown under its template's path but is not that file's text:
    // its bytes must never be written back.
    let editable = |id: &FileId| {
        !broken.contains(id)
            && !matches!(ws.sources.get(*id).origin, Origin::Rendered | Origin::Chart)
    };
    let mut per_file: BTreeMap<FileId, Vec<&Finding>> = BTreeMap::new();
    for finding in &result.findings {
        let Some(fix) = finding.fix.as_ref() else {
            continue;
        };
        if !mode.allows(fix.applicability) {
            continue;
        }
        if let Some(file) = fix.file().filter(editable) {
            per_file.entry(file).or_default().push(finding);
        }
    }
    per_file
}

/// Fixes one file, starting from the run's fixes for it.
fn fix_one(
    ws: &Workspace,
    result: &LintResult,
    config: &Config,
    mode: FixMode,
    id: FileId,
    findings: Vec<&Finding>,
) -> FileFix {
    // The objects of the file itself (a Kustomize base reaches the workspace once per overlay
    // that builds it), read the way every later round re-reads it.
    let source = ws.sources.get(id);
    let alone = load_source(
        source.path.clone(),
        source.text.clone(),
        source.origin.clone(),
    );
    let resources: Vec<&Resource> = alone.resources().collect();
    let identity = identities(resources.iter().copied());
    let objects = Objects::new(&resources);
    let mut reported: HashMap<Reported, usize> = HashMap::new();
    let edits_file = |f: &Finding| f.fix.as_ref().and_then(|fix| fix.file()) == Some(id);
    for finding in result
        .findings
        .iter()
        .filter(|f| f.span.file == id || edits_file(f))
    {
        *reported
            .entry(self::reported(finding, &objects))
            .or_default() += 1;
    }
    let first = findings
        .into_iter()
        .filter_map(|f| Some((self::reported(f, &objects), f.fix.clone()?)))
        .collect();
    let mut fixed = rounds(source, id, first, &identity, &reported, config, mode);
    if fixed.warnings.iter().any(|w| w.starts_with(WITHHELD)) {
        // Nothing of a file whose fixing went wrong is kept.
        fixed.text = source.text.clone();
        fixed.applied = 0;
        fixed.rounds.clear();
    }
    fixed
}

/// Why a file with a lone CR is not fixed.
const LONE_CR: &str = "a line of the file ends in a lone CR (\\r), which Kubernetes reads as a \
                       line break; use LF or CRLF line endings";

/// How the warning of a file whose fixes were all withheld begins.
const WITHHELD: &str = "fixes were withheld";

/// What must not change when a file is fixed: its objects, in order (apiVersion may change:
/// `deprecated-api-version` fixes it).
type Identity = Vec<(String, Option<String>, String)>;

fn identities<'r>(resources: impl Iterator<Item = &'r Resource>) -> Identity {
    resources
        .map(|r| (r.kind.clone(), r.namespace.clone(), r.name.clone()))
        .collect()
}

/// A finding as later rounds recognise it: its check, the object of the file it is in (by
/// position among the file's objects, which fixing never changes) and its container.
type Reported = (&'static str, Option<usize>, Option<String>);

fn reported(finding: &Finding, objects: &Objects) -> Reported {
    let object = objects.holding(finding.span.range.start);
    (finding.check, object, finding.container.clone())
}

/// Where a file's objects are, to tell which one holds a finding: the first in file order
/// whose root spans it. Found by binary search when the objects follow each other without
/// overlapping (always, for documents and the items of a `kind: List`): a List of thousands of
/// Pods has tens of thousands of findings, and scanning every object for each was quadratic.
struct Objects {
    ranges: Vec<TextRange>,
    ordered: bool,
}

impl Objects {
    fn new(resources: &[&Resource]) -> Self {
        let ranges: Vec<TextRange> = resources.iter().map(|r| r.root().span().range).collect();
        let ordered = ranges.windows(2).all(|w| w[0].end <= w[1].start);
        Objects { ranges, ordered }
    }

    fn holding(&self, at: u32) -> Option<usize> {
        let holds = |r: &TextRange| r.start <= at && at < r.end;
        if !self.ordered {
            return self.ranges.iter().position(holds);
        }
        let after = self.ranges.partition_point(|r| r.start <= at);
        after.checked_sub(1).filter(|&i| holds(&self.ranges[i]))
    }
}

/// Applies `first`, then re-lints and applies again, until nothing changes (at most
/// [`MAX_ROUNDS`] rounds). A warning starting with [`WITHHELD`] means the file must be left as
/// it was (the caller drops every round).
fn rounds(
    source: &SourceFile,
    id: FileId,
    first: Vec<(Reported, crate::diagnostic::Fix)>,
    identity: &Identity,
    reported: &HashMap<Reported, usize>,
    config: &Config,
    mode: FixMode,
) -> FileFix {
    let mut out = FileFix {
        file: id,
        text: source.text.clone(),
        applied: 0,
        rounds: Vec::new(),
        warnings: Vec::new(),
    };
    if has_lone_cr(&source.text) {
        out.warnings.push(format!("{WITHHELD}: {LONE_CR}"));
        return out;
    }
    // Round 1 uses the run's own findings (ids of the whole workspace); later rounds re-lint
    // the file alone, where it is file 0, and take the fixes of the findings the run reported
    // that are still there (or that have a fix only now, as `allowPrivilegeEscalation` once
    // `privileged` is gone).
    let mut fixes = first;
    let mut file = id;
    let mut applied: HashMap<Reported, usize> = HashMap::new();
    // Later rounds keep only the fixes `mode` applies, of findings of the checks the run
    // reported in the file: only those checks are run again (their findings are the same as
    // in a run of every check), and of them only the ones whose fixes may be applied.
    let reporting: HashSet<&str> = reported.keys().map(|(check, _, _)| *check).collect();
    let checks = config
        .selection()
        .only(|id| reporting.contains(id) && may_apply(id, mode));
    for _ in 0..MAX_ROUNDS {
        let step = apply_fixes(&out.text, file, fixes.iter().map(|(_, fix)| fix));
        if step.applied == 0 || step.text == out.text {
            return out;
        }
        if let Some(fix) = repeated(&step.taken, &fixes, reported, &mut applied) {
            out.warnings.push(format!(
                "{WITHHELD}: the fix \"{}\" did not take effect and would be applied again \
                 (the file holds text k8sec does not read as Kubernetes does); the file is \
                 left unchanged",
                fix.description
            ));
            return out;
        }
        let relinted = load_source(
            source.path.clone(),
            step.text.clone(),
            source.origin.clone(),
        );
        if let Some(warning) = broken(&relinted, identity) {
            out.warnings.push(warning);
            return out;
        }
        out.text = step.text;
        out.applied += step.applied;
        out.rounds.push(step.edits);
        file = FileId(0);
        // Only what the run reported: read alone, a Kustomize patch is a whole object with
        // every field missing, and a base lacks what its overlays set.
        let resources: Vec<&Resource> = relinted.resources().collect();
        let objects = Objects::new(&resources);
        fixes = lint_selected(&relinted, config, &checks)
            .findings
            .into_iter()
            .filter_map(|f| {
                let key = self::reported(&f, &objects);
                let fix = f.fix?;
                let wanted = reported.contains_key(&key)
                    && mode.allows(fix.applicability)
                    && fix.file() == Some(file);
                wanted.then_some((key, fix))
            })
            .collect();
    }
    let fixes = fixes.iter().map(|(_, fix)| fix);
    if apply_fixes(&out.text, file, fixes).text != out.text {
        out.warnings.push(format!(
            "{WITHHELD}: they did not converge after {MAX_ROUNDS} rounds; the file is left unchanged"
        ));
    }
    out
}

/// Whether check `id` makes fixes `mode` applies. Its doc's `fix` is the safest fix it makes
/// (`tests/checks.rs` holds every check's fixtures to that): a check without a fix, or with
/// only display-only ones, never does, nor does one whose fixes are all unsafe without
/// `--unsafe-fixes`.
fn may_apply(id: &str, mode: FixMode) -> bool {
    let safest = crate::docs::doc(id).map(|doc| doc.fix);
    match safest {
        Some(FixAvailability::Safe) => mode.allows(Applicability::Safe),
        Some(FixAvailability::Unsafe) => mode.allows(Applicability::Unsafe),
        Some(FixAvailability::DisplayOnly | FixAvailability::None) | None => false,
    }
}

/// The first fix of `taken` (positions in `fixes`) that brings its key past the number of
/// findings the run reported for it: one that did not take effect, now applied again.
/// `applied` counts the fixes applied per key over the rounds.
fn repeated<'f>(
    taken: &[usize],
    fixes: &'f [(Reported, crate::diagnostic::Fix)],
    reported: &HashMap<Reported, usize>,
    applied: &mut HashMap<Reported, usize>,
) -> Option<&'f crate::diagnostic::Fix> {
    taken.iter().find_map(|&position| {
        let (key, fix) = &fixes[position];
        let count = applied.entry(key.clone()).or_default();
        *count += 1;
        (*count > reported.get(key).copied().unwrap_or(0)).then_some(fix)
    })
}

/// Why a round's result must be thrown away: it does not parse, or holds other objects.
fn broken(relinted: &Workspace, identity: &Identity) -> Option<String> {
    if let Some((_, error)) = relinted.parse_errors.first() {
        return Some(format!(
            "{WITHHELD}: applying them would make the file invalid YAML ({}); \
             this is a bug in k8sec, please report it",
            error.message
        ));
    }
    (identities(relinted.resources()) != *identity).then(|| {
        format!(
            "{WITHHELD}: applying them would change which objects the file holds; \
             this is a bug in k8sec, please report it"
        )
    })
}

/// Whether a line of `text` ends in a CR not followed by LF.
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

impl FileFix {
    /// Whether fixing changed the file's text.
    pub fn changes(&self, ws: &Workspace) -> bool {
        self.text != ws.sources.get(self.file).text
    }
}

/// What `--fix` would change, computed in memory (`--diff`): nothing is written.
#[derive(Debug)]
pub struct Preview {
    /// Every file that had applicable fixes, in file order (with its warnings, even when its
    /// text did not change).
    pub files: Vec<FileFix>,
    /// The fixes and files that would change.
    pub count: FixCount,
}

impl Preview {
    /// How `--diff` exits: 2 when an input could not be read, else 1 when anything would
    /// change, else 0.
    pub fn exit_status(&self, ws: &Workspace) -> ExitStatus {
        ExitStatus::of(!ws.problems.is_empty(), self.count.files > 0)
    }
}

/// What `--fix` would do to `ws`, without writing anything.
pub fn preview(ws: &Workspace, result: &LintResult, config: &Config, mode: FixMode) -> Preview {
    let files = fix_workspace(ws, result, config, mode);
    let mut count = FixCount::default();
    for fixed in files.iter().filter(|f| f.changes(ws)) {
        count.fixes += fixed.applied;
        count.files += 1;
    }
    Preview { files, count }
}

/// What `--fix` did to one file that had applicable fixes.
#[derive(Debug)]
pub struct FileOutcome {
    /// The file, as shown in reports.
    pub path: String,
    /// Why fixing stopped early, if it did.
    pub warnings: Vec<String>,
    /// Why the fixed text could not be written (the file is left as it was).
    pub write_error: Option<std::io::Error>,
}

/// What `--fix` did, and what is left.
#[derive(Debug)]
pub struct FixRun {
    /// Each file that had applicable fixes, in file order.
    pub files: Vec<FileOutcome>,
    /// The stdin stream to print back, fixed or as it was (`None` without stdin input): the
    /// whole stream goes back out, so `k8sec lint --fix -` can sit in a pipeline.
    pub stdin: Option<Vec<u8>>,
    /// The inputs read again after writing, and their findings (with `fixed` set).
    pub ws: Workspace,
    pub result: LintResult,
}

impl FixRun {
    /// How `--fix` exits: 2 when a file could not be written or an input read, else 1 when a
    /// finding that is left reaches `fail_on`, else 0.
    pub fn exit_status(&self, fail_on: Severity) -> ExitStatus {
        if self.files.iter().any(|f| f.write_error.is_some()) {
            ExitStatus::Error
        } else {
            exit_status(&self.ws, &self.result, fail_on)
        }
    }
}

/// `--fix`: applies the fixes of `result`, writes each changed file atomically, reads the
/// inputs again (stdin's fixed text in place of the original) and lints what is left. A file
/// that cannot be written is an error for that file only.
pub fn fix_and_write(
    ws: Workspace,
    result: &LintResult,
    inputs: &Inputs,
    options: &LoadOptions,
    config: &Config,
    mode: FixMode,
) -> FixRun {
    let written = write(&ws, result, config, mode);
    drop(ws);
    let stdin = inputs.stdin.as_ref().map(|(name, original)| {
        let bytes = written.stdin.unwrap_or_else(|| original.clone());
        (name.clone(), bytes)
    });
    // A file just written is read from the disk again, even where an overlay stood for it.
    let overlays = inputs
        .overlays
        .iter()
        .filter(|(path, _)| {
            let canonical = std::fs::canonicalize(path).ok();
            !canonical.is_some_and(|c| written.texts.contains_key(&c))
        })
        .map(|(path, text)| (path.clone(), text.clone()))
        .collect();
    let again = Inputs {
        paths: inputs.paths.clone(),
        stdin,
        overlays,
    };
    let ws = load_with(&again, options);
    let mut result = lint(&ws, config);
    result.fixed = Some(written.count);
    FixRun {
        files: written.outcomes,
        stdin: again.stdin.map(|(_, bytes)| bytes),
        ws,
        result,
    }
}

/// What writing the fixes did.
struct Written {
    outcomes: Vec<FileOutcome>,
    count: FixCount,
    /// Stdin's fixed text, when it changed.
    stdin: Option<Vec<u8>>,
    /// The texts written, by canonical path.
    texts: HashMap<PathBuf, String>,
}

/// Fixes every file and writes the ones that changed.
fn write(ws: &Workspace, result: &LintResult, config: &Config, mode: FixMode) -> Written {
    let mut out = Written {
        outcomes: Vec::new(),
        count: FixCount::default(),
        stdin: None,
        texts: HashMap::new(),
    };
    for fixed in fix_workspace(ws, result, config, mode) {
        let source = ws.sources.get(fixed.file);
        let mut outcome = FileOutcome {
            path: source.display_path().to_string(),
            warnings: fixed.warnings,
            write_error: None,
        };
        let counted = fixed.text != source.text
            && match source.origin {
                // fix_workspace never edits rendered Helm output.
                Origin::Rendered | Origin::Chart => false,
                Origin::Stdin => {
                    out.stdin = Some(fixed.text.clone().into_bytes());
                    true
                }
                Origin::File => match write_once(source, &fixed.text, &mut out.texts) {
                    Ok(wrote) => wrote,
                    Err(error) => {
                        outcome.write_error = Some(error);
                        false
                    }
                },
            };
        if counted {
            out.count.fixes += fixed.applied;
            out.count.files += 1;
        }
        out.outcomes.push(outcome);
    }
    out
}

/// Writes one file's fixed text atomically; `Ok(false)` when the same file, named twice
/// (`a.yaml ./a.yaml`), was already written with that text.
fn write_once(
    source: &SourceFile,
    text: &str,
    written: &mut HashMap<PathBuf, String>,
) -> std::io::Result<bool> {
    let canonical = std::fs::canonicalize(&source.path).ok();
    if canonical
        .as_ref()
        .and_then(|c| written.get(c))
        .is_some_and(|t| t == text)
    {
        return Ok(false);
    }
    write_fixed(&source.path, source.text.as_bytes(), text.as_bytes())?;
    if let Some(canonical) = canonical {
        written.insert(canonical, text.to_string());
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Later rounds run the checks whose fixes the mode may apply, by their docs' `fix`.
    #[test]
    fn later_rounds_run_the_checks_whose_fixes_may_apply() {
        let safe = FixMode::default();
        let all = FixMode { unsafe_fixes: true };
        assert!(may_apply("deprecated-api-version", safe)); // safe
        assert!(!may_apply("automount-service-account-token", safe)); // unsafe
        assert!(may_apply("automount-service-account-token", all));
        assert!(!may_apply("missing-cpu-request", all)); // display-only
        assert!(!may_apply("pod-not-isolated", all)); // none
        assert!(!may_apply("no-such-check", all));
    }

    /// The objects of a file, found by binary search, and by scanning when they overlap.
    #[test]
    fn a_finding_belongs_to_the_first_object_that_holds_it() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod, metadata: {name: b}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n";
        let ws = load_source("list.yaml".into(), text.to_string(), Origin::File);
        let resources: Vec<&Resource> = ws.resources().collect();
        assert_eq!(resources.len(), 3);
        let objects = Objects::new(&resources);
        assert!(objects.ordered);
        let at = |needle: &str| text.find(needle).unwrap() as u32;
        assert_eq!(objects.holding(at("name: a")), Some(0));
        assert_eq!(objects.holding(at("name: b")), Some(1));
        assert_eq!(objects.holding(at("name: c")), Some(2));
        assert_eq!(objects.holding(at("items")), None);
        assert_eq!(objects.holding(text.len() as u32), None);
        let nested = Objects {
            ranges: vec![
                TextRange::new(0, 10),
                TextRange::new(2, 5),
                TextRange::new(5, 8),
            ],
            ordered: false,
        };
        assert_eq!(nested.holding(3), Some(0));
        assert_eq!(nested.holding(12), None);
    }
}
