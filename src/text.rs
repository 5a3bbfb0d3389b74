//! Byte ranges and line/column conversion.
//!
//! Everything inside k8sec addresses source text by byte offsets (`u32`), because edits need
//! bytes. Lines and columns exist only at the edges: yaml-rust2 hands us (line, column in
//! characters) and reports show 1-based lines and character columns. [`LineIndex`] converts
//! between the two exactly, including for non-ASCII text and CRLF line endings.
//!
//! A line ends where the Kubernetes YAML reader (go-yaml) ends one: at `\n`, `\r\n`, a lone
//! `\r`, U+0085 (NEL), U+2028 (LS) or U+2029 (PS). The parser, the reports and the fixes all
//! count lines with this one index, so a line number means the same line everywhere, and the
//! line kubectl names in an error.

use std::ops::Range;

/// A half-open byte range `start..end` in one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextRange {
    /// The first byte.
    pub start: u32,
    /// Just past the last byte.
    pub end: u32,
}

impl TextRange {
    /// The range `start..end` (`start <= end`).
    pub fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        TextRange { start, end }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: u32) -> Self {
        TextRange {
            start: offset,
            end: offset,
        }
    }

    /// Its length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether it holds no byte (an insertion point).
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// As a `Range`, to slice the text with.
    pub fn to_range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest range covering both.
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Whether `other` lies within this range (its ends included).
    pub fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values (characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// Start offsets of every line of a text, for offset <-> line/column conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts; `line_starts[0] == 0`.
    line_starts: Vec<u32>,
    len: u32,
    /// The text is ASCII: columns are byte counts, nothing to walk (a long line stays cheap).
    ascii: bool,
    /// For a non-ASCII text, what precedes every [`MARK_EVERY`]th byte (the character boundary
    /// at or before it): a column far into a long line (a minified JSON file is one line) is
    /// counted from the nearest mark, not from the line's start — per finding, that made the
    /// reports of such a file cost findings × line length.
    marks: Vec<Counts>,
}

/// Bytes between two [`LineIndex`] marks.
const MARK_EVERY: usize = 1024;

/// Characters and UTF-16 code units of a stretch of text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    chars: u32,
    utf16: u32,
}

impl Counts {
    fn of(text: &str) -> Counts {
        let chars = text.chars().count() as u32;
        // Characters outside the Basic Multilingual Plane (4 bytes in UTF-8) take two units.
        let astral = text.bytes().filter(|&b| b >= 0xF0).count() as u32;
        Counts {
            chars,
            utf16: chars + astral,
        }
    }
}

/// The character boundary at or before `offset` (clamped to the text).
fn boundary_at_or_before(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl LineIndex {
    /// The index of `text`'s lines.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        if memchr::memchr3(b'\r', 0xC2, 0xE2, bytes).is_none() {
            // Only `\n` (the usual case): the fast search.
            line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
        } else {
            let mut pos = 0;
            while let Some(end) = next_line_break(text, pos) {
                line_starts.push(end as u32);
                pos = end;
            }
        }
        // Kept with its file for the whole run: no spare capacity.
        line_starts.shrink_to_fit();
        let ascii = text.is_ascii();
        let mut marks = Vec::new();
        if !ascii {
            let mut total = Counts::default();
            let mut at = 0;
            for block in 0..=text.len() / MARK_EVERY {
                let mark = boundary_at_or_before(text, block * MARK_EVERY);
                let counts = Counts::of(&text[at..mark]);
                total.chars += counts.chars;
                total.utf16 += counts.utf16;
                marks.push(total);
                at = mark;
            }
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
            ascii,
            marks,
        }
    }

    /// What precedes byte `offset` (a character boundary) on its line, `start` being the line's
    /// start: counted directly on a short stretch, else from the marks.
    fn counts_between(&self, text: &str, start: usize, offset: usize) -> Counts {
        if offset - start <= MARK_EVERY || self.marks.is_empty() {
            return Counts::of(&text[start..offset]);
        }
        let before = |at: usize| {
            let block = at / MARK_EVERY;
            let mark = boundary_at_or_before(text, block * MARK_EVERY);
            let base = self.marks.get(block).copied().unwrap_or_default();
            let rest = Counts::of(&text[mark..at]);
            Counts {
                chars: base.chars + rest.chars,
                utf16: base.utf16 + rest.utf16,
            }
        };
        let (to, from) = (before(offset), before(start));
        Counts {
            chars: to.chars - from.chars,
            utf16: to.utf16 - from.utf16,
        }
    }

    /// How many lines the text has (a final line break starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of 0-based `line`, including its line terminator.
    pub fn line_range(&self, line: usize) -> Option<TextRange> {
        let start = *self.line_starts.get(line)?;
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        Some(TextRange::new(start, end))
    }

    /// 0-based line holding `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// 1-based line and character column of a byte offset.
    ///
    /// An offset inside a multi-byte character or past the end is clamped.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        if self.ascii {
            return LineCol {
                line: line as u32 + 1,
                column: offset - start as u32 + 1,
            };
        }
        // An offset inside a character counts up to the previous boundary.
        let end = boundary_at_or_before(text, offset as usize).max(start);
        LineCol {
            line: line as u32 + 1,
            column: self.counts_between(text, start, end).chars + 1,
        }
    }

    /// Byte offset of the `column`th character (0-based) of 1-based `line`, the way yaml-rust2
    /// markers count. Clamped to the end of the line (before its line break) and of the text.
    pub fn offset(&self, text: &str, line: usize, column: usize) -> u32 {
        let Some(range) = line.checked_sub(1).and_then(|l| self.line_range(l)) else {
            return self.len;
        };
        let line_text = &text[range.to_range()];
        let within = line_text
            .char_indices()
            .nth(column)
            .map(|(i, _)| i)
            .unwrap_or_else(|| line_text.len() - line_break_len(line_text));
        range.start + within as u32
    }

    /// [`LineIndex::offset`] from where `cursor` stopped last: positions asked in text order
    /// (a parser's markers) cost only the characters between them, so a file that is one long
    /// line (minified JSON) converts in linear time, where counting each column from its
    /// line's start is quadratic.
    pub fn offset_from(
        &self,
        text: &str,
        line: usize,
        column: usize,
        cursor: &mut OffsetCursor,
    ) -> u32 {
        let Some(range) = line.checked_sub(1).and_then(|l| self.line_range(l)) else {
            return self.len;
        };
        if self.ascii {
            // As walking the characters: inside the line break included, clamped past it.
            let at = u32::try_from(column)
                .ok()
                .and_then(|c| range.start.checked_add(c));
            return match at {
                Some(at) if at < range.end => at,
                _ => range.end - line_break_len(&text[range.to_range()]) as u32,
            };
        }
        let (from, from_column) = if cursor.line == line && cursor.column <= column {
            (cursor.offset as usize, cursor.column)
        } else {
            (range.start as usize, 0)
        };
        let rest = &text[from..range.end as usize];
        let mut chars = rest.char_indices();
        let step = column - from_column;
        cursor.walked += step as u64;
        match chars.nth(step) {
            Some((i, _)) => {
                let offset = (from + i) as u32;
                *cursor = OffsetCursor {
                    line,
                    column,
                    offset,
                    walked: cursor.walked,
                };
                offset
            }
            // Past the line's end: clamped before its line break, the cursor left as it was.
            None => range.end - line_break_len(&text[range.to_range()]) as u32,
        }
    }

    /// The UTF-16 column (0-based) of a byte offset, as the Language Server Protocol counts.
    pub fn utf16_column(&self, text: &str, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        let start = self.line_starts[self.line_of(offset)];
        if self.ascii {
            return offset - start;
        }
        let (start, offset) = (start as usize, offset as usize);
        let end = boundary_at_or_before(text, offset).max(start);
        self.counts_between(text, start, end).utf16
    }
}

/// Where [`LineIndex::offset_from`] stopped last, and how many characters it has walked (the
/// work the linearity tests count).
#[derive(Clone, Copy, Debug, Default)]
pub struct OffsetCursor {
    /// 1-based line (0: none yet).
    line: usize,
    column: usize,
    offset: u32,
    walked: u64,
}

impl OffsetCursor {
    /// Characters walked to convert every position so far.
    pub fn walked(&self) -> u64 {
        self.walked
    }
}

/// The line breaks go-yaml knows, longest first (`\r\n` is one break).
const LINE_BREAKS: [&str; 6] = ["\r\n", "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"];

/// The end (exclusive) of the first line break at or after byte `from`.
pub fn next_line_break(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return Some(i + 1),
            b'\r' => {
                return Some(if bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                })
            }
            // U+0085 is C2 85; U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            0xC2 if bytes.get(i + 1) == Some(&0x85) => return Some(i + 2),
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                return Some(i + 3)
            }
            _ => i += 1,
        }
    }
    None
}

/// The length in bytes of the line break `line` ends with (0 when it has none).
pub fn line_break_len(line: &str) -> usize {
    LINE_BREAKS
        .iter()
        .find(|b| line.ends_with(*b))
        .map_or(0, |b| b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "# héllo wörld\r\nkey: välue\n";
        let index = LineIndex::new(text);
        let offset = text.find("välue").unwrap() as u32;
        assert_eq!(index.line_col(text, offset), LineCol { line: 2, column: 6 });
        let after = text.find("lue").unwrap() as u32;
        assert_eq!(index.line_col(text, after), LineCol { line: 2, column: 8 });
    }

    #[test]
    fn offset_is_the_inverse_of_line_col() {
        let text = "a: ü\r\nbé: 😀x\nlast";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            let lc = index.line_col(text, offset as u32);
            let back = index.offset(text, lc.line as usize, lc.column as usize - 1);
            if !matches!(text.as_bytes()[offset], b'\r' | b'\n') {
                assert_eq!(back, offset as u32, "offset {offset}");
            }
        }
    }

    #[test]
    fn offset_clamps_past_line_end() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, 1, 10), 2);
        assert_eq!(index.offset(text, 9, 0), text.len() as u32);
    }

    #[test]
    fn lines_end_where_go_yaml_ends_them() {
        let text = "a\rb\r\nc\nd\u{85}e\u{2028}f\u{2029}g";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 7);
        for (i, c) in ["a", "b", "c", "d", "e", "f", "g"].iter().enumerate() {
            let offset = text.find(c).unwrap() as u32;
            assert_eq!(
                index.line_col(text, offset),
                LineCol {
                    line: i as u32 + 1,
                    column: 1
                }
            );
            assert_eq!(index.offset(text, i + 1, 5), offset + 1, "end of line {c}");
        }
    }

    #[test]
    fn offset_from_agrees_with_offset_in_any_order() {
        for text in [
            "a: ü\r\nbé: 😀x\nlast",
            "ab: cd\r\nef\n",
            "x\u{2028}é\u{85}y",
        ] {
            let index = LineIndex::new(text);
            let positions: Vec<(usize, usize)> = (1..=4)
                .flat_map(|line| (0..8).map(move |column| (line, column)))
                .collect();
            let mut cursor = OffsetCursor::default();
            // In text order, then backwards: the cursor only ever shortens the walk.
            for &(line, column) in positions.iter().chain(positions.iter().rev()) {
                assert_eq!(
                    index.offset_from(text, line, column, &mut cursor),
                    index.offset(text, line, column),
                    "{text:?} {line}:{column}"
                );
            }
        }
    }

    #[test]
    fn offset_from_walks_a_long_line_once() {
        let text = format!("[{}]", "\"é\", ".repeat(10_000));
        let index = LineIndex::new(&text);
        let mut cursor = OffsetCursor::default();
        let columns = text.chars().count();
        for column in (0..columns).step_by(5) {
            index.offset_from(&text, 1, column, &mut cursor);
        }
        assert!(cursor.walked() <= columns as u64, "{}", cursor.walked());
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let text = "x: 😀y";
        let index = LineIndex::new(text);
        assert_eq!(index.utf16_column(text, text.find('y').unwrap() as u32), 5);
    }

    /// Columns far into long lines (counted from the marks) and near line starts (counted
    /// directly) agree with counting every character from the line's start.
    #[test]
    fn columns_on_long_non_ascii_lines_match_counting_from_the_line_start() {
        let line: String = (0..3000).map(|i| ["a", "é", "€", "😀"][i % 4]).collect();
        let text = format!("{line}\n{line}\r\nshort é\n{line}");
        let index = LineIndex::new(&text);
        let mut checked = 0;
        for offset in (0..=text.len() as u32)
            .step_by(7)
            .chain([text.len() as u32])
        {
            let line = index.line_of(offset);
            let start = index.line_range(line).unwrap().start as usize;
            let mut end = offset as usize;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let prefix = &text[start..end];
            let expected = LineCol {
                line: line as u32 + 1,
                column: prefix.chars().count() as u32 + 1,
            };
            assert_eq!(index.line_col(&text, offset), expected, "at {offset}");
            let utf16: u32 = prefix.chars().map(|c| c.len_utf16() as u32).sum();
            assert_eq!(index.utf16_column(&text, offset), utf16, "at {offset}");
            checked += 1;
        }
        assert!(checked > 3000, "{checked}");
    }
}
