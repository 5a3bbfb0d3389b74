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

use super::resolve::{agree, FileTrees};
use super::Edit;
use crate::source::{Origin, SourceFile, Sources};
use crate::text::TextRange;
use crate::yaml::{FileId, NodeKind, NodeRef, ScalarStyle, Span, Tree};

/// A value to write: what a fix sets, inserts or appends.
///
/// Strings are written plain when YAML would read them back as the same string, else double
/// quoted (always double quoted in JSON files), so `"true"` or `"1.0"` never silently change
/// type. Mappings and sequences are written in the style of the place they go: block lines in
/// block context, `{k: v}` / `[a, b]` in flow context and JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    Map(Vec<(String, Value)>),
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
}

impl<'a> Editor<'a> {
    pub fn new(sources: &'a Sources) -> Self {
        Editor {
            sources: Some(sources),
        }
    }

    /// An editor without sources: every helper returns `None` (no fix). For checks run
    /// without the texts they came from, as in a check's own unit tests.
    pub fn detached() -> Self {
        Editor { sources: None }
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
                |doc, parent, key, current| match &current.node().kind {
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
}

type Pair<'t> = (NodeRef<'t>, NodeRef<'t>);

impl<'s, 't> Doc<'s, 't> {
    // ---- walking -------------------------------------------------------------------------

    /// Follows `path` through `mapping`'s own entries and calls `at_end` with the last key's
    /// parent mapping, the last key and its current value. Missing mappings along the way are
    /// created (with `value` nested under the rest of the path); a null one is filled.
    fn walk(
        &self,
        mapping: NodeRef<'t>,
        path: &[&str],
        value: &Value,
        at_end: impl FnOnce(&Self, NodeRef<'t>, NodeRef<'t>, NodeRef<'t>) -> Option<Vec<Edit>>,
    ) -> Option<Vec<Edit>> {
        let mut current = mapping;
        for (i, key) in path.iter().enumerate() {
            let rest = &path[i + 1..];
            match self.own_entry(current, key)? {
                // Merged in with `<<: *anchor`: a new key here would replace the whole merged
                // value, dropping whatever else it holds.
                None if current.get(key).is_some() => return None,
                None => return self.insert_entry(current, key, &nest(rest, value)),
                Some((k, v)) => {
                    if matches!(v.node().kind, NodeKind::Alias { .. }) {
                        return None; // editing through an alias edits its anchor
                    }
                    if rest.is_empty() {
                        return at_end(self, current, k, v);
                    }
                    match &v.node().kind {
                        NodeKind::Mapping { .. } => current = v,
                        NodeKind::Scalar { .. } if is_null(v) => {
                            return self.fill_null(current, k, v, &nest(rest, value));
                        }
                        _ => return None,
                    }
                }
            }
        }
        None
    }

    /// `key`'s entry among `mapping`'s own entries (merge keys are not followed: editing a
    /// merged value would edit its anchor). `None` for a node that is not a mapping, or with
    /// duplicate keys; `Some(None)` when the key is absent.
    fn own_entry(&self, mapping: NodeRef<'t>, key: &str) -> Option<Option<Pair<'t>>> {
        if !self.in_file(mapping) {
            return None;
        }
        let NodeKind::Mapping { entries, .. } = &mapping.node().kind else {
            return None;
        };
        let mut found = None;
        for entry in entries {
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

    fn raw_entries(&self, mapping: NodeRef<'t>) -> Vec<Pair<'t>> {
        match &mapping.node().kind {
            NodeKind::Mapping { entries, .. } => entries
                .iter()
                .map(|e| (self.tree.node(e.key), self.tree.node(e.value)))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn raw_items(&self, sequence: NodeRef<'t>) -> Vec<NodeRef<'t>> {
        match &sequence.node().kind {
            NodeKind::Sequence { items, .. } => items.iter().map(|&i| self.tree.node(i)).collect(),
            _ => Vec::new(),
        }
    }

    // ---- the operations ------------------------------------------------------------------

    /// The value under an existing key becomes `value`.
    fn set_value(
        &self,
        parent: NodeRef<'t>,
        key: NodeRef<'t>,
        current: NodeRef<'t>,
        value: &Value,
    ) -> Option<Vec<Edit>> {
        match (&current.node().kind, value) {
            (NodeKind::Scalar { .. }, _) if is_null(current) => {
                self.fill_null(parent, key, current, value)
            }
            (NodeKind::Scalar { .. }, _) => self.replace_scalar(current, value),
            // Setting a one-entry mapping on a mapping sets that entry (`seccompProfile:
            // {type: RuntimeDefault}` on an existing `seccompProfile` sets its `type`).
            (NodeKind::Mapping { .. }, Value::Map(entries)) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                self.walk(current, &[k.as_str()], v, |doc, p, k, c| {
                    doc.set_value(p, k, c, v)
                })
            }
            _ => None,
        }
    }

    fn replace_scalar(&self, node: NodeRef<'t>, value: &Value) -> Option<Vec<Edit>> {
        let NodeKind::Scalar { style, .. } = &node.node().kind else {
            return None;
        };
        let span = node.span();
        if node.node().tag.is_some()
            || span.range.is_empty()
            || !self.in_file(node)
            || self.inside_anchor(span.range)
        {
            return None;
        }
        let new = match (value, style) {
            (_, ScalarStyle::Literal | ScalarStyle::Folded) => return None,
            (Value::Map(_) | Value::Seq(_), _) => return None,
            (Value::Str(s), ScalarStyle::SingleQuoted) if !self.json && single_quotable(s) => {
                format!("'{}'", s.replace('\'', "''"))
            }
            (Value::Str(s), ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) => {
                double_quoted(s)
            }
            // Conservatively as if in flow context: the node's parent is not known here.
            _ => self.scalar_text(value, true)?,
        };
        if self.text.get(span.range.to_range()) == Some(new.as_str()) {
            return None;
        }
        Some(vec![Edit::replace(span, new)])
    }

    /// Gives a null value (`key:`, `key: ~`, `key: null`) the value `value`.
    fn fill_null(
        &self,
        parent: NodeRef<'t>,
        key: NodeRef<'t>,
        null: NodeRef<'t>,
        value: &Value,
    ) -> Option<Vec<Edit>> {
        let range = null.span().range;
        if null.node().tag.is_some()
            || !self.in_file(key)
            || !self.in_file(null)
            || self.inside_anchor(parent.span().range)
        {
            return None;
        }
        let flow = parent.is_flow() || self.json;
        if flow || !value.is_collection() || value.is_empty_collection() {
            let text = if flow || value.is_collection() {
                self.flow_text(value)?
            } else {
                self.scalar_text(value, false)?
            };
            if !range.is_empty() {
                return Some(vec![Edit::replace(null.span(), text)]);
            }
            // An implicit null sits right after the key's colon, or, for a flow key written
            // without one (`{a}`), right after the key.
            let after_colon = self.text[..range.start as usize].ends_with(':');
            return match (after_colon, flow) {
                (true, _) => Some(vec![Edit::insert(
                    self.file,
                    range.start,
                    format!(" {text}"),
                )]),
                (false, true) if range.start == key.span().range.end => Some(vec![Edit::insert(
                    self.file,
                    range.start,
                    format!(": {text}"),
                )]),
                (false, _) => None,
            };
        }
        // Block context: the value goes on the lines after the key, one level deeper.
        let key_col = self.col(key.span().range.start)?;
        let line = self.source.line_index.line_of(key.span().range.start);
        if self.source.line_index.line_of(range.end) != line {
            return None;
        }
        let layout = self.layout();
        let eol = self.eol_at(range.end);
        let mut lines = String::new();
        match value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    self.block_entry(&mut lines, k, v, key_col + layout.step, layout, eol)?;
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.block_item(&mut lines, item, key_col + layout.seq_offset, layout, eol)?;
                }
            }
            _ => return None,
        }
        let (at, needs_newline) = self.after_line(range.end);
        let mut edits = Vec::new();
        if !range.is_empty() {
            // Drop the explicit `~`/`null` and the blank before it: `key: ~` → `key:`.
            let before = &self.text[..range.start as usize];
            let start = before.trim_end_matches([' ', '\t']).len() as u32;
            edits.push(Edit::delete(Span::new(
                self.file,
                TextRange::new(start, range.end),
            )));
        }
        let prefix = if needs_newline { eol } else { "" };
        edits.push(Edit::insert(self.file, at, format!("{prefix}{lines}")));
        Some(edits)
    }

    /// Adds `key: value` to a mapping that does not have `key`.
    fn insert_entry(&self, mapping: NodeRef<'t>, key: &str, value: &Value) -> Option<Vec<Edit>> {
        if !self.in_file(mapping) || self.inside_anchor(mapping.span().range) {
            return None;
        }
        if mapping.is_flow() {
            let entry = format!(
                "{}: {}",
                self.key_text(key, mapping),
                self.flow_text(value)?
            );
            return self.flow_insert(mapping, &entry);
        }
        let entries = self.raw_entries(mapping);
        let (first, _) = entries.first()?;
        let (last, _) = entries.last()?;
        let indent = self.col(first.span().range.start)?;
        if entries.len() > 1 && self.spaces_before(last.span().range.start)? != indent {
            return None; // siblings not aligned: a layout we do not understand
        }
        let end = self.true_end(mapping)?;
        if self.ends_in_kept_block_scalar(mapping) {
            return None;
        }
        let layout = self.layout();
        let eol = self.eol_at(end);
        let (at, needs_newline) = self.after_line(end);
        let mut text = String::from(if needs_newline { eol } else { "" });
        self.block_entry(&mut text, key, value, indent, layout, eol)?;
        Some(vec![Edit::insert(self.file, at, text)])
    }

    fn push_item(&self, sequence: NodeRef<'t>, item: &Value) -> Option<Vec<Edit>> {
        if !self.in_file(sequence)
            || !matches!(sequence.node().kind, NodeKind::Sequence { .. })
            || self.inside_anchor(sequence.span().range)
        {
            return None;
        }
        if sequence.is_flow() || self.json {
            return self.flow_insert(sequence, &self.flow_text(item)?);
        }
        let items = self.raw_items(sequence);
        let last = items.last()?;
        let range = sequence.span().range;
        let dash_col = self.spaces_before(range.start)?;
        // The last item's dash must line up with the first one's.
        let last_dash = self.text[..last.span().range.start as usize].trim_end_matches([' ', '\t']);
        if !last_dash.ends_with('-') || self.spaces_before(last_dash.len() as u32 - 1)? != dash_col
        {
            return None;
        }
        if self.ends_in_kept_block_scalar(sequence) {
            return None;
        }
        let end = self.true_end(sequence)?;
        let layout = self.layout();
        let eol = self.eol_at(end);
        let (at, needs_newline) = self.after_line(end);
        let mut text = String::from(if needs_newline { eol } else { "" });
        self.block_item(&mut text, item, dash_col, layout, eol)?;
        Some(vec![Edit::insert(self.file, at, text)])
    }

    fn remove(&self, mapping: NodeRef<'t>, key: &str) -> Option<Vec<Edit>> {
        let (k, v) = self.own_entry(mapping, key)??;
        let entries = self.raw_entries(mapping);
        let index = entries.iter().position(|(ek, _)| ek.id() == k.id())?;
        let entry_end = k.span().range.end.max(self.true_end(v)?);
        let entry = TextRange::new(k.span().range.start, entry_end);
        if !self.in_file(v)
            || self.inside_anchor(mapping.span().range)
            || self.overlaps_anchor(entry)
        {
            return None;
        }
        let range = if mapping.is_flow() {
            let range = if entries.len() == 1 {
                entry
            } else if index > 0 {
                let (pk, pv) = entries[index - 1];
                TextRange::new(pk.span().range.end.max(pv.span().range.end), entry_end)
            } else {
                TextRange::new(entry.start, entries[1].0.span().range.start)
            };
            if self.text[range.to_range()].contains('#') {
                return None; // a comment inside the removed text
            }
            range
        } else if self.spaces_before(entry.start).is_some() {
            let line = self.source.line_index.line_of(entry.start);
            let start = self.source.line_index.line_range(line)?.start;
            let (end, _) = self.after_line(entry_end);
            TextRange::new(start, end)
        } else {
            // The first key of a sequence item (`- hostNetwork: true`): keep the dash, start
            // the item at the next key.
            let (next, _) = entries.get(index + 1)?;
            let (after, _) = self.after_line(entry_end);
            let next_start = next.span().range.start;
            if after > next_start
                || !self.text[after as usize..next_start as usize]
                    .trim()
                    .is_empty()
            {
                return None;
            }
            TextRange::new(entry.start, next_start)
        };
        Some(vec![Edit::delete(Span::new(self.file, range))])
    }

    fn rename_key(&self, mapping: NodeRef<'t>, old: &str, new: &str) -> Option<Vec<Edit>> {
        let (k, _) = self.own_entry(mapping, old)??;
        if self.own_entry(mapping, new)?.is_some()
            || k.node().tag.is_some()
            || !self.in_file(k)
            || self.inside_anchor(k.span().range)
        {
            return None;
        }
        let text = match k.as_scalar()? {
            (_, ScalarStyle::Plain) => self.key_text(new, mapping),
            (_, ScalarStyle::SingleQuoted) if single_quotable(new) => {
                format!("'{}'", new.replace('\'', "''"))
            }
            (_, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) => double_quoted(new),
            _ => return None,
        };
        Some(vec![Edit::replace(k.span(), text)])
    }

    /// Inserts `item` (an entry or an item, already rendered) at the end of a flow collection,
    /// on its own line when the collection has one item per line.
    fn flow_insert(&self, collection: NodeRef<'t>, item: &str) -> Option<Vec<Edit>> {
        let range = collection.span().range;
        let bytes = self.text.as_bytes();
        let open = range.start as usize;
        let closing = match bytes.get(open) {
            Some(b'{') => b'}',
            Some(b'[') => b']',
            _ => return None,
        };
        let close = self.flow_close(range, closing)?;
        let children: Vec<TextRange> = match &collection.node().kind {
            NodeKind::Mapping { .. } => self
                .raw_entries(collection)
                .iter()
                .map(|(k, v)| {
                    TextRange::new(
                        k.span().range.start,
                        k.span().range.end.max(v.span().range.end),
                    )
                })
                .collect(),
            _ => self
                .raw_items(collection)
                .iter()
                .map(|i| i.span().range)
                .collect(),
        };
        let Some(last) = children.last() else {
            // `{}` / `[]`: fill it.
            if !self.text[open + 1..close].trim().is_empty() {
                return None;
            }
            let inside = Span::new(self.file, TextRange::new(open as u32 + 1, close as u32));
            return Some(vec![Edit::replace(inside, item)]);
        };
        let end = last.end as usize;
        if end > close {
            return None;
        }
        let between = &self.text[end..close];
        let skipped = between.len() - between.trim_start_matches([' ', '\t']).len();
        let comma = (bytes.get(end + skipped) == Some(&b',')).then_some(end + skipped);
        let own_line = between.contains('\n')
            && self.spaces_before(last.start).is_some_and(|_| {
                // The last child starts its line: one child per line.
                let line = self.source.line_index.line_of(last.start);
                self.source.line_index.line_of(open as u32) != line
            });
        if !own_line {
            return Some(vec![match comma {
                Some(c) => Edit::insert(self.file, c as u32 + 1, format!(" {item},")),
                None => Edit::insert(self.file, end as u32, format!(", {item}")),
            }]);
        }
        let indent = " ".repeat(self.spaces_before(last.start)?);
        let eol = self.eol_at(end as u32);
        match comma {
            Some(c) => {
                let line_end = self.line_content_end(c as u32);
                if line_end as usize >= close {
                    return None;
                }
                Some(vec![Edit::insert(
                    self.file,
                    line_end,
                    format!("{eol}{indent}{item},"),
                )])
            }
            None => {
                let line_end = self.line_content_end(end as u32);
                if line_end as usize >= close {
                    return None;
                }
                let new_line = format!("{eol}{indent}{item}");
                if line_end as usize == end {
                    Some(vec![Edit::insert(
                        self.file,
                        end as u32,
                        format!(",{new_line}"),
                    )])
                } else {
                    Some(vec![
                        Edit::insert(self.file, end as u32, ","),
                        Edit::insert(self.file, line_end, new_line),
                    ])
                }
            }
        }
    }

    /// Where `node` really ends: its span's end, except that a flow collection that is (or
    /// ends) it ends at its closing bracket (see [`Self::flow_close`]).
    fn true_end(&self, node: NodeRef<'t>) -> Option<u32> {
        let mut node = node;
        loop {
            let range = node.span().range;
            node = match &node.node().kind {
                NodeKind::Mapping { flow: true, .. } => {
                    return Some(self.flow_close(range, b'}')? as u32 + 1)
                }
                NodeKind::Sequence { flow: true, .. } => {
                    return Some(self.flow_close(range, b']')? as u32 + 1)
                }
                NodeKind::Mapping { entries, .. } => match entries.last() {
                    Some(e) => self.tree.node(e.value),
                    None => return Some(range.end),
                },
                NodeKind::Sequence { items, .. } => match items.last() {
                    Some(&i) => self.tree.node(i),
                    None => return Some(range.end),
                },
                _ => return Some(range.end),
            };
        }
    }

    /// The offset of a flow collection's closing bracket. The span normally ends just after
    /// it; after a trailing comma (`{a: 1, # c\n}`) the parser may end it at the last child
    /// instead, so look past commas, blanks and comments for it.
    fn flow_close(&self, range: TextRange, closing: u8) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let last = range.end.checked_sub(1)? as usize;
        if bytes.get(last) == Some(&closing) {
            return Some(last);
        }
        let mut i = range.end as usize;
        while let Some(&b) = bytes.get(i) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
                b'#' => i = self.text[i..].find('\n').map_or(self.text.len(), |n| i + n),
                b if b == closing => return Some(i),
                _ => return None,
            }
        }
        None
    }

    // ---- rendering -----------------------------------------------------------------------

    /// `key: value` lines at `indent`, each ending with `eol`.
    fn block_entry(
        &self,
        out: &mut String,
        key: &str,
        value: &Value,
        indent: usize,
        layout: Layout,
        eol: &str,
    ) -> Option<()> {
        let pad = " ".repeat(indent);
        let key = if plain_ok(key, true) {
            key.to_string()
        } else {
            double_quoted(key)
        };
        match value {
            Value::Map(entries) if !entries.is_empty() => {
                out.push_str(&format!("{pad}{key}:{eol}"));
                for (k, v) in entries {
                    self.block_entry(out, k, v, indent + layout.step, layout, eol)?;
                }
            }
            Value::Seq(items) if !items.is_empty() => {
                out.push_str(&format!("{pad}{key}:{eol}"));
                for item in items {
                    self.block_item(out, item, indent + layout.seq_offset, layout, eol)?;
                }
            }
            Value::Map(_) | Value::Seq(_) => {
                out.push_str(&format!("{pad}{key}: {}{eol}", self.flow_text(value)?));
            }
            _ => out.push_str(&format!(
                "{pad}{key}: {}{eol}",
                self.scalar_text(value, false)?
            )),
        }
        Some(())
    }

    /// A `- item` line (or lines, for a mapping item) with the dash at `dash_col`.
    fn block_item(
        &self,
        out: &mut String,
        item: &Value,
        dash_col: usize,
        layout: Layout,
        eol: &str,
    ) -> Option<()> {
        let pad = " ".repeat(dash_col);
        match item {
            Value::Map(entries) if !entries.is_empty() => {
                let mut lines = String::new();
                for (k, v) in entries {
                    self.block_entry(&mut lines, k, v, dash_col + 2, layout, eol)?;
                }
                // The first entry goes on the dash's line.
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(lines.get(dash_col + 2..)?);
            }
            Value::Map(_) | Value::Seq(_) => {
                out.push_str(&format!("{pad}- {}{eol}", self.flow_text(item)?));
            }
            _ => out.push_str(&format!("{pad}- {}{eol}", self.scalar_text(item, false)?)),
        }
        Some(())
    }

    /// `value` in flow style (JSON in a JSON file).
    fn flow_text(&self, value: &Value) -> Option<String> {
        Some(match value {
            Value::Map(entries) => {
                let parts: Option<Vec<String>> = entries
                    .iter()
                    .map(|(k, v)| {
                        let key = if self.json || !plain_ok(k, true) {
                            double_quoted(k)
                        } else {
                            k.clone()
                        };
                        Some(format!("{key}: {}", self.flow_text(v)?))
                    })
                    .collect();
                format!("{{{}}}", parts?.join(", "))
            }
            Value::Seq(items) => {
                let parts: Option<Vec<String>> = items.iter().map(|i| self.flow_text(i)).collect();
                format!("[{}]", parts?.join(", "))
            }
            _ => self.scalar_text(value, true)?,
        })
    }

    fn scalar_text(&self, value: &Value, flow: bool) -> Option<String> {
        Some(match value {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Str(s) if !self.json && plain_ok(s, flow) => s.clone(),
            Value::Str(s) => double_quoted(s),
            Value::Map(_) | Value::Seq(_) => return None,
        })
    }

    /// A new key for `mapping`: quoted like its existing keys when they are double quoted (a
    /// JSON-style flow mapping), else plain when that is safe.
    fn key_text(&self, key: &str, mapping: NodeRef<'t>) -> String {
        let quoted_siblings = self
            .raw_entries(mapping)
            .first()
            .is_some_and(|(k, _)| matches!(k.as_scalar(), Some((_, ScalarStyle::DoubleQuoted))));
        if self.json || quoted_siblings || !plain_ok(key, true) {
            double_quoted(key)
        } else {
            key.to_string()
        }
    }

    // ---- reading the layout ----------------------------------------------------------------

    /// The indentation step and sequence style most used in the document.
    fn layout(&self) -> Layout {
        let mut steps: Vec<usize> = Vec::new();
        let mut seq_offsets: Vec<usize> = Vec::new();
        let index = &self.source.line_index;
        for node in &self.tree.nodes {
            let NodeKind::Mapping {
                entries,
                flow: false,
            } = &node.kind
            else {
                continue;
            };
            for entry in entries {
                let key = self.tree.node(entry.key).span().range.start;
                let Some(key_col) = self.col(key) else {
                    continue;
                };
                let value = self.tree.node(entry.value);
                match &value.node().kind {
                    NodeKind::Mapping {
                        entries: inner,
                        flow: false,
                    } => {
                        let Some(first) = inner.first() else { continue };
                        let child = self.tree.node(first.key).span().range.start;
                        if index.line_of(child) != index.line_of(key) {
                            if let Some(col) = self.col(child).filter(|&c| c > key_col) {
                                steps.push(col - key_col);
                            }
                        }
                    }
                    NodeKind::Sequence { flow: false, .. } => {
                        let dash = value.span().range.start;
                        if index.line_of(dash) != index.line_of(key) {
                            if let Some(col) = self.col(dash).filter(|&c| c >= key_col) {
                                seq_offsets.push(col - key_col);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let step = most_common(&steps).unwrap_or(2);
        Layout {
            step,
            seq_offset: most_common(&seq_offsets).unwrap_or(step),
        }
    }

    /// Column of `offset` when only spaces and sequence dashes precede it on its line (a key
    /// that starts a line or a `- key:` item); the byte order mark does not count.
    fn col(&self, offset: u32) -> Option<usize> {
        let start = self.line_start(offset);
        let prefix = self.text.get(start..offset as usize)?;
        // `- ` item markers only: not a `---` document marker.
        (prefix.bytes().all(|b| b == b' ' || b == b'-') && !prefix.contains("--"))
            .then_some(prefix.len())
    }

    /// Column of `offset` when only spaces precede it on its line.
    fn spaces_before(&self, offset: u32) -> Option<usize> {
        let start = self.line_start(offset);
        let prefix = self.text.get(start..offset as usize)?;
        prefix.bytes().all(|b| b == b' ').then_some(prefix.len())
    }

    fn line_start(&self, offset: u32) -> usize {
        let line = self.source.line_index.line_of(offset);
        let start = self
            .source
            .line_index
            .line_range(line)
            .map_or(0, |r| r.start as usize);
        if start == 0 && self.text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            start
        }
    }

    /// Just after the line break that ends `offset`'s line, and whether there is none (the
    /// last line of a file without a final newline: the insertion must start with one).
    fn after_line(&self, offset: u32) -> (u32, bool) {
        match self
            .text
            .get(offset as usize..)
            .and_then(|rest| rest.find('\n'))
        {
            Some(i) => (offset + i as u32 + 1, false),
            None => (self.text.len() as u32, true),
        }
    }

    /// Where `offset`'s line ends, before its `\r\n` or `\n`.
    fn line_content_end(&self, offset: u32) -> u32 {
        let (after, missing) = self.after_line(offset);
        if missing {
            return after;
        }
        let mut end = after - 1;
        if end > 0 && self.text.as_bytes().get(end as usize - 1) == Some(&b'\r') {
            end -= 1;
        }
        end
    }

    /// The line ending of `offset`'s line, or the file's first one on a last line without.
    fn eol_at(&self, offset: u32) -> &'static str {
        let (after, missing) = self.after_line(offset);
        let crlf = if missing {
            self.text.contains("\r\n")
        } else {
            after >= 2 && self.text.as_bytes().get(after as usize - 2) == Some(&b'\r')
        };
        if crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Whether `node` ends with a `|+`/`>+` block scalar: its trailing blank lines are content,
    /// so nothing may be inserted after its last line.
    fn ends_in_kept_block_scalar(&self, node: NodeRef<'t>) -> bool {
        let mut node = node;
        loop {
            node = match &node.node().kind {
                NodeKind::Mapping { entries, .. } => match entries.last() {
                    Some(e) => self.tree.node(e.value),
                    None => return false,
                },
                NodeKind::Sequence { items, .. } => match items.last() {
                    Some(&i) => self.tree.node(i),
                    None => return false,
                },
                NodeKind::Scalar {
                    style: ScalarStyle::Literal | ScalarStyle::Folded,
                    ..
                } => {
                    let start = node.span().range.start as usize;
                    let header = self.text[start..]
                        .split(|c: char| c.is_whitespace())
                        .next()
                        .unwrap_or("");
                    return header.contains('+');
                }
                _ => return false,
            };
        }
    }

    // ---- safety ----------------------------------------------------------------------------

    fn in_file(&self, node: NodeRef<'_>) -> bool {
        node.span().file == self.file && node.span().range.end as usize <= self.text.len()
    }

    /// Spans of the nodes some alias refers to.
    fn anchored(&self) -> impl Iterator<Item = TextRange> + '_ {
        self.tree.nodes.iter().filter_map(|n| match n.kind {
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

/// `value` nested under `path`: `nest(["a", "b"], v)` is `{a: {b: v}}`.
fn nest(path: &[&str], value: &Value) -> Value {
    path.iter().rev().fold(value.clone(), |inner, key| {
        Value::Map(vec![(key.to_string(), inner)])
    })
}

fn is_null(node: NodeRef<'_>) -> bool {
    node.is_null() && matches!(node.node().kind, NodeKind::Scalar { .. })
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

fn most_common(values: &[usize]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None; // (count, value)
    for &v in values {
        let count = values.iter().filter(|&&x| x == v).count();
        best = match best {
            Some((c, b)) if c > count || (c == count && b <= v) => Some((c, b)),
            _ => Some((count, v)),
        };
    }
    best.map(|(_, v)| v)
}

/// Whether `s` can be written as a plain scalar and still read back as the same string: no
/// indicator where YAML would see one, nothing YAML 1.1 or 1.2 would resolve to a boolean,
/// null or number (Kubernetes' decoder reads `yes` as true).
fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(char::is_control)
        || (flow && s.contains([',', '[', ']', '{', '}']))
        || s == "<<"
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    if reserved.contains(&lower.as_str()) {
        return false;
    }
    let mut chars = s.chars();
    let looks_numeric = match chars.next() {
        Some(c) if c.is_ascii_digit() || c == '.' => true,
        Some('+' | '-') => chars.next().is_some_and(|c| c.is_ascii_digit() || c == '.'),
        _ => false,
    };
    !looks_numeric
}

/// Whether `s` can be written single quoted (single quotes cannot escape line breaks).
fn single_quotable(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// `s` double quoted, valid both as YAML and as JSON.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_that_would_change_type_are_quoted() {
        for s in [
            "true", "Yes", "off", "~", "null", "1", "1.0", "-1", ".5", "0x1f", "a: b",
        ] {
            assert!(!plain_ok(s, false), "{s}");
        }
        for s in [
            "RuntimeDefault",
            "ALL",
            "<set-me>",
            "apps/v1",
            "nginx:1.27",
            "héllo",
        ] {
            assert!(plain_ok(s, false), "{s}");
        }
        assert!(!plain_ok("a,b", true));
        assert!(plain_ok("a,b", false));
    }

    #[test]
    fn double_quoting_escapes_for_yaml_and_json() {
        assert_eq!(double_quoted("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        assert_eq!(double_quoted("ü"), "\"ü\"");
    }

    #[test]
    fn most_common_prefers_the_smaller_on_ties() {
        assert_eq!(most_common(&[4, 2, 4, 2]), Some(2));
        assert_eq!(most_common(&[4, 4, 2]), Some(4));
        assert_eq!(most_common(&[]), None);
    }

    #[test]
    fn nest_builds_the_missing_levels() {
        assert_eq!(
            nest(&["a", "b"], &Value::Bool(true)),
            Value::map([("a", Value::map([("b", true)]))])
        );
    }
}
