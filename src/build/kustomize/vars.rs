//! Kustomize's `vars`: values read from one object of the build, substituted as `$(NAME)` into
//! the fields Kustomize allows (labels, annotations, container args, commands, env values,
//! mount paths), after references to renamed objects are repaired ([`super::nameref`]).

use super::nameref::visit_existing;
use super::res::{Gvk, KRes};
use super::transform::segments;
use crate::build::knode::{KKind, KNode};

/// A `vars:` entry.
#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub(crate) name: String,
    pub(crate) target: Gvk,
    pub(crate) target_name: String,
    pub(crate) target_namespace: Option<String>,
    pub(crate) field_path: String,
}

const VAR_PATHS: &[(&str, &str)] = &[
    ("CronJob", "spec/jobTemplate/spec/template/spec/"),
    ("DaemonSet", "spec/template/spec/"),
    ("Deployment", "spec/template/spec/"),
    ("Job", "spec/template/spec/"),
    ("Pod", "spec/"),
    ("ReplicaSet", "spec/template/spec/"),
    ("StatefulSet", "spec/template/spec/"),
];

fn var_fields(kind: &str) -> Vec<String> {
    let mut out: Vec<String> = vec!["metadata/labels".into(), "metadata/annotations".into()];
    if let Some((_, prefix)) = VAR_PATHS.iter().find(|(k, _)| *k == kind) {
        for list in ["containers", "initContainers"] {
            for field in ["args", "command", "env/value", "volumeMounts/mountPath"] {
                out.push(format!("{prefix}{list}/{field}"));
            }
        }
        out.push(format!("{prefix}volumes/nfs/server"));
    }
    match kind {
        "Ingress" => out.extend([
            "spec/rules/host".into(),
            "spec/tls/hosts".into(),
            "spec/tls/secretName".into(),
        ]),
        "Service" => out.extend(["spec/ports/port".into(), "spec/ports/targetPort".into()]),
        "StatefulSet" => out.push("spec/volumeClaimTemplates/spec/nfs/server".into()),
        "PersistentVolume" => out.push("spec/nfs/server".into()),
        _ => {}
    }
    out
}

/// Reads a `fieldPath` like `metadata.name` or `spec.ports[0].port`.
fn field_value(node: &KNode, path: &str) -> Option<String> {
    let mut cur = node;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if !key.is_empty() {
            cur = cur.get(key)?;
        }
        if let Some(i) = index {
            cur = cur.items().get(i)?;
        }
    }
    match &cur.kind {
        KKind::Scalar(s, _) => Some(s.clone()),
        _ => None,
    }
}

/// Expands `$(NAME)` (with `$$` as an escape), as Kubernetes and Kustomize do.
fn expand(text: &str, values: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(next) = after.strip_prefix('$') {
            out.push('$');
            rest = next;
        } else if let Some(body) = after.strip_prefix('(') {
            match body.find(')') {
                Some(end) => {
                    let name = &body[..end];
                    match values.iter().find(|(n, _)| n == name) {
                        Some((_, v)) => out.push_str(v),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &body[end + 1..];
                }
                None => {
                    out.push_str("$(");
                    rest = body;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Resolves `vars` against the built resources and substitutes `$(NAME)` where Kustomize does.
pub(crate) fn resolve_vars(resources: &mut [KRes], vars: &[Var]) -> Result<(), String> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values = Vec::new();
    for var in vars {
        let matches: Vec<&KRes> = resources
            .iter()
            .filter(|r| {
                r.any_ids().any(|id| {
                    id.gvk.selected_by(&var.target)
                        && id.name == var.target_name
                        && var.target_namespace.as_ref().map_or(true, |ns| {
                            *ns == id.namespace || (ns == "default" && id.namespace.is_empty())
                        })
                })
            })
            .collect();
        let target = match matches.as_slice() {
            [one] => *one,
            [] => {
                return Err(format!(
                    "var `{}` refers to {} `{}`, which is not in the build",
                    var.name, var.target.kind, var.target_name
                ))
            }
            _ => {
                return Err(format!(
                    "var `{}` matches several objects named `{}`",
                    var.name, var.target_name
                ))
            }
        };
        let value = field_value(&target.node, &var.field_path)
            .ok_or_else(|| format!("var `{}`: field `{}` not found", var.name, var.field_path))?;
        values.push((var.name.clone(), value));
    }
    for res in resources.iter_mut() {
        let kind = res.kind().to_string();
        for path in var_fields(&kind) {
            let segs = segments(&path);
            visit_existing(&mut res.node, &segs, &mut |node| substitute(node, &values));
        }
    }
    Ok(())
}

fn substitute(node: &mut KNode, values: &[(String, String)]) {
    if node.is_null() {
        return;
    }
    let span = node.span;
    match &mut node.kind {
        KKind::Scalar(s, _) => {
            if s.contains('$') {
                let new = expand(s, values);
                if &new != s {
                    *node = KNode::string(&new, span);
                }
            }
        }
        KKind::Seq(items) => items.iter_mut().for_each(|i| substitute(i, values)),
        KKind::Map(entries) => entries.iter_mut().for_each(|(_, v)| substitute(v, values)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_follows_kubernetes_rules() {
        let values = vec![("A".to_string(), "x".to_string())];
        assert_eq!(
            expand("echo $(A) $(B) $$(A) $", &values),
            "echo x $(B) $(A) $"
        );
    }
}
