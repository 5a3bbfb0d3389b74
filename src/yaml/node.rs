//! A tree's nodes as they are stored: 16 bytes each, their texts and children in arrays of
//! the tree (an [`Arena`] while the tree is built), common words not copied at all. A run
//! holds every node of every document at once: their size is most of its peak memory.

use super::Span;
use crate::text::TextRange;

/// Index of a node in its [`Tree`](super::Tree).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// How a scalar is written: fixes keep its style, and a quoted `"true"` is a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block scalar
    Literal,
    /// `>` block scalar
    Folded,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// The key's node (its span is the key's).
    pub key: NodeId,
    /// The value's node.
    pub value: NodeId,
}

/// Where a text (a scalar's value, a tag) is in its tree's [`Arena`]: trees keep every text
/// of their nodes in one buffer, so a node costs no allocation of its own and stays small
/// (peak memory at 100k objects is mostly nodes). A word of [`super::words`] is not copied:
/// `start` is then its number there, marked with [`Text::WORD`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub(super) start: u32,
    pub(super) len: u32,
}

impl Text {
    /// The bit of `start` that marks a word's number (an arena's buffer stays below 2 GiB:
    /// [`Arena::add`] checks).
    const WORD: u32 = 1 << 31;

    /// This text, from `buffer` (its arena's) unless it is a word.
    #[inline]
    pub(super) fn read(self, buffer: &str) -> &str {
        if self.start & Text::WORD != 0 {
            return super::words::word(self.start & !Text::WORD);
        }
        if self.len == LONG {
            return self.read_long(buffer);
        }
        let start = self.start as usize;
        buffer
            .get(start..start + self.len as usize)
            .unwrap_or_default()
    }

    /// A long text, whose length is written before it in hexadecimal.
    #[cold]
    fn read_long(self, buffer: &str) -> &str {
        let start = self.start as usize;
        let digits = buffer.get(start..start + 8).unwrap_or_default();
        let len = u32::from_str_radix(digits, 16).unwrap_or(0) as usize;
        buffer.get(start + 8..start + 8 + len).unwrap_or_default()
    }
}

/// Where a collection's items or entries are in its tree's [`Arena`] (each collection's are
/// contiguous: they are added when it closes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Children {
    start: u32,
    len: u32,
}

/// How many bits of a [`Node`] hold the length of its text or children: a longer one is
/// marked [`LONG`] and written before them (in the arena). Small in unit tests, so that every
/// test of the crate goes through long texts and collections too.
const LEN_BITS: u32 = if cfg!(test) { 4 } else { 28 };

/// The length of a text or of children that do not fit in [`LEN_BITS`].
pub(super) const LONG: u32 = (1 << LEN_BITS) - 1;

/// The part of `all` at `at`, whose length, when [`LONG`], is `len_of` the element before it.
#[inline]
pub(super) fn children<T>(all: &[T], at: Children, len_of: impl Fn(&T) -> u32) -> &[T] {
    let (start, len) = match at.len {
        LONG => (
            at.start as usize + 1,
            all.get(at.start as usize).map_or(0, len_of),
        ),
        len => (at.start as usize, len),
    };
    all.get(start..start + len as usize).unwrap_or_default()
}

/// What one tree's nodes hold besides themselves (texts, tags, children), and the builder's
/// way to add them.
#[derive(Clone, Debug, Default)]
pub struct Arena {
    pub(super) buffer: String,
    /// Where each [`Tag`]'s text is (tag `n` is `tags[n - 1]`).
    pub(super) tags: Vec<Text>,
    pub(super) items: Vec<NodeId>,
    pub(super) entries: Vec<Entry>,
}

impl Arena {
    /// Adds a sequence's items; where they are.
    pub(crate) fn items(&mut self, items: &[NodeId]) -> Children {
        let start = self.items.len() as u32;
        let mut len = items.len() as u32;
        if len >= LONG {
            self.items.push(NodeId(len));
            len = LONG;
        }
        self.items.extend_from_slice(items);
        Children { start, len }
    }

    /// Adds a mapping's entries; where they are.
    pub(crate) fn entries(&mut self, entries: &[Entry]) -> Children {
        let start = self.entries.len() as u32;
        let mut len = entries.len() as u32;
        if len >= LONG {
            let (key, value) = (NodeId(len), NodeId(0));
            self.entries.push(Entry { key, value });
            len = LONG;
        }
        self.entries.extend_from_slice(entries);
        Children { start, len }
    }

    /// Adds `text` (unless it is a word of [`super::words`]); where it is.
    pub(crate) fn add(&mut self, text: &str) -> Text {
        let len = text.len() as u32;
        if let Some(number) = super::words::number(text) {
            return Text {
                start: Text::WORD | u32::from(number),
                len,
            };
        }
        let start = self.buffer.len() as u32;
        // A document's texts are at most its file's size (`--max-file-size`, 50 MB unless
        // raised): past 2 GiB a text is read as empty rather than as another one.
        if start.saturating_add(len).saturating_add(8) >= Text::WORD {
            return Text { start: 0, len: 0 };
        }
        if len >= LONG {
            self.buffer.push_str(&format!("{len:08x}"));
        }
        self.buffer.push_str(text);
        Text {
            start,
            len: len.min(LONG),
        }
    }

    /// The text at `at` (added to this arena).
    pub fn get(&self, at: Text) -> &str {
        at.read(&self.buffer)
    }

    /// Forgets everything (a builder starting a new document).
    pub(crate) fn clear(&mut self) {
        self.buffer.clear();
        self.tags.clear();
        self.items.clear();
        self.entries.clear();
    }
}

/// An explicit tag (`!!str`) of a node being built, as `handle` + `suffix`: the number of its
/// text in the builder's [`Arena`]. A [`Tree`](super::Tree) keeps its (rare) tags aside, not in its nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag(pub(super) std::num::NonZeroU32);

impl Tag {
    /// The tag `text`, added to `arena`.
    pub(crate) fn new(arena: &mut Arena, text: &str) -> Tag {
        let at = arena.add(text);
        arena.tags.push(at);
        Tag(std::num::NonZeroU32::MIN.saturating_add(arena.tags.len() as u32 - 1))
    }
}

/// What a node is. `flow` marks a collection written `[…]` / `{…}`. Texts and children are
/// kept in the tree ([`Tree::text`](super::Tree::text), [`Tree::items`](super::Tree::items), [`Tree::entries`](super::Tree::entries) read them).
#[derive(Clone, Copy, Debug)]
pub enum NodeKind {
    /// A scalar's value (unescaped, as the parser read it) and its style.
    Scalar { value: Text, style: ScalarStyle },
    /// A sequence's items, in order.
    Sequence { items: Children, flow: bool },
    /// A mapping's entries, in order (duplicate keys kept).
    Mapping { entries: Children, flow: bool },
    /// `*name`: refers to the node that carried the anchor.
    Alias { target: NodeId },
}

/// A node as a builder (the parser, a Kustomize build) makes it, with its file and tag: the
/// [`Tree`](super::Tree) it joins keeps it as a [`Node`].
#[derive(Clone, Debug)]
pub struct NewNode {
    /// What the node holds.
    pub kind: NodeKind,
    /// For block scalars the span starts at the `|`/`>` indicator; for an implicit null (`key:`
    /// with nothing after it) it is empty, just after the colon.
    pub span: Span,
    /// Explicit tag (`!!str`), if any.
    pub tag: Option<Tag>,
}

/// One node of a [`Tree`](super::Tree): what it is and where in its file ([`NodeRef::span`](super::NodeRef::span) adds the file,
/// [`NodeRef::tag`](super::NodeRef::tag) the tag). 16 bytes: a run holds every node of every document at once, and
/// nodes are most of its peak memory; the file is kept once per tree, tags aside, and the
/// kind packed ([`Node::kind`] unpacks it).
#[derive(Clone, Debug)]
pub struct Node {
    /// The node's bytes in its file (see [`NewNode::span`]).
    pub range: TextRange,
    /// Where its text or children start, or the alias's target.
    at: u32,
    /// What it is in the top four bits (0–4 a scalar of each [`ScalarStyle`], 5–6 a block or
    /// flow sequence, 7–8 a block or flow mapping, 9 an alias), and the length of its text or
    /// children in the [`LEN_BITS`] below.
    len_code: u32,
}

impl Node {
    /// `kind` at `range`.
    pub(super) fn new(kind: NodeKind, range: TextRange) -> Node {
        let (at, len, code) = match kind {
            NodeKind::Scalar { value, style } => {
                let code = match style {
                    ScalarStyle::Plain => 0,
                    ScalarStyle::SingleQuoted => 1,
                    ScalarStyle::DoubleQuoted => 2,
                    ScalarStyle::Literal => 3,
                    ScalarStyle::Folded => 4,
                };
                (value.start, value.len, code)
            }
            NodeKind::Sequence { items, flow } => (items.start, items.len, 5 + u32::from(flow)),
            NodeKind::Mapping { entries, flow } => {
                (entries.start, entries.len, 7 + u32::from(flow))
            }
            NodeKind::Alias { target } => (target.0, 0, 9),
        };
        Node {
            range,
            at,
            len_code: code << 28 | len.min(LONG),
        }
    }

    /// Scalar styles by code.
    const STYLES: [ScalarStyle; 5] = [
        ScalarStyle::Plain,
        ScalarStyle::SingleQuoted,
        ScalarStyle::DoubleQuoted,
        ScalarStyle::Literal,
        ScalarStyle::Folded,
    ];

    /// What the node holds.
    #[inline]
    pub fn kind(&self) -> NodeKind {
        let (start, len) = (self.at, self.len_code & LONG);
        let children = Children { start, len };
        match self.len_code >> 28 {
            5 => NodeKind::Sequence {
                items: children,
                flow: false,
            },
            6 => NodeKind::Sequence {
                items: children,
                flow: true,
            },
            7 => NodeKind::Mapping {
                entries: children,
                flow: false,
            },
            8 => NodeKind::Mapping {
                entries: children,
                flow: true,
            },
            9 => NodeKind::Alias {
                target: NodeId(start),
            },
            code => NodeKind::Scalar {
                value: Text { start, len },
                style: Node::STYLES[(code as usize).min(4)],
            },
        }
    }

    /// The target of an alias (what most accessors ask first), in one comparison.
    #[inline]
    pub(super) fn alias_target(&self) -> Option<NodeId> {
        (self.len_code >> 28 == 9).then_some(NodeId(self.at))
    }

    /// A scalar's value and style.
    #[inline]
    pub(super) fn scalar(&self) -> Option<(Text, ScalarStyle)> {
        let style = *Node::STYLES.get((self.len_code >> 28) as usize)?;
        let len = self.len_code & LONG;
        Some((
            Text {
                start: self.at,
                len,
            },
            style,
        ))
    }

    /// A mapping's entries.
    #[inline]
    pub(super) fn mapping(&self) -> Option<Children> {
        let code = self.len_code >> 28;
        let len = self.len_code & LONG;
        (code == 7 || code == 8).then_some(Children {
            start: self.at,
            len,
        })
    }
}
