//! The spanned YAML tree.
//!
//! yaml-rust2's own loader throws positions away and its markers only give start positions,
//! counted in characters. So we build our own small tree from the parser's events: every node
//! keeps its exact byte [`Span`] (start *and* end, found by scanning the source), its style
//! (block/flow, quoting) and, for mapping entries, the key node. Checks navigate this tree with
//! [`NodeRef`]; fixes edit the source bytes the spans point at.
//!
//! Most text never reaches yaml-rust2: `fast/` reads the YAML manifests are written in straight
//! from the bytes and gives the tree builder the same calls, at the same offsets, as
//! yaml-rust2's events do; it gives up on anything else, which yaml-rust2 then reads.
//!
//! Aliases are not expanded: an alias node points at its anchor's node, so an "alias bomb"
//! costs one node per alias, and recursive walks must not follow aliases.

mod decode;
mod fast;
mod node;
mod parse;
mod prepare;
mod read;
mod refuse;
mod resolve;
mod scan;
mod tree;
mod words;

pub use decode::{to_json, DecodeError};
pub use parse::{Document, ParsedStream, YamlError};
pub use read::{parse_stream, parse_valid_prefix};
pub use resolve::{resolve, Scalar};
pub use tree::{
    Arena, Children, Entry, NewNode, Node, NodeId, NodeKind, NodeRef, RawEntries, ScalarStyle, Tag,
    Text, Tree,
};

use crate::text::TextRange;

/// Index of a source file in the [`crate::source::Sources`] it was loaded into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
///
/// Nodes carry the file they came from, not only a range, so trees built from several files
/// (a Kustomize overlay patching a base) still point every value at the file that set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// The bytes in it.
    pub range: TextRange,
}

impl Span {
    /// `range` of `file`.
    pub fn new(file: FileId, range: TextRange) -> Self {
        Span { file, range }
    }
}
