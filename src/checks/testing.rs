//! Running one check in a unit test: YAML in, findings out, through the same [`Selection`] the
//! pipeline runs (per resource, per unit, over the graph when the check needs it), without the
//! pipeline. For the cases fixtures cannot hold: settings other than the defaults, and helpers
//! tested on their own.

use super::{KubernetesVersion, Params, Selection, DEFAULT_KUBERNETES_VERSION};
use crate::diagnostic::{Finding, Severity};
use crate::graph::{Graph, GraphOptions};
use crate::model::testing::unit;
use crate::source::Sources;

/// What a test runs its check with: the defaults, for the test to change.
pub(crate) struct Settings {
    pub(crate) kubernetes_version: KubernetesVersion,
    pub(crate) params: Params,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kubernetes_version: DEFAULT_KUBERNETES_VERSION,
            params: Params::default(),
        }
    }
}

/// One finding as a test compares it: 1-based line and column (in characters) and message.
pub(crate) type Found = (u32, u32, String);

/// The findings of check `id` on `files`, run with `settings`, in the order the check made
/// them, with the sources they point into.
pub(crate) fn findings(
    id: &str,
    files: &[(&str, &str)],
    settings: &Settings,
) -> (Sources, Vec<Finding>) {
    let (sources, findings, _) = findings_and_work(id, files, settings);
    (sources, findings)
}

/// [`findings`], with the work the graph counted ([`Graph::work`]; 0 without a graph): for
/// tests that show a check's work grows linearly with the unit.
pub(crate) fn findings_and_work(
    id: &str,
    files: &[(&str, &str)],
    settings: &Settings,
) -> (Sources, Vec<Finding>, usize) {
    let (sources, resources) = unit(files);
    let selection = Selection::new(
        &[id],
        &[id],
        |_| Severity::Warning,
        settings.kubernetes_version,
        &settings.params,
    );
    let mut findings = Vec::new();
    for resource in &resources {
        selection.run_resource(resource, &sources, &mut findings);
    }
    let graph = selection.wants_graph().then(|| {
        let options = GraphOptions {
            sources: Some(&sources),
            external: &[],
            peer_edges: false,
        };
        Graph::build(&resources, options)
    });
    selection.run_unit(&resources, graph.as_ref(), &sources, &mut findings);
    let work = graph.as_ref().map_or(0, Graph::work);
    (sources, findings, work)
}

/// The findings of check `id` on the YAML `text`, run with the default settings as `change`
/// changes them: (line, column, message), sorted.
pub(crate) fn lint_with(id: &str, text: &str, change: impl FnOnce(&mut Settings)) -> Vec<Found> {
    let mut settings = Settings::default();
    change(&mut settings);
    let (sources, findings) = findings(id, &[("test.yaml", text)], &settings);
    let mut found: Vec<Found> = findings
        .into_iter()
        .map(|f| {
            let file = sources.get(f.span.file);
            let at = file.line_index.line_col(&file.text, f.span.range.start);
            (at.line, at.column, f.message)
        })
        .collect();
    found.sort();
    found
}

/// The (line, column) of each finding.
pub(crate) fn positions(found: &[Found]) -> Vec<(u32, u32)> {
    found
        .iter()
        .map(|(line, column, _)| (*line, *column))
        .collect()
}

/// The (line, column) pairs the `# expect: <id>@<column>` markers of `text` name, sorted (the
/// fixtures' notation, see `tests/checks.rs`).
pub(crate) fn expected(id: &str, text: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("# expect:") else {
            continue;
        };
        for item in line[at + "# expect:".len()..].split(',') {
            let (item_id, column) = item.trim().split_once('@').expect("`<id>@<column>`");
            assert_eq!(item_id, id);
            out.push((i as u32 + 1, column.trim().parse().expect("a column")));
        }
    }
    out.sort_unstable();
    out
}

/// Asserts that check `id`, run with `change`d settings, finds exactly what the `# expect:`
/// markers of `text` say.
pub(crate) fn assert_expected(id: &str, text: &str, change: impl FnOnce(&mut Settings)) {
    assert_eq!(
        positions(&lint_with(id, text, change)),
        expected(id, text),
        "\n{text}"
    );
}
