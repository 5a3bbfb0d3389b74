//! A reader for the YAML nearly every manifest is written in, without yaml-rust2.
//!
//! yaml-rust2 costs most of a lint: it decodes the text character by character and allocates a
//! `String` per token, and its positions are counted in characters, which the builder turns
//! back into bytes. Manifests use a small part of YAML: block mappings and sequences, plain
//! and quoted scalars (on several lines in generated CRDs), literal block scalars, one-line
//! flow sequences of scalars (`verbs: [get, list]`) and empty flow collections. This reader
//! reads that part from the bytes and gives the [`Builder`] the calls yaml-rust2's events give
//! it, in the same order and at the same offsets, so the trees are the same.
//!
//! Anything else — anchors, aliases, tags, folded scalars, flow mappings, explicit keys,
//! directives, tabs, CR line ends, a byte order mark, and any text yaml-rust2 would refuse or
//! read some other way — makes the reader give up ([`Bail`]) and the text is read by
//! yaml-rust2, as before. Its rules stay on the safe side of yaml-rust2's: a continuation line
//! must be indented more than its collection, a whitespace-only line in a literal block no
//! longer than its indentation. The unit tests compare both readers' trees on every file of
//! the corpus, the YAML test suite and thousands of mutants of both.

use std::cell::Cell;

use super::parse::{Builder, ParsedStream};
use super::tree::ScalarStyle;

/// The text uses YAML this reader leaves to yaml-rust2.
#[derive(Debug)]
pub(super) struct Bail;

type Read<T> = Result<T, Bail>;

impl From<super::parse::YamlError> for Bail {
    fn from(_: super::parse::YamlError) -> Self {
        Bail
    }
}

/// Where the next token is: its column, or `None` at the end of the text or of the document
/// (a `---` line).
type Next = Option<usize>;

/// Longest plain key read: yaml-rust2 refuses a simple key longer than 1024 characters.
const MAX_KEY: usize = 1000;

/// The stream `builder`'s text holds, or `None` where it uses YAML left to yaml-rust2.
pub(super) fn read(builder: Builder<'_>) -> Option<ParsedStream> {
    let text = builder.text;
    if !readable(text.as_bytes()) {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        builder,
        scratch: String::new(),
        work: Cell::new(0),
    };
    let mut stream = reader.stream().ok()?;
    stream.work = reader.work.get();
    Some(stream)
}

/// Whether the text holds none of what this reader never reads: tabs (their rules in
/// indentation and around tokens differ from spaces'), CR (line ends), NUL (the end of the
/// text to yaml-rust2), a byte order mark, and the line breaks only go-yaml knows.
fn readable(bytes: &[u8]) -> bool {
    if memchr::memchr3(b'\t', b'\r', 0, bytes).is_some() {
        return false;
    }
    if bytes.is_ascii() {
        return true;
    }
    ["\u{feff}", "\u{85}", "\u{2028}", "\u{2029}"]
        .iter()
        .all(|c| memchr::memmem::find(bytes, c.as_bytes()).is_none())
}

/// Characters that cannot start a plain scalar (`-`, `?`, `:` can, before a non-blank).
fn indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

fn flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// A mapping key found on a line.
struct Key {
    start: usize,
    /// End of the key's text (a quoted key's closing quote included).
    end: usize,
    /// Where its `:` is.
    colon: usize,
    style: ScalarStyle,
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// Where reading is.
    pos: usize,
    builder: Builder<'t>,
    /// A scalar's value when it is not written as it reads (folded lines, escapes).
    scratch: String,
    /// Bytes looked at (the work the linearity tests count, as [`ParsedStream::work`]).
    work: Cell<u64>,
}

impl<'t> Reader<'t> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// Whether the byte at `at` is a space, a line break or the end of the text.
    fn blank(&self, at: usize) -> bool {
        matches!(self.byte(at), None | Some(b' ' | b'\n'))
    }

    /// The end of the line `at` is on (its `\n`, or the end of the text).
    fn line_end(&self, at: usize) -> usize {
        let end = memchr::memchr(b'\n', &self.bytes[at.min(self.bytes.len())..])
            .map_or(self.bytes.len(), |i| at + i);
        self.walked(at, end)
    }

    fn skip_spaces(&self, from: usize) -> usize {
        let mut at = from;
        while self.byte(at) == Some(b' ') {
            at += 1;
        }
        self.walked(from, at)
    }

    /// Counts the bytes from `from` to `to` as looked at; `to`.
    fn walked(&self, from: usize, to: usize) -> usize {
        self.work
            .set(self.work.get() + to.saturating_sub(from) as u64);
        to
    }

    /// Whether a plain scalar can start at `at` in a block collection: not at an indicator,
    /// unless it is a `-` before a non-blank (`-v`, `--flag`).
    fn plain_starts(&self, at: usize) -> bool {
        let b = self.bytes[at];
        !indicator(b) || (b == b'-' && !self.blank(at + 1))
    }

    /// Whether a `---` (or with `dots`, `...`) document marker starts at `at`, a line start.
    fn marker(&self, at: usize, dots: bool) -> bool {
        let mark: &[u8] = if dots { b"..." } else { b"---" };
        self.bytes[at..].starts_with(mark) && self.blank(at + 3)
    }

    fn stream(&mut self) -> Read<ParsedStream> {
        let mut stream = ParsedStream::default();
        let mut next = self.next_token()?;
        loop {
            if self.pos >= self.bytes.len() {
                return Ok(stream);
            }
            let doc_start;
            if next.is_none() {
                // A `---` line.
                doc_start = self.builder.start_document(self.pos);
                self.pos = self.end_of_line(self.pos + 3, true)?;
                next = self.next_token()?;
            } else {
                doc_start = self.builder.start_document(self.pos);
            }
            next = match next {
                None => {
                    self.builder.add_null(self.pos);
                    None
                }
                Some(column) => self.block_node(column, -1)?,
            };
            if next.is_some() {
                return Err(Bail);
            }
            stream
                .documents
                .extend(self.builder.end_document(doc_start));
        }
    }

    /// Moves to the next token, past line breaks, blank lines and comment lines (`pos` is at a
    /// line break, the end of the text, or a line start); its column, or `None` at the end or
    /// at a `---` line. A `...` line is left to yaml-rust2.
    fn next_token(&mut self) -> Read<Next> {
        loop {
            if self.pos >= self.bytes.len() {
                return Ok(None);
            }
            if self.bytes[self.pos] == b'\n' {
                self.pos += 1;
                continue;
            }
            let line = self.pos;
            let at = self.skip_spaces(line);
            match self.byte(at) {
                None => {
                    self.pos = at;
                    return Ok(None);
                }
                Some(b'\n') => self.pos = at,
                Some(b'#') => self.pos = self.line_end(at),
                Some(_) if at == line && self.marker(at, true) => return Err(Bail),
                Some(_) if at == line && self.marker(at, false) => return Ok(None),
                Some(_) => {
                    self.pos = at;
                    return Ok(Some(at - line));
                }
            }
        }
    }

    /// Checks that the rest of the line from `at` is blanks and maybe a comment (after a blank,
    /// or anywhere when `spaced`); where the line ends.
    fn end_of_line(&self, at: usize, spaced: bool) -> Read<usize> {
        let after = self.skip_spaces(at);
        match self.byte(after) {
            None | Some(b'\n') => Ok(after),
            Some(b'#') if spaced || after > at => Ok(self.line_end(after)),
            Some(_) => Err(Bail),
        }
    }

    /// Reads the block node at `pos` (column `column`), in a block collection at column
    /// `parent` (-1 at the root); where the next token is.
    fn block_node(&mut self, column: usize, parent: isize) -> Read<Next> {
        if self.bytes[self.pos] == b'-' && self.blank(self.pos + 1) {
            return self.block_sequence(column);
        }
        if let Some(key) = self.key()? {
            return self.block_mapping(column, key);
        }
        if parent < 0 || self.bytes[self.pos] == b'|' {
            return Err(Bail);
        }
        self.inline_value(parent)?;
        self.next_token()
    }

    /// Reads a block mapping whose first key, `key`, is at `pos` (column `column`).
    fn block_mapping(&mut self, column: usize, first: Key) -> Read<Next> {
        self.builder.open(self.pos, false, 0, None)?;
        let mut key = first;
        let next = loop {
            self.add_key(&key)?;
            self.pos = key.colon + 1;
            let next = self.value_after(column, true)?;
            match next {
                Some(c) if c == column => {
                    key = self.key()?.ok_or(Bail)?;
                }
                Some(c) if c > column => return Err(Bail),
                _ => break next,
            }
        };
        self.builder.close_at(self.pos);
        Ok(next)
    }

    /// Reads a block sequence whose first `-` is at `pos` (column `column`).
    fn block_sequence(&mut self, column: usize) -> Read<Next> {
        self.builder.open(self.pos, true, 0, None)?;
        let next = loop {
            self.pos += 1;
            let next = self.value_after(column, false)?;
            match next {
                Some(c)
                    if c == column && self.bytes[self.pos] == b'-' && self.blank(self.pos + 1) => {}
                _ => break next,
            }
        };
        self.builder.close_at(self.pos);
        Ok(next)
    }

    /// Reads the value after a mapping's `:` or a sequence's `-` (at `pos - 1`), of a
    /// collection at column `column`: on the same line, on the lines after, or none (a null);
    /// where the next token is.
    fn value_after(&mut self, column: usize, in_mapping: bool) -> Read<Next> {
        let at = self.skip_spaces(self.pos);
        if matches!(self.byte(at), None | Some(b'\n' | b'#')) {
            self.pos = self.end_of_line(at, false)?;
            let next = self.next_token()?;
            return match next {
                Some(c) if c > column => self.block_node(c, column as isize),
                Some(c)
                    if in_mapping
                        && c == column
                        && self.bytes[self.pos] == b'-'
                        && self.blank(self.pos + 1) =>
                {
                    // A sequence at the mapping's own indentation, as manifests often write.
                    self.block_sequence(c)
                }
                _ => {
                    self.builder.add_null(self.pos);
                    Ok(next)
                }
            };
        }
        let indicator_at = self.pos - 1;
        self.pos = at;
        if !in_mapping {
            if self.bytes[at] == b'-' && self.blank(at + 1) {
                return Err(Bail);
            }
            if let Some(key) = self.key()? {
                // `- name: x`: a mapping at the column of its first key.
                return self.block_mapping(column + (at - indicator_at), key);
            }
        }
        self.inline_value(column as isize)?;
        self.next_token()
    }

    /// Reads a scalar or flow collection starting at `pos`, in a block collection at column
    /// `parent`, and the rest of its line: `pos` ends at the line's end.
    fn inline_value(&mut self, parent: isize) -> Read<()> {
        let start = self.pos;
        let end = match self.bytes[start] {
            b'"' | b'\'' => self.quoted(start, parent, None)?,
            b'|' => return self.literal(start, parent),
            b'[' | b'{' => self.flow_collection(start)?,
            _ if !self.plain_starts(start) => return Err(Bail),
            _ => return self.plain(start, parent),
        };
        self.pos = self.end_of_line(end, false)?;
        Ok(())
    }

    /// Reads a key at `pos` if there is one: a plain or quoted scalar on this line followed by
    /// `:` and a blank.
    fn key(&mut self) -> Read<Option<Key>> {
        let start = self.pos;
        let first = self.bytes[start];
        let (end, style) = match first {
            b'"' | b'\'' => {
                let Some(close) = self.closing_quote(start) else {
                    return Ok(None);
                };
                let style = if first == b'"' {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                };
                (close + 1, style)
            }
            _ if !self.plain_starts(start) => return Ok(None),
            _ => {
                let line_end = self.line_end(start);
                let colon = self.plain_stop(start, line_end);
                if self.byte(colon) != Some(b':') {
                    return Ok(None);
                }
                let end = self.trim_end(start, colon);
                if colon - start > MAX_KEY || self.ends_with_unicode_space(start, end) {
                    return Err(Bail);
                }
                return Ok(Some(Key {
                    start,
                    end,
                    colon,
                    style: ScalarStyle::Plain,
                }));
            }
        };
        let colon = self.skip_spaces(end);
        if self.byte(colon) != Some(b':') || !self.blank(colon + 1) {
            return Ok(None);
        }
        Ok(Some(Key {
            start,
            end,
            colon,
            style,
        }))
    }

    fn add_key(&mut self, key: &Key) -> Read<()> {
        if key.style == ScalarStyle::Plain {
            let value = &self.text[key.start..key.end];
            self.builder
                .add_scalar(value, ScalarStyle::Plain, key.start, key.end);
            return Ok(());
        }
        let end = self.quoted(key.start, -1, Some(key.end))?;
        debug_assert_eq!(end, key.end);
        Ok(())
    }

    /// Where a plain scalar's text on this line stops, before `line_end`: at a `:` before a
    /// blank (returned as is: the byte there is `:`), at a blank before `#`, or at the line
    /// end.
    fn plain_stop(&self, start: usize, line_end: usize) -> usize {
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
    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && self.bytes[end - 1] == b' ' {
            end -= 1;
        }
        end
    }

    /// Whether `text[start..end]` ends with whitespace other than ASCII's: yaml-rust2 keeps it
    /// in a plain scalar, and the builder's span recovery for yaml-rust2 does not.
    fn ends_with_unicode_space(&self, start: usize, end: usize) -> bool {
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
    fn plain(&mut self, start: usize, parent: isize) -> Read<()> {
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
    fn add_plain(&mut self, start: usize, end: usize, folded: Option<&str>) -> Read<()> {
        if end == start || self.ends_with_unicode_space(start, end) {
            return Err(Bail);
        }
        let value = folded.unwrap_or(&self.text[start..end]);
        self.builder
            .add_scalar(value, ScalarStyle::Plain, start, end);
        Ok(())
    }

    /// The closing quote of the quoted scalar at `start`, if it is on the same line.
    fn closing_quote(&self, start: usize) -> Option<usize> {
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
    /// column `parent` (its continuation lines must be indented more; `-1` for a key, which
    /// must end at `key_end`); where it ends (after its closing quote).
    fn quoted(&mut self, start: usize, parent: isize, key_end: Option<usize>) -> Read<usize> {
        let single = self.bytes[start] == b'\'';
        let style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        // Written as it reads: no escape, no line break.
        if let Some(close) = self.closing_quote(start) {
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
        if key_end.is_some_and(|k| k != end) {
            return Err(Bail);
        }
        let value = std::mem::take(&mut self.scratch);
        self.builder.add_scalar(&value, style, start, end);
        self.scratch = value;
        Ok(end)
    }

    /// Reads the value of the quoted scalar at `start` into `scratch`, as yaml-rust2 folds its
    /// lines and unescapes it; where it ends.
    fn quoted_value(&mut self, start: usize, single: bool, parent: isize) -> Read<usize> {
        let quote = if single { b'\'' } else { b'"' };
        let mut at = start + 1;
        loop {
            // Non-blank characters.
            let mut leading_blanks = false;
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
                        leading_blanks = true;
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
            // Blanks and line breaks.
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
            // Folded as yaml-rust2 folds: a line break is a space, unless blank lines follow
            // it (then each is a line break); an escaped one is nothing.
            let (fill, count) = match (leading_blanks, leading_break) {
                (false, _) => (' ', spaces),
                (true, true) if trailing_breaks == 0 => (' ', 1),
                (true, _) => ('\n', trailing_breaks),
            };
            for _ in 0..count {
                self.scratch.push(fill);
            }
        }
    }

    /// Checks the line starting at `line`, inside a quoted scalar of a block collection at
    /// column `parent`: blank, or indented more than the collection (yaml-rust2 refuses less;
    /// as much is left to it).
    fn continues(&self, line: usize, parent: isize) -> Read<()> {
        let content = self.skip_spaces(line);
        match self.byte(content) {
            Some(b'\n') => Ok(()),
            _ if (content - line) as isize > parent => Ok(()),
            _ => Err(Bail),
        }
    }

    /// Reads the escape at `at` (a `\`) of a double-quoted scalar into `scratch`; where it
    /// ends.
    fn escape(&mut self, at: usize) -> Read<usize> {
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
    fn literal(&mut self, header: usize, parent: isize) -> Read<()> {
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

    /// Reads the one-line flow collection whose `[` or `{` is at `start`; where it ends (after
    /// its `]` or `}`).
    fn flow_collection(&mut self, start: usize) -> Read<usize> {
        let sequence = self.bytes[start] == b'[';
        let close = if sequence { b']' } else { b'}' };
        self.builder.open(start, sequence, 0, None)?;
        let mut at = self.skip_spaces(start + 1);
        if self.byte(at) == Some(close) {
            self.builder.close_at(at);
            return Ok(at + 1);
        }
        loop {
            if !sequence {
                at = self.flow_node(at, true)?;
                at = self.skip_spaces(at);
                if self.byte(at) != Some(b':') || self.byte(at + 1) != Some(b' ') {
                    return Err(Bail);
                }
                at = self.skip_spaces(at + 1);
            }
            at = self.flow_node(at, false)?;
            at = self.skip_spaces(at);
            match self.byte(at) {
                Some(b',') => {
                    at = self.skip_spaces(at + 1);
                    if matches!(self.byte(at), Some(b']' | b'}' | b',')) {
                        return Err(Bail);
                    }
                }
                Some(b) if b == close => {
                    self.builder.close_at(at);
                    return Ok(at + 1);
                }
                _ => return Err(Bail),
            }
        }
    }

    /// Reads the node at `at` of a one-line flow collection (a `key`: a scalar); where it ends.
    fn flow_node(&mut self, at: usize, key: bool) -> Read<usize> {
        match self.byte(at).ok_or(Bail)? {
            b'"' | b'\'' => {
                let close = self.closing_quote(at).ok_or(Bail)?;
                self.quoted(at, -1, Some(close + 1))
            }
            b'[' | b'{' if !key => self.flow_collection(at),
            b'-' if self.blank(at + 1) || self.byte(at + 1).is_some_and(flow_indicator) => {
                Err(Bail)
            }
            b if b != b'-' && indicator(b) => Err(Bail),
            _ => {
                let mut end = at;
                while let Some(b) = self.byte(end) {
                    match b {
                        b',' | b'[' | b']' | b'{' | b'}' => break,
                        b':' if self.byte(end + 1) == Some(b' ') => break,
                        b':' if self.blank(end + 1)
                            || self.byte(end + 1).is_some_and(flow_indicator) =>
                        {
                            return Err(Bail)
                        }
                        b'#' if self.bytes[end - 1] == b' ' => return Err(Bail),
                        b'\n' => return Err(Bail),
                        _ => end += 1,
                    }
                }
                let end = self.trim_end(at, self.walked(at, end));
                self.add_plain(at, end, None)?;
                Ok(end)
            }
        }
    }
}

#[cfg(test)]
mod tests;
