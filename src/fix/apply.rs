//! Applying fixes to one text, in one pass.
//!
//! The fixes are sorted by position and taken one after the other, a fix whose edits conflict
//! with one already taken being left out as a whole (never in part): it waits for the next
//! round, where it is recomputed against the new text. Insertions that each add a different
//! block mapping entry at one point (a pod spec getting `automountServiceAccountToken` and
//! `securityContext`) are not a conflict: they land together, the deepest first.
//!
//! The rounds themselves (apply, re-lint, repeat, throw away a round that would break the
//! file) are the pipeline's: they load and lint, which nothing in `fix/` may do.

use std::collections::BTreeMap;

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

/// Whether two insertions at one point can both land in one pass: each adds one block
/// mapping entry, as whole lines at the start of a line, and they do not add the same key at
/// the same indentation. They are then two entries of different mappings that end at that
/// point (the deeper one goes first), or two different keys of one mapping: say a pod spec
/// that gets both `automountServiceAccountToken: false` and a `securityContext:`.
///
/// Two entries with the same key and indentation (two fixes each creating a container's
/// `securityContext:`) land together when each is a bare `key:` whose value is a block
/// mapping of other keys than the other's: they are joined into one entry with the entries of
/// both ([`join_stacked`]), which is what the second one would add to the first in the next
/// round. Otherwise the second waits for the next round.
///
/// Waiting is not free: after the first round a file is linted again alone, and a finding
/// that only a Kustomize build shows (an overlay removed what the base sets) would not come
/// back, so its fix would be lost until the next run.
fn stacks(text: &str, a: &Edit, b: &Edit) -> bool {
    let (ra, rb) = (a.span.range, b.span.range);
    if !ra.is_empty() || ra != rb {
        return false;
    }
    match (entry_line(text, a), entry_line(text, b)) {
        (Some(x), Some(y)) if x != y => true,
        (Some(_), Some(_)) => match (child_keys(text, a), child_keys(text, b)) {
            (Some(ka), Some(kb)) => !ka.iter().any(|k| kb.contains(k)),
            _ => false,
        },
        _ => false,
    }
}

/// For an insertion of one block mapping entry as whole lines at the start of a line, the
/// indentation and key of its first line.
fn entry_line<'e>(text: &str, edit: &'e Edit) -> Option<(usize, &'e str)> {
    let at = edit.span.range.start as usize;
    let new = strip_missing_eol(text, edit);
    let at_line_start = at == 0
        || text.as_bytes().get(at - 1) == Some(&b'\n')
        || new.len() < edit.replacement.len();
    if !edit.span.range.is_empty() || !at_line_start || !new.ends_with('\n') {
        return None;
    }
    let mut lines = new.split_inclusive('\n');
    let first = lines.next()?;
    let (indent, key, _) = entry_of(first)?;
    // The rest of the insertion is that entry's value: more deeply indented lines.
    let nested = lines.all(|line| {
        let content = line.trim_start_matches(' ');
        line.len() - content.len() > indent && !content.trim().is_empty()
    });
    nested.then_some((indent, key))
}

/// A line `key:` or `key: value` with a plain key: its indentation, key and whether a value
/// follows the colon on the line.
fn entry_of(line: &str) -> Option<(usize, &str, bool)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let body = line[indent..].trim_end_matches(['\r', '\n']);
    let (key, rest) = body.split_once(':')?;
    let plain_key = !key.is_empty()
        && !key.starts_with(['-', '#', '"', '\'', '{', '[', '?'])
        && !key.contains([' ', '\t', '#']);
    (plain_key && (rest.is_empty() || rest.starts_with(' '))).then_some((
        indent,
        key,
        !rest.is_empty(),
    ))
}

/// For an entry insertion (see [`entry_line`]) that is a bare `key:` with a block mapping
/// under it, the keys of that mapping; `None` for any other.
fn child_keys<'e>(text: &str, edit: &'e Edit) -> Option<Vec<&'e str>> {
    entry_line(text, edit)?;
    let mut lines = strip_missing_eol(text, edit).split_inclusive('\n');
    let (_, _, inline_value) = entry_of(lines.next()?)?;
    if inline_value {
        return None;
    }
    let mut keys = Vec::new();
    let mut child_indent = None;
    for line in lines {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let child = *child_indent.get_or_insert(indent);
        if indent < child {
            return None; // not one mapping's entries
        }
        if indent == child {
            let (_, key, _) = entry_of(line)?;
            keys.push(key);
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// An insertion at the end of a text without a final line break starts with one (written by
/// the helpers so that the new lines start a line): its text without it, and the text of
/// every other insertion as it is.
fn strip_missing_eol<'e>(text: &str, edit: &'e Edit) -> &'e str {
    let new = edit.replacement.as_str();
    let at = edit.span.range.start as usize;
    if at != text.len() || text.is_empty() || text.ends_with('\n') {
        return new;
    }
    new.strip_prefix("\r\n")
        .or_else(|| new.strip_prefix('\n'))
        .unwrap_or(new)
}

/// `edits`, sorted, with insertions stacked at one point joined into one edit. At the end of a
/// text without a final line break each of them starts with one: only the first keeps it. A
/// second entry with the key of one joined before it (see [`stacks`]) adds its mapping's
/// entries to that one's, after them.
fn join_stacked<'e>(text: &str, edits: Vec<&'e Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    // The entries joined into the last edit of `out`: indentation, key, and where their lines
    // end in its replacement.
    let mut joined: Vec<(usize, &'e str, usize)> = Vec::new();
    for edit in edits {
        let entry = entry_line(text, edit);
        match out.last_mut() {
            Some(last)
                if last.span.range.is_empty()
                    && edit.span.range.is_empty()
                    && last.span.range.start == edit.span.range.start =>
            {
                let next = if last.replacement.ends_with('\n') {
                    strip_missing_eol(text, edit)
                } else {
                    edit.replacement.as_str()
                };
                let same = entry.and_then(|e| joined.iter().position(|&(i, k, _)| (i, k) == e));
                match same {
                    Some(at) => {
                        let children = next.split_once('\n').map_or("", |(_, rest)| rest);
                        last.replacement.insert_str(joined[at].2, children);
                        joined[at..].iter_mut().for_each(|j| j.2 += children.len());
                    }
                    None => {
                        last.replacement.push_str(next);
                        if let Some((indent, key)) = entry {
                            joined.push((indent, key, last.replacement.len()));
                        }
                    }
                }
            }
            _ => {
                out.push(edit.clone());
                joined.clear();
                if let Some((indent, key)) = entry {
                    joined.push((indent, key, edit.replacement.len()));
                }
            }
        }
    }
    out
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
