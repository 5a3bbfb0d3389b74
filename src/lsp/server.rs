//! The server's state and its loop: messages in, work debounced, diagnostics out.
//!
//! Everything runs on one thread, in the order messages come (the linting itself is parallel,
//! through rayon). Text changes are applied to the open documents at once and linted when no
//! change has come for [`DEBOUNCE`]; opening a document lints at once. A request that needs
//! the findings (hover, code actions) lints what is pending first; a diagnostic pull waits for
//! the next lint, and a `$/cancelRequest` answers it as cancelled (as it does any request still
//! queued behind a long lint). A panic while handling a message is caught: the request gets an
//! internal error and every project is loaded again, in case its state was left half-updated.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    notification, request, CodeActionParams, Diagnostic, DocumentDiagnosticParams, HoverParams,
    InitializeParams, LogMessageParams, MessageType, Uri,
};
use serde::de::DeserializeOwned;

use super::capabilities::Client;
use super::diagnostics::Made;
use super::documents::Documents;
use super::project::{Outcome, Project};
use super::transport::Outgoing;
use super::{code_actions, hover, uri};
use crate::pipeline::live::Refresh;

/// How long after the last change the server waits before linting.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(50);

/// The server.
pub(crate) struct Server {
    out: Sender<Outgoing>,
    pub(super) client: Client,
    pub(super) projects: Vec<Project>,
    pub(super) documents: Documents,
    pub(super) pending: Pending,
    /// Diagnostic pulls waiting for the next lint.
    pub(super) parked: Vec<Request>,
    /// What was pushed, by file (`textDocument/publishDiagnostics`).
    pub(super) pushed: HashMap<PathBuf, Vec<Diagnostic>>,
    /// What the last pull of each open document answered, by file.
    pub(super) pulled: HashMap<PathBuf, Vec<Diagnostic>>,
    /// The diagnostics made from the findings, kept while the findings stay the same.
    pub(super) made: Made,
    shutdown_requested: bool,
    next_id: i32,
}

/// Work waiting for the next lint.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Files whose text changed: an open document, or a closed file on disk.
    pub(crate) paths: BTreeSet<PathBuf>,
    /// Roots of the projects to load whole again.
    pub(crate) reload: BTreeSet<PathBuf>,
    /// Load every project again.
    pub(crate) reload_all: bool,
    /// When to lint: `None` when nothing is pending.
    pub(crate) deadline: Option<Instant>,
}

impl Pending {
    /// Lint after `delay` from now (a later change moves the time on).
    pub(crate) fn after(&mut self, delay: Duration) {
        self.deadline = Some(Instant::now() + delay);
    }

    /// Lint as soon as the messages at hand are handled.
    pub(crate) fn now(&mut self) {
        self.deadline = Some(Instant::now());
    }
}

impl Server {
    /// A server for the folders of `params` (its `rootUri` when it names none); they are loaded
    /// at the first lint, which comes at once.
    pub(crate) fn new(out: Sender<Outgoing>, params: &InitializeParams) -> Server {
        let mut server = Server {
            out,
            client: Client::of(&params.capabilities),
            projects: Vec::new(),
            documents: Documents::default(),
            pending: Pending::default(),
            parked: Vec::new(),
            pushed: HashMap::new(),
            pulled: HashMap::new(),
            made: Made::default(),
            shutdown_requested: false,
            next_id: 0,
        };
        #[allow(deprecated)] // `rootUri`: for clients that send no workspace folders
        let folders: Vec<Uri> = match &params.workspace_folders {
            Some(folders) => folders.iter().map(|f| f.uri.clone()).collect(),
            None => params.root_uri.iter().cloned().collect(),
        };
        for folder in folders.iter().filter_map(uri::to_path) {
            server.add_folder(folder);
        }
        server.pending.now();
        server
    }

    /// Runs until `exit` (`true` when `shutdown` came first) or the end of input (`false`).
    pub(crate) fn run(mut self, incoming: &Receiver<Message>) -> bool {
        loop {
            let first = match self.pending.deadline {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match incoming.recv_timeout(wait) {
                        Ok(message) => message,
                        Err(RecvTimeoutError::Timeout) => {
                            self.guarded(None, |s| s.flush());
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => return false,
                    }
                }
                None => match incoming.recv() {
                    Ok(message) => message,
                    Err(_) => return false,
                },
            };
            // Everything that has come, so that a request cancelled meanwhile is not worked on.
            let batch: Vec<Message> = std::iter::once(first).chain(incoming.try_iter()).collect();
            let cancelled: Vec<RequestId> = batch.iter().filter_map(cancelled_id).collect();
            for message in batch {
                match message {
                    Message::Notification(n) if n.method == notification::Exit::METHOD => {
                        return self.shutdown_requested;
                    }
                    Message::Request(r) if cancelled.contains(&r.id) => self.cancelled(r.id),
                    Message::Request(r) => {
                        let id = r.id.clone();
                        self.guarded(Some(id), |s| s.request(r));
                    }
                    Message::Notification(n) => self.guarded(None, |s| s.notification(n)),
                    Message::Response(_) => {} // to our registration and refresh requests
                }
            }
        }
    }

    /// Runs `work`, catching a panic: the request `id` (if any) gets an internal error, and
    /// every project is loaded again.
    fn guarded(&mut self, id: Option<RequestId>, work: impl FnOnce(&mut Server)) {
        if catch_unwind(AssertUnwindSafe(|| work(self))).is_ok() {
            return;
        }
        self.log(
            MessageType::ERROR,
            "k8sec: internal error; reloading".into(),
        );
        if let Some(id) = id {
            let message = "k8sec: internal error (see the server's log)".to_string();
            self.send(Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                message,
            ));
        }
        self.pending.reload_all = true;
        self.pending.now();
    }

    fn request(&mut self, request: Request) {
        if self.shutdown_requested {
            let message = "the server is shutting down".to_string();
            let code = ErrorCode::InvalidRequest as i32;
            return self.send(Response::new_err(request.id, code, message));
        }
        let id = request.id.clone();
        let result = match request.method.as_str() {
            request::Shutdown::METHOD => {
                self.shutdown_requested = true;
                Ok(serde_json::Value::Null)
            }
            request::HoverRequest::METHOD => params::<HoverParams>(&request).map(|p| {
                self.flush_if_pending();
                let position = p.text_document_position_params;
                let found = self.with_file(&position.text_document.uri, |live, _, path| {
                    hover::hover(live, path, position.position)
                });
                serde_json::to_value(found.flatten()).unwrap_or_default()
            }),
            request::CodeActionRequest::METHOD => params::<CodeActionParams>(&request).map(|p| {
                self.flush_if_pending();
                let only = p.context.only.as_deref();
                let actions = self.with_file(&p.text_document.uri, |live, config, path| {
                    code_actions::actions(live, config, path, p.range, only)
                });
                serde_json::to_value(actions.unwrap_or_default()).unwrap_or_default()
            }),
            request::DocumentDiagnosticRequest::METHOD => {
                match params::<DocumentDiagnosticParams>(&request) {
                    Ok(_) if self.pending.deadline.is_some() => {
                        self.parked.push(request);
                        return;
                    }
                    Ok(p) => Ok(self.pull(&p.text_document.uri)),
                    Err(error) => Err(error),
                }
            }
            request::Initialize::METHOD => Err((ErrorCode::InvalidRequest, "initialized already")),
            _ => Err((ErrorCode::MethodNotFound, "not a method k8sec serves")),
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message.to_string()),
        };
        self.send(response);
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let handled = match method.as_str() {
            notification::Initialized::METHOD => {
                self.register_watchers();
                Ok(())
            }
            notification::DidOpenTextDocument::METHOD => note(n).map(|p| self.did_open(p)),
            notification::DidChangeTextDocument::METHOD => note(n).map(|p| self.did_change(p)),
            notification::DidSaveTextDocument::METHOD => note(n).map(|p| self.did_save(p)),
            notification::DidCloseTextDocument::METHOD => note(n).map(|p| self.did_close(p)),
            notification::DidChangeWatchedFiles::METHOD => note(n).map(|p| self.watched(p)),
            notification::DidChangeWorkspaceFolders::METHOD => note(n).map(|p| self.folders(p)),
            notification::Cancel::METHOD => note(n).map(|p| self.cancel(p)),
            _ => Ok(()),
        };
        if let Err(error) = handled {
            self.log(
                MessageType::WARNING,
                format!("k8sec: bad `{method}`: {error}"),
            );
        }
    }

    /// Answers a cancelled request.
    fn cancelled(&mut self, id: RequestId) {
        let message = "cancelled".to_string();
        self.send(Response::new_err(
            id,
            ErrorCode::RequestCanceled as i32,
            message,
        ));
    }

    fn cancel(&mut self, params: lsp_types::CancelParams) {
        let id = match params.id {
            lsp_types::NumberOrString::Number(n) => RequestId::from(n),
            lsp_types::NumberOrString::String(s) => RequestId::from(s),
        };
        if let Some(at) = self.parked.iter().position(|r| r.id == id) {
            self.parked.remove(at);
            self.cancelled(id);
        }
    }

    fn flush_if_pending(&mut self) {
        if self.pending.deadline.is_some() {
            self.flush();
        }
    }

    /// Lints what is pending: reloads the projects that need it, updates the others with the
    /// changed texts, then publishes and answers the parked pulls.
    pub(super) fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let mut reload = pending.reload;
        reload.extend(self.adopt_lone_files());
        for i in 0..self.projects.len() {
            let root = self.projects[i].root.clone();
            let buffers = match &self.projects[i].lone {
                Some(file) => self.documents.texts_under(file),
                None => self.documents.texts_under(&root),
            };
            // The new texts of this project's changed files; `None` when one cannot be read.
            let changes: Option<Vec<(PathBuf, String)>> = pending
                .paths
                .iter()
                .filter(|p| self.owner(p) == Some(i))
                .map(|p| self.text_of(p).map(|text| (p.clone(), text)))
                .collect();
            let outcome = match changes {
                Some(changes) if !pending.reload_all && !reload.contains(&root) => {
                    self.projects[i].update(buffers, changes)
                }
                _ => self.projects[i].load(buffers),
            };
            self.report(i, &outcome);
        }
        self.publish();
        self.answer_parked();
    }

    /// The text of `path`: its open document's, else the disk's (`None` when it cannot be
    /// read as text: gone, or not UTF-8).
    fn text_of(&self, path: &Path) -> Option<String> {
        match self.documents.get(path) {
            Some(document) => Some(document.text.clone()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// Logs what a lint did, and each project's notes after a reload.
    fn report(&self, i: usize, outcome: &Outcome) {
        let project = &self.projects[i];
        let took = outcome.took.as_millis();
        let root = project.root.display();
        let Some(live) = &project.live else {
            if let Some(error) = &project.config_error {
                self.log(MessageType::ERROR, format!("k8sec: {root}: {error}"));
            }
            return;
        };
        let findings = live.result().findings.len();
        match outcome.refresh {
            Refresh::Unchanged => {}
            Refresh::InPlace => self.log(
                MessageType::LOG,
                format!("k8sec: {root}: updated in {took} ms, {findings} findings"),
            ),
            Refresh::Reloaded => {
                let ws = live.workspace();
                let files = ws.sources.len();
                self.log(
                    MessageType::INFO,
                    format!(
                        "k8sec: {root}: loaded {files} files in {took} ms, {findings} findings"
                    ),
                );
                for note in &ws.notes {
                    let message = format!("k8sec: note: {}: {}", note.path.display(), note.message);
                    self.log(MessageType::INFO, message);
                }
            }
        }
    }

    /// The project that lints `path`: the innermost folder holding it, or its lone project.
    pub(super) fn owner(&self, path: &Path) -> Option<usize> {
        self.projects
            .iter()
            .enumerate()
            .filter(|(_, p)| p.contains(path))
            .max_by_key(|(_, p)| (p.lone.is_some(), p.root.as_os_str().len()))
            .map(|(i, _)| i)
    }

    /// Runs `f` on the live workspace (and its configuration) that lints the file of `uri`.
    fn with_file<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&crate::pipeline::live::LiveWorkspace, &crate::config::Config, &Path) -> T,
    ) -> Option<T> {
        let path = uri::to_path(uri)?;
        let project = &self.projects[self.owner(&path)?];
        let (live, config) = (project.live.as_ref()?, project.config.as_ref()?);
        Some(f(live, config, &path))
    }

    pub(super) fn add_folder(&mut self, root: PathBuf) {
        if !self
            .projects
            .iter()
            .any(|p| p.lone.is_none() && p.root == root)
        {
            self.pending.reload.insert(root.clone());
            self.projects.push(Project::folder(root));
        }
    }

    /// Gives each open document outside every folder a project of its own, and drops the lone
    /// projects whose document was closed. Returns the roots of the new ones.
    fn adopt_lone_files(&mut self) -> Vec<PathBuf> {
        let documents = &self.documents;
        self.projects.retain(|p| match &p.lone {
            Some(file) => documents.is_open(file),
            None => true,
        });
        let orphans: Vec<PathBuf> = self
            .documents
            .paths()
            .filter(|p| self.owner(p).is_none())
            .cloned()
            .collect();
        let mut roots = Vec::new();
        for file in orphans {
            let project = Project::lone(file);
            roots.push(project.root.clone());
            self.projects.push(project);
        }
        roots
    }

    pub(super) fn send(&self, message: impl Into<Message>) {
        let _ = self.out.send(Outgoing::Message(message.into()));
    }

    pub(super) fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    /// Sends a request to the client (whose answer is not waited for).
    pub(super) fn ask<R: lsp_types::request::Request>(&mut self, params: R::Params) {
        self.next_id += 1;
        let id = RequestId::from(format!("k8sec-{}", self.next_id));
        self.send(Request::new(id, R::METHOD.to_string(), params));
    }

    pub(super) fn log(&self, typ: MessageType, message: String) {
        self.notify::<notification::LogMessage>(LogMessageParams { typ, message });
    }
}

/// The id a `$/cancelRequest` notification names.
fn cancelled_id(message: &Message) -> Option<RequestId> {
    let Message::Notification(n) = message else {
        return None;
    };
    if n.method != notification::Cancel::METHOD {
        return None;
    }
    match n.params.get("id")? {
        serde_json::Value::Number(n) => Some(RequestId::from(i32::try_from(n.as_i64()?).ok()?)),
        serde_json::Value::String(s) => Some(RequestId::from(s.clone())),
        _ => None,
    }
}

/// A request's parameters, or the error that answers it.
fn params<P: DeserializeOwned>(request: &Request) -> Result<P, (ErrorCode, &'static str)> {
    serde_json::from_value(request.params.clone())
        .map_err(|_| (ErrorCode::InvalidParams, "invalid parameters"))
}

/// A notification's parameters.
fn note<P: DeserializeOwned>(n: Notification) -> Result<P, serde_json::Error> {
    serde_json::from_value(n.params)
}
