//! Checking an object against the shapes: scalars typed as go-yaml (YAML 1.1) types them, the
//! problems found in document order.

use std::fmt;

use super::{pod_spec_fields, top_level, Field, Shape, METADATA};
use crate::model::{PodSpec, Resource};
use crate::yaml::{NodeRef, Scalar, ScalarStyle};

/// What a scalar decodes to, as go-yaml (YAML 1.1) resolves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScalarType {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

impl ScalarType {
    fn noun(self) -> &'static str {
        match self {
            ScalarType::Null => "null",
            ScalarType::Bool => "a boolean",
            ScalarType::Int => "an integer",
            ScalarType::Float => "a number",
            ScalarType::Str => "a string",
        }
    }
}

/// The type of a scalar node as the API server receives it; `None` for a collection or a
/// scalar with a tag k8sec does not type.
pub(crate) fn scalar_type(node: NodeRef<'_>) -> Option<ScalarType> {
    let (value, style) = node.as_scalar()?;
    match node.resolve().tag() {
        None => {}
        Some(tag) => {
            return match tag
                .trim_start_matches("tag:yaml.org,2002:")
                .trim_start_matches("!!")
            {
                "str" => Some(ScalarType::Str),
                "int" => Some(ScalarType::Int),
                "bool" => Some(ScalarType::Bool),
                "float" => Some(ScalarType::Float),
                "null" => Some(ScalarType::Null),
                _ => None,
            }
        }
    }
    if style != ScalarStyle::Plain {
        return Some(ScalarType::Str);
    }
    // Resolved once: this runs for every scalar field of every object.
    Some(match node.resolved() {
        Some(Scalar::Null) => ScalarType::Null,
        Some(Scalar::Bool(_)) => ScalarType::Bool,
        Some(Scalar::Int(_)) => ScalarType::Int,
        // A float with no fraction reaches the API server as an integer (see `as_i64`).
        Some(Scalar::Float(_)) if node.as_i64().is_some() => ScalarType::Int,
        _ if is_float(value) => ScalarType::Float,
        _ => ScalarType::Str,
    })
}

/// A YAML 1.1 float: `1.5`, `-.5`, `1e3`, `6.02e+23`, `.inf`, `.NaN`.
pub(super) fn is_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if matches!(
        unsigned,
        ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN"
    ) {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (whole.is_empty() && digits(fraction))
                || (digits(whole) && (fraction.is_empty() || digits(fraction)))
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.map_or(true, |e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// How a message names what a node is: "a string", "a list", "a mapping".
fn actual(node: NodeRef<'_>) -> &'static str {
    if node.is_mapping() {
        "a mapping"
    } else if node.is_sequence() {
        "a list"
    } else {
        scalar_type(node).map_or("a tagged value", ScalarType::noun)
    }
}

/// One field the API server would reject.
#[derive(Clone, Debug)]
pub(crate) struct Problem<'a> {
    /// The offending value, or for a missing field the key of the mapping that should hold it.
    pub(crate) node: NodeRef<'a>,
    /// What is wrong: "`runAsUser` must be an integer, not a string".
    pub(crate) message: String,
}

/// How a message names a value: `` `runAsUser` ``, "an item of `containers`",
/// `` `labels.app` ``. Written out only when a problem is found: building the text for every
/// field of every object was most of the cost of checking an object.
#[derive(Clone, Copy)]
enum Label<'l> {
    /// A field: `` `name` ``.
    Field(&'static str),
    /// An item of a list.
    ItemOf(&'l Label<'l>),
    /// An entry of a mapping of any keys: the parent's name, a dot, the key.
    Entry(&'l Label<'l>, &'l str),
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Field(name) => write!(f, "`{name}`"),
            Label::ItemOf(list) => write!(f, "an item of {list}"),
            Label::Entry(map, key) => {
                let map = map.to_string();
                write!(f, "{}.{key}`", map.trim_end_matches('`'))
            }
        }
    }
}

/// `{{ name }}` of an unrendered template (Mustache, Jinja, Go templates) that happens to parse
/// as YAML: a flow mapping whose one key is itself a flow mapping. It is a value to be filled
/// in, not a malformed one.
fn is_template_placeholder(node: NodeRef<'_>) -> bool {
    // Asked of every value the walk meets: the entries (which cost a look at every key) only
    // of a flow collection.
    if !node.is_flow() {
        return false;
    }
    let mut entries = node.entries();
    matches!(
        (entries.next(), entries.next()),
        (Some((key, _)), None) if key.is_mapping() && key.is_flow()
    )
}

/// What a shape expects, for messages.
fn expected(shape: &Shape) -> &'static str {
    match shape {
        Shape::Str => "a string",
        Shape::Int => "an integer",
        Shape::Bool => "a boolean",
        Shape::IntOrStr => "an integer or a string",
        Shape::Quantity => "a quantity (a string or a number)",
        Shape::List(_) => "a list",
        Shape::Map(_) | Shape::MapOf(_) => "a mapping",
        Shape::Gone(_) => "absent",
    }
}

/// Whether `node` has the shape, as far as its own node goes (not its children). A scalar
/// with a tag k8sec does not type is given the benefit of the doubt.
fn fits(shape: &Shape, node: NodeRef<'_>) -> bool {
    use ScalarType as T;
    match shape {
        Shape::List(_) => node.is_sequence(),
        Shape::Map(_) | Shape::MapOf(_) => node.is_mapping(),
        Shape::Gone(_) => false,
        scalar_shape => {
            if node.as_scalar().is_none() {
                return false;
            }
            let Some(found) = scalar_type(node) else {
                return true;
            };
            match scalar_shape {
                Shape::Str => found == T::Str,
                Shape::Bool => found == T::Bool,
                Shape::Int => found == T::Int || (found == T::Float && integral(node)),
                Shape::IntOrStr => matches!(found, T::Int | T::Str),
                _ => matches!(found, T::Int | T::Float | T::Str),
            }
        }
    }
}

/// A float with no fraction (`1000.0`): the API server decodes it into an integer field.
fn integral(node: NodeRef<'_>) -> bool {
    node.as_scalar()
        .and_then(|(text, _)| text.replace('_', "").parse::<f64>().ok())
        .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

/// Checks `node`, the value named `label` in messages (`` `runAsUser` ``, "an item of
/// `containers`"), against `shape`, adding what is wrong to `out`. `key` is the node's key when
/// it is a mapping entry: a block collection of the wrong shape is reported there (one line),
/// a scalar at itself. A null value is the field's zero value, never wrong in itself.
fn check<'a>(
    label: &Label<'_>,
    shape: &Shape,
    key: Option<NodeRef<'a>>,
    node: NodeRef<'a>,
    out: &mut Vec<Problem<'a>>,
) {
    if node.is_null() || is_template_placeholder(node) {
        return;
    }
    let at = match key {
        Some(key) if !node.is_flow() && node.as_scalar().is_none() => key,
        _ => node,
    };
    if let Shape::Gone(replacement) = shape {
        out.push(Problem {
            node: key.unwrap_or(node),
            message: format!(
                "{label} is not a field of this API version, which reads `{replacement}` instead"
            ),
        });
        return;
    }
    if !fits(shape, node) {
        out.push(Problem {
            node: at,
            message: format!("{label} must be {}, not {}", expected(shape), actual(node)),
        });
        return;
    }
    match shape {
        Shape::List(item) => {
            let label = Label::ItemOf(label);
            for value in node.items() {
                check(&label, item, None, value, out);
            }
        }
        Shape::Map(fields) => check_fields(fields, node, key.unwrap_or(node), out),
        Shape::MapOf(value) => {
            for (entry_key, entry) in node.entries() {
                match entry_key.as_scalar() {
                    Some(("<<", ScalarStyle::Plain)) | None => {}
                    Some((name, _)) => {
                        check(
                            &Label::Entry(label, name),
                            value,
                            Some(entry_key),
                            entry,
                            out,
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

/// Checks the `fields` of the mapping `node`. A required field that is missing is reported at
/// `anchor` (the mapping's key; for an item of a list, its first key); one that is null or an
/// empty list, at its own key.
fn check_fields<'a>(
    fields: &[Field],
    node: NodeRef<'a>,
    anchor: NodeRef<'a>,
    out: &mut Vec<Problem<'a>>,
) {
    let mut found = vec![None; fields.len()];
    node.entries_named(|i| fields[i].name, &mut found);
    for (field, found) in fields.iter().zip(found) {
        let label = Label::Field(field.name);
        match found {
            Some((key, value)) => {
                let empty =
                    value.is_null() || (value.is_sequence() && value.items().next().is_none());
                if field.required && empty {
                    out.push(Problem {
                        node: key,
                        message: format!("{label} is required but empty"),
                    });
                } else {
                    check(&label, field.shape, Some(key), value, out);
                }
            }
            None if field.required => {
                let anchor = if anchor.id() == node.id() {
                    node.entries().next().map_or(node, |(key, _)| key)
                } else {
                    anchor
                };
                out.push(Problem {
                    node: anchor,
                    message: format!("{label} is required but missing"),
                });
            }
            None => {}
        }
    }
}

/// Every field of `resource` that k8sec reads and the API server would reject: wrong types,
/// missing required fields, fields its API version does not have; sorted by position.
pub(crate) fn problems(resource: &Resource) -> Vec<Problem<'_>> {
    let mut out = Vec::new();
    let root = resource.root();
    if let Some((key, metadata)) = root.entry("metadata") {
        check(
            &Label::Field("metadata"),
            &METADATA,
            Some(key),
            metadata,
            &mut out,
        );
    }
    let kind = root.get("kind").unwrap_or(root);
    check_fields(top_level(resource), root, kind, &mut out);
    // The pod spec of any pod-bearing kind (custom ones with a pod template too), and the
    // template's metadata.
    match PodSpec::of(resource) {
        Some(pod) => {
            check_fields(pod_spec_fields(), pod.spec, pod.anchor(), &mut out);
            let own_template =
                !matches!(resource.kind.as_str(), "Pod") && top_level(resource).is_empty();
            if let Some(metadata) = pod.metadata.filter(|_| own_template) {
                check(
                    &Label::Field("metadata"),
                    &METADATA,
                    None,
                    metadata,
                    &mut out,
                );
            }
        }
        None => out.extend(missing_pod_template(resource)),
    }
    out.sort_by_key(|p| p.node.span().range.start);
    out.dedup_by(|a, b| a.node.id() == b.node.id() && a.message == b.message);
    out
}

/// A built-in workload kind without a pod template: the first of `spec`, `template` (a
/// CronJob's `jobTemplate`…) and the template's `spec` that is missing or null, reported where
/// it belongs. (One that is not a mapping is reported by the shapes.) Argo Rollouts
/// (`workloadRef`) and DeploymentConfigs may have no template.
fn missing_pod_template(resource: &Resource) -> Option<Problem<'_>> {
    let path: &[&str] = match (resource.group(), resource.kind.as_str()) {
        ("", "Pod") => &["spec"],
        ("", "PodTemplate") => &["template", "spec"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("extensions", "Deployment" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job")
        | ("", "ReplicationController") => &["spec", "template", "spec"],
        _ => return None,
    };
    let mut node = resource.root();
    let mut anchor = node.key("kind").unwrap_or(node);
    for (i, segment) in path.iter().enumerate() {
        if !node.is_mapping() {
            return None;
        }
        match node.entry(segment) {
            Some((key, value)) if !value.is_null() => {
                node = value;
                anchor = key;
            }
            found => {
                let at = found.map_or(anchor, |(key, _)| key);
                return Some(Problem {
                    node: at,
                    message: format!(
                        "`{}` is missing: a {} needs a pod template with `containers`",
                        path[..=i].join("."),
                        resource.kind
                    ),
                });
            }
        }
    }
    None
}
