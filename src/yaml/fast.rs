//! A reader for the YAML nearly every manifest is written in, without yaml-rust2.
//!
//! yaml-rust2 cost two thirds of a lint: it decodes the text character by character and
//! allocates a `String` per token, and its positions are counted in characters, which the
//! builder walks back into bytes. Manifests use a small part of YAML: block mappings and
//! sequences, plain and quoted scalars (on several lines in generated CRDs), literal block
//! scalars and flow collections (`verbs: [get, list]`, `{app: web}`, JSON). This reader reads
//! that part from the bytes and gives the [`Builder`] the calls yaml-rust2's events give it, in
//! the same order and at the same offsets, so the trees are the same.
//!
//! Anything else — anchors, aliases, tags, folded scalars, explicit keys, directives, comments
//! inside flow collections, tabs, CR line ends, a byte order mark, and any text yaml-rust2
//! would refuse or read some other way — makes the reader give up ([`Bail`]) and the text is
//! read by yaml-rust2, as before. Its rules stay on the safe side of yaml-rust2's: a
//! continuation line must be indented more than its collection, a whitespace-only line in a
//! literal block no longer than its indentation. The unit tests (`fast/tests.rs`) compare both
//! readers' trees on every file of the corpus, the YAML test suite, testdata and mutants of
//! them.
//!
//! Block structure is here; scalars in `scalars.rs`, flow collections in `flow.rs`.

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

/// Farthest a key's `:` is read from the key's start: past 1024 characters yaml-rust2 no
/// longer takes the text before a `:` for a key.
pub(super) const MAX_KEY: usize = 1000;

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
        let first = self.bytes[self.pos];
        // At the root, only a flow collection (a JSON file's object) is read here.
        if (parent < 0 && first != b'{' && first != b'[') || first == b'|' {
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
            b'[' | b'{' => self.flow_collection(start, parent)?,
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
        if colon - start > MAX_KEY {
            return Err(Bail);
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
        self.quoted(key.start, -1, Some(key.end - 1))?;
        Ok(())
    }
}

mod flow;
mod scalars;
#[cfg(test)]
mod tests;
