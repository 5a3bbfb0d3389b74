//! Comment suppressions: `# k8sec-ignore: <id>[,<id>] <reason>` on a finding's line or on the
//! line above it. (Annotation suppressions are applied where findings are made, in
//! [`crate::checks::Sink`].)

use crate::source::SourceFile;

const MARKER: &str = "k8sec-ignore:";

/// The lines of one file that hold a `# k8sec-ignore:` marker, found in one pass over its
/// text, so that judging each finding costs a lookup, not a scan of its line (a file that is
/// one long line would otherwise be scanned once per finding).
pub(crate) struct IgnoreComments<'a> {
    /// Line numbers with the text of their line, in order.
    lines: Vec<(usize, &'a str)>,
}

impl<'a> IgnoreComments<'a> {
    pub(crate) fn of(file: &'a SourceFile) -> Self {
        let mut lines: Vec<(usize, &str)> = Vec::new();
        for (at, _) in file.text.match_indices(MARKER) {
            let line = file.line_index.line_of(at as u32);
            if lines.last().is_some_and(|(last, _)| *last == line) {
                continue;
            }
            if let Some(range) = file.line_index.line_range(line) {
                lines.push((line, &file.text[range.to_range()]));
            }
        }
        IgnoreComments { lines }
    }

    /// Whether a comment on the line of `offset` in `file` (the file these comments are
    /// from), or on the line above, suppresses `check`.
    pub(crate) fn suppress(&self, file: &SourceFile, offset: u32, check: &str) -> bool {
        if self.lines.is_empty() {
            return false;
        }
        let line = file.line_index.line_of(offset);
        [Some(line), line.checked_sub(1)]
            .into_iter()
            .flatten()
            .any(|l| {
                self.lines
                    .binary_search_by_key(&l, |(line, _)| *line)
                    .is_ok_and(|i| comment_ignores(self.lines[i].1, check))
            })
    }
}

/// Parses the ids of a `# k8sec-ignore:` comment on `line` and looks for `check` among them.
fn comment_ignores(line: &str, check: &str) -> bool {
    let Some(ids) = ignore_ids(line) else {
        return false;
    };
    line[ids.0..ids.1]
        .split(',')
        .map(str::trim)
        .any(|id| id == check || id == "all")
}

/// Where the ids of the `# k8sec-ignore:` comment on `line` are (byte range within the line;
/// empty, just after the marker, when it names none), if the line has one. An editor extends
/// that list rather than add a second comment.
pub(crate) fn ignore_ids(line: &str) -> Option<(usize, usize)> {
    let at = line.find(MARKER)?;
    // Must be inside a comment: a `#` at the line start or after whitespace, before the marker.
    let before = &line[..at];
    let hash = before.rfind('#')?;
    if hash > 0 && !before[..hash].ends_with([' ', '\t']) {
        return None;
    }
    let after = at + MARKER.len();
    let rest = &line[after..];
    let start = after + (rest.len() - rest.trim_start().len());
    let len = line[start..]
        .find(char::is_whitespace)
        .unwrap_or(line.len() - start);
    if len == 0 {
        return Some((after, after));
    }
    Some((start, start + len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;

    #[test]
    fn ids_are_comma_separated_before_the_reason() {
        let line = "  privileged: true # k8sec-ignore: host-pid,privileged-container needed\n";
        assert!(comment_ignores(line, "privileged-container"));
        assert!(comment_ignores(line, "host-pid"));
        assert!(!comment_ignores(line, "host-ipc"));
        assert!(!comment_ignores(line, "needed"));
    }

    #[test]
    fn comments_apply_to_their_line_and_the_next() {
        let text = "a: 1\n# k8sec-ignore: host-pid\nb: 2 # k8sec-ignore: all x # k8sec-ignore: none\nc: 3\nd: x#k8sec-ignore: all\n";
        let file = SourceFile::new("f.yaml".into(), text.to_string(), Origin::File);
        let comments = IgnoreComments::of(&file);
        let at = |s: &str| text.find(s).unwrap() as u32;
        assert!(!comments.suppress(&file, at("a:"), "host-pid"));
        assert!(comments.suppress(&file, at("b:"), "host-pid"));
        assert!(comments.suppress(&file, at("b:"), "run-as-root"));
        assert!(comments.suppress(&file, at("c:"), "run-as-root"));
        assert!(!comments.suppress(&file, at("d:"), "run-as-root"));
        assert!(!IgnoreComments::of(&SourceFile::new(
            "g.yaml".into(),
            "a: 1\n".into(),
            Origin::File
        ))
        .suppress(&file, 0, "all"));
    }

    #[test]
    fn marker_inside_a_value_is_not_a_comment() {
        assert!(!comment_ignores("a: x#k8sec-ignore: all\n", "all"));
        assert!(comment_ignores(
            "# k8sec-ignore: all because\n",
            "run-as-root"
        ));
    }
}
