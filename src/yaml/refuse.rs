//! What the Kubernetes tool chain refuses although yaml-rust2 (and the YAML spec) reads it.
//!
//! kubectl (go-yaml behind apimachinery's document splitting) and kustomize (kyaml) both stop
//! on these, so an object written this way is never applied: k8sec reports `invalid-yaml`
//! instead of linting it as if it were.
//!
//! - a `%YAML`/`%TAG` directive: apimachinery cuts the stream at `---`, leaving the directive
//!   as a document of its own that go-yaml refuses;
//! - a tab between a block sequence's `-` and its item (`-<TAB>name: web`): libyaml takes the
//!   tab for the start of a token it does not know;
//! - the `\/` escape in a double-quoted scalar, which yaml.v2 predates (in a file kubectl reads
//!   as JSON, one starting with `{`, it is JSON's escape and fine).

use super::tree::{NodeKind, ScalarStyle, Tree};
use super::YamlError;

/// A directive (`%…` at the start of a line) in `text[from..to]`, the gap before a document,
/// that apimachinery cuts from that document: a `---` line (lines end at `\n` for it) comes
/// between them, so go-yaml reads the directive as a document of its own and refuses it. After
/// `...` and before the next `---` line a directive is still in the previous piece, past the
/// document go-yaml reads there: skipped.
pub(super) fn directive_between(
    text: &str,
    from: usize,
    to: usize,
    after_document: bool,
) -> Option<YamlError> {
    let mut pos = from;
    let mut skipped = after_document;
    let mut pending = None;
    // The line the document starts on too: its `---`, if it has one, is what cuts it off.
    while pos <= to && pos < text.len() {
        let end = crate::text::next_line_break(text, pos).unwrap_or(text.len());
        let line = &text[pos..end];
        let piece_line_start = pos == 0 || text.as_bytes()[pos - 1] == b'\n';
        let piece_line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if piece_line_start
            && super::prepare::is_separator_line(text[pos..piece_line_end].trim_end_matches('\r'))
        {
            if let Some(at) = pending {
                return Some(YamlError {
                    offset: at as u32,
                    message:
                        "a `%` directive: kubectl cuts it from its document at `---` and refuses it"
                            .into(),
                });
            }
            skipped = false;
        } else if line.starts_with('%') && !skipped {
            pending.get_or_insert(pos);
        }
        pos = end;
    }
    None
}

/// The first thing in a parsed document that go-yaml refuses.
pub(super) fn check(text: &str, tree: &Tree, json_stream: bool) -> Result<(), YamlError> {
    for node in &tree.nodes {
        match &node.kind() {
            NodeKind::Sequence { items, flow: false } => {
                for &item in tree.items(*items) {
                    let item = &tree.nodes[item.0 as usize];
                    tab_after_dash(text, item.range.start as usize)?;
                }
            }
            NodeKind::Scalar {
                style: ScalarStyle::DoubleQuoted,
                ..
            } if !json_stream => {
                let range = node.range.to_range();
                slash_escape(range.start, text.get(range).unwrap_or(""))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// `-<TAB>item` (or `- <TAB>item`) on one line.
fn tab_after_dash(text: &str, item: usize) -> Result<(), YamlError> {
    let before = &text[..item.min(text.len())];
    let blanks = before.trim_end_matches([' ', '\t']);
    if blanks.ends_with('-') && before[blanks.len()..].contains('\t') {
        return Err(YamlError {
            offset: (blanks.len() + before[blanks.len()..].find('\t').unwrap_or(0)) as u32,
            message: "a tab after `-`: the Kubernetes YAML reader finds a character that cannot start any token".into(),
        });
    }
    Ok(())
}

/// `\/` in the source of a double-quoted scalar starting at `start`.
fn slash_escape(start: usize, source: &str) -> Result<(), YamlError> {
    let bytes = source.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == b'/' {
                return Err(YamlError {
                    offset: (start + i) as u32,
                    message: "the escape `\\/`, which the Kubernetes YAML reader does not know (write `/`)".into(),
                });
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// Whether kubectl reads the text as a stream of JSON values: its first non-blank character
/// is `{`.
pub(super) fn is_json_stream(text: &str) -> bool {
    text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with('{')
}
