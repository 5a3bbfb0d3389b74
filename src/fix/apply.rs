//! Applying fixes to one text, in one pass.
//!
//! The fixes are sorted by position and taken one after the other, a fix whose edits conflict
//! with one already taken being left out as a whole (never in part): it waits for the next
//! round, where it is recomputed against the new text. Insertions that each add an entry to
//! the mapping (or, in block style, the mappings) ending at one point are not a conflict (a
//! pod spec getting `automountServiceAccountToken` and `securityContext`): they land together,
//! the deepest first, as `stack` decides and joins them.
//!
//! The rounds themselves (apply, re-lint, repeat, throw away a round that would break the
//! file) are the pipeline's: they load and lint, which nothing in `fix/` may do.

use std::collections::BTreeMap;

use super::stack::{entry_line, join_stacked, stacks};
use super::{Applicability, Edit, Fix};
use crate::yaml::FileId;

/// Which applicabilities a run applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixMode {
    /// `--unsafe-fixes`: apply unsafe fixes as well as safe ones.
    pub unsafe_fixes: bool,
}

impl FixMode {
    /// Safe fixes always, unsafe ones with `--unsafe-fixes`, display-only ones never.
    pub fn allows(self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// One pass of fixes over one text.
#[derive(Debug, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// Fixes applied.
    pub applied: usize,
    /// Fixes left out: conflicting with one applied before them, or malformed.
    pub skipped: usize,
    /// The positions (in the order given) of the fixes applied.
    pub taken: Vec<usize>,
    /// The edits made, sorted.
    pub edits: Vec<Edit>,
    /// How many times an edit taken was compared with one being tried: the work the
    /// linearity tests count (comparing every pair was quadratic in a file's fixes).
    pub compared: usize,
}

/// Applies to `text` (the text of `file`) every fix of `fixes` that does not conflict with one
/// before it, in one pass. Fixes are taken in order of position (ties keep the given order).
pub fn apply_fixes<'f>(
    text: &str,
    file: FileId,
    fixes: impl IntoIterator<Item = &'f Fix>,
) -> Applied {
    let mut fixes: Vec<(usize, &Fix)> = fixes.into_iter().enumerate().collect();
    fixes.sort_by_key(|(_, f)| {
        f.edits
            .first()
            .map(|e| (e.span.range.start, e.span.range.end))
    });
    let mut taken = Taken::default();
    let mut taken_fixes = Vec::new();
    let (mut applied, mut skipped, mut compared) = (0, 0, 0);
    for (position, fix) in fixes {
        let fits = is_well_formed(text, file, fix)
            && fix.edits.iter().all(|edit| {
                taken.near(edit).all(|t| {
                    compared += 1;
                    !t.conflicts_with(edit) || stacks(text, t, edit)
                })
            });
        if fits {
            fix.edits.iter().for_each(|edit| taken.push(edit));
            taken_fixes.push(position);
            applied += 1;
        } else {
            skipped += 1;
        }
    }
    // Stacked entries at one point: the deepest first (it continues the innermost mapping
    // that ends there), then in the order they were taken. (Each edit's depth is read once:
    // a `kind: List` of thousands of Pods takes tens of thousands of edits, and reading it
    // in every comparison was a sixth of a `--diff` of one.)
    let mut taken = taken.in_order;
    taken.sort_by_cached_key(|e| {
        let depth = entry_line(text, e).map_or(0, |(indent, _)| indent);
        (
            e.span.range.start,
            e.span.range.end,
            std::cmp::Reverse(depth),
        )
    });
    let edits = join_stacked(text, taken);
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for edit in &edits {
        let range = edit.span.range.to_range();
        out.push_str(&text[last..range.start]);
        out.push_str(&edit.replacement);
        last = range.end;
    }
    out.push_str(&text[last..]);
    taken_fixes.sort_unstable();
    Applied {
        text: out,
        applied,
        skipped,
        taken: taken_fixes,
        edits,
        compared,
    }
}

/// The edits taken so far: in the order taken, and by position, so that an edit is compared
/// only with those it may overlap (a `kind: List` of thousands of Pods has tens of thousands
/// of fixes in one file; comparing each with every one taken before was quadratic).
#[derive(Default)]
struct Taken<'f> {
    in_order: Vec<&'f Edit>,
    /// (start, order taken) → edit.
    by_start: BTreeMap<(u32, usize), &'f Edit>,
    /// The longest range taken: an edit starting more than this before `start` ends before it.
    longest: u32,
}

impl<'f> Taken<'f> {
    fn push(&mut self, edit: &'f Edit) {
        let range = edit.span.range;
        self.by_start
            .insert((range.start, self.in_order.len()), edit);
        self.in_order.push(edit);
        self.longest = self.longest.max(range.len());
    }

    /// Every taken edit that may conflict with `edit` (touch or overlap its range), and maybe
    /// a few more; in the order of their positions.
    fn near(&self, edit: &Edit) -> impl Iterator<Item = &'f Edit> + '_ {
        let range = edit.span.range;
        let from = range.start.saturating_sub(self.longest);
        self.by_start
            .range((from, 0)..=(range.end, usize::MAX))
            .map(|(_, &taken)| taken)
    }
}

/// Every edit is in `file`, inside the text, on character boundaries, and the edits are sorted
/// and disjoint: anything else is a bug in a check, and such a fix is never applied.
fn is_well_formed(text: &str, file: FileId, fix: &Fix) -> bool {
    let in_text = fix.edits.iter().all(|e| {
        let r = e.span.range;
        e.span.file == file
            && r.start <= r.end
            && text.is_char_boundary(r.start as usize)
            && text.is_char_boundary(r.end as usize)
    });
    let sorted = fix
        .edits
        .windows(2)
        .all(|pair| pair[0].span.range.end <= pair[1].span.range.start);
    !fix.edits.is_empty() && in_text && sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextRange;
    use crate::yaml::Span;

    fn fix(edits: &[(u32, u32, &str)]) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            reason: None,
            description: "test".to_string(),
            edits: edits
                .iter()
                .map(|&(s, e, r)| Edit::replace(Span::new(FileId(0), TextRange::new(s, e)), r))
                .collect(),
        }
    }

    #[test]
    fn overlapping_fixes_wait_whole_for_the_next_round() {
        let text = "abcdef";
        let first = fix(&[(0, 2, "AB")]);
        // Overlaps `first` with its second edit only: the whole fix is left out.
        let second = fix(&[(4, 5, "E"), (1, 3, "x")]);
        let second = Fix::new(second.applicability, "s", second.edits).unwrap();
        let applied = apply_fixes(text, FileId(0), [&first, &second]);
        assert_eq!(applied.text, "ABcdef");
        assert_eq!((applied.applied, applied.skipped), (1, 1));
    }

    /// The conflict check looks only near each edit: a long edit taken early still keeps out
    /// one that starts far after its start, and many edits in between change nothing.
    #[test]
    fn a_long_edit_keeps_out_what_it_covers_however_many_edits_lie_between() {
        let text = "x".repeat(1000);
        let mut fixes = vec![fix(&[(10, 900, "long")])];
        fixes.extend((0..5).map(|i| fix(&[(950 + i * 2, 951 + i * 2, "s")])));
        fixes.push(fix(&[(899, 905, "tail")])); // overlaps the long edit's end
        fixes.push(fix(&[(900, 900, "touch")])); // an insertion where it ends
        fixes.push(fix(&[(5, 10, "head")])); // ends where it starts: adjacent, fits
        let applied = apply_fixes(&text, FileId(0), &fixes);
        assert_eq!((applied.applied, applied.skipped), (7, 2));
        assert_eq!(applied.taken, vec![0, 1, 2, 3, 4, 5, 8]);
    }

    #[test]
    fn adjacent_edits_are_both_applied_in_one_pass() {
        let text = "abcdef";
        let applied = apply_fixes(
            text,
            FileId(0),
            [&fix(&[(2, 4, "XY")]), &fix(&[(0, 2, "12")])],
        );
        assert_eq!(applied.text, "12XYef");
        assert_eq!(applied.applied, 2);
    }

    #[test]
    fn insertions_at_one_point_do_not_both_land() {
        let text = "a\n";
        let applied = apply_fixes(
            text,
            FileId(0),
            [&fix(&[(2, 2, "b\n")]), &fix(&[(2, 2, "c\n")])],
        );
        assert_eq!(applied.text, "a\nb\n");
        assert_eq!(applied.skipped, 1);
    }

    #[test]
    fn entries_inserted_at_one_point_stack_deepest_first() {
        // A container and its pod spec both end where the file ends.
        let text = "spec:\n  containers:\n    - name: web\n";
        let end = text.len() as u32;
        let pod_key = fix(&[(end, end, "  automountServiceAccountToken: false\n")]);
        let pod_context = fix(&[(end, end, "  securityContext:\n    runAsNonRoot: true\n")]);
        let container = fix(&[(
            end,
            end,
            "      securityContext:\n        privileged: false\n",
        )]);
        let applied = apply_fixes(text, FileId(0), [&pod_key, &pod_context, &container]);
        assert_eq!((applied.applied, applied.skipped), (3, 0));
        assert_eq!(
            applied.text,
            "spec:\n  containers:\n    - name: web\n      securityContext:\n        \
             privileged: false\n  automountServiceAccountToken: false\n  securityContext:\n    \
             runAsNonRoot: true\n"
        );
        // The same key at the same indentation, each a mapping of other keys: one entry with
        // the entries of both, in the order taken, also past an entry joined between them.
        let again = fix(&[(
            end,
            end,
            "      securityContext:\n        runAsNonRoot: true\n        capabilities:\n          \
             drop: [ALL]\n",
        )]);
        let resources = fix(&[(end, end, "      resources:\n        limits: {}\n")]);
        let applied = apply_fixes(text, FileId(0), [&container, &resources, &again]);
        assert_eq!((applied.applied, applied.skipped), (3, 0));
        assert_eq!(
            applied.text,
            "spec:\n  containers:\n    - name: web\n      securityContext:\n        \
             privileged: false\n        runAsNonRoot: true\n        capabilities:\n          \
             drop: [ALL]\n      resources:\n        limits: {}\n"
        );
        // A key both set, or a value on the key's line: the second waits.
        for other in [
            "      securityContext:\n        privileged: true\n",
            "      securityContext:\n        runAsUser: 1\n        privileged: true\n",
            "      securityContext: {runAsNonRoot: true}\n",
            "      securityContext:\n        - item\n",
        ] {
            let applied = apply_fixes(text, FileId(0), [&container, &fix(&[(end, end, other)])]);
            assert_eq!((applied.applied, applied.skipped), (1, 1), "{other:?}");
        }
        // At the end of a text without a final line break, one line break is added.
        let text = text.trim_end();
        let end = text.len() as u32;
        let applied = apply_fixes(
            text,
            FileId(0),
            [
                &fix(&[(end, end, "\n  automountServiceAccountToken: false\n")]),
                &fix(&[(end, end, "\n      securityContext: {}\n")]),
            ],
        );
        assert_eq!(
            applied.text,
            "spec:\n  containers:\n    - name: web\n      securityContext: {}\n  \
             automountServiceAccountToken: false\n"
        );
        assert_eq!(applied.edits.len(), 1);
        let text = "spec:\n  containers:\n    - name: web\n";
        let end = text.len() as u32;
        // Anything but whole entry lines at a line start does not stack.
        for other in ["x\n", "  - item\n", "  a: 1\nb: 2\n", "  # c\n", "  k: v"] {
            let applied = apply_fixes(text, FileId(0), [&pod_key, &fix(&[(end, end, other)])]);
            assert_eq!(applied.skipped, 1, "{other:?}");
        }
    }

    #[test]
    fn entries_added_at_the_end_of_one_flow_mapping_stack() {
        let text = r#"{"spec": {"name": "web"}}"#;
        let end = text.find(r#""web""#).unwrap() as u32 + 5;
        let insert = |s: &str| fix(&[(end, end, s)]);
        let context = insert(r#", "securityContext": {"runAsNonRoot": true}"#);
        let resources = insert(r#", "resources": {"limits": {"memory": "1Gi"}}"#);
        let more = insert(r#", "securityContext": {"capabilities": {"drop": ["ALL"]}}"#);
        let applied = apply_fixes(text, FileId(0), [&context, &resources, &more]);
        assert_eq!((applied.applied, applied.skipped), (3, 0));
        assert_eq!(
            applied.text,
            r#"{"spec": {"name": "web", "securityContext": {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}, "resources": {"limits": {"memory": "1Gi"}}}}"#
        );
        // On lines of their own, the same.
        let own_line = |s: &str| fix(&[(end, end, s)]);
        let applied = apply_fixes(
            text,
            FileId(0),
            [&own_line(",\n  \"a\": 1"), &own_line(",\n  \"b\": [1, 2]")],
        );
        assert_eq!(
            applied.text,
            "{\"spec\": {\"name\": \"web\",\n  \"a\": 1,\n  \"b\": [1, 2]}}"
        );
        // A key both set, a value that is not a mapping, different layouts, text not read
        // with certainty: the second waits.
        for (first, second) in [
            (
                r#", "securityContext": {"a": 1}"#,
                r#", "securityContext": {"a": 2}"#,
            ),
            (r#", "k": 1"#, r#", "k": 2"#),
            (r#", "k": [1]"#, r#", "k": [2]"#),
            (r#", "a": 1"#, ",\n  \"b\": 1"),
            (r#", "a": 1"#, r#", 'b': 1"#),
            (r#", "a": 1"#, r#", "b": {"c": 1}}"#),
            (r#", "a": 1"#, r#", "b": 1, "c": 2"#),
            (r#", "a": 1"#, r#""b": 1"#),
            (r#", "a": 1"#, r#", a: 2"#),
            (r#", "a": {"x": 1}"#, r#", a: {x: 2}"#),
        ] {
            let applied = apply_fixes(text, FileId(0), [&insert(first), &insert(second)]);
            assert_eq!((applied.applied, applied.skipped), (1, 1), "{second:?}");
        }
    }

    #[test]
    fn malformed_fixes_are_never_applied() {
        let text = "é: 1\n";
        let cases = [
            fix(&[(1, 2, "x")]),              // inside a character
            fix(&[(0, 99, "x")]),             // past the end
            fix(&[(3, 4, "x"), (0, 1, "y")]), // unsorted
            fix(&[]),                         // nothing
        ];
        for case in &cases {
            let applied = apply_fixes(text, FileId(0), [case]);
            assert_eq!(applied.text, text, "{case:?}");
            assert_eq!(applied.skipped, 1);
        }
        let other_file = Fix {
            edits: vec![Edit::insert(FileId(1), 0, "x")],
            ..fix(&[])
        };
        assert_eq!(apply_fixes(text, FileId(0), [&other_file]).applied, 0);
    }

    #[test]
    fn crlf_text_is_copied_byte_for_byte_around_edits() {
        let text = "a: 1\r\nb: true\r\n";
        let applied = apply_fixes(text, FileId(0), [&fix(&[(9, 13, "false")])]);
        assert_eq!(applied.text, "a: 1\r\nb: false\r\n");
    }

    #[test]
    fn modes() {
        let safe = FixMode::default();
        let all = FixMode { unsafe_fixes: true };
        assert!(safe.allows(Applicability::Safe) && !safe.allows(Applicability::Unsafe));
        assert!(all.allows(Applicability::Unsafe) && !all.allows(Applicability::DisplayOnly));
    }
}
