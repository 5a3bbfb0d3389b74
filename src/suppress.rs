//! Comment suppressions: `# k8sec-ignore: <id>[,<id>] <reason>` on a finding's line or on the
//! line above it. (Annotation suppressions are applied where findings are made, in
//! [`crate::checks::Sink`].)

use crate::source::SourceFile;

const MARKER: &str = "k8sec-ignore:";

/// Whether a comment on the line of `offset`, or on the line above, suppresses `check`.
pub(crate) fn is_suppressed_by_comment(file: &SourceFile, offset: u32, check: &str) -> bool {
    let line = file.line_index.line_of(offset);
    let lines = [Some(line), line.checked_sub(1)];
    lines.into_iter().flatten().any(|l| {
        file.line_index
            .line_range(l)
            .is_some_and(|range| comment_ignores(&file.text[range.to_range()], check))
    })
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

    #[test]
    fn ids_are_comma_separated_before_the_reason() {
        let line = "  privileged: true # k8sec-ignore: host-pid,privileged-container needed\n";
        assert!(comment_ignores(line, "privileged-container"));
        assert!(comment_ignores(line, "host-pid"));
        assert!(!comment_ignores(line, "host-ipc"));
        assert!(!comment_ignores(line, "needed"));
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
