//! The text yaml-rust2 is given, so that it reads what the Kubernetes reader (go-yaml, behind
//! apimachinery's document splitting) reads.
//!
//! yaml-rust2 follows the YAML spec; go-yaml (libyaml) differs in ways real manifests and
//! hostile ones rely on. Rather than fork the parser, the text is edited before parsing and
//! every offset is mapped back afterwards, so spans still point into the file's own bytes:
//!
//! - characters go-yaml refuses (NUL, other control characters, U+FFFE/U+FFFF) stop reading
//!   at the document holding them ([`refused_char`]): yaml-rust2 would end the stream at a NUL
//!   and silently drop the rest;
//! - U+0085, U+2028 and U+2029 end lines for go-yaml, not for yaml-rust2: they are replaced by
//!   line breaks of the same length (`\r\n`, ` \r\n`), so a comment cannot hide a key from
//!   k8sec that the cluster reads;
//! - a byte order mark at the start of a document is dropped, as go-yaml drops it when it
//!   starts reading a document;
//! - where yaml-rust2 stops on something go-yaml accepts, the text is mended and parsed again
//!   ([`mend`]): flow collections and quoted scalars whose lines sit at or below the block
//!   indentation (go-yaml ignores indentation there; spaces are inserted), a tab after `:`
//!   (replaced by a space), the `\'` escape (spelled `\x27`), a stream of JSON objects (a
//!   `---` between them). An indentation mend is kept only if the line it indents turns out to
//!   be inside a flow collection or a quoted scalar, where indentation means nothing to either
//!   parser.

use std::borrow::Cow;

/// Where go-yaml's reader stops: the first character it refuses and its offset. It accepts
/// tab, line feed, carriage return, printable ASCII, U+0085, U+00A0–U+D7FF, U+E000–U+FFFD and
/// everything above U+FFFF.
pub(super) fn refused_char(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Only bytes that start a refused character need a closer look ([`suspicious`]).
        // Blocks without any are skipped whole, with a branch-free test the compiler
        // vectorises (comparisons, not a table: a table lookup per byte does not vectorise).
        while let Some(block) = bytes.get(i..i + BLOCK) {
            if block.iter().fold(false, |any, &b| any | suspicious(b)) {
                break;
            }
            i += BLOCK;
        }
        let next = bytes[i..].iter().position(|&b| suspicious(b))?;
        i += next;
        let c = text[i..].chars().next()?;
        if !go_yaml_reads(c) {
            return Some((i, c));
        }
        i += c.len_utf8();
    }
    None
}

/// How many bytes [`refused_char`] tests at once.
const BLOCK: usize = 64;

/// Whether go-yaml's reader accepts `c` (see [`refused_char`]).
fn go_yaml_reads(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `b` can start a character go-yaml refuses, the bytes [`refused_char`] looks at:
/// C0 controls but tab, line feed and carriage return; DEL; C2 (C1 controls); EF (U+FFFE,
/// U+FFFF). Written with `&` and `|` so that a block of bytes is tested without branches.
fn suspicious(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
        | (b == 0x7F)
        | (b == 0xC2)
        | (b == 0xEF)
}

/// Whether a line (without its line break) separates documents for apimachinery's reader:
/// `---` followed by nothing, blanks, or blanks and a comment.
pub(super) fn is_separator_line(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| {
        let rest = rest.trim();
        rest.is_empty() || rest.starts_with('#')
    })
}

/// The starts of apimachinery's `---` lines (lines end at `\n` for it), in order.
pub(super) fn separator_lines(text: &str) -> Vec<usize> {
    dash_lines(text)
        .filter(|&start| is_separator_line(piece_line(text, start)))
        .collect()
}

/// The starts of the lines (ending at `\n`) that start with `-`: the only ones that can be
/// apimachinery's `---` lines.
fn dash_lines(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    // One substring search rather than a look at every line: most lines start otherwise.
    let first = (bytes.first() == Some(&b'-')).then_some(0);
    first
        .into_iter()
        .chain(memchr::memmem::find_iter(bytes, b"\n-").map(|i| i + 1))
}

/// The line starting at `start`, as apimachinery reads it: up to `\n`, without `\r\n`/`\n`.
fn piece_line(text: &str, start: usize) -> &str {
    let end = memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
    let line = &text[start..end];
    line.strip_suffix('\r')
        .filter(|_| end < text.len())
        .unwrap_or(line)
}

/// The start of the first `---` line (as apimachinery splits documents) after `offset`.
pub(super) fn next_separator_line(text: &str, offset: usize) -> Option<usize> {
    let mut line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    for line in text[line_start..].split_inclusive('\n') {
        if line_start > offset && is_separator_line(line.trim_end_matches(['\n', '\r'])) {
            return Some(line_start);
        }
        line_start += line.len();
    }
    None
}

/// The start of the `---` line before the document that holds `offset` (0 when it is in the
/// first document): everything before it can still be read when the document is refused.
pub(super) fn document_start_before(text: &str, offset: usize) -> usize {
    let mut start = 0;
    let mut line_start = 0;
    for line in text[..offset].split_inclusive('\n') {
        if is_separator_line(line.trim_end_matches(['\n', '\r'])) {
            start = line_start;
        }
        line_start += line.len();
    }
    start
}

/// `text` with U+0085 as `\r\n` and U+2028, U+2029 as ` \r\n`: line breaks of the same
/// length, so offsets need no mapping.
pub(super) fn same_length_line_breaks(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let any = memchr::memchr2_iter(0xC2, 0xE2, bytes).any(|i| {
        matches!(
            &bytes[i..],
            [0xC2, 0x85, ..] | [0xE2, 0x80, 0xA8 | 0xA9, ..]
        )
    });
    if !any {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace('\u{85}', "\r\n")
            .replace(['\u{2028}', '\u{2029}'], " \r\n"),
    )
}

/// A change to the text: `removed` bytes at `at` (an offset in the text before any change)
/// replaced by `inserted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Edit {
    pub(super) at: usize,
    pub(super) removed: usize,
    pub(super) inserted: String,
    /// Spaces inserted to indent a line: only sound inside a flow collection or quoted scalar.
    pub(super) indents: bool,
}

impl Edit {
    fn replace(at: usize, removed: usize, inserted: &str) -> Self {
        Edit {
            at,
            removed,
            inserted: inserted.to_string(),
            indents: false,
        }
    }

    fn indent(at: usize, spaces: usize) -> Self {
        Edit {
            at,
            removed: 0,
            inserted: " ".repeat(spaces),
            indents: true,
        }
    }
}

/// The edits made to a text, sorted by offset, and the way back to its offsets.
#[derive(Clone, Debug, Default)]
pub(super) struct Edits {
    edits: Vec<Edit>,
}

impl Edits {
    pub(super) fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Edit> {
        self.edits.iter()
    }

    /// Adds edits given in the coordinates of the text as edited so far; whether any was
    /// added (one that would change bytes an earlier edit removed is not).
    fn add_all(&mut self, new: Vec<Edit>) -> bool {
        let mapped: Vec<Edit> = new
            .into_iter()
            .map(|edit| Edit {
                at: self.to_original(edit.at),
                ..edit
            })
            .collect();
        let mut added = false;
        for edit in mapped {
            added |= self.add_original(edit);
        }
        added
    }

    fn add_original(&mut self, edit: Edit) -> bool {
        let overlaps = self.edits.iter().any(|e| {
            let inside = e.at < edit.at && edit.at < e.at + e.removed;
            let same_bytes = e.at == edit.at && e.removed > 0 && edit.removed > 0;
            let covers = edit.at < e.at && e.at < edit.at + edit.removed;
            inside || same_bytes || covers
        });
        if overlaps {
            return false;
        }
        match self
            .edits
            .iter_mut()
            .find(|e| e.at == edit.at && e.removed == 0 && edit.removed == 0)
        {
            Some(same) => same.inserted.push_str(&edit.inserted),
            None => {
                // At one offset, insertions come before a replacement.
                let at = self
                    .edits
                    .partition_point(|e| e.at < edit.at || (e.at == edit.at && e.removed == 0));
                self.edits.insert(at, edit);
            }
        }
        true
    }

    /// The text with every edit made.
    pub(super) fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 64);
        let mut pos = 0;
        for edit in &self.edits {
            out.push_str(&text[pos..edit.at]);
            out.push_str(&edit.inserted);
            pos = edit.at + edit.removed;
        }
        out.push_str(&text[pos..]);
        out
    }

    /// The offset in the unedited text of offset `edited` in the edited one. An offset inside
    /// inserted text maps to where the insertion is.
    pub(super) fn to_original(&self, edited: usize) -> usize {
        let mut shift: isize = 0; // original = edited - shift, before the next edit
        for edit in &self.edits {
            let start = (edit.at as isize + shift) as usize;
            if edited < start {
                break;
            }
            if edited < start + edit.inserted.len() {
                return edit.at + (edited - start).min(edit.removed);
            }
            shift += edit.inserted.len() as isize - edit.removed as isize;
        }
        (edited as isize - shift).max(0) as usize
    }

    /// The offset in the edited text of offset `original` (before the edits made there).
    pub(super) fn to_edited(&self, original: usize) -> usize {
        let shift: isize = self
            .edits
            .iter()
            .filter(|e| e.at < original)
            .map(|e| e.inserted.len() as isize - e.removed as isize)
            .sum();
        (original as isize + shift).max(0) as usize
    }

    /// A mapping from edited offsets to original ones for many lookups (binary search).
    pub(super) fn mapper(&self) -> Mapper<'_> {
        let mut starts = Vec::with_capacity(self.edits.len());
        let mut shift: isize = 0;
        for edit in &self.edits {
            starts.push(((edit.at as isize + shift) as usize, shift));
            shift += edit.inserted.len() as isize - edit.removed as isize;
        }
        Mapper {
            edits: &self.edits,
            starts,
            final_shift: shift,
        }
    }
}

/// See [`Edits::mapper`].
pub(super) struct Mapper<'e> {
    edits: &'e [Edit],
    /// Edited offset where each edit starts, and the shift before it.
    starts: Vec<(usize, isize)>,
    final_shift: isize,
}

impl Mapper<'_> {
    pub(super) fn map(&self, edited: usize) -> usize {
        let i = self.starts.partition_point(|&(start, _)| start <= edited);
        let Some(i) = i.checked_sub(1) else {
            return edited;
        };
        let (start, shift) = self.starts[i];
        let edit = &self.edits[i];
        if edited < start + edit.inserted.len() {
            return edit.at + (edited - start).min(edit.removed);
        }
        let after = self
            .starts
            .get(i + 1)
            .map_or(self.final_shift, |&(_, next_shift)| next_shift);
        debug_assert_eq!(
            after,
            shift + edit.inserted.len() as isize - edit.removed as isize
        );
        (edited as isize - after).max(0) as usize
    }
}

/// Where apimachinery's reader refuses a `---` line whose `---` is followed by something else
/// than a blank or a comment (`---x`): reading stops there (kustomize refuses the file too).
/// (`--- x`, content after a blank, is refused by kubectl but read by kustomize, so k8sec
/// reads it as the YAML it is.)
pub(super) fn bad_separator(text: &str) -> Option<usize> {
    dash_lines(text).find(|&start| {
        text[start..].strip_prefix("---").is_some_and(|rest| {
            rest.chars()
                .next()
                .is_some_and(|c| !c.is_whitespace() && c != '#')
        })
    })
}

/// Edits that make the text read as apimachinery hands it to go-yaml:
/// - a byte order mark at the start of the text and of every document it cuts out (after a
///   `---` line) is dropped, two in a row at most (go-yaml drops them);
/// - `---#comment` separates documents: a space after `---` makes it a marker for yaml-rust2;
/// - a line ending `\r\r\n` loses one `\r` (apimachinery reads lines without their `\r\n`
///   and ends each with `\n`, so two breaks where yaml-rust2 would see three).
pub(super) fn document_edits(text: &str) -> Edits {
    const BOM: &str = "\u{feff}";
    let bytes = text.as_bytes();
    let mut edits = Edits::default();
    // Where documents start: the text's start and the line after each `---` line.
    let mut starts = vec![0];
    for start in dash_lines(text) {
        let line = piece_line(text, start);
        if is_separator_line(line) {
            starts
                .push(memchr::memchr(b'\n', &bytes[start..]).map_or(text.len(), |i| start + i + 1));
        }
        if line.starts_with("---#") {
            edits.edits.push(Edit::replace(start + 3, 0, " "));
        }
    }
    for start in starts {
        let mut at = start;
        for _ in 0..2 {
            if text[at..].starts_with(BOM) {
                edits.edits.push(Edit::replace(at, BOM.len(), ""));
                at += BOM.len();
            }
        }
    }
    for at in memchr::memmem::find_iter(bytes, b"\r\r\n") {
        edits.edits.push(Edit::replace(at, 1, ""));
    }
    edits.edits.sort_by_key(|e| e.at);
    edits
}

/// Mends the text (already edited by `edits`, as `edited`) where yaml-rust2 stopped at
/// `offset` with `message` on something go-yaml reads. Returns whether an edit was added.
pub(super) fn mend(edited: &str, offset: usize, message: &str, edits: &mut Edits) -> bool {
    let offset = offset.min(edited.len());
    let found = if message.contains("must be followed by a valid YAML whitespace") {
        tab_after_colon(edited, offset)
    } else if message.contains("unknown escape character") {
        quote_escape(edited, offset)
    } else if message.contains("plain scalar cannot start with '-' followed by") {
        lone_dash(edited, offset)
    } else if message.contains("comments must be separated from other tokens") {
        comment_after_token(edited, offset)
    } else if message.contains("tab cannot be used as indentation")
        || message.contains("tabs disallowed within this context")
    {
        leading_tabs(edited, offset)
    } else if message.contains("simple key expect ':'") {
        header_at_column_0(edited, offset)
    } else if message.contains("while scanning a tag")
        || message.contains("did not find expected tag URI")
    {
        odd_tag(edited, offset)
    } else if message.contains("invalid indentation in quoted scalar") {
        quoted_indentation(edited, offset)
    } else if message.contains("invalid indentation") {
        flow_indentation(edited, offset)
    } else {
        None
    };
    let found = found.or_else(|| json_stream(edited, offset));
    match found {
        Some(new) if !new.is_empty() => edits.add_all(new),
        _ => false,
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The start of the line after the one holding `offset` (`\r\n`, `\r` and `\n` end lines).
fn next_line_start(text: &str, offset: usize) -> Option<usize> {
    crate::text::next_line_break(text, offset)
}

/// The nearest line before the line starting at `start` that holds something else than
/// blanks or a comment.
fn previous_content_line(text: &str, start: usize) -> Option<&str> {
    let mut end = start;
    while end > 0 {
        let begin = line_start(text, end - 1);
        let line = text[begin..end].trim_end_matches(['\n', '\r']);
        if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            return Some(line);
        }
        end = begin;
    }
    None
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `key:<TAB>value`: go-yaml takes the tab as the blank after `:`; yaml-rust2 wants a space.
fn tab_after_colon(text: &str, offset: usize) -> Option<Vec<Edit>> {
    let start = line_start(text, offset);
    let at = text[start..offset.min(text.len())].rfind(":\t")? + start + 1;
    Some(vec![Edit::replace(at, 1, " ")])
}

/// A tag with characters go-yaml's tag scanner takes (`!!bo!!str`, `!'!int`) and yaml-rust2's
/// does not: go-yaml resolves no such tag, so the node keeps its text. The tag is spelled
/// `!xxx…` (an unknown local tag, same length), which yaml-rust2 reads the same way.
fn odd_tag(text: &str, offset: usize) -> Option<Vec<Edit>> {
    let start = text[..offset]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(|c: char| c.is_whitespace())
        .map_or(text.len(), |i| offset + i);
    let token = &text[start..end];
    // What go-yaml's tag scanner takes; anything else it refuses too.
    let uri_char = |c: char| c.is_ascii_alphanumeric() || "_-;/?:@&=+$,.!~*'()[]%".contains(c);
    if !token.starts_with('!') || token.len() < 2 || !token.chars().all(uri_char) {
        return None;
    }
    Some(vec![Edit::replace(
        start + 1,
        token.len() - 1,
        &"x".repeat(token.len() - 1),
    )])
}

/// `key:` then `|` (or `>`) at the start of the next line: go-yaml reads the block scalar as
/// the key's value wherever its header stands; indented by one space, yaml-rust2 does too.
fn header_at_column_0(text: &str, offset: usize) -> Option<Vec<Edit>> {
    let mut end = line_start(text, offset);
    while end > 0 {
        let start = line_start(text, end - 1);
        let line = &text[start..end];
        if line.starts_with(['|', '>']) {
            let key_line = previous_content_line(text, start)?;
            let code = key_line.split(" #").next().unwrap_or(key_line).trim_end();
            return code
                .ends_with(':')
                .then(|| vec![Edit::replace(start, 0, " ")]);
        }
        end = start;
    }
    None
}

/// `[-]`, `[-, a]`: go-yaml reads a lone `-` in a flow collection as the string "-"; quoted,
/// yaml-rust2 reads the same string.
fn lone_dash(text: &str, offset: usize) -> Option<Vec<Edit>> {
    (text.as_bytes().get(offset) == Some(&b'-')).then(|| vec![Edit::replace(offset, 1, "\"-\"")])
}

/// `"value"# note`, `[a, b]# note`: go-yaml takes the `#` as a comment; yaml-rust2 wants a
/// blank before it.
fn comment_after_token(text: &str, offset: usize) -> Option<Vec<Edit>> {
    (text.as_bytes().get(offset) == Some(&b'#')).then(|| vec![Edit::replace(offset, 0, " ")])
}

/// Tabs at the start of a line inside a quoted scalar or a flow collection (go-yaml skips
/// them there): spaces instead, one for one.
fn leading_tabs(text: &str, offset: usize) -> Option<Vec<Edit>> {
    let start = line_start(text, offset);
    let blanks = text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len();
    let edits: Vec<Edit> = text[start..start + blanks]
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\t')
        .map(|(i, _)| Edit {
            indents: true,
            ..Edit::replace(start + i, 1, " ")
        })
        .collect();
    Some(edits)
}

/// `"\'"`: go-yaml reads an escaped single quote; yaml-rust2 knows only the spec's escapes.
fn quote_escape(text: &str, quote: usize) -> Option<Vec<Edit>> {
    if text.as_bytes().get(quote) != Some(&b'"') {
        return None;
    }
    let end = super::scan::double_quoted_end(text, quote);
    let body = &text[quote..end];
    let mut edits = Vec::new();
    let mut i = 1;
    let bytes = body.as_bytes();
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == b'\'' {
                edits.push(Edit::replace(quote + i, 2, "\\x27"));
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    Some(edits)
}

/// A quoted scalar (opening quote at `quote`) whose continuation lines sit at or below the
/// block indentation: indent them past the opening quote.
fn quoted_indentation(text: &str, quote: usize) -> Option<Vec<Edit>> {
    let end = match text.as_bytes().get(quote)? {
        b'"' => super::scan::double_quoted_end(text, quote),
        b'\'' => super::scan::single_quoted_end(text, quote),
        _ => return None,
    };
    let wanted = quote - line_start(text, quote) + 1;
    let mut edits = Vec::new();
    let mut pos = quote;
    while let Some(next) = next_line_start(text, pos).filter(|&n| n < end) {
        let line_end = text[next..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| next + i);
        let line = &text[next..line_end];
        let indent = indentation(line);
        if !line.trim().is_empty() && indent < wanted {
            edits.push(Edit::indent(next, wanted - indent));
        }
        pos = next;
    }
    Some(edits)
}

/// A line inside a flow collection at or below the block indentation (`]` closing at the
/// key's column, items at column 0), `offset` being the token on it that yaml-rust2 refused:
/// indent the line past the last `[`/`{` of the line before, or one more than that line's
/// indentation.
fn flow_indentation(text: &str, offset: usize) -> Option<Vec<Edit>> {
    let start = line_start(text, offset);
    let indent = indentation(&text[start..]);
    let previous = previous_content_line(text, start)?;
    let wanted = match previous.rfind(['[', '{']) {
        Some(bracket) => bracket + 1,
        None => indentation(previous) + 1,
    };
    (wanted > indent).then(|| vec![Edit::indent(start, wanted - indent)])
}

/// Whether kubectl reads the text with its JSON decoder: it starts with `{` and is nothing but
/// JSON values.
pub(super) fn is_json_values(text: &str) -> bool {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    trimmed.starts_with('{')
        && serde_json::Deserializer::from_str(trimmed)
            .into_iter::<serde::de::IgnoredAny>()
            .all(|value| value.is_ok())
}

/// How kubectl's JSON decoder reads a file that starts with `{` but is not only JSON values.
pub(super) struct JsonPrefix {
    /// The end of the JSON values it reads.
    pub(super) values_end: usize,
    /// Where it goes on reading YAML: after a first or second value that is not JSON, from
    /// the end of the first value past blanks and one line break; `None` when it stops.
    pub(super) yaml_from: Option<usize>,
}

/// [`JsonPrefix`] of `text`, when it starts with a JSON value and goes on with something else.
pub(super) fn json_prefix(text: &str) -> Option<JsonPrefix> {
    let start = text.len() - text.trim_start_matches([' ', '\t', '\n', '\r']).len();
    if !text[start..].starts_with('{') {
        return None;
    }
    let mut values =
        serde_json::Deserializer::from_str(&text[start..]).into_iter::<serde::de::IgnoredAny>();
    let mut ends = Vec::new();
    loop {
        match values.next() {
            Some(Ok(_)) => ends.push(start + values.byte_offset()),
            Some(Err(_)) => break,
            None => return None, // only JSON values
        }
    }
    let first = *ends.first()?;
    if let [_, .., last] = ends.as_slice() {
        // Two values read: kubectl no longer falls back to YAML.
        return Some(JsonPrefix {
            values_end: *last,
            yaml_from: None,
        });
    }
    // Blanks up to and including one line break (Go's unicode.IsSpace).
    let rest = &text[first..];
    let mut from = first;
    for c in rest.chars() {
        if !c.is_whitespace() {
            break;
        }
        from += c.len_utf8();
        if c == '\n' {
            break;
        }
    }
    Some(JsonPrefix {
        values_end: first,
        yaml_from: Some(from),
    })
}

/// `text` with every byte before `at` a space, except line breaks: the same offsets and lines.
pub(super) fn blank_before(text: &str, at: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for b in &mut bytes[..at] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Several JSON objects one after another (`{…}\n{…}`): kubectl reads a stream of JSON
/// values when a file starts with `{`; each becomes a document of its own.
fn json_stream(text: &str, _offset: usize) -> Option<Vec<Edit>> {
    let first = text.find(|c: char| !c.is_whitespace())?;
    if text.as_bytes()[first] != b'{' {
        return None;
    }
    let mut edits = Vec::new();
    let mut pos = first;
    loop {
        let end = json_value_end(text, pos)?;
        // kubectl reads a stream of JSON values only: each must be JSON.
        serde_json::from_str::<serde::de::IgnoredAny>(&text[pos..end]).ok()?;
        let Some(gap) = text[end..].find(|c: char| !c.is_whitespace()) else {
            return (!edits.is_empty()).then_some(edits);
        };
        let next = end + gap;
        if text.as_bytes()[next] != b'{' || edits.len() >= MAX_JSON_VALUES {
            return None;
        }
        edits.push(Edit::replace(end, 0, "\n---\n"));
        pos = next;
    }
}

/// Most JSON values [`json_stream`] separates.
const MAX_JSON_VALUES: usize = 100_000;

/// The end of the JSON object or array starting at `start` (string-aware bracket matching).
fn json_value_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_characters_are_go_yamls() {
        assert_eq!(refused_char("a: 1\n\tb: ü😀\u{85}\u{feff}"), None);
        assert_eq!(refused_char("a: 1\0"), Some((4, '\0')));
        assert_eq!(refused_char("é\u{7f}"), Some((2, '\u{7f}')));
        assert_eq!(refused_char("x\u{80}"), Some((1, '\u{80}')));
        assert_eq!(refused_char("x\u{fffe}"), Some((1, '\u{fffe}')));
        assert_eq!(refused_char("x\u{c}"), Some((1, '\u{c}')));
    }

    /// Every character go-yaml refuses starts with a byte [`refused_char`] looks at.
    #[test]
    fn every_refused_character_starts_with_a_suspicious_byte() {
        let refused: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|&c| !go_yaml_reads(c))
            .collect();
        for c in &refused {
            assert!(suspicious(c.to_string().as_bytes()[0]), "{c:?}");
        }
        // C0 but tab, LF, CR (29), DEL and C1 but U+0085 (32), U+FFFE and U+FFFF.
        assert_eq!(refused.len(), 29 + 32 + 2);
    }

    #[test]
    fn separator_lines_are_apimachinerys() {
        let dashes: Vec<usize> = dash_lines("-a\nb -\n--- x\r\n\n-").collect();
        assert_eq!((dashes, dash_lines("a\n").count()), (vec![0, 7, 15], 0));
        for line in ["---", "--- ", "---\t# c", "--- # c", "---#c"] {
            assert!(is_separator_line(line), "{line:?}");
        }
        for line in ["--- a", "----", " ---", "--"] {
            assert!(!is_separator_line(line), "{line:?}");
        }
        assert_eq!(document_start_before("a: 1\n---\nb: 2\0", 13), 5);
        assert_eq!(document_start_before("a: 1\0", 4), 0);
    }

    #[test]
    fn edits_map_back_to_original_offsets() {
        let text = "ab\ncd\nef";
        let mut edits = Edits::default();
        assert!(edits.add_all(vec![Edit::indent(3, 2)])); // "ab\n  cd\nef"
        assert!(edits.add_all(vec![Edit::replace(0, 1, "")])); // "b\n  cd\nef"
                                                               // Bytes already replaced are not edited again.
        assert!(!edits.add_original(Edit::replace(0, 1, "x")));
        let edited = edits.apply(text);
        assert_eq!(edited, "b\n  cd\nef");
        let mapper = edits.mapper();
        for (e, o) in [(0, 1), (1, 2), (2, 3), (3, 3), (4, 3), (5, 4), (8, 7)] {
            assert_eq!(edits.to_original(e), o, "{e}");
            assert_eq!(mapper.map(e), o, "{e}");
        }
    }

    #[test]
    fn boms_at_document_starts() {
        let text = "\u{feff}a: 1\n---\n\u{feff}b: 2\nc: \u{feff}\n";
        assert_eq!(
            document_edits(text).apply(text),
            "a: 1\n---\nb: 2\nc: \u{feff}\n"
        );
        let text = "a: 1\r\r\n---# c\nb: 2\n";
        assert_eq!(document_edits(text).apply(text), "a: 1\r\n--- # c\nb: 2\n");
        assert_eq!(bad_separator("a: 1\n--- b\n---# c\n---b\n"), Some(18));
    }

    #[test]
    fn json_objects_become_documents() {
        let mut edits = Edits::default();
        assert!(mend("{\"a\": \"}\"}\n{\"b\": [1]}\n", 0, "x", &mut edits));
        assert_eq!(
            edits.apply("{\"a\": \"}\"}\n{\"b\": [1]}\n"),
            "{\"a\": \"}\"}\n---\n\n{\"b\": [1]}\n"
        );
    }
}
