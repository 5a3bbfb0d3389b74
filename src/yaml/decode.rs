//! A document as the Kubernetes reader decodes it: merge keys, duplicate keys, JSON names of
//! keys, and the errors that make `kubectl` refuse a document that parses.
//!
//! yaml.v2 decodes a mapping by applying its entries in order into one Go map: a key written
//! twice keeps its last value, and `<<: source` writes every entry of the source at that point
//! (a list of sources is applied last to first, so the first one wins), overwriting what came
//! before and overwritten by what comes after. sigs.k8s.io/yaml then names each key for JSON
//! and encodes the result. [`check`] finds, in one pass over a parsed tree, every error this
//! raises (a tag whose text does not fit, a merge of something else than mappings, a
//! collection, null or too large integer as a key, NaN or infinity as a value, excessive
//! aliasing); [`to_json`] gives the JSON itself.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::resolve::{core_tag, key_text, resolve, Scalar};
use super::tree::{NodeKind, NodeRef, ScalarStyle, Tree};

const MERGE_NEEDS_MAPPINGS: &str =
    "a `<<` merge of something else than a mapping or a list of mappings: kubectl refuses the document";

/// Why the Kubernetes reader refuses a document, and at which node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the node the error is about.
    pub offset: u32,
    /// What is wrong, in the reader's words where it has some.
    pub message: String,
}

impl DecodeError {
    fn at(node: NodeRef<'_>, message: impl Into<String>) -> Self {
        DecodeError {
            offset: node.span().range.start,
            message: message.into(),
        }
    }
}

/// Whether a mapping key is a merge key: a plain, untagged `<<` (or one tagged `!!merge`).
pub(crate) fn is_merge_key(key: NodeRef<'_>) -> bool {
    if !key.tree().may_merge() {
        return false;
    }
    let key = key.resolve();
    match key.scalar() {
        Some(("<<", style)) => match key.tag() {
            None => style == ScalarStyle::Plain,
            Some(tag) => core_tag(tag) == Some("merge"),
        },
        _ => false,
    }
}

/// The mappings a merge key's value brings in, the one that wins first (a list of sources is
/// applied last to first). `None` when the value is not a mapping or a list of mappings.
pub(crate) fn merge_sources(value: NodeRef<'_>) -> Option<Vec<NodeRef<'_>>> {
    let target = value.resolve();
    match &target.node().kind() {
        NodeKind::Mapping { .. } => Some(vec![target]),
        NodeKind::Sequence { .. } if !is_alias(value) => target
            .items()
            .map(|item| item.is_mapping().then_some(item))
            .collect(),
        _ => None,
    }
}

fn is_alias(node: NodeRef<'_>) -> bool {
    matches!(node.node().kind(), NodeKind::Alias { .. })
}

/// The JSON name of a mapping key (`Err` when it has none: a collection, null, a too large
/// integer, a tag that does not fit its text).
pub(crate) fn key_name<'a>(key: NodeRef<'a>) -> Result<Cow<'a, str>, String> {
    let key = key.resolve();
    match &key.node().kind() {
        NodeKind::Scalar { value, style } => {
            key_text(resolve(key.tree().text(*value), *style, key.tag())?)
        }
        NodeKind::Mapping { .. } | NodeKind::Sequence { .. } | NodeKind::Alias { .. } => Err(
            "a mapping or a sequence as a mapping key (which is how a `{{ … }}` template placeholder reads): kubectl refuses the document (invalid map key)"
                .into(),
        ),
    }
}

/// The value a node decodes to, as the JSON `kubectl` sends.
///
/// Aliases are expanded: a document that expands past yaml.v2's aliasing limit (see
/// [`check`]) is an error here too, within a fixed budget.
pub fn to_json(node: NodeRef<'_>) -> Result<Value, DecodeError> {
    let mut seen = std::collections::HashSet::new();
    if let Some(bad) = non_finite_value(node, &mut seen) {
        return Err(non_finite_error(bad));
    }
    let mut budget = JSON_BUDGET;
    json_of(node, &mut budget)
}

/// Most values [`to_json`] decodes: yaml.v2 refuses documents that expand further than this
/// through aliases long before.
const JSON_BUDGET: usize = 4_000_000;

fn json_of(node: NodeRef<'_>, budget: &mut usize) -> Result<Value, DecodeError> {
    *budget = budget
        .checked_sub(1)
        .ok_or_else(|| DecodeError::at(node, "document contains excessive aliasing"))?;
    let node = node.resolve();
    match &node.node().kind() {
        NodeKind::Scalar { value, style } => {
            let scalar = resolve(node.tree().text(*value), *style, node.tag())
                .map_err(|m| DecodeError::at(node, m))?;
            scalar_json(scalar).map_err(|m| DecodeError::at(node, m))
        }
        NodeKind::Sequence { .. } => node
            .items()
            .map(|item| json_of(item, budget))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        NodeKind::Mapping { .. } => {
            let mut map = Map::new();
            write_mapping(node, &mut map, budget)?;
            Ok(Value::Object(map))
        }
        NodeKind::Alias { .. } => Ok(Value::Null),
    }
}

/// Applies a mapping's entries to `map` in order, as yaml.v2 decodes it into a Go map.
fn write_mapping(
    node: NodeRef<'_>,
    map: &mut Map<String, Value>,
    budget: &mut usize,
) -> Result<(), DecodeError> {
    for (key, value) in node.raw_entries() {
        if is_merge_key(key) {
            let sources =
                merge_sources(value).ok_or_else(|| DecodeError::at(value, MERGE_NEEDS_MAPPINGS))?;
            for source in sources.into_iter().rev() {
                write_mapping(source.resolve(), map, budget)?;
            }
            continue;
        }
        let name = key_name(key).map_err(|m| DecodeError::at(key, m))?;
        let value = json_of(value, budget)?;
        map.insert(name.into_owned(), value);
    }
    Ok(())
}

/// A resolved scalar as JSON. Go's encoder writes an integral float without a fraction
/// (`8`, not `8.0`), so the API server reads it as an integer: so does this.
fn scalar_json(scalar: Scalar<'_>) -> Result<Value, String> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::from(i),
        Scalar::Uint(u) => Value::from(u),
        // A NaN or infinity that a later key replaced (one that stays is an error before).
        Scalar::Float(f) if !f.is_finite() => Value::Null,
        Scalar::Float(f) => float_json(f)?,
        Scalar::Str(s) => Value::String(s.into_owned()),
    })
}

fn float_json(f: f64) -> Result<Value, String> {
    if f.is_nan() {
        return Err("json: unsupported value: NaN".into());
    }
    if f.is_infinite() {
        let sign = if f > 0.0 { "+" } else { "-" };
        return Err(format!("json: unsupported value: {sign}Inf"));
    }
    // What the API server reads is the text Go writes: parse it as JSON does.
    match go_integer_text(f) {
        Some(text) => Ok(serde_json::from_str(&text).unwrap_or(Value::Null)),
        None => Ok(Number::from_f64(f).map_or(Value::Null, Value::Number)),
    }
}

/// How Go's JSON encoder writes an integral float below 1e21: its shortest digits, padded
/// with zeros, no fraction (`8`, `-9223372036854776000`). `None` for other floats.
fn go_integer_text(f: f64) -> Option<String> {
    if f.fract() != 0.0 || f.abs() >= 1e21 {
        return None;
    }
    if f == 0.0 {
        return Some("0".into());
    }
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: usize = exponent.parse().ok()?;
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let zeros = (exponent + 1).checked_sub(digits.len())?;
    let sign = if f < 0.0 { "-" } else { "" };
    Some(format!("{sign}{digits}{}", "0".repeat(zeros)))
}

/// The integer a float reaches the API server as, when it is one (Go writes integral floats
/// below 1e21 without fraction or exponent, so `1.0` is `1`).
pub(crate) fn integral(f: f64) -> Option<i64> {
    go_integer_text(f)?.parse().ok()
}

/// What yaml.v2 counts while decoding a document: every node decoded, and those decoded
/// through an alias. It refuses a document where the second grows too large a share of the
/// first ("document contains excessive aliasing"), so an alias bomb costs it little.
#[derive(Default)]
struct Counts {
    decoded: u64,
    aliased: u64,
}

impl Counts {
    /// yaml.v2's limit: 99% of the decodes may come from aliases in documents up to 400,000
    /// decodes, scaling down to 10% at 4,000,000.
    fn excessive(&self) -> bool {
        const LOW: f64 = 400_000.0;
        const HIGH: f64 = 4_000_000.0;
        let decoded = self.decoded as f64;
        let allowed = if decoded <= LOW {
            0.99
        } else if decoded >= HIGH {
            0.10
        } else {
            0.99 - 0.89 * ((decoded - LOW) / (HIGH - LOW))
        };
        self.aliased > 100 && self.decoded > 1000 && self.aliased as f64 / decoded > allowed
    }
}

/// Finds the first error the Kubernetes reader raises on a parsed document, in one pass over
/// its nodes (aliases are not expanded: their cost is counted from each anchor's size).
pub(crate) fn check(tree: &Tree) -> Result<(), DecodeError> {
    // Without aliases nothing is decoded twice: no sizes to count.
    let sizes = if tree.has_aliases() {
        expanded_sizes(tree)
    } else {
        Vec::new()
    };
    let mut counts = Counts {
        decoded: 1, // the document node
        aliased: 0,
    };
    let mut checker = Checker {
        sizes: &sizes,
        counts: &mut counts,
        non_finite: false,
    };
    checker.node(tree.node(tree.root))?;
    if checker.non_finite {
        // JSON cannot hold NaN or an infinity: an error if one is in what the document
        // decodes to (not if a later duplicate key or a merge replaced it).
        let mut seen = std::collections::HashSet::new();
        if let Some(node) = non_finite_value(tree.root(), &mut seen) {
            return Err(non_finite_error(node));
        }
    }
    Ok(())
}

/// JSON's refusal of a NaN or infinity (what `kubectl` prints).
fn non_finite_error(node: NodeRef<'_>) -> DecodeError {
    let f = match node.resolved() {
        Some(Scalar::Float(f)) => f,
        _ => f64::NAN,
    };
    DecodeError::at(node, float_json(f).err().unwrap_or_default())
}

/// The first NaN or infinity in the value a node decodes to (each node looked at once).
fn non_finite_value<'a>(
    node: NodeRef<'a>,
    seen: &mut std::collections::HashSet<super::NodeId>,
) -> Option<NodeRef<'a>> {
    let node = node.resolve();
    if !seen.insert(node.id()) {
        return None;
    }
    match &node.node().kind() {
        NodeKind::Scalar { .. } => {
            matches!(node.resolved(), Some(Scalar::Float(f)) if !f.is_finite()).then_some(node)
        }
        NodeKind::Sequence { .. } => node.items().find_map(|i| non_finite_value(i, seen)),
        NodeKind::Mapping { .. } => node
            .entries()
            .find_map(|(_, value)| non_finite_value(value, seen)),
        NodeKind::Alias { .. } => None,
    }
}

/// How many decodes each node costs yaml.v2 with aliases expanded. Children and anchors are
/// completed (so numbered) before the nodes that hold or refer to them: one forward pass.
fn expanded_sizes(tree: &Tree) -> Vec<u64> {
    let mut sizes: Vec<u64> = Vec::with_capacity(tree.len());
    for node in &tree.nodes {
        let size_of = |id: super::NodeId| sizes.get(id.0 as usize).copied().unwrap_or(1);
        let size = match &node.kind() {
            NodeKind::Scalar { .. } => 1,
            NodeKind::Alias { target } => 1 + size_of(*target),
            NodeKind::Sequence { items, .. } => {
                1 + tree
                    .items(*items)
                    .iter()
                    .map(|&i| size_of(i))
                    .fold(0, u64::saturating_add)
            }
            NodeKind::Mapping { entries, .. } => {
                1 + tree
                    .entries(*entries)
                    .iter()
                    .map(|e| {
                        let key = tree.node(e.key);
                        if is_merge_key(key) {
                            merge_cost(tree.node(e.value), &size_of)
                        } else {
                            size_of(e.key).saturating_add(size_of(e.value))
                        }
                    })
                    .fold(0, u64::saturating_add)
            }
        };
        sizes.push(size);
    }
    sizes
}

/// A merge decodes its source (a mapping or an alias), or each item of a list of sources.
fn merge_cost(value: NodeRef<'_>, size_of: &dyn Fn(super::NodeId) -> u64) -> u64 {
    match &value.node().kind() {
        NodeKind::Sequence { items, .. } => value
            .tree()
            .items(*items)
            .iter()
            .map(|&i| size_of(i))
            .fold(0, u64::saturating_add),
        _ => size_of(value.id()),
    }
}

struct Checker<'s> {
    sizes: &'s [u64],
    counts: &'s mut Counts,
    /// Whether a scalar is NaN or an infinity (an error only if it survives in the value).
    non_finite: bool,
}

impl Checker<'_> {
    fn node(&mut self, node: NodeRef<'_>) -> Result<(), DecodeError> {
        match &node.node().kind() {
            NodeKind::Alias { target } => self.alias(node, *target),
            NodeKind::Scalar { value, style } => {
                self.counts.decoded += 1;
                // Only a tag can fail, and only `.nan`, `.inf`, `±.inf` (or a tag) are not
                // finite: other scalars need no resolving here.
                let value = node.tree().text(*value);
                let tag = node.tag();
                let plain = *style == ScalarStyle::Plain;
                if tag.is_none() && !(plain && value.starts_with(['.', '+', '-'])) {
                    return Ok(());
                }
                let scalar = resolve(value, *style, tag).map_err(|m| DecodeError::at(node, m))?;
                self.non_finite |= matches!(scalar, Scalar::Float(f) if !f.is_finite());
                Ok(())
            }
            NodeKind::Sequence { items, .. } => {
                self.counts.decoded += 1;
                node.tree()
                    .items(*items)
                    .iter()
                    .try_for_each(|&i| self.node(node.tree().node(i)))
            }
            NodeKind::Mapping { entries, .. } => {
                self.counts.decoded += 1;
                for entry in node.tree().entries(*entries) {
                    let (key, value) = (node.tree().node(entry.key), node.tree().node(entry.value));
                    if is_merge_key(key) {
                        self.merge(value)?;
                    } else {
                        self.key(key)?;
                        self.node(value)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// An alias decodes its anchor's node again: counted, not walked (the anchor was).
    fn alias(&mut self, node: NodeRef<'_>, target: super::NodeId) -> Result<(), DecodeError> {
        let size = self.sizes.get(target.0 as usize).copied().unwrap_or(1);
        self.counts.decoded = self.counts.decoded.saturating_add(1 + size);
        self.counts.aliased = self.counts.aliased.saturating_add(size);
        if self.counts.excessive() {
            return Err(DecodeError::at(
                node,
                "document contains excessive aliasing",
            ));
        }
        Ok(())
    }

    fn key(&mut self, key: NodeRef<'_>) -> Result<(), DecodeError> {
        if let Some((value, style)) = key.scalar() {
            self.counts.decoded += 1;
            // Only a tag, or a plain key that may be null or a too large integer, can fail.
            let tag = key.tag();
            let may_fail = tag.is_some()
                || (style == ScalarStyle::Plain
                    && value
                        .bytes()
                        .next()
                        .map_or(true, |b| b"~nN+0123456789".contains(&b)));
            if !may_fail {
                return Ok(());
            }
            let scalar = resolve(value, style, tag).map_err(|m| DecodeError::at(key, m))?;
            return key_text(scalar)
                .map(drop)
                .map_err(|m| DecodeError::at(key, m));
        }
        key_name(key).map_err(|m| DecodeError::at(key, m))?;
        self.node(key)
    }

    fn merge(&mut self, value: NodeRef<'_>) -> Result<(), DecodeError> {
        if merge_sources(value).is_none() {
            return Err(DecodeError::at(value, MERGE_NEEDS_MAPPINGS));
        }
        match &value.node().kind() {
            // The list itself is not decoded, its items are.
            NodeKind::Sequence { items, .. } => value
                .tree()
                .items(*items)
                .iter()
                .try_for_each(|&i| self.node(value.tree().node(i))),
            _ => self.node(value),
        }
    }
}
