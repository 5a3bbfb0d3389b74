//! How a value is written: a scalar plain when YAML reads it back as the same string, else
//! quoted; keys like their siblings; strings single or double quoted, valid YAML and JSON.

use super::{Doc, Value};
use crate::yaml::{NodeRef, ScalarStyle};

impl<'t> Doc<'_, 't> {
    /// A scalar `value` as written in this file (`None` for a collection): plain when that is
    /// safe in block (or, with `flow`, flow) context, else double quoted; always quoted in JSON.
    pub(super) fn scalar_text(&self, value: &Value, flow: bool) -> Option<String> {
        let mut out = String::new();
        self.push_scalar(&mut out, value, flow)?;
        Some(out)
    }

    /// Appends [`scalar_text`](Self::scalar_text) to `out`.
    pub(super) fn push_scalar(&self, out: &mut String, value: &Value, flow: bool) -> Option<()> {
        // Written even by a locating editor: short, and `replace_scalar` compares it with the
        // value there to tell that nothing needs to change.
        match value {
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Str(s) if !self.json && plain_ok(s, flow) => out.push_str(s),
            Value::Str(s) => push_double_quoted(out, s),
            Value::Map(_) | Value::Seq(_) => return None,
        }
        Some(())
    }

    /// A new key for `mapping`: quoted like its existing keys when they are double quoted (a
    /// JSON-style flow mapping), else plain when that is safe.
    pub(super) fn key_text(&self, key: &str, mapping: NodeRef<'t>) -> String {
        let quoted_siblings = self
            .raw_entries(mapping)
            .next()
            .is_some_and(|(k, _)| matches!(k.as_scalar(), Some((_, ScalarStyle::DoubleQuoted))));
        if self.json || quoted_siblings || !plain_ok(key, true) {
            double_quoted(key)
        } else {
            key.to_string()
        }
    }
}

/// Whether `s` can be written as a plain scalar and still read back as the same string: no
/// indicator where YAML would see one, nothing YAML 1.1 or 1.2 would resolve to a boolean,
/// null or number (Kubernetes' decoder reads `yes` as true).
pub(super) fn plain_ok(s: &str, flow: bool) -> bool {
    // One pass over the bytes, no allocation: every fix that adds a key asks this of the key
    // and of the value.
    let Some(first) = s.chars().next() else {
        return false;
    };
    let bytes = s.as_bytes();
    let indicator = |pair: &[u8]| matches!(pair, [b':', b' '] | [b' ', b'#']);
    let flow_indicator = |b: &u8| matches!(b, b',' | b'[' | b']' | b'{' | b'}');
    if s.trim().len() != s.len()
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || bytes.windows(2).any(indicator)
        || s.ends_with(':')
        || is_control_in(s)
        || (flow && bytes.iter().any(flow_indicator))
        || s == "<<"
    {
        return false;
    }
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    if reserved.iter().any(|word| s.eq_ignore_ascii_case(word)) {
        return false;
    }
    let mut chars = s.chars();
    let looks_numeric = match chars.next() {
        Some(c) if c.is_ascii_digit() || c == '.' => true,
        Some('+' | '-') => chars.next().is_some_and(|c| c.is_ascii_digit() || c == '.'),
        _ => false,
    };
    !looks_numeric
}

/// Whether `s` holds a control character (C0, DEL or C1), looked at a byte at a time when it
/// is ASCII.
fn is_control_in(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_control())
    } else {
        s.chars().any(char::is_control)
    }
}

/// Whether `s` can be written single quoted (single quotes cannot escape line breaks).
pub(super) fn single_quotable(s: &str) -> bool {
    !is_control_in(s)
}

/// `s` single quoted (a quote is doubled); only for a string [`single_quotable`] accepts.
pub(super) fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `s` double quoted, valid both as YAML and as JSON.
pub(super) fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_double_quoted(&mut out, s);
    out
}

/// Appends `s` double quoted to `out` (see [`double_quoted`]).
pub(super) fn push_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_that_would_change_type_are_quoted() {
        for s in [
            "true", "Yes", "off", "~", "null", "1", "1.0", "-1", ".5", "0x1f", "a: b", "a #b",
            "a\tb", "a\u{7f}", "é\u{85}", "NULL", "<<", " a", "a:",
        ] {
            assert!(!plain_ok(s, false), "{s}");
        }
        for s in [
            "RuntimeDefault",
            "ALL",
            "<set-me>",
            "apps/v1",
            "nginx:1.27",
            "héllo",
            "a:b",
            "a#b",
            "yes-no",
        ] {
            assert!(plain_ok(s, false), "{s}");
        }
        assert!(!plain_ok("a,b", true));
        assert!(plain_ok("a,b", false));
    }

    #[test]
    fn double_quoting_escapes_for_yaml_and_json() {
        assert_eq!(double_quoted("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        assert_eq!(double_quoted("ü"), "\"ü\"");
    }
}
