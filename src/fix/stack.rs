//! Insertions at one point that land in one pass. Two fixes that insert at the same offset
//! conflict unless each adds a different entry to the mapping that ends there (or to one of
//! the mappings that end there, in block style): then both are joined into one insertion.
//! Entries with the same key whose values are mappings of different keys are joined into one
//! entry holding both, which is what the later fix would add to the earlier one's entry in a
//! round of its own. Anything else waits for the next round, where it is computed again.
//!
//! Both rules read the text of the edits as `yaml_edit` writes them: whole lines of a block
//! mapping entry (`key: value`, or `key:` over more deeply indented lines), or `, key: value`
//! at the end of a flow mapping (on the same line, or on a line of its own).

use super::Edit;

/// Whether two insertions at one point can both land in one pass.
///
/// In block style: each adds one block mapping entry, as whole lines at the start of a line,
/// and they do not add the same key at the same indentation. They are then two entries of
/// different mappings that end at that point (the deeper one goes first), or two different
/// keys of one mapping: say a pod spec that gets both `automountServiceAccountToken: false`
/// and a `securityContext:`. Two entries with the same key and indentation (two fixes each
/// creating a container's `securityContext:`) land together when each is a bare `key:` whose
/// value is a block mapping of other keys than the other's: they are joined into one entry
/// with the entries of both ([`join_stacked`]), which is what the second one would add to the
/// first in the next round.
///
/// In flow style: each adds `, key: value` at the end of a flow mapping, written alike (on the
/// last entry's line, or on a line of its own), with different keys, or with one key whose
/// values are flow mappings of different keys (joined the same way). Only the mapping whose
/// last entry ends at an offset has its insertion point there, so both go to that mapping.
///
/// Anything else waits for the next round.
///
/// Waiting is not free: after the first round a file is linted again alone, and a finding
/// that only a Kustomize build shows (an overlay removed what the base sets) would not come
/// back, so its fix would be lost until the next run.
pub(super) fn stacks(text: &str, a: &Edit, b: &Edit) -> bool {
    let (ra, rb) = (a.span.range, b.span.range);
    if !ra.is_empty() || ra != rb {
        return false;
    }
    if let (Some(x), Some(y)) = (flow_entry(a), flow_entry(b)) {
        return x.lead == y.lead
            && (x.key != y.key || disjoint_mappings(x.value, y.value).unwrap_or(false));
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
pub(super) fn entry_line<'e>(text: &str, edit: &'e Edit) -> Option<(usize, &'e str)> {
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

/// For an insertion [`entry_line`] reads as one entry (the caller has asked it) that is a
/// bare `key:` with a block mapping under it, the keys of that mapping; `None` for any other.
fn child_keys<'e>(text: &str, edit: &'e Edit) -> Option<Vec<&'e str>> {
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
pub(super) fn join_stacked<'e>(text: &str, edits: Vec<&'e Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    // The entries joined into the last edit of `out`, and where more entries of their value
    // go in its replacement (see `Joined::of`).
    let mut joined: Vec<(Joined<'e>, usize)> = Vec::new();
    for edit in edits {
        let entry = Joined::of(text, edit);
        let at_same_point = out.last().is_some_and(|last| {
            last.span.range.is_empty()
                && edit.span.range.is_empty()
                && last.span.range.start == edit.span.range.start
        });
        let Some(last) = out.last_mut().filter(|_| at_same_point) else {
            out.push(edit.clone());
            joined.clear();
            if let Some((entry, back)) = entry {
                joined.push((entry, edit.replacement.len() - back));
            }
            continue;
        };
        let next = if last.replacement.ends_with('\n') {
            strip_missing_eol(text, edit)
        } else {
            edit.replacement.as_str()
        };
        let same = entry.and_then(|(e, _)| joined.iter().position(|(j, _)| *j == e));
        match (same, entry) {
            (Some(at), Some((entry, _))) => {
                let more = entry.more(edit, next);
                last.replacement.insert_str(joined[at].1, &more);
                joined[at..].iter_mut().for_each(|j| j.1 += more.len());
            }
            _ => {
                last.replacement.push_str(next);
                if let Some((entry, back)) = entry {
                    joined.push((entry, last.replacement.len() - back));
                }
            }
        }
    }
    out
}

/// An entry an insertion adds, as [`join_stacked`] tells one from another.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Joined<'e> {
    /// A block mapping entry: its indentation and key.
    Block(usize, &'e str),
    /// A flow mapping entry: its key.
    Flow(&'e str),
}

impl<'e> Joined<'e> {
    /// The entry `edit` adds, and how far before the end of its text more entries of its value
    /// would go: right after a block entry's lines, before the `}` of a flow mapping value.
    fn of(text: &str, edit: &'e Edit) -> Option<(Joined<'e>, usize)> {
        if let Some(flow) = flow_entry(edit) {
            return Some((
                Joined::Flow(flow.key),
                usize::from(flow.value.ends_with('}')),
            ));
        }
        let (indent, key) = entry_line(text, edit)?;
        Some((Joined::Block(indent, key), 0))
    }

    /// What a second entry with this key (`edit`, whose text to join is `next`) adds to the
    /// first one: the lines under its key, or `, ` and the entries inside its mapping's braces.
    fn more(self, edit: &Edit, next: &str) -> String {
        match self {
            Joined::Block(..) => next
                .split_once('\n')
                .map_or("", |(_, rest)| rest)
                .to_string(),
            Joined::Flow(_) => {
                let inside = flow_entry(edit)
                    .and_then(|e| e.value.strip_prefix('{')?.strip_suffix('}'))
                    .unwrap_or("");
                format!(", {inside}")
            }
        }
    }
}

/// An insertion of one entry at the end of a flow mapping, as `yaml_edit` writes it: `, key:
/// value` on the line of the last entry, or `,` and the entry on a line of its own.
struct FlowEntry<'e> {
    /// The comma and what follows it up to the key.
    lead: &'e str,
    key: &'e str,
    value: &'e str,
}

fn flow_entry(edit: &Edit) -> Option<FlowEntry<'_>> {
    if !edit.span.range.is_empty() {
        return None;
    }
    let text = edit.replacement.as_str();
    let entry = text
        .strip_prefix(',')?
        .trim_start_matches([' ', '\r', '\n']);
    let lead = &text[..text.len() - entry.len()];
    let (key, value) = key_value(entry)?;
    // One value, nothing after it.
    (top_level_items(value)?.len() == 1).then_some(FlowEntry { lead, key, value })
}

/// `key: value` in flow style: the key (plain, or double quoted without escapes: compared
/// without its quotes, so `"a"` and `a` are one key) and the value.
fn key_value(entry: &str) -> Option<(&str, &str)> {
    let (key, rest) = match entry.strip_prefix('"') {
        Some(quoted) => {
            let close = quoted.find('"')?;
            let key = &quoted[..close];
            (!key.contains('\\')).then_some((key, &quoted[close + 1..]))?
        }
        None => {
            let at = entry.find(": ")?;
            let key = &entry[..at];
            let indicator = key.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c));
            (!indicator && !key.contains(['"', '\'', ',', '#'])).then_some((key, &entry[at..]))?
        }
    };
    let value = rest.strip_prefix(": ")?;
    (!key.is_empty() && !value.is_empty()).then_some((key, value))
}

/// Whether two flow values are both mappings, of keys the other does not have; `None` when
/// either is not read with certainty.
fn disjoint_mappings(a: &str, b: &str) -> Option<bool> {
    let keys = |value: &str| -> Option<Vec<String>> {
        let inside = value.strip_prefix('{')?.strip_suffix('}')?;
        top_level_items(inside)?
            .into_iter()
            .map(|item| key_value(item.trim()).map(|(key, _)| key.to_string()))
            .collect()
    };
    let (a, b) = (keys(a)?, keys(b)?);
    Some(!a.iter().any(|k| b.contains(k)))
}

/// `text` split at its commas outside brackets and double quotes. `None` when a bracket is
/// unbalanced, a quote unclosed, or the text holds a single quote or a `#`, which this does
/// not read.
fn top_level_items(text: &str) -> Option<Vec<&str>> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    let (mut quoted, mut escaped) = (false, false);
    for (i, b) in text.bytes().enumerate() {
        if quoted {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => quoted = true,
            b'\'' | b'#' => return None,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quoted || depth != 0 {
        return None;
    }
    items.push(&text[start..]);
    Some(items)
}
