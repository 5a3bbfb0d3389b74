//! The shapes, field by field: every field of every shape rejects a value of the wrong type
//! (and only that field is reported), and every field name the checks read is in the shapes.

use super::*;
use crate::model::testing::unit;

/// A minimal valid value of a shape, in flow style.
fn valid(shape: &Shape) -> String {
    match shape {
        Shape::Str => "s".into(),
        Shape::Int | Shape::IntOrStr | Shape::Quantity => "1".into(),
        Shape::Bool => "true".into(),
        Shape::List(item) => format!("[{}]", valid(item)),
        Shape::Map(fields) => mapping(fields, None),
        Shape::MapOf(value) => format!("{{k: {}}}", valid(value)),
        Shape::Gone(_) => "~".into(),
    }
}

/// A value no shape of its kind accepts.
fn wrong(shape: &Shape) -> &'static str {
    match shape {
        Shape::Str => "[s]",
        Shape::Int => "\"1\"",
        Shape::Bool => "\"true\"",
        Shape::IntOrStr | Shape::Quantity => "true",
        Shape::List(_) => "x",
        Shape::Map(_) | Shape::MapOf(_) => "[x]",
        Shape::Gone(_) => "x",
    }
}

/// A flow mapping of `fields`: the required ones with valid values, and `set` (a field name
/// and its value text) when given. A pod template gets a pod spec, so that no object lacks one.
fn mapping(fields: &[Field], set: Option<(&str, String)>) -> String {
    let mut parts = Vec::new();
    for field in fields {
        let value = match &set {
            Some((name, value)) if *name == field.name => value.clone(),
            _ if field.required => valid(field.shape),
            _ if matches!(field.name, "template" | "jobTemplate")
                || (field.name == "spec" && std::ptr::eq(fields, template_fields())) =>
            {
                pod_bearing(field)
            }
            _ => continue,
        };
        parts.push(format!("{}: {value}", field.name));
    }
    format!("{{{}}}", parts.join(", "))
}

fn template_fields() -> &'static [Field] {
    match &POD_TEMPLATE {
        Shape::Map(fields) => fields,
        _ => &[],
    }
}

/// A valid `template`, `jobTemplate` or template `spec` that holds a pod spec.
fn pod_bearing(field: &Field) -> String {
    match field.name {
        "spec" => "{containers: [{name: c}]}".into(),
        "template" => "{spec: {containers: [{name: c}]}}".into(),
        _ => "{spec: {template: {spec: {containers: [{name: c}]}}}}".into(),
    }
}

/// Every (path, document) pair that sets one field, at any depth under `fields`, to a wrong
/// value; `wrap` turns the mapping of `fields` into a whole object.
fn cases(
    fields: &'static [Field],
    path: &str,
    wrap: &dyn Fn(String) -> String,
    out: &mut Vec<(String, String)>,
) {
    for field in fields {
        let here = format!("{path}.{}", field.name);
        out.push((
            here.clone(),
            wrap(mapping(
                fields,
                Some((field.name, wrong(field.shape).into())),
            )),
        ));
        let inner: Option<(&'static [Field], bool)> = match field.shape {
            Shape::Map(inner) => Some((inner, false)),
            Shape::List(Shape::Map(inner)) => Some((inner, true)),
            _ => None,
        };
        if let Some((inner, list)) = inner {
            let name = field.name;
            let wrap_inner = move |value: String| {
                let value = if list { format!("[{value}]") } else { value };
                wrap(mapping(fields, Some((name, value))))
            };
            cases(inner, &here, &wrap_inner, out);
        }
    }
}

/// The problems of the one object of `text`, without the missing-template ones a case may
/// cause on purpose.
fn problems_of(text: &str) -> Vec<String> {
    let (_, resources) = unit(&[("t.yaml", text)]);
    assert_eq!(resources.len(), 1, "{text}");
    problems(&resources[0])
        .into_iter()
        .map(|p| p.message)
        .collect()
}

/// Every kind the shapes know, by API version.
const MODELLED: &[(&str, &str)] = &[
    ("v1", "Pod"),
    ("v1", "PodTemplate"),
    ("apps/v1", "Deployment"),
    ("batch/v1", "CronJob"),
    ("v1", "Service"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1beta1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("policy/v1", "PodDisruptionBudget"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "ServiceAccount"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("v1", "PersistentVolume"),
];

#[test]
fn every_field_of_every_shape_rejects_a_wrong_value() {
    let mut failures = Vec::new();
    let mut count = 0;
    for &(api_version, kind) in MODELLED {
        let head = format!("apiVersion: {api_version}\nkind: {kind}\n");
        let (_, probe) = unit(&[("t.yaml", &head)]);
        let mut all = Vec::new();
        let top = top_level(&probe[0]);
        let wrap_object = |body: String| {
            let inner = &body[1..body.len() - 1];
            let sep = if inner.is_empty() { "" } else { ", " };
            format!("{{apiVersion: {api_version}, kind: {kind}{sep}{inner}}}")
        };
        // The object's required fields (and pod template) next to its metadata.
        let wrap_metadata = |body: String| {
            let others = mapping(top, None);
            let others = &others[1..others.len() - 1];
            let sep = if others.is_empty() { "" } else { ", " };
            wrap_object(format!("{}{sep}{others}}}", &body[..body.len() - 1]))
        };
        static METADATA_FIELD: &[Field] = &[field("metadata", &METADATA)];
        cases(METADATA_FIELD, "", &wrap_metadata, &mut all);
        if kind == "Pod" {
            // A Pod's spec is the pod spec itself.
            let wrap_pod = |body: String| wrap_object(format!("{{spec: {body}}}"));
            cases(pod_spec_fields(), "spec", &wrap_pod, &mut all);
        }
        cases(top, "", &wrap_object, &mut all);
        if kind == "Deployment" {
            // The pod spec of a workload's template.
            let wrap_pod =
                |body: String| wrap_object(format!("{{spec: {{template: {{spec: {body}}}}}}}"));
            cases(pod_spec_fields(), "spec.template.spec", &wrap_pod, &mut all);
        }
        for (path, text) in all {
            count += 1;
            let name = path.rsplit('.').next().unwrap_or("");
            let found: Vec<String> = problems_of(&text)
                .into_iter()
                .filter(|m| !m.contains("needs a pod template"))
                .collect();
            let about_it = found.len() == 1 && found[0].contains(&format!("`{name}"));
            if !about_it {
                failures.push(format!("{kind} {path}: {text}\n    -> {found:?}"));
            }
        }
    }
    assert!(count > 300, "only {count} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_objects_have_no_problems() {
    for text in [
        "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c}]}}",
        "{apiVersion: apps/v1, kind: Deployment, spec: {template: {spec: {containers: [{name: c}]}}}}",
        "{apiVersion: batch/v1, kind: CronJob, spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c}]}}}}}}",
        "{apiVersion: example.com/v1, kind: Widget, spec: [anything]}",
        "{apiVersion: argoproj.io/v1alpha1, kind: Rollout, spec: {workloadRef: {name: d}}}",
    ] {
        assert_eq!(problems_of(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn scalars_are_typed_as_yaml_1_1_types_them() {
    let (_, resources) = unit(&[(
        "t.yaml",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: yes\n  b: '1'\n  c: 0x1F\n  d: 1.5e3\n  e: -.5\n  f: ~\n  g: !!str 12\n  h: 12abc\n  i: \"true\"\n  j: 1_000\n",
    )]);
    let data = resources[0].root().get("data").unwrap();
    let types: Vec<Option<ScalarType>> = data.entries().map(|(_, v)| scalar_type(v)).collect();
    use ScalarType as T;
    assert_eq!(
        types,
        [
            Some(T::Bool),
            Some(T::Str),
            Some(T::Int),
            // 1.5e3 reaches the API server as the JSON number 1500: an integer field takes it.
            Some(T::Int),
            Some(T::Float),
            Some(T::Null),
            Some(T::Str),
            Some(T::Str),
            Some(T::Str),
            Some(T::Int),
        ]
    );
    assert!(is_float("-.5") && is_float("6.02e+23") && is_float("1.") && !is_float("1.2.3"));
    assert!(!is_float("e3") && !is_float(".") && !is_float(""));
}

/// Field names the checks, the graph and the views read (string literals passed to the tree
/// accessors), which are not Kubernetes API fields of a modelled kind.
const NOT_API_FIELDS: &[&str] = &[
    // JSON 6902 patches of a CustomResourceDefinition webhook (deprecated-api-version).
    "patches",
    // Custom resources the graph reads: ExternalSecret `spec.target.name`.
    "target", // The items of a `kind: List`, each an object of its own.
    "items",
];

#[test]
fn every_field_the_checks_read_has_a_shape() {
    fn names(shape: &Shape, out: &mut Vec<&'static str>) {
        match shape {
            Shape::List(item) | Shape::MapOf(item) => names(item, out),
            Shape::Map(fields) => {
                for field in *fields {
                    out.push(field.name);
                    names(field.shape, out);
                }
            }
            _ => {}
        }
    }
    let mut known = vec!["apiVersion", "kind", "metadata"];
    names(&METADATA, &mut known);
    names(&POD_SPEC, &mut known);
    for &(api_version, kind) in MODELLED {
        let (_, probe) = unit(&[(
            "t.yaml",
            &format!("apiVersion: {api_version}\nkind: {kind}\n"),
        )]);
        for field in top_level(&probe[0]) {
            known.push(field.name);
            names(field.shape, &mut known);
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unknown = Vec::new();
    for dir in ["checks", "graph", "model"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().map_or(true, |e| e != "rs") || path.ends_with("schema.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for name in read_field_names(&text) {
                if !known.contains(&name.as_str()) && !NOT_API_FIELDS.contains(&name.as_str()) {
                    unknown.push(format!("{}: `{name}`", path.display()));
                }
            }
        }
    }
    unknown.sort();
    unknown.dedup();
    assert!(
        unknown.is_empty(),
        "fields read without a shape:\n{}",
        unknown.join("\n")
    );
}

use std::path::Path;

/// The string literals passed to the tree accessors in a source text (`get("x")`,
/// `str_at("x")`, `path(&["a", "b"])`, `items("x")`, `effective(pod, "x")`…), test code
/// excluded.
fn read_field_names(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = Vec::new();
    for accessor in [
        ".get(\"",
        ".str_at(\"",
        ".bool_at(\"",
        ".entry(\"",
        ".key(\"",
        ".items(\"",
        ".security_field(\"",
        "pod, \"",
    ] {
        for (at, _) in code.match_indices(accessor) {
            let rest = &code[at + accessor.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
            }
        }
    }
    for (at, _) in code.match_indices(".path(&[") {
        let rest = &code[at + ".path(&[".len()..];
        let list = &rest[..rest.find(']').unwrap_or(0)];
        out.extend(
            list.split(',')
                .map(|s| s.trim().trim_matches('"').to_string())
                .filter(|s| !s.is_empty()),
        );
    }
    out.retain(|name| name.chars().all(|c| c.is_ascii_alphanumeric()));
    out
}
