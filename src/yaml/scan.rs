//! Finding where a scalar ends by scanning the source.
//!
//! yaml-rust2 markers only give the start of a token, so the end of each scalar is recovered
//! from the text: quotes are matched, block scalars end at their last more-indented line, and a
//! plain scalar ends after as many non-blank characters as its value has (a plain scalar has no
//! escapes, and folding only changes whitespace), which also covers multi-line plain scalars.

/// End (exclusive byte offset) of a plain scalar starting at `start` whose value is `value`.
pub(super) fn plain_end(text: &str, start: usize, value: &str) -> usize {
    // Most plain scalars sit on one line, written as their value reads: then they end where
    // the value does (the count below would stop at the same character). Comparing bytes
    // avoids decoding every character of every scalar (4% of a corpus lint did that).
    let written_as_read = text.as_bytes()[start.min(text.len())..].starts_with(value.as_bytes());
    if written_as_read && !value.is_empty() && !value.ends_with(char::is_whitespace) {
        return start + value.len();
    }
    let mut remaining = value.chars().filter(|c| !c.is_whitespace()).count();
    let mut end = start;
    if remaining == 0 {
        return start;
    }
    for (i, c) in text[start..].char_indices() {
        if !c.is_whitespace() {
            remaining -= 1;
            if remaining == 0 {
                end = start + i + c.len_utf8();
                break;
            }
        }
    }
    end.max(start)
}

/// End of a double-quoted scalar whose opening quote is at `start`.
pub(super) fn double_quoted_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// End of a single-quoted scalar whose opening quote is at `start` (`''` is an escaped quote).
pub(super) fn single_quoted_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    text.len()
}

/// Start of a block scalar's header (`|`, `>-`, `|2+`…), given where its content starts.
///
/// The header is the last `|` or `>` on the last non-blank line before the content, ignoring a
/// trailing comment. When the content is empty the marker sits on the header line itself.
pub(super) fn block_header_start(text: &str, content_start: usize) -> usize {
    let before = &text[..content_start];
    // Lines before the content, last first; skip blank ones.
    let mut line_end = before.rfind('\n').unwrap_or(0);
    if before[line_end..]
        .trim()
        .chars()
        .any(|c| c == '|' || c == '>')
    {
        line_end = before.len();
    }
    let mut cursor = line_end;
    loop {
        let line_start = before[..cursor].rfind('\n').map_or(0, |i| i + 1);
        let line = &before[line_start..cursor];
        let code = strip_comment(line);
        if let Some(pos) = code.rfind(['|', '>']) {
            return line_start + pos;
        }
        if line_start == 0 {
            return content_start;
        }
        cursor = line_start - 1;
    }
}

/// The first block scalar indicator (`|`, `>`) after `from` (the end of the node before it:
/// a key, a `-`), outside comments.
pub(super) fn block_header_after(text: &str, from: usize) -> Option<usize> {
    let mut pos = from;
    while pos < text.len() {
        let next = crate::text::next_line_break(text, pos).unwrap_or(text.len());
        let code = strip_comment(&text[pos..next]);
        if let Some(at) = code.find(['|', '>']) {
            return Some(pos + at);
        }
        pos = next;
    }
    None
}

/// The end of a block scalar's header line (`|+2`), before blanks and a comment.
pub(super) fn header_end(text: &str, header: usize) -> usize {
    let line_end = crate::text::next_line_break(text, header).map_or(text.len(), |end| {
        end - crate::text::line_break_len(&text[header..end])
    });
    strip_comment_end(text, header, line_end)
}

/// End of a block scalar whose content starts at `content_start`: the end of its last
/// non-blank line (trailing blank lines and the final line break are not part of the span).
pub(super) fn block_end(text: &str, header: usize, content_start: usize) -> usize {
    let header_line_end = text[header..].find('\n').map_or(text.len(), |i| header + i);
    if content_start <= header_line_end {
        // No content lines at all (`key: |` followed by a less indented line).
        return strip_comment_end(text, header, header_line_end);
    }
    let line_start = text[..content_start].rfind('\n').map_or(0, |i| i + 1);
    let indent = content_start - line_start;
    let bytes = text.as_bytes();
    let mut end = content_start;
    let mut pos = line_start;
    while pos < text.len() {
        let next = memchr::memchr(b'\n', &bytes[pos..]).map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..next].trim_end_matches(['\n', '\r']);
        let leading = line.bytes().take_while(|&b| b == b' ').count();
        // A line whose first character after its indentation is printable ASCII has content;
        // only other lines need Unicode's notion of blank.
        let content = line
            .as_bytes()
            .get(leading)
            .is_some_and(u8::is_ascii_graphic);
        if !content && line.trim().is_empty() {
            pos = next;
            continue;
        }
        if leading < indent {
            break;
        }
        end = pos + line.len();
        pos = next;
    }
    end
}

/// The value go-yaml gives a block scalar without content (its header at `header`): nothing,
/// or with `+` (keep) one line break per blank line after the header. (yaml-rust2 adds a line
/// break when such a scalar ends the file.) `None` when the block has content after all.
pub(super) fn empty_block_value(text: &str, header: usize) -> Option<String> {
    let header_end = crate::text::next_line_break(text, header).unwrap_or(text.len());
    let indicators = text[header..header_end]
        .trim_end_matches(['\n', '\r'])
        .split(|c: char| c == '#' || c.is_whitespace())
        .next()
        .unwrap_or("");
    let mut blank_lines = 0;
    let mut pos = header_end;
    while pos < text.len() {
        let next = crate::text::next_line_break(text, pos).unwrap_or(text.len());
        let line = text[pos..next].trim_end_matches(['\n', '\r']);
        if !line.trim_matches([' ', '\t']).is_empty() {
            break;
        }
        if !line.is_empty() && indicators.bytes().any(|b| b.is_ascii_digit()) {
            return None; // spaces past an explicit indentation are content
        }
        blank_lines += 1;
        pos = next;
    }
    Some(if indicators.contains('+') {
        "\n".repeat(blank_lines)
    } else {
        String::new()
    })
}

/// The part of a line before a ` #` comment (a `#` at the start or after whitespace).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            return &line[..i];
        }
    }
    line
}

fn strip_comment_end(text: &str, start: usize, line_end: usize) -> usize {
    let code = strip_comment(&text[start..line_end]);
    start + code.trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalar_spans_folded_lines() {
        let text = "k: plain multi\n  line here # c\n";
        let start = 3;
        let end = plain_end(text, start, "plain multi line here");
        assert_eq!(&text[start..end], "plain multi\n  line here");
    }

    #[test]
    fn plain_scalars_written_as_they_read_end_where_their_value_does() {
        for (text, value, expected) in [
            ("k: nginx:1.27 # c\n", "nginx:1.27", "nginx:1.27"),
            ("k: café crème\n", "café crème", "café crème"),
            ("[a, b]", "a", "a"),
            // The value is a prefix of what follows: still its own end.
            ("k: ab\n  abc\n", "ab abc", "ab\n  abc"),
            ("k: x", "x", "x"),
        ] {
            let start = text.find(&value[..1]).unwrap();
            assert_eq!(
                &text[start..plain_end(text, start, value)],
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let text = r#"a: "x \" y" b"#;
        assert_eq!(&text[3..double_quoted_end(text, 3)], r#""x \" y""#);
        let text = "a: 'it''s' # c";
        assert_eq!(&text[3..single_quoted_end(text, 3)], "'it''s'");
    }

    #[test]
    fn block_scalar_spans_header_to_last_content_line() {
        let text = "b: |-  # note\n  one\n\n  two\n\nc: 1\n";
        let content = text.find("one").unwrap();
        let header = block_header_start(text, content);
        assert_eq!(header, 3);
        let end = block_end(text, header, content);
        assert_eq!(&text[header..end], "|-  # note\n  one\n\n  two");
    }

    /// Lines whose content starts with something other than printable ASCII: tabs and other
    /// blanks are blank lines (they neither end the block nor extend it), other characters are
    /// content.
    #[test]
    fn block_scalar_lines_starting_with_blanks_or_non_ascii() {
        let text = "b: |\n  one\n\t\n \u{a0}\n  ü\n  \t\nc: 1\n";
        let content = text.find("one").unwrap();
        let header = block_header_start(text, content);
        let end = block_end(text, header, content);
        assert_eq!(&text[header..end], "|\n  one\n\t\n \u{a0}\n  ü");
        let text = "b: |\n  one\n é\n";
        let end = block_end(text, 3, text.find("one").unwrap());
        assert_eq!(&text[3..end], "|\n  one");
    }

    #[test]
    fn empty_block_scalars_read_as_go_yaml_reads_them() {
        for (text, value) in [
            ("b: |\n", ""),
            ("b: |+\n", ""),
            ("b: |+\n\n\n", "\n\n"),
            ("b: >+ # c\n  \n", "\n"),
            ("b: |2-\n\n", ""),
        ] {
            assert_eq!(
                empty_block_value(text, 3).as_deref(),
                Some(value),
                "{text:?}"
            );
        }
    }

    #[test]
    fn block_scalar_with_crlf_excludes_the_line_break() {
        let text = "b: >\r\n  x\r\n  y\r\nc: 1\r\n";
        let content = text.find('x').unwrap();
        let header = block_header_start(text, content);
        let end = block_end(text, header, content);
        assert_eq!(&text[header..end], ">\r\n  x\r\n  y");
    }
}
