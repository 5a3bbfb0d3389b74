//! Flow collections (`{a: 1}`, `[a, b]`, JSON): inserting at their end, finding their closing
//! bracket, writing a value in flow style.

use super::scalar::{plain_ok, push_double_quoted};
use super::{Doc, Value};
use crate::fix::Edit;
use crate::text::TextRange;
use crate::yaml::{NodeKind, NodeRef, Span};

impl<'t> Doc<'_, 't> {
    /// Inserts `item` (an entry or an item, already rendered) at the end of a flow collection,
    /// on its own line when the collection has one item per line.
    pub(super) fn flow_insert(&self, collection: NodeRef<'t>, item: &str) -> Option<Vec<Edit>> {
        let range = collection.span().range;
        let bytes = self.text.as_bytes();
        let open = range.start as usize;
        let closing = match bytes.get(open) {
            Some(b'{') => b'}',
            Some(b'[') => b']',
            _ => return None,
        };
        let close = self.flow_close(range, closing)?;
        let Some(last) = self.last_flow_child(collection) else {
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
        self.flow_insert_on_new_line(last, comma, close, item)
    }

    /// The range of a flow collection's last child: the last entry from its key to its
    /// value's end, or the last item.
    fn last_flow_child(&self, collection: NodeRef<'t>) -> Option<TextRange> {
        match &collection.node().kind() {
            NodeKind::Mapping { .. } => self.raw_entries(collection).next_back().map(|(k, v)| {
                TextRange::new(
                    k.span().range.start,
                    k.span().range.end.max(v.span().range.end),
                )
            }),
            _ => self
                .raw_items(collection)
                .next_back()
                .map(|i| i.span().range),
        }
    }

    /// `item` on a line of its own after the `last` child (and after its `comma`, if any),
    /// indented like it, before the closing bracket at `close`.
    fn flow_insert_on_new_line(
        &self,
        last: TextRange,
        comma: Option<usize>,
        close: usize,
        item: &str,
    ) -> Option<Vec<Edit>> {
        let end = last.end as usize;
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
    pub(super) fn true_end(&self, node: NodeRef<'t>) -> Option<u32> {
        let mut node = node;
        loop {
            let range = node.span().range;
            node = match &node.node().kind() {
                NodeKind::Mapping { flow: true, .. } => {
                    return Some(self.flow_close(range, b'}')? as u32 + 1)
                }
                NodeKind::Sequence { flow: true, .. } => {
                    return Some(self.flow_close(range, b']')? as u32 + 1)
                }
                NodeKind::Mapping { entries, .. } => match self.tree.entries(*entries).last() {
                    Some(e) => self.tree.node(e.value),
                    None => return Some(range.end),
                },
                NodeKind::Sequence { items, .. } => match self.tree.items(*items).last() {
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
    pub(super) fn flow_close(&self, range: TextRange, closing: u8) -> Option<usize> {
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

    /// `value` in flow style (JSON in a JSON file).
    pub(super) fn flow_text(&self, value: &Value) -> Option<String> {
        let mut out = String::new();
        self.push_flow(&mut out, value)?;
        Some(out)
    }

    /// Appends [`flow_text`](Self::flow_text) to `out`.
    pub(super) fn push_flow(&self, out: &mut String, value: &Value) -> Option<()> {
        if !self.writes {
            return Some(()); // any value can be written in flow style
        }
        match value {
            Value::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if self.json || !plain_ok(k, true) {
                        push_double_quoted(out, k);
                    } else {
                        out.push_str(k);
                    }
                    out.push_str(": ");
                    self.push_flow(out, v)?;
                }
                out.push('}');
            }
            Value::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.push_flow(out, item)?;
                }
                out.push(']');
            }
            _ => self.push_scalar(out, value, true)?,
        }
        Some(())
    }
}
