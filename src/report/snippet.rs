//! What the human output shows of a file: only the lines a finding's labels touch, each
//! escaped (a source line may hold ESC, a lone CR, a bidi override) and, when long, cut to a
//! window around the labels — a minified 50 MB line is never reprinted whole.
//!
//! codespan-reporting reads files through its [`Files`] trait; [`Snippets`] answers it with a
//! small text per file made of the shown lines only, while keeping the real line indexes, line
//! numbers and columns, so the report reads exactly as if the whole file had been given.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use codespan_reporting::files::{Error as FilesError, Files};

use super::escape::{escape, escape_keeping};
use crate::source::{SourceFile, Sources};
use crate::yaml::{FileId, Span};

/// Lines up to this many bytes are shown whole.
const MAX_LINE: usize = 240;
/// Around a label on a longer line: this many bytes of context on each side…
const CONTEXT: usize = 60;
/// …and at most this much of the label itself.
const MAX_LABEL: usize = 120;
/// Marks where a long line was cut.
const CUT: &str = "…";

/// The shown lines of the files one finding's labels point into.
pub(super) struct Snippets<'a> {
    sources: &'a Sources,
    views: HashMap<FileId, View>,
}

/// The shown lines of one file.
#[derive(Default)]
struct View {
    /// The shown lines, escaped and cut, each ending in `\n`.
    text: String,
    /// Real 0-based line index → its range in `text`.
    lines: BTreeMap<usize, Range<usize>>,
    /// Where a real byte offset of a label boundary landed in `text`.
    offsets: HashMap<u32, usize>,
    /// Offset in `text` → real 1-based column, for the label boundaries.
    columns: HashMap<usize, usize>,
}

impl<'a> Snippets<'a> {
    /// The views for `spans` (a finding's primary and related spans). A file in `masked` is
    /// shown from that copy of its text (same length and lines, secrets masked).
    pub(super) fn new(
        sources: &'a Sources,
        masked: &HashMap<FileId, String>,
        spans: &[Span],
    ) -> Self {
        let mut by_file: BTreeMap<FileId, Vec<Span>> = BTreeMap::new();
        for span in spans {
            by_file.entry(span.file).or_default().push(*span);
        }
        let views = by_file
            .into_iter()
            .map(|(file, spans)| {
                let shown = masked.get(&file).map(String::as_str);
                (file, View::new(sources.get(file), shown, &spans))
            })
            .collect();
        Snippets { sources, views }
    }

    /// Where `span` is in its file's view.
    pub(super) fn range(&self, span: Span) -> Range<usize> {
        let view = &self.views[&span.file];
        let at = |offset: u32| view.offsets.get(&offset).copied().unwrap_or(0);
        let (start, end) = (at(span.range.start), at(span.range.end));
        start..end.max(start)
    }

    fn view(&self, id: FileId) -> Result<&View, FilesError> {
        self.views.get(&id).ok_or(FilesError::FileMissing)
    }
}

impl View {
    fn new(file: &SourceFile, masked: Option<&str>, spans: &[Span]) -> View {
        let index = &file.line_index;
        let line_of = |offset: u32| index.line_of(offset.min(file.text.len() as u32));
        // The label boundaries on each line, and the lines codespan shows: each label's first
        // and last line, up to three after its start and one before its end.
        let mut marks: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
        for span in spans {
            let (start, end) = (span.range.start, span.range.end.max(span.range.start));
            let (first, last) = (line_of(start), line_of(end));
            marks.entry(first).or_default().insert(start);
            marks.entry(last).or_default().insert(end);
            for line in
                (first + 1..=last.min(first + 3)).chain(last.saturating_sub(1).max(first)..last)
            {
                marks.entry(line).or_default();
            }
        }
        // codespan shows the line between two shown lines one apart.
        let shown: Vec<usize> = marks.keys().copied().collect();
        for pair in shown.windows(2) {
            if pair[1] == pair[0] + 2 {
                marks.entry(pair[0] + 1).or_default();
            }
        }
        let mut view = View::default();
        for (line, offsets) in marks {
            view.add_line(file, masked.unwrap_or(&file.text), line, &offsets);
        }
        view
    }

    /// Adds real line `line` (escaped, cut around `offsets`) and places `offsets` in it. `text`
    /// is the file's text, or its masked copy (same byte length and line breaks).
    fn add_line(&mut self, file: &SourceFile, text: &str, line: usize, offsets: &BTreeSet<u32>) {
        let Some(range) = file.line_index.line_range(line) else {
            // The empty line after a final line break: where a span at the very end points.
            let at = self.text.len();
            self.text.push('\n');
            self.lines.insert(line, at..at + 1);
            for &offset in offsets {
                self.place(file, offset, at);
            }
            return;
        };
        let (start, end) = (range.start as usize, range.end as usize);
        let content =
            text[start..end].trim_end_matches(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']);
        let content_end = start + content.len();
        let (from, to) = window(text, start, content_end, offsets);
        let line_start = self.text.len();
        if from > start {
            self.text.push_str(CUT);
        }
        let shown_start = self.text.len();
        let shown = escape_keeping(&text[from..to], &['\t']);
        self.text.push_str(&shown);
        let shown_end = self.text.len();
        if to < content_end {
            self.text.push_str(CUT);
        }
        self.text.push('\n');
        self.lines.insert(line, line_start..self.text.len());
        for &offset in offsets {
            let offset_usize = (offset as usize).min(text.len());
            let at = if offset_usize <= from {
                shown_start
            } else if offset_usize >= to {
                shown_end
            } else {
                shown_start + escape_keeping(&text[from..floor(text, offset_usize)], &['\t']).len()
            };
            self.place(file, offset, at);
        }
    }

    fn place(&mut self, file: &SourceFile, offset: u32, at: usize) {
        self.offsets.insert(offset, at);
        let column = file.line_index.line_col(&file.text, offset).column as usize;
        self.columns.insert(at, column);
    }

    /// The real line index holding `at`.
    fn line_of(&self, at: usize) -> Option<usize> {
        self.lines
            .iter()
            .find(|(_, range)| range.contains(&at) || (at == range.end && range.is_empty()))
            .map(|(line, _)| *line)
            .or_else(|| self.lines.keys().next_back().copied())
    }
}

/// The byte range of the line content `start..end` to show: all of it when short, else a
/// window around the label boundaries `offsets`, on character boundaries.
fn window(text: &str, start: usize, end: usize, offsets: &BTreeSet<u32>) -> (usize, usize) {
    if end - start <= MAX_LINE {
        return (start, end);
    }
    let inside: Vec<usize> = offsets
        .iter()
        .map(|&o| (o as usize).clamp(start, end))
        .collect();
    let low = inside.first().copied().unwrap_or(start);
    let high = inside.last().copied().unwrap_or(start).min(low + MAX_LABEL);
    let from = floor(text, low.saturating_sub(CONTEXT).max(start));
    let to = ceil(text, (high + CONTEXT).min(end));
    (from, to)
}

fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl<'a> Files<'a> for Snippets<'a> {
    type FileId = FileId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<String, FilesError> {
        Ok(escape(self.sources.get(id).display_path()).into_owned())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.view(id)?.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        self.view(id)?
            .line_of(byte_index)
            .ok_or(FilesError::IndexTooLarge {
                given: byte_index,
                max: 0,
            })
    }

    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let view = self.view(id)?;
        if let Some(column) = view.columns.get(&byte_index) {
            return Ok(*column);
        }
        let start = view.lines.get(&line_index).map_or(0, |r| r.start);
        let before = view.text.get(start..byte_index).unwrap_or("");
        Ok(before.chars().count() + 1)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let view = self.view(id)?;
        // A line codespan does not show (inside a long multi-line label) reads as empty.
        Ok(view
            .lines
            .get(&line_index)
            .cloned()
            .unwrap_or(view.text.len()..view.text.len()))
    }
}
