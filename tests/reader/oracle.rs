#![allow(dead_code)] // shared by tests/reader.rs and tests/yaml_suite.rs, each using part of it
//! The Kubernetes reader, out of process: tools/yaml-oracle (Go: apimachinery's document
//! splitting, then sigs.k8s.io/yaml over gopkg.in/yaml.v2, as `kubectl apply` reads files).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// One document as the oracle read it.
#[derive(Debug, Clone)]
pub struct OracleDoc {
    /// Byte offset of the document's first line.
    pub offset: usize,
    /// 1-based line of the document's first line.
    pub line: usize,
    /// Its JSON, or the reader's error.
    pub json: Result<Value, String>,
}

/// One file as the oracle read it.
#[derive(Debug, Clone)]
pub struct OracleFile {
    pub docs: Vec<OracleDoc>,
    /// An error of the stream itself (an invalid `---` line).
    pub error: Option<String>,
}

impl OracleFile {
    /// The documents `kubectl apply` reads: those before the first error, with the error.
    pub fn accepted(&self) -> (Vec<&OracleDoc>, Option<String>) {
        let mut docs = Vec::new();
        for doc in &self.docs {
            match &doc.json {
                Ok(_) => docs.push(doc),
                Err(e) => return (docs, Some(format!("line {}: {e}", doc.line))),
            }
        }
        (docs, self.error.clone())
    }
}

/// The oracle binary: `K8SEC_YAML_ORACLE`. `None` (with a message) skips the test, except
/// under `CI=true`, where `.ci/run` builds it and a missing one is a failure.
pub fn oracle_or_skip(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("K8SEC_YAML_ORACLE").map(PathBuf::from);
    match path {
        Some(path) if path.is_file() => Some(path),
        _ => {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "{test}: no YAML oracle (K8SEC_YAML_ORACLE); .ci/run builds it"
            );
            eprintln!(
                "skipped {test}: no YAML oracle (build tools/yaml-oracle and set K8SEC_YAML_ORACLE; see .ci/run)"
            );
            None
        }
    }
}

/// Reads `files` with the oracle, in one process per batch, in order.
pub fn read(oracle: &Path, files: &[PathBuf]) -> Vec<OracleFile> {
    let mut child = Command::new(oracle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the YAML oracle");
    let mut names = String::new();
    for file in files {
        names.push_str(file.to_str().expect("UTF-8 test paths"));
        names.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(names.as_bytes()));
    let output = child.wait_with_output().expect("YAML oracle output");
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "YAML oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<OracleFile> = output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let value: Value = serde_json::from_slice(line).expect("oracle output is JSON");
            parse_file(&value)
        })
        .collect();
    assert_eq!(results.len(), files.len(), "one oracle result per file");
    results
}

fn parse_file(value: &Value) -> OracleFile {
    let docs = value["docs"]
        .as_array()
        .map(|docs| {
            docs.iter()
                .map(|d| OracleDoc {
                    offset: d["offset"].as_u64().unwrap_or(0) as usize,
                    line: d["line"].as_u64().unwrap_or(0) as usize,
                    json: match d.get("error").and_then(Value::as_str) {
                        Some(e) => Err(e.to_string()),
                        None => Ok(d["json"].clone()),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    OracleFile {
        docs,
        error: value
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}
