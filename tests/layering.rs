//! The layering of `src/`: data flows one way, and the modules below the pipeline never reach
//! back up. Read from the source files, so a stray `use` fails here, not in review.
//!
//! - nothing below the pipeline imports `pipeline`, `cli` or the crate root's re-exports;
//! - checks, the model and the graph do not import `config` (checks get resolved severities
//!   and their own parameters);
//! - the graph, the model and the builders do not import checks (the graph answers questions,
//!   checks judge and word findings);
//! - printers (`report/`) import no check code (they may read the `docs` catalogue).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The `crate::…` paths a file names (in `use` lines and in expressions), comments excluded.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + "crate::".len()..];
            if let Some(group) = tail.strip_prefix('{') {
                // `crate::{a, b::c}`: the first segment of each path in the group.
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(
                    inner
                        .split(',')
                        .map(|p| first_segment(p.trim()).to_string()),
                );
                rest = group;
                continue;
            }
            let name = first_segment(tail);
            out.push(name.to_string());
            rest = &tail[name.len()..];
        }
    }
    out
}

/// The leading identifier of a path.
fn first_segment(path: &str) -> &str {
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    &path[..end]
}

/// The crate's top-level modules: `crate::<name>` for anything else is a root re-export.
const MODULES: &[&str] = &[
    "build",
    "checks",
    "config",
    "diagnostic",
    "docs",
    "fix",
    "graph",
    "lsp",
    "model",
    "pipeline",
    "report",
    "run_cache",
    "source",
    "suppress",
    "text",
    "workspace",
    "yaml",
];

/// What the files under `src/<area>` must not import.
fn forbidden(area: &str) -> &'static [&'static str] {
    match area {
        "checks" => &["pipeline", "config", "report", "build"],
        "model" | "graph" => &["pipeline", "config", "report", "build", "checks"],
        "build" | "fix" | "source" | "yaml" | "text.rs" | "diagnostic.rs" | "docs.rs"
        | "run_cache.rs" => &["pipeline", "config", "report", "checks"],
        "report" => &["pipeline", "checks", "config"],
        "workspace.rs" | "suppress.rs" => &["pipeline", "report", "checks"],
        _ => &[],
    }
}

#[test]
fn modules_below_the_pipeline_do_not_reach_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).expect("under src/");
        let area = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .to_string();
        if matches!(area.as_str(), "lib.rs" | "main.rs" | "cli" | "pipeline") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for module in crate_paths(&text) {
            if !MODULES.contains(&module.as_str()) {
                problems.push(format!(
                    "{}: `crate::{module}` is a crate-root item (only the pipeline and the CLI use the facade)",
                    relative.display()
                ));
            } else if forbidden(&area).contains(&module.as_str()) {
                problems.push(format!("{}: imports `crate::{module}`", relative.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scanner_sees_imports() {
    // The rule above is only as good as the scan: a known import must be found.
    let paths = crate_paths(
        "use crate::config::{Config, Params}; // crate::pipeline\nlet x = crate::load(&i);\nuse crate::{graph, pipeline::lint};",
    );
    assert_eq!(paths, ["config", "load", "graph", "pipeline"]);
}
