//! Unified diffs of what `--fix` would change, for `--diff`.

use similar::TextDiff;

/// Lines of unchanged context around each change, as `diff -u` and `git diff` show.
pub const CONTEXT: usize = 3;

/// A unified diff from `old` to `new` with `--- a/<path>` / `+++ b/<path>` headers (what
/// `git apply` and `patch -p1` expect); empty when the texts are equal. Line endings are part
/// of the lines, so a CRLF file's diff keeps its `\r`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let mut diff = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    // After a last line without a line break, the diff ends with `\ No newline at end of
    // file` and no line break of its own: add one, so the next file's diff starts on its line.
    if !diff.ends_with('\n') {
        diff.push('\n');
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_hunks_and_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let diff = unified_diff("dir/x.yaml", old, new);
        assert_eq!(
            diff,
            "--- a/dir/x.yaml\n+++ b/dir/x.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!(unified_diff("x", old, old), "");
    }
}
