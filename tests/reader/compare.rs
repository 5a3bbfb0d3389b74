//! k8sec's reading of a file against the Kubernetes reader's, document by document.

use k8sec::text::LineIndex;
use k8sec::yaml::{parse_stream, to_json, FileId};
use serde_json::Value;

use crate::oracle::OracleFile;

/// How the two readings of one file compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Both read the same objects (and, when the file is bad, stop at the same document).
    Same,
    /// Both refuse the file, but not at the same document.
    BothRejectElsewhere(String),
    /// kubectl reads the file; k8sec reports `invalid-yaml`.
    KubectlOnlyAccepts(String),
    /// Both read the same objects; k8sec also reports `invalid-yaml` for text kubectl skips
    /// without a word (after the first YAML document between two `---` lines).
    K8secFlagsIgnoredText(String),
    /// k8sec reads the file; kubectl refuses it.
    K8secOnlyAccepts(String),
    /// Both read it, with different data.
    DataDiffers(String),
    /// Both read the same documents, and k8sec more: those kubectl skips after the first YAML
    /// document between two `---` lines.
    K8secReadsMore(String),
}

impl Outcome {
    pub fn class(&self) -> &'static str {
        match self {
            Outcome::Same => "same",
            Outcome::BothRejectElsewhere(_) => "both-reject-elsewhere",
            Outcome::KubectlOnlyAccepts(_) => "kubectl-only-accepts",
            Outcome::K8secFlagsIgnoredText(_) => "k8sec-flags-ignored-text",
            Outcome::K8secOnlyAccepts(_) => "k8sec-only-accepts",
            Outcome::DataDiffers(_) => "data-differs",
            Outcome::K8secReadsMore(_) => "k8sec-reads-more",
        }
    }
}

/// k8sec's reading: each document (where its root starts, its JSON) up to the first error.
pub struct Reading {
    pub docs: Vec<(usize, Value)>,
    /// (line, message) of the error that stopped reading.
    pub error: Option<(usize, String)>,
    /// Its byte offset.
    pub error_offset: Option<usize>,
}

/// Reads bytes as the loader does (UTF-8 text, then the YAML stream).
pub fn k8sec_read(bytes: &[u8]) -> Reading {
    let Ok(text) = std::str::from_utf8(bytes) else {
        let valid =
            std::str::from_utf8(&bytes[..std::str::from_utf8(bytes).unwrap_err().valid_up_to()])
                .unwrap();
        let line = valid.matches('\n').count() + 1;
        return Reading {
            docs: Vec::new(),
            error: Some((line, "file is not valid UTF-8 text".into())),
            error_offset: Some(valid.len()),
        };
    };
    let index = LineIndex::new(text);
    let stream = parse_stream(text, FileId(0), &index);
    let mut docs = Vec::new();
    for doc in &stream.documents {
        let root = doc.tree.root();
        match to_json(root) {
            Ok(json) => docs.push((root.span().range.start as usize, json)),
            Err(e) => {
                let line = index.line_col(text, e.offset).line as usize;
                return Reading {
                    docs,
                    error: Some((line, format!("(to_json) {}", e.message))),
                    error_offset: Some(e.offset as usize),
                };
            }
        }
    }
    let error_offset = stream.error.as_ref().map(|e| e.offset as usize);
    let error = stream.error.map(|e| {
        let line = index.line_col(text, e.offset).line as usize;
        (line, e.message)
    });
    Reading {
        docs,
        error,
        error_offset,
    }
}

/// Compares the two readings of `bytes`.
pub fn compare(oracle: &OracleFile, ours: &Reading) -> Outcome {
    // Chunk i covers [offset_i, offset_{i+1}); each k8sec document belongs to the chunk its
    // root starts in, and kubectl reads only the first YAML document of a chunk.
    let starts: Vec<usize> = oracle.docs.iter().map(|d| d.offset).collect();
    let chunk_of = |at: usize| starts.iter().rposition(|&s| s <= at);
    let (theirs, their_error) = oracle.accepted();
    let mut ours_by_chunk: Vec<Vec<&Value>> = vec![Vec::new(); starts.len()];
    let mut outside = Vec::new();
    for (at, json) in &ours.docs {
        match chunk_of(*at) {
            Some(i) => ours_by_chunk[i].push(json),
            None => outside.push(json),
        }
    }
    match (&their_error, &ours.error) {
        (None, Some((line, e))) => {
            // Text kubectl skips: in a piece whose first document k8sec read before the error.
            let at = ours.error_offset.unwrap_or(0);
            let skipped = chunk_of(at).is_some_and(|i| {
                ours.docs
                    .iter()
                    .any(|(start, _)| *start < at && chunk_of(*start) == Some(i))
            });
            let same_docs = theirs.iter().enumerate().all(|(i, doc)| {
                ours_by_chunk[i].first().copied().unwrap_or(&Value::Null)
                    == doc.json.as_ref().unwrap_or(&Value::Null)
            });
            if skipped && same_docs {
                return Outcome::K8secFlagsIgnoredText(format!("k8sec: line {line}: {e}"));
            }
            return Outcome::KubectlOnlyAccepts(format!("k8sec: line {line}: {e}"));
        }
        (Some(e), None) => return Outcome::K8secOnlyAccepts(format!("kubectl: {e}")),
        _ => {}
    }
    // The documents both read (kubectl: those before its error; k8sec: those before its own).
    for (i, doc) in theirs.iter().enumerate() {
        let Ok(their_json) = &doc.json else {
            unreachable!()
        };
        let mine: Vec<&Value> = ours_by_chunk[i].clone();
        let our_first = mine.first().copied().unwrap_or(&Value::Null);
        if our_first != their_json {
            if ours.error.is_some() && mine.is_empty() {
                // k8sec stopped before this document.
                return Outcome::BothRejectElsewhere(format!(
                    "kubectl reads the document at line {} that k8sec's error (line {}) stops before",
                    doc.line,
                    ours.error.as_ref().map_or(0, |e| e.0)
                ));
            }
            return Outcome::DataDiffers(format!(
                "document at line {}: {}",
                doc.line,
                first_diff(their_json, our_first, "").unwrap_or_else(|| "differs".into())
            ));
        }
    }
    // Documents k8sec read that kubectl did not (past kubectl's error: both reject).
    let extra_chunks: Vec<usize> = (0..starts.len())
        .filter(|&i| i >= theirs.len() && !ours_by_chunk[i].iter().all(|v| v.is_null()))
        .collect();
    match (&their_error, &ours.error) {
        (Some(theirs_e), Some((line, ours_e))) if !extra_chunks.is_empty() => {
            return Outcome::BothRejectElsewhere(format!(
                "kubectl stops at {theirs_e}; k8sec reads on to line {line}: {ours_e}"
            ));
        }
        _ => {}
    }
    if !outside.iter().all(|v| v.is_null()) {
        return Outcome::DataDiffers(
            "k8sec reads a document outside every kubectl document".into(),
        );
    }
    let skipped: usize = ours_by_chunk
        .iter()
        .take(theirs.len())
        .map(|docs| docs.iter().skip(1).filter(|v| !v.is_null()).count())
        .sum();
    if skipped > 0 {
        return Outcome::K8secReadsMore(format!(
            "k8sec reads {skipped} more document(s) inside a kubectl document (kubectl reads only the first YAML document between two `---` lines)"
        ));
    }
    Outcome::Same
}

/// The first difference between two JSON values, as a path.
pub fn first_diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_diff(p, q, &format!("{path}/{k}")),
                (Some(_), None) => Some(format!("{path}/{k}: only kubectl has it")),
                _ => Some(format!("{path}/{k}: only k8sec has it")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_diff(p, q, &format!("{path}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{path}: kubectl {a} != k8sec {b}")),
    }
}
