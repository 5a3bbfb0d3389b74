//! Secrets written into manifests.
//!
//! `secret-in-env` and `secret-in-configmap` share one rule, in two halves:
//!
//! - **The name names the secret itself.** It *ends* with a configured fragment (`password`,
//!   `token`, …), optionally followed only by words that still denote the secret material:
//!   `key`, `value`, a plural `s`, digits (`DB_PASSWORD`, `MINIO_SECRET_KEY`, `API_TOKENS`,
//!   `dbPassword`). A name where other words follow the fragment describes something *about*
//!   a secret (`PASSWORD_FILE`, `TOKEN_PATH`, `SECRET_NAME`, `AUTH_ENABLED`, `TOKEN_TTL`,
//!   `ACCESS_KEY_ID`), and a fragment inside a longer word is not a match (`AUTHOR`,
//!   `TOKENIZER`).
//! - **The value is secret material.** Not empty, not a `$(VAR)` reference, not a boolean, a
//!   number, a path, a URL without a password, an authentication scheme keyword (`basic`,
//!   `oidc`…), nor an obvious placeholder (see [`is_placeholder`]).
//!
//! Whatever the name, a value that *is* a secret is reported too: a password in a URL's userinfo,
//! a PEM private key, a well-known token format (cloud access keys, source-host and chat tokens,
//! signed JWTs, a service account key JSON), from the table of patterns in
//! `secret_patterns.toml` (see `secret_values`). The secret is never printed: the message shows
//! it masked after a non-secret prefix, and the finding marks its bytes for the printers to mask
//! (`Finding::redact`).

use serde::Deserialize;

use super::secret_values;
use super::{Ctx, Sink};
use crate::model::{Container, PodSpec, Resource};
use crate::text::TextRange;
use crate::yaml::{NodeRef, ScalarStyle, Span};

/// `[checks.secret-in-env]` and `[checks.secret-in-configmap]`: the name fragments (matched
/// without case) that mark a name as a secret's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct NamePatterns {
    pub(crate) name_patterns: Vec<String>,
}

impl Default for NamePatterns {
    fn default() -> Self {
        NamePatterns {
            name_patterns: [
                "password",
                "passwd",
                "secret",
                "token",
                "apikey",
                "api_key",
                "api-key",
                "private_key",
                "private-key",
                "privatekey",
                "credential",
                "access_key",
                "accesskey",
                "auth",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// `secret-in-env`: `env[].value` holds a literal secret.
pub(super) fn secret_in_env(
    ctx: &Ctx<'_>,
    resource: &Resource,
    _pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    let patterns = &ctx.params.secret_in_env.name_patterns;
    for var in container.items("env") {
        let Some(name) = var.str_at("name") else {
            continue;
        };
        let Some(node) = var.get("value") else {
            continue;
        };
        let Some(value) = string_value(node) else {
            continue;
        };
        let subject = format!("environment variable `{name}` of {}", container.describe());
        if let Some(finding) = report_secret(resource, node, name, value, &subject, patterns, sink)
        {
            finding.in_container(container.name);
        }
    }
}

/// Reports the secret `value` (of the scalar `node`, under `name`) holds, if it holds one: a
/// secret by what it is (the patterns), else a literal under a secret-like name. The message
/// names `subject`; the secret's bytes are marked for the printers to mask.
fn report_secret<'s>(
    resource: &Resource,
    node: NodeRef<'_>,
    name: &str,
    value: &str,
    subject: &str,
    patterns: &[String],
    sink: &'s mut Sink<'_>,
) -> Option<&'s mut crate::diagnostic::Finding> {
    if let Some(found) = secret_values::find(value) {
        let (at, secret) = locate(sink, node, value, &found);
        let message = format!(
            "{subject} holds {} (`{}`)",
            found.pattern.name,
            found.masked()
        );
        return Some(sink.report_span(resource, at, message).redact(secret));
    }
    if is_secret_name(name, patterns) && is_secret_material(value) {
        let finding = sink.report(resource, node, format!("{subject} holds a literal secret"));
        return Some(finding.redact(node.span()));
    }
    None
}

/// Where a found secret is in the source: the span a finding points at (the first line of the
/// match) and the span to mask (the secret after its kept prefix; to the end of the value for a
/// secret that spans lines). Found by searching the scalar's source for the match's first line,
/// which a token or a PEM header is written as is; when it is not there (escapes, folding), the
/// finding points at the whole value and the whole value is masked.
fn locate(
    sink: &Sink<'_>,
    node: NodeRef<'_>,
    value: &str,
    found: &secret_values::Found<'_>,
) -> (Span, Span) {
    let whole = node.span();
    let source = sink.text(whole);
    let first_line = |range: std::ops::Range<usize>| value[range].split('\n').next().unwrap_or("");
    let in_source = |text: &str| -> Option<u32> {
        (!text.is_empty())
            .then(|| source.find(text))
            .flatten()
            .map(|at| whole.range.start + at as u32)
    };
    let matched = first_line(found.matched.clone());
    // A PEM body starts on the line after its header: the first line with text.
    let leading =
        value[found.secret.clone()].len() - value[found.secret.clone()].trim_start().len();
    let secret = first_line(found.secret.start + leading..found.secret.end);
    let (Some(at), Some(secret_at)) = (in_source(matched), in_source(secret)) else {
        return (whole, whole);
    };
    let kept = if leading > 0 {
        0
    } else {
        secret.chars().take(found.kept()).map(char::len_utf8).sum()
    };
    let multi_line = value[found.secret.clone()].contains('\n');
    let secret_end = if multi_line {
        whole.range.end
    } else {
        secret_at + secret.len() as u32
    };
    let span = |start: u32, end: u32| Span::new(whole.file, TextRange::new(start, end.max(start)));
    (
        span(at, at + matched.len() as u32),
        span(secret_at + kept as u32, secret_end),
    )
}

/// `secret-in-configmap`: a ConfigMap `data` value holds a secret: one by what it is, or a
/// literal under a secret-like key.
pub(super) fn secret_in_configmap(ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if resource.kind != "ConfigMap" || !resource.group().is_empty() {
        return;
    }
    let patterns = &ctx.params.secret_in_configmap.name_patterns;
    let Some(data) = resource.root().get("data") else {
        return;
    };
    for (key, node) in data.entries() {
        let (Some((key, _)), Some(value)) = (key.as_scalar(), string_value(node)) else {
            continue;
        };
        let subject = format!("{} key `{key}`", describe(resource));
        report_secret(resource, node, key, value, &subject, patterns, sink);
    }
}

/// `committed-secret`: a `Secret` with a non-empty value in `data` or `stringData`.
pub(super) fn committed_secret(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if resource.kind != "Secret" || !resource.group().is_empty() {
        return;
    }
    let root = resource.root();
    let mut first_key = None;
    let mut keys = Vec::new();
    // In document order, so the finding points at the first map that holds a value.
    for (field_key, field) in root.entries() {
        let Some((field_name @ ("data" | "stringData"), _)) = field_key.as_scalar() else {
            continue;
        };
        // With duplicate keys, the last one is the one Kubernetes reads.
        if root.key(field_name).map(NodeRef::id) != Some(field_key.id()) {
            continue;
        }
        let base64 = field_name == "data";
        let before = keys.len();
        for (key, value) in field.entries() {
            if holds_value(value, base64) {
                let name = key.as_scalar().map_or("", |(k, _)| k);
                keys.push(format!("`{name}`"));
            }
        }
        if keys.len() > before && first_key.is_none() {
            first_key = Some(field_key);
        }
    }
    let Some(node) = first_key else {
        return;
    };
    const SHOWN: usize = 3;
    let mut listed = keys
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if keys.len() > SHOWN {
        listed.push_str(&format!(" and {} more", keys.len() - SHOWN));
    }
    sink.report(
        resource,
        node,
        format!(
            "{} carries {} for {listed}",
            describe(resource),
            if keys.len() == 1 {
                "a literal value"
            } else {
                "literal values"
            }
        ),
    );
}

/// "Secret `db`", or the kind alone for an object without a name.
fn describe(resource: &Resource) -> String {
    if resource.name.is_empty() {
        resource.kind.clone()
    } else {
        format!("{} `{}`", resource.kind, resource.name)
    }
}

/// Whether a Secret entry holds something: not null or empty, and not an obvious placeholder
/// (for `data`, after base64 decoding).
fn holds_value(value: NodeRef<'_>, base64: bool) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    let text = text.trim();
    if text.is_empty() || is_placeholder(text) {
        return false;
    }
    if !base64 {
        return true;
    }
    match decode_base64(text) {
        Some(bytes) => match std::str::from_utf8(&bytes) {
            Ok(decoded) => {
                let decoded = decoded.trim();
                !decoded.is_empty() && !is_placeholder(decoded)
            }
            Err(_) => true,
        },
        None => true,
    }
}

/// The value as a string, as Kubernetes decodes `env[].value` and ConfigMap `data`: a plain
/// scalar that YAML resolves to a boolean or a number is not a string (the API rejects it).
fn string_value(node: NodeRef<'_>) -> Option<&str> {
    let text = node.as_str()?;
    let plain =
        matches!(node.as_scalar(), Some((_, ScalarStyle::Plain))) && node.resolve().tag().is_none();
    if plain && (node.as_bool().is_some() || node.as_i64().is_some() || is_number(text)) {
        return None;
    }
    Some(text)
}

/// Words that may follow a fragment while the name still denotes the secret material.
const SECRET_TAIL_WORDS: &[&str] = &["key", "value", "s"];

/// Whether `name` ends with one of `patterns` (case-insensitive), optionally followed by
/// separators, digits and [`SECRET_TAIL_WORDS`].
fn is_secret_name(name: &str, patterns: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    patterns
        .iter()
        .map(|p| p.to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .any(|pattern| {
            lower
                .match_indices(pattern.as_str())
                .any(|(at, m)| is_secret_tail(&lower[at + m.len()..]))
        })
}

/// Whether what follows a fragment keeps the name about the secret material itself.
fn is_secret_tail(tail: &str) -> bool {
    let mut rest: &str = tail;
    loop {
        rest = rest.trim_start_matches(['_', '-', '.']);
        if rest.is_empty() {
            return true;
        }
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            rest = &rest[digits..];
            continue;
        }
        match SECRET_TAIL_WORDS.iter().find(|w| rest.starts_with(**w)) {
            Some(word) => rest = &rest[word.len()..],
            None => return false,
        }
    }
}

/// Authentication scheme and mode keywords: they say how to authenticate, not with what.
const SCHEME_KEYWORDS: &[&str] = &[
    "anonymous",
    "basic",
    "bearer",
    "digest",
    "disabled",
    "enabled",
    "htpasswd",
    "iam",
    "jwt",
    "kerberos",
    "ldap",
    "login",
    "mtls",
    "oauth",
    "oauth2",
    "oidc",
    "optional",
    "plain",
    "required",
    "saml",
];

/// Whether a value under a secret-like name is secret material (see the module docs).
fn is_secret_material(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() || value.contains("$(") {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) || SCHEME_KEYWORDS.contains(&lower.as_str())
        || is_number(value)
        || is_path(value)
        || is_placeholder(value)
    {
        return false;
    }
    match url_password(value) {
        Some(password) => password.is_some_and(is_secret_material),
        None => true,
    }
}

/// `123`, `-1.5`: a count, a size, a port, a duration in seconds, a flag.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.map_or(true, str::is_empty))
        && all_digits(whole)
        && fraction.map_or(true, all_digits)
}

/// An absolute or relative file path (`/var/run/secrets/token`, `./key.pem`, `~/.netrc`,
/// `C:\keys\a.pem`). `+` and `=` are not path characters here, so base64 text that happens to
/// start with `/` is not taken for a path.
fn is_path(text: &str) -> bool {
    let bytes = text.as_bytes();
    let windows = bytes.len() > 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/');
    let unix = ["/", "./", "../", "~/"].iter().any(|p| text.starts_with(p));
    (unix || windows)
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/\\._-~:@".contains(&b))
}

/// For a URL (`scheme://…`): `Some(Some(password))` when its authority carries
/// `user:password@`, `Some(None)` when it carries none; `None` when `text` is not a URL.
fn url_password(text: &str) -> Option<Option<&str>> {
    let (scheme, rest) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    if !scheme_ok || text.contains(char::is_whitespace) {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let password = authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|p| !p.is_empty());
    Some(password)
}

/// Words that stand for a value to be filled in, compared without case and separators.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeit",
    "changeme",
    "empty",
    "fixme",
    "nil",
    "none",
    "notset",
    "null",
    "placeholder",
    "redacted",
    "replaceme",
    "tbd",
    "todo",
    "undefined",
    "unset",
];

/// Obvious placeholders: template syntax (`{{ .Values.x }}`, `${VAR}`, `<password>`,
/// `__TOKEN__`), masks (`xxxx`, `****`), a variable name in capitals (`DB_PASSWORD_VALUE`),
/// and words that ask to be replaced (`changeme`, `your-token-here`, `REPLACE_ME`, `TODO`).
pub(super) fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    if value.contains("{{") || value.contains("${") {
        return true;
    }
    if (value.starts_with('<') && value.ends_with('>'))
        || (value.len() > 4 && value.starts_with("__") && value.ends_with("__"))
    {
        return true;
    }
    // A mask: one character repeated (`aaaa`, `0000`), or mask characters only (`x`, `****`,
    // `XXXX-XXXX`, `••••`).
    let mut chars = value.chars();
    if let Some(first) = chars.next() {
        let repeated = value.chars().count() >= 3 && chars.all(|c| c == first);
        let masked = value
            .chars()
            .all(|c| matches!(c, 'x' | 'X' | '*' | '•' | '-' | '_' | '.'));
        if repeated || masked {
            return true;
        }
    }
    if is_capitals_identifier(value) {
        return true;
    }
    let words: Vec<String> = value
        .split(['-', '_', '.', ' '])
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let joined = words.concat();
    PLACEHOLDER_WORDS.contains(&joined.as_str())
        || ["your", "insert", "replace", "changeme"]
            .iter()
            .any(|p| joined.starts_with(p))
        || words.last().is_some_and(|w| w == "here")
}

/// `SOME_VARIABLE_NAME`: capitals and digits in at least two `_`-separated words, the first
/// starting with a letter.
fn is_capitals_identifier(value: &str) -> bool {
    let words: Vec<&str> = value.split('_').collect();
    words.len() >= 2
        && words.iter().all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        && value.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Standard base64 (as Kubernetes encodes `data`), ignoring whitespace; `None` when invalid.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let sextet = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if clean.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let chunks = clean.len() / 4;
    for (i, chunk) in clean.chunks(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 || (padding > 0 && i + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for &b in &chunk[..4 - padding] {
            n = (n << 6) | sextet(b)?;
        }
        n <<= 6 * padding as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - padding]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_name(name: &str) -> bool {
        is_secret_name(name, &NamePatterns::default().name_patterns)
    }

    #[test]
    fn names_that_name_a_secret() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "PGPASSWORD",
            "dbPassword",
            "db.password",
            "redis-auth",
            "AUTH",
            "MINIO_SECRET_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "ACCESS_KEY",
            "API_KEY",
            "GOOGLE_API_KEY",
            "apiKey",
            "GITHUB_TOKEN",
            "API_TOKENS",
            "CLIENT_SECRET",
            "PASSWORD_2",
            "SECRET_VALUE",
            "GCP_CREDENTIALS",
            "PRIVATE_KEY",
            "htpasswd",
        ] {
            assert!(secret_name(name), "{name}");
        }
    }

    #[test]
    fn names_about_a_secret() {
        for name in [
            "PASSWORD_FILE",
            "passwordFile",
            "TOKEN_PATH",
            "SECRET_NAME",
            "ALLOYDB_SECRET_NAME",
            "AUTH_ENABLED",
            "GF_AUTH_ANONYMOUS_ENABLED",
            "GF_AUTH_ANONYMOUS_ORG_ROLE",
            "TOKEN_URL",
            "AUTH_HOST",
            "SECRET_PORT",
            "TOKEN_TIMEOUT",
            "AUTHOR",
            "TOKENIZER",
            "AUTHENTICATION_TYPE",
            "ACCESS_KEY_ID",
            "AWS_ACCESS_KEY_ID",
            "GOOGLE_APPLICATION_CREDENTIALS_FILE",
            "ARGOCD_APPLICATIONSET_CONTROLLER_TOKENREF_STRICT_MODE",
            "PASSWORDLESS",
            "USER",
            "",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }

    #[test]
    fn custom_patterns_are_case_insensitive() {
        let patterns = vec!["PIN".to_string(), String::new()];
        assert!(is_secret_name("card_pin", &patterns));
        assert!(!is_secret_name("PINNED", &patterns));
        assert!(!is_secret_name("PASSWORD", &patterns));
    }

    #[test]
    fn secret_material() {
        for value in [
            "hunter2",
            "c-krit",
            "minio123",
            "password",
            "supersecret",
            "8312341g-5678-abcd-4a2b2c-33bcsd655",
            "/9j/4AAQSkZJRg+abc==",
            "redis://:s3cret@redis:6379/0",
            "https://user:pa55@example.com",
            "admin",
        ] {
            assert!(is_secret_material(value), "{value}");
        }
    }

    #[test]
    fn not_secret_material() {
        for value in [
            "",
            "   ",
            "true",
            "False",
            "yes",
            "off",
            "0",
            "1234",
            "3.5",
            "$(DB_PASSWORD)",
            "prefix-$(TOKEN)",
            "/var/run/secrets/token",
            "./key.pem",
            "~/.netrc",
            "C:\\keys\\a.pem",
            "https://auth.example.com/token",
            "https://user@example.com",
            "redis://:$(PASSWORD)@redis:6379",
            "{{ .Values.password }}",
            "${DB_PASSWORD}",
            "<password>",
            "<your-api-key>",
            "__TOKEN__",
            "xxxxxx",
            "********",
            "XXXX-XXXX",
            "changeme",
            "CHANGE_ME",
            "change-me",
            "REPLACE_ME",
            "yourpassword",
            "your-token-here",
            "put-your-key-here",
            "GOOGLE_API_KEY_VAL",
            "INSERT_ETCD_DISCOVERY_TOKEN",
            "TODO",
            "none",
            "null",
            "basic",
            "OIDC",
        ] {
            assert!(!is_secret_material(value), "{value:?}");
        }
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("cGFzc3dvcmQ="), Some(b"password".to_vec()));
        assert_eq!(decode_base64("YWRtaW4="), Some(b"admin".to_vec()));
        assert_eq!(decode_base64("YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_base64("YWJj"), Some(b"abc".to_vec()));
        assert_eq!(decode_base64("YW Jj\n"), Some(b"abc".to_vec()));
        assert_eq!(decode_base64(""), Some(Vec::new()));
        assert_eq!(decode_base64("YWJ"), None);
        assert_eq!(decode_base64("Y==="), None);
        assert_eq!(decode_base64("YQ==YWJj"), None);
        assert_eq!(decode_base64("${X}"), None);
        assert_eq!(decode_base64("é"), None);
    }
}
