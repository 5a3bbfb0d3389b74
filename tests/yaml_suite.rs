//! The official YAML test suite (`../shared/yaml-test-suite`, see its SOURCE.md): every valid
//! case parses to the data of its `in.json`, every error case is refused — except where the
//! Kubernetes reader (go-yaml) departs from the spec, which k8sec follows. Each such case is
//! listed below with the reason; with the YAML oracle built (`K8SEC_YAML_ORACLE`), the test
//! also checks that kubectl indeed reads each listed case as k8sec does.

mod common;
#[path = "reader/oracle.rs"]
mod oracle;

use std::path::{Path, PathBuf};

use k8sec::text::LineIndex;
use k8sec::yaml::{parse_stream, FileId, NodeKind, NodeRef, ScalarStyle};
use serde_json::Value;

/// Valid YAML that k8sec refuses because the Kubernetes reader refuses it (the oracle, when
/// built, confirms each): (reason, cases).
const REFUSED_LIKE_KUBECTL: &[(&str, &[&str])] = &[
    (
        "a null mapping key: JSON cannot name it",
        &[
            "2JQS", "6M2F", "CFD4", "DFF7", "FH7J", "FRK4", "NHX8", "NKF9", "PW8X", "S3PD",
            "SM9W/01", "UKK6/00",
        ],
    ),
    (
        "a mapping or sequence as a mapping key (`invalid map key`)",
        &[
            "4FJ6", "6BFJ", "6PBE", "9MMW", "KK5P", "LX3P", "M2N8/00", "M2N8/01", "M5DY", "Q9WF",
            "RZP5", "SBG9", "V9D5", "X38W", "XW4D",
        ],
    ),
    (
        "a `%` directive, cut from its document at `---` by apimachinery",
        &[
            "2LFX", "5TYM", "6CK3", "BEC7", "CC74", "DK95/07", "MUS6/02", "MUS6/03", "MUS6/04",
            "MUS6/05", "MUS6/06", "P76L", "RTP8", "U3C3", "Z9M4",
        ],
    ),
    (
        "a tab after a block sequence's `-`",
        &["6BCT", "A2M4", "Y79Y/010"],
    ),
    (
        "a `---` line followed by text (`--- word`)",
        &["82AN", "EXG3"],
    ),
    ("the `\\/` escape, unknown to yaml.v2", &["3UYS"]),
];

/// Invalid YAML that k8sec reads because the Kubernetes reader reads it (confirmed by the
/// oracle): indentation in flow collections and quoted scalars (9C9N, QB6E, DK95/01,
/// Y79Y/003), a comment right after a token (9JBA, CVW2, SU5Z, X4QW), the `\'` escape (HRE5),
/// a `,` in a tag (U99R), a lone `-` in a flow sequence (G5U8, YJV2).
const READ_LIKE_KUBECTL: &[&str] = &[
    "9C9N", "9JBA", "CVW2", "DK95/01", "G5U8", "HRE5", "QB6E", "SU5Z", "U99R", "X4QW", "Y79Y/003",
    "YJV2",
];

/// Invalid YAML that k8sec reads and kubectl refuses, with the reason it is fine.
const READ_UNLIKE_KUBECTL: &[(&str, &str)] = &[(
    "VJP3/00",
    "a flow mapping key whose `:` is on a later line: go-yaml refuses it also where the spec \
     allows it (VJP3/01); k8sec reads both as the spec's valid case reads",
)];

/// Valid cases whose data differs from `in.json` because the Kubernetes reader's does.
const DATA_LIKE_KUBECTL: &[(&str, &str)] = &[(
    "565N",
    "`!!binary`: kubectl decodes the base64 (in.json keeps the text)",
)];

fn suite() -> Option<PathBuf> {
    let path = common::manifest_dir().join("../shared/yaml-test-suite");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("skipped: no YAML test suite at {}", path.display());
        None
    }
}

/// Every case directory (one holding `in.yaml`), sorted.
fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.join("in.yaml").is_file() {
            out.push(path.clone());
        }
        if path.is_dir() {
            cases(&path, out);
        }
    }
}

/// A scalar as the YAML 1.2 core schema resolves it (the suite's `in.json`).
fn core_scalar(value: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    let tag = tag.map(|t| t.trim_start_matches("tag:yaml.org,2002:"));
    if matches!(tag, Some("str"))
        || style != ScalarStyle::Plain
        || matches!(tag, Some(t) if t != "null" && t != "bool" && t != "int" && t != "float")
    {
        return Value::String(value.to_string());
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = value.parse::<i64>() {
            return Value::from(n);
        }
    }
    if let Some(hex) = value.strip_prefix("0x") {
        if let Ok(n) = i64::from_str_radix(hex, 16) {
            return Value::from(n);
        }
    }
    if let Some(oct) = value.strip_prefix("0o") {
        if let Ok(n) = i64::from_str_radix(oct, 8) {
            return Value::from(n);
        }
    }
    let float_like = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if float_like {
        if let Ok(f) = value.parse::<f64>() {
            if let Some(n) = serde_json::Number::from_f64(f) {
                return Value::Number(n);
            }
        }
    }
    Value::String(value.to_string())
}

/// The data of a node as the YAML spec reads it: no merge keys, keys as their text.
fn spec_json(node: NodeRef<'_>) -> Value {
    let node = node.resolve();
    match &node.node().kind() {
        NodeKind::Scalar { value, style } => {
            core_scalar(node.tree().text(*value), *style, node.tag())
        }
        NodeKind::Sequence { .. } => Value::Array(node.items().map(spec_json).collect()),
        NodeKind::Mapping { .. } => Value::Object(
            node.raw_entries()
                .map(|(k, v)| {
                    let key = match spec_json(k) {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (key, spec_json(v))
                })
                .collect(),
        ),
        NodeKind::Alias { .. } => Value::Null,
    }
}

/// Numbers compared by value (the suite writes `1.0`, we may read `1`).
fn same_data(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_data(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_data(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn yaml_test_suite() {
    let Some(root) = suite() else {
        return;
    };
    let mut dirs = Vec::new();
    cases(&root, &mut dirs);
    assert!(
        dirs.len() >= 400,
        "expected the whole suite, found {}",
        dirs.len()
    );
    let name = |dir: &Path| dir.strip_prefix(&root).unwrap().display().to_string();
    let mut refused = Vec::new();
    let mut read = Vec::new();
    let mut data = Vec::new();
    let mut counts = [0usize; 3];
    for dir in &dirs {
        let bytes = std::fs::read(dir.join("in.yaml")).unwrap();
        let expects_error = dir.join("error").exists();
        let stream = std::str::from_utf8(&bytes)
            .ok()
            .map(|text| (text, parse_stream(text, FileId(0), &LineIndex::new(text))));
        let error = stream
            .as_ref()
            .map_or(Some("not UTF-8".to_string()), |(_, s)| {
                s.error.as_ref().map(|e| e.message.clone())
            });
        match (expects_error, &error) {
            (true, Some(_)) => counts[0] += 1,
            (true, None) => read.push(name(dir)),
            (false, Some(e)) => refused.push((name(dir), e.clone())),
            (false, None) => {
                counts[1] += 1;
                let Ok(expected) = std::fs::read_to_string(dir.join("in.json")) else {
                    continue;
                };
                counts[2] += 1;
                let expected: Vec<Value> = serde_json::Deserializer::from_str(&expected)
                    .into_iter()
                    .collect::<Result<_, _>>()
                    .unwrap();
                let (_, stream) = stream.as_ref().unwrap();
                let ours: Vec<Value> = stream
                    .documents
                    .iter()
                    .map(|d| spec_json(d.tree.root()))
                    .collect();
                let equal = ours.len() == expected.len()
                    && ours.iter().zip(&expected).all(|(a, b)| same_data(a, b));
                if !equal {
                    data.push((name(dir), format!("{ours:?} != {expected:?}")));
                }
            }
        }
    }
    eprintln!(
        "YAML test suite: {} cases; {} error cases refused, {} valid cases read ({} compared with in.json)",
        dirs.len(),
        counts[0],
        counts[1],
        counts[2]
    );
    let refused_names: Vec<&str> = refused.iter().map(|(n, _)| n.as_str()).collect();
    let mut listed: Vec<&str> = REFUSED_LIKE_KUBECTL
        .iter()
        .flat_map(|(_, cases)| cases.iter().copied())
        .collect();
    listed.sort_unstable();
    assert_eq!(refused_names, listed, "valid cases refused: {refused:#?}");
    let mut read_listed: Vec<&str> = READ_LIKE_KUBECTL
        .iter()
        .copied()
        .chain(READ_UNLIKE_KUBECTL.iter().map(|(n, _)| *n))
        .collect();
    read_listed.sort_unstable();
    assert_eq!(read, read_listed, "error cases read");
    let data_names: Vec<&str> = data.iter().map(|(n, _)| n.as_str()).collect();
    let data_listed: Vec<&str> = DATA_LIKE_KUBECTL.iter().map(|(n, _)| *n).collect();
    assert_eq!(data_names, data_listed, "data differences: {data:#?}");

    // Each departure from the spec is the Kubernetes reader's.
    let Some(oracle) = std::env::var_os("K8SEC_YAML_ORACLE").map(PathBuf::from) else {
        eprintln!(
            "(no K8SEC_YAML_ORACLE: the departures were not checked against kubectl's reader)"
        );
        return;
    };
    let checked: Vec<(&str, bool)> = listed
        .iter()
        .map(|&n| (n, false))
        .chain(READ_LIKE_KUBECTL.iter().map(|&n| (n, true)))
        .chain(READ_UNLIKE_KUBECTL.iter().map(|(n, _)| (*n, false)))
        .collect();
    let files: Vec<PathBuf> = checked
        .iter()
        .map(|(n, _)| root.join(n).join("in.yaml"))
        .collect();
    let theirs = oracle::read(&oracle, &files);
    for ((name, reads), their) in checked.iter().zip(&theirs) {
        let (_, error) = their.accepted();
        assert_eq!(
            error.is_none(),
            *reads,
            "{name}: kubectl's reader says {error:?}"
        );
    }
}
