//! Getting diagnostics to the client, pushed or pulled.
//!
//! After each lint the server pushes (`textDocument/publishDiagnostics`) the diagnostics of
//! every file whose findings changed, and an empty list for a file whose findings are gone.
//! A client that pulls (`textDocument/diagnostic`) gets its open documents' diagnostics when
//! it asks, and those are not pushed too (an editor would show them twice); the other files'
//! are still pushed, since a finding in a closed file can come from a change in an open one.
//! When an open document's diagnostics change without the client asking (a change on disk,
//! in another document), a client that can be asked to pull again is
//! (`workspace/diagnostic/refresh`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{
    notification, request, Diagnostic, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    FullDocumentDiagnosticReport, PublishDiagnosticsParams, RelatedFullDocumentDiagnosticReport,
    Uri,
};

use super::server::Server;
use super::{diagnostics, uri};

impl Server {
    /// The diagnostics of every file of every project, by path, with each configuration that
    /// cannot be used reported on its file.
    fn current(&mut self) -> HashMap<PathBuf, Vec<Diagnostic>> {
        let mut out = HashMap::new();
        let mut made = std::mem::take(&mut self.made);
        for (i, project) in self.projects.iter().enumerate() {
            if let Some(live) = &project.live {
                out.extend(made.by_file(live, |path| self.owner(path) == Some(i)));
            }
            if let (Some(error), Some(path)) = (&project.config_error, project.config_path()) {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let diagnostic = diagnostics::config_error(error, &text);
                out.insert(path.to_path_buf(), vec![diagnostic]);
            }
        }
        made.keep_only(&out);
        self.made = made;
        out
    }

    /// Pushes what changed since the last push; asks a pulling client to pull again when an
    /// open document's diagnostics changed.
    pub(super) fn publish(&mut self) {
        let mut now = self.current();
        let mut refresh = false;
        if self.client.pulls_diagnostics {
            let open: Vec<PathBuf> = self.documents.paths().cloned().collect();
            for path in open {
                let current = now.remove(&path).unwrap_or_default();
                refresh |= self.pulled.get(&path).is_some_and(|last| *last != current);
            }
        }
        for (path, diagnostics) in &now {
            if self.pushed.get(path) != Some(diagnostics) {
                self.push(path, diagnostics.clone());
            }
        }
        let gone: Vec<PathBuf> = self
            .pushed
            .keys()
            .filter(|path| !now.contains_key(*path))
            .cloned()
            .collect();
        for path in gone {
            self.push(&path, Vec::new());
        }
        self.pushed = now;
        if refresh && self.client.refreshes_diagnostics {
            self.ask::<request::WorkspaceDiagnosticRefresh>(());
        }
    }

    fn push(&self, path: &Path, diagnostics: Vec<Diagnostic>) {
        let version = self.documents.get(path).map(|d| d.version);
        self.notify::<notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri::from_path(path),
            diagnostics,
            version,
        });
    }

    /// The answer to a pull of the diagnostics of `uri`.
    pub(super) fn pull(&mut self, uri: &Uri) -> serde_json::Value {
        let items = match uri::to_path(uri) {
            Some(path) => {
                let items = self.current_of(&path);
                self.pulled.insert(path, items.clone());
                items
            }
            None => Vec::new(),
        };
        let report = DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            },
        ));
        serde_json::to_value(report).unwrap_or_default()
    }

    /// The diagnostics of one document.
    fn current_of(&self, path: &Path) -> Vec<Diagnostic> {
        let Some(project) = self.owner(path).map(|i| &self.projects[i]) else {
            return Vec::new();
        };
        if let (Some(error), Some(config)) = (&project.config_error, project.config_path()) {
            if config == path {
                let text = std::fs::read_to_string(config).unwrap_or_default();
                return vec![diagnostics::config_error(error, &text)];
            }
        }
        project
            .live
            .as_ref()
            .map(|live| diagnostics::of_file(live, path))
            .unwrap_or_default()
    }

    /// Answers the pulls that waited for this lint.
    pub(super) fn answer_parked(&mut self) {
        for request in std::mem::take(&mut self.parked) {
            let params: Option<lsp_types::DocumentDiagnosticParams> =
                serde_json::from_value(request.params.clone()).ok();
            let value = params.map_or(serde_json::Value::Null, |p| self.pull(&p.text_document.uri));
            self.send(lsp_server::Response::new_ok(request.id, value));
        }
    }
}
