//! An owned, editable YAML node that remembers where every value came from.
//!
//! Building a Kustomize overlay copies nodes out of several parsed files (bases, patches, the
//! kustomization itself) and edits them. [`KNode`] is that editable form: each node keeps the
//! [`Span`] (file and bytes) it was copied from, or the span of the kustomization line that set
//! it, so the [`Tree`] built from the result points every finding at the line to edit.

use serde_json::Value;

use crate::text::TextRange;
use crate::yaml::{Arena, Entry, NewNode, NodeId, NodeKind, NodeRef, ScalarStyle, Span, Tag, Tree};

/// Most nodes one document may expand to once aliases are copied: an "alias bomb" stops here
/// instead of exhausting memory.
pub const MAX_NODES: usize = 1_000_000;

/// What a [`KNode`] holds. Aliases are copied out, so there are none.
#[derive(Clone, Debug)]
pub(crate) enum KKind {
    Scalar(String, ScalarStyle),
    Seq(Vec<KNode>),
    Map(Vec<(KNode, KNode)>),
}

/// A YAML node copied out of its tree to be edited by a build, keeping its origin.
///
/// Outside the crate it is only read: [`KNode::from_ref`] copies a node, [`KNode::to_json`]
/// gives its value (as the Kustomize oracle test compares builds).
#[derive(Clone, Debug)]
pub struct KNode {
    pub(crate) kind: KKind,
    /// Where the value came from: the base, the patch or the kustomization line that set it.
    pub(crate) span: Span,
    /// An explicit tag (`!!str`), kept for the value's JSON reading.
    pub(crate) tag: Option<Box<str>>,
    /// Written in flow style (`{}` / `[]`) in the source.
    pub(crate) flow: bool,
}

impl KNode {
    /// Copies a whole document out of its tree, within the [`MAX_NODES`] budget.
    pub(crate) fn from_tree(tree: &Tree) -> Result<KNode, String> {
        let mut budget = MAX_NODES;
        KNode::from_ref(tree.root(), &mut budget)
    }

    /// Copies `node` (following aliases) out of its tree. Fails past [`MAX_NODES`].
    pub fn from_ref(node: NodeRef<'_>, budget: &mut usize) -> Result<KNode, String> {
        if *budget == 0 {
            return Err(format!(
                "document expands to more than {MAX_NODES} nodes (alias bomb?)"
            ));
        }
        *budget -= 1;
        let node = node.resolve();
        let raw = node.node();
        // Collections are sized from the written node up front: collecting through `Result`
        // would start them empty and grow them entry by entry.
        let kind = match &raw.kind() {
            NodeKind::Scalar { value, style } => {
                KKind::Scalar(node.tree().text(*value).to_string(), *style)
            }
            NodeKind::Sequence { items, .. } => {
                let mut out = Vec::with_capacity(node.tree().items(*items).len());
                for item in node.items() {
                    out.push(KNode::from_ref(item, budget)?);
                }
                KKind::Seq(out)
            }
            NodeKind::Mapping { entries, .. } => {
                // The written entries: merge keys may add more, duplicate keys fewer.
                let mut out = Vec::with_capacity(node.tree().entries(*entries).len());
                for (k, v) in node.entries() {
                    out.push((KNode::from_ref(k, budget)?, KNode::from_ref(v, budget)?));
                }
                KKind::Map(out)
            }
            // `resolve` never returns an alias.
            NodeKind::Alias { .. } => KKind::Scalar(String::new(), ScalarStyle::Plain),
        };
        Ok(KNode {
            kind,
            span: node.span(),
            tag: node.tag().map(Into::into),
            flow: node.is_flow(),
        })
    }

    /// Whether this node and everything under it number more than `limit` nodes (counting
    /// stops there).
    pub(crate) fn exceeds(&self, limit: usize) -> bool {
        let mut count = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            count += 1;
            if count > limit {
                return true;
            }
            match &node.kind {
                KKind::Scalar(..) => {}
                KKind::Seq(items) => stack.extend(items),
                KKind::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            }
        }
        false
    }

    /// A string scalar, quoted when a plain scalar would read as something else.
    pub(crate) fn string(value: &str, span: Span) -> KNode {
        let style = if plain_is_string(value) {
            ScalarStyle::Plain
        } else {
            ScalarStyle::DoubleQuoted
        };
        KNode {
            kind: KKind::Scalar(value.to_string(), style),
            span,
            tag: None,
            flow: false,
        }
    }

    /// A plain scalar written as is (numbers, booleans).
    pub(crate) fn plain(value: &str, span: Span) -> KNode {
        KNode {
            kind: KKind::Scalar(value.to_string(), ScalarStyle::Plain),
            span,
            tag: None,
            flow: false,
        }
    }

    pub(crate) fn map(span: Span) -> KNode {
        KNode {
            kind: KKind::Map(Vec::new()),
            span,
            tag: None,
            flow: false,
        }
    }

    pub(crate) fn is_map(&self) -> bool {
        matches!(self.kind, KKind::Map(_))
    }

    pub(crate) fn is_seq(&self) -> bool {
        matches!(self.kind, KKind::Seq(_))
    }

    /// `~`, `null`, or an empty plain scalar.
    pub(crate) fn is_null(&self) -> bool {
        match &self.kind {
            KKind::Scalar(v, ScalarStyle::Plain) => {
                self.tag
                    .as_deref()
                    .map_or(true, |t| t == "!!null" || t == "tag:yaml.org,2002:null")
                    && matches!(v.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    /// The scalar's text (not for null).
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            KKind::Scalar(v, _) if !self.is_null() => Some(v),
            _ => None,
        }
    }

    pub(crate) fn entries(&self) -> &[(KNode, KNode)] {
        match &self.kind {
            KKind::Map(e) => e,
            _ => &[],
        }
    }

    pub(crate) fn items(&self) -> &[KNode] {
        match &self.kind {
            KKind::Seq(i) => i,
            _ => &[],
        }
    }

    pub(crate) fn items_mut(&mut self) -> Option<&mut Vec<KNode>> {
        match &mut self.kind {
            KKind::Seq(i) => Some(i),
            _ => None,
        }
    }

    pub(crate) fn entries_mut(&mut self) -> Option<&mut Vec<(KNode, KNode)>> {
        match &mut self.kind {
            KKind::Map(e) => Some(e),
            _ => None,
        }
    }

    /// The value under `key` (the last one with duplicate keys, as Kubernetes decodes).
    pub(crate) fn get(&self, key: &str) -> Option<&KNode> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.key_is(key))
            .map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut KNode> {
        self.entries_mut()?
            .iter_mut()
            .rev()
            .find(|(k, _)| k.key_is(key))
            .map(|(_, v)| v)
    }

    fn key_is(&self, key: &str) -> bool {
        matches!(&self.kind, KKind::Scalar(v, _) if v == key)
    }

    pub(crate) fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(KNode::as_str)
    }

    pub(crate) fn path(&self, keys: &[&str]) -> Option<&KNode> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Sets `key` to `value`: replaces the value in place (keeping the key node) or appends.
    pub(crate) fn set(&mut self, key: &str, key_span: Span, value: KNode) {
        if let Some(slot) = self.get_mut(key) {
            *slot = value;
            return;
        }
        if let Some(entries) = self.entries_mut() {
            entries.push((KNode::string(key, key_span), value));
        }
    }

    /// Sets `key` with an explicit key node (kept when the key is new).
    pub(crate) fn set_with_key(&mut self, key: KNode, value: KNode) {
        let name = key.as_str().unwrap_or_default().to_string();
        if let Some(slot) = self.get_mut(&name) {
            *slot = value;
            return;
        }
        if let Some(entries) = self.entries_mut() {
            entries.push((key, value));
        }
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<KNode> {
        let entries = self.entries_mut()?;
        let index = entries.iter().rposition(|(k, _)| k.key_is(key))?;
        Some(entries.remove(index).1)
    }

    /// The mapping under `key`, created (with `span`) when missing or null.
    pub(crate) fn map_at(&mut self, key: &str, span: Span) -> Option<&mut KNode> {
        if !self.is_map() {
            return None;
        }
        let needs = self.get(key).map_or(true, |v| v.is_null());
        if needs {
            let mut value = KNode::map(span);
            if let Some(old) = self.get(key) {
                value.span = old.span;
            }
            self.set(key, span, value);
        }
        self.get_mut(key).filter(|v| v.is_map())
    }

    /// Replaces every span with `f(span)` (used for text parsed out of a block scalar).
    pub(crate) fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.kind {
            KKind::Scalar(..) => {}
            KKind::Seq(items) => items.iter_mut().for_each(|i| i.map_spans(f)),
            KKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.map_spans(f);
                v.map_spans(f);
            }),
        }
    }

    /// The flat, spanned tree checks read. It takes the node: its strings move into the
    /// tree instead of being copied, and nothing is left to free.
    pub(crate) fn into_tree(self) -> Tree {
        let mut nodes = Vec::new();
        let mut arena = Arena::default();
        let root = push_node(self, &mut nodes, &mut arena);
        Tree::from_nodes(&mut nodes, &mut arena, root)
    }

    /// The value as JSON, resolving plain scalars the way Kubernetes' YAML decoder does.
    pub fn to_json(&self) -> Value {
        match &self.kind {
            KKind::Scalar(v, style) => scalar_json(v, *style, self.tag.as_deref()),
            KKind::Seq(items) => Value::Array(items.iter().map(KNode::to_json).collect()),
            KKind::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    let key = match &k.kind {
                        KKind::Scalar(s, _) => s.clone(),
                        _ => k.to_json().to_string(),
                    };
                    map.insert(key, v.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

fn push_node(node: KNode, nodes: &mut Vec<NewNode>, arena: &mut Arena) -> NodeId {
    let kind = match node.kind {
        KKind::Scalar(v, style) => NodeKind::Scalar {
            value: arena.add(&v),
            style,
        },
        KKind::Seq(items) => {
            let items: Vec<NodeId> = items
                .into_iter()
                .map(|i| push_node(i, nodes, arena))
                .collect();
            NodeKind::Sequence {
                items: arena.items(&items),
                flow: node.flow,
            }
        }
        KKind::Map(entries) => {
            let entries: Vec<Entry> = entries
                .into_iter()
                .map(|(k, v)| Entry {
                    key: push_node(k, nodes, arena),
                    value: push_node(v, nodes, arena),
                })
                .collect();
            NodeKind::Mapping {
                entries: arena.entries(&entries),
                flow: node.flow,
            }
        }
    };
    let tag = node.tag.as_deref().map(|t| Tag::new(arena, t));
    nodes.push(NewNode {
        kind,
        span: node.span,
        tag,
    });
    NodeId(nodes.len() as u32 - 1)
}

/// Whether a plain scalar with this text is a string (not null, a boolean or a number).
pub(crate) fn plain_is_string(value: &str) -> bool {
    !value.is_empty()
        && value.trim() == value
        && matches!(plain_value(value), Plain::Str)
        && !value.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.contains('\n')
        && !matches!(
            value,
            "yes"
                | "no"
                | "on"
                | "off"
                | "y"
                | "n"
                | "Yes"
                | "No"
                | "On"
                | "Off"
                | "YES"
                | "NO"
                | "ON"
                | "OFF"
                | "Y"
                | "N"
        )
}

/// JSON value of a scalar: quoted and block scalars are arena; plain ones are resolved.
pub(crate) fn scalar_json(value: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if let Some(tag) = tag {
        let tag = tag
            .trim_start_matches("tag:yaml.org,2002:")
            .trim_start_matches("!!");
        if tag == "str" {
            return Value::String(value.to_string());
        }
    }
    if style != ScalarStyle::Plain {
        return Value::String(value.to_string());
    }
    match plain_value(value) {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(n) => Value::from(n),
        Plain::Float(n) => Value::Number(n),
        Plain::Str => Value::String(value.to_string()),
    }
}

/// What an untagged plain scalar resolves to.
enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Float(serde_json::Number),
    Str,
}

/// Resolves an untagged plain scalar without building a JSON value: [`KNode::string`] asks
/// this of every name a build sets, and only needs to know whether it reads as a string.
fn plain_value(value: &str) -> Plain {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_int(value) {
        return Plain::Int(n);
    }
    if looks_like_float(value) {
        if let Ok(f) = value.parse::<f64>() {
            if let Some(n) = serde_json::Number::from_f64(f) {
                return Plain::Float(n);
            }
        }
    }
    Plain::Str
}

fn parse_int(value: &str) -> Option<i64> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value.strip_prefix('+').unwrap_or(value)),
    };
    if digits.is_empty() {
        return None;
    }
    let parsed = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        // YAML 1.1 octal (`0755`), as Kubernetes' decoder reads file modes.
        i64::from_str_radix(&digits[1..], 8).ok()
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        None
    }?;
    Some(if negative { -parsed } else { parsed })
}

fn looks_like_float(value: &str) -> bool {
    let body = value.trim_start_matches(['-', '+']);
    !body.is_empty()
        && body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
}

/// An empty span at the start of `span` (for values derived from it).
pub(crate) fn point(span: Span) -> Span {
    Span::new(span.file, TextRange::empty(span.range.start))
}

/// The first document of `text`, for unit tests of the builders.
#[cfg(test)]
pub(crate) fn parse_first(text: &str) -> KNode {
    let stream = crate::yaml::parse_stream(
        text,
        crate::yaml::FileId(0),
        &crate::text::LineIndex::new(text),
    );
    KNode::from_tree(&stream.documents[0].tree).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;
    use crate::yaml::{parse_stream, FileId};

    #[test]
    fn round_trips_spans_through_the_tree() {
        let text = "a: &x {b: 1}\nc: *x\nd: [\"2\", yes]\n";
        let stream = parse_stream(text, FileId(3), &LineIndex::new(text));
        let mut budget = MAX_NODES;
        let node = KNode::from_ref(stream.documents[0].tree.root(), &mut budget).unwrap();
        let tree = node.clone().into_tree();
        let c = tree.root().path(&["c", "b"]).unwrap();
        assert_eq!(&text[c.span().range.to_range()], "1");
        assert_eq!(c.span().file, FileId(3));
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": {"b": 1}, "c": {"b": 1}, "d": ["2", "yes"]})
        );
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        // The reader refuses it (yaml.v2's aliasing limit) before a build could copy it.
        let stream = parse_stream(&text, FileId(0), &LineIndex::new(&text));
        assert!(stream.documents.is_empty());
        assert!(stream.error.unwrap().message.contains("excessive aliasing"));
    }

    #[test]
    fn arena_that_read_as_other_types_are_quoted() {
        let span = Span::new(FileId(0), TextRange::empty(0));
        for (value, quoted) in [
            ("web", false),
            ("true", true),
            ("8080", true),
            ("yes", true),
            ("", true),
            ("a: b", true),
        ] {
            let node = KNode::string(value, span);
            assert_eq!(
                matches!(node.kind, KKind::Scalar(_, ScalarStyle::DoubleQuoted)),
                quoted,
                "{value}"
            );
            assert_eq!(node.to_json(), Value::String(value.to_string()));
        }
    }
}
