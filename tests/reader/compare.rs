//! k8sec's reading of a file against the Kubernetes reader's, document by document.
//!
//! kubectl cuts a file into pieces at `---` lines, reads the first YAML document of each piece
//! (what follows it in the piece is skipped) and stops at the first piece it refuses. k8sec's
//! documents are matched to the piece their root starts in.

use k8sec::text::LineIndex;
use k8sec::yaml::{parse_stream, parse_valid_prefix, to_json, FileId};
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
    /// kubectl reads the file; k8sec reports `invalid-yaml`, but reads every Kubernetes object
    /// kubectl reads (what it misses are bare strings or numbers, which kubectl cannot apply).
    KubectlOnlyAcceptsNoObject(String),
    /// Both read the same objects; k8sec also reports `invalid-yaml` for text kubectl skips
    /// without a word (after the first YAML document between two `---` lines).
    K8secFlagsIgnoredText(String),
    /// k8sec reads the file; kubectl refuses it.
    K8secOnlyAccepts(String),
    /// Both read it, with different data.
    DataDiffers(String),
    /// Both read it, differently, but only where kubectl reads no Kubernetes object (a bare
    /// string or number kubectl cannot apply).
    NonObjectDiffers(String),
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
            Outcome::KubectlOnlyAcceptsNoObject(_) => "kubectl-only-accepts-no-object",
            Outcome::K8secFlagsIgnoredText(_) => "k8sec-flags-ignored-text",
            Outcome::K8secOnlyAccepts(_) => "k8sec-only-accepts",
            Outcome::DataDiffers(_) => "data-differs",
            Outcome::NonObjectDiffers(_) => "non-object-differs",
            Outcome::K8secReadsMore(_) => "k8sec-reads-more",
        }
    }
}

/// k8sec's reading: each document (where its root starts, its JSON) up to the first error.
pub struct Reading {
    pub docs: Vec<(usize, Value)>,
    /// Line, offset and message of the error, if any.
    pub error: Option<(usize, usize, String)>,
}

/// Reads bytes as the loader does (UTF-8 text, then the YAML stream).
pub fn k8sec_read(bytes: &[u8]) -> Reading {
    let (text, utf8) = match std::str::from_utf8(bytes) {
        Ok(text) => (text, true),
        Err(e) => (
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap(),
            false,
        ),
    };
    let index = LineIndex::new(text);
    let stream = if utf8 {
        parse_stream(text, FileId(0), &index)
    } else {
        parse_valid_prefix(text, FileId(0), &index)
    };
    let at = |offset: u32| index.line_col(text, offset).line as usize;
    let mut docs = Vec::new();
    for doc in &stream.documents {
        let root = doc.tree.root();
        match to_json(root) {
            Ok(json) => docs.push((root.span().range.start as usize, json)),
            Err(e) => {
                let message = format!("(to_json) {}", e.message);
                let error = Some((at(e.offset), e.offset as usize, message));
                return Reading { docs, error };
            }
        }
    }
    let error = stream
        .error
        .map(|e| (at(e.offset), e.offset as usize, e.message));
    Reading { docs, error }
}

/// Compares kubectl's reading of a file with k8sec's.
pub fn compare(oracle: &OracleFile, ours: &Reading) -> Outcome {
    let starts: Vec<usize> = oracle.docs.iter().map(|d| d.offset).collect();
    let piece_of = |at: usize| starts.iter().rposition(|&s| s <= at);
    let (theirs, their_error) = oracle.accepted();
    // k8sec's documents per piece; those before the first piece (none for kubectl) apart.
    let mut ours_by_piece: Vec<Vec<&Value>> = vec![Vec::new(); starts.len()];
    let mut outside = Vec::new();
    for (at, json) in &ours.docs {
        match piece_of(*at) {
            Some(i) => ours_by_piece[i].push(json),
            None => outside.push(json),
        }
    }
    let first_of = |i: usize| ours_by_piece[i].first().copied().unwrap_or(&Value::Null);
    let same_docs = theirs
        .iter()
        .enumerate()
        .all(|(i, doc)| doc.json.as_ref().is_ok_and(|json| first_of(i) == json));

    match (&their_error, &ours.error) {
        (None, Some((line, at, e))) => {
            // Text kubectl skips: in a piece whose first document k8sec read before the error.
            let skipped = piece_of(*at).is_some_and(|i| {
                ours.docs
                    .iter()
                    .any(|(start, _)| start < at && piece_of(*start) == Some(i))
            });
            if skipped && same_docs {
                return Outcome::K8secFlagsIgnoredText(format!("k8sec: line {line}: {e}"));
            }
            let object_lost = theirs.iter().enumerate().any(|(i, doc)| {
                doc.json
                    .as_ref()
                    .is_ok_and(|json| is_object(json) && first_of(i) != json)
            });
            if !object_lost {
                return Outcome::KubectlOnlyAcceptsNoObject(format!("k8sec: line {line}: {e}"));
            }
            return Outcome::KubectlOnlyAccepts(format!("k8sec: line {line}: {e}"));
        }
        (Some(e), None) => return Outcome::K8secOnlyAccepts(format!("kubectl: {e}")),
        _ => {}
    }
    // The documents both read (kubectl: those before its error; k8sec: those before its own).
    for (i, doc) in theirs.iter().enumerate() {
        let Ok(their_json) = &doc.json else {
            continue;
        };
        if first_of(i) != their_json {
            if let (Some((line, _, _)), true) = (&ours.error, ours_by_piece[i].is_empty()) {
                if !is_object(their_json) {
                    return Outcome::NonObjectDiffers(format!(
                        "kubectl reads a document that is no object at line {} that k8sec's error (line {line}) stops before",
                        doc.line
                    ));
                }
                return Outcome::BothRejectElsewhere(format!(
                    "kubectl reads the document at line {} that k8sec's error (line {line}) stops before",
                    doc.line
                ));
            }
            let diff = first_diff(their_json, first_of(i), "").unwrap_or_default();
            let diff = format!("document at line {}: {diff}", doc.line);
            if !is_object(their_json) {
                return Outcome::NonObjectDiffers(diff);
            }
            return Outcome::DataDiffers(diff);
        }
    }
    // Documents k8sec read where kubectl had stopped: both refuse the file.
    let beyond =
        (theirs.len()..starts.len()).any(|i| ours_by_piece[i].iter().any(|v| !v.is_null()));
    if let (Some(their_e), Some((line, _, our_e))) = (&their_error, &ours.error) {
        if beyond || outside.iter().any(|v| !v.is_null()) {
            return Outcome::BothRejectElsewhere(format!(
                "kubectl stops at {their_e}; k8sec reads on to line {line}: {our_e}"
            ));
        }
    }
    if outside.iter().any(|v| !v.is_null()) {
        return Outcome::DataDiffers("k8sec reads a document before kubectl's first".into());
    }
    let more: usize = ours_by_piece
        .iter()
        .take(theirs.len())
        .map(|docs| docs.iter().skip(1).filter(|v| !v.is_null()).count())
        .sum();
    if more > 0 {
        return Outcome::K8secReadsMore(format!(
            "k8sec reads {more} more document(s) between two `---` lines (kubectl reads the first)"
        ));
    }
    Outcome::Same
}

/// Whether kubectl could apply the value: a mapping naming its `apiVersion` and `kind`.
fn is_object(value: &Value) -> bool {
    value.get("apiVersion").is_some() && value.get("kind").is_some()
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
