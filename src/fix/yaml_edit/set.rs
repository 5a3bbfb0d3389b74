//! Setting values: following a path through a mapping to its key (creating the mappings that
//! are missing), replacing a scalar in its own style, giving a null a value, renaming a key.

use super::scalar::{double_quoted, single_quotable, single_quoted};
use super::{Doc, Value};
use crate::fix::Edit;
use crate::text::TextRange;
use crate::yaml::{NodeKind, NodeRef, ScalarStyle, Span};

impl<'t> Doc<'_, 't> {
    /// Follows `path` through `mapping`'s own entries and calls `at_end` with the last key's
    /// parent mapping, the last key and its current value. Missing mappings along the way are
    /// created (with `value` nested under the rest of the path); a null one is filled.
    pub(super) fn walk(
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
                    if matches!(v.node().kind(), NodeKind::Alias { .. }) {
                        return None; // editing through an alias edits its anchor
                    }
                    if rest.is_empty() {
                        return at_end(self, current, k, v);
                    }
                    match &v.node().kind() {
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

    /// The value under an existing key becomes `value`.
    pub(super) fn set_value(
        &self,
        parent: NodeRef<'t>,
        key: NodeRef<'t>,
        current: NodeRef<'t>,
        value: &Value,
    ) -> Option<Vec<Edit>> {
        match (&current.node().kind(), value) {
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

    /// A scalar's text becomes `value`, keeping its quoting where it matters.
    pub(super) fn replace_scalar(&self, node: NodeRef<'t>, value: &Value) -> Option<Vec<Edit>> {
        let NodeKind::Scalar { style, .. } = &node.node().kind() else {
            return None;
        };
        let span = node.span();
        if node.tag().is_some()
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
                single_quoted(s)
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
    pub(super) fn fill_null(
        &self,
        parent: NodeRef<'t>,
        key: NodeRef<'t>,
        null: NodeRef<'t>,
        value: &Value,
    ) -> Option<Vec<Edit>> {
        if null.tag().is_some()
            || !self.in_file(key)
            || !self.in_file(null)
            || self.inside_anchor(parent.span().range)
        {
            return None;
        }
        let flow = parent.is_flow() || self.json;
        if flow || !value.is_collection() || value.is_empty_collection() {
            self.fill_null_inline(key, null, value, flow)
        } else {
            self.fill_null_block(key, null, value)
        }
    }

    /// The value written where the null is, on the key's line (`key: value`, `{key: value}`).
    fn fill_null_inline(
        &self,
        key: NodeRef<'t>,
        null: NodeRef<'t>,
        value: &Value,
        flow: bool,
    ) -> Option<Vec<Edit>> {
        let range = null.span().range;
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
        match (after_colon, flow) {
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
        }
    }

    /// Block context: a mapping or sequence goes on the lines after the key, one level deeper.
    fn fill_null_block(
        &self,
        key: NodeRef<'t>,
        null: NodeRef<'t>,
        value: &Value,
    ) -> Option<Vec<Edit>> {
        let range = null.span().range;
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
                    self.block_entry(&mut lines, k, v, key_col + layout.step, eol)?;
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.block_item(&mut lines, item, key_col + layout.seq_offset, eol)?;
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

    /// `old` becomes `new`, quoted as `old` was.
    pub(super) fn rename_key(
        &self,
        mapping: NodeRef<'t>,
        old: &str,
        new: &str,
    ) -> Option<Vec<Edit>> {
        let (k, _) = self.own_entry(mapping, old)??;
        if self.own_entry(mapping, new)?.is_some()
            || k.tag().is_some()
            || !self.in_file(k)
            || self.inside_anchor(k.span().range)
        {
            return None;
        }
        let text = match k.as_scalar()? {
            (_, ScalarStyle::Plain) => self.key_text(new, mapping),
            (_, ScalarStyle::SingleQuoted) if single_quotable(new) => single_quoted(new),
            (_, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) => double_quoted(new),
            _ => return None,
        };
        Some(vec![Edit::replace(k.span(), text)])
    }
}

/// `value` nested under `path`: `nest(["a", "b"], v)` is `{a: {b: v}}`.
fn nest(path: &[&str], value: &Value) -> Value {
    path.iter().rev().fold(value.clone(), |inner, key| {
        Value::Map(vec![(key.to_string(), inner)])
    })
}

/// Whether `node` is a null scalar (`~`, `null`, or nothing at all).
fn is_null(node: NodeRef<'_>) -> bool {
    node.is_null() && matches!(node.node().kind(), NodeKind::Scalar { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nest_builds_the_missing_levels() {
        assert_eq!(
            nest(&["a", "b"], &Value::Bool(true)),
            Value::map([("a", Value::map([("b", true)]))])
        );
    }
}
