//! Check metadata and documentation, embedded from `checks/<id>.toml` by `build.rs`.

use crate::diagnostic::Severity;

/// Pod Security Standards level a check belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pss {
    None,
    Baseline,
    Restricted,
}

impl Pss {
    pub fn as_str(self) -> &'static str {
        match self {
            Pss::None => "none",
            Pss::Baseline => "baseline",
            Pss::Restricted => "restricted",
        }
    }
}

/// Whether a check can fix what it finds, and how safely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Safe,
    Unsafe,
    DisplayOnly,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Safe => "safe",
            FixAvailability::Unsafe => "unsafe",
            FixAvailability::DisplayOnly => "display-only",
        }
    }
}

#[derive(Debug)]
pub struct Reference {
    pub title: &'static str,
    pub url: &'static str,
}

/// Everything `checks/<id>.toml` says about a check.
#[derive(Debug)]
pub struct CheckDoc {
    pub id: &'static str,
    pub summary: &'static str,
    pub severity: Severity,
    pub category: &'static str,
    pub pss: Pss,
    /// Runs unless deselected (`false`: runs only when selected by id or `all`).
    pub enabled: bool,
    pub fix: FixAvailability,
    pub what: &'static str,
    pub why: &'static str,
    pub remediation: &'static str,
    /// Why the fix is safe, unsafe or display-only; empty when there is no fix.
    pub fix_safety: &'static str,
    /// Why an unsafe or display-only fix is not applied by `--fix`, in one line: what findings
    /// carry as `fix.reason` (empty for a safe fix).
    pub fix_reason: &'static str,
    pub references: &'static [Reference],
    /// Parameters settable under `[checks.<id>]` in `.k8sec.toml`: (name, description).
    pub params: &'static [(&'static str, &'static str)],
    pub example_bad: &'static str,
    pub example_good: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/check_docs.rs"));

/// Whether `name` is the category of some check (`reliability`, `rbac`…): a selector for
/// `select`, `extend-select` and `ignore`.
pub fn is_category(name: &str) -> bool {
    DOCS.iter().any(|d| d.category == name)
}

/// The doc of check `id`.
pub fn doc(id: &str) -> Option<&'static CheckDoc> {
    DOCS.binary_search_by(|d| d.id.cmp(id))
        .ok()
        .map(|i| &DOCS[i])
}

impl CheckDoc {
    /// The full documentation as `k8sec explain` prints it (Markdown).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n{}\n\n", self.id, self.summary);
        out.push_str(&format!(
            "Severity: {} · Category: {} · Pod Security Standards: {} · Default: {} · Fix: {}\n\n",
            self.severity.as_str(),
            self.category,
            self.pss.as_str(),
            if self.enabled { "on" } else { "off" },
            self.fix.as_str(),
        ));
        out.push_str(&format!("## What it finds\n\n{}\n\n", self.what));
        out.push_str(&format!("## Why it matters\n\n{}\n\n", self.why));
        out.push_str(&format!("## How to fix it\n\n{}\n\n", self.remediation));
        if !self.fix_safety.is_empty() {
            out.push_str(&format!("## Fix safety\n\n{}\n\n", self.fix_safety));
            if !self.fix_reason.is_empty() {
                out.push_str(&format!(
                    "Why it is not safe (`fix.reason`): {}.\n\n",
                    self.fix_reason
                ));
            }
        }
        if !self.params.is_empty() {
            out.push_str(&format!(
                "## Parameters (`[checks.{}]` in .k8sec.toml)\n\n",
                self.id
            ));
            for (name, description) in self.params {
                out.push_str(&format!("- `{name}`: {description}\n"));
            }
            out.push('\n');
        }
        out.push_str("## Example\n\nFlagged:\n\n```yaml\n");
        out.push_str(self.example_bad.trim_end());
        out.push_str("\n```\n\nUse instead:\n\n```yaml\n");
        out.push_str(self.example_good.trim_end());
        out.push_str("\n```\n\n## References\n\n");
        for reference in self.references {
            out.push_str(&format!("- {}: <{}>\n", reference.title, reference.url));
        }
        out
    }
}
