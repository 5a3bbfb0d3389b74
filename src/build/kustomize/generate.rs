//! `configMapGenerator` and `secretGenerator`.
//!
//! Generated objects point back at their inputs: a literal at its `- key=value` line, a file's
//! value at the file, an env file's value at its line. Generated names get Kustomize's content
//! hash at the end of the build unless `disableNameSuffixHash` says otherwise.

use std::collections::BTreeMap;

use super::hash;
use super::res::{Behavior, KRes};
use super::{Acc, Builder, Fail, Kust};
use crate::build::knode::{point, KKind, KNode};
use crate::text::TextRange;
use crate::yaml::Span;

#[derive(Default, Clone)]
struct Options {
    labels: Vec<(KNode, KNode)>,
    annotations: Vec<(KNode, KNode)>,
    disable_hash: Option<bool>,
    immutable: Option<bool>,
}

fn options_of(node: Option<&KNode>) -> Options {
    let Some(node) = node else {
        return Options::default();
    };
    let flag = |key: &str| node.get(key).and_then(super::bool_of);
    Options {
        labels: node
            .get("labels")
            .map(|l| l.entries().to_vec())
            .unwrap_or_default(),
        annotations: node
            .get("annotations")
            .map(|l| l.entries().to_vec())
            .unwrap_or_default(),
        disable_hash: flag("disableNameSuffixHash"),
        immutable: flag("immutable"),
    }
}

fn merged(global: &Options, local: &Options) -> Options {
    let mut labels = global.labels.clone();
    labels.extend(local.labels.iter().cloned());
    let mut annotations = global.annotations.clone();
    annotations.extend(local.annotations.iter().cloned());
    Options {
        labels,
        annotations,
        disable_hash: local.disable_hash.or(global.disable_hash),
        immutable: local.immutable.or(global.immutable),
    }
}

/// Removes surrounding quotes from a literal's value, as Kustomize does.
fn unquote(value: &str) -> &str {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 && bytes[0] == bytes[bytes.len() - 1] && matches!(bytes[0], b'"' | b'\'') {
        &value[1..value.len() - 1]
    } else {
        value
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(super) fn generators(b: &mut Builder<'_, '_>, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
    let global = options_of(kust.field("generatorOptions"));
    for (field, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for entry in kust.list(field) {
            let res = generate_one(b, kust, &entry, kind, &global)?;
            absorb(b, kust, &entry, acc, res)?;
        }
    }
    Ok(())
}

/// A ConfigMapGenerator or SecretGenerator configured as a plugin (`apiVersion: builtin`): the
/// configuration is a generator entry whose `name` and `namespace` may sit under `metadata`.
/// The kustomization's `generatorOptions` do not apply (Kustomize passes them only to its
/// fields' generators).
pub(super) fn builtin(
    b: &mut Builder<'_, '_>,
    kust: &Kust,
    config: &KNode,
    kind: &str,
    acc: &mut Acc,
) -> Result<(), Fail> {
    let mut entry = config.clone();
    for key in ["name", "namespace"] {
        let from_meta = config.path(&["metadata", key]).cloned();
        if entry.get(key).is_none() {
            if let Some(value) = from_meta {
                entry.set(key, value.span, value);
            }
        }
    }
    let res = generate_one(b, kust, &entry, kind, &Options::default())?;
    absorb(b, kust, &entry, acc, res)
}

/// The keys of one generated object, in order, each with its value node (pointing at where
/// the value came from) and, for a binary file, its raw bytes.
struct Data<'e> {
    /// `ConfigMap` or `Secret`.
    kind: &'e str,
    /// The generator's `name`, for messages.
    name: &'e str,
    keys: Vec<(String, KNode, Option<Vec<u8>>)>,
}

impl Data<'_> {
    /// Adds a key, refusing an invalid or repeated one (blamed on `at`).
    fn put(
        &mut self,
        b: &Builder<'_, '_>,
        kust: &Kust,
        key: String,
        value: KNode,
        raw: Option<Vec<u8>>,
        at: Span,
    ) -> Result<(), Fail> {
        let kind = self.kind;
        if !valid_key(&key) {
            return Err(b.fail(kust, at, format!("`{key}` is not a valid {kind} key")));
        }
        if self.keys.iter().any(|(k, _, _)| *k == key) {
            return Err(b.fail(
                kust,
                at,
                format!("{kind} generator `{}` sets key `{key}` twice", self.name),
            ));
        }
        self.keys.push((key, value, raw));
        Ok(())
    }
}

/// The object one generator entry makes, before its name gets the content hash.
fn generate_one(
    b: &mut Builder<'_, '_>,
    kust: &Kust,
    entry: &KNode,
    kind: &str,
    global: &Options,
) -> Result<KRes, Fail> {
    let span = entry.span;
    let Some(name_node) = entry.get("name").filter(|n| n.as_str().is_some()) else {
        return Err(b.fail(kust, span, format!("a {kind} generator needs a `name`")));
    };
    let options = merged(global, &options_of(entry.get("options")));
    let mut data = Data {
        kind,
        name: name_node.as_str().unwrap_or_default(),
        keys: Vec::new(),
    };
    env_files(b, kust, entry, &mut data)?;
    files(b, kust, entry, &mut data)?;
    literals(b, kust, entry, &mut data)?;
    let root = object(entry, name_node, &options, data);
    let mut res = KRes::new(root);
    res.needs_hash = options.disable_hash != Some(true);
    res.behavior = behavior_of(entry.str_at("behavior")).map_err(|e| b.fail(kust, span, e))?;
    Ok(res)
}

/// `envs` (or the older `env`): `KEY=value` lines of env files, each value pointing at its
/// line.
fn env_files(
    b: &mut Builder<'_, '_>,
    kust: &Kust,
    entry: &KNode,
    data: &mut Data<'_>,
) -> Result<(), Fail> {
    for env_key in ["envs", "env"] {
        let paths: Vec<KNode> = match entry.get(env_key) {
            Some(n) if n.is_seq() => n.items().to_vec(),
            Some(n) if n.as_str().is_some() => vec![n.clone()],
            _ => Vec::new(),
        };
        for p in paths {
            let Some(rel) = p.as_str() else { continue };
            let path = b.resolve(kust, p.span, rel)?;
            let id = b.store.text(&path).map_err(|e| b.fail(kust, p.span, e))?;
            b.files.insert(id);
            let text = b.store.sources.get(id).text.clone();
            for line in env_lines(&text) {
                if line.value.is_none() {
                    // Kustomize reads such a key's value from its own environment; k8sec
                    // never does, and builds it empty, as an unset variable reads.
                    b.warn(kust, p.span, format!(
                        "`{rel}` line {}: `{}` has no `=`; Kustomize would read its value from the environment, k8sec leaves it empty",
                        line.number, line.key
                    ));
                }
                let value = line.value.unwrap_or_default();
                let vspan = Span::new(
                    id,
                    TextRange::new(
                        line.value_start as u32,
                        (line.value_start + value.len()) as u32,
                    ),
                );
                data.put(
                    b,
                    kust,
                    line.key.to_string(),
                    KNode::string(value, vspan),
                    None,
                    p.span,
                )?;
            }
        }
    }
    Ok(())
}

/// One `KEY=value` line of an env file.
struct EnvLine<'t> {
    /// 1-based.
    number: usize,
    key: &'t str,
    /// `None` for a line without `=`.
    value: Option<&'t str>,
    /// Where the value starts in the file (where it would, for a line without `=`).
    value_start: usize,
}

/// The `KEY=value` lines of an env file, skipping blank lines and comments (and a byte order
/// mark).
fn env_lines(text: &str) -> Vec<EnvLine<'_>> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (n, line) in text.split('\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let mut content = line.strip_suffix('\r').unwrap_or(line);
        let mut base = start;
        if n == 0 {
            if let Some(rest) = content.strip_prefix('\u{feff}') {
                content = rest;
                base += '\u{feff}'.len_utf8();
            }
        }
        let trimmed = content.trim_start();
        let lead = content.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        out.push(match trimmed.split_once('=') {
            Some((key, value)) => EnvLine {
                number: n + 1,
                key,
                value: Some(value),
                value_start: base + lead + key.len() + 1,
            },
            None => EnvLine {
                number: n + 1,
                key: trimmed,
                value: None,
                value_start: base + lead + trimmed.len(),
            },
        });
    }
    out
}

/// `files`: `path` or `key=path`; a file's whole text is the value (its bytes, for a binary
/// file).
fn files(
    b: &mut Builder<'_, '_>,
    kust: &Kust,
    entry: &KNode,
    data: &mut Data<'_>,
) -> Result<(), Fail> {
    for f in entry.get("files").map(KNode::items).unwrap_or_default() {
        let Some(text) = f.as_str() else { continue };
        let (key, rel) = match text.split_once('=') {
            Some((k, p)) => (k.to_string(), p.to_string()),
            None => (
                std::path::Path::new(text)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                text.to_string(),
            ),
        };
        let path = b.resolve(kust, f.span, &rel)?;
        let id = b.store.text(&path).map_err(|e| b.fail(kust, f.span, e))?;
        b.files.insert(id);
        let len = b.store.sources.get(id).text.len() as u32;
        let vspan = Span::new(id, TextRange::new(0, len));
        if b.store.is_binary(id) {
            let raw = b.store.bytes(id).to_vec();
            data.put(b, kust, key, KNode::string("", vspan), Some(raw), f.span)?;
        } else {
            let content = b.store.sources.get(id).text.clone();
            data.put(b, kust, key, KNode::string(&content, vspan), None, f.span)?;
        }
    }
    Ok(())
}

/// `literals`: `key=value` entries, each value pointing at its entry.
fn literals(
    b: &Builder<'_, '_>,
    kust: &Kust,
    entry: &KNode,
    data: &mut Data<'_>,
) -> Result<(), Fail> {
    for l in entry.get("literals").map(KNode::items).unwrap_or_default() {
        let Some(text) = l.as_str() else { continue };
        let Some((key, value)) = text.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(b.fail(kust, l.span, format!("literal `{text}` is not key=value")));
        };
        data.put(
            b,
            kust,
            key.to_string(),
            KNode::string(unquote(value), l.span),
            None,
            l.span,
        )?;
    }
    Ok(())
}

/// The generated ConfigMap or Secret: metadata from the entry and its options, then the data
/// (base64 for a Secret; a ConfigMap's binary files under `binaryData`).
fn object(entry: &KNode, name_node: &KNode, options: &Options, data: Data<'_>) -> KNode {
    let at = point(entry.span);
    let secret = data.kind == "Secret";
    let mut root = KNode::map(entry.span);
    root.set("apiVersion", at, KNode::plain("v1", at));
    root.set("kind", at, KNode::plain(data.kind, at));
    root.set("metadata", at, metadata(entry, name_node, options, at));
    let mut text_data = KNode::map(at);
    let mut binary_data = KNode::map(at);
    for (key, value, raw) in data.keys {
        let target = if raw.is_some() && !secret {
            &mut binary_data
        } else {
            &mut text_data
        };
        let encoded = match (&raw, secret) {
            (Some(bytes), _) => KNode::string(&hash::base64_lines(bytes), value.span),
            (None, true) => {
                let text = value.as_str().unwrap_or_default().to_string();
                KNode::string(&hash::base64_lines(text.as_bytes()), value.span)
            }
            (None, false) => value,
        };
        target.set(&key, encoded.span, encoded);
    }
    if secret {
        let typ = entry
            .get("type")
            .filter(|t| t.as_str().is_some())
            .cloned()
            .unwrap_or_else(|| KNode::plain("Opaque", at));
        root.set("type", at, typ);
    }
    if !text_data.entries().is_empty() {
        root.set("data", at, text_data);
    }
    if !binary_data.entries().is_empty() {
        root.set("binaryData", at, binary_data);
    }
    if options.immutable == Some(true) {
        root.set("immutable", at, KNode::plain("true", at));
    }
    root
}

/// `metadata` of a generated object: its name and namespace, the options' labels and
/// annotations.
fn metadata(entry: &KNode, name_node: &KNode, options: &Options, at: Span) -> KNode {
    let mut meta = KNode::map(at);
    meta.set("name", name_node.span, name_node.clone());
    if let Some(ns) = entry.get("namespace").filter(|n| n.as_str().is_some()) {
        meta.set("namespace", ns.span, ns.clone());
    }
    for (key, pairs) in [
        ("labels", &options.labels),
        ("annotations", &options.annotations),
    ] {
        if !pairs.is_empty() {
            let mut map = KNode::map(at);
            for (k, v) in pairs {
                map.set_with_key(k.clone(), v.clone());
            }
            meta.set(key, at, map);
        }
    }
    meta
}

/// `behavior` of a generator.
fn behavior_of(text: Option<&str>) -> Result<Behavior, String> {
    match text.unwrap_or("create") {
        "create" | "" => Ok(Behavior::Create),
        "replace" => Ok(Behavior::Replace),
        "merge" => Ok(Behavior::Merge),
        other => Err(format!("unknown generator behavior `{other}`")),
    }
}

fn merge_maps(old: Option<&KNode>, new: Option<&KNode>, span: Span) -> Option<KNode> {
    if old.is_none() && new.is_none() {
        return None;
    }
    let mut out = old
        .filter(|o| o.is_map())
        .cloned()
        .unwrap_or_else(|| KNode::map(span));
    for (k, v) in new.map(KNode::entries).unwrap_or(&[]) {
        out.set_with_key(k.clone(), v.clone());
    }
    Some(out)
}

/// Adds a generated object, merging it into or replacing an existing one per `behavior`.
fn absorb(
    b: &Builder<'_, '_>,
    kust: &Kust,
    entry: &KNode,
    acc: &mut Acc,
    mut res: KRes,
) -> Result<(), Fail> {
    let id = res.cur_id();
    match (acc.matching(&id).as_slice(), res.behavior) {
        ([], Behavior::Create) => {
            acc.res.push(res);
            Ok(())
        }
        ([], _) => Err(b.fail(
            kust,
            entry.span,
            format!(
                "{} does not exist: nothing to merge or replace",
                id.describe()
            ),
        )),
        ([i], Behavior::Merge | Behavior::Replace) => {
            let old = acc.res[*i].clone();
            let span = res.node.span;
            let at = point(span);
            if let Some(meta) = res.node.map_at("metadata", at) {
                for key in ["labels", "annotations"] {
                    let merged = merge_maps(old.node.path(&["metadata", key]), meta.get(key), at);
                    if let Some(m) = merged {
                        meta.set(key, at, m);
                    }
                }
                if let Some(name) = old.node.path(&["metadata", "name"]) {
                    meta.set("name", at, name.clone());
                }
                match old.node.path(&["metadata", "namespace"]) {
                    Some(ns) => meta.set("namespace", at, ns.clone()),
                    None => {
                        meta.remove("namespace");
                    }
                }
            }
            if res.behavior == Behavior::Merge {
                for key in ["data", "binaryData"] {
                    if let Some(m) = merge_maps(old.node.get(key), res.node.get(key), at) {
                        res.node.set(key, at, m);
                    }
                }
            }
            res.prev = old.prev;
            res.prefixes = old.prefixes;
            res.suffixes = old.suffixes;
            res.ref_vars = old.ref_vars;
            acc.res[*i] = res;
            Ok(())
        }
        ([_], Behavior::Create) => Err(b.fail(
            kust,
            entry.span,
            format!(
                "{} already exists; use `behavior: merge` or `replace`",
                id.describe()
            ),
        )),
        _ => Err(b.fail(
            kust,
            entry.span,
            format!("several objects could take {}", id.describe()),
        )),
    }
}

/// The JSON Kustomize hashes for a generated object's name suffix.
pub(super) fn hash_input(res: &KRes) -> String {
    let value = |key: &str| -> serde_json::Value {
        match res.node.get(key) {
            Some(n) if n.is_map() => n.to_json(),
            Some(n) => match &n.kind {
                KKind::Scalar(s, _) => serde_json::Value::String(s.clone()),
                _ => n.to_json(),
            },
            None => serde_json::Value::String(String::new()),
        }
    };
    let mut m = BTreeMap::new();
    m.insert(
        "kind".to_string(),
        serde_json::Value::String(res.kind().to_string()),
    );
    // Kustomize looks the name up under a key literally named `metadata/name`, so it hashes
    // an empty name; matching its suffixes means doing the same.
    m.insert("name".to_string(), serde_json::Value::String(String::new()));
    m.insert("data".to_string(), value("data"));
    if res.kind() == "Secret" {
        m.insert("type".to_string(), value("type"));
        if res.node.get("stringData").is_some_and(KNode::is_map) {
            m.insert("stringData".to_string(), value("stringData"));
        }
    } else if res.node.get("binaryData").is_some_and(KNode::is_map) {
        m.insert("binaryData".to_string(), value("binaryData"));
    }
    if res.kind() != "ConfigMap" && res.kind() != "Secret" {
        return hash::go_json(&res.node.to_json());
    }
    hash::go_json(&serde_json::Value::Object(m.into_iter().collect()))
}
