//! The files of a run, addressable by path, for builders that follow references.
//!
//! Everything discovered was read and parsed once by the loader; a kustomization may still
//! name a file the walk did not take (a `.env` generator input, a file in a Helm chart folder,
//! a base outside the linted folder but inside the repository). Those are read here, once,
//! and join the run's [`Sources`] so findings and spans can point into them.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::build::knode::KNode;
use crate::source::{normalize, Origin, SourceFile, Sources};
use crate::yaml::{parse_stream, FileId, Tree, YamlError};

/// Largest file a build reads on its own (generator inputs, files outside the walk).
const MAX_READ: u64 = crate::source::DEFAULT_MAX_FILE_SIZE;

/// The run's files, as the builders see them: found by path, read (and parsed) on demand.
///
/// It borrows the run's sources, parsed documents and parse errors, so what a build reads
/// joins them.
pub struct FileStore<'a> {
    /// The texts of the run, with those read by builds added.
    pub(crate) sources: &'a mut Sources,
    /// Parsed documents of each file, by file id; `None` for text that is not YAML.
    pub(crate) docs: &'a mut Vec<Option<Vec<Arc<Tree>>>>,
    /// Files read here that failed to parse (reported as `invalid-yaml`).
    pub(crate) parse_errors: &'a mut Vec<(FileId, YamlError)>,
    by_path: HashMap<PathBuf, FileId>,
    /// Raw bytes of non-UTF-8 files read for generators.
    binary: HashMap<FileId, Vec<u8>>,
    /// Documents builds have copied out of their trees, by file and document index: `None`
    /// after the first copy, the copy itself from the second on. A base that several roots
    /// include is copied out of its tree twice, then cloned (cheaper: no alias, merge-key or
    /// duplicate-key handling), and a file only one build reads is never kept.
    copied: HashMap<(FileId, usize), Option<Result<KNode, String>>>,
}

impl<'a> FileStore<'a> {
    /// A store over the run's files: those loaded so far are found by their path.
    pub fn new(
        sources: &'a mut Sources,
        docs: &'a mut Vec<Option<Vec<Arc<Tree>>>>,
        parse_errors: &'a mut Vec<(FileId, YamlError)>,
    ) -> Self {
        let by_path = sources
            .iter()
            .filter(|(_, f)| f.origin == Origin::File)
            .map(|(id, f)| (normalize(&f.path), id))
            .collect();
        FileStore {
            sources,
            docs,
            parse_errors,
            by_path,
            binary: HashMap::new(),
            copied: HashMap::new(),
        }
    }

    /// The id of an already loaded file.
    pub(crate) fn lookup(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(&normalize(path)).copied()
    }

    /// The documents of the YAML file at `path`, reading it if the walk did not.
    pub(crate) fn yaml(&mut self, path: &Path) -> Result<(FileId, Vec<Arc<Tree>>), String> {
        let id = self.text(path)?;
        if self.docs.get(id.0 as usize).is_some_and(|d| d.is_none()) {
            let file = self.sources.get(id);
            let stream = parse_stream(&file.text, id, &file.line_index);
            if let Some(error) = stream.error.clone() {
                self.parse_errors.push((id, error));
            }
            self.docs[id.0 as usize] = Some(
                stream
                    .documents
                    .into_iter()
                    .map(|d| Arc::new(d.tree))
                    .collect(),
            );
        }
        if let Some(error) = self.parse_errors.iter().find(|(f, _)| *f == id) {
            return Err(format!(
                "`{}` is not valid YAML: {}",
                path.display(),
                error.1.message
            ));
        }
        let docs = self
            .docs
            .get(id.0 as usize)
            .cloned()
            .flatten()
            .unwrap_or_default();
        Ok((id, docs))
    }

    /// Document `index` of file `id` (the tree [`yaml`](Self::yaml) gave) as an editable node:
    /// what [`KNode::from_tree`] gives, copied out of the tree for the first two builds that
    /// read it and cloned for the next ones.
    pub(crate) fn knode(&mut self, id: FileId, index: usize, tree: &Tree) -> Result<KNode, String> {
        match self.copied.entry((id, index)) {
            Entry::Vacant(slot) => {
                slot.insert(None);
                KNode::from_tree(tree)
            }
            Entry::Occupied(mut slot) => match slot.get() {
                Some(kept) => kept.clone(),
                None => {
                    let node = KNode::from_tree(tree);
                    slot.insert(Some(node.clone()));
                    node
                }
            },
        }
    }

    /// The file at `path` as a source (read once), for spans into non-YAML inputs.
    pub(crate) fn text(&mut self, path: &Path) -> Result<FileId, String> {
        if let Some(id) = self.lookup(path) {
            return Ok(id);
        }
        // Never a FIFO or device (a generator may name one), never more than the limit.
        let bytes = crate::source::read_file(path, MAX_READ)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let (text, raw) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(e) => {
                let raw = e.into_bytes();
                (String::from_utf8_lossy(&raw).into_owned(), Some(raw))
            }
        };
        let id = self
            .sources
            .push(SourceFile::new(path.to_path_buf(), text, Origin::File));
        self.docs.resize(self.sources.len(), None);
        if let Some(raw) = raw {
            self.binary.insert(id, raw);
        }
        self.by_path.insert(normalize(path), id);
        Ok(id)
    }

    /// The bytes of a file read with [`text`](Self::text) (the original bytes when they are
    /// not UTF-8).
    pub(crate) fn bytes(&self, id: FileId) -> &[u8] {
        match self.binary.get(&id) {
            Some(raw) => raw,
            None => self.sources.get(id).text.as_bytes(),
        }
    }

    pub(crate) fn is_binary(&self, id: FileId) -> bool {
        self.binary.contains_key(&id)
    }
}
