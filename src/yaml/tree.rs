//! Trees (a document's nodes, stored as `node.rs` packs them) and the read-only cursor checks
//! use to walk them.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::decode::{is_merge_key, key_name, merge_sources};
use super::node::children;
use super::resolve::{resolve, Scalar};
use super::{FileId, Span};

pub use super::node::{
    Arena, Children, Entry, NewNode, Node, NodeId, NodeKind, ScalarStyle, Tag, Text,
};

/// Deepest chain of `<<` merges followed when looking a key up: anchors only refer backwards,
/// so chains are acyclic, and documents whose merges expand too far are refused when parsed.
const MAX_MERGE_DEPTH: usize = 64;

/// A key name looked up in mappings. Usually a word that reads as itself (`privileged`):
/// then only an untagged key written so is named so (a key written otherwise that resolves to a
/// boolean, number or null is named `true`, `1`…), a plain text comparison.
#[derive(Clone, Copy)]
struct KeyName<'k> {
    name: &'k str,
    word: bool,
}

impl<'k> KeyName<'k> {
    fn new(name: &'k str) -> Self {
        let word = matches!(resolve(name, ScalarStyle::Plain, None), Ok(Scalar::Str(_)));
        KeyName { name, word }
    }

    /// Whether mapping key `key` is named so in JSON.
    #[inline]
    fn names(self, key: NodeRef<'_>) -> bool {
        let key = key.resolve();
        let Some((value, _)) = key.scalar() else {
            return false;
        };
        if key.tag().is_none() && self.word {
            return value == self.name;
        }
        key_name(key).is_ok_and(|n| n == self.name)
    }
}

/// The nodes of one YAML document, stored flat.
#[derive(Clone, Debug)]
pub struct Tree {
    pub(crate) nodes: Box<[Node]>,
    /// The file of every node, unless `files` says otherwise.
    file: FileId,
    /// The file of each node, for trees whose nodes come from several files (a Kustomize
    /// build); empty otherwise.
    files: Box<[FileId]>,
    /// The texts of the nodes' scalars and tags.
    strings: Box<str>,
    /// The tagged nodes, in increasing order, and where their tag's text is in `strings`.
    tags: Box<[(NodeId, Text)]>,
    /// The items of every sequence.
    items: Box<[NodeId]>,
    /// The entries of every mapping.
    entries: Box<[Entry]>,
    pub(crate) root: NodeId,
    /// The file this tree is a document of, exactly as parsed; `None` for trees assembled from
    /// several places (a Kustomize build). Edits on a parsed tree need no re-parse of the file.
    pub(crate) parsed_from: Option<super::FileId>,
    /// Whether any node is an alias: most documents have none, and then no one needs to look
    /// for them (a fix asks on every edit, a `kind: List` of thousands of Pods has many).
    aliases: bool,
    /// Whether any scalar reads `<<`, the text of a merge key: most documents have none, and
    /// then a key lookup (the most frequent question checks ask) need not ask of every key
    /// whether it merges.
    merges: bool,
    /// How the document is indented (step, sequence offset), as the fix engine reads it from
    /// the document's text: remembered here so that it is read once per document, not once
    /// per fix (a `kind: List` of thousands of Pods gets thousands of fixes). Filled by
    /// `fix::yaml_edit`; the tree itself never reads it.
    indentation: OnceLock<[usize; 2]>,
}

impl Tree {
    /// A tree from nodes whose `root` is an index into `nodes`, their texts in `arena`. Both
    /// are copied into storage of exactly their size and left empty with their capacity, for
    /// the next document: a builder that handed its growing vectors over instead reallocated
    /// them anew for every document.
    pub(crate) fn from_nodes(nodes: &mut Vec<NewNode>, arena: &mut Arena, root: NodeId) -> Self {
        debug_assert!((root.0 as usize) < nodes.len());
        let aliases = nodes
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Alias { .. }));
        let merges = nodes.iter().any(|n| match n.kind {
            NodeKind::Scalar { value, .. } => value.len == 2 && arena.get(value) == "<<",
            _ => false,
        });
        let file = nodes
            .get(root.0 as usize)
            .map_or(FileId(0), |n| n.span.file);
        let files = if nodes.iter().all(|n| n.span.file == file) {
            Box::default()
        } else {
            nodes.iter().map(|n| n.span.file).collect()
        };
        let tags = (nodes.iter().enumerate())
            .filter_map(|(id, n)| {
                let at = arena.tags.get(n.tag?.0.get() as usize - 1)?;
                Some((NodeId(id as u32), *at))
            })
            .collect();
        // Kept for the whole run: no spare capacity (collecting an iterator of known length
        // into a box of exactly that length).
        let tree_nodes = nodes
            .drain(..)
            .map(|n| Node::new(n.kind, n.span.range))
            .collect();
        let tree = Tree {
            nodes: tree_nodes,
            file,
            files,
            strings: arena.buffer.as_str().into(),
            tags,
            items: arena.items.as_slice().into(),
            entries: arena.entries.as_slice().into(),
            root,
            parsed_from: None,
            aliases,
            merges,
            indentation: OnceLock::new(),
        };
        arena.clear();
        tree
    }

    /// A document of `file` as the parser built it.
    pub(crate) fn parsed(
        nodes: &mut Vec<NewNode>,
        arena: &mut Arena,
        root: NodeId,
        file: super::FileId,
    ) -> Self {
        Tree {
            parsed_from: Some(file),
            ..Tree::from_nodes(nodes, arena, root)
        }
    }

    /// The items at `at`, a sequence's of this tree.
    #[inline]
    pub fn items(&self, at: Children) -> &[NodeId] {
        children(&self.items, at, |prefix| prefix.0)
    }

    /// The entries at `at`, a mapping's of this tree.
    #[inline]
    pub fn entries(&self, at: Children) -> &[Entry] {
        children(&self.entries, at, |prefix| prefix.key.0)
    }

    /// The text at `at`, one of this tree's.
    #[inline]
    pub fn text(&self, at: Text) -> &str {
        at.read(&self.strings)
    }

    /// Whether any node of the tree is an alias (`*name`).
    pub(crate) fn has_aliases(&self) -> bool {
        self.aliases
    }

    /// Whether any scalar of the tree reads `<<` (without one, no key merges).
    pub(crate) fn may_merge(&self) -> bool {
        self.merges
    }

    /// The fix engine's memo of how the document is indented (see the field).
    pub(crate) fn indentation(&self) -> &OnceLock<[usize; 2]> {
        &self.indentation
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
    #[inline]
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
        write!(f, "NodeRef({:?} {:?})", self.id, self.node().kind())
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
    #[inline]
    pub fn node(self) -> &'a Node {
        &self.tree.nodes[self.id.0 as usize]
    }

    /// Where the node is: its file and bytes.
    #[inline]
    pub fn span(self) -> Span {
        let file = self.tree.files.get(self.id.0 as usize);
        Span::new(file.copied().unwrap_or(self.tree.file), self.node().range)
    }

    /// Follows an alias to the anchored node (once: anchors never point at aliases).
    #[inline]
    pub fn resolve(self) -> NodeRef<'a> {
        match self.node().alias_target() {
            Some(target) => NodeRef {
                tree: self.tree,
                id: target,
            },
            None => self,
        }
    }

    /// Whether it is (or an alias of) a mapping.
    pub fn is_mapping(self) -> bool {
        matches!(self.resolve().node().kind(), NodeKind::Mapping { .. })
    }

    /// Whether it is (or an alias of) a sequence.
    pub fn is_sequence(self) -> bool {
        matches!(self.resolve().node().kind(), NodeKind::Sequence { .. })
    }

    /// Whether it is a collection written in flow style (`{…}`, `[…]`).
    pub fn is_flow(self) -> bool {
        matches!(
            self.node().kind(),
            NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
        )
    }

    /// The scalar's value, whatever its style; `None` for collections.
    pub fn as_scalar(self) -> Option<(&'a str, ScalarStyle)> {
        self.resolve().scalar()
    }

    /// The node's value and style if it is a scalar (an alias is not: see
    /// [`as_scalar`](Self::as_scalar)).
    #[inline]
    pub fn scalar(self) -> Option<(&'a str, ScalarStyle)> {
        let (value, style) = self.node().scalar()?;
        Some((self.tree.text(value), style))
    }

    /// The node's explicit tag (`!!str`), if any, as `handle` + `suffix` (an alias has none).
    #[inline]
    pub fn tag(self) -> Option<&'a str> {
        let tags = &self.tree.tags;
        if tags.is_empty() {
            return None;
        }
        let at = tags.binary_search_by_key(&self.id, |&(id, _)| id).ok()?;
        Some(self.tree.text(tags[at].1))
    }

    /// The scalar's text when it is a string to Kubernetes: quoted, block or a plain scalar
    /// that is not null. Numbers and booleans are returned as written.
    pub fn as_str(self) -> Option<&'a str> {
        if self.is_null() {
            return None;
        }
        self.as_scalar().map(|(value, _)| value)
    }

    /// The scalar as the Kubernetes reader resolves it (YAML 1.1 words, numbers, standard
    /// tags); `None` for collections and for a tag its text does not fit.
    pub fn resolved(self) -> Option<Scalar<'a>> {
        let node = self.resolve();
        let (value, style) = node.scalar()?;
        resolve(value, style, node.tag()).ok()
    }

    /// `~`, `null`, nothing at all or a `!!null` scalar, as YAML resolves it.
    pub fn is_null(self) -> bool {
        // Asked of most values checks read (`as_str` asks first): an untagged scalar is null
        // only plain and written as one of the null words, which needs no full resolution.
        let node = self.resolve();
        match node.scalar() {
            Some((value, style)) if node.tag().is_none() => {
                style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
            }
            _ => matches!(self.resolved(), Some(Scalar::Null)),
        }
    }

    /// A boolean as Kubernetes' YAML decoder (YAML 1.1) reads it: `true`, `yes`, `on`… in any
    /// usual case, or any text tagged `!!bool` (`!!bool "true"`). An untagged quoted
    /// `"true"` is a string: the API server refuses it for a boolean field.
    pub fn as_bool(self) -> Option<bool> {
        match self.resolved()? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// An integer as Kubernetes reads it: a plain scalar (decimal, `0x`, `0o`, `0b`, `0755`
    /// octal, `_` separators), a `!!int` scalar, or a float with no fraction (`1.0` and `08`
    /// reach the API server as the JSON number `1`, `8`).
    pub fn as_i64(self) -> Option<i64> {
        match self.resolved()? {
            Scalar::Int(i) => Some(i),
            Scalar::Float(f) => super::decode::integral(f),
            _ => None,
        }
    }

    /// The mapping's entries as the Kubernetes reader sees them: `<<` merge keys expanded and
    /// each key once, with the value that wins (the last one written; see
    /// [`super::decode`]); in document order of the winning entries. Empty for other shapes.
    pub fn entries(self) -> impl Iterator<Item = (NodeRef<'a>, NodeRef<'a>)> + 'a {
        let node = self.resolve();
        if node.is_plain_mapping() {
            return Entries::Raw(node.raw_entries());
        }
        let mut effective: Vec<(Cow<'a, str>, NodeRef<'a>, NodeRef<'a>)> = Vec::new();
        node.collect_entries(&mut effective, 0);
        Entries::Merged(effective.into_iter())
    }

    /// Entries of a mapping exactly as written (merge keys and duplicate keys included).
    pub fn raw_entries(self) -> RawEntries<'a> {
        let node = self.resolve();
        let entries: &'a [Entry] = match node.node().mapping() {
            Some(entries) => self.tree.entries(entries),
            None => &[],
        };
        RawEntries {
            tree: self.tree,
            entries: entries.iter(),
        }
    }

    /// Whether the raw entries are the effective ones: no merge key, no key written twice.
    fn is_plain_mapping(self) -> bool {
        let Some(entries) = self.node().mapping() else {
            return true;
        };
        let entries = self.tree.entries(entries);
        let name = |e: &Entry| key_name(self.tree.node(e.key)).ok();
        if entries.len() > 16 {
            let mut names = std::collections::HashSet::with_capacity(entries.len());
            return entries.iter().all(|e| {
                !is_merge_key(self.tree.node(e.key)) && name(e).is_some_and(|n| names.insert(n))
            });
        }
        // A handful of keys (the usual case): compared pairwise, nothing allocated.
        entries.iter().enumerate().all(|(i, e)| {
            if is_merge_key(self.tree.node(e.key)) {
                return false;
            }
            let Some(own) = name(e) else {
                return false;
            };
            entries[..i]
                .iter()
                .all(|before| name(before).is_some_and(|n| n != own))
        })
    }

    /// Appends this mapping's writes to `out` (a key written again replaces its value).
    fn collect_entries(
        self,
        out: &mut Vec<(Cow<'a, str>, NodeRef<'a>, NodeRef<'a>)>,
        depth: usize,
    ) {
        if depth > MAX_MERGE_DEPTH {
            return;
        }
        for (key, value) in self.raw_entries() {
            if is_merge_key(key) {
                for source in merge_sources(value).unwrap_or_default().into_iter().rev() {
                    source.resolve().collect_entries(out, depth + 1);
                }
                continue;
            }
            let Ok(name) = key_name(key) else {
                continue;
            };
            match out.iter_mut().find(|(n, _, _)| *n == name) {
                Some(slot) => {
                    slot.1 = key;
                    slot.2 = value;
                }
                None => out.push((name, key, value)),
            }
        }
    }

    /// Items of a sequence; empty for other shapes.
    pub fn items(self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let node = self.resolve();
        let items: &'a [NodeId] = match node.node().kind() {
            NodeKind::Sequence { items, .. } => self.tree.items(items),
            _ => &[],
        };
        let tree = self.tree;
        items.iter().map(move |&id| NodeRef { tree, id }.resolve())
    }

    /// The entry whose key is named `key` (as JSON names it: `y` is `true`, `0x1` is `1`):
    /// its key node and its value, the one the Kubernetes reader keeps.
    ///
    /// With duplicate keys the last one wins; `<<` merge keys apply their sources at their
    /// place, so a key written before a merge is overridden by it, and one written after
    /// overrides it; in a list of sources the first one wins.
    pub fn entry(self, key: &str) -> Option<(NodeRef<'a>, NodeRef<'a>)> {
        self.entry_at_depth(KeyName::new(key), 0)
    }

    fn entry_at_depth(self, key: KeyName<'_>, depth: usize) -> Option<(NodeRef<'a>, NodeRef<'a>)> {
        if depth > MAX_MERGE_DEPTH {
            return None;
        }
        let node = self.resolve();
        let entries = node.node().mapping()?;
        for e in self.tree.entries(entries).iter().rev() {
            let k = NodeRef {
                tree: self.tree,
                id: e.key,
            };
            let v = NodeRef {
                tree: self.tree,
                id: e.value,
            }
            .resolve();
            // Asked of the tree first: most have no merge key, and this loop is the hottest.
            if self.tree.merges && is_merge_key(k) {
                let found = merge_sources(v)
                    .unwrap_or_default()
                    .into_iter()
                    .find_map(|source| source.entry_at_depth(key, depth + 1));
                if found.is_some() {
                    return found;
                }
            } else if key.names(k) {
                return Some((k, v));
            }
        }
        None
    }

    /// For each `i < found.len()`, what [`entry`](Self::entry) answers for `name(i)`, into
    /// `found[i]`: in one pass over the mapping instead of one per name (the schema check asks
    /// a mapping for every field its kind has, most of them absent). A tree with merge keys,
    /// or a name that is not a plain string to YAML, is asked name by name.
    pub(crate) fn entries_named<'n>(
        self,
        name: impl Fn(usize) -> &'n str,
        found: &mut [Option<(NodeRef<'a>, NodeRef<'a>)>],
    ) {
        let node = self.resolve();
        let words = (0..found.len()).all(|i| KeyName::new(name(i)).word);
        let Some(entries) = node.node().mapping() else {
            found.fill(None);
            return;
        };
        if self.tree.may_merge() || !words {
            for (i, slot) in found.iter_mut().enumerate() {
                *slot = self.entry(name(i));
            }
            return;
        }
        found.fill(None);
        // In document order: a later duplicate replaces an earlier one, as in `entry`.
        for e in self.tree.entries(entries) {
            let key = NodeRef {
                tree: self.tree,
                id: e.key,
            };
            let resolved = key.resolve();
            let Some((text, _)) = resolved.scalar() else {
                continue;
            };
            let decoded;
            let text = if resolved.tag().is_none() {
                text
            } else {
                match key_name(key) {
                    Ok(name) => {
                        decoded = name;
                        decoded.as_ref()
                    }
                    Err(_) => continue,
                }
            };
            for (i, slot) in found.iter_mut().enumerate() {
                if name(i) == text {
                    let value = NodeRef {
                        tree: self.tree,
                        id: e.value,
                    };
                    *slot = Some((key, value.resolve()));
                }
            }
        }
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

/// A mapping's entries as written: (key, value) with the value's alias resolved.
pub struct RawEntries<'a> {
    tree: &'a Tree,
    entries: std::slice::Iter<'a, Entry>,
}

impl<'a> Iterator for RawEntries<'a> {
    type Item = (NodeRef<'a>, NodeRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let e = self.entries.next()?;
        let tree = self.tree;
        Some((
            NodeRef { tree, id: e.key },
            NodeRef { tree, id: e.value }.resolve(),
        ))
    }
}

/// [`NodeRef::entries`]: the raw entries when they are the effective ones, else the
/// effective entries computed once.
enum Entries<'a> {
    Raw(RawEntries<'a>),
    Merged(std::vec::IntoIter<(Cow<'a, str>, NodeRef<'a>, NodeRef<'a>)>),
}

impl<'a> Iterator for Entries<'a> {
    type Item = (NodeRef<'a>, NodeRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Raw(raw) => raw.next(),
            Entries::Merged(merged) => merged.next().map(|(_, k, v)| (k, v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::node::LONG;
    use super::*;
    use crate::text::{LineIndex, TextRange};

    /// A run holds every node of every document at once (millions at 100k objects): a node's
    /// size is most of k8sec's peak memory, so it must not grow unnoticed.
    #[test]
    fn nodes_stay_small() {
        assert_eq!(std::mem::size_of::<Node>(), 16);
    }

    #[test]
    fn long_texts_and_collections_are_read_back() {
        // Longer than a node's length field holds in unit tests (see `LEN_BITS`).
        let long = "x".repeat(LONG as usize * 3);
        let items: Vec<String> = (0..LONG * 2).map(|i| format!("i{i}")).collect();
        let keys: Vec<String> = (0..LONG * 2).map(|i| format!("k{i}: v{i}")).collect();
        let text = format!(
            "a: {long}\nb: [{}]\nc: {{{}}}\nd: [{}]\n",
            items.join(", "),
            keys.join(", "),
            items[..3].join(", ")
        );
        let stream = super::super::parse_stream(&text, FileId(0), &LineIndex::new(&text));
        let root = stream.documents[0].tree.root();
        assert_eq!(root.str_at("a"), Some(long.as_str()));
        let read: Vec<_> = root.get("b").unwrap().items().map(|i| i.as_str()).collect();
        assert_eq!(
            read,
            items.iter().map(|i| Some(i.as_str())).collect::<Vec<_>>()
        );
        let c = root.get("c").unwrap();
        assert_eq!(c.entries().count(), keys.len());
        assert_eq!(
            c.str_at(&format!("k{}", LONG + 1)),
            Some(format!("v{}", LONG + 1).as_str())
        );
        assert_eq!(root.get("d").unwrap().items().count(), 3);
        assert_eq!(root.entries().count(), 4);
    }

    /// `is_null` answers as the full resolution does, however the scalar is written.
    #[test]
    fn is_null_answers_as_resolution_does() {
        let text = "[~, null, Null, NULL, nULL, '', \"~\", '', !!null '', !!str ~, 0, no, nulls, a, {}, [], *x]";
        let text = format!("a: &x ~\nb: {text}\nc:\n");
        let stream =
            super::super::parse_stream(&text, super::super::FileId(0), &LineIndex::new(&text));
        let root = stream.documents[0].tree.root();
        let mut values: Vec<NodeRef<'_>> = root.get("b").unwrap().items().collect();
        values.extend(root.get("c"));
        assert_eq!(values.len(), 18);
        for value in values {
            let resolved = matches!(value.resolved(), Some(Scalar::Null));
            assert_eq!(value.is_null(), resolved, "{:?}", value.as_scalar());
        }
        assert!(root.get("c").unwrap().is_null());
    }

    /// `entries_named` answers what `entry` answers for every name, however the keys are
    /// written: duplicates, tags, aliases, quotes, merge keys, keys that are not strings.
    #[test]
    fn entries_named_answers_as_entry_does() {
        let documents = [
            "a: 1\nb: 2\na: 3\n",
            "!!str a: 1\n\"b\": 2\n'c': 3\n!!int 1: 5\n!!str m: 6\n!!binary Yg==: 7\n",
            "k: &k b\n*k : 5\nb: 6\n*k : 7\n",
            "base: &base {a: 1, b: 2}\nm:\n  <<: *base\n  a: 9\n",
            "<<: {a: 1}\na: 2\nb: 3\n",
            "yes: 1\ntrue: 2\n1: 3\n",
            "- a\n- b\n",
            "plain",
        ];
        // Strings to YAML (one pass), and names that are not (name by name).
        let name_sets: [&[&str]; 2] = [&["a", "b", "c", "m", "k", "absent"], &["a", "yes", "1"]];
        for text in documents {
            let stream =
                super::super::parse_stream(text, super::super::FileId(0), &LineIndex::new(text));
            let Some(document) = stream.documents.first() else {
                panic!("{text:?} does not parse: {:?}", stream.error);
            };
            let tree = &document.tree;
            let mut nodes = vec![tree.root()];
            nodes.extend(tree.root().get("m"));
            for (node, names) in nodes.into_iter().flat_map(|n| name_sets.map(|s| (n, s))) {
                let mut found = vec![None; names.len()];
                node.entries_named(|i| names[i], &mut found);
                for (name, found) in names.iter().zip(found) {
                    let ids = |e: Option<(NodeRef<'_>, NodeRef<'_>)>| e.map(|(k, v)| (k.id, v.id));
                    assert_eq!(ids(found), ids(node.entry(name)), "{name} in {text:?}");
                }
            }
        }
    }

    #[test]
    fn texts_tags_and_children_are_read_back_from_the_tree() {
        let text = "a: !!str héllo\nb: [1, {c: d}, [e]]\nf:\n- g\n";
        let stream = super::super::parse_stream(text, FileId(0), &LineIndex::new(text));
        let root = stream.documents[0].tree.root();
        let a = root.get("a").unwrap();
        assert_eq!(a.scalar(), Some(("héllo", ScalarStyle::Plain)));
        assert_eq!(a.tag(), Some("tag:yaml.org,2002:str"));
        assert_eq!(root.key("a").unwrap().tag(), None);
        // Children of nested collections close first: each run stays its collection's own.
        let b: Vec<_> = root.get("b").unwrap().items().collect();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].as_str(), Some("1"));
        assert_eq!(b[1].str_at("c"), Some("d"));
        let inner: Vec<_> = b[2].items().map(|i| i.as_str()).collect();
        assert_eq!(inner, [Some("e")]);
        let keys: Vec<_> = root.raw_entries().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [Some("a"), Some("b"), Some("f")]);
        let f: Vec<_> = root.get("f").unwrap().items().map(|i| i.as_str()).collect();
        assert_eq!(f, [Some("g")]);
    }

    #[test]
    fn an_arena_gives_back_what_was_added() {
        let mut arena = Arena::default();
        let value = arena.add("x");
        let tag = Tag::new(&mut arena, "!t");
        let empty = arena.add("");
        // A word manifests repeat is not copied.
        let copied = arena.buffer.len();
        let word = arena.add("metadata");
        assert_eq!((arena.get(word), arena.buffer.len()), ("metadata", copied));
        let items = arena.items(&[NodeId(0), NodeId(1)]);
        let node = |kind, tag, file, at| NewNode {
            kind,
            span: Span::new(FileId(file), TextRange::empty(at)),
            tag,
        };
        let style = ScalarStyle::Plain;
        let nodes = vec![
            node(NodeKind::Scalar { value, style }, Some(tag), 0, 1),
            node(
                NodeKind::Scalar {
                    value: empty,
                    style,
                },
                None,
                0,
                2,
            ),
            node(NodeKind::Sequence { items, flow: true }, None, 0, 3),
        ];
        let tree = Tree::from_nodes(&mut nodes.clone(), &mut arena.clone(), NodeId(2));
        let texts: Vec<_> = tree.root().items().map(|i| (i.scalar(), i.tag())).collect();
        assert_eq!(
            texts,
            [(Some(("x", style)), Some("!t")), (Some(("", style)), None)]
        );
        let spans = |tree: &Tree| -> Vec<_> {
            (0..3)
                .map(|id| tree.node(NodeId(id)).span())
                .map(|s| (s.file.0, s.range.start))
                .collect()
        };
        assert_eq!(spans(&tree), [(0, 1), (0, 2), (0, 3)]);
        // A tree built from several files (a Kustomize build) keeps each node's file.
        let mut mixed = nodes;
        mixed[1].span.file = FileId(7);
        let tree = Tree::from_nodes(&mut mixed, &mut arena, NodeId(2));
        assert_eq!(spans(&tree), [(0, 1), (7, 2), (0, 3)]);
        assert_eq!(tree.node(NodeId(0)).tag(), Some("!t"));
        assert_eq!(tree.node(NodeId(2)).tag(), None);
    }
}
