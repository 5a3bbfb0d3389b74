//! `k8sec graph`: the cross-resource graph of each unit, loaded exactly as `k8sec lint` loads
//! it (same configuration, same Helm rendering).

use k8sec::config::Overrides;
use k8sec::graph::{Graph, GraphOptions};
use k8sec::report::graph::{self as printer, Focus, UnitGraph};
use k8sec::{ExitStatus, Workspace};

use super::args::GraphArgs;
use super::error::Error;
use super::setup::{self, Run};
use super::{report_problems, say, write_stdout};
use k8sec::report::escape::escape;

pub(crate) fn graph(args: GraphArgs) -> Result<ExitStatus, Error> {
    let focus = args
        .focus
        .as_deref()
        .map(Focus::parse)
        .transpose()
        .map_err(Error::Focus)?;
    let config = setup::config(
        args.config.clone(),
        &args.paths,
        args.stdin_filename.as_deref(),
        &Overrides::default(),
    )?;
    let flags = args.helm.flags();
    let run = Run::new(config, &flags, None, args.paths, args.stdin_filename)?;
    let ws = k8sec::load_with(&run.inputs, &run.options);
    report_problems(&ws, false);
    setup::warn_unmatched_globs(&run, &ws);
    report_parse_errors(&ws);
    let options = GraphOptions {
        sources: Some(&ws.sources),
        external: &run.config.graph_external,
        peer_edges: true,
    };
    let graphs: Vec<(String, Graph<'_>)> = ws
        .units
        .iter()
        .map(|unit| (unit.label(), Graph::build(&unit.resources, options)))
        .collect();
    let units: Vec<UnitGraph<'_, '_>> = graphs
        .iter()
        .map(|(label, graph)| UnitGraph {
            label: label.clone(),
            graph,
        })
        .collect();
    let output = printer::render(&units, &ws.sources, args.format.into(), focus.as_ref())
        .map_err(Error::Focus)?;
    write_stdout(&output);
    Ok(ExitStatus::of(!ws.problems.is_empty(), false))
}

/// A file that does not parse is a note here, not a finding: the graph shows what it could
/// read.
fn report_parse_errors(ws: &Workspace) {
    for (file, error) in &ws.parse_errors {
        let source = ws.sources.get(*file);
        let at = source.line_index.line_col(&source.text, error.offset);
        let path = format!("{}:{}:{}", source.display_path(), at.line, at.column);
        let message = format!(
            "invalid YAML ({}): the objects from there on are not in the graph",
            escape(&error.message)
        );
        say("note", Some(&path), &message);
    }
}
