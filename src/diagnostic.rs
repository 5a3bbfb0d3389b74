//! Findings: what a check reports, with spans precise enough to edit.

pub use crate::fix::{Applicability, Edit, Fix};
use crate::model::ObjectRef;
use crate::yaml::Span;

/// The id of the finding for files that do not parse: reported by the loader, not by a check,
/// and never suppressed (a file k8sec cannot read is never silently passed).
pub const INVALID_YAML: &str = "invalid-yaml";

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A secondary location that explains a finding ("runs as ServiceAccount `api`").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One reported problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The most specific node: the offending value, or the key of the mapping that should hold
    /// a missing field.
    pub span: Span,
    /// The object the finding is about, when there is one (`invalid-yaml` has none).
    pub object: Option<ObjectRef>,
    /// The container the finding is about, when it is about one.
    pub container: Option<String>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Byte ranges of secret text (a token, a password) that no output may print: a printer
    /// that shows source lines (the human snippet) masks them. Messages never hold them.
    pub redact: Vec<Span>,
}

impl Finding {
    pub fn new(check: &'static str, severity: Severity, span: Span, message: String) -> Self {
        Finding {
            check,
            severity,
            message,
            span,
            object: None,
            container: None,
            related: Vec::new(),
            fix: None,
            redact: Vec::new(),
        }
    }
}
