//! Reading how the file is written, so that new lines look like their neighbours: the
//! indentation step and sequence style most used, columns, line ends (LF or CRLF), and where a
//! node's last line is.

use super::{Doc, Layout};
use crate::yaml::{NodeKind, NodeRef, ScalarStyle};

impl<'t> Doc<'_, 't> {
    /// The indentation step and sequence style most used in the document. Read once per
    /// document and kept with its tree: every fix asks, and a `kind: List` of thousands of Pods
    /// has thousands of fixes.
    pub(super) fn layout(&self) -> Layout {
        let [step, seq_offset] = *self.tree.indentation().get_or_init(|| {
            let layout = self.read_layout();
            [layout.step, layout.seq_offset]
        });
        Layout { step, seq_offset }
    }

    /// [`layout`](Self::layout), read from the text.
    fn read_layout(&self) -> Layout {
        let mut steps: Vec<usize> = Vec::new();
        let mut seq_offsets: Vec<usize> = Vec::new();
        let index = &self.source.line_index;
        for node in &self.tree.nodes {
            let NodeKind::Mapping {
                entries,
                flow: false,
            } = &node.kind()
            else {
                continue;
            };
            for entry in self.tree.entries(*entries) {
                let key = self.tree.node(entry.key).span().range.start;
                let Some(key_col) = self.col(key) else {
                    continue;
                };
                let value = self.tree.node(entry.value);
                match &value.node().kind() {
                    NodeKind::Mapping {
                        entries: inner,
                        flow: false,
                    } => {
                        let Some(first) = self.tree.entries(*inner).first() else {
                            continue;
                        };
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
    pub(super) fn col(&self, offset: u32) -> Option<usize> {
        let start = self.line_start(offset);
        let prefix = self.text.get(start..offset as usize)?;
        // `- ` item markers only: not a `---` document marker.
        (prefix.bytes().all(|b| b == b' ' || b == b'-') && !prefix.contains("--"))
            .then_some(prefix.len())
    }

    /// Column of `offset` when only spaces precede it on its line.
    pub(super) fn spaces_before(&self, offset: u32) -> Option<usize> {
        let start = self.line_start(offset);
        let prefix = self.text.get(start..offset as usize)?;
        prefix.bytes().all(|b| b == b' ').then_some(prefix.len())
    }

    /// Where `offset`'s line starts (after a byte order mark on the first line).
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
    pub(super) fn after_line(&self, offset: u32) -> (u32, bool) {
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
    pub(super) fn line_content_end(&self, offset: u32) -> u32 {
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
    pub(super) fn eol_at(&self, offset: u32) -> &'static str {
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
    pub(super) fn ends_in_kept_block_scalar(&self, node: NodeRef<'t>) -> bool {
        let mut node = node;
        loop {
            node = match &node.node().kind() {
                NodeKind::Mapping { entries, .. } => match self.tree.entries(*entries).last() {
                    Some(e) => self.tree.node(e.value),
                    None => return false,
                },
                NodeKind::Sequence { items, .. } => match self.tree.items(*items).last() {
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
}

/// The value seen most often (the smaller on a tie); `None` for none.
fn most_common(values: &[usize]) -> Option<usize> {
    // Counted in one pass: a document of thousands of objects has tens of thousands of values,
    // and counting each value's occurrences anew was quadratic.
    let mut counts = std::collections::BTreeMap::new();
    for &v in values {
        *counts.entry(v).or_insert(0usize) += 1;
    }
    // Ascending values, and only a strictly higher count replaces the best: ties go to the
    // smaller value.
    let mut best: Option<(usize, usize)> = None; // (count, value)
    for (v, count) in counts {
        if best.map_or(true, |(c, _)| count > c) {
            best = Some((count, v));
        }
    }
    best.map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_common_prefers_the_smaller_on_ties() {
        assert_eq!(most_common(&[4, 2, 4, 2]), Some(2));
        assert_eq!(most_common(&[4, 4, 2]), Some(4));
        assert_eq!(most_common(&[]), None);
        assert_eq!(most_common(&[3, 1, 3, 1, 1, 3, 2]), Some(1));
    }
}
