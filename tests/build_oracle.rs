//! The `kubectl kustomize` oracle: every kustomization of the real-world corpus is built
//! natively and compared with kubectl's output, object by object, after normalising key order
//! (both sides are read into JSON values). Matches are asserted, and every known difference is
//! listed with its reason, so a regression fails and an improvement is noticed.
//!
//! Skips (with a message) without the corpus (`K8SEC_CORPUS`, else `../shared/corpus`) or
//! without `kubectl`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use k8sec::build::knode::{KNode, MAX_NODES};
use k8sec::text::LineIndex;
use k8sec::yaml::{parse_stream, FileId};
use serde_json::Value;

mod common;
use common::corpus;

fn kustomization_dirs(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            kustomization_dirs(&path, out);
        } else if path.file_name().is_some_and(|n| {
            n == "kustomization.yaml" || n == "kustomization.yml" || n == "Kustomization"
        }) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if !text.lines().any(|l| l.trim() == "kind: Component") {
                out.push(path.parent().unwrap().to_path_buf());
            }
        }
    }
}

fn to_objects(text: &str) -> Vec<Value> {
    let stream = parse_stream(text, FileId(0), &LineIndex::new(text));
    assert!(
        stream.error.is_none(),
        "kubectl output does not parse: {:?}",
        stream.error
    );
    stream
        .documents
        .iter()
        .filter_map(|d| {
            let mut budget = MAX_NODES;
            KNode::from_ref(d.tree.root(), &mut budget).ok()
        })
        .map(|n| n.to_json())
        .filter(|v| v.is_object())
        .collect()
}

fn key(v: &Value) -> String {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    format!(
        "{} {} {}/{}",
        s("/apiVersion"),
        s("/kind"),
        s("/metadata/namespace"),
        s("/metadata/name")
    )
}

fn by_key(objects: Vec<Value>) -> BTreeMap<String, Value> {
    objects.into_iter().map(|v| (key(&v), v)).collect()
}

/// The first difference between two JSON values, as a path.
fn first_diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_diff(p, q, &format!("{path}/{k}")) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{path}/{k} (only on one side)")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_diff(p, q, &format!("{path}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} != {b}")),
    }
}

/// Roots whose native build differs from kubectl's, with the reason. Keep this list honest:
/// the test fails if one of them starts to match (remove it) or another one differs.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "microservices-demo/kustomize/tests/memorystore-with-all-components",
        TRAILING_BLOCK_NEWLINE,
    ),
    (
        "microservices-demo/kustomize/tests/service-mesh-istio-with-all-components",
        TRAILING_BLOCK_NEWLINE,
    ),
    (
        "microservices-demo/kustomize/tests/spanner-with-all-components",
        TRAILING_BLOCK_NEWLINE,
    ),
];

/// `otel-collector.yaml` ends with a `|` block scalar and no final line break: kustomize's
/// reader (kyaml) keeps no final `\n` in the value; `kubectl apply` does (apimachinery's line
/// reader ends every line with one) and so does k8sec, which reads as `kubectl apply` does
/// (tests/reader.rs, case `literal-at-eof-without-newline`). A reader difference between
/// kustomize and kubectl in one ConfigMap value, not a build one.
const TRAILING_BLOCK_NEWLINE: &str = "a `|` block scalar at end of file without a final newline: kubectl kustomize drops the `\\n` that kubectl apply and k8sec keep";

#[test]
fn native_builds_match_kubectl_kustomize() {
    let Some(corpus) = corpus() else {
        return;
    };
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .map_or(true, |o| !o.status.success())
    {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let mut dirs = Vec::new();
    kustomization_dirs(&corpus, &mut dirs);
    assert!(
        dirs.len() >= 50,
        "expected the corpus's kustomizations, found {}",
        dirs.len()
    );

    // kubectl in parallel: it dominates the test's time.
    let threads = 4;
    let chunks: Vec<Vec<PathBuf>> = (0..threads)
        .map(|t| dirs.iter().skip(t).step_by(threads).cloned().collect())
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            std::thread::spawn(move || {
                chunk
                    .into_iter()
                    .map(|dir| {
                        let out = Command::new("kubectl").arg("kustomize").arg(&dir).output();
                        let result = match out {
                            Ok(o) if o.status.success() => {
                                Ok(String::from_utf8_lossy(&o.stdout).into_owned())
                            }
                            Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
                            Err(e) => Err(e.to_string()),
                        };
                        (dir, result)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut kubectl: BTreeMap<PathBuf, Result<String, String>> = BTreeMap::new();
    for h in handles {
        kubectl.extend(h.join().unwrap());
    }

    let mut matches = Vec::new();
    let mut differences: Vec<(String, String)> = Vec::new();
    for dir in &dirs {
        let name = dir.strip_prefix(&corpus).unwrap().display().to_string();
        let native = k8sec::build::build_to_json(dir, &corpus);
        let outcome = match (&kubectl[dir], native) {
            (Err(_), Err(_)) => Ok("both fail"),
            (Err(e), Ok(_)) => Err(format!(
                "kubectl fails ({}) but the native build succeeds",
                e.lines().next().unwrap_or("")
            )),
            (Ok(_), Err(e)) => Err(format!("native build fails: {e}")),
            (Ok(text), Ok(objects)) => {
                let theirs = by_key(to_objects(text));
                let ours = by_key(objects);
                if theirs == ours {
                    Ok("match")
                } else {
                    let only_theirs: Vec<&String> =
                        theirs.keys().filter(|k| !ours.contains_key(*k)).collect();
                    let only_ours: Vec<&String> =
                        ours.keys().filter(|k| !theirs.contains_key(*k)).collect();
                    if !only_theirs.is_empty() || !only_ours.is_empty() {
                        Err(format!("objects differ: only kubectl {only_theirs:?}, only native {only_ours:?}"))
                    } else {
                        let (k, diff) = theirs
                            .iter()
                            .find_map(|(k, v)| first_diff(v, &ours[k], "").map(|d| (k.clone(), d)))
                            .unwrap_or_default();
                        Err(format!("{k}: {diff}"))
                    }
                }
            }
        };
        match outcome {
            Ok(_) => matches.push(name),
            Err(why) => differences.push((name, why)),
        }
    }
    eprintln!(
        "kubectl oracle: {} of {} kustomizations (every one that is not a Component) match exactly",
        matches.len(),
        dirs.len()
    );
    for (name, why) in &differences {
        eprintln!("  differs: {name}: {why}");
    }
    let unexpected: Vec<&(String, String)> = differences
        .iter()
        .filter(|(name, _)| !KNOWN_DIFFERENCES.iter().any(|(k, _)| k == name))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected differences: {unexpected:#?}"
    );
    let fixed: Vec<&&str> = KNOWN_DIFFERENCES
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !differences.iter().any(|(n, _)| n == *k))
        .collect();
    assert!(
        fixed.is_empty(),
        "these now match; remove them from KNOWN_DIFFERENCES: {fixed:?}"
    );
}
