//! Keeping up with the editor and the disk: documents opened, changed, saved and closed, files
//! changed outside the editor, workspace folders added and removed.
//!
//! A change to a file the workspace holds is linted in place (see
//! [`LiveWorkspace`](crate::pipeline::live::LiveWorkspace)); what can change which files are
//! read or how (a new or deleted manifest, `.k8sec.toml`, an ignore file, a Helm chart) loads
//! the project again.

use std::path::Path;

use lsp_types::{
    request, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileChangeType, FileSystemWatcher, GlobPattern, Registration, RegistrationParams,
};

use super::documents::Document;
use super::server::{Server, DEBOUNCE};
use super::uri;

/// Files that decide what is read and how: a change reloads the projects they are in (or
/// under, for a configuration above a folder).
const SETTINGS: [&str; 5] = [
    ".k8sec.toml",
    ".gitignore",
    ".ignore",
    ".k8secignore",
    "Chart.yaml",
];

impl Server {
    pub(super) fn did_open(&mut self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let Some(path) = uri::to_path(&document.uri) else {
            return;
        };
        if self.lintable(&path) {
            self.pending.paths.insert(path.clone());
        }
        self.documents.open(
            path,
            Document {
                text: document.text,
                version: document.version,
            },
        );
        self.pending.now();
    }

    pub(super) fn did_change(&mut self, params: DidChangeTextDocumentParams) {
        let Some(path) = uri::to_path(&params.text_document.uri) else {
            return;
        };
        let version = params.text_document.version;
        let changed = self
            .documents
            .change(&path, version, params.content_changes);
        if changed && self.lintable(&path) {
            self.pending.paths.insert(path);
            self.pending.after(DEBOUNCE);
        }
    }

    /// Whether a document may be linted: a file the workspace holds, or one the walk would
    /// read (a template of a Helm chart is not YAML: the chart is linted by rendering it).
    fn lintable(&self, path: &Path) -> bool {
        let Some(project) = self.owner(path).map(|i| &self.projects[i]) else {
            return is_manifest(path);
        };
        let held = project
            .live
            .as_ref()
            .is_some_and(|l| l.file_id(path).is_some());
        held || (is_manifest(path) && !in_chart(path, &project.root))
    }

    pub(super) fn did_save(&mut self, params: DidSaveTextDocumentParams) {
        if let Some(path) = uri::to_path(&params.text_document.uri) {
            // The text is in step already; a setting or a chart's file is read from the disk.
            self.reload_for_settings(&path);
        }
    }

    pub(super) fn did_close(&mut self, params: DidCloseTextDocumentParams) {
        let Some(path) = uri::to_path(&params.text_document.uri) else {
            return;
        };
        if self.documents.close(&path).is_some() {
            self.pulled.remove(&path);
            // The disk's text stands for the file again.
            if self.lintable(&path) {
                self.pending.paths.insert(path);
            }
            self.pending.now();
        }
    }

    pub(super) fn watched(&mut self, params: DidChangeWatchedFilesParams) {
        for event in params.changes {
            let Some(path) = uri::to_path(&event.uri) else {
                continue;
            };
            if path.components().any(|c| c.as_os_str() == ".git") {
                continue;
            }
            if self.reload_for_settings(&path) {
                continue;
            }
            let Some(i) = self.owner(&path) else {
                continue;
            };
            let project = &self.projects[i];
            let held = project
                .live
                .as_ref()
                .is_some_and(|l| l.file_id(&path).is_some());
            let reload = if event.typ == FileChangeType::CHANGED {
                if held && !self.documents.is_open(&path) {
                    self.pending.paths.insert(path.clone());
                }
                !held && in_chart(&path, &project.root)
            } else {
                // Created or deleted: a manifest, a file a build reads, or a directory of them.
                let under = project.live.as_ref().is_some_and(|l| l.holds_under(&path));
                held || under || is_manifest(&path) || path.is_dir()
            };
            if reload {
                self.pending.reload.insert(project.root.clone());
            }
            self.pending.after(DEBOUNCE);
        }
    }

    /// Reloads the projects a settings file (or a Helm chart's file) at `path` affects;
    /// whether it was one.
    fn reload_for_settings(&mut self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let dir = path.parent().unwrap_or(Path::new(""));
        let roots: Vec<_> = if SETTINGS.contains(&name) {
            // A configuration or ignore file applies to its directory and below, and a
            // configuration above a folder applies to the folder.
            let affected = |root: &Path| root.starts_with(dir) || dir.starts_with(root);
            self.projects
                .iter()
                .filter(|p| affected(&p.root))
                .map(|p| p.root.clone())
                .collect()
        } else {
            let owner = self.owner(path).map(|i| &self.projects[i]);
            owner
                .filter(|p| in_chart(path, &p.root))
                .map(|p| p.root.clone())
                .into_iter()
                .collect()
        };
        let found = !roots.is_empty();
        self.pending.reload.extend(roots);
        if found {
            self.pending.after(DEBOUNCE);
        }
        found
    }

    pub(super) fn folders(&mut self, params: DidChangeWorkspaceFoldersParams) {
        for removed in params
            .event
            .removed
            .iter()
            .filter_map(|f| uri::to_path(&f.uri))
        {
            self.projects
                .retain(|p| p.lone.is_some() || p.root != removed);
        }
        for added in params
            .event
            .added
            .iter()
            .filter_map(|f| uri::to_path(&f.uri))
        {
            self.add_folder(added);
        }
        self.pending.now();
    }

    /// Asks the client to report every file change under the folders, when it can.
    pub(super) fn register_watchers(&mut self) {
        if !self.client.registers_watchers {
            return;
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*".to_string()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "k8sec-watch".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.ask::<request::RegisterCapability>(RegistrationParams {
            registrations: vec![registration],
        });
    }
}

/// Whether the walk would read a file of this name.
fn is_manifest(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ["yaml", "yml", "json"]
        .iter()
        .any(|e| extension.eq_ignore_ascii_case(e))
        || path.file_name().is_some_and(|n| n == "Kustomization")
}

/// Whether `path` is in a Helm chart (a directory holding `Chart.yaml`) under `root`: charts
/// are rendered when loading, so a change to one of their files loads again.
fn in_chart(path: &Path, root: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(root))
        .any(|dir| dir.join("Chart.yaml").is_file())
}
