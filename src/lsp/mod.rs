//! `k8sec lsp`: the language server, over standard input and output.
//!
//! It lints what `k8sec lint` lints, through the same pipeline: each workspace folder is loaded
//! once (its `.k8sec.toml`, its Kustomize builds, its rendered charts) into a
//! [`LiveWorkspace`](crate::pipeline::live::LiveWorkspace), and each change re-lints only what
//! it touches, with the editor's unsaved buffers read instead of the disk. Findings become
//! diagnostics at the same positions as on the command line (a Kustomize finding in the base,
//! patch or kustomization line it comes from, with its overlays named), with quick fixes,
//! "ignore here", "fix all safe" and the checks' documentation on hover.
//!
//! One file per concern, in ruff's style:
//!
//! - `transport`: framing, and surviving a bad message;
//! - `server`: the state and the loop (debounce, cancellation, dispatch, lint);
//! - `sync`: documents and files changing, workspace folders;
//! - `publish`: pushed and pulled diagnostics; `diagnostics`: a finding as a diagnostic;
//! - `code_actions`, `hover`: the requests on a finding;
//! - `project`: one folder (or lone file) and its configuration;
//! - `documents`, `position`, `uri`: open buffers, UTF-16 positions, `file://` URIs;
//! - `capabilities`: what the server offers and what it uses of the client's.

mod capabilities;
mod code_actions;
mod diagnostics;
mod documents;
mod hover;
mod position;
mod project;
mod publish;
mod server;
mod sync;
mod transport;
mod uri;

use lsp_server::{ErrorCode, Message, Response};
use lsp_types::{InitializeParams, InitializeResult, ServerInfo};

use server::Server;
use transport::{Outgoing, Transport};

/// Serves one client on stdin and stdout until it says `exit` or goes away. Returns whether the
/// session ended as the protocol asks (`shutdown`, then `exit`): the process's exit status.
pub fn run() -> bool {
    let transport = Transport::stdio();
    let clean = match handshake(&transport) {
        Some(params) => Server::new(transport.outgoing.clone(), &params).run(&transport.incoming),
        None => false,
    };
    transport.finish();
    clean
}

/// Waits for `initialize` and answers it; `None` when the client leaves first. Requests before
/// it are answered with an error, notifications are dropped, as the protocol says.
fn handshake(transport: &Transport) -> Option<InitializeParams> {
    loop {
        let request = match transport.incoming.recv().ok()? {
            Message::Request(request) => request,
            Message::Notification(n) if n.method == "exit" => return None,
            Message::Notification(_) | Message::Response(_) => continue,
        };
        let reply = |response: Response| {
            let _ = transport.outgoing.send(Outgoing::Message(response.into()));
        };
        if request.method != "initialize" {
            let code = ErrorCode::ServerNotInitialized as i32;
            reply(Response::new_err(
                request.id,
                code,
                "not initialized".into(),
            ));
            continue;
        }
        let params: InitializeParams = match serde_json::from_value(request.params) {
            Ok(params) => params,
            Err(error) => {
                let code = ErrorCode::InvalidParams as i32;
                reply(Response::new_err(request.id, code, error.to_string()));
                continue;
            }
        };
        let result = InitializeResult {
            capabilities: capabilities::server(),
            server_info: Some(ServerInfo {
                name: "k8sec".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        };
        reply(Response::new_ok(request.id, result));
        return Some(params);
    }
}
