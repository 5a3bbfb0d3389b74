//! What a scalar means, as the Kubernetes YAML reader resolves it.
//!
//! `kubectl` turns YAML into JSON with sigs.k8s.io/yaml over gopkg.in/yaml.v2 (YAML 1.1
//! resolution) before the API server sees anything; this module is that resolution, rule for
//! rule (yaml.v2's resolve.go and decode.go, sigs.k8s.io/yaml's key conversion), so every
//! check reads the value the cluster will:
//!
//! - an untagged quoted or block scalar is a string;
//! - an untagged plain scalar is null (`~`, `null`, empty), a boolean (`true`, `yes`, `on`,
//!   `y`… in three cases), an integer (decimal, `0x`, `0o`, `0b`, a leading `0` for octal,
//!   `_` ignored), a float (`1.5`, `1e3`, `.inf`, `.nan`), else a string;
//! - a standard tag (`!!str`, `!!bool`, `!!int`, `!!float`, `!!null`, `!!timestamp`) makes the
//!   text resolve as that type whatever its quoting (`!!bool "true"` is `true`), and a text
//!   that does not resolve to it is an error ("cannot decode"); `!!binary` is base64; any
//!   other tag leaves the text a string.
//!
//! The tests in tests/reader.rs compare this with the real reader, built from Go.

use std::borrow::Cow;

use base64::Engine;

use super::ScalarStyle;

/// The long form of the `!!` tag handle, as the parser reports tags.
const YAML_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// A resolved scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// `~`, `null`, nothing.
    Null,
    /// `true`, `yes`, `on`…
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer above `i64::MAX` (YAML reads it as an unsigned 64-bit integer).
    Uint(u64),
    /// A float (also `.inf`, `.nan`).
    Float(f64),
    /// A string: the text, or the decoded bytes of a `!!binary` scalar.
    Str(Cow<'a, str>),
}

/// The short name of a tag of the YAML core schema (`str` for `!!str`), if it is one.
pub(crate) fn core_tag(tag: &str) -> Option<&str> {
    tag.strip_prefix(YAML_TAG_PREFIX)
        .or_else(|| tag.strip_prefix("!!"))
}

/// Resolves a scalar as yaml.v2 decodes it into a Go `interface{}`.
///
/// `Err` is yaml.v2's decoding error (`cannot decode !!str `x` as a !!bool`), which makes
/// `kubectl` refuse the whole document.
pub fn resolve<'a>(
    value: &'a str,
    style: ScalarStyle,
    tag: Option<&str>,
) -> Result<Scalar<'a>, String> {
    let Some(tag) = tag.filter(|t| !t.is_empty()) else {
        if style != ScalarStyle::Plain {
            return Ok(Scalar::Str(Cow::Borrowed(value)));
        }
        return Ok(resolve_plain(value));
    };
    match core_tag(tag) {
        Some("str") => Ok(Scalar::Str(Cow::Borrowed(value))),
        Some("binary") => decode_binary(value).map(|s| Scalar::Str(Cow::Owned(s))),
        Some(wanted @ ("bool" | "int" | "float" | "null" | "timestamp")) => {
            let resolved = resolve_plain(value);
            match (wanted, resolved) {
                ("bool", b @ Scalar::Bool(_)) => Ok(b),
                ("int", i @ (Scalar::Int(_) | Scalar::Uint(_))) => Ok(i),
                ("float", f @ Scalar::Float(_)) => Ok(f),
                ("float", Scalar::Int(i)) => Ok(Scalar::Float(i as f64)),
                ("null", Scalar::Null) => Ok(Scalar::Null),
                ("timestamp", Scalar::Str(s)) if is_timestamp(value) => Ok(Scalar::Str(s)),
                (wanted, resolved) => Err(format!(
                    "cannot decode !!{} `{}` as a !!{wanted}",
                    type_name(&resolved, value),
                    value
                )),
            }
        }
        // Any other tag (`!`, `!foo`, `!!map` on a scalar…): the text, unresolved.
        _ => Ok(Scalar::Str(Cow::Borrowed(value))),
    }
}

/// The YAML type name yaml.v2 would give the resolved value, for error messages.
fn type_name(resolved: &Scalar<'_>, text: &str) -> &'static str {
    match resolved {
        Scalar::Null => "null",
        Scalar::Bool(_) => "bool",
        Scalar::Int(_) | Scalar::Uint(_) => "int",
        Scalar::Float(_) => "float",
        Scalar::Str(_) if is_timestamp(text) => "timestamp",
        Scalar::Str(_) => "str",
    }
}

/// A plain scalar's value. Timestamps stay strings: yaml.v2 hands a timestamp to an
/// `interface{}` as its text.
fn resolve_plain(value: &str) -> Scalar<'_> {
    let Some(&first) = value.as_bytes().first() else {
        return Scalar::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            keyword(value).unwrap_or(Scalar::Str(Cow::Borrowed(value)))
        }
        b'.' => keyword(value)
            .or_else(|| dot_float(value))
            .unwrap_or(Scalar::Str(Cow::Borrowed(value))),
        b'+' | b'-' | b'0'..=b'9' => keyword(value)
            .or_else(|| number(value))
            .unwrap_or(Scalar::Str(Cow::Borrowed(value))),
        _ => Scalar::Str(Cow::Borrowed(value)),
    }
}

/// yaml.v2's table of words: booleans, nulls, infinities and NaN.
fn keyword(value: &str) -> Option<Scalar<'static>> {
    Some(match value {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// A plain scalar starting with `.` that Go's `ParseFloat` reads: `.5`, `.5e3`.
fn dot_float(value: &str) -> Option<Scalar<'static>> {
    let (mantissa, exponent) = split_exponent(value);
    let digits = mantissa.strip_prefix('.')?;
    (all_digits(digits) && exponent.map_or(true, valid_exponent))
        .then(|| finite(value))
        .flatten()
}

/// An integer or float in yaml.v2's syntax (underscores removed first).
fn number(value: &str) -> Option<Scalar<'static>> {
    let plain: Cow<'_, str> = if value.contains('_') {
        Cow::Owned(value.replace('_', ""))
    } else {
        Cow::Borrowed(value)
    };
    if let Some(int) = go_parse_int(&plain) {
        return Some(int);
    }
    is_yaml_float(&plain).then(|| finite(&plain)).flatten()
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: an optional sign, then
/// `0x`/`0o`/`0b` or a leading `0` (octal), or decimal digits.
fn go_parse_int(text: &str) -> Option<Scalar<'static>> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let bytes = unsigned.as_bytes();
    let (radix, digits) = match bytes {
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'x') => (16, &unsigned[2..]),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'o') => (8, &unsigned[2..]),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'b') => (2, &unsigned[2..]),
        [b'0', ..] => (8, &unsigned[1..]),
        _ => (10, unsigned),
    };
    if !digits.bytes().all(|b| (b as char).is_digit(radix)) || (radix == 10 && digits.is_empty()) {
        return None;
    }
    let magnitude = if digits.is_empty() {
        0
    } else {
        u64::from_str_radix(digits, radix).ok()?
    };
    if negative {
        // -9223372036854775808 fits; anything further down does not.
        return 0i64.checked_sub_unsigned(magnitude).map(Scalar::Int);
    }
    Some(match i64::try_from(magnitude) {
        Ok(value) => Scalar::Int(value),
        // ParseUint takes no sign: `+18446744073709551615` is not an integer.
        Err(_) if text.starts_with('+') => return None,
        Err(_) => Scalar::Uint(magnitude),
    })
}

/// yaml.v2's float syntax: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = split_exponent(body);
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => !fraction.is_empty() && all_digits(fraction),
        Some((whole, fraction)) => !whole.is_empty() && all_digits(whole) && all_digits(fraction),
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    mantissa_ok && exponent.map_or(true, valid_exponent)
}

fn split_exponent(text: &str) -> (&str, Option<&str>) {
    match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    }
}

fn valid_exponent(exponent: &str) -> bool {
    let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
    !digits.is_empty() && all_digits(digits)
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// The float's value, unless it overflows (Go's `ParseFloat` fails, so the text stays a
/// string).
fn finite(text: &str) -> Option<Scalar<'static>> {
    // Rust does not read "1." or ".5e3" exactly like Go in every spelling: normalise.
    let normalised = text.replace(".e", ".0e").replace(".E", ".0E");
    let value: f64 = normalised.trim_end_matches('.').parse().ok()?;
    value.is_finite().then_some(Scalar::Float(value))
}

/// Whether a `!!timestamp` text is one yaml.v2 accepts: `2001-12-14`, `2001-12-14t21:59:43Z`,
/// `2001-12-14 21:59:43.10`, `2001-12-14T21:59:43.10-05:00` (single-digit month, day and time
/// fields allowed, as Go's layouts allow them).
fn is_timestamp(text: &str) -> bool {
    let Some((date, time)) = split_date(text) else {
        return false;
    };
    let fields: Vec<&str> = date.split('-').collect();
    let date_ok = matches!(fields.as_slice(), [y, m, d]
        if y.len() == 4 && all_digits(y) && in_range(m, 1, 12) && in_range(d, 1, 31));
    date_ok && time.map_or(true, |(separator, time)| valid_time(separator, time))
}

fn split_date(text: &str) -> Option<(&str, Option<(u8, &str)>)> {
    let bytes = text.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return None;
    }
    match text.find(['T', 't', ' ']) {
        Some(at) => Some((&text[..at], Some((text.as_bytes()[at], &text[at + 1..])))),
        None => Some((text, None)),
    }
}

fn valid_time(separator: u8, time: &str) -> bool {
    // `2006-1-2 15:4:5.999999999` has no zone; the `T` layouts require one.
    let (clock, zone) = if separator == b' ' {
        (time, None)
    } else if let Some(clock) = time.strip_suffix('Z') {
        (clock, Some("Z"))
    } else {
        match time.rfind(['+', '-']) {
            Some(at) => (&time[..at], Some(&time[at..])),
            None => return false,
        }
    };
    let zone_ok = match zone {
        None | Some("Z") => true,
        Some(zone) => {
            matches!(zone[1..].split_once(':'), Some((h, m)) if h.len() == 2 && in_range(h, 0, 23) && m.len() == 2 && in_range(m, 0, 59))
        }
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    zone_ok
        && !fraction.is_empty()
        && fraction.len() <= 9
        && all_digits(fraction)
        && matches!(parts.as_slice(), [h, m, s]
            if in_range(h, 0, 23) && in_range(m, 0, 59) && in_range(s, 0, 59))
}

fn in_range(text: &str, low: u32, high: u32) -> bool {
    (1..=2).contains(&text.len())
        && all_digits(text)
        && text.parse::<u32>().is_ok_and(|n| (low..=high).contains(&n))
}

/// A `!!binary` scalar's bytes (line breaks ignored, as Go's base64 decoder does), as the
/// string JSON carries them.
fn decode_binary(value: &str) -> Result<String, String> {
    let compact: String = value
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
    );
    let bytes = engine
        .decode(compact)
        .map_err(|_| "!!binary value contains invalid base64 data".to_string())?;
    Ok(go_json_text(&bytes))
}

/// Bytes as Go's JSON encoder writes them into a string: each byte that is not part of valid
/// UTF-8 becomes U+FFFD.
fn go_json_text(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(error) => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = error.error_len().unwrap_or(rest.len());
                out.extend(std::iter::repeat('\u{FFFD}').take(bad));
                bytes = &rest[bad..];
            }
        }
    }
}

/// A mapping key as JSON names it (sigs.k8s.io/yaml): strings as they are, integers in
/// decimal, booleans as `true`/`false`, floats as Go's `%g` of a 32-bit float. Null keys and
/// integers above `i64::MAX` have no JSON name: the document is refused.
pub fn key_text<'a>(key: Scalar<'a>) -> Result<Cow<'a, str>, String> {
    Ok(match key {
        Scalar::Str(s) => s,
        Scalar::Int(i) => Cow::Owned(i.to_string()),
        Scalar::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        Scalar::Float(f) => Cow::Owned(go_float32_g(f)),
        Scalar::Null => {
            return Err(
                "a null mapping key (`~`, `null` or nothing): JSON cannot name it, so kubectl refuses the document".into(),
            )
        }
        Scalar::Uint(u) => {
            return Err(format!(
                "mapping key {u}: an integer too large for kubectl to name in JSON, so it refuses the document"
            ))
        }
    })
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with sigs.k8s.io/yaml's spellings of the
/// infinities and NaN.
fn go_float32_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let single = f as f32;
    // Rust's `{:e}` is the shortest round-trip form: "1.5e-7", "1e6".
    let scientific = format!("{:e}", single.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if single.is_sign_negative() { "-" } else { "" };
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{point}{rest}e{exp_sign}{:02}", exponent.abs());
    }
    // Fixed notation with exactly the shortest digits.
    let point = exponent + 1; // digits before the decimal point
    let text = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{whole}.{fraction}")
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Scalar<'_> {
        resolve(text, ScalarStyle::Plain, None).unwrap()
    }

    #[test]
    fn yaml_1_1_words() {
        for t in ["y", "Yes", "ON", "true", "True"] {
            assert_eq!(plain(t), Scalar::Bool(true), "{t}");
        }
        for f in ["n", "NO", "off", "False"] {
            assert_eq!(plain(f), Scalar::Bool(false), "{f}");
        }
        for s in ["yES", "oN", "tRUE", "nul"] {
            assert!(matches!(plain(s), Scalar::Str(_)), "{s}");
        }
        assert_eq!(plain(""), Scalar::Null);
        assert_eq!(plain("~"), Scalar::Null);
        assert!(matches!(plain(".nan"), Scalar::Float(f) if f.is_nan()));
        assert_eq!(plain("-.inf"), Scalar::Float(f64::NEG_INFINITY));
    }

    #[test]
    fn integers_as_go_parses_them() {
        assert_eq!(plain("0755"), Scalar::Int(0o755));
        assert_eq!(plain("0o17"), Scalar::Int(15));
        assert_eq!(plain("0x1F"), Scalar::Int(31));
        assert_eq!(plain("-0b101"), Scalar::Int(-5));
        assert_eq!(plain("1_000"), Scalar::Int(1000));
        assert_eq!(plain("+12"), Scalar::Int(12));
        assert_eq!(plain("0"), Scalar::Int(0));
        assert_eq!(plain("-9223372036854775808"), Scalar::Int(i64::MIN));
        assert_eq!(plain("18446744073709551615"), Scalar::Uint(u64::MAX));
        // Not octal: a float, as the regular expression allows it.
        assert_eq!(plain("08"), Scalar::Float(8.0));
        assert_eq!(plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(plain("1."), Scalar::Float(1.0));
        assert_eq!(plain(".5"), Scalar::Float(0.5));
        // ParseUint takes no sign: a float.
        assert_eq!(
            plain("+18446744073709551615"),
            Scalar::Float(18446744073709551615.0)
        );
        for s in ["0x", "1e400", "_1", "1-2", "0x1g", "1.2.3"] {
            assert!(matches!(plain(s), Scalar::Str(_)), "{s}");
        }
    }

    #[test]
    fn tags_resolve_the_text_whatever_its_quoting() {
        let tagged = |text, style, tag| resolve(text, style, Some(tag));
        let bool_tag = "tag:yaml.org,2002:bool";
        assert_eq!(
            tagged("true", ScalarStyle::DoubleQuoted, bool_tag),
            Ok(Scalar::Bool(true))
        );
        assert_eq!(
            tagged("yes", ScalarStyle::Plain, bool_tag),
            Ok(Scalar::Bool(true))
        );
        assert!(tagged("maybe", ScalarStyle::Plain, bool_tag).is_err());
        assert_eq!(
            tagged("true", ScalarStyle::Plain, "tag:yaml.org,2002:str"),
            Ok(Scalar::Str("true".into()))
        );
        assert_eq!(
            tagged("3", ScalarStyle::SingleQuoted, "tag:yaml.org,2002:float"),
            Ok(Scalar::Float(3.0))
        );
        assert_eq!(
            tagged("dHJ1ZQ==", ScalarStyle::Plain, "tag:yaml.org,2002:binary"),
            Ok(Scalar::Str("true".into()))
        );
        assert_eq!(
            tagged("true", ScalarStyle::Plain, "!custom"),
            Ok(Scalar::Str("true".into()))
        );
    }

    #[test]
    fn invalid_utf8_from_binary_is_replaced_byte_by_byte() {
        assert_eq!(
            go_json_text(b"a\xE2\x80z\xFF"),
            "a\u{FFFD}\u{FFFD}z\u{FFFD}"
        );
    }

    #[test]
    fn keys_as_json_names_them() {
        assert_eq!(key_text(plain("y")).unwrap(), "true");
        assert_eq!(key_text(plain("0x10")).unwrap(), "16");
        assert_eq!(key_text(plain("1.5")).unwrap(), "1.5");
        assert_eq!(key_text(plain("1e6")).unwrap(), "1e+06");
        assert_eq!(key_text(plain("0.0001")).unwrap(), "0.0001");
        assert_eq!(key_text(plain("0.00001")).unwrap(), "1e-05");
        assert_eq!(key_text(plain("123456")).unwrap(), "123456");
        assert_eq!(key_text(plain("3.14159265358979")).unwrap(), "3.1415927");
        assert!(key_text(plain("~")).is_err());
    }

    #[test]
    fn timestamps() {
        for t in [
            "2001-12-14",
            "2001-1-2t21:59:43.10Z",
            "2001-12-14 21:59:43.10",
            "2001-12-14T21:59:43-05:00",
        ] {
            assert!(is_timestamp(t), "{t}");
        }
        for t in [
            "2001-13-14",
            "2001-12-14T21:59:43",
            "201-12-14",
            "a:'😀",
            "😀😀",
        ] {
            assert!(!is_timestamp(t), "{t}");
        }
    }
}
