//! A language-server client for tests and the latency benchmark: it runs a `k8sec lsp`
//! process, speaks JSON-RPC to it over its real stdin and stdout, and keeps every notification
//! it receives.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long a test waits for an answer before failing (a busy CI machine is slow; nothing here
/// measures time).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running `k8sec lsp` and what it has sent.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications and server requests not taken yet, in order.
    pub backlog: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    /// Starts `binary lsp` in `dir`.
    pub fn start(binary: &Path, dir: &Path) -> Client {
        let mut child = Command::new(binary)
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start k8sec lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
        }
    }

    /// `initialize` (for `root`, with `capabilities`), then `initialized`; returns the result.
    pub fn initialize(&mut self, root: &Path, capabilities: Value) -> Value {
        let root = uri(root);
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "capabilities": capabilities,
                "workspaceFolders": [{"uri": root, "name": "repo"}],
            }),
        );
        self.notify("initialized", json!({}));
        result.get("result").cloned().expect("an initialize result")
    }

    /// Writes raw bytes to the server.
    pub fn write_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send(&mut self, message: Value) {
        self.write_raw(frame(&message).as_bytes());
    }

    /// Sends several messages in one write, so that they arrive together.
    pub fn send_together(&mut self, messages: &[Value]) {
        let frames: String = messages.iter().map(frame).collect();
        self.write_raw(frames.as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits for its response (the whole message: `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(&json!(id))
    }

    /// The response to request `id`.
    pub fn response(&mut self, id: &Value) -> Value {
        self.wait_for(|m| m.get("method").is_none() && m.get("id") == Some(id))
            .unwrap_or_else(|| panic!("no response to request {id}"))
    }

    /// The first message (new, or kept from before) that `matches`, within [`PATIENCE`].
    pub fn wait_for(&mut self, mut matches: impl FnMut(&Value) -> bool) -> Option<Value> {
        if let Some(at) = self.backlog.iter().position(&mut matches) {
            return self.backlog.remove(at);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(wait) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            };
            if matches(&message) {
                return Some(message);
            }
            self.backlog.push_back(message);
        }
    }

    /// The next diagnostics published for `path` that satisfy `ok` (older ones are dropped).
    pub fn diagnostics(&mut self, path: &Path, mut ok: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        let uri = uri(path);
        loop {
            let message = self
                .wait_for(|m| {
                    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
                })
                .unwrap_or_else(|| panic!("no fitting diagnostics for {uri}"));
            let diagnostics = message["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap();
            if ok(&diagnostics) {
                return diagnostics;
            }
        }
    }

    /// Opens `path` with `text` (version 1).
    pub fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    /// Sends `changes` (ranges in UTF-16 units, or whole texts) as version `version`.
    pub fn change(&mut self, path: &Path, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": changes}),
        );
    }

    /// `shutdown`, then `exit`; the process's status.
    pub fn shutdown(mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Waits (boundedly) for the process to end.
    pub fn wait(mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("k8sec lsp did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message with its `Content-Length` header.
pub fn frame(message: &Value) -> String {
    let text = message.to_string();
    format!("Content-Length: {}\r\n\r\n{text}", text.len())
}

/// Reads one framed message; `None` at the end of output.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The `file://` URI of an absolute path (the paths used here need no escaping).
pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A repository in a temporary directory, with its files.
pub fn repo(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join(".git")).unwrap();
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    (dir, root)
}

/// Applies LSP text edits (UTF-16 ranges) to `text`, as an editor does.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let start = offset(text, &e["range"]["start"]);
            let end = offset(text, &e["range"]["end"]);
            (start, end, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    edits.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = text.to_string();
    for (start, end, new) in edits.into_iter().rev() {
        out.replace_range(start..end, &new);
    }
    out
}

/// The byte offset of an LSP position (UTF-16 units) in `text`.
pub fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (at, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + at;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The LSP position (UTF-16 units) of byte `at` in `text`.
pub fn position(text: &str, at: usize) -> Value {
    let before = &text[..at];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count();
    json!({"line": line, "character": character})
}
