//! Tree nodes and the read-only cursor checks use to walk them.

use super::Span;

/// Index of a node in its [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// What a node is. `flow` marks a collection written `[…]` / `{…}`.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A scalar's value (unescaped, as the parser read it) and its style.
    Scalar { value: Box<str>, style: ScalarStyle },
    /// A sequence's items, in order.
    Sequence { items: Vec<NodeId>, flow: bool },
    /// A mapping's entries, in order (duplicate keys kept).
    Mapping { entries: Vec<Entry>, flow: bool },
    /// `*name`: refers to the node that carried the anchor.
    Alias { target: NodeId },
}

/// One node of a [`Tree`]: what it is and where it is.
#[derive(Clone, Debug)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// For block scalars the span starts at the `|`/`>` indicator; for an implicit null (`key:`
    /// with nothing after it) it is empty, just after the colon.
    pub span: Span,
    /// Explicit tag (`!!str`), if any, as `handle` + `suffix`.
    pub tag: Option<Box<str>>,
}

/// The nodes of one YAML document, stored flat.
#[derive(Clone, Debug)]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
    /// The file this tree is a document of, exactly as parsed; `None` for trees assembled from
    /// several places (a Kustomize build). Edits on a parsed tree need no re-parse of the file.
    pub(crate) parsed_from: Option<super::FileId>,
}

impl Tree {
    /// A tree from nodes whose `root` is an index into `nodes`.
    pub(crate) fn from_nodes(nodes: Vec<Node>, root: NodeId) -> Self {
        debug_assert!((root.0 as usize) < nodes.len());
        Tree {
            nodes,
            root,
            parsed_from: None,
        }
    }

    /// A document of `file` as the parser built it.
    pub(crate) fn parsed(nodes: Vec<Node>, root: NodeId, file: super::FileId) -> Self {
        Tree {
            parsed_from: Some(file),
            ..Tree::from_nodes(nodes, root)
        }
    }

    /// The file this tree is a parsed document of, if it is one.
    pub(crate) fn parsed_from(&self) -> Option<super::FileId> {
        self.parsed_from
    }

    /// The document's root (an alias resolved).
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef {
            tree: self,
            id: self.root,
        }
        .resolve()
    }

    /// A cursor on node `id` of this tree.
    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        NodeRef { tree: self, id }
    }

    /// How many nodes the tree has.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// A cursor on one node. Cheap to copy; every accessor is total (returns `None` or nothing
/// when the node has another shape), so checks never need to unwrap.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    tree: &'a Tree,
    id: NodeId,
}

impl std::fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeRef({:?} {:?})", self.id, self.node().kind)
    }
}

impl<'a> NodeRef<'a> {
    /// The node's index in its tree.
    pub fn id(self) -> NodeId {
        self.id
    }

    /// The tree the node is in.
    pub fn tree(self) -> &'a Tree {
        self.tree
    }

    /// The node itself.
    pub fn node(self) -> &'a Node {
        &self.tree.nodes[self.id.0 as usize]
    }

    /// Where the node is: its file and bytes.
    pub fn span(self) -> Span {
        self.node().span
    }

    /// Follows an alias to the anchored node (once: anchors never point at aliases).
    pub fn resolve(self) -> NodeRef<'a> {
        match self.node().kind {
            NodeKind::Alias { target } => NodeRef {
                tree: self.tree,
                id: target,
            },
            _ => self,
        }
    }

    /// Whether it is (or an alias of) a mapping.
    pub fn is_mapping(self) -> bool {
        matches!(self.resolve().node().kind, NodeKind::Mapping { .. })
    }

    /// Whether it is (or an alias of) a sequence.
    pub fn is_sequence(self) -> bool {
        matches!(self.resolve().node().kind, NodeKind::Sequence { .. })
    }

    /// Whether it is a collection written in flow style (`{…}`, `[…]`).
    pub fn is_flow(self) -> bool {
        matches!(
            self.node().kind,
            NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
        )
    }

    /// The scalar's value, whatever its style; `None` for collections.
    pub fn as_scalar(self) -> Option<(&'a str, ScalarStyle)> {
        match &self.resolve().node().kind {
            NodeKind::Scalar { value, style } => Some((value, *style)),
            _ => None,
        }
    }

    /// The scalar's text when it is a string to Kubernetes: quoted, block or a plain scalar
    /// that is not null. Numbers and booleans are returned as written.
    pub fn as_str(self) -> Option<&'a str> {
        if self.is_null() {
            return None;
        }
        self.as_scalar().map(|(value, _)| value)
    }

    /// `~`, `null` or nothing at all, as YAML resolves a plain scalar.
    pub fn is_null(self) -> bool {
        matches!(
            self.as_scalar(),
            Some(("" | "~" | "null" | "Null" | "NULL", ScalarStyle::Plain))
        ) && self.node().tag.is_none()
    }

    /// A boolean as Kubernetes' YAML decoder (YAML 1.1) reads it: `true`, `yes`, `on`… in any
    /// usual case. Quoted strings are not booleans.
    pub fn as_bool(self) -> Option<bool> {
        let (value, ScalarStyle::Plain) = self.as_scalar()? else {
            return None;
        };
        if self.resolve().node().tag.is_some() {
            return None;
        }
        match value {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
                Some(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
            | "N" => Some(false),
            _ => None,
        }
    }

    /// An integer written as a plain scalar (decimal, `0x`, `0o`), as Kubernetes reads it.
    pub fn as_i64(self) -> Option<i64> {
        let (value, ScalarStyle::Plain) = self.as_scalar()? else {
            return None;
        };
        let (negative, digits) = match value.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, value.strip_prefix('+').unwrap_or(value)),
        };
        let digits = digits.replace('_', "");
        let parsed = if let Some(hex) = digits.strip_prefix("0x") {
            i64::from_str_radix(hex, 16).ok()
        } else if let Some(oct) = digits.strip_prefix("0o") {
            i64::from_str_radix(oct, 8).ok()
        } else {
            digits.parse::<i64>().ok()
        }?;
        Some(if negative { -parsed } else { parsed })
    }

    /// Entries of a mapping (`<<` merge keys are returned as written); empty for other shapes.
    pub fn entries(self) -> impl Iterator<Item = (NodeRef<'a>, NodeRef<'a>)> + 'a {
        let node = self.resolve();
        let entries: &'a [Entry] = match &node.node().kind {
            NodeKind::Mapping { entries, .. } => entries,
            _ => &[],
        };
        let tree = self.tree;
        entries.iter().map(move |e| {
            (
                NodeRef { tree, id: e.key },
                NodeRef { tree, id: e.value }.resolve(),
            )
        })
    }

    /// Items of a sequence; empty for other shapes.
    pub fn items(self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let node = self.resolve();
        let items: &'a [NodeId] = match &node.node().kind {
            NodeKind::Sequence { items, .. } => items,
            _ => &[],
        };
        let tree = self.tree;
        items.iter().map(move |&id| NodeRef { tree, id }.resolve())
    }

    /// The entry whose key is the string `key`: its key node and its value.
    ///
    /// With duplicate keys the last one wins, as in Kubernetes' JSON decoding. Keys merged in
    /// with `<<: *anchor` are found when the mapping does not set them itself.
    pub fn entry(self, key: &str) -> Option<(NodeRef<'a>, NodeRef<'a>)> {
        let mut merged = None;
        let mut found = None;
        for (k, v) in self.entries() {
            match k.as_scalar() {
                Some((text, _)) if text == key => found = Some((k, v)),
                Some(("<<", ScalarStyle::Plain)) if found.is_none() => merged = Some(v),
                _ => {}
            }
        }
        found.or_else(|| {
            let merged = merged?;
            if merged.is_sequence() {
                merged.items().find_map(|m| m.entry_direct(key))
            } else {
                merged.entry_direct(key)
            }
        })
    }

    /// Like [`entry`](Self::entry) without following merge keys (they cannot nest unboundedly).
    fn entry_direct(self, key: &str) -> Option<(NodeRef<'a>, NodeRef<'a>)> {
        self.entries()
            .filter(|(k, _)| k.as_scalar().is_some_and(|(t, _)| t == key))
            .last()
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(self, key: &str) -> Option<NodeRef<'a>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node of `key`.
    pub fn key(self, key: &str) -> Option<NodeRef<'a>> {
        self.entry(key).map(|(k, _)| k)
    }

    /// `get` along a path of keys.
    pub fn path(self, keys: &[&str]) -> Option<NodeRef<'a>> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string value under `key`.
    pub fn str_at(self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(NodeRef::as_str)
    }

    /// The boolean value under `key`.
    pub fn bool_at(self, key: &str) -> Option<bool> {
        self.get(key).and_then(NodeRef::as_bool)
    }
}
