//! What a fix is: byte edits with an applicability.
//!
//! The shapes follow ruff's: an [`Edit`] replaces one byte range of one file, a [`Fix`] is the
//! edits that together resolve one finding, applied all together or not at all.

use crate::text::TextRange;
use crate::yaml::{FileId, Span};

/// How safely a fix may be applied. Ordered: `DisplayOnly < Unsafe < Safe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// A suggestion with placeholders (`cpu: <set-me>`); shown, never applied.
    DisplayOnly,
    /// Applied only with `--unsafe-fixes`: may break some workloads (a read-only root
    /// filesystem, `runAsNonRoot`).
    Unsafe,
    /// Applied by `--fix`: changes nothing the workload does beyond the hardening the check asks
    /// for, and is very unlikely to break it.
    Safe,
}

impl Applicability {
    /// The name used in JSON output and check docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// One text replacement in one file. An empty span inserts, an empty replacement deletes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    /// Replaces the bytes of `span` with `replacement`.
    pub fn replace(span: Span, replacement: impl Into<String>) -> Self {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    /// Inserts `text` at byte `offset` of `file`.
    pub fn insert(file: FileId, offset: u32, text: impl Into<String>) -> Self {
        Edit::replace(Span::new(file, TextRange::empty(offset)), text)
    }

    /// Deletes the bytes of `span`.
    pub fn delete(span: Span) -> Self {
        Edit::replace(span, String::new())
    }

    /// Whether two edits cannot both be applied in one pass.
    ///
    /// Overlapping ranges conflict. Touching ranges do not, except when one of them is an
    /// insertion: two insertions at the same offset (say two fixes that each add a missing
    /// `securityContext:` to the same container) would otherwise both land, in an order nobody
    /// chose, so the second one waits for the next round and sees the first one's result. (The
    /// applier lets two insertions at one point both land when each adds a different block
    /// mapping entry: see [`crate::fix::apply_fixes`].)
    pub fn conflicts_with(&self, other: &Edit) -> bool {
        if self.span.file != other.span.file {
            return false;
        }
        let (a, b) = (self.span.range, other.span.range);
        if a.is_empty() || b.is_empty() {
            a.start.max(b.start) <= a.end.min(b.end)
        } else {
            a.start.max(b.start) < a.end.min(b.end)
        }
    }
}

/// A set of edits that together resolve a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, as an imperative phrase: "set `privileged: false`".
    pub description: String,
    /// Sorted by position, non-overlapping. Empty in a lint that writes no edits because none
    /// of its outputs prints one (`k8sec::lint_without_edits`): the fix is known to exist,
    /// with its applicability, description and reason, and nothing can apply it.
    pub edits: Vec<Edit>,
    /// Why the fix is not safe (unsafe or display-only), in one line: what may break, what is
    /// the user's to choose. Shown with the fix in every output.
    pub reason: Option<String>,
}

impl Fix {
    /// A fix of `edits`, sorted; `None` when there is nothing to edit or two edits overlap (a
    /// fix is applied whole or not at all, so a malformed one is never attached).
    pub fn new(
        applicability: Applicability,
        description: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Option<Fix> {
        if edits.is_empty() {
            return None;
        }
        edits.sort_by_key(|e| (e.span.file, e.span.range.start, e.span.range.end));
        let overlapping = edits.windows(2).any(|pair| {
            pair[0].span.file == pair[1].span.file
                && pair[0].span.range.end > pair[1].span.range.start
        });
        if overlapping {
            return None;
        }
        Some(Fix {
            applicability,
            description: description.into(),
            edits,
            reason: None,
        })
    }

    /// The one file all edits are in, or `None` for a fix that spans several files.
    pub fn file(&self) -> Option<FileId> {
        let first = self.edits.first()?.span.file;
        self.edits
            .iter()
            .all(|e| e.span.file == first)
            .then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: u32, end: u32) -> Edit {
        Edit::replace(
            Span::new(FileId(0), TextRange::new(start, end)),
            "x".to_string(),
        )
    }

    #[test]
    fn conflicts() {
        assert!(edit(0, 4).conflicts_with(&edit(2, 6)));
        assert!(
            !edit(0, 4).conflicts_with(&edit(4, 6)),
            "adjacent replacements"
        );
        assert!(
            edit(4, 4).conflicts_with(&edit(4, 4)),
            "two insertions at one point"
        );
        assert!(
            edit(4, 4).conflicts_with(&edit(0, 4)),
            "insertion at a replacement's end"
        );
        assert!(edit(4, 4).conflicts_with(&edit(4, 8)));
        assert!(!edit(5, 5).conflicts_with(&edit(0, 4)));
        assert!(edit(2, 2).conflicts_with(&edit(0, 4)), "insertion inside");
        let other_file = Edit::insert(FileId(1), 2, "y");
        assert!(!edit(0, 4).conflicts_with(&other_file));
    }

    #[test]
    fn fix_new_sorts_and_refuses_overlaps_and_empty() {
        let fix = Fix::new(Applicability::Safe, "d", vec![edit(5, 6), edit(0, 1)]).unwrap();
        assert_eq!(fix.edits[0].span.range.start, 0);
        assert!(Fix::new(Applicability::Safe, "d", vec![edit(0, 3), edit(2, 4)]).is_none());
        assert!(Fix::new(Applicability::Safe, "d", vec![]).is_none());
        assert_eq!(fix.file(), Some(FileId(0)));
    }
}
