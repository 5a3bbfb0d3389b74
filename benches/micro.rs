//! Micro-benchmarks of the stages of a lint, on the generated corpus (`examples/gen-corpus`,
//! included by path): tree building (read + parse + resources), key lookup on the trees, the
//! per-resource checks, the graph of the unit, and writing the JSON report. Each stage is timed
//! alone, per object, so a change to one shows without the others' noise.
//!
//! Run with `cargo bench --bench micro` (`K8SEC_BENCH_OBJECTS`, default 10000). Not a test: the
//! numbers are for reading. A plain program, like `benches/graph.rs`, rather than a benchmark
//! framework: each stage is run a few times and the median reported, which is what the
//! comparisons here need (a framework's statistics would cost the CI build its dependencies).

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::time::{Duration, Instant};

use k8sec::config::{Config, Overrides};
use k8sec::graph::{Graph, GraphOptions};
use k8sec::report::{Format, RenderOptions};
use k8sec::source::WalkOptions;
use k8sec::Inputs;

/// The median of `runs` timings of `f`.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn config(select: &[&str]) -> Config {
    Config::load(
        None,
        &Overrides {
            select: Some(select.iter().map(|s| s.to_string()).collect()),
            ..Overrides::default()
        },
    )
    .expect("configuration")
}

fn main() {
    let objects: usize = std::env::var("K8SEC_BENCH_OBJECTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let options = corpus::Options {
        objects,
        ..corpus::Options::default()
    };
    corpus::write(dir.path(), &options).expect("generated corpus");
    let inputs = Inputs {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    };
    let walk = WalkOptions::default();

    let load = median(5, || k8sec::load(&inputs, &walk));
    let ws = k8sec::load(&inputs, &walk);
    let count = ws.resource_count();
    let lookup = median(9, || {
        let mut found = 0usize;
        for resource in ws.resources() {
            let root = resource.root();
            for key in ["metadata", "spec", "kind", "status", "rules", "data"] {
                found += usize::from(root.get(key).is_some());
            }
        }
        found
    });
    // Per-resource checks only (no graph check selected), then the graph alone.
    let per_resource = config(&[
        "privileged-container",
        "run-as-root",
        "missing-memory-limit",
        "sensitive-host-mount",
        "latest-image-tag",
        "rbac-wildcard",
        "secret-in-env",
        "malformed-object",
    ]);
    let checks = median(5, || k8sec::lint(&ws, &per_resource));
    let unit = ws
        .units
        .iter()
        .max_by_key(|u| u.resources.len())
        .expect("a unit");
    let graph_options = GraphOptions {
        sources: Some(&ws.sources),
        external: &[],
        // As `lint` builds it.
        peer_edges: false,
    };
    let graph = median(5, || Graph::build(&unit.resources, graph_options));
    let all = Config::load(None, &Overrides::default()).expect("configuration");
    let result = k8sec::lint(&ws, &all);
    let render = RenderOptions {
        color: false,
        rules: all.enabled.clone(),
        root: k8sec::report::paths::SrcRoot::discover(dir.path()),
    };
    let mut bytes = 0;
    let report = median(5, || {
        let mut out = Vec::new();
        k8sec::report::write(&ws, &result, Format::Json, &render, &mut out).expect("report");
        bytes = out.len();
    });

    println!("{count} objects, {} findings", result.findings.len());
    println!("{:<34} {:>10} {:>12}", "stage", "total", "per object");
    let row = |name: &str, d: Duration| {
        println!(
            "{name:<34} {:>8.1}ms {:>10.0}ns",
            d.as_secs_f64() * 1e3,
            d.as_secs_f64() * 1e9 / count as f64
        );
    };
    row("tree building (read, parse, model)", load);
    row("key lookup (6 keys per object)", lookup);
    row("per-resource checks (8)", checks);
    row("graph build (largest unit)", graph);
    row(
        &format!("JSON report ({:.1} MB)", bytes as f64 / 1e6),
        report,
    );
}
