//! `parse-floor PATH...`: the parse-only floor the benchmarks compare k8sec with
//! (`bench/run.sh`, `docs/benchmarks.md`).
//!
//! It does what any YAML linter must do before it can check anything, and nothing more: walk
//! the paths with the same walker k8sec uses (`ignore`, honouring `.gitignore`, taking
//! `*.yaml`, `*.yml` and `*.json`), read each file, and run yaml-rust2's event parser over it
//! with markers, the crate k8sec's front end is built on, in parallel over files (rayon) as
//! k8sec does. No tree is built, no event kept: the cost of k8sec's own work (its tree,
//! resources, graph, checks, report) is what a full lint adds to this floor. Prints the files,
//! bytes and events seen, so the work cannot be optimised away.

use std::path::PathBuf;
use std::sync::Mutex;

use rayon::prelude::*;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Counts events; the marker is read so its computation stays.
#[derive(Default)]
struct Count {
    events: usize,
    last: usize,
}

impl MarkedEventReceiver for Count {
    fn on_event(&mut self, event: Event, mark: Marker) {
        self.events += 1;
        self.last = self.last.wrapping_add(mark.index());
        std::hint::black_box(&event);
    }
}

fn walk(paths: &[PathBuf]) -> Vec<PathBuf> {
    let Some((first, rest)) = paths.split_first() else {
        return Vec::new();
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for path in rest {
        builder.add(path);
    }
    let files = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            if let Ok(entry) = entry {
                let path = entry.path();
                let taken = entry.file_type().is_some_and(|t| t.is_file())
                    && path
                        .extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
                if taken {
                    if let Ok(mut files) = files.lock() {
                        files.push(path.to_path_buf());
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    files.into_inner().unwrap_or_default()
}

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let files = walk(&paths);
    let (bytes, events, errors) = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return (0, 0, 1);
            };
            let mut count = Count::default();
            let ok = Parser::new_from_str(&text).load(&mut count, true).is_ok();
            std::hint::black_box(count.last);
            (text.len(), count.events, usize::from(!ok))
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!(
        "{} files, {bytes} bytes, {events} events, {errors} not parsed",
        files.len()
    );
}
