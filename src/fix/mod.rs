//! Autofix: what a fix is, how checks compute one, how fixes are applied, shown and written.
//!
//! - [`edit`]: [`Edit`], [`Fix`] and [`Applicability`] (safe, unsafe, display-only).
//! - [`yaml_edit`]: the YAML-aware helpers a check calls (through [`crate::checks::Sink::edit`])
//!   to compute minimal, comment-preserving edits, or `None` to withhold the fix. They edit the
//!   file as written: a node of a Kustomize build is mapped back to the file's own parse, and
//!   the fix is withheld where the build and the file disagree (`resolve`).
//! - [`apply_fixes`] (`apply.rs`): the non-conflicting fixes of one text in one pass; new entries added at one
//!   point by different fixes stack (`stack.rs`), entries with one key joined into one. The rounds (re-lint, repeat, bounded) and the writing of
//!   `--fix` are the pipeline's ([`crate::fix_workspace`], [`crate::fix_and_write`]): nothing
//!   in `fix/` loads or lints.
//! - [`unified_diff`] (`diff.rs`): unified diffs for `--diff`.
//! - [`write_fixed`] (`write.rs`): atomic writes for `--fix`.
//!
//! YAML is never re-serialized: a fix changes only the bytes it must, so comments, blank
//! lines, key order, quoting, indentation, line endings and a byte order mark all survive.
//!
//! # Attaching a fix to a finding
//!
//! A check computes the edits with `sink.edit()`, then hands them to
//! [`Finding::with_fix`](crate::diagnostic::Finding::with_fix), which attaches nothing when the
//! helper returned `None` (the finding is then reported without a fix). Two statements, because
//! `sink.report` borrows the sink until the chain ends:
//!
//! ```ignore
//! use super::{Applicability, Ctx, Sink};
//!
//! // The offending value is there: replace it.
//! let fix = sink.edit().replace(value, false);
//! sink.report(resource, value, format!("{} runs privileged", container.describe()))
//!     .in_container(container.name)
//!     .with_fix(Applicability::Unsafe, "set `privileged: false`", fix);
//!
//! // The setting is missing: set it under the container, creating `securityContext:` if needed.
//! let fix = sink.edit().set_path(
//!     container.node,
//!     &["securityContext", "allowPrivilegeEscalation"],
//!     false,
//! );
//! sink.report(resource, container.security_anchor(), message)
//!     .in_container(container.name)
//!     .with_fix(Applicability::Safe, "set `allowPrivilegeEscalation: false`", fix);
//! ```
//!
//! The helpers, for the usual fixes:
//!
//! | Fix | Call |
//! |---|---|
//! | a value to replace (`true` → `false`, an apiVersion) | `replace(value_node, false)` |
//! | a setting to add or change | `set_path(container.node, &["securityContext", "runAsNonRoot"], true)` |
//! | a pod-level setting | `set_path(pod.spec, &["securityContext", "seccompProfile", "type"], "RuntimeDefault")` |
//! | a field of the pod spec | `set(pod.spec, "automountServiceAccountToken", false)` |
//! | drop ALL | `ensure_item(container.node, &["securityContext", "capabilities", "drop"], "ALL")` |
//! | a field to delete | `remove(pod.spec, "hostNetwork")` |
//! | a deprecated field name | `rename_key(pod.spec, "serviceAccount", "serviceAccountName")` |
//! | a placeholder (display-only) | `set_path(container.node, &["resources", "requests", "cpu"], "<set-me>")` |
//!
//! Values are [`Value`]s (`false`, `1000`, `"RuntimeDefault"` convert): strings are quoted
//! when YAML would read them as something else. The description is an imperative phrase; the
//! applicability is the check's, explained in its doc's `fix_safety`.

mod apply;
mod diff;
pub mod edit;
mod resolve;
mod stack;
mod write;
pub mod yaml_edit;

pub use apply::{apply_fixes, Applied, FixMode};
pub use diff::unified_diff;
pub use edit::{Applicability, Edit, Fix};
pub use write::write_fixed;
pub use yaml_edit::{Editor, Value};
