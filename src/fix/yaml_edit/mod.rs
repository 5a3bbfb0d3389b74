//! YAML-aware edit helpers: the smallest byte edits that set, add, remove or rename something
//! in a manifest, keeping every comment, blank line, key order, quoting style, indentation and
//! line ending of the original.
//!
//! yaml-rust2 drops comments, so re-emitting YAML from the tree would lose them: these helpers
//! never serialize a document. They read the spanned tree to find *where* to edit and the
//! source text to learn *how* the file is written (its indentation step, whether sequences are
//! indented under their key, CRLF, JSON or YAML), and return [`Edit`]s for exactly the bytes
//! that change.
//!
//! The node a check passes in may belong to a tree a Kustomize build put together: the helpers
//! find the node of the file's own parse with the same bytes and edit that, and only when the
//! build and the file agree on everything the edit reads (see `super::resolve`); an overlay
//! that removed, replaced or added what the edit touches makes the finding the overlay's, and
//! the fix is withheld.
//!
//! Nothing is edited in rendered Helm output: it is not the file to change.
//!
//! Every helper returns `None` when it cannot edit safely, and the fix is then withheld rather
//! than risked: a value behind an alias or anchor (editing it would change every place that
//! refers to it), a tagged or block scalar, duplicate keys, tabs in indentation, a layout it
//! does not recognise. `None` is also returned when nothing needs to change.
//!
//! A check reaches the helpers through [`crate::checks::Sink::edit`]:
//!
//! ```ignore
//! let fix = sink.edit().replace(value, false);
//! sink.report(resource, value, message)
//!     .with_fix(Applicability::Unsafe, "set `privileged: false`", fix);
//! ```
//!
//! The public face is [`Editor`] and [`Value`] (here); the work is done by `Doc`, one source
//! file being edited, whose methods are filed by what they do:
//! - `set`: follow a path to a key, replace a scalar, fill a null, rename a key;
//! - `insert`: add an entry to a block mapping or an item to a block sequence;
//! - `flow`: the same in a flow collection (`{…}`, `[…]`) and where one really ends;
//! - `remove`: delete an entry;
//! - `scalar`: how a value, key or string is written (plain or quoted);
//! - `layout`: how the file is written (indentation step, line ends, columns).

mod flow;
mod insert;
mod layout;
mod remove;
mod scalar;
mod set;

use super::resolve::{agree, FileTrees};
use super::Edit;
use crate::source::{Origin, SourceFile, Sources};
use crate::text::TextRange;
use crate::yaml::{FileId, NodeKind, NodeRef, ScalarStyle, Tree};

/// A value to write: what a fix sets, inserts or appends.
///
/// Strings are written plain when YAML would read them back as the same string, else double
/// quoted (always double quoted in JSON files), so `"true"` or `"1.0"` never silently change
/// type. Mappings and sequences are written in the style of the place they go: block lines in
/// block context, `{k: v}` / `[a, b]` in flow context and JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// An integer, written plain.
    Int(i64),
    /// A string, quoted only when it must be.
    Str(String),
    /// A mapping, entries in order.
    Map(Vec<(String, Value)>),
    /// A sequence, items in order.
    Seq(Vec<Value>),
}

impl Value {
    /// A mapping from `(key, value)` pairs, in order.
    pub fn map<K: Into<String>, V: Into<Value>>(entries: impl IntoIterator<Item = (K, V)>) -> Self {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// A sequence of items, in order.
    pub fn seq<V: Into<Value>>(items: impl IntoIterator<Item = V>) -> Self {
        Value::Seq(items.into_iter().map(Into::into).collect())
    }

    fn is_collection(&self) -> bool {
        matches!(self, Value::Map(_) | Value::Seq(_))
    }

    fn is_empty_collection(&self) -> bool {
        match self {
            Value::Map(entries) => entries.is_empty(),
            Value::Seq(items) => items.is_empty(),
            _ => false,
        }
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Str(value.to_string())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Str(value)
    }
}

/// Computes edits against the source files of a workspace. Cheap to copy.
#[derive(Clone, Copy, Default)]
pub struct Editor<'a> {
    sources: Option<&'a Sources>,
    /// Whether the edits' new text is written: `false` for [`Editor::locating`].
    writes: bool,
}

impl<'a> Editor<'a> {
    /// An editor for the files of `sources`.
    pub fn new(sources: &'a Sources) -> Self {
        Editor {
            sources: Some(sources),
            writes: true,
        }
    }

    /// An editor that finds where each edit goes, and so whether the fix can be made (every
    /// helper returns `Some` and `None` exactly as [`Editor::new`]'s, with edits at the same
    /// places), without writing out new block entries, block items and flow values: their
    /// edits' replacements are left short.
    /// For a lint whose outputs print no edits (the pipeline then drops them, see
    /// [`Fix::edits`](crate::fix::Fix::edits)).
    pub fn locating(sources: &'a Sources) -> Self {
        Editor {
            sources: Some(sources),
            writes: false,
        }
    }

    /// An editor without sources: every helper returns `None` (no fix). For checks run
    /// without the texts they came from, as in a check's own unit tests.
    pub fn detached() -> Self {
        Editor {
            sources: None,
            writes: true,
        }
    }

    /// The texts of the run (`None` for a detached editor), for a check whose fix depends on
    /// more than the object: say, whether a kustomization may build the file.
    pub fn sources(&self) -> Option<&'a Sources> {
        self.sources
    }

    /// Replaces a scalar's value, keeping its quoting style where it matters: a quoted string
    /// stays quoted the same way (`"extensions/v1beta1"` → `"apps/v1"`), a boolean or number is
    /// written plain. Withheld for block scalars, tagged scalars, and anchored values.
    pub fn replace(&self, node: NodeRef<'_>, value: impl Into<Value>) -> Option<Vec<Edit>> {
        let value = value.into();
        self.in_file(node, &[&[]], |doc, node| doc.replace_scalar(node, &value))
    }

    /// Sets `key: value` in `mapping`: replaces the value when the key is there, else inserts a
    /// new entry after the mapping's last one, indented like its siblings.
    pub fn set(
        &self,
        mapping: NodeRef<'_>,
        key: &str,
        value: impl Into<Value>,
    ) -> Option<Vec<Edit>> {
        self.set_path(mapping, &[key], value)
    }

    /// Sets the value at `path` under `mapping`, creating the mappings that are missing:
    /// `set_path(container, &["securityContext", "allowPrivilegeEscalation"], false)` works
    /// whether the container has a `securityContext` (block, flow or empty) or not.
    pub fn set_path(
        &self,
        mapping: NodeRef<'_>,
        path: &[&str],
        value: impl Into<Value>,
    ) -> Option<Vec<Edit>> {
        let value = value.into();
        self.in_file(mapping, &[path], |doc, mapping| {
            doc.walk(mapping, path, &value, |doc, parent, key, current| {
                doc.set_value(parent, key, current, &value)
            })
        })
    }

    /// Appends `item` to a sequence, block (`- ALL`) or flow (`[NET_RAW]` → `[NET_RAW, ALL]`).
    pub fn push_item(&self, sequence: NodeRef<'_>, item: impl Into<Value>) -> Option<Vec<Edit>> {
        let item = item.into();
        self.in_file(sequence, &[&[]], |doc, sequence| {
            doc.push_item(sequence, &item)
        })
    }

    /// Makes the sequence at `path` under `mapping` contain `item`: appended when the sequence
    /// exists, else the sequence (and any missing parent mapping) is created. `None` when the
    /// item is already there. `ensure_item(container, &["securityContext", "capabilities",
    /// "drop"], "ALL")` is the whole "drop ALL" fix.
    pub fn ensure_item(
        &self,
        mapping: NodeRef<'_>,
        path: &[&str],
        item: impl Into<Value>,
    ) -> Option<Vec<Edit>> {
        let item = item.into();
        let whole = Value::Seq(vec![item.clone()]);
        self.in_file(mapping, &[path], |doc, mapping| {
            doc.walk(
                mapping,
                path,
                &whole,
                |doc, parent, key, current| match &current.node().kind() {
                    NodeKind::Sequence { .. } => {
                        if current.items().any(|i| same_scalar(i, &item)) {
                            None
                        } else {
                            doc.push_item(current, &item)
                        }
                    }
                    _ => doc.set_value(parent, key, current, &whole),
                },
            )
        })
    }

    /// Removes `key` and its value from `mapping`: the whole line(s) of a block entry, with the
    /// comment on its line; `, key: value` in a flow mapping.
    pub fn remove(&self, mapping: NodeRef<'_>, key: &str) -> Option<Vec<Edit>> {
        self.in_file(mapping, &[&[key]], |doc, mapping| doc.remove(mapping, key))
    }

    /// Renames `old` to `new` in `mapping`, keeping the key's quoting style. Withheld when
    /// `new` is already there (the result would have a duplicate key).
    pub fn rename_key(&self, mapping: NodeRef<'_>, old: &str, new: &str) -> Option<Vec<Edit>> {
        self.in_file(mapping, &[&[old], &[new]], |doc, mapping| {
            doc.rename_key(mapping, old, new)
        })
    }

    /// Runs `edit` on the node of the file's own parse that `node` stands for (see
    /// [`super::resolve`]), once the tree `node` is in and the file agree along each of
    /// `paths`. `None` (no fix) when they do not: the finding then depends on more than the
    /// file, as in a Kustomize build whose overlay changed what the edit would read.
    fn in_file(
        &self,
        node: NodeRef<'_>,
        paths: &[&[&str]],
        edit: impl FnOnce(&Doc<'_, '_>, NodeRef<'_>) -> Option<Vec<Edit>>,
    ) -> Option<Vec<Edit>> {
        let file = node.span().file;
        let sources = self.sources?;
        if file.0 as usize >= sources.len() {
            return None;
        }
        let source = sources.get(file);
        let text = source.text.as_str();
        // Rendered Helm output is not a file anyone edits (`fix_workspace` never writes it): a
        // fix there would only be a promise `--fix` does not keep. The template is what to fix.
        if node.span().range.end as usize > text.len() || source.origin == Origin::Rendered {
            return None;
        }
        // A tree parsed from this very file is the file's own parse: edit it directly. Only a
        // tree a build assembled needs the file parsed on its own to be compared with.
        let trees;
        let found = if node.tree().parsed_from() == Some(file) {
            node
        } else {
            trees = FileTrees::of(sources.id(), source, file);
            let found = trees.find(node)?;
            if !paths.iter().all(|path| agree(node, found, path)) {
                return None;
            }
            found
        };
        let body = text.trim_start_matches('\u{feff}').trim_start();
        let doc = Doc {
            text,
            source,
            file,
            tree: found.tree(),
            json: body.starts_with('{') || body.starts_with('['),
            writes: self.writes,
        };
        edit(&doc, found)
    }
}

/// How the document being edited is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    /// Columns a nested mapping is indented by.
    step: usize,
    /// Columns a block sequence's `-` is indented by under its key (0: `key:\n- item`).
    seq_offset: usize,
}

/// One source file and the tree being edited in it.
struct Doc<'s, 't> {
    text: &'s str,
    source: &'s SourceFile,
    file: FileId,
    tree: &'t Tree,
    /// The file is JSON: keys and strings are written double quoted, collections in flow style.
    json: bool,
    /// Whether new values are written out (see [`Editor::locating`]).
    writes: bool,
}

type Pair<'t> = (NodeRef<'t>, NodeRef<'t>);

impl<'t> Doc<'_, 't> {
    /// `key`'s entry among `mapping`'s own entries (merge keys are not followed: editing a
    /// merged value would edit its anchor). `None` for a node that is not a mapping, or with
    /// duplicate keys; `Some(None)` when the key is absent.
    fn own_entry(&self, mapping: NodeRef<'t>, key: &str) -> Option<Option<Pair<'t>>> {
        if !self.in_file(mapping) {
            return None;
        }
        let NodeKind::Mapping { entries, .. } = &mapping.node().kind() else {
            return None;
        };
        let mut found = None;
        for entry in self.tree.entries(*entries) {
            let k = self.tree.node(entry.key);
            if k.as_scalar().is_some_and(|(text, _)| text == key) {
                if found.is_some() {
                    return None;
                }
                found = Some((k, self.tree.node(entry.value)));
            }
        }
        Some(found)
    }

    /// Every entry of a mapping (none for another node), merge keys and duplicates included.
    fn raw_entries(
        &self,
        mapping: NodeRef<'t>,
    ) -> impl DoubleEndedIterator<Item = Pair<'t>> + ExactSizeIterator + 't {
        let tree = self.tree;
        let entries = match &mapping.node().kind() {
            NodeKind::Mapping { entries, .. } => tree.entries(*entries),
            _ => &[],
        };
        entries
            .iter()
            .map(move |e| (tree.node(e.key), tree.node(e.value)))
    }

    /// Every item of a sequence (none for another node).
    fn raw_items(
        &self,
        sequence: NodeRef<'t>,
    ) -> impl DoubleEndedIterator<Item = NodeRef<'t>> + ExactSizeIterator + 't {
        let tree = self.tree;
        let items = match &sequence.node().kind() {
            NodeKind::Sequence { items, .. } => tree.items(*items),
            _ => &[],
        };
        items.iter().map(move |&i| tree.node(i))
    }

    // ---- safety ----------------------------------------------------------------------------

    /// Whether `node` is in this file, within its text.
    fn in_file(&self, node: NodeRef<'_>) -> bool {
        node.span().file == self.file && node.span().range.end as usize <= self.text.len()
    }

    /// Spans of the nodes some alias refers to.
    fn anchored(&self) -> impl Iterator<Item = TextRange> + '_ {
        // Asked on every edit: a tree without aliases is not walked.
        let nodes = if self.tree.has_aliases() {
            &self.tree.nodes[..]
        } else {
            &[]
        };
        nodes.iter().filter_map(|n| match n.kind() {
            NodeKind::Alias { target } => Some(self.tree.node(target).span().range),
            _ => None,
        })
    }

    /// Whether `range` is inside a node an alias refers to: changing it would change every
    /// place that uses the alias.
    fn inside_anchor(&self, range: TextRange) -> bool {
        self.anchored().any(|a| a.contains_range(range))
    }

    /// Whether `range` overlaps a node an alias refers to (removing it would leave a dangling
    /// alias).
    fn overlaps_anchor(&self, range: TextRange) -> bool {
        self.anchored()
            .any(|a| a.start.max(range.start) < a.end.min(range.end) || a.contains_range(range))
    }
}

/// Whether an existing scalar already holds `value` (`- ALL` or `- "ALL"` for `"ALL"`).
fn same_scalar(node: NodeRef<'_>, value: &Value) -> bool {
    let Some((text, style)) = node.as_scalar() else {
        return false;
    };
    match value {
        Value::Str(s) => text == s,
        Value::Bool(b) => style == ScalarStyle::Plain && node.as_bool() == Some(*b),
        Value::Int(i) => style == ScalarStyle::Plain && node.as_i64() == Some(*i),
        Value::Map(_) | Value::Seq(_) => false,
    }
}
