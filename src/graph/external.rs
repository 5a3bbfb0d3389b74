//! Objects that live outside the repository (`[graph] external` in `.k8sec.toml`): created by
//! Terraform, another repository, an operator or the cluster itself. References to them are
//! resolved, not reported as dangling.

use crate::model::is_cluster_scoped;

/// One `external` pattern: `Kind/namespace/name` for namespaced kinds, `Kind/name` for
/// cluster-scoped ones. `*` in a part matches any run of characters (`Secret/*/tls-*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalPattern {
    pub kind: String,
    /// `None` for a cluster-scoped pattern (`Kind/name`).
    pub namespace: Option<String>,
    pub name: String,
}

impl ExternalPattern {
    /// Parses and validates a pattern; the error says what is wrong in the user's terms.
    pub(crate) fn parse(text: &str) -> Result<ExternalPattern, String> {
        let shape = || {
            format!(
                "`{text}` is not `Kind/namespace/name` (or `Kind/name` for a cluster-scoped kind)"
            )
        };
        let parts: Vec<&str> = text.split('/').collect();
        if parts.iter().any(|p| p.trim().is_empty()) {
            return Err(shape());
        }
        let (kind, namespace, name) = match parts.as_slice() {
            [kind, name] => (*kind, None, *name),
            [kind, namespace, name] => (*kind, Some(*namespace), *name),
            _ => return Err(shape()),
        };
        if kind != "*" && !kind.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(format!(
                "`{text}`: the kind is written as in manifests (`Secret`, `ServiceAccount`), not `{kind}`"
            ));
        }
        if kind != "*" {
            match namespace {
                None if !is_cluster_scoped(kind) => {
                    return Err(format!(
                        "`{text}`: `{kind}` is namespaced; write `{kind}/<namespace>/{name}` (`*` for any namespace)"
                    ))
                }
                Some(_) if is_cluster_scoped(kind) => {
                    return Err(format!(
                        "`{text}`: `{kind}` is cluster-scoped; write `{kind}/{name}`"
                    ))
                }
                _ => {}
            }
        }
        Ok(ExternalPattern {
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        })
    }

    /// Whether the object `kind` `namespace`/`name` is declared external by this pattern.
    pub(crate) fn matches(&self, kind: &str, namespace: Option<&str>, name: &str) -> bool {
        let scope_matches = match (&self.namespace, namespace) {
            (Some(pattern), Some(ns)) => glob(pattern, ns),
            (None, None) => true,
            // `*/name` patterns cover cluster-scoped kinds only, and the other way round.
            _ => false,
        };
        scope_matches && glob(&self.kind, kind) && glob(&self.name, name)
    }
}

/// Whether any pattern declares the object external.
pub(crate) fn is_external(
    patterns: &[ExternalPattern],
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> bool {
    patterns.iter().any(|p| p.matches(kind, namespace, name))
}

/// `*` matches any run of characters (including none); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty(); // no `*`: exact match
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_parse_and_match() {
        let p = ExternalPattern::parse("ServiceAccount/payments/api").unwrap();
        assert!(p.matches("ServiceAccount", Some("payments"), "api"));
        assert!(!p.matches("ServiceAccount", Some("shop"), "api"));
        assert!(!p.matches("Secret", Some("payments"), "api"));
        let p = ExternalPattern::parse("Secret/*/tls-*").unwrap();
        assert!(p.matches("Secret", Some("a"), "tls-web"));
        assert!(p.matches("Secret", Some("b"), "tls-"));
        assert!(!p.matches("Secret", Some("b"), "web-tls"));
        let p = ExternalPattern::parse("ClusterRole/aggregated-*-reader").unwrap();
        assert!(p.matches("ClusterRole", None, "aggregated-metrics-reader"));
        assert!(!p.matches("ClusterRole", None, "aggregated-reader"));
        let p = ExternalPattern::parse("*/infra/*").unwrap();
        assert!(p.matches("ConfigMap", Some("infra"), "x"));
        assert!(!p.matches("ClusterRole", None, "x"));
    }

    #[test]
    fn bad_patterns_say_why() {
        for (text, why) in [
            ("Secret", "not `Kind/namespace/name`"),
            ("Secret//x", "not `Kind/namespace/name`"),
            ("a/b/c/d", "not `Kind/namespace/name`"),
            ("secret/ns/x", "written as in manifests"),
            ("Secret/x", "is namespaced"),
            ("ClusterRole/ns/x", "is cluster-scoped"),
        ] {
            let error = ExternalPattern::parse(text).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[test]
    fn glob_matches_runs() {
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "abc"));
        assert!(glob("a*b*c", "a-x-b-y-c"));
        assert!(!glob("a*b*c", "acb"));
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("x", "x"));
        assert!(!glob("x", "xx"));
    }
}
