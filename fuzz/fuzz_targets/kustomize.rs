//! Random small kustomization trees → the native builder never panics, never hangs, never
//! reads outside the tree, and ends quickly on cycles and diamonds.
//!
//! The input is split on NUL bytes into files: each part's first line is a path (kept inside
//! the temporary tree: `..` and absolute parts are dropped), the rest its text.
#![no_main]

use std::path::{Component, Path, PathBuf};

use libfuzzer_sys::fuzz_target;

fn tidy(name: &str) -> Option<PathBuf> {
    let path: PathBuf = Path::new(name)
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part),
            _ => None,
        })
        .take(4)
        .collect();
    (!path.as_os_str().is_empty()).then_some(path)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join(".git"), "").expect("write");
    let mut wrote = false;
    for part in text.split('\0').take(12) {
        let (name, body) = part.split_once('\n').unwrap_or((part, ""));
        let Some(path) = tidy(name.trim()) else {
            continue;
        };
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        wrote |= std::fs::write(&path, body).is_ok();
    }
    if !wrote {
        return;
    }
    // Every directory holding a kustomization is built as a root.
    let mut dirs = vec![dir.path().to_path_buf()];
    while let Some(current) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(entry.path());
            }
        }
        if current.join("kustomization.yaml").is_file() {
            let _ = k8sec::build::build_to_json(&current, dir.path());
        }
    }
});
