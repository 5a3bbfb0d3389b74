//! Code actions on a file's findings:
//!
//! - the check's fix, as a quick fix: preferred when it is safe, labelled when it is unsafe
//!   (it may change what the workload does) or a suggestion with placeholders to fill in;
//! - "ignore this check here": a `# k8sec-ignore: <id>` comment on the line above the finding
//!   (where `suppress.rs` reads it), or the id added to such a comment already on the finding's
//!   line or alone on the line above;
//! - `source.fixAll.k8sec`: every safe fix of the file, in as many rounds as `k8sec lint --fix`
//!   takes ([`fix_file`]), as minimal line edits.
//!
//! Rendered Helm output and files that do not parse get none: their bytes are not what anyone
//! edits, or not understood. JSON files get no comment.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};
use similar::{DiffTag, TextDiff};

use super::{diagnostics, position};
use crate::config::Config;
use crate::diagnostic::{Applicability, Finding, INVALID_YAML};
use crate::fix::FixMode;
use crate::pipeline::fix::fix_file;
use crate::pipeline::live::LiveWorkspace;
use crate::source::{Origin, SourceFile};
use crate::suppress::ignore_ids;
use crate::text::TextRange;
use crate::yaml::FileId;

/// The kind of the "fix all safe" action.
pub(crate) const FIX_ALL: &str = "source.fixAll.k8sec";

/// The actions for the findings of the file at `path` that meet `range`, of the kinds `only`
/// asks for (all, when `None`).
pub(crate) fn actions(
    live: &LiveWorkspace,
    config: &Config,
    path: &Path,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let Some(file) = live.file_id(path) else {
        return Vec::new();
    };
    let ws = live.workspace();
    let source = ws.sources.get(file);
    let broken = ws.parse_errors.iter().any(|(f, _)| *f == file);
    if source.origin == Origin::Rendered {
        return Vec::new();
    }
    let uri = super::uri::from_path(path);
    let start = position::offset(&source.line_index, &source.text, range.start);
    let end = position::offset(&source.line_index, &source.text, range.end);
    let wanted = |kind: &CodeActionKind| match only {
        Some(kinds) => kinds.iter().any(|k| within(kind, k)),
        None => true,
    };
    let mut out = Vec::new();
    let findings = live
        .result()
        .findings
        .iter()
        .filter(|f| f.span.file == file);
    for finding in findings.filter(|f| f.span.range.start <= end && start <= f.span.range.end) {
        if broken {
            break;
        }
        let diagnostic = diagnostics::diagnostic(live, finding);
        if wanted(&CodeActionKind::QUICKFIX) {
            out.extend(quick_fix(source, file, &uri, finding).map(|mut action| {
                action.diagnostics = Some(vec![diagnostic.clone()]);
                action
            }));
            out.extend(ignore(source, &uri, finding).map(|mut action| {
                action.diagnostics = Some(vec![diagnostic]);
                action
            }));
        }
    }
    if !broken && wanted(&CodeActionKind::from(FIX_ALL)) {
        out.extend(fix_all(live, config, file, &uri));
    }
    out.into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// Whether an action of `kind` is asked for by `asked` (`source.fixAll` asks for
/// `source.fixAll.k8sec`).
fn within(kind: &CodeActionKind, asked: &CodeActionKind) -> bool {
    let (kind, asked) = (kind.as_str(), asked.as_str());
    asked.is_empty() || kind == asked || kind.starts_with(&format!("{asked}."))
}

/// The finding's own fix, when all of it is in this file.
fn quick_fix(
    source: &SourceFile,
    file: FileId,
    uri: &Uri,
    finding: &Finding,
) -> Option<CodeAction> {
    let fix = finding.fix.as_ref()?;
    if fix.file() != Some(file) {
        return None;
    }
    let label = match fix.applicability {
        Applicability::Safe => String::new(),
        Applicability::Unsafe => " (unsafe: may change what the workload does)".to_string(),
        Applicability::DisplayOnly => " (suggestion: fill in the placeholders)".to_string(),
    };
    let edits = fix
        .edits
        .iter()
        .map(|e| text_edit(source, e.span.range, e.replacement.clone()))
        .collect();
    Some(CodeAction {
        title: format!("k8sec: {}{label}", fix.description),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(workspace_edit(uri, edits)),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        ..CodeAction::default()
    })
}

/// "Ignore this check here": extend a `# k8sec-ignore:` comment on the finding's line, or one
/// alone on the line above, else add one on a line of its own above, indented as the finding's
/// line.
fn ignore(source: &SourceFile, uri: &Uri, finding: &Finding) -> Option<CodeAction> {
    let text = source.text.as_str();
    let json = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '[']);
    if finding.check == INVALID_YAML || json {
        return None;
    }
    let index = &source.line_index;
    let line = index.line_of(finding.span.range.start);
    let line_text = |l: usize| index.line_range(l).map(|r| (r, &text[r.to_range()]));
    let (range, content) = line_text(line)?;
    let above = line.checked_sub(1).and_then(line_text);
    let existing = ignore_ids(content).map(|ids| (range, ids)).or_else(|| {
        let (range, content) = above?;
        let alone = content.trim_start().starts_with('#');
        alone
            .then(|| ignore_ids(content))
            .flatten()
            .map(|ids| (range, ids))
    });
    let id = finding.check;
    let edit = match existing {
        Some((line, (start, end))) => {
            let at = line.start + end as u32;
            let separator = if start == end { " " } else { "," };
            text_edit(source, TextRange::empty(at), format!("{separator}{id}"))
        }
        None => {
            let indent = &content[..content.len() - content.trim_start().len()];
            let eol = if content.ends_with("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let comment = format!("{indent}# k8sec-ignore: {id}{eol}");
            text_edit(source, TextRange::empty(range.start), comment)
        }
    };
    Some(CodeAction {
        title: format!("k8sec: ignore `{id}` here (# k8sec-ignore)"),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(workspace_edit(uri, vec![edit])),
        ..CodeAction::default()
    })
}

/// Every safe fix of the file, as `k8sec lint --fix` would apply them.
fn fix_all(live: &LiveWorkspace, config: &Config, file: FileId, uri: &Uri) -> Option<CodeAction> {
    let ws = live.workspace();
    let fixed = fix_file(ws, live.result(), config, FixMode::default(), file)?;
    let source = ws.sources.get(file);
    if fixed.text == source.text {
        return None;
    }
    let edits = line_edits(&source.text, &fixed.text)
        .into_iter()
        .map(|(range, text)| text_edit(source, range, text))
        .collect();
    let count = fixed.applied;
    Some(CodeAction {
        title: format!("k8sec: fix all safe findings in this file ({count})"),
        kind: Some(CodeActionKind::from(FIX_ALL)),
        edit: Some(workspace_edit(uri, edits)),
        ..CodeAction::default()
    })
}

/// The edits that turn `old` into `new`, line by line (byte ranges of `old`).
fn line_edits(old: &str, new: &str) -> Vec<(TextRange, String)> {
    let diff = TextDiff::from_lines(old, new);
    let mut starts = vec![0u32];
    for i in 0..diff.old_len() {
        let line = diff.old_slice(i).unwrap_or("");
        starts.push(starts[i] + line.len() as u32);
    }
    let mut out = Vec::new();
    for op in diff.ops() {
        let (tag, old_lines, new_lines) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        let range = TextRange::new(starts[old_lines.start], starts[old_lines.end]);
        let text: String = new_lines.filter_map(|i| diff.new_slice(i)).collect();
        out.push((range, text));
    }
    out
}

fn text_edit(source: &SourceFile, range: TextRange, new_text: String) -> TextEdit {
    TextEdit {
        range: position::range(&source.line_index, &source.text, range),
        new_text,
    }
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_edits_rebuild_the_new_text() {
        let old = "a: 1\r\nb: ü\r\nc: 3\r\n";
        let new = "a: 1\r\nb: ü\r\n  x: y\r\nc: 4\r\n";
        let mut text = old.to_string();
        for (range, replacement) in line_edits(old, new).into_iter().rev() {
            text.replace_range(range.to_range(), &replacement);
        }
        assert_eq!(text, new);
    }
}
