//! Where the text comes from: discovering files, reading them, keeping their text.
//!
//! Every file is read once, here. Everything downstream (checks, reports, fixes, the language
//! server) works on the [`SourceFile`]s kept in [`Sources`], addressed by [`FileId`].

mod discover;
mod globs;
mod load;
mod overlay;
mod patches;
mod read;

pub use discover::WalkOptions;
pub(crate) use discover::{discover, Discovery};
pub use globs::{GlobPattern, PathGlobs};
pub(crate) use load::{load_files, load_text, LoadedFile};
pub(crate) use overlay::Overlays;
pub use patches::normalize;
pub(crate) use patches::{is_kustomization, patch_files, KUSTOMIZATION_NAMES};
pub use read::{boundary_of, DEFAULT_MAX_FILE_SIZE};
pub(crate) use read::{escapes, read_file};

use std::path::PathBuf;
use std::sync::Arc;

use crate::text::LineIndex;
use crate::yaml::{FileId, Tree};

/// Where a source file's text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk, read from `path` (as the user's path spelled it).
    File,
    /// Standard input; `path` is `--stdin-filename` or `<stdin>`.
    Stdin,
    /// Text a renderer produced (a template's `helm template` output), shown under the
    /// template's path. Not a file's content: never edited.
    Rendered,
    /// A file of a Helm chart (a template, a values file) read so that findings in the
    /// chart's rendered output point at its real lines. Not linted, never edited.
    Chart,
}

/// One input text with what is needed to address positions in it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path shown to users (relative, as discovered), also the key for per-path config.
    pub path: PathBuf,
    /// `path` as shown in reports: `/` separators, no leading `./`.
    shown: String,
    pub text: String,
    pub line_index: LineIndex,
    pub origin: Origin,
    /// The file's documents as the loader parsed its text, when it parsed without an error:
    /// the fix engine maps nodes of Kustomize builds back to them instead of parsing the file a
    /// second time (a fifth of a lint of one kustomization over 8,000 objects).
    documents: Option<Vec<Arc<Tree>>>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String, origin: Origin) -> Self {
        let line_index = LineIndex::new(&text);
        let shown = path.to_string_lossy();
        let shown = shown
            .strip_prefix("./")
            .unwrap_or(&shown)
            .replace('\\', "/");
        SourceFile {
            path,
            shown,
            text,
            line_index,
            origin,
            documents: None,
        }
    }

    /// Remembers `documents`, the parse of this file's text that had no error.
    pub(crate) fn keep_documents(&mut self, documents: Vec<Arc<Tree>>) {
        self.documents = Some(documents);
    }

    /// The documents [`keep_documents`](Self::keep_documents) remembered.
    pub(crate) fn documents(&self) -> Option<&[Arc<Tree>]> {
        self.documents.as_deref()
    }

    /// The path as shown in reports, with `/` separators.
    pub fn display_path(&self) -> &str {
        &self.shown
    }
}

/// All source files of a run, indexed by [`FileId`].
#[derive(Debug)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// Unique per instance: caches keyed by (sources, file) never confuse two runs' files.
    id: u64,
}

/// A fresh [`Sources::id`].
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            files: Vec::new(),
            id: next_id(),
        }
    }
}

impl Sources {
    /// This instance's identity (see the field).
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn push(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// Replaces file `id` with a new text of it (an editor's buffer changed). The sources get a
    /// new [`id`](Self::id): caches keyed by it never serve the old text.
    pub(crate) fn replace(&mut self, id: FileId, file: SourceFile) {
        self.files[id.0 as usize] = file;
        self.id = next_id();
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// A file or directory that could not be read. Reported on stderr; the run goes on and exits 2.
#[derive(Debug)]
pub struct IoProblem {
    pub path: PathBuf,
    pub message: String,
}
