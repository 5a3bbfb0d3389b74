//! What the server offers, and what it uses of the client's capabilities.

use lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DiagnosticOptions, DiagnosticServerCapabilities, HoverProviderCapability, OneOf,
    PositionEncodingKind, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use super::code_actions::FIX_ALL;
use super::diagnostics::SOURCE;

/// Incremental text sync, hover, quick fixes and "fix all", pull diagnostics (besides the pushed
/// ones), workspace folders; positions in UTF-16, the protocol's default.
pub(crate) fn server() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some(SOURCE.to_string()),
            // A RoleBinding in one file changes a Deployment's findings in another.
            inter_file_dependencies: true,
            workspace_diagnostics: false,
            ..DiagnosticOptions::default()
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

/// What the server uses of the client's capabilities.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Client {
    /// The client asks for the diagnostics of its open documents (`textDocument/diagnostic`):
    /// those are not pushed; the other files' are.
    pub(crate) pulls_diagnostics: bool,
    /// The client can be asked to pull again (`workspace/diagnostic/refresh`).
    pub(crate) refreshes_diagnostics: bool,
    /// The client watches files for the server once asked (`client/registerCapability`).
    pub(crate) registers_watchers: bool,
}

impl Client {
    pub(crate) fn of(capabilities: &ClientCapabilities) -> Client {
        let workspace = capabilities.workspace.as_ref();
        Client {
            pulls_diagnostics: capabilities
                .text_document
                .as_ref()
                .is_some_and(|t| t.diagnostic.is_some()),
            refreshes_diagnostics: workspace
                .and_then(|w| w.diagnostic.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            registers_watchers: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        }
    }
}
