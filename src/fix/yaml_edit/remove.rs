//! Removing an entry: the whole line(s) of a block entry with the comment on its line, or
//! `, key: value` in a flow mapping; withheld where a comment or an anchor would go with it.

use super::Doc;
use crate::fix::Edit;
use crate::text::TextRange;
use crate::yaml::{NodeRef, Span};

impl<'t> Doc<'_, 't> {
    /// Removes `key` and its value from `mapping`.
    pub(super) fn remove(&self, mapping: NodeRef<'t>, key: &str) -> Option<Vec<Edit>> {
        let (k, v) = self.own_entry(mapping, key)??;
        let entries: Vec<_> = self.raw_entries(mapping).collect();
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
}
