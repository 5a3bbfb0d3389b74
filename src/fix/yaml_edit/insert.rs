//! Adding to block collections: a new `key: value` entry after a mapping's last one, a new
//! `- item` after a sequence's last one, indented like their siblings and written in the
//! file's layout.

use super::scalar::{plain_ok, push_double_quoted};
use super::{Doc, Value};
use crate::fix::Edit;
use crate::yaml::{NodeKind, NodeRef};

impl<'t> Doc<'_, 't> {
    /// Adds `key: value` to a mapping that does not have `key`.
    pub(super) fn insert_entry(
        &self,
        mapping: NodeRef<'t>,
        key: &str,
        value: &Value,
    ) -> Option<Vec<Edit>> {
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
        let mut entries = self.raw_entries(mapping);
        let several = entries.len() > 1;
        let (first, _) = entries.next()?;
        let last = entries.next_back().map_or(first, |(key, _)| key);
        let indent = self.col(first.span().range.start)?;
        if several && self.spaces_before(last.span().range.start)? != indent {
            return None; // siblings not aligned: a layout we do not understand
        }
        let end = self.true_end(mapping)?;
        if self.ends_in_kept_block_scalar(mapping) {
            return None;
        }
        let eol = self.eol_at(end);
        let (at, needs_newline) = self.after_line(end);
        let mut text = String::from(if needs_newline { eol } else { "" });
        self.block_entry(&mut text, key, value, indent, eol)?;
        Some(vec![Edit::insert(self.file, at, text)])
    }

    /// Appends `item` to a sequence (block or flow).
    pub(super) fn push_item(&self, sequence: NodeRef<'t>, item: &Value) -> Option<Vec<Edit>> {
        if !self.in_file(sequence)
            || !matches!(sequence.node().kind(), NodeKind::Sequence { .. })
            || self.inside_anchor(sequence.span().range)
        {
            return None;
        }
        if sequence.is_flow() || self.json {
            return self.flow_insert(sequence, &self.flow_text(item)?);
        }
        let last = self.raw_items(sequence).next_back()?;
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
        let eol = self.eol_at(end);
        let (at, needs_newline) = self.after_line(end);
        let mut text = String::from(if needs_newline { eol } else { "" });
        self.block_item(&mut text, item, dash_col, eol)?;
        Some(vec![Edit::insert(self.file, at, text)])
    }

    /// `key: value` lines at `indent`, each ending with `eol`, nested values indented as the
    /// document is ([`Self::layout`]).
    pub(super) fn block_entry(
        &self,
        out: &mut String,
        key: &str,
        value: &Value,
        indent: usize,
        eol: &str,
    ) -> Option<()> {
        if !self.writes {
            return Some(()); // any value can be written in block style
        }
        let layout = self.layout();
        // Written straight into `out`: a `kind: List` of thousands of Pods has tens of
        // thousands of these.
        pad(out, indent);
        if plain_ok(key, true) {
            out.push_str(key);
        } else {
            push_double_quoted(out, key);
        }
        out.push(':');
        match value {
            Value::Map(entries) if !entries.is_empty() => {
                out.push_str(eol);
                for (k, v) in entries {
                    self.block_entry(out, k, v, indent + layout.step, eol)?;
                }
            }
            Value::Seq(items) if !items.is_empty() => {
                out.push_str(eol);
                for item in items {
                    self.block_item(out, item, indent + layout.seq_offset, eol)?;
                }
            }
            Value::Map(_) | Value::Seq(_) => {
                out.push(' ');
                self.push_flow(out, value)?;
                out.push_str(eol);
            }
            _ => {
                out.push(' ');
                self.push_scalar(out, value, false)?;
                out.push_str(eol);
            }
        }
        Some(())
    }

    /// A `- item` line (or lines, for a mapping item) with the dash at `dash_col`.
    pub(super) fn block_item(
        &self,
        out: &mut String,
        item: &Value,
        dash_col: usize,
        eol: &str,
    ) -> Option<()> {
        if !self.writes {
            return Some(());
        }
        pad(out, dash_col);
        out.push_str("- ");
        match item {
            Value::Map(entries) if !entries.is_empty() => {
                // The first entry goes on the dash's line: written at the entries' column,
                // then that many spaces taken off again.
                let first = out.len();
                for (k, v) in entries {
                    self.block_entry(out, k, v, dash_col + 2, eol)?;
                }
                out.drain(first..first + dash_col + 2);
            }
            Value::Map(_) | Value::Seq(_) => {
                self.push_flow(out, item)?;
                out.push_str(eol);
            }
            _ => {
                self.push_scalar(out, item, false)?;
                out.push_str(eol);
            }
        }
        Some(())
    }
}

/// Appends `columns` spaces to `out`.
fn pad(out: &mut String, columns: usize) {
    const SPACES: &str = "                                ";
    let mut left = columns;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.push_str(&SPACES[..n]);
        left -= n;
    }
}
