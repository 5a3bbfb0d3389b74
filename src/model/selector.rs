//! Kubernetes label selectors, evaluated exactly as the API server and the controllers do.
//!
//! Two shapes exist in the API:
//!
//! - `metav1.LabelSelector` (`matchLabels` + `matchExpressions`), used by Deployment,
//!   ReplicaSet, StatefulSet, DaemonSet, Job, PodDisruptionBudget, NetworkPolicy, most CRDs:
//!   [`Selector::from_label_selector`], which follows `metav1.LabelSelectorAsSelector`.
//!   A missing (nil) selector selects nothing; an empty one (`{}`) selects everything.
//! - a plain `map[string]string`, used by ReplicationController, Service and OpenShift's
//!   DeploymentConfig: [`Selector::from_map`], which follows `labels.SelectorFromSet` (an empty
//!   map selects everything). What an empty map *means* depends on the field: a Service
//!   without a selector gets no endpoints, a ReplicationController's empty selector is
//!   defaulted to its template's labels; callers decide (see [`Selector::is_empty`]).
//!
//! Requirements are ANDed. `In` and `=` need the label present with one of the values;
//! `NotIn` is satisfied by a missing label; `Exists` / `DoesNotExist` test presence only.
//! Values are compared as the exact strings Kubernetes decodes (YAML `~` and an empty value
//! decode to `""`).

use std::fmt;

use crate::yaml::{NodeRef, ScalarStyle};

/// A selector operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `matchLabels` entries and plain-map selectors (`key=value`).
    Equals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One requirement of a selector: a `matchLabels` entry, a `matchExpressions` item or an
/// entry of a plain-map selector.
#[derive(Clone, Debug)]
pub struct Requirement<'a> {
    pub key: &'a str,
    pub operator: Operator,
    pub values: Vec<&'a str>,
    /// Where it is written: the value of a `matchLabels` (or plain map) entry, or the
    /// `matchExpressions` item. `None` for requirements built in code.
    pub node: Option<NodeRef<'a>>,
}

impl<'a> Requirement<'a> {
    /// Whether `labels` satisfy this requirement (`labels.Requirement.Matches`).
    pub fn matches(&self, labels: &Labels<'_>) -> bool {
        let value = labels.get(self.key);
        match self.operator {
            Operator::Equals | Operator::In => value.is_some_and(|v| self.values.contains(&v)),
            Operator::NotIn => !value.is_some_and(|v| self.values.contains(&v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// The requirement in Kubernetes' selector syntax (`app=web`, `tier in (a,b)`, `!canary`),
/// as `kubectl get -l` takes it and API errors print it.
impl fmt::Display for Requirement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operator {
            Operator::Equals => write!(f, "{}={}", self.key, self.values.join(",")),
            Operator::In => write!(f, "{} in ({})", self.key, self.values.join(",")),
            Operator::NotIn => write!(f, "{} notin ({})", self.key, self.values.join(",")),
            Operator::Exists => write!(f, "{}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
        }
    }
}

/// Why a selector cannot be evaluated: Kubernetes rejects it (or cannot decode it).
#[derive(Clone, Debug)]
pub struct SelectorError<'a> {
    pub message: String,
    /// The offending node, when there is one.
    pub node: Option<NodeRef<'a>>,
}

impl<'a> SelectorError<'a> {
    fn new(message: impl Into<String>, node: NodeRef<'a>) -> Self {
        SelectorError {
            message: message.into(),
            node: Some(node),
        }
    }
}

impl fmt::Display for SelectorError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A parsed selector.
#[derive(Clone, Debug)]
pub struct Selector<'a> {
    /// `labels.Nothing()`: a nil `LabelSelector`.
    nothing: bool,
    requirements: Vec<Requirement<'a>>,
}

impl<'a> Selector<'a> {
    /// Selects nothing (`labels.Nothing()`).
    pub fn nothing() -> Self {
        Selector {
            nothing: true,
            requirements: Vec::new(),
        }
    }

    /// Selects everything (`labels.Everything()`).
    pub fn everything() -> Self {
        Selector {
            nothing: false,
            requirements: Vec::new(),
        }
    }

    /// A selector with these requirements (ANDed); none selects everything.
    pub fn from_requirements(requirements: Vec<Requirement<'a>>) -> Self {
        Selector {
            nothing: false,
            requirements,
        }
    }

    /// A `metav1.LabelSelector`, as `metav1.LabelSelectorAsSelector` turns it into a
    /// selector: `None` or null selects nothing, `{}` selects everything. Errors are the
    /// selectors the API server rejects: an unknown operator (operators are case-sensitive),
    /// `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values, an invalid label key
    /// or value, or a field of the wrong shape.
    pub fn from_label_selector(node: Option<NodeRef<'a>>) -> Result<Self, SelectorError<'a>> {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return Ok(Selector::nothing());
        };
        if !node.is_mapping() {
            return Err(SelectorError::new(
                "a label selector must be a mapping",
                node,
            ));
        }
        let mut requirements = Vec::new();
        if let Some(match_labels) = node.get("matchLabels").filter(|n| !n.is_null()) {
            for entry in string_map(match_labels)? {
                validate_key(entry.key, entry.key_node)?;
                validate_value(entry.value, entry.value_node)?;
                requirements.push(Requirement {
                    key: entry.key,
                    operator: Operator::Equals,
                    values: vec![entry.value],
                    node: Some(entry.value_node),
                });
            }
        }
        if let Some(expressions) = node.get("matchExpressions").filter(|n| !n.is_null()) {
            if !expressions.is_sequence() {
                return Err(SelectorError::new(
                    "`matchExpressions` must be a list",
                    expressions,
                ));
            }
            for item in expressions.items() {
                requirements.push(expression(item)?);
            }
        }
        Ok(Selector::from_requirements(requirements))
    }

    /// A plain `map[string]string` selector (ReplicationController, Service,
    /// DeploymentConfig), as `labels.SelectorFromSet` builds it: every entry must match, and
    /// `None`, null or `{}` select everything. Keys and values are not validated (Kubernetes
    /// does not validate them here either); only the shape is.
    pub fn from_map(node: Option<NodeRef<'a>>) -> Result<Self, SelectorError<'a>> {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return Ok(Selector::everything());
        };
        let requirements = string_map(node)?
            .into_iter()
            .map(|entry| Requirement {
                key: entry.key,
                operator: Operator::Equals,
                values: vec![entry.value],
                node: Some(entry.value_node),
            })
            .collect();
        Ok(Selector::from_requirements(requirements))
    }

    /// No requirements and not "nothing": selects every object. (An empty `LabelSelector` is
    /// rejected for apps/v1 workloads, means "all pods" for a policy/v1 PodDisruptionBudget or a
    /// NetworkPolicy, and "no selector" for a Service.)
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// Selects nothing (a nil `LabelSelector`).
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    /// The requirements, in source order (`matchLabels` first, then `matchExpressions`).
    pub fn requirements(&self) -> &[Requirement<'a>] {
        &self.requirements
    }

    /// Whether the selector selects an object with these labels.
    pub fn matches(&self, labels: &Labels<'_>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// The first requirement (in source order) that `labels` do not satisfy; `None` when the
    /// selector matches or selects nothing.
    pub fn first_unmatched(&self, labels: &Labels<'_>) -> Option<&Requirement<'a>> {
        self.requirements.iter().find(|r| !r.matches(labels))
    }
}

/// One `key: value` of a labels map.
#[derive(Clone, Copy, Debug)]
pub struct Label<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub key_node: Option<NodeRef<'a>>,
    pub value_node: Option<NodeRef<'a>>,
}

/// An object's labels (`metadata.labels`) as Kubernetes decodes them: the last of duplicate
/// keys wins, `<<` merge keys are expanded, null values are `""`.
#[derive(Clone, Debug, Default)]
pub struct Labels<'a> {
    labels: Vec<Label<'a>>,
}

impl<'a> Labels<'a> {
    /// The labels of a `labels:` mapping. Anything that is not a mapping of scalars (a
    /// missing or null map, a value that is itself a mapping) contributes no labels.
    pub fn of(node: Option<NodeRef<'a>>) -> Self {
        let labels = node
            .map(|n| {
                map_entries(n)
                    .into_iter()
                    .filter_map(Entry::scalar)
                    .collect()
            })
            .unwrap_or_default();
        Labels { labels }
    }

    /// Labels from plain pairs (tests, synthesized objects).
    pub fn from_pairs(pairs: &[(&'a str, &'a str)]) -> Self {
        let mut labels: Vec<Label<'a>> = Vec::new();
        for &(key, value) in pairs {
            labels.retain(|l| l.key != key);
            labels.push(Label {
                key,
                value,
                key_node: None,
                value_node: None,
            });
        }
        Labels { labels }
    }

    /// The value of label `key`, if set.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.label(key).map(|l| l.value)
    }

    /// Label `key` with its nodes.
    pub fn label(&self, key: &str) -> Option<&Label<'a>> {
        self.labels.iter().find(|l| l.key == key)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Label<'a>> {
        self.labels.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }
}

/// A mapping entry with its key text.
#[derive(Clone, Copy)]
struct Entry<'a> {
    key: &'a str,
    key_node: NodeRef<'a>,
    value_node: NodeRef<'a>,
}

impl<'a> Entry<'a> {
    fn scalar(self) -> Option<Label<'a>> {
        Some(Label {
            key: self.key,
            value: scalar_text(self.value_node)?,
            key_node: Some(self.key_node),
            value_node: Some(self.value_node),
        })
    }
}

/// A string entry of a `map[string]string`.
struct StringEntry<'a> {
    key: &'a str,
    value: &'a str,
    key_node: NodeRef<'a>,
    value_node: NodeRef<'a>,
}

/// The text a scalar decodes to as a Go string: null is `""`; collections are `None`.
fn scalar_text(node: NodeRef<'_>) -> Option<&str> {
    if node.is_null() {
        return Some("");
    }
    node.as_scalar().map(|(text, _)| text)
}

/// The entries of a mapping as a decoder sees them: `<<` merges expanded (explicit keys win,
/// earlier merged maps win over later ones), and the last of duplicate keys kept, at its own
/// position.
fn map_entries(node: NodeRef<'_>) -> Vec<Entry<'_>> {
    let mut merged: Vec<Entry<'_>> = Vec::new();
    let mut explicit: Vec<Entry<'_>> = Vec::new();
    for (key_node, value_node) in node.entries() {
        let Some((key, style)) = key_node.as_scalar() else {
            continue;
        };
        if key == "<<" && style == ScalarStyle::Plain {
            let sources: Vec<NodeRef<'_>> = if value_node.is_sequence() {
                value_node.items().collect()
            } else {
                vec![value_node]
            };
            for source in sources {
                for (k, v) in source.entries() {
                    let Some((text, _)) = k.as_scalar() else {
                        continue;
                    };
                    if !merged.iter().any(|e| e.key == text) {
                        merged.push(Entry {
                            key: text,
                            key_node: k,
                            value_node: v,
                        });
                    }
                }
            }
            continue;
        }
        explicit.retain(|e| e.key != key);
        explicit.push(Entry {
            key,
            key_node,
            value_node,
        });
    }
    merged.retain(|m| !explicit.iter().any(|e| e.key == m.key));
    merged.extend(explicit);
    merged
}

/// A `map[string]string`: every value must be a scalar.
fn string_map(node: NodeRef<'_>) -> Result<Vec<StringEntry<'_>>, SelectorError<'_>> {
    if !node.is_mapping() {
        return Err(SelectorError::new("a label map must be a mapping", node));
    }
    map_entries(node)
        .into_iter()
        .map(|entry| {
            let value = scalar_text(entry.value_node).ok_or_else(|| {
                SelectorError::new(
                    format!("the value of `{}` must be a string", entry.key),
                    entry.value_node,
                )
            })?;
            Ok(StringEntry {
                key: entry.key,
                value,
                key_node: entry.key_node,
                value_node: entry.value_node,
            })
        })
        .collect()
}

/// One `matchExpressions` item (`labels.NewRequirement` after the operator mapping).
fn expression(item: NodeRef<'_>) -> Result<Requirement<'_>, SelectorError<'_>> {
    if !item.is_mapping() {
        return Err(SelectorError::new(
            "a `matchExpressions` item must be a mapping",
            item,
        ));
    }
    let key_node = item.get("key");
    let key = key_node.and_then(scalar_text).unwrap_or("");
    validate_key(key, key_node.unwrap_or(item))?;
    let operator_node = item.get("operator");
    let operator_text = operator_node.and_then(scalar_text).unwrap_or("");
    let operator = match operator_text {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => {
            return Err(SelectorError::new(
                format!("`{other}` is not a valid label selector operator"),
                operator_node.unwrap_or(item),
            ))
        }
    };
    let mut values = Vec::new();
    if let Some(list) = item.get("values").filter(|n| !n.is_null()) {
        if !list.is_sequence() {
            return Err(SelectorError::new("`values` must be a list", list));
        }
        for value in list.items() {
            let text = scalar_text(value)
                .ok_or_else(|| SelectorError::new("a selector value must be a string", value))?;
            validate_value(text, value)?;
            values.push(text);
        }
    }
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => Err(SelectorError::new(
            "for 'in', 'notin' operators, values set can't be empty",
            item,
        )),
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => Err(SelectorError::new(
            "values set must be empty for exists and does not exist",
            item,
        )),
        _ => Ok(Requirement {
            key,
            operator,
            values,
            node: Some(item),
        }),
    }
}

/// `validation.IsQualifiedName`: an optional DNS-subdomain prefix and `/`, then a name of at
/// most 63 alphanumerics, `-`, `_` and `.`, starting and ending alphanumeric.
pub fn is_valid_label_key(key: &str) -> bool {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if name.contains('/') {
        return false;
    }
    if let Some(prefix) = prefix {
        if !is_dns_subdomain(prefix) {
            return false;
        }
    }
    !name.is_empty() && is_label_name(name)
}

/// `validation.IsValidLabelValue`: empty, or at most 63 alphanumerics, `-`, `_` and `.`,
/// starting and ending alphanumeric.
pub fn is_valid_label_value(value: &str) -> bool {
    value.is_empty() || is_label_name(value)
}

fn is_label_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    bytes.len() <= 63
        && first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// RFC 1123 subdomain: at most 253 lowercase alphanumerics, `-` and `.`, in labels that
/// start and end alphanumeric.
fn is_dns_subdomain(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            let bytes = label.as_bytes();
            match (bytes.first(), bytes.last()) {
                (Some(first), Some(last)) => {
                    (first.is_ascii_lowercase() || first.is_ascii_digit())
                        && (last.is_ascii_lowercase() || last.is_ascii_digit())
                        && bytes
                            .iter()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                }
                _ => false,
            }
        })
}

fn validate_key<'a>(key: &str, node: NodeRef<'a>) -> Result<(), SelectorError<'a>> {
    if is_valid_label_key(key) {
        Ok(())
    } else {
        Err(SelectorError::new(
            format!("`{key}` is not a valid label key"),
            node,
        ))
    }
}

fn validate_value<'a>(value: &str, node: NodeRef<'a>) -> Result<(), SelectorError<'a>> {
    if is_valid_label_value(value) {
        Ok(())
    } else {
        Err(SelectorError::new(
            format!("`{value}` is not a valid label value"),
            node,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;
    use crate::yaml::{parse_stream, FileId, Tree};

    fn tree(text: &str) -> Tree {
        let index = LineIndex::new(text);
        let mut stream = parse_stream(text, FileId(0), &index);
        assert!(stream.error.is_none(), "{:?}", stream.error);
        stream.documents.remove(0).tree
    }

    /// Whether the label selector in `selector` selects the labels mapping in `labels`.
    fn selects(selector: &str, labels: &str) -> bool {
        let s = tree(selector);
        let l = tree(labels);
        let selector = Selector::from_label_selector(Some(s.root())).expect("valid selector");
        selector.matches(&Labels::of(Some(l.root())))
    }

    fn error(selector: &str) -> String {
        let s = tree(selector);
        match Selector::from_label_selector(Some(s.root())) {
            Ok(_) => panic!("accepted: {selector}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn match_labels_need_every_pair() {
        assert!(selects("matchLabels: {app: web}", "{app: web, tier: fe}"));
        assert!(selects(
            "matchLabels: {app: web, tier: fe}",
            "{app: web, tier: fe}"
        ));
        assert!(!selects("matchLabels: {app: web, tier: fe}", "{app: web}"));
        assert!(!selects("matchLabels: {app: web}", "{app: api}"));
        assert!(!selects("matchLabels: {app: web}", "{}"));
        // Values compare as decoded strings: quoting does not matter, case does.
        assert!(selects("matchLabels: {version: '1'}", "{version: \"1\"}"));
        assert!(!selects("matchLabels: {app: Web}", "{app: web}"));
        // A null value decodes to "".
        assert!(selects("matchLabels: {app: ~}", "{app: ''}"));
        assert!(!selects("matchLabels: {app: ''}", "{}"));
    }

    #[test]
    fn operator_in() {
        let s = "matchExpressions: [{key: tier, operator: In, values: [fe, be]}]";
        assert!(selects(s, "{tier: fe}"));
        assert!(selects(s, "{tier: be, app: x}"));
        assert!(!selects(s, "{tier: db}"));
        assert!(!selects(s, "{app: x}"));
    }

    #[test]
    fn operator_not_in() {
        let s = "matchExpressions: [{key: tier, operator: NotIn, values: [db]}]";
        assert!(selects(s, "{tier: fe}"));
        assert!(!selects(s, "{tier: db}"));
        // A missing label satisfies NotIn.
        assert!(selects(s, "{app: x}"));
        assert!(selects(s, "{}"));
    }

    #[test]
    fn operator_exists() {
        let s = "matchExpressions: [{key: canary, operator: Exists}]";
        assert!(selects(s, "{canary: 'true'}"));
        assert!(selects(s, "{canary: ''}"));
        assert!(!selects(s, "{app: x}"));
        // `values: []` and `values: ~` are no values.
        assert!(selects(
            "matchExpressions: [{key: canary, operator: Exists, values: []}]",
            "{canary: x}"
        ));
        assert!(selects(
            "matchExpressions: [{key: canary, operator: Exists, values: ~}]",
            "{canary: x}"
        ));
    }

    #[test]
    fn operator_does_not_exist() {
        let s = "matchExpressions: [{key: canary, operator: DoesNotExist}]";
        assert!(selects(s, "{app: x}"));
        assert!(selects(s, "{}"));
        assert!(!selects(s, "{canary: ''}"));
    }

    #[test]
    fn labels_and_expressions_are_anded() {
        let s = "matchLabels: {app: web}\nmatchExpressions: [{key: tier, operator: In, values: [fe]}, {key: canary, operator: DoesNotExist}]";
        assert!(selects(s, "{app: web, tier: fe}"));
        assert!(!selects(s, "{app: web, tier: fe, canary: x}"));
        assert!(!selects(s, "{app: api, tier: fe}"));
        assert!(!selects(s, "{app: web}"));
    }

    #[test]
    fn empty_and_missing_selectors() {
        // `{}` selects everything; a nil LabelSelector selects nothing.
        assert!(selects("{}", "{app: x}"));
        assert!(selects("{}", "{}"));
        assert!(selects("matchLabels: {}\nmatchExpressions: []", "{}"));
        let nil = Selector::from_label_selector(None).expect("nil is valid");
        assert!(nil.is_nothing() && !nil.is_empty());
        assert!(!nil.matches(&Labels::from_pairs(&[("app", "x")])));
        let null = tree("selector: ~");
        let null = Selector::from_label_selector(null.root().get("selector")).expect("valid");
        assert!(null.is_nothing());
        // A plain map selector: empty or missing selects everything.
        let empty = tree("{}");
        let empty = Selector::from_map(Some(empty.root())).expect("valid");
        assert!(empty.is_empty() && empty.matches(&Labels::default()));
        assert!(Selector::from_map(None).expect("valid").is_empty());
    }

    #[test]
    fn plain_map_selectors() {
        let s = tree("{app: web, tier: fe}");
        let s = Selector::from_map(Some(s.root())).expect("valid");
        assert!(s.matches(&Labels::from_pairs(&[
            ("app", "web"),
            ("tier", "fe"),
            ("x", "y")
        ])));
        assert!(!s.matches(&Labels::from_pairs(&[("app", "web")])));
        let first = s
            .first_unmatched(&Labels::from_pairs(&[("app", "web"), ("tier", "be")]))
            .expect("tier does not match");
        assert_eq!(first.to_string(), "tier=fe");
        // A LabelSelector is not a plain map.
        let nested = tree("matchLabels: {app: web}");
        assert!(Selector::from_map(Some(nested.root())).is_err());
    }

    #[test]
    fn invalid_selectors_are_errors() {
        assert!(
            error("matchExpressions: [{key: a, operator: in, values: [x]}]")
                .contains("not a valid label selector operator")
        );
        assert!(
            error("matchExpressions: [{key: a, operator: Equals, values: [x]}]")
                .contains("not a valid label selector operator")
        );
        assert!(error("matchExpressions: [{key: a, operator: In}]").contains("can't be empty"));
        assert!(
            error("matchExpressions: [{key: a, operator: NotIn, values: []}]")
                .contains("can't be empty")
        );
        assert!(
            error("matchExpressions: [{key: a, operator: Exists, values: [x]}]")
                .contains("must be empty")
        );
        assert!(error("matchExpressions: [{operator: Exists}]").contains("label key"));
        assert!(error("matchLabels: {'-bad': x}").contains("label key"));
        assert!(error("matchLabels: {app: 'not valid'}").contains("label value"));
        assert!(error("matchLabels: {app: {nested: x}}").contains("must be a string"));
        assert!(error("matchLabels: [app]").contains("mapping"));
        assert!(error("matchExpressions: {key: a}").contains("list"));
        assert!(error("[a]").contains("mapping"));
    }

    #[test]
    fn label_keys_and_values() {
        for key in ["app", "app.kubernetes.io/name", "a", "A_b.c-d", "x/y", "0"] {
            assert!(is_valid_label_key(key), "{key}");
        }
        let long = "a".repeat(64);
        for key in ["", "/app", "app/", "a/b/c", "-a", "a-", "Upper.io/x", &long] {
            assert!(!is_valid_label_key(key), "{key}");
        }
        assert!(is_valid_label_value(""));
        assert!(is_valid_label_value("v1.2_3-x"));
        assert!(!is_valid_label_value("a b"));
        assert!(!is_valid_label_value("-a"));
        assert!(!is_valid_label_value(&long));
    }

    #[test]
    fn labels_decode_like_kubernetes() {
        let t = tree("base: &base {app: web, tier: fe}\nlabels:\n  <<: *base\n  tier: be\n  app: x\n  app: api\n  empty:\n  nested: {a: b}\n");
        let labels = Labels::of(t.root().get("labels"));
        assert_eq!(labels.get("app"), Some("api"));
        assert_eq!(labels.get("tier"), Some("be"));
        assert_eq!(labels.get("empty"), Some(""));
        assert_eq!(labels.get("nested"), None);
        assert_eq!(labels.len(), 3);
        let merged_only = tree("base: &base {app: web}\nlabels: {<<: *base}\n");
        assert_eq!(
            Labels::of(merged_only.root().get("labels")).get("app"),
            Some("web")
        );
        assert!(Labels::of(None).is_empty());
    }

    #[test]
    fn first_unmatched_follows_source_order() {
        let s = tree("matchLabels: {app: web, tier: fe}\nmatchExpressions: [{key: track, operator: In, values: [stable]}]");
        let s = Selector::from_label_selector(Some(s.root())).expect("valid");
        let labels = Labels::from_pairs(&[("app", "web")]);
        assert_eq!(
            s.first_unmatched(&labels).map(ToString::to_string),
            Some("tier=fe".to_string())
        );
        let labels = Labels::from_pairs(&[("app", "web"), ("tier", "fe")]);
        assert_eq!(
            s.first_unmatched(&labels).map(ToString::to_string),
            Some("track in (stable)".to_string())
        );
        let labels = Labels::from_pairs(&[("app", "web"), ("tier", "fe"), ("track", "stable")]);
        assert!(s.first_unmatched(&labels).is_none());
    }
}
