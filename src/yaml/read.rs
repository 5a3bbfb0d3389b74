//! Reading a file as the Kubernetes reader reads it: the stream-level steps around the tree
//! builder ([`super::parse`]).
//!
//! A file is read as `kubectl apply` reads it: a stream of JSON values when it is one (kubectl
//! tries JSON first on a file that starts with `{`), else YAML. The YAML is prepared and mended
//! where go-yaml and yaml-rust2 differ ([`super::prepare`]), parsed, and each document checked
//! for what go-yaml refuses although it parses ([`super::refuse`], [`super::decode`]).

use std::borrow::Cow;

use super::parse::{build, ParsedStream, YamlError, SKIPPED};
use super::tree::{NodeKind, ScalarStyle};
use super::{decode, prepare, refuse, FileId};
use crate::text::{LineIndex, TextRange};

/// Parses every document of `text`, which belongs to `file`, as the Kubernetes reader reads
/// it (see [`super::prepare`] for how the text is prepared and [`super::decode`] for the
/// errors a parsed document can still have).
///
/// A document the reader refuses ends the stream there: the documents before it are kept
/// (`kubectl apply` applies them), the error is the stream's.
pub fn parse_stream(text: &str, file: FileId, index: &LineIndex) -> ParsedStream {
    parse_refusing(text, file, index, None)
}

/// Parses `text`, the part of a file before bytes that are not UTF-8 (at `text.len()`): the
/// documents before the one holding them are read, as kubectl reads them, and the error is at
/// the first bad byte.
pub fn parse_valid_prefix(text: &str, file: FileId, index: &LineIndex) -> ParsedStream {
    let refusal = (text.len(), "file is not valid UTF-8 text".to_string());
    parse_refusing(text, file, index, Some(refusal))
}

/// [`parse_stream`], reading nothing from the document that holds `refusal` (an offset and
/// why) on, nor from the first character or `---` line the Kubernetes reader refuses.
fn parse_refusing(
    text: &str,
    file: FileId,
    index: &LineIndex,
    refusal: Option<(usize, String)>,
) -> ParsedStream {
    // A stream of JSON values is read by kubectl's JSON decoder: any character a JSON string
    // holds is fine, and U+0085/U+2028/U+2029 are characters, not line breaks.
    let json = prepare::is_json_values(text);
    if !json {
        if let Some(prefix) = prepare::json_prefix(text) {
            return json_then_yaml(text, file, refusal, prefix);
        }
    }
    let refused = (!json)
        .then(|| refused_char(text, file))
        .flatten()
        .map(|(at, c)| {
            let message = format!(
                "control characters are not allowed (U+{:04X}); the Kubernetes YAML reader refuses the document",
                c as u32
            );
            (at, message)
        })
        .into_iter()
        .chain((!json).then(|| prepare::bad_separator(text)).flatten().map(|at| {
            (at, "invalid document separator: kubectl refuses a `---` line followed by anything but blanks or a comment".to_string())
        }))
        .chain(refusal)
        .min_by_key(|(at, _)| *at);
    let readable = match &refused {
        Some((at, _)) => &text[..prepare::document_start_before(text, *at)],
        None => text,
    };
    let mut stream = if readable.len() == text.len() {
        parse_readable(text, file, index, !json)
    } else {
        parse_readable(readable, file, &LineIndex::new(readable), !json)
    };
    if let Some((at, message)) = refused {
        stream.error.get_or_insert(YamlError {
            offset: at as u32,
            message,
        });
    }
    let json_stream = refuse::is_json_stream(text);
    let mut previous_end = 0;
    let refused = stream.documents.iter().enumerate().find_map(|(i, doc)| {
        let gap = (previous_end, doc.range.start as usize);
        previous_end = doc.range.end as usize;
        let error = refuse::directive_between(text, gap.0, gap.1, i > 0)
            .map_or(Ok(()), Err)
            .and_then(|()| refuse::check(text, &doc.tree, json_stream))
            .and_then(|()| {
                decode::check(&doc.tree).map_err(|e| YamlError {
                    offset: e.offset,
                    message: e.message,
                })
            });
        error.err().map(|e| (i, e))
    });
    if let Some((i, error)) = refused {
        stream.documents.truncate(i);
        stream.error = Some(error);
    } else if let Some(error) =
        refuse::directive_between(text, previous_end, text.len(), !stream.documents.is_empty())
    {
        // A directive before an empty last document.
        stream.error.get_or_insert(error);
    }
    stream
}

/// A file that starts with JSON values and goes on with something else: kubectl reads the
/// values with its JSON decoder, then the rest as YAML (after one or two values) or stops
/// (after more).
fn json_then_yaml(
    text: &str,
    file: FileId,
    refusal: Option<(usize, String)>,
    prefix: prepare::JsonPrefix,
) -> ParsedStream {
    let json = &text[..prefix.values_end];
    let mut stream = parse_readable(json, file, &LineIndex::new(json), false);
    match prefix.yaml_from {
        Some(from) => {
            // The rest, at its own offsets: what kubectl read as JSON is blanked out.
            let blanked = prepare::blank_before(text, from);
            let rest = parse_refusing(&blanked, file, &LineIndex::new(&blanked), refusal);
            stream.documents.extend(rest.documents);
            stream.work += rest.work;
            if stream.error.is_none() {
                stream.error = rest.error;
            }
        }
        None => {
            stream.error.get_or_insert(YamlError {
                offset: prefix.values_end as u32,
                message: "kubectl reads this file as JSON values and stops where they end".into(),
            });
        }
    }
    stream
}

/// The first character the Kubernetes reader refuses in text it reads. go-yaml decodes
/// characters only as far as it reads: one after the first YAML document of its piece (in text
/// kubectl skips) is never seen, and reading goes on at the next `---` line.
fn refused_char(text: &str, file: FileId) -> Option<(usize, char)> {
    let mut from = 0;
    for _ in 0..MAX_SKIPPED_PROBES {
        let (at, c) = prepare::refused_char(&text[from..]).map(|(at, c)| (from + at, c))?;
        let before = &text[..at];
        let probe = parse_readable(before, file, &LineIndex::new(before), true);
        let piece = prepare::document_start_before(text, at);
        let skipped = probe.error.as_ref().is_some_and(|e| {
            e.message.ends_with(SKIPPED)
                && prepare::document_start_before(text, e.offset as usize) == piece
        });
        if !skipped {
            return Some((at, c));
        }
        from = prepare::next_separator_line(text, at)?;
    }
    prepare::refused_char(&text[from..]).map(|(at, c)| (from + at, c))
}

/// Most refused characters [`refused_char`] looks past (each costs a parse of the text before
/// it); past that, the next one is refused.
const MAX_SKIPPED_PROBES: usize = 16;

/// Most times [`parse_readable`] mends the text and parses again.
const MAX_MENDS: usize = 64;

/// Parses text go-yaml's reader accepts: prepared (its line breaks, unless `yaml_breaks` is
/// false; byte order marks), then mended and parsed again while yaml-rust2 stops on something
/// go-yaml reads.
fn parse_readable(text: &str, file: FileId, index: &LineIndex, yaml_breaks: bool) -> ParsedStream {
    let base = if yaml_breaks {
        prepare::same_length_line_breaks(text)
    } else {
        Cow::Borrowed(text)
    };
    let mut edits = prepare::document_edits(&base);
    // apimachinery's pieces, from the text as it is (not with the line breaks put in).
    let piece_starts = prepare::separator_lines(text);
    let mut first: Option<ParsedStream> = None;
    for attempt in 0..=MAX_MENDS {
        let edited = if edits.is_empty() {
            Cow::Borrowed(&*base)
        } else {
            Cow::Owned(edits.apply(&base))
        };
        let own_index;
        let index = if edits.is_empty() {
            index
        } else {
            own_index = LineIndex::new(&edited);
            &own_index
        };
        let separators: Vec<usize> = piece_starts.iter().map(|&s| edits.to_edited(s)).collect();
        let mut stream = build(&edited, index, file, &separators);
        let mended = match &stream.error {
            Some(error) if attempt < MAX_MENDS => {
                let before = edits.clone();
                let mended =
                    prepare::mend(&edited, error.offset as usize, &error.message, &mut edits);
                if mended && first.is_none() {
                    remap(&mut stream, &before);
                    first = Some(stream);
                    continue;
                }
                mended
            }
            _ => false,
        };
        if mended {
            continue;
        }
        remap(&mut stream, &edits);
        if matches!(base, Cow::Owned(_)) {
            floor_to_chars(&mut stream, text);
        }
        // The mended reading stands if it is sound and gets further than the first one (an
        // error left further on is another problem, reported as such).
        let error_at = |s: &ParsedStream| s.error.as_ref().map_or(u32::MAX, |e| e.offset);
        return match first {
            Some(first)
                if error_at(&stream) <= error_at(&first) || !indents_are_sound(&stream, &edits) =>
            {
                first
            }
            _ => stream,
        };
    }
    first.unwrap_or_default()
}

/// Whether every line the mending indented is inside a flow collection or a quoted scalar,
/// where indentation means nothing to go-yaml: otherwise the mended text may not read as
/// go-yaml reads the original, and the original error stands.
fn indents_are_sound(stream: &ParsedStream, edits: &prepare::Edits) -> bool {
    let mut loose: Vec<u32> = edits
        .iter()
        .filter(|e| e.indents)
        .map(|e| e.at as u32)
        .collect();
    if loose.is_empty() {
        return true;
    }
    for doc in &stream.documents {
        for node in &doc.tree.nodes {
            let holds = match &node.kind() {
                NodeKind::Sequence { flow, .. } | NodeKind::Mapping { flow, .. } => *flow,
                NodeKind::Scalar { style, .. } => {
                    matches!(style, ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted)
                }
                NodeKind::Alias { .. } => false,
            };
            let range = node.range;
            if holds {
                loose.retain(|&at| !(range.start < at && at < range.end));
            }
        }
    }
    loose.is_empty()
}

/// Moves every offset that falls inside a character of `text` to its start: a line break
/// given to yaml-rust2 in place of U+0085/U+2028/U+2029 is as long, but not one character.
fn floor_to_chars(stream: &mut ParsedStream, text: &str) {
    let floor = |offset: u32| {
        let mut at = (offset as usize).min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at as u32
    };
    for doc in &mut stream.documents {
        doc.range = TextRange::new(floor(doc.range.start), floor(doc.range.end));
        for node in &mut doc.tree.nodes {
            let range = node.range;
            node.range = TextRange::new(floor(range.start), floor(range.end));
        }
    }
    if let Some(error) = &mut stream.error {
        error.offset = floor(error.offset);
    }
}

/// Maps every offset of a stream parsed from edited text back to the text before the edits.
fn remap(stream: &mut ParsedStream, edits: &prepare::Edits) {
    if edits.is_empty() {
        return;
    }
    let mapper = edits.mapper();
    let map = |offset: u32| mapper.map(offset as usize) as u32;
    for doc in &mut stream.documents {
        doc.range = TextRange::new(map(doc.range.start), map(doc.range.end));
        for node in &mut doc.tree.nodes {
            node.range = TextRange::new(map(node.range.start), map(node.range.end));
        }
    }
    if let Some(error) = &mut stream.error {
        error.offset = map(error.offset);
    }
}
