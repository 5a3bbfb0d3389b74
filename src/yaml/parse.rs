//! Building [`Tree`]s from yaml-rust2's event stream.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::scan;
use super::tree::{Entry, Node, NodeId, NodeKind, ScalarStyle, Tree};
use super::{FileId, Span};
use crate::text::{LineIndex, TextRange};

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
}

/// One document of a stream: its tree and the byte range it covers.
#[derive(Debug)]
pub struct Document {
    /// The document's nodes.
    pub tree: Tree,
    /// From the first byte of the document's content to the end of its root node.
    pub range: TextRange,
}

/// Parses every document of `text`, which belongs to `file`.
///
/// A UTF-8 byte order mark is skipped (yaml-rust2 would make it part of the first key) and all
/// offsets still refer to `text` itself.
pub fn parse_stream(text: &str, file: FileId, index: &LineIndex) -> ParsedStream {
    let stream = parse_exact(text, file, index);
    match &stream.error {
        Some(error) if closing_bracket_line(text, error.offset as usize).is_some() => {
            parse_lenient(text, file).unwrap_or(stream)
        }
        _ => stream,
    }
}

fn parse_exact(text: &str, file: FileId, index: &LineIndex) -> ParsedStream {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let builder = Builder {
        text,
        index,
        file,
        bom,
        nodes: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        last_end: bom,
    };
    builder.run(Parser::new_from_str(&text[bom..]))
}

/// Most patches [`parse_lenient`] will make to one file.
const MAX_LENIENT_PATCHES: usize = 64;

/// Accepts a flow collection whose closing bracket is less indented than its block context:
///
/// ```yaml
///   args: [
///       "--port", "8080",
///   ]
/// ```
///
/// The YAML spec forbids it and yaml-rust2 says "invalid indentation", but libyaml and go-yaml
/// (so `kubectl`) accept it and real manifests use it. We indent each such bracket line like
/// the line before it, parse that text, and map every offset back to the original text.
/// Returns `None` when the error is not (only) this.
fn parse_lenient(text: &str, file: FileId) -> Option<ParsedStream> {
    // (offset in `text` of the bracket line's start, spaces inserted there)
    let mut insertions: Vec<(usize, usize)> = Vec::new();
    let mut patched = text.to_string();
    for _ in 0..MAX_LENIENT_PATCHES {
        let index = LineIndex::new(&patched);
        let mut stream = parse_exact(&patched, file, &index);
        let Some(error) = &stream.error else {
            remap(&mut stream, &insertions);
            return Some(stream);
        };
        let (line_start, indent) = closing_bracket_line(&patched, error.offset as usize)?;
        let wanted = previous_line_indent(&patched, line_start)?;
        if wanted <= indent {
            return None;
        }
        let original_at = to_original(line_start, &insertions);
        patched.insert_str(line_start, &" ".repeat(wanted - indent));
        insertions.push((original_at, wanted - indent));
        insertions.sort_unstable();
    }
    None
}

/// If `offset` is on a line whose first non-blank character closes a flow collection, that
/// line's start offset and indentation.
fn closing_bracket_line(text: &str, offset: usize) -> Option<(usize, usize)> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    let indent = line.len() - line.trim_start_matches(' ').len();
    matches!(line[indent..].chars().next(), Some(']' | '}')).then_some((start, indent))
}

/// Indentation of the nearest non-blank line before the line starting at `line_start`.
fn previous_line_indent(text: &str, line_start: usize) -> Option<usize> {
    text[..line_start]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
}

/// Maps an offset in the patched text back to the original text.
fn to_original(patched: usize, insertions: &[(usize, usize)]) -> usize {
    let mut shift = 0;
    for &(at, count) in insertions {
        let start = at + shift;
        if patched >= start + count {
            shift += count;
        } else if patched > start {
            return at;
        } else {
            break;
        }
    }
    patched - shift
}

fn remap(stream: &mut ParsedStream, insertions: &[(usize, usize)]) {
    let map = |offset: u32| to_original(offset as usize, insertions) as u32;
    for doc in &mut stream.documents {
        doc.range = TextRange::new(map(doc.range.start), map(doc.range.end));
        for node in &mut doc.tree.nodes {
            node.span.range = TextRange::new(map(node.span.range.start), map(node.span.range.end));
        }
    }
    if let Some(error) = &mut stream.error {
        error.offset = map(error.offset);
    }
}

enum Frame {
    Sequence {
        start: Option<usize>,
        flow: bool,
        items: Vec<NodeId>,
        anchor: usize,
        tag: Option<Box<str>>,
    },
    Mapping {
        start: Option<usize>,
        flow: bool,
        entries: Vec<Entry>,
        key: Option<NodeId>,
        anchor: usize,
        tag: Option<Box<str>>,
    },
}

struct Builder<'a> {
    text: &'a str,
    index: &'a LineIndex,
    file: FileId,
    bom: usize,
    nodes: Vec<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    /// End of the most recently completed node, where an implicit null value is placed.
    last_end: usize,
}

impl Builder<'_> {
    fn run(mut self, mut parser: Parser<std::str::Chars<'_>>) -> ParsedStream {
        let mut stream = ParsedStream::default();
        let mut doc_start = self.bom;
        loop {
            let (event, marker) = match parser.next_token() {
                Ok(next) => next,
                Err(error) => {
                    stream.error = Some(YamlError {
                        offset: self.offset(error.marker()) as u32,
                        message: error.info().to_string(),
                    });
                    return stream;
                }
            };
            let step = match event {
                Event::StreamEnd => return stream,
                Event::DocumentStart => {
                    self.nodes = Vec::new();
                    self.anchors.clear();
                    self.stack.clear();
                    doc_start = self.offset(&marker);
                    Ok(())
                }
                Event::DocumentEnd => {
                    stream.documents.extend(self.end_document(doc_start));
                    Ok(())
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let node = self.scalar(value, style, tag, &marker);
                    self.complete(node, anchor);
                    Ok(())
                }
                Event::Alias(anchor) => {
                    self.alias(anchor, &marker);
                    Ok(())
                }
                Event::SequenceStart(anchor, tag) => {
                    self.open(&marker, b'[', |start, flow| Frame::Sequence {
                        start,
                        flow,
                        items: Vec::new(),
                        anchor,
                        tag: tag.map(tag_text),
                    })
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(&marker, b'{', |start, flow| Frame::Mapping {
                        start,
                        flow,
                        entries: Vec::new(),
                        key: None,
                        anchor,
                        tag: tag.map(tag_text),
                    })
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let at = self.offset(&marker);
                    if let Some(frame) = self.stack.pop() {
                        let (node, anchor) = self.close(frame, at);
                        self.complete(node, anchor);
                    }
                    Ok(())
                }
                Event::StreamStart | Event::Nothing => Ok(()),
            };
            if let Err(error) = step {
                stream.error = Some(error);
                return stream;
            }
        }
    }

    /// The document just ended (`None` when it is empty), its nodes taken from the builder.
    fn end_document(&mut self, doc_start: usize) -> Option<Document> {
        let nodes = std::mem::take(&mut self.nodes);
        // The root completes last, so it is the last node pushed.
        let root = nodes.len().checked_sub(1)?;
        let end = nodes[root].span.range.end.max(doc_start as u32);
        let start = (doc_start as u32).min(nodes[root].span.range.start);
        Some(Document {
            tree: Tree::parsed(nodes, NodeId(root as u32), self.file),
            range: TextRange::new(start, end),
        })
    }

    /// An alias `*name`: a node pointing at its anchor's, or an empty scalar for an unknown
    /// anchor.
    fn alias(&mut self, anchor: usize, marker: &Marker) {
        let start = self.offset(marker);
        let end = alias_end(self.text, start);
        let span = self.span(start, end);
        let kind = match self.anchors.get(&anchor) {
            Some(&target) => NodeKind::Alias { target },
            None => NodeKind::Scalar {
                value: "".into(),
                style: ScalarStyle::Plain,
            },
        };
        self.complete(
            Node {
                kind,
                span,
                tag: None,
            },
            0,
        );
    }

    /// Opens a collection whose start event is at `marker`: `frame(start, flow)` is pushed,
    /// flow when the text there is `bracket`, and then starting there. Refused past
    /// [`MAX_DEPTH`].
    fn open(
        &mut self,
        marker: &Marker,
        bracket: u8,
        frame: impl FnOnce(Option<usize>, bool) -> Frame,
    ) -> Result<(), YamlError> {
        self.check_depth(marker)?;
        let at = self.offset(marker);
        let flow = self.text.as_bytes().get(at) == Some(&bracket);
        self.stack.push(frame(flow.then_some(at), flow));
        Ok(())
    }

    fn check_depth(&self, marker: &Marker) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                offset: self.offset(marker) as u32,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    /// Byte offset of a marker. Markers count characters (and drift after non-ASCII block
    /// scalars), but their line and column are right, so go through the line index.
    fn offset(&self, marker: &Marker) -> usize {
        // Markers are relative to the text after the BOM; only line 1 is shifted by it.
        let column = marker.col();
        let line = marker.line().max(1);
        let offset = if line == 1 {
            self.bom + self.index_without_bom_line1(column)
        } else {
            self.index.offset(self.text, line, column) as usize
        };
        offset.min(self.text.len())
    }

    fn index_without_bom_line1(&self, column: usize) -> usize {
        let first = &self.text[self.bom..];
        let line = &first[..first.find('\n').unwrap_or(first.len())];
        line.char_indices()
            .nth(column)
            .map_or_else(|| line.trim_end_matches('\r').len(), |(i, _)| i)
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
    ) -> Node {
        let at = self.offset(marker);
        let (style, start, end) = match style {
            TScalarStyle::Plain if value.is_empty() => {
                // Implicit null: the marker points at the next token; place it where the
                // value would be, right after the key's colon or the sequence dash.
                let start = self.implicit_value_offset();
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
                let header = scan::block_header_start(self.text, at).max(self.last_end);
                let end = scan::block_end(self.text, header, at);
                let style = if style == TScalarStyle::Literal {
                    ScalarStyle::Literal
                } else {
                    ScalarStyle::Folded
                };
                (style, header, end)
            }
        };
        Node {
            kind: NodeKind::Scalar {
                value: value.into(),
                style,
            },
            span: self.span(start, end),
            tag: tag.map(tag_text),
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
            Some(Frame::Sequence { items, start, .. }) => {
                if start.is_none() {
                    *start = Some(dash_before(self.text, self.nodes[id.0 as usize].span.range));
                }
                items.push(id);
            }
            Some(Frame::Mapping {
                entries,
                key,
                start,
                ..
            }) => match key.take() {
                Some(k) => entries.push(Entry { key: k, value: id }),
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
        let bytes = self.text.as_bytes();
        let (kind, start, flow, anchor, tag) = match frame {
            Frame::Sequence {
                start,
                flow,
                items,
                anchor,
                tag,
            } => (NodeKind::Sequence { items, flow }, start, flow, anchor, tag),
            Frame::Mapping {
                start,
                flow,
                mut entries,
                key,
                anchor,
                tag,
            } => {
                if let Some(key) = key {
                    // A key without a value cannot come from the parser, but never lose it.
                    let at = self.nodes[key.0 as usize].span.range.end;
                    let value = NodeId(self.nodes.len() as u32);
                    self.nodes.push(Node {
                        kind: NodeKind::Scalar {
                            value: "".into(),
                            style: ScalarStyle::Plain,
                        },
                        span: Span::new(self.file, TextRange::empty(at)),
                        tag: None,
                    });
                    entries.push(Entry { key, value });
                }
                (
                    NodeKind::Mapping { entries, flow },
                    start,
                    flow,
                    anchor,
                    tag,
                )
            }
        };
        let last_child_end = match &kind {
            NodeKind::Sequence { items, .. } => items.last().map(|id| self.end_of(*id)),
            NodeKind::Mapping { entries, .. } => entries.last().map(|e| self.end_of(e.value)),
            _ => None,
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

fn tag_text(tag: yaml_rust2::parser::Tag) -> Box<str> {
    format!("{}{}", tag.handle, tag.suffix).into()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let text = "[".repeat(100_000);
        let stream = parse(&text);
        let error = stream.error.expect("deep nesting must be an error");
        assert!(
            error.message.contains("nesting") || error.message.contains("recursion"),
            "{error:?}"
        );
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
