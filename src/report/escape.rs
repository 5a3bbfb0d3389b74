//! Untrusted text on its way to a terminal or a CI log: file names, object names, values and
//! YAML error messages all come from the scanned repository, which may hide escape sequences
//! in them (ESC `[2J`, OSC 8 links, OSC 52 clipboard writes, a retitled terminal), bidi
//! overrides that reorder what is read, or line breaks that forge a line of output. Every
//! printer for people (human, concise, the notes and errors on stderr) passes such text
//! through [`escape`]; machine formats escape by their own rules (JSON through serde_json).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 and C1 control characters (ESC, BEL,
/// CSI, line breaks, NUL…), DEL, bidirectional formatting characters, and the Unicode line
/// and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` with every [unsafe](is_unsafe) character written visibly as `\u{1b}`: one line, as
/// harmless to print as it is readable.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_keeping(text, &[])
}

/// [`escape`], keeping the characters of `keep` (a `\t` in a source line, the `\n` between the
/// lines of a message k8sec itself wrote).
pub fn escape_keeping<'t>(text: &'t str, keep: &[char]) -> Cow<'t, str> {
    // Printable ASCII, the usual case, is looked at a byte at a time: every message and path
    // of a report passes here.
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Cow::Borrowed(text);
    }
    let hostile = |c: char| is_unsafe(c) && !keep.contains(&c);
    if !text.chars().any(hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_written_visibly() {
        assert_eq!(escape("web"), "web");
        assert!(matches!(escape("web"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(escape("a\nb\r\u{9b}c"), "a\\u{a}b\\u{d}\\u{9b}c");
        assert_eq!(escape("\u{202E}gpj.exe"), "\\u{202e}gpj.exe");
        assert_eq!(escape("a\u{2028}b\u{85}"), "a\\u{2028}b\\u{85}");
        assert_eq!(escape_keeping("a\tb\n", &['\t']), "a\tb\\u{a}");
        // Non-ASCII text that is not a control stays as it is.
        assert_eq!(escape("naïve — 日本"), "naïve — 日本");
    }
}
