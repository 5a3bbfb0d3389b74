//! Building [`Tree`]s from yaml-rust2's event stream.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::scan;
use super::tree::{Arena, Entry, NewNode as Node, NodeId, NodeKind, ScalarStyle, Tag, Tree};
use super::{FileId, Span};
use crate::text::{LineIndex, OffsetCursor, TextRange};

/// Deepest nesting we accept. Kubernetes objects nest a few dozen levels at most; anything far
/// deeper is hostile or broken input, refused before it can exhaust memory or stack.
const MAX_DEPTH: usize = 256;

/// A syntax error: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// Byte offset of the error in the file.
    pub offset: u32,
    /// The parser's message.
    pub message: String,
}

/// The documents of one YAML stream, in order, and the first error that stopped parsing.
///
/// Documents completed before an error are kept, so a broken document at the end of a stream
/// does not hide findings in the ones before it; `error` still marks the file as unparseable
/// for anything that would write to it.
#[derive(Debug, Default)]
pub struct ParsedStream {
    /// The documents parsed, up to the error if any.
    pub documents: Vec<Document>,
    /// The error that stopped parsing, if any.
    pub error: Option<YamlError>,
    /// Characters walked to turn yaml-rust2's line/column positions into byte offsets, or the
    /// bytes the fast reader looked at ([`super::fast`]): the work the linearity tests count
    /// (tests/reader_work.rs).
    pub work: u64,
}

/// One document of a stream: its tree and the byte range it covers.
#[derive(Debug)]
pub struct Document {
    /// The document's nodes.
    pub tree: Tree,
    /// From the first byte of the document's content to the end of its root node.
    pub range: TextRange,
}

/// What the message of an error in text kubectl skips ends with.
pub(super) const SKIPPED: &str =
    ": kubectl reads the YAML document before this and silently skips the rest up to the next `---` line";

/// Builds the trees of `text`'s documents from yaml-rust2's events (`index` is `text`'s).
///
/// `separators` are the starts of apimachinery's `---` lines in `text`, sorted: where its
/// pieces begin (they can differ from YAML's document markers, and from the lines of `text`
/// when it holds line breaks put in for U+0085/U+2028/U+2029).
pub(super) fn build(
    text: &str,
    index: &LineIndex,
    file: FileId,
    separators: &[usize],
) -> ParsedStream {
    if let Some(stream) = super::fast::read(Builder::new(text, index, file)) {
        return stream;
    }
    build_with_yaml_rust2(text, index, file, separators)
}

/// [`build`] without the fast reader: every text through yaml-rust2.
pub(super) fn build_with_yaml_rust2(
    text: &str,
    index: &LineIndex,
    file: FileId,
    separators: &[usize],
) -> ParsedStream {
    Builder {
        separators,
        ..Builder::new(text, index, file)
    }
    .run()
}

/// A collection being read. Its children so far are the builder's `items[first..]` or
/// `entries[first..]`: the open collections share one stack of each, so that reading a
/// collection allocates nothing of its own (its children are copied once, into the tree's
/// arena, when it closes).
enum Frame {
    Sequence {
        start: Option<usize>,
        flow: bool,
        first: usize,
        anchor: usize,
        tag: Option<Tag>,
    },
    Mapping {
        start: Option<usize>,
        flow: bool,
        first: usize,
        key: Option<NodeId>,
        anchor: usize,
        tag: Option<Tag>,
    },
}

/// Builds trees from what a reader of the text finds, in text order: yaml-rust2's events here,
/// or the fast reader's calls ([`super::fast`]), which are the same calls with the same offsets.
pub(super) struct Builder<'a> {
    pub(super) text: &'a str,
    index: &'a LineIndex,
    file: FileId,
    nodes: Vec<Node>,
    /// The texts of `nodes`.
    arena: Arena,
    stack: Vec<Frame>,
    /// The items of the open sequences, innermost last (see [`Frame`]).
    items: Vec<NodeId>,
    /// The entries of the open mappings, innermost last (see [`Frame`]).
    entries: Vec<Entry>,
    anchors: HashMap<usize, NodeId>,
    /// End of the most recently completed node, where an implicit null value is placed.
    last_end: usize,
    /// Lines before the text being parsed (markers count lines from where parsing started).
    line_base: usize,
    /// See [`build`].
    separators: &'a [usize],
    /// Where the last marker was placed: markers come in text order, so each is placed from
    /// the one before.
    cursor: Cell<OffsetCursor>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(text: &'a str, index: &'a LineIndex, file: FileId) -> Self {
        Builder {
            text,
            index,
            file,
            nodes: Vec::new(),
            arena: Arena::default(),
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            anchors: HashMap::new(),
            last_end: 0,
            line_base: 0,
            separators: &[],
            cursor: Cell::default(),
        }
    }

    /// Parses the whole text. Where yaml-rust2 stops after a complete document on text that
    /// kubectl never reads (the rest of one of apimachinery's documents, after the first YAML
    /// document in it: go-yaml reads one document per piece and ignores what follows), the
    /// error is kept and reading resumes at the next `---` line, as kubectl's does.
    fn run(mut self) -> ParsedStream {
        let mut stream = self.read_all();
        stream.work = self.cursor.get().walked();
        stream
    }

    fn read_all(&mut self) -> ParsedStream {
        let mut stream = ParsedStream::default();
        let mut from = 0;
        loop {
            let read_before = stream.documents.len();
            let Some(error) = self.run_from(from, &mut stream) else {
                return stream;
            };
            let ignored = self.ignored_by_kubectl(&stream.documents[read_before..], &error)
                || (self.stack.is_empty()
                    && error.message.starts_with("invalid trailing content after"));
            let next = ignored
                .then(|| self.next_separator(error.offset as usize))
                .flatten();
            stream.error.get_or_insert(if ignored {
                YamlError {
                    message: format!("{}{SKIPPED}", error.message),
                    ..error
                }
            } else {
                error
            });
            match next {
                Some(next) if next > from => from = next,
                _ => return stream,
            }
        }
    }

    /// Whether kubectl ignores the text where `error` is: a document of the same piece of
    /// apimachinery's splitting was read completely before it (`read` since the last resume).
    /// (Text after a quoted scalar that is a whole document, `"a" b`, is skipped too: go-yaml
    /// reads the string and skips the rest; the string is no object and not kept here.)
    fn ignored_by_kubectl(&self, read: &[Document], error: &YamlError) -> bool {
        let at = error.offset as usize;
        let piece = self
            .separators
            .iter()
            .rev()
            .find(|&&s| s <= at)
            .copied()
            .unwrap_or(0);
        read.iter()
            .any(|doc| doc.tree.root().span().range.start as usize >= piece)
    }

    /// Parses `text[from..]` (`from` at a line start) into `stream`; the error that stopped it.
    fn run_from(&mut self, from: usize, stream: &mut ParsedStream) -> Option<YamlError> {
        self.line_base = self.index.line_of(from as u32);
        self.last_end = from;
        self.forget();
        let mut parser = Parser::new_from_str(&self.text[from..]);
        let mut doc_start = from;
        loop {
            let (event, marker) = match parser.next_token() {
                Ok(next) => next,
                Err(error) => {
                    // A document whose root was complete is read, as go-yaml reads it before
                    // it looks past it (the error is then in text kubectl skips).
                    let boundary = ["document start", "document end marker"]
                        .iter()
                        .any(|m| error.info().contains(m));
                    let at = self.offset(error.marker());
                    if boundary && self.close_block_frames(at) && !self.nodes.is_empty() {
                        stream.documents.extend(self.end_document(doc_start));
                    }
                    return Some(YamlError {
                        offset: self.offset(error.marker()) as u32,
                        message: error.info().to_string(),
                    });
                }
            };
            let sequence = matches!(event, Event::SequenceStart(..));
            let step = match event {
                Event::StreamEnd => return None,
                Event::DocumentStart => {
                    doc_start = self.start_document(self.offset(&marker));
                    Ok(())
                }
                Event::DocumentEnd => {
                    stream.documents.extend(self.end_document(doc_start));
                    Ok(())
                }
                Event::Scalar(value, style, anchor, tag) => self
                    .scalar(value, style, tag, &marker)
                    .map(|node| self.complete(node, anchor)),
                Event::Alias(anchor) => self.alias(anchor, &marker),
                Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                    let tag = tag.map(|t| Tag::new(&mut self.arena, &tag_text(t)));
                    self.open(self.offset(&marker), sequence, anchor, tag)
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    self.close_at(self.offset(&marker));
                    Ok(())
                }
                Event::StreamStart | Event::Nothing => Ok(()),
            };
            if let Err(error) = step {
                return Some(error);
            }
        }
    }

    /// Starts a document at `at`; where it starts.
    pub(super) fn start_document(&mut self, at: usize) -> usize {
        self.forget();
        at
    }

    /// Forgets the document being read (its nodes, open collections and anchors).
    fn forget(&mut self) {
        self.nodes.clear();
        self.arena.clear();
        self.stack.clear();
        self.items.clear();
        self.entries.clear();
        self.anchors.clear();
    }

    /// The document just ended (`None` when it is empty), its nodes copied out of the builder.
    pub(super) fn end_document(&mut self, doc_start: usize) -> Option<Document> {
        // The root completes last, so it is the last node pushed.
        let root = self.nodes.len().checked_sub(1)?;
        let end = self.nodes[root].span.range.end.max(doc_start as u32);
        let start = (doc_start as u32).min(self.nodes[root].span.range.start);
        Some(Document {
            tree: Tree::parsed(
                &mut self.nodes,
                &mut self.arena,
                NodeId(root as u32),
                self.file,
            ),
            range: TextRange::new(start, end),
        })
    }

    /// An alias `*name`: a node pointing at its anchor's. The parser knows every anchor
    /// defined before; one that is not complete yet is an alias inside its own anchor's node,
    /// which the Kubernetes reader refuses ("anchor value contains itself").
    fn alias(&mut self, anchor: usize, marker: &Marker) -> Result<(), YamlError> {
        let start = self.offset(marker);
        let end = alias_end(self.text, start);
        let span = self.span(start, end);
        let Some(&target) = self.anchors.get(&anchor) else {
            return Err(YamlError {
                offset: start as u32,
                message: "anchor value contains itself".into(),
            });
        };
        self.complete(
            Node {
                kind: NodeKind::Alias { target },
                span,
                tag: None,
            },
            0,
        );
        Ok(())
    }

    /// Opens a sequence (or a mapping) whose start is at `at`: a flow one, starting there,
    /// when the text there is `[` (`{`). Refused past [`MAX_DEPTH`].
    pub(super) fn open(
        &mut self,
        at: usize,
        sequence: bool,
        anchor: usize,
        tag: Option<Tag>,
    ) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                offset: at as u32,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        let bracket = if sequence { b'[' } else { b'{' };
        let flow = self.text.as_bytes().get(at) == Some(&bracket);
        let start = flow.then_some(at);
        self.stack.push(if sequence {
            Frame::Sequence {
                start,
                flow,
                first: self.items.len(),
                anchor,
                tag,
            }
        } else {
            Frame::Mapping {
                start,
                flow,
                first: self.entries.len(),
                key: None,
                anchor,
                tag,
            }
        });
        Ok(())
    }

    /// Closes the innermost open collection, whose end event is at `at`.
    pub(super) fn close_at(&mut self, at: usize) {
        if let Some(frame) = self.stack.pop() {
            let (node, anchor) = self.close(frame, at);
            self.complete(node, anchor);
        }
    }

    /// Byte offset of a marker. Markers count characters (and drift after non-ASCII block
    /// scalars), but their line and column are right, so go through the line index.
    fn offset(&self, marker: &Marker) -> usize {
        // Markers count lines from where this parser started.
        let line = self.line_base + marker.line().max(1);
        let mut cursor = self.cursor.get();
        let offset = self
            .index
            .offset_from(self.text, line, marker.col(), &mut cursor);
        self.cursor.set(cursor);
        (offset as usize).min(self.text.len())
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(
            self.file,
            TextRange::new(start as u32, end.max(start) as u32),
        )
    }

    fn scalar(
        &mut self,
        value: String,
        style: TScalarStyle,
        tag: Option<yaml_rust2::parser::Tag>,
        marker: &Marker,
    ) -> Result<Node, YamlError> {
        let at = self.offset(marker);
        let (style, start, end) = match style {
            TScalarStyle::Plain if value.is_empty() => {
                let start = self.null_offset(at);
                (ScalarStyle::Plain, start, start)
            }
            TScalarStyle::Plain => (
                ScalarStyle::Plain,
                at,
                scan::plain_end(self.text, at, &value),
            ),
            TScalarStyle::SingleQuoted => (
                ScalarStyle::SingleQuoted,
                at,
                scan::single_quoted_end(self.text, at),
            ),
            TScalarStyle::DoubleQuoted => (
                ScalarStyle::DoubleQuoted,
                at,
                scan::double_quoted_end(self.text, at),
            ),
            TScalarStyle::Literal | TScalarStyle::Folded => {
                let header = scan::block_header_after(self.text, self.last_end)
                    .filter(|&h| h <= at)
                    .unwrap_or_else(|| scan::block_header_start(self.text, at).max(self.last_end));
                // A block without content ends with its header (the marker may point at the
                // next token, lines away).
                let end = if value.bytes().all(|b| b == b'\n') {
                    scan::header_end(self.text, header)
                } else {
                    scan::block_end(self.text, header, at)
                };
                let style = if style == TScalarStyle::Literal {
                    ScalarStyle::Literal
                } else {
                    ScalarStyle::Folded
                };
                (style, header, end)
            }
        };
        let value = match style {
            ScalarStyle::Literal | ScalarStyle::Folded if value.bytes().all(|b| b == b'\n') => {
                scan::empty_block_value(self.text, start).unwrap_or(value)
            }
            _ => value,
        };
        self.scalar_node(&value, style, start, end, tag.map(tag_text))
    }

    /// The scalar `value` written from `start` to `end`.
    fn scalar_node(
        &mut self,
        value: &str,
        style: ScalarStyle,
        start: usize,
        end: usize,
        tag: Option<Box<str>>,
    ) -> Result<Node, YamlError> {
        let (value, tag) = decode_binary(value, style, tag).map_err(|message| YamlError {
            offset: start as u32,
            message,
        })?;
        let tag = tag.map(|t| Tag::new(&mut self.arena, &t));
        Ok(self.new_scalar(&value, style, start, end, tag))
    }

    /// The scalar node `value`, as it reads, written from `start` to `end`.
    fn new_scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        start: usize,
        end: usize,
        tag: Option<Tag>,
    ) -> Node {
        Node {
            kind: NodeKind::Scalar {
                value: self.arena.add(value),
                style,
            },
            span: self.span(start, end),
            tag,
        }
    }

    /// Adds the untagged scalar `value`, written from `start` to `end`, to its collection.
    pub(super) fn add_scalar(&mut self, value: &str, style: ScalarStyle, start: usize, end: usize) {
        let node = self.new_scalar(value, style, start, end, None);
        self.complete(node, 0);
    }

    /// Adds an empty value (an implicit null, or an empty document's root) whose reader
    /// stopped at `at`.
    pub(super) fn add_null(&mut self, at: usize) {
        let start = self.null_offset(at);
        self.add_scalar("", ScalarStyle::Plain, start, start);
    }

    /// Where an empty value is placed, its reader having stopped at `at` (the next token): an
    /// empty document's where its content would be; an implicit null right after the key's
    /// colon or the sequence dash.
    fn null_offset(&self, at: usize) -> usize {
        if self.stack.is_empty() {
            at
        } else {
            self.implicit_value_offset()
        }
    }

    /// Just after the `:` or `-` that follows the last completed node.
    fn implicit_value_offset(&self) -> usize {
        let rest = &self.text[self.last_end..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let after = self.last_end + skipped;
        match self.text.as_bytes().get(after) {
            Some(b':' | b'-' | b'?') => after + 1,
            _ => self.last_end,
        }
    }

    /// Adds a finished node to its parent frame.
    fn complete(&mut self, node: Node, anchor: usize) {
        self.last_end = node.span.range.end as usize;
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(node);
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        match self.stack.last_mut() {
            Some(Frame::Sequence { start, .. }) => {
                if start.is_none() {
                    *start = Some(dash_before(self.text, self.nodes[id.0 as usize].span.range));
                }
                self.items.push(id);
            }
            Some(Frame::Mapping { key, start, .. }) => match key.take() {
                Some(k) => self.entries.push(Entry { key: k, value: id }),
                None => {
                    if start.is_none() {
                        *start = Some(self.nodes[id.0 as usize].span.range.start as usize);
                    }
                    *key = Some(id);
                }
            },
            None => {}
        }
    }

    fn close(&mut self, frame: Frame, end_marker: usize) -> (Node, usize) {
        if let Some(glued) = self.glued_pair(&frame) {
            return glued;
        }
        let bytes = self.text.as_bytes();
        let (kind, last_child_end, start, flow, anchor, tag) = match frame {
            Frame::Sequence {
                start,
                flow,
                first,
                anchor,
                tag,
            } => {
                let last = self.items[first..].last().map(|id| self.end_of(*id));
                let items = self.arena.items(&self.items[first..]);
                self.items.truncate(first);
                (
                    NodeKind::Sequence { items, flow },
                    last,
                    start,
                    flow,
                    anchor,
                    tag,
                )
            }
            Frame::Mapping {
                start,
                flow,
                first,
                key,
                anchor,
                tag,
            } => {
                if flow {
                    self.glue_colons(first);
                }
                if let Some(key) = key {
                    // A key without a value cannot come from the parser, but never lose it.
                    let at = self.nodes[key.0 as usize].span.range.end;
                    let value = NodeId(self.nodes.len() as u32);
                    self.nodes.push(Node {
                        kind: NodeKind::Scalar {
                            value: self.arena.add(""),
                            style: ScalarStyle::Plain,
                        },
                        span: Span::new(self.file, TextRange::empty(at)),
                        tag: None,
                    });
                    self.entries.push(Entry { key, value });
                }
                let last = self.entries[first..].last().map(|e| self.end_of(e.value));
                let entries = self.arena.entries(&self.entries[first..]);
                self.entries.truncate(first);
                (
                    NodeKind::Mapping { entries, flow },
                    last,
                    start,
                    flow,
                    anchor,
                    tag,
                )
            }
        };
        let end = if flow && matches!(bytes.get(end_marker), Some(b']' | b'}')) {
            end_marker + 1
        } else {
            last_child_end.unwrap_or(end_marker)
        };
        let start = start.unwrap_or(end).min(end);
        let node = Node {
            kind,
            span: self.span(start, end),
            tag,
        };
        (node, anchor)
    }

    /// The start of the first of apimachinery's `---` lines after `offset`.
    fn next_separator(&self, offset: usize) -> Option<usize> {
        self.separators.iter().find(|&&s| s > offset).copied()
    }

    /// Closes the open block collections at `at`, as a document end marker closes them;
    /// whether there was no flow collection among them (the document is then complete).
    fn close_block_frames(&mut self, at: usize) -> bool {
        let block = |f: &Frame| {
            matches!(
                f,
                Frame::Sequence { flow: false, .. } | Frame::Mapping { flow: false, .. }
            )
        };
        if !self.stack.iter().all(block) {
            return false;
        }
        while let Some(frame) = self.stack.pop() {
            let (node, anchor) = self.close(frame, at);
            self.complete(node, anchor);
        }
        true
    }

    /// Whether `key: value` is `x:` right before `,`, `]` or `}`: go-yaml takes the `:` into the
    /// plain scalar (a value indicator needs a blank after it), yaml-rust2 reads key `x` with
    /// an empty value.
    fn colon_glued(&self, key: NodeId, value: NodeId) -> bool {
        let (key, value) = (&self.nodes[key.0 as usize], &self.nodes[value.0 as usize]);
        let plain = |n: &Node| {
            matches!(
                &n.kind,
                NodeKind::Scalar {
                    style: ScalarStyle::Plain,
                    ..
                }
            ) && n.tag.is_none()
        };
        let empty = matches!(&value.kind, NodeKind::Scalar { value, .. } if self.arena.get(*value).is_empty());
        let end = key.span.range.end as usize;
        plain(key)
            && plain(value)
            && empty
            && self.text.as_bytes().get(end) == Some(&b':')
            && matches!(self.text.as_bytes().get(end + 1), Some(b',' | b']' | b'}'))
    }

    /// Glues the colons of the open mapping's entries from `first` on (see [`Self::colon_glued`]).
    fn glue_colons(&mut self, first: usize) {
        for at in first..self.entries.len() {
            let Entry { key, value } = self.entries[at];
            if self.colon_glued(key, value) {
                self.glue_colon(key, value);
            }
        }
    }

    /// The key takes its `:`; the empty value moves after it.
    fn glue_colon(&mut self, key: NodeId, value: NodeId) {
        let key = &mut self.nodes[key.0 as usize];
        if let NodeKind::Scalar { value, .. } = &mut key.kind {
            *value = self.arena.add(&format!("{}:", self.arena.get(*value)));
        }
        key.span.range.end += 1;
        let after = key.span.range.end;
        self.nodes[value.0 as usize].span.range = TextRange::empty(after);
    }

    /// `[x:]`: in a flow sequence, yaml-rust2 reads a one-pair mapping `{x: }` where go-yaml
    /// reads the string `x:`; the string, as the node that closes here.
    fn glued_pair(&mut self, frame: &Frame) -> Option<(Node, usize)> {
        let Frame::Mapping {
            flow: false,
            first,
            key: None,
            anchor: 0,
            tag: None,
            ..
        } = frame
        else {
            return None;
        };
        let in_flow_sequence =
            matches!(self.stack.last(), Some(Frame::Sequence { flow: true, .. }));
        let &[entry] = &self.entries[*first..] else {
            return None;
        };
        if !in_flow_sequence || !self.colon_glued(entry.key, entry.value) {
            return None;
        }
        self.glue_colon(entry.key, entry.value);
        self.entries.truncate(*first);
        Some((self.nodes[entry.key.0 as usize].clone(), 0))
    }

    fn end_of(&self, id: NodeId) -> usize {
        self.nodes[id.0 as usize].span.range.end as usize
    }
}

/// Where a block sequence entry's `-` is, given the range of its first item.
fn dash_before(text: &str, item: TextRange) -> usize {
    let before = &text[..item.start as usize];
    let trimmed = before.trim_end_matches([' ', '\t']);
    if trimmed.ends_with('-') {
        trimmed.len() - 1
    } else {
        item.start as usize
    }
}

/// End of an alias token `*name`.
fn alias_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let len = rest
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
        .map_or(rest.len(), |(i, _)| i);
    start + len
}

/// A `!!binary` scalar holds its decoded text, tagged `!!str`, so every reader of the tree
/// (a check's `as_str`, a key lookup) sees what the Kubernetes reader sees.
fn decode_binary(
    value: &str,
    style: ScalarStyle,
    tag: Option<Box<str>>,
) -> Result<(Cow<'_, str>, Option<Box<str>>), String> {
    match tag.as_deref().and_then(super::resolve::core_tag) {
        Some("binary") => match super::resolve::resolve(value, style, tag.as_deref())? {
            super::resolve::Scalar::Str(text) => Ok((
                Cow::Owned(text.into_owned()),
                Some("tag:yaml.org,2002:str".into()),
            )),
            _ => Ok((Cow::Borrowed(value), tag)),
        },
        _ => Ok((Cow::Borrowed(value), tag)),
    }
}

fn tag_text(tag: yaml_rust2::parser::Tag) -> Box<str> {
    format!("{}{}", tag.handle, tag.suffix).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    fn parse(text: &str) -> ParsedStream {
        parse_stream(text, FileId(0), &LineIndex::new(text))
    }

    fn slice<'t>(text: &'t str, node: crate::yaml::NodeRef<'_>) -> &'t str {
        &text[node.span().range.to_range()]
    }

    #[test]
    fn spans_cover_scalars_and_collections_exactly() {
        let text = "a: 1\nb:\n  - x\n  -  {p: 'q', r: [1, 2]}\nc: \"d\" # tail\n";
        let stream = parse(text);
        assert!(stream.error.is_none());
        let root = stream.documents[0].tree.root();
        assert_eq!(slice(text, root.get("a").unwrap()), "1");
        let b = root.get("b").unwrap();
        assert_eq!(slice(text, b), "- x\n  -  {p: 'q', r: [1, 2]}");
        let flow = b.items().nth(1).unwrap();
        assert!(flow.is_flow());
        assert_eq!(slice(text, flow), "{p: 'q', r: [1, 2]}");
        assert_eq!(slice(text, flow.get("p").unwrap()), "'q'");
        assert_eq!(slice(text, flow.get("r").unwrap()), "[1, 2]");
        assert_eq!(slice(text, root.get("c").unwrap()), "\"d\"");
        assert_eq!(slice(text, root.key("c").unwrap()), "c");
        assert_eq!(
            slice(text, root),
            text.trim_end().trim_end_matches(" # tail")
        );
    }

    #[test]
    fn byte_offsets_stay_exact_after_non_ascii_block_scalars() {
        // yaml-rust2's marker index drifts here; our offsets must not.
        let text = "# çà ü\ndesc: |\n  héllo wörld ✓\n  ñ\nkey: välue\nnext: [ö, 2]\n";
        let stream = parse(text);
        let root = stream.documents[0].tree.root();
        assert_eq!(
            slice(text, root.get("desc").unwrap()),
            "|\n  héllo wörld ✓\n  ñ"
        );
        assert_eq!(slice(text, root.key("key").unwrap()), "key");
        assert_eq!(slice(text, root.get("key").unwrap()), "välue");
        assert_eq!(slice(text, root.get("next").unwrap()), "[ö, 2]");
    }

    #[test]
    fn byte_order_mark_is_not_part_of_the_first_key() {
        let text = "\u{feff}kind: Pod\r\nname: x\r\n";
        let stream = parse(text);
        let root = stream.documents[0].tree.root();
        assert_eq!(root.str_at("kind"), Some("Pod"));
        assert_eq!(slice(text, root.key("kind").unwrap()), "kind");
        assert_eq!(slice(text, root.get("name").unwrap()), "x");
    }

    #[test]
    fn implicit_null_sits_after_the_colon() {
        let text = "a:\nb: 1\n";
        let root = parse(text).documents.remove(0).tree;
        let a = root.root().get("a").unwrap();
        assert!(a.is_null());
        assert_eq!(a.span().range, TextRange::empty(2));
    }

    #[test]
    fn documents_before_an_error_are_kept() {
        let text = "a: 1\n---\nb: [1, 2\n";
        let stream = parse(text);
        assert_eq!(stream.documents.len(), 1);
        let error = stream.error.unwrap();
        assert_eq!(error.offset as usize, text.len());
    }

    #[test]
    fn aliases_point_at_their_anchor_without_copying() {
        let text = "a: &x {k: v}\nb: *x\nc:\n  <<: *x\n  own: 1\n";
        let stream = parse(text);
        let root = stream.documents[0].tree.root();
        assert_eq!(root.path(&["b", "k"]).and_then(|n| n.as_str()), Some("v"));
        assert_eq!(root.path(&["c", "k"]).and_then(|n| n.as_str()), Some("v"));
        assert_eq!(root.path(&["c", "own"]).and_then(|n| n.as_i64()), Some(1));
    }

    #[test]
    fn closing_bracket_at_the_block_indentation_is_accepted_like_go_yaml() {
        let text = "spec:\n  args: [\n      \"-a\", \"b\",\n  ]\n  env: {\n    k: v\n  }\n  x: ü\n";
        let stream = parse(text);
        assert!(stream.error.is_none(), "{:?}", stream.error);
        let spec = stream.documents[0].tree.root().get("spec").unwrap();
        assert_eq!(
            slice(text, spec.get("args").unwrap()),
            "[\n      \"-a\", \"b\",\n  ]"
        );
        assert_eq!(slice(text, spec.get("env").unwrap()), "{\n    k: v\n  }");
        assert_eq!(slice(text, spec.get("x").unwrap()), "ü");
    }

    #[test]
    fn lenient_parsing_does_not_hide_real_errors() {
        let text = "a:\n  b: [1,\n]\nc: [\n";
        assert!(parse(text).error.is_some());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        // In flow style, and in block style (which the fast reader reads up to the limit
        // before it leaves the text to yaml-rust2).
        let mappings: String = (0..1_000)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        let sequences: String = (0..1_000)
            .map(|i| format!("{}-\n", " ".repeat(2 * i)))
            .collect();
        let flow_in_block = format!("k: {}", "[".repeat(100_000));
        for text in ["[".repeat(100_000), mappings, sequences, flow_in_block] {
            let stream = parse(&text);
            let error = stream.error.expect("deep nesting must be an error");
            assert!(
                error.message.contains("nesting") || error.message.contains("recursion"),
                "{error:?}"
            );
        }
    }

    #[test]
    fn yaml_1_1_booleans_as_kubernetes_reads_them() {
        let text = "a: yes\nb: 'true'\nc: Off\nd: 1\n";
        let root = parse(text).documents.remove(0).tree;
        let root = root.root();
        assert_eq!(root.bool_at("a"), Some(true));
        assert_eq!(root.bool_at("b"), None);
        assert_eq!(root.bool_at("c"), Some(false));
        assert_eq!(root.bool_at("d"), None);
    }
}
