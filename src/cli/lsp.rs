//! `k8sec lsp`: the language server (`k8sec::lsp`), on stdin and stdout.

use k8sec::ExitStatus;

/// Serves until the client exits: 0 after `shutdown` then `exit`, 1 otherwise, as the protocol
/// asks.
pub(crate) fn lsp() -> ExitStatus {
    ExitStatus::of(false, !k8sec::lsp::run())
}
