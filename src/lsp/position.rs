//! Positions as the protocol counts them: 0-based lines and UTF-16 code units within a line.
//!
//! Everything in k8sec is a byte offset; these are the two conversions at the edge, over
//! [`LineIndex`] (which already knows the line starts and the UTF-16 column of an offset).

use lsp_types::{Position, Range};

use crate::text::{LineIndex, TextRange};

/// The protocol's position of byte `offset` in `text`.
pub(crate) fn position(index: &LineIndex, text: &str, offset: u32) -> Position {
    Position {
        line: index.line_of(offset.min(text.len() as u32)) as u32,
        character: index.utf16_column(text, offset),
    }
}

/// The protocol's range of a byte range in `text`.
pub(crate) fn range(index: &LineIndex, text: &str, range: TextRange) -> Range {
    Range {
        start: position(index, text, range.start),
        end: position(index, text, range.end),
    }
}

/// The byte offset of a protocol position in `text`. A character past the end of its line
/// means the line's end (before its line break), a line past the last the end of the text, as
/// the protocol asks; a position inside a surrogate pair goes to the character's start.
pub(crate) fn offset(index: &LineIndex, text: &str, position: Position) -> u32 {
    let Some(line) = index.line_range(position.line as usize) else {
        return text.len() as u32;
    };
    let content = text[line.to_range()].trim_end_matches(['\n', '\r']);
    let mut units = 0u32;
    for (at, c) in content.char_indices() {
        let next = units + c.len_utf16() as u32;
        if next > position.character {
            return line.start + at as u32;
        }
        units = next;
    }
    line.start + content.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "a: ü\r\n# 😀 ok: é\nlast";
        let index = LineIndex::new(text);
        let ok = text.find("ok").unwrap() as u32;
        // `# ` is 2 units, the emoji 2 more, then a space.
        assert_eq!(position(&index, text, ok), Position::new(1, 5));
        for (at, _) in text.char_indices() {
            let p = position(&index, text, at as u32);
            if !matches!(text.as_bytes()[at], b'\r' | b'\n') {
                assert_eq!(offset(&index, text, p), at as u32, "offset {at}");
            }
        }
    }

    #[test]
    fn positions_past_a_line_or_the_text_are_clamped() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(offset(&index, text, Position::new(0, 99)), 2);
        assert_eq!(offset(&index, text, Position::new(9, 0)), 6);
        assert_eq!(position(&index, text, 6), Position::new(1, 2));
    }
}
