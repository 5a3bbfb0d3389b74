//! The fast reader's scalars: plain (folded over lines), single- and double-quoted, literal
//! blocks, each valued as yaml-rust2 values it.

use super::{Bail, Read, Reader};
use crate::yaml::tree::ScalarStyle;

impl Reader<'_> {
    /// Where a plain scalar's text on this line stops, before `line_end`: at a `:` before a
    /// blank (returned as is: the byte there is `:`), at a blank before `#`, or at the line
    /// end.
    pub(super) fn plain_stop(&self, start: usize, line_end: usize) -> usize {
        let mut at = start;
        while let Some(i) = memchr::memchr2(b':', b'#', &self.bytes[at..line_end]) {
            let found = at + i;
            match self.bytes[found] {
                b':' if self.blank(found + 1) => return self.walked(start, found),
                b'#' if found > start && self.bytes[found - 1] == b' ' => {
                    return self.walked(start, found)
                }
                _ => at = found + 1,
            }
        }
        self.walked(start, line_end)
    }

    /// `end` moved back over the spaces before it (not past `start`).
    pub(super) fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && self.bytes[end - 1] == b' ' {
            end -= 1;
        }
        end
    }

    /// Whether `text[start..end]` ends with whitespace other than ASCII's: yaml-rust2 keeps it
    /// in a plain scalar, and the builder's span recovery for yaml-rust2 does not.
    pub(super) fn ends_with_unicode_space(&self, start: usize, end: usize) -> bool {
        end > start
            && self.bytes[end - 1] >= 0x80
            && self.text[start..end]
                .chars()
                .next_back()
                .is_some_and(char::is_whitespace)
    }

    /// Reads a plain scalar starting at `start`, in a block collection at column `parent`,
    /// with its continuation lines (those indented more than `parent`), and the rest of its
    /// last line.
    pub(super) fn plain(&mut self, start: usize, parent: isize) -> Read<()> {
        let mut line_end = self.line_end(start);
        let stop = self.plain_stop(start, line_end);
        let mut end = self.trim_end(start, stop);
        if stop < line_end {
            // `: ` (a key where a value was expected) or a comment.
            self.add_plain(start, end, None)?;
            self.pos = self.end_of_line(end, false)?;
            return Ok(());
        }
        self.scratch.clear();
        let mut folded = false;
        loop {
            // Blank lines, then a line indented more than `parent` continues the scalar.
            let mut breaks = 0;
            let mut at = line_end;
            let continues = loop {
                if at >= self.bytes.len() {
                    break None;
                }
                let line = at + 1;
                let content = self.skip_spaces(line);
                match self.byte(content) {
                    None => break None,
                    Some(b'\n') => {
                        breaks += 1;
                        at = content;
                    }
                    Some(b'#') => break None,
                    Some(_) if (content - line) as isize > parent => break Some(content),
                    Some(_) => break None,
                }
            };
            let Some(content) = continues else {
                break;
            };
            if !folded {
                self.scratch.push_str(&self.text[start..end]);
                folded = true;
            }
            if breaks == 0 {
                self.scratch.push(' ');
            }
            for _ in 0..breaks {
                self.scratch.push('\n');
            }
            line_end = self.line_end(content);
            let stop = self.plain_stop(content, line_end);
            if stop < line_end && self.bytes[stop] == b':' {
                return Err(Bail);
            }
            end = self.trim_end(content, stop);
            self.scratch.push_str(&self.text[content..end]);
            if stop < line_end {
                break; // a comment
            }
        }
        let value = folded.then(|| std::mem::take(&mut self.scratch));
        self.add_plain(start, end, value.as_deref())?;
        if let Some(value) = value {
            self.scratch = value;
        }
        self.pos = self.end_of_line(end, false)?;
        Ok(())
    }

    /// Adds the plain scalar written from `start` to `end`, whose value is `folded` or, when
    /// `None`, its text.
    pub(super) fn add_plain(&mut self, start: usize, end: usize, folded: Option<&str>) -> Read<()> {
        if end == start || self.ends_with_unicode_space(start, end) {
            return Err(Bail);
        }
        let value = folded.unwrap_or(&self.text[start..end]);
        self.builder
            .add_scalar(value, ScalarStyle::Plain, start, end);
        Ok(())
    }

    /// The closing quote of the quoted scalar at `start`, if it is on the same line.
    pub(super) fn closing_quote(&self, start: usize) -> Option<usize> {
        let quote = self.bytes[start];
        let mut at = start + 1;
        while let Some(&b) = self.bytes.get(at) {
            match b {
                b'\n' => break,
                b'\\' if quote == b'"' && self.byte(at + 1) != Some(b'\n') => at += 2,
                b'\'' if quote == b'\'' && self.byte(at + 1) == Some(b'\'') => at += 2,
                b if b == quote => return Some(self.walked(start, at)),
                _ => at += 1,
            }
        }
        self.walked(start, at);
        None
    }

    /// Reads the quoted scalar whose opening quote is at `start`, in a block collection at
    /// column `parent` (its continuation lines must be indented more); where it ends (after its
    /// closing quote). `found` is its closing quote when the caller has found it on this line
    /// already (a key, an item of a flow collection): the scalar must end there.
    pub(super) fn quoted(
        &mut self,
        start: usize,
        parent: isize,
        found: Option<usize>,
    ) -> Read<usize> {
        let single = self.bytes[start] == b'\'';
        let style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        // Written as it reads: no escape, no line break.
        if let Some(close) = found.or_else(|| self.closing_quote(start)) {
            let body = &self.bytes[start + 1..close];
            let plain_body = if single {
                memchr::memchr(b'\'', body).is_none()
            } else {
                memchr::memchr(b'\\', body).is_none()
            };
            if plain_body {
                let value = &self.text[start + 1..close];
                self.builder.add_scalar(value, style, start, close + 1);
                return Ok(close + 1);
            }
        }
        self.scratch.clear();
        let end = self.quoted_value(start, single, parent)?;
        if found.is_some_and(|close| close + 1 != end) {
            return Err(Bail);
        }
        let value = std::mem::take(&mut self.scratch);
        self.builder.add_scalar(&value, style, start, end);
        self.scratch = value;
        Ok(end)
    }

    /// Reads the value of the quoted scalar at `start` into `scratch`, as yaml-rust2 folds its
    /// lines and unescapes it; where it ends.
    pub(super) fn quoted_value(
        &mut self,
        start: usize,
        single: bool,
        parent: isize,
    ) -> Read<usize> {
        let quote = if single { b'\'' } else { b'"' };
        let mut at = start + 1;
        loop {
            // Non-blank characters.
            let mut escaped = false;
            loop {
                let Some(b) = self.byte(at) else {
                    return Err(Bail);
                };
                match b {
                    b' ' | b'\n' => break,
                    b'\'' if single && self.byte(at + 1) == Some(b'\'') => {
                        self.scratch.push('\'');
                        at += 2;
                    }
                    b if b == quote => return Ok(at + 1),
                    b'\\' if !single && self.byte(at + 1) == Some(b'\n') => {
                        at += 2;
                        self.continues(at, parent)?;
                        escaped = true;
                        break;
                    }
                    b'\\' if !single => at = self.escape(at)?,
                    _ => {
                        let next = memchr::memchr3(quote, b' ', b'\n', &self.bytes[at + 1..])
                            .map_or(self.bytes.len(), |i| at + 1 + i);
                        let next = if single {
                            next
                        } else {
                            memchr::memchr(b'\\', &self.bytes[at..next]).map_or(next, |i| at + i)
                        };
                        let next = self.walked(at, next.max(at + 1));
                        self.scratch.push_str(&self.text[at..next]);
                        at = next;
                    }
                }
            }
            at = self.quoted_blanks(at, escaped, parent)?;
        }
    }

    /// Reads the blanks and line breaks at `at` inside a quoted scalar (after an escaped line
    /// break when `escaped`) into `scratch`, folded as yaml-rust2 folds them: a line break is a
    /// space, unless blank lines follow it (then each is a line break); an escaped one is
    /// nothing. Where they end.
    fn quoted_blanks(&mut self, mut at: usize, escaped: bool, parent: isize) -> Read<usize> {
        let mut leading_blanks = escaped;
        let mut spaces = 0;
        let mut leading_break = false;
        let mut trailing_breaks = 0;
        loop {
            match self.byte(at) {
                Some(b' ') => {
                    if !leading_blanks {
                        spaces += 1;
                    }
                    at += 1;
                }
                Some(b'\n') => {
                    if leading_blanks {
                        trailing_breaks += 1;
                    } else {
                        spaces = 0;
                        leading_break = true;
                        leading_blanks = true;
                    }
                    at += 1;
                    self.continues(at, parent)?;
                }
                _ => break,
            }
        }
        let (fill, count) = match (leading_blanks, leading_break) {
            (false, _) => (' ', spaces),
            (true, true) if trailing_breaks == 0 => (' ', 1),
            (true, _) => ('\n', trailing_breaks),
        };
        for _ in 0..count {
            self.scratch.push(fill);
        }
        Ok(at)
    }

    /// Checks the line starting at `line`, inside a quoted scalar of a block collection at
    /// column `parent`: blank, or indented more than the collection (yaml-rust2 refuses less;
    /// as much is left to it).
    pub(super) fn continues(&self, line: usize, parent: isize) -> Read<()> {
        let content = self.skip_spaces(line);
        match self.byte(content) {
            Some(b'\n') => Ok(()),
            _ if (content - line) as isize > parent => Ok(()),
            _ => Err(Bail),
        }
    }

    /// Reads the escape at `at` (a `\`) of a double-quoted scalar into `scratch`; where it
    /// ends.
    pub(super) fn escape(&mut self, at: usize) -> Read<usize> {
        let code = self.byte(at + 1).ok_or(Bail)?;
        let simple = match code {
            b'0' => Some('\0'),
            b'a' => Some('\x07'),
            b'b' => Some('\x08'),
            b't' => Some('\t'),
            b'n' => Some('\n'),
            b'v' => Some('\x0b'),
            b'f' => Some('\x0c'),
            b'r' => Some('\r'),
            b'e' => Some('\x1b'),
            b' ' => Some(' '),
            b'"' => Some('"'),
            b'/' => Some('/'),
            b'\\' => Some('\\'),
            b'N' => Some('\u{85}'),
            b'_' => Some('\u{a0}'),
            b'L' => Some('\u{2028}'),
            b'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(c) = simple {
            self.scratch.push(c);
            return Ok(at + 2);
        }
        let digits = match code {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => return Err(Bail),
        };
        let hex = self.text.get(at + 2..at + 2 + digits).ok_or(Bail)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Bail);
        }
        let value = u32::from_str_radix(hex, 16).map_err(|_| Bail)?;
        self.scratch.push(char::from_u32(value).ok_or(Bail)?);
        Ok(at + 2 + digits)
    }

    /// Reads the literal block scalar whose header (`|`, `|-`) is at `header`, in a block
    /// collection at column `parent`; `pos` ends at the line after its last line.
    pub(super) fn literal(&mut self, header: usize, parent: isize) -> Read<()> {
        let mut at = header + 1;
        let strip = self.byte(at) == Some(b'-');
        if strip {
            at += 1;
        }
        let header_end = self.end_of_line(at, false)?;
        if header_end >= self.bytes.len() {
            return Err(Bail);
        }
        // The indentation: the first line with content; blank lines before it no longer.
        let mut line = header_end + 1;
        let mut longest_blank = 0;
        let indent = loop {
            let content = self.skip_spaces(line);
            match self.byte(content) {
                None => return Err(Bail),
                Some(b'\n') => {
                    longest_blank = longest_blank.max(content - line);
                    line = content + 1;
                }
                Some(_) => break content - line,
            }
        };
        if indent as isize <= parent || indent == 0 || longest_blank > indent {
            return Err(Bail);
        }
        self.scratch.clear();
        let mut line = header_end + 1;
        let mut breaks = 0;
        let mut end = header_end;
        loop {
            if line >= self.bytes.len() {
                break;
            }
            let content = self.skip_spaces(line);
            let line_end = self.line_end(line);
            if content == line_end {
                if line_end - line > indent {
                    return Err(Bail);
                }
                breaks += 1;
            } else if content - line < indent {
                break;
            } else {
                if self.bytes[content] >= 0x80 && self.text[content..line_end].trim().is_empty() {
                    return Err(Bail);
                }
                for _ in 0..breaks {
                    self.scratch.push('\n');
                }
                breaks = 0;
                self.scratch.push_str(&self.text[line + indent..line_end]);
                self.scratch.push('\n');
                end = line_end;
            }
            if line_end >= self.bytes.len() {
                // The last line ends the text without a line break.
                return Err(Bail);
            }
            line = line_end + 1;
        }
        if strip {
            self.scratch.pop();
        }
        let value = std::mem::take(&mut self.scratch);
        self.builder
            .add_scalar(&value, ScalarStyle::Literal, header, end);
        self.scratch = value;
        // Back to the break before the line that ended the block: the next token is after it.
        self.pos = line - 1;
        Ok(())
    }
}
