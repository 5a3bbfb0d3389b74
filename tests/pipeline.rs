//! The library's pipeline as an editor will call it: load with unsaved buffers (overlays) that
//! replace the disk, lint, and compute one file's fixes in memory, writing nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{manifest_dir, repo, PRIVILEGED};
use k8sec::config::{Config, Overrides};
use k8sec::fix::FixMode;
use k8sec::source::WalkOptions;
use k8sec::{Inputs, LintResult, Workspace};

const CHECK: &str = "privileged-container";

fn config() -> Config {
    let overrides = Overrides {
        select: Some(vec![CHECK.to_string()]),
        ..Overrides::default()
    };
    Config::load(None, &overrides).unwrap()
}

fn lint(paths: Vec<PathBuf>, overlays: BTreeMap<PathBuf, String>) -> (Workspace, LintResult) {
    let inputs = Inputs {
        paths,
        overlays,
        ..Inputs::default()
    };
    let ws = k8sec::load(&inputs, &WalkOptions::default());
    let result = k8sec::lint(&ws, &config());
    (ws, result)
}

/// The files with a finding, relative to `dir`.
fn flagged(ws: &Workspace, result: &LintResult, dir: &Path) -> Vec<String> {
    result
        .findings
        .iter()
        .map(|f| {
            let path = &ws.sources.get(f.span.file).path;
            let relative = path.strip_prefix(dir).unwrap_or(path);
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn overlays_replace_the_disk_and_one_file_is_fixed_in_memory() {
    let clean = PRIVILEGED.replace("privileged: true", "privileged: false");
    let dir = repo(&[
        ("apps/pod.yaml", PRIVILEGED),
        ("apps/clean.yaml", &clean),
        ("ignored.yaml", PRIVILEGED),
        (".gitignore", "ignored.yaml\n"),
    ]);
    let root = dir.path().to_path_buf();
    let before = snapshot(&root);

    let (ws, result) = lint(vec![root.clone()], BTreeMap::new());
    assert_eq!(flagged(&ws, &result, &root), ["apps/pod.yaml"]);

    // The buffers: pod.yaml fixed, clean.yaml made privileged, a new file not saved yet, and
    // files the walk would not take (an ignored file, a name that is not a manifest's).
    let overlays: BTreeMap<PathBuf, String> = [
        ("apps/pod.yaml", clean.as_str()),
        ("apps/clean.yaml", PRIVILEGED),
        ("apps/new.yaml", PRIVILEGED),
        ("apps/notes.txt", PRIVILEGED),
        ("ignored.yaml", PRIVILEGED),
    ]
    .into_iter()
    .map(|(path, text)| (root.join(path), text.to_string()))
    .collect();
    let (ws, result) = lint(vec![root.clone()], overlays);
    assert_eq!(
        flagged(&ws, &result, &root),
        ["apps/clean.yaml", "apps/new.yaml"]
    );
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);

    // An editor's quick fix for the new buffer: computed in memory.
    let (new, _) = ws
        .sources
        .iter()
        .find(|(_, f)| f.path.ends_with("apps/new.yaml"))
        .unwrap();
    let mode = FixMode { unsafe_fixes: true };
    let fixed = k8sec::fix_file(&ws, &result, &config(), mode, new).unwrap();
    assert!(fixed.changes(&ws));
    assert_eq!(fixed.text, clean);
    assert!(k8sec::fix_file(&ws, &result, &config(), FixMode::default(), new).is_none());
    let preview = k8sec::preview(&ws, &result, &config(), mode);
    assert_eq!((preview.count.files, preview.count.fixes), (2, 2));

    assert_eq!(snapshot(&root), before, "nothing is written");
}

#[test]
fn an_overlay_matches_its_file_however_the_paths_are_spelled() {
    // The input relative to the working directory (the crate), the overlay absolute.
    let example = PathBuf::from("testdata/example");
    let (ws, result) = lint(vec![example.clone()], BTreeMap::new());
    let frontend = "apps/shop/frontend.yaml".to_string();
    assert!(!flagged(&ws, &result, &example).contains(&frontend));
    let overlays = BTreeMap::from([(
        manifest_dir().join("testdata/example/./apps/shop/frontend.yaml"),
        PRIVILEGED.to_string(),
    )]);
    let (ws, result) = lint(vec![example.clone()], overlays);
    assert!(flagged(&ws, &result, &example).contains(&frontend));
}

#[test]
fn a_named_input_that_exists_only_in_memory_is_linted() {
    let dir = repo(&[]);
    let path = dir.path().join("draft.yaml");
    let (ws, _) = lint(vec![path.clone()], BTreeMap::new());
    assert_eq!(ws.problems.len(), 1, "{:?}", ws.problems);
    let overlays = BTreeMap::from([(path.clone(), PRIVILEGED.to_string())]);
    let (ws, result) = lint(vec![path], overlays);
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    assert_eq!(flagged(&ws, &result, dir.path()), ["draft.yaml"]);
    assert_eq!(snapshot(dir.path()).len(), 0, "nothing is written");
}
