//! Secret values recognised by what they are: a table of patterns (`secret_patterns.toml`,
//! embedded and compiled once) for `secret-in-env` and `secret-in-configmap`, and how a match is
//! shown without showing the secret.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::secrets::is_placeholder;

/// The table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    pattern: Vec<RawPattern>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    id: String,
    name: String,
    regex: String,
    keep: usize,
    requires: Option<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    examples: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    counterexamples: Vec<String>,
}

/// One compiled pattern.
pub(crate) struct Pattern {
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) id: String,
    /// How a message names what the value holds: "a GitHub token".
    pub(crate) name: String,
    regex: Regex,
    requires: Option<Regex>,
    /// Characters of the secret shown before the mask.
    keep: usize,
}

const TABLE: &str = include_str!("secret_patterns.toml");

/// The compiled patterns, in table order (the first that matches names the value). The table
/// is part of the binary and a test compiles every pattern, so it cannot fail here.
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let table: Table = toml::from_str(TABLE).expect("secret_patterns.toml parses (tested)");
    table
        .pattern
        .into_iter()
        .map(|raw| Pattern {
            regex: Regex::new(&raw.regex).expect("secret pattern compiles (tested)"),
            requires: raw
                .requires
                .map(|r| Regex::new(&r).expect("secret pattern compiles (tested)")),
            id: raw.id,
            name: raw.name,
            keep: raw.keep,
        })
        .collect()
});

/// A secret found in a value.
pub(crate) struct Found<'v> {
    pub(crate) pattern: &'static Pattern,
    /// The whole match, in the value.
    pub(crate) matched: Range<usize>,
    /// The secret part of it, in the value.
    pub(crate) secret: Range<usize>,
    value: &'v str,
}

/// The first secret of `value` by pattern order, unless it is a placeholder or a `$(VAR)`
/// reference.
pub(crate) fn find(value: &str) -> Option<Found<'_>> {
    for pattern in PATTERNS.iter() {
        if pattern
            .requires
            .as_ref()
            .is_some_and(|r| !r.is_match(value))
        {
            continue;
        }
        // Capturing costs an allocation and the slower engines: only where there is a match.
        if !pattern.regex.is_match(value) {
            continue;
        }
        for captures in pattern.regex.captures_iter(value) {
            let Some(whole) = captures.get(0) else {
                continue;
            };
            let secret = captures.name("secret").unwrap_or(whole);
            if !is_real(secret.as_str()) {
                continue;
            }
            return Some(Found {
                pattern,
                matched: whole.range(),
                secret: secret.range(),
                value,
            });
        }
    }
    None
}

/// Whether a matched secret is a value rather than something to fill in.
fn is_real(secret: &str) -> bool {
    let trimmed = secret.trim();
    !(trimmed.contains("$(")
        || is_placeholder(trimmed)
        || trimmed.to_ascii_lowercase().contains("example")
        || trimmed.contains("xxxx")
        || trimmed.contains("XXXX"))
}

/// At most this many characters of a match are shown (the secret masked).
const SHOWN: usize = 48;

impl Found<'_> {
    /// The match as a message may show it: the secret masked after the pattern's kept prefix
    /// (`ghp_********`, `postgres://app:********@db`), cut to a readable length. Never more of
    /// the secret than the prefix.
    pub(crate) fn masked(&self) -> String {
        let before = &self.value[self.matched.start..self.secret.start];
        let secret = &self.value[self.secret.clone()];
        let after = &self.value[self.secret.end..self.matched.end];
        let kept: String = secret.chars().take(self.pattern.keep).collect();
        let hidden = secret.chars().count().saturating_sub(self.pattern.keep);
        let mask = "*".repeat(hidden.clamp(1, 8));
        // What follows a secret that spans lines (a PEM body's end line) is not worth showing.
        let after = if secret.contains('\n') {
            ""
        } else {
            one_line(after)
        };
        let text = format!("{}{kept}{mask}{after}", one_line(before));
        match text.char_indices().nth(SHOWN) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    }

    /// How many leading characters of the secret may be shown.
    pub(crate) fn kept(&self) -> usize {
        self.pattern.keep
    }
}

/// The first line of `text` (a PEM header, not its body).
fn one_line(text: &str) -> &str {
    text.split('\n').next().unwrap_or("").trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> Table {
        toml::from_str(TABLE).expect("the table parses")
    }

    #[test]
    fn every_pattern_compiles_and_ids_are_unique() {
        let table = raw();
        for pattern in &table.pattern {
            for regex in std::iter::once(&pattern.regex).chain(&pattern.requires) {
                if let Err(e) = Regex::new(regex) {
                    panic!("{}: {e}", pattern.id);
                }
            }
        }
        let mut ids: Vec<&str> = table.pattern.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(PATTERNS.len(), ids.len());
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate ids");
        for pattern in &table.pattern {
            assert!(
                !pattern.examples.is_empty() && !pattern.counterexamples.is_empty(),
                "{}: needs examples and counterexamples",
                pattern.id
            );
        }
    }

    #[test]
    fn every_example_is_found_by_its_pattern() {
        for pattern in raw().pattern {
            for example in &pattern.examples {
                let found = find(example)
                    .unwrap_or_else(|| panic!("{}: not found in {example:?}", pattern.id));
                assert_eq!(found.pattern.id, pattern.id, "{example:?}");
                let secret = &example[found.secret.clone()];
                // The secret never shows beyond its kept prefix.
                let shown = found.masked();
                let hidden: String = secret.chars().skip(found.kept()).collect();
                assert!(
                    hidden.trim().len() < 4 || !shown.contains(hidden.trim()),
                    "{}: {shown:?} shows {hidden:?}",
                    pattern.id
                );
            }
        }
    }

    #[test]
    fn no_counterexample_is_found() {
        for pattern in raw().pattern {
            for counterexample in &pattern.counterexamples {
                if let Some(found) = find(counterexample) {
                    panic!(
                        "{}: {counterexample:?} found by {}",
                        pattern.id, found.pattern.id
                    );
                }
            }
        }
    }

    #[test]
    fn masks_keep_only_the_prefix() {
        let url = find("postgres://app:s3cr3t-Pw@db:5432/app").unwrap();
        assert_eq!(url.masked(), "postgres://app:********@db:5432");
        let token = find("ghp_R8s2Kq9ZtL4mW7nX1pV5yB3cD6fH0jG2aQ4e").unwrap();
        assert_eq!(token.masked(), "ghp_********");
        let pem = find("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1Lf\n-----END RSA PRIVATE KEY-----").unwrap();
        assert_eq!(pem.masked(), "-----BEGIN RSA PRIVATE KEY-----********");
    }
}
