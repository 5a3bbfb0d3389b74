//! Where an edit really goes: the node of the file's own parse that a checked node stands for.
//!
//! Checks see trees that are not always a file as written. A Kustomize build copies nodes out
//! of bases and patches and edits them: an overlay may remove a container's `securityContext`
//! that the base sets, replace a list, add keys from a patch file, or expand an alias into a
//! copy of its anchor. Every node still points at the bytes it came from, but the tree around
//! it is no longer the file's: adding `securityContext:` where the build has none would write a
//! second `securityContext:` key into a base that has one, and editing an expanded alias would
//! change its anchor and every other place that uses it.
//!
//! So edits are always computed on the file's own parse: [`FileTrees::find`] maps a node to the
//! node of the file with the same bytes and shape, and [`agree`] checks that the checked tree
//! and the file say the same thing along the path an edit reads (each key present in both, from
//! the same bytes, or absent from both; the value it ends at identical). Where they differ, the
//! finding comes from something the file alone does not decide, and the fix is withheld.
//!
//! Parses are shared by every thread and kept for the run, keyed by the run's sources and the
//! file's id (sources do not change once loaded), so a file is parsed again at most once per
//! run however many fixes it gets and however many threads ask, and a lookup costs no
//! comparison of texts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::run_cache::RunCache;
use crate::source::SourceFile;
use crate::yaml::{parse_stream, FileId, NodeId, NodeKind, NodeRef, Tree};

/// The documents of one file as parsed from its text, with their nodes indexed by position.
pub(super) struct FileTrees {
    file: FileId,
    trees: Vec<Arc<Tree>>,
    /// (start, end, shape) → (document, node); `None` when two nodes share the key.
    index: HashMap<(u32, u32, u8), Option<(usize, NodeId)>>,
}

/// The parses of the run's files: a slot per file, filled by the first thread that needs it
/// while others needing the same file wait for it. Per-thread caches of a few files parsed the
/// bases of a Kustomize repository again and again (5.7% of a corpus lint).
type Parses = Mutex<HashMap<FileId, Arc<OnceLock<Arc<FileTrees>>>>>;

static CACHE: RunCache<Parses> = RunCache::new();

/// 0 for scalars, 1 for sequences, 2 for mappings, 3 for aliases.
fn shape(kind: &NodeKind) -> u8 {
    match kind {
        NodeKind::Scalar { .. } => 0,
        NodeKind::Sequence { .. } => 1,
        NodeKind::Mapping { .. } => 2,
        NodeKind::Alias { .. } => 3,
    }
}

impl FileTrees {
    /// The parse of `source` (file `file`) in the run of sources `run`, parsed on first use.
    pub(super) fn of(run: u64, source: &SourceFile, file: FileId) -> Arc<FileTrees> {
        let parses = CACHE.get(run, Parses::default);
        // Each change under the lock is one insert: a poisoned lock still holds a whole map.
        let slot = Arc::clone(
            parses
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(file)
                .or_default(),
        );
        Arc::clone(slot.get_or_init(|| Arc::new(FileTrees::parse(source, file))))
    }

    /// The loader's parse of the file when it kept one (the same [`parse_stream`] of the same
    /// text), else a parse of its own.
    fn parse(source: &SourceFile, file: FileId) -> FileTrees {
        let trees: Vec<Arc<Tree>> = match source.documents() {
            Some(documents) => documents.to_vec(),
            None => parse_stream(&source.text, file, &source.line_index)
                .documents
                .into_iter()
                .map(|d| Arc::new(d.tree))
                .collect(),
        };
        let mut index = HashMap::with_capacity(trees.iter().map(|t| t.nodes.len()).sum());
        for (doc, tree) in trees.iter().enumerate() {
            for (i, node) in tree.nodes.iter().enumerate() {
                let key = (node.range.start, node.range.end, shape(&node.kind()));
                index
                    .entry(key)
                    .and_modify(|e| *e = None)
                    .or_insert(Some((doc, NodeId(i as u32))));
            }
        }
        FileTrees { file, trees, index }
    }

    /// The node of the file with `node`'s bytes and shape: `node` itself when its tree is the
    /// file's own parse, its original when it is a copy. `None` for a node made up by a build
    /// (a value a transformer set, pointing at the kustomization line that set it).
    pub(super) fn find(&self, node: NodeRef<'_>) -> Option<NodeRef<'_>> {
        let span = node.span();
        if span.file != self.file {
            return None;
        }
        let key = (span.range.start, span.range.end, shape(&node.node().kind()));
        let (doc, id) = (*self.index.get(&key)?)?;
        let found = self.trees.get(doc)?.node(id);
        same_node(node, found).then_some(found)
    }
}

/// Whether two nodes are the same bytes read the same way: span, shape, tag, and for a scalar
/// its value and style.
fn same_node(a: NodeRef<'_>, b: NodeRef<'_>) -> bool {
    let (na, nb) = (a.node(), b.node());
    if a.span() != b.span() || a.tag() != b.tag() {
        return false;
    }
    match (&na.kind(), &nb.kind()) {
        (NodeKind::Scalar { .. }, NodeKind::Scalar { .. }) => a.scalar() == b.scalar(),
        (NodeKind::Sequence { flow, .. }, NodeKind::Sequence { flow: f2, .. })
        | (NodeKind::Mapping { flow, .. }, NodeKind::Mapping { flow: f2, .. }) => flow == f2,
        _ => false,
    }
}

/// `key`'s entries in `mapping` as written (no merge keys followed, aliases not resolved).
fn own_entries<'t>(mapping: NodeRef<'t>, key: &str) -> Vec<(NodeRef<'t>, NodeRef<'t>)> {
    let tree = mapping.tree();
    match &mapping.node().kind() {
        NodeKind::Mapping { entries, .. } => tree
            .entries(*entries)
            .iter()
            .map(|e| (tree.node(e.key), tree.node(e.value)))
            .filter(|(k, _)| k.as_scalar().is_some_and(|(text, _)| text == key))
            .collect(),
        _ => Vec::new(),
    }
}

/// The items of a sequence, or the entries of a mapping, as (key, value) pairs of nodes.
fn children(node: NodeRef<'_>) -> Vec<(Option<NodeRef<'_>>, NodeRef<'_>)> {
    let tree = node.tree();
    match &node.node().kind() {
        NodeKind::Mapping { entries, .. } => tree
            .entries(*entries)
            .iter()
            .map(|e| (Some(tree.node(e.key)), tree.node(e.value)))
            .collect(),
        NodeKind::Sequence { items, .. } => tree
            .items(*items)
            .iter()
            .map(|&i| (None, tree.node(i)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the checked tree (`checked`) and the file (`file`, found by [`FileTrees::find`])
/// agree on what an edit along `path` reads: at every step the key is in both, from the same
/// bytes, or in neither (then the edit adds it to a mapping the build takes as it is); where
/// the path ends, the value is the same node with the same children. An alias in the checked
/// tree is followed to its anchor (a build has expanded it); the file's alias is kept, and the
/// helpers refuse to edit through it.
pub(super) fn agree(checked: NodeRef<'_>, file: NodeRef<'_>, path: &[&str]) -> bool {
    let (mut checked, mut file) = (checked.resolve(), file);
    for key in path {
        let (c, f) = (own_entries(checked, key), own_entries(file, key));
        match (c.as_slice(), f.as_slice()) {
            ([], []) => return true,
            ([(ck, cv)], [(fk, fv)]) => {
                if !same_node(*ck, *fk) {
                    return false;
                }
                if matches!(fv.node().kind(), NodeKind::Alias { .. }) {
                    return true; // the helpers withhold the edit
                }
                if !same_node(cv.resolve(), *fv) {
                    return false;
                }
                checked = cv.resolve();
                file = *fv;
            }
            _ => return false,
        }
    }
    same_children(checked, file)
}

/// Whether two agreeing nodes have the same children: the same keys and values, or items,
/// from the same bytes.
fn same_children(checked: NodeRef<'_>, file: NodeRef<'_>) -> bool {
    let (c, f) = (children(checked), children(file));
    c.len() == f.len()
        && c.iter().zip(&f).all(|((ck, cv), (fk, fv))| {
            let keys = match (ck, fk) {
                (Some(a), Some(b)) => same_node(*a, *b),
                (None, None) => true,
                _ => false,
            };
            keys && cv.resolve().span() == fv.resolve().span()
        })
}
