//! Strategic merge patches, as Kustomize applies them.
//!
//! Kustomize (kyaml's merge2, with patch items prepended) merges a patch into a resource:
//! maps merge key by key, `null` deletes, scalars and plain lists are replaced, and lists that
//! Kubernetes' schema marks `patchStrategy: merge` (containers by `name`, ports by
//! `containerPort`, volumeMounts by `mountPath`…) merge element by element, the patch's
//! elements first. `$patch: delete` / `$patch: replace` directives are honoured. Lists of
//! custom resources have no schema and are replaced, as in Kustomize.
//!
//! Merged values keep their spans: what the patch sets points at the patch, what it leaves
//! points at the base.

use crate::build::knode::{KKind, KNode};

/// The part of Kubernetes' schema that decides how lists merge.
pub(crate) enum Sch {
    /// An object with these fields (unknown fields have no schema).
    Obj(&'static [(&'static str, &'static Sch)]),
    /// A list merged by these keys (the first is the patch merge key).
    List(&'static [&'static str], &'static Sch),
    /// A list of scalars merged as a set (`finalizers`).
    Prim,
}

static NONE: Sch = Sch::Obj(&[]);
static ENV: Sch = Sch::List(&["name"], &NONE);
static CPORTS: Sch = Sch::List(&["containerPort", "protocol"], &NONE);
static MOUNTS: Sch = Sch::List(&["mountPath"], &NONE);
static DEVICES: Sch = Sch::List(&["devicePath"], &NONE);
static CONTAINER: Sch = Sch::Obj(&[
    ("env", &ENV),
    ("ports", &CPORTS),
    ("volumeMounts", &MOUNTS),
    ("volumeDevices", &DEVICES),
]);
static CONTAINERS: Sch = Sch::List(&["name"], &CONTAINER);
static BY_NAME: Sch = Sch::List(&["name"], &NONE);
static BY_IP: Sch = Sch::List(&["ip"], &NONE);
static SPREAD: Sch = Sch::List(&["topologyKey", "whenUnsatisfiable"], &NONE);
static POD_SPEC: Sch = Sch::Obj(&[
    ("containers", &CONTAINERS),
    ("initContainers", &CONTAINERS),
    ("ephemeralContainers", &CONTAINERS),
    ("volumes", &BY_NAME),
    ("imagePullSecrets", &BY_NAME),
    ("hostAliases", &BY_IP),
    ("topologySpreadConstraints", &SPREAD),
    ("resourceClaims", &BY_NAME),
    ("schedulingGates", &BY_NAME),
]);
static PRIM: Sch = Sch::Prim;
static OWNERS: Sch = Sch::List(&["uid"], &NONE);
static META: Sch = Sch::Obj(&[("finalizers", &PRIM), ("ownerReferences", &OWNERS)]);
static TEMPLATE: Sch = Sch::Obj(&[("metadata", &META), ("spec", &POD_SPEC)]);
static WORKLOAD_SPEC: Sch = Sch::Obj(&[("template", &TEMPLATE)]);
static WORKLOAD: Sch = Sch::Obj(&[("metadata", &META), ("spec", &WORKLOAD_SPEC)]);
static POD: Sch = Sch::Obj(&[("metadata", &META), ("spec", &POD_SPEC)]);
static JOB_TEMPLATE: Sch = Sch::Obj(&[("metadata", &META), ("spec", &WORKLOAD_SPEC)]);
static CRONJOB_SPEC: Sch = Sch::Obj(&[("jobTemplate", &JOB_TEMPLATE)]);
static CRONJOB: Sch = Sch::Obj(&[("metadata", &META), ("spec", &CRONJOB_SPEC)]);
static PODTEMPLATE: Sch = Sch::Obj(&[("metadata", &META), ("template", &TEMPLATE)]);
static SPORTS: Sch = Sch::List(&["port", "protocol"], &NONE);
static SERVICE_SPEC: Sch = Sch::Obj(&[("ports", &SPORTS)]);
static SERVICE: Sch = Sch::Obj(&[("metadata", &META), ("spec", &SERVICE_SPEC)]);
static SA: Sch = Sch::Obj(&[("metadata", &META), ("secrets", &BY_NAME)]);
static OBJECT: Sch = Sch::Obj(&[("metadata", &META)]);

/// The schema of a built-in kind; `None` for custom resources (their lists are replaced).
pub(crate) fn schema_for(api_version: &str, kind: &str) -> Option<&'static Sch> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let core = group.is_empty();
    let workload_group = matches!(group, "apps" | "extensions");
    Some(match kind {
        "Pod" if core => &POD,
        "Service" if core => &SERVICE,
        "ServiceAccount" if core => &SA,
        "ReplicationController" | "PodTemplate" if core => {
            if kind == "PodTemplate" {
                &PODTEMPLATE
            } else {
                &WORKLOAD
            }
        }
        "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet" if workload_group => &WORKLOAD,
        "Job" if group == "batch" => &WORKLOAD,
        "CronJob" if group == "batch" => &CRONJOB,
        "ConfigMap" | "Secret" | "Namespace" | "PersistentVolumeClaim" | "PersistentVolume"
            if core =>
        {
            &OBJECT
        }
        _ if group.ends_with(".k8s.io") && !group.contains("x-k8s") => &OBJECT,
        _ => return None,
    })
}

fn field(s: Option<&'static Sch>, key: &str) -> Option<&'static Sch> {
    match s? {
        Sch::Obj(fields) => fields.iter().find(|(k, _)| *k == key).map(|(_, s)| *s),
        _ => None,
    }
}

/// Removes a `$patch` directive from a patch map and returns it.
fn directive(node: &mut KNode) -> Result<Option<String>, String> {
    let Some(value) = node.remove("$patch") else {
        return Ok(None);
    };
    let text = value.as_str().unwrap_or_default().to_string();
    match text.as_str() {
        "delete" | "replace" | "merge" => Ok(Some(text)),
        other => Err(format!("unknown `$patch` directive `{other}`")),
    }
}

/// Removes a `- $patch: replace` element from a patch list.
fn list_directive(node: &mut KNode) -> Option<String> {
    let items = node.items_mut()?;
    let index = items
        .iter()
        .position(|i| i.entries().len() == 1 && i.get("$patch").is_some())?;
    let element = items.remove(index);
    element.str_at("$patch").map(str::to_string)
}

/// Merges `patch` into `dest`. `Ok(None)` means the value is cleared (deleted).
pub(crate) fn merge(
    dest: Option<KNode>,
    patch: Option<KNode>,
    schema: Option<&'static Sch>,
) -> Result<Option<KNode>, String> {
    let shape = |n: &Option<KNode>| -> u8 {
        match n {
            Some(n) if !n.is_null() => match n.kind {
                KKind::Map(_) => 1,
                KKind::Seq(_) => 2,
                KKind::Scalar(..) => 3,
            },
            _ => 0,
        }
    };
    let kind = match shape(&dest) {
        0 => shape(&patch),
        k => k,
    };
    if kind != 0 && shape(&patch) != 0 && shape(&patch) != kind {
        return Err(
            "a patch value has another type (map, list or scalar) than the value it patches"
                .to_string(),
        );
    }
    let patch_is = |k: u8| shape(&patch) == k;
    match kind {
        1 => merge_map(dest, patch, schema),
        2 => merge_list(dest, patch, schema),
        0 if patch_is(1) => merge_map(dest, patch, schema),
        0 if patch_is(2) => merge_list(dest, patch, schema),
        // Scalars (and nulls): the patch wins when it says anything.
        _ => match patch {
            Some(p) => Ok((!p.is_null()).then_some(p)),
            None => Ok(dest),
        },
    }
}

fn merge_map(
    dest: Option<KNode>,
    patch: Option<KNode>,
    schema: Option<&'static Sch>,
) -> Result<Option<KNode>, String> {
    let mut patch = patch;
    let mut base = match dest.filter(|d| !d.is_null()) {
        None => {
            let Some(mut p) = patch.take() else {
                return Ok(None);
            };
            if directive(&mut p)?.as_deref() == Some("delete") {
                return Ok(None);
            }
            // Walk the added map against itself, so nested directives and nulls apply.
            return merge_map_fields(p.clone(), p, schema).map(Some);
        }
        Some(d) => d,
    };
    let Some(mut p) = patch else {
        return Ok(Some(base));
    };
    if p.is_null() {
        return Ok(None);
    }
    match directive(&mut p)?.as_deref() {
        Some("delete") => return Ok(None),
        Some("replace") => return merge_map_fields(p.clone(), p, schema).map(Some),
        _ => {}
    }
    base = merge_map_fields(base, p, schema)?;
    Ok(Some(base))
}

fn merge_map_fields(
    mut base: KNode,
    mut patch: KNode,
    schema: Option<&'static Sch>,
) -> Result<KNode, String> {
    let mut names: Vec<String> = base
        .entries()
        .iter()
        .chain(patch.entries())
        .filter_map(|(k, _)| k.as_str().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        if name.starts_with("$setElementOrder/")
            || name.starts_with("$deleteFromPrimitiveList/")
            || name == "$retainKeys"
        {
            base.remove(&name);
            continue;
        }
        // Both values are taken out of their maps (each name is merged once), not copied: a
        // copy of the base's value would copy `spec` again at every level of the patch.
        let patch_entry = patch.entries_mut().and_then(|entries| {
            entries
                .iter_mut()
                .rev()
                .find(|(k, _)| k.as_str() == Some(name.as_str()))
        });
        let Some((patch_key, patch_value)) = patch_entry.map(|(k, v)| (k.clone(), take(v))) else {
            // Only in the base: still walked, for directives in values the patch added.
            continue;
        };
        let dest_value = base.get_mut(&name).map(take);
        let merged = merge(dest_value, Some(patch_value), field(schema, &name))?;
        match merged {
            Some(value) => base.set_with_key(patch_key, value),
            None => {
                base.remove(&name);
            }
        }
    }
    Ok(base)
}

/// Takes a value out of its map, leaving an empty mapping until the merged value replaces it
/// (or the entry is removed; a failed merge fails the whole build).
fn take(node: &mut KNode) -> KNode {
    let span = node.span;
    std::mem::replace(node, KNode::map(span))
}

/// Merges lists: by their merge keys when the schema has them, as a set for a list of scalars
/// the schema merges (`finalizers`), else the patch replaces the list.
fn merge_list(
    dest: Option<KNode>,
    patch: Option<KNode>,
    schema: Option<&'static Sch>,
) -> Result<Option<KNode>, String> {
    let (keys, elem) = match schema {
        Some(Sch::List(keys, elem)) => (Some(*keys), Some(*elem)),
        Some(Sch::Prim) => (Some(&[][..]), None),
        _ => (None, None),
    };
    let Some(keys) = keys else {
        // Not associative: the patch replaces the list.
        return Ok(match patch {
            Some(p) => (!p.is_null()).then_some(p),
            None => dest,
        });
    };
    let Some(mut p) = patch else {
        return Ok(dest);
    };
    if p.is_null() {
        return Ok(None);
    }
    let base = match dest.filter(|d| !d.is_null()) {
        Some(d) => d,
        None => p.clone(),
    };
    if list_directive(&mut p).as_deref() == Some("replace") {
        return Ok(Some(p));
    }
    let items = if keys.is_empty() {
        merge_set(&p, &base)
    } else {
        merge_by_keys(&p, &base, keys, elem)?
    };
    let mut node = base;
    if let Some(slot) = node.items_mut() {
        *slot = items;
    }
    Ok(Some(node))
}

/// A set of scalars: the patch's values first, then the base's others.
fn merge_set(patch: &KNode, base: &KNode) -> Vec<KNode> {
    let mut out: Vec<KNode> = Vec::new();
    for item in patch.items().iter().chain(base.items()) {
        let text = item.as_str().unwrap_or_default();
        if !out.iter().any(|o| o.as_str().unwrap_or_default() == text) {
            out.push(item.clone());
        }
    }
    out
}

/// A list of maps merged element by element, matched on `keys`.
///
/// With one merge key Kustomize puts the patch's elements first, in the patch's order; with
/// several (container and service ports) only new elements go first and the others keep
/// their place. Both checked against `kubectl kustomize`. Elements that are not maps keep
/// their place at the end.
fn merge_by_keys(
    patch: &KNode,
    base: &KNode,
    keys: &[&str],
    elem: Option<&'static Sch>,
) -> Result<Vec<KNode>, String> {
    let mut dest_items: Vec<KNode> = base.items().to_vec();
    let mut result = if keys.len() > 1 {
        let merged = merge_new_first(patch, &dest_items, keys, elem)?;
        dest_items.retain(|i| !i.is_map());
        merged
    } else {
        merge_patch_first(patch, &mut dest_items, keys, elem)?
    };
    result.extend(dest_items.iter().filter(|i| !i.is_map()).cloned());
    Ok(result)
}

/// Several merge keys: the patch's new elements, then the base's (merged) in their places.
fn merge_new_first(
    patch: &KNode,
    dest_items: &[KNode],
    keys: &[&str],
    elem: Option<&'static Sch>,
) -> Result<Vec<KNode>, String> {
    let mut merged_dest = Vec::new();
    for item in dest_items.iter().filter(|i| i.is_map()) {
        let value = key_values(item, keys);
        let pe = patch
            .items()
            .iter()
            .find(|i| has_key_values(i, keys, &value))
            .cloned();
        if let Some(node) = merge(Some(item.clone()), pe, elem)? {
            if node.is_map() && !node.entries().is_empty() {
                merged_dest.push(node);
            }
        }
    }
    let mut result = Vec::new();
    for pe in patch.items().iter().filter(|i| i.is_map()) {
        let value = key_values(pe, keys);
        if dest_items
            .iter()
            .any(|d| d.is_map() && has_key_values(d, keys, &value))
        {
            continue;
        }
        if let Some(node) = merge(None, Some(pe.clone()), elem)? {
            if node.is_map() && !node.entries().is_empty() {
                result.push(node);
            }
        }
    }
    result.extend(merged_dest);
    Ok(result)
}

/// One merge key: every element of the patch (merged with the base's), in the patch's order,
/// then the base's other elements. Elements the patch deletes leave `dest_items`.
fn merge_patch_first(
    patch: &KNode,
    dest_items: &mut Vec<KNode>,
    keys: &[&str],
    elem: Option<&'static Sch>,
) -> Result<Vec<KNode>, String> {
    let mut values: Vec<Vec<String>> = Vec::new();
    for item in patch.items().iter().chain(dest_items.iter()) {
        if !item.is_map() {
            continue;
        }
        let value = key_values(item, keys);
        if !values.contains(&value) {
            values.push(value);
        }
    }
    let mut result: Vec<KNode> = Vec::new();
    for value in &values {
        let d = dest_items
            .iter()
            .position(|i| has_key_values(i, keys, value));
        let pe = patch
            .items()
            .iter()
            .find(|i| has_key_values(i, keys, value))
            .cloned();
        let d_node = d.map(|i| dest_items[i].clone());
        match merge(d_node, pe, elem)? {
            Some(mut node) if node.is_map() && !node.entries().is_empty() => {
                for (i, key) in keys.iter().enumerate() {
                    if node.get(key).is_none() && !value[i].is_empty() {
                        let span = node.span;
                        node.set(key, span, KNode::string(&value[i], span));
                    }
                }
                if let Some(slot) = result.iter().position(|r| has_key_values(r, keys, value)) {
                    result[slot] = node;
                } else {
                    result.push(node);
                }
            }
            _ => {
                if let Some(i) = d {
                    dest_items.remove(i);
                }
            }
        }
    }
    Ok(result)
}

/// The values of an element's merge keys (empty for a missing one).
fn key_values(item: &KNode, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            item.get(k)
                .and_then(|v| match &v.kind {
                    KKind::Scalar(s, _) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Whether `item` has the merge key values `want`, comparing only the keys `want` has (a
/// missing secondary key is ignored).
fn has_key_values(item: &KNode, keys: &[&str], want: &[String]) -> bool {
    let have = key_values(item, keys);
    let valid: Vec<usize> = (0..want.len()).filter(|&i| !want[i].is_empty()).collect();
    let check: Vec<usize> = if valid.is_empty() {
        (0..want.len()).collect()
    } else {
        valid
    };
    check.iter().all(|&i| have[i] == want[i])
}

/// Applies a strategic merge patch to a whole resource. `Ok(None)`: the patch deletes it.
///
/// It takes the resource (a failed patch fails the whole build): merging into it, not into a
/// copy of it, is what keeps patching thousands of objects cheap.
pub(crate) fn apply(resource: KNode, patch: &KNode) -> Result<Option<KNode>, String> {
    let api_version = resource.str_at("apiVersion").unwrap_or("");
    let kind = resource.str_at("kind").unwrap_or("");
    let schema = schema_for(api_version, kind);
    let mut patch = patch.clone();
    // The patch never renames: identity fields stay the resource's.
    if let Some(meta) = patch.get_mut("metadata") {
        meta.remove("name");
        meta.remove("namespace");
    }
    patch.remove("kind");
    patch.remove("apiVersion");
    if patch.str_at("$patch") == Some("delete") {
        return Ok(None);
    }
    let merged = merge(Some(resource), Some(patch), schema)?;
    Ok(merged.filter(|m| !m.entries().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::knode::parse_first as node;

    #[test]
    fn containers_merge_by_name_with_patch_items_first() {
        let base = node("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: a:1\n        env: [{name: X, value: '1'}, {name: Y, value: '2'}]\n      - name: b\n        image: b:1\n      tolerations: [{key: k}]\n");
        let patch = node("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: b\n        image: b:2\n        args: [x]\n      - name: a\n        env: [{name: Y, $patch: delete}, {name: Z, value: '3'}]\n      tolerations: [{key: j}]\n");
        let out = apply(base, &patch).unwrap().unwrap().to_json();
        let spec = &out["spec"]["template"]["spec"];
        assert_eq!(spec["containers"][0]["name"], "b");
        assert_eq!(spec["containers"][0]["image"], "b:2");
        assert_eq!(spec["containers"][1]["image"], "a:1");
        assert_eq!(
            spec["containers"][1]["env"],
            serde_json::json!([{"name": "Z", "value": "3"}, {"name": "X", "value": "1"}])
        );
        assert_eq!(spec["tolerations"], serde_json::json!([{"key": "j"}]));
    }

    #[test]
    fn null_deletes_and_patch_delete_removes_the_resource() {
        let base = node("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - name: d\n    emptyDir: {}\n");
        let patch = node("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - name: d\n    emptyDir: null\n    hostPath: {path: /x}\n");
        let out = apply(base.clone(), &patch).unwrap().unwrap().to_json();
        assert_eq!(
            out["spec"]["volumes"],
            serde_json::json!([{"name": "d", "hostPath": {"path": "/x"}}])
        );
        let delete = node("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n$patch: delete\n");
        assert!(apply(base, &delete).unwrap().is_none());
    }
}
