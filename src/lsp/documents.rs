//! The documents the editor has open: their text as typed, kept in step with the editor's
//! changes (whole texts or ranges), by path.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use lsp_types::TextDocumentContentChangeEvent;

use super::position;
use crate::text::LineIndex;

/// One open document.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) text: String,
    pub(crate) version: i32,
}

/// The open documents, by absolute path.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    open: HashMap<PathBuf, Document>,
}

impl Documents {
    pub(crate) fn open(&mut self, path: PathBuf, document: Document) {
        self.open.insert(path, document);
    }

    /// Applies the editor's changes, in order; `false` when the document is not open.
    pub(crate) fn change(
        &mut self,
        path: &Path,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(document) = self.open.get_mut(path) else {
            return false;
        };
        for change in changes {
            apply(&mut document.text, change);
        }
        document.version = version;
        true
    }

    pub(crate) fn close(&mut self, path: &Path) -> Option<Document> {
        self.open.remove(path)
    }

    pub(crate) fn get(&self, path: &Path) -> Option<&Document> {
        self.open.get(path)
    }

    pub(crate) fn is_open(&self, path: &Path) -> bool {
        self.open.contains_key(path)
    }

    pub(crate) fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.open.keys()
    }

    /// The texts of the open documents under `root` (all of them, for `None`), to read instead
    /// of the disk.
    pub(crate) fn texts_under(&self, root: &Path) -> BTreeMap<PathBuf, String> {
        self.open
            .iter()
            .filter(|(path, _)| path.starts_with(root))
            .map(|(path, document)| (path.clone(), document.text.clone()))
            .collect()
    }
}

/// Applies one change: a range replaced (positions in UTF-16 units), or the whole text.
fn apply(text: &mut String, change: TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let index = LineIndex::new(text);
    let start = position::offset(&index, text, range.start) as usize;
    let end = position::offset(&index, text, range.end) as usize;
    // A reversed range is a client's mistake: read it as the range it spans.
    let (start, end) = (start.min(end), start.max(end));
    text.replace_range(start..end, &change.text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(range: ((u32, u32), (u32, u32)), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(range.0 .0, range.0 .1),
                Position::new(range.1 .0, range.1 .1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn ranges_after_non_ascii_text_are_replaced_where_the_editor_means() {
        let mut text = "# 😀 héllo\nname: wörld\n".to_string();
        // `wörld` starts at UTF-16 column 6 of line 1; replace `ö` (1 unit).
        apply(&mut text, edit(((1, 7), (1, 8)), "o"));
        assert_eq!(text, "# 😀 héllo\nname: world\n");
        // After the emoji (2 units) on line 0.
        apply(&mut text, edit(((0, 4), (0, 4)), "!"));
        assert_eq!(text, "# 😀! héllo\nname: world\n");
        // Several lines at once, then an insertion at the very end.
        apply(&mut text, edit(((0, 0), (1, 0)), ""));
        apply(&mut text, edit(((1, 0), (1, 0)), "x: 1\n"));
        assert_eq!(text, "name: world\nx: 1\n");
    }
}
