//! Repairing references to renamed objects (`vars` are [`super::vars`]).
//!
//! When `namePrefix`, `nameSuffix`, `namespace` or a generator's hash suffix renames an object,
//! Kustomize rewrites the fields that refer to it by name: a pod's ConfigMap and Secret refs,
//! its ServiceAccount, RoleBinding `roleRef` and `subjects`, HPA targets, Ingress backends…
//! This is that pass, with Kustomize's table of referring fields and its rules for picking the
//! referred object when several share an old name.

use std::collections::HashMap;

use super::res::{Gvk, KRes, ResId};
use super::transform::segments;
use crate::build::knode::{KKind, KNode};

struct Ref {
    /// The referred kind.
    target: Gvk,
    /// (referrer gvk, field path).
    fields: Vec<(Gvk, String)>,
}

fn pod_paths(suffixes: &[&str], kinds: &[(&str, &str, &str)]) -> Vec<(Gvk, String)> {
    let mut out = Vec::new();
    for &(version, kind, prefix) in kinds {
        for suffix in suffixes {
            out.push((Gvk::new("", version, kind), format!("{prefix}{suffix}")));
        }
    }
    out
}

fn table() -> Vec<Ref> {
    let g = Gvk::new;
    let workloads: &[(&str, &str, &str)] = &[
        ("v1", "Pod", "spec/"),
        ("", "PodTemplate", "template/spec/"),
        ("", "Deployment", "spec/template/spec/"),
        ("", "ReplicaSet", "spec/template/spec/"),
        ("", "DaemonSet", "spec/template/spec/"),
        ("", "StatefulSet", "spec/template/spec/"),
        ("", "Job", "spec/template/spec/"),
        ("", "CronJob", "spec/jobTemplate/spec/template/spec/"),
    ];
    let mut config_map = pod_paths(
        &[
            "volumes/configMap/name",
            "containers/env/valueFrom/configMapKeyRef/name",
            "initContainers/env/valueFrom/configMapKeyRef/name",
            "containers/envFrom/configMapRef/name",
            "initContainers/envFrom/configMapRef/name",
            "volumes/projected/sources/configMap/name",
        ],
        workloads,
    );
    config_map.extend([
        (g("", "", "Node"), "spec/configSource/configMap".to_string()),
        (g("", "", "Role"), "rules/resourceNames".to_string()),
        (g("", "", "ClusterRole"), "rules/resourceNames".to_string()),
        (
            g("", "", "Ingress"),
            "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap"
                .to_string(),
        ),
    ]);
    let mut secret = pod_paths(
        &[
            "volumes/secret/secretName",
            "containers/env/valueFrom/secretKeyRef/name",
            "initContainers/env/valueFrom/secretKeyRef/name",
            "containers/envFrom/secretRef/name",
            "initContainers/envFrom/secretRef/name",
            "imagePullSecrets/name",
            "volumes/projected/sources/secret/name",
        ],
        workloads,
    );
    for (kind, path) in [
        ("Ingress", "spec/tls/secretName"),
        (
            "Ingress",
            "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
        ),
        (
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
        ),
        (
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
        ),
        ("ServiceAccount", "imagePullSecrets/name"),
        ("StorageClass", "parameters/secretName"),
        ("StorageClass", "parameters/adminSecretName"),
        ("StorageClass", "parameters/userSecretName"),
        ("StorageClass", "parameters/secretRef"),
        ("Role", "rules/resourceNames"),
        ("ClusterRole", "rules/resourceNames"),
        ("PersistentVolume", "spec/azureFile/secretName"),
    ] {
        secret.push((g("", "", kind), path.to_string()));
    }
    secret.push((
        g("serving.knative.dev", "v1", "Service"),
        "spec/template/spec/containers/env/valueFrom/secretKeyRef/name".to_string(),
    ));
    let sa_kinds: &[(&str, &str)] = &[
        ("Pod", "spec/serviceAccountName"),
        ("StatefulSet", "spec/template/spec/serviceAccountName"),
        ("Deployment", "spec/template/spec/serviceAccountName"),
        (
            "ReplicationController",
            "spec/template/spec/serviceAccountName",
        ),
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec/serviceAccountName",
        ),
        ("Job", "spec/template/spec/serviceAccountName"),
        ("DaemonSet", "spec/template/spec/serviceAccountName"),
    ];
    let mut service_account: Vec<(Gvk, String)> = vec![
        (
            g("rbac.authorization.k8s.io", "", "RoleBinding"),
            "subjects".to_string(),
        ),
        (
            g("rbac.authorization.k8s.io", "", "ClusterRoleBinding"),
            "subjects".to_string(),
        ),
    ];
    service_account.extend(sa_kinds.iter().map(|(k, p)| (g("", "", k), p.to_string())));
    let pvc_kinds: &[(&str, &str)] = &[
        ("Pod", "spec/volumes/persistentVolumeClaim/claimName"),
        (
            "StatefulSet",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "Deployment",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "ReplicationController",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "Job",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "DaemonSet",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
    ];
    let priority_kinds: &[(&str, &str)] = &[
        ("Pod", "spec/priorityClassName"),
        ("StatefulSet", "spec/template/spec/priorityClassName"),
        ("Deployment", "spec/template/spec/priorityClassName"),
        (
            "ReplicationController",
            "spec/template/spec/priorityClassName",
        ),
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec/priorityClassName",
        ),
        ("Job", "spec/template/spec/priorityClassName"),
        ("DaemonSet", "spec/template/spec/priorityClassName"),
    ];
    let list = |items: &[(&str, &str)]| -> Vec<(Gvk, String)> {
        items
            .iter()
            .map(|(k, p)| (g("", "", k), p.to_string()))
            .collect()
    };
    let hpa = vec![(
        g("", "", "HorizontalPodAutoscaler"),
        "spec/scaleTargetRef/name".to_string(),
    )];
    vec![
        Ref {
            target: g("", "", "Deployment"),
            fields: hpa.clone(),
        },
        Ref {
            target: g("", "", "ReplicationController"),
            fields: hpa.clone(),
        },
        Ref {
            target: g("", "", "ReplicaSet"),
            fields: hpa.clone(),
        },
        Ref {
            target: g("", "", "StatefulSet"),
            fields: hpa,
        },
        Ref {
            target: g("", "v1", "ConfigMap"),
            fields: config_map,
        },
        Ref {
            target: g("", "v1", "Secret"),
            fields: secret,
        },
        Ref {
            target: g("", "v1", "Service"),
            fields: vec![
                (g("apps", "", "StatefulSet"), "spec/serviceName".to_string()),
                (
                    g("", "", "Ingress"),
                    "spec/rules/http/paths/backend/serviceName".to_string(),
                ),
                (g("", "", "Ingress"), "spec/backend/serviceName".to_string()),
                (
                    g("", "", "Ingress"),
                    "spec/rules/http/paths/backend/service/name".to_string(),
                ),
                (
                    g("", "", "Ingress"),
                    "spec/defaultBackend/service/name".to_string(),
                ),
                (
                    g("apiregistration.k8s.io", "", "APIService"),
                    "spec/service/name".to_string(),
                ),
                (
                    g(
                        "admissionregistration.k8s.io",
                        "",
                        "ValidatingWebhookConfiguration",
                    ),
                    "webhooks/clientConfig/service".to_string(),
                ),
                (
                    g(
                        "admissionregistration.k8s.io",
                        "",
                        "MutatingWebhookConfiguration",
                    ),
                    "webhooks/clientConfig/service".to_string(),
                ),
                (
                    g("", "", "HTTPRoute"),
                    "spec/rules/backendRefs/name".to_string(),
                ),
            ],
        },
        Ref {
            target: g("rbac.authorization.k8s.io", "", "Role"),
            fields: vec![(
                g("rbac.authorization.k8s.io", "", "RoleBinding"),
                "roleRef/name".to_string(),
            )],
        },
        Ref {
            target: g("rbac.authorization.k8s.io", "", "ClusterRole"),
            fields: vec![
                (
                    g("rbac.authorization.k8s.io", "", "RoleBinding"),
                    "roleRef/name".to_string(),
                ),
                (
                    g("rbac.authorization.k8s.io", "", "ClusterRoleBinding"),
                    "roleRef/name".to_string(),
                ),
            ],
        },
        Ref {
            target: g("", "v1", "ServiceAccount"),
            fields: service_account,
        },
        Ref {
            target: g("", "v1", "PersistentVolumeClaim"),
            fields: list(pvc_kinds),
        },
        Ref {
            target: g("", "v1", "PersistentVolume"),
            fields: vec![
                (
                    g("", "", "PersistentVolumeClaim"),
                    "spec/volumeName".to_string(),
                ),
                (g("", "", "ClusterRole"), "rules/resourceNames".to_string()),
            ],
        },
        Ref {
            target: g("storage.k8s.io", "v1", "StorageClass"),
            fields: list(&[
                ("PersistentVolume", "spec/storageClassName"),
                ("PersistentVolumeClaim", "spec/storageClassName"),
                (
                    "StatefulSet",
                    "spec/volumeClaimTemplates/spec/storageClassName",
                ),
            ]),
        },
        Ref {
            target: g("scheduling.k8s.io", "v1", "PriorityClass"),
            fields: list(priority_kinds),
        },
    ]
}

/// What a candidate referral looks like, frozen before any reference is rewritten.
struct Candidate {
    cur: ResId,
    /// `cur`'s effective namespace and whether its kind is cluster-scoped, computed once.
    cur_ns: String,
    cluster: bool,
    prev: Vec<ResId>,
    org_ns: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

/// The candidates by what a reference looks them up with, so that resolving one reference
/// costs the candidates of that name, not a pass over every resource of the build (a build of
/// thousands of objects would be quadratic).
struct Candidates {
    list: Vec<Candidate>,
    /// By each name the candidate had before a rename (only renamed objects are referrals),
    /// in index order, each candidate once per name.
    by_previous_name: HashMap<String, Vec<usize>>,
    /// By the effective namespace of the original id, in index order.
    by_org_ns: HashMap<String, Vec<usize>>,
    /// Candidates looked at while resolving references: counted, not timed, so a test can
    /// show the pass grows linearly with the build.
    examined: std::cell::Cell<usize>,
}

impl Candidates {
    fn count(&self, n: usize) {
        self.examined.set(self.examined.get() + n);
    }

    /// The candidates of `resources`. Their rename histories (previous ids, prefixes,
    /// suffixes) are moved here, not copied: the pass does not change them, and
    /// [`give_back`](Self::give_back) returns them.
    fn new(resources: &mut [KRes]) -> Candidates {
        let list: Vec<Candidate> = resources
            .iter_mut()
            .map(|r| {
                let cur = r.cur_id();
                Candidate {
                    cur_ns: cur.effective_namespace(),
                    cluster: cur.is_cluster_scoped(),
                    org_ns: r.org_id().effective_namespace(),
                    cur,
                    prev: std::mem::take(&mut r.prev),
                    prefixes: std::mem::take(&mut r.prefixes),
                    suffixes: std::mem::take(&mut r.suffixes),
                }
            })
            .collect();
        let mut by_previous_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_org_ns: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in list.iter().enumerate() {
            for id in &c.prev {
                let entry = by_previous_name.entry(id.name.clone()).or_default();
                if entry.last() != Some(&i) {
                    entry.push(i);
                }
            }
            by_org_ns.entry(c.org_ns.clone()).or_default().push(i);
        }
        Candidates {
            list,
            by_previous_name,
            by_org_ns,
            examined: std::cell::Cell::new(0),
        }
    }

    /// Returns the rename histories [`new`](Self::new) took to their resources.
    fn give_back(self, resources: &mut [KRes]) {
        for (r, c) in resources.iter_mut().zip(self.list) {
            r.prev = c.prev;
            r.prefixes = c.prefixes;
            r.suffixes = c.suffixes;
        }
    }
}

/// The candidates a resource may refer to (Kustomize's
/// `SubsetThatCouldBeReferencedByResource`), as a test rather than a list.
enum Reach {
    /// A cluster-scoped referrer reaches everything.
    All,
    /// Cluster-scoped candidates, those of the referrer's namespace, and those of the
    /// namespaces a RoleBinding's ServiceAccount subjects name.
    Namespaces {
        namespace: String,
        binding_namespaces: Vec<String>,
    },
}

impl Reach {
    fn contains(&self, c: &Candidate) -> bool {
        match self {
            Reach::All => true,
            Reach::Namespaces {
                namespace,
                binding_namespaces,
            } => {
                c.cluster || &c.cur_ns == namespace || binding_namespaces.contains(&c.cur.namespace)
            }
        }
    }
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    let diff = long.len() - short.len();
    short.iter().enumerate().all(|(i, s)| &long[i + diff] == s)
}

struct Ctx<'a> {
    candidates: &'a Candidates,
    /// The candidates in the referrer's reach.
    reach: &'a Reach,
    referrer_cur: &'a ResId,
    referrer_prefixes: &'a [String],
    referrer_suffixes: &'a [String],
    target: &'a Gvk,
    role_ref: Option<Gvk>,
}

impl Ctx<'_> {
    /// Kustomize's `selectReferral`: which candidate `old_name` refers to.
    ///
    /// `in_pool` says which candidates may be chosen (those of a namespace, those in reach);
    /// only candidates once named `old_name` are looked at.
    fn select(
        &self,
        old_name: &str,
        in_pool: &dyn Fn(usize) -> bool,
        same: &dyn Fn(&[usize]) -> bool,
    ) -> Result<Option<usize>, String> {
        let c = &self.candidates.list;
        let named = self.candidates.by_previous_name.get(old_name);
        self.candidates.count(named.map_or(0, Vec::len));
        let mut list: Vec<usize> = named
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| in_pool(i))
            .filter(|&i| c[i].prev.iter().any(|id| id.gvk.selected_by(self.target)))
            .filter(|&i| match &self.role_ref {
                Some(gvk) => c[i].prev.iter().any(|id| id.gvk.selected_by(gvk)),
                None => true,
            })
            .filter(|&i| {
                self.referrer_cur.is_cluster_scoped()
                    || c[i].cur.is_cluster_scoped()
                    || c[i].cur.gvk.kind == "ServiceAccount"
                    || c[i].cur_ns == self.referrer_cur.effective_namespace()
            })
            .collect();
        if list.len() == 1 {
            return Ok(Some(list[0]));
        }
        for allow_empty in [true, false] {
            list.retain(|&i| {
                let r = &c[i];
                if allow_empty {
                    let pe = r.prefixes.is_empty() || self.referrer_prefixes.is_empty();
                    let se = r.suffixes.is_empty() || self.referrer_suffixes.is_empty();
                    (pe || same_ending(&r.prefixes, self.referrer_prefixes))
                        && (se || same_ending(&r.suffixes, self.referrer_suffixes))
                } else {
                    same_ending(&r.prefixes, self.referrer_prefixes)
                        && same_ending(&r.suffixes, self.referrer_suffixes)
                }
            });
            if list.len() == 1 {
                return Ok(Some(list[0]));
            }
        }
        if list.is_empty() {
            return Ok(None);
        }
        if same(&list) {
            return Ok(Some(list[0]));
        }
        let ids: Vec<String> = list.iter().map(|&i| c[i].cur.describe()).collect();
        Err(format!(
            "`{old_name}` could refer to several objects: {}",
            ids.join(", ")
        ))
    }

    fn set(&self, node: &mut KNode) -> Result<(), String> {
        if node.is_null() {
            return Ok(());
        }
        match &mut node.kind {
            KKind::Scalar(..) => self.set_scalar(node),
            KKind::Map(_) => self.set_mapping(node),
            KKind::Seq(items) => {
                for item in items {
                    match item.kind {
                        KKind::Scalar(..) => self.set_scalar(item)?,
                        KKind::Map(_) => self.set_mapping(item)?,
                        KKind::Seq(_) => {}
                    }
                }
                Ok(())
            }
        }
    }

    fn set_scalar(&self, node: &mut KNode) -> Result<(), String> {
        let Some(old) = node.as_str().map(str::to_string) else {
            return Ok(());
        };
        let c = &self.candidates.list;
        let same = |l: &[usize]| l.iter().all(|&i| c[i].cur.name == c[l[0]].cur.name);
        let in_reach = |i: usize| self.reach.contains(&c[i]);
        if let Some(i) = self.select(&old, &in_reach, &same)? {
            if c[i].cur.name != old {
                *node = KNode::string(&c[i].cur.name, node.span);
            }
        }
        Ok(())
    }

    fn set_mapping(&self, node: &mut KNode) -> Result<(), String> {
        let Some(old) = node.str_at("name").map(str::to_string) else {
            return Ok(());
        };
        let c = &self.candidates.list;
        let namespace = node.str_at("namespace").map(str::to_string);
        // With a namespace: the candidates in reach that were first in it, else those in reach
        // that are in it now.
        let by_org = namespace.as_deref().is_some_and(|ns| {
            self.candidates.by_org_ns.get(ns).is_some_and(|l| {
                l.iter().any(|&i| {
                    self.candidates.count(1);
                    self.reach.contains(&c[i])
                })
            })
        });
        let in_pool = |i: usize| {
            self.reach.contains(&c[i])
                && match namespace.as_deref() {
                    None => true,
                    Some(ns) if by_org => c[i].org_ns == ns,
                    Some(ns) => c[i].cur_ns == ns,
                }
        };
        let same = |l: &[usize]| {
            l.iter().all(|&i| {
                c[i].cur.name == c[l[0]].cur.name && c[i].cur.namespace == c[l[0]].cur.namespace
            })
        };
        let Some(i) = self.select(&old, &in_pool, &same)? else {
            return Ok(());
        };
        let r = &c[i];
        if r.cur.name == old && r.cur.namespace.is_empty() {
            return Ok(());
        }
        if let Some(name) = node.get_mut("name") {
            *name = KNode::string(&r.cur.name, name.span);
        }
        if !r.cur.namespace.is_empty() {
            let span = node.get("name").map_or(node.span, |n| n.span);
            match node.get_mut("namespace") {
                Some(ns) => *ns = KNode::string(&r.cur.namespace, ns.span),
                None => node.set("namespace", span, KNode::string(&r.cur.namespace, span)),
            }
        }
        Ok(())
    }
}

/// One referring field of the table, split once.
struct Field<'t> {
    /// The referred kind.
    target: &'t Gvk,
    /// The referrers' gvk.
    referrer: &'t Gvk,
    segments: Vec<String>,
    /// A `roleRef/name` field: the candidates are also filtered by the `roleRef`'s kind.
    role_ref: bool,
}

/// The table's fields, and for each referrer kind met so far the ones that may apply to it,
/// in table order: a resource is matched against its kind's few fields, not all of them.
struct Fields<'t> {
    all: Vec<Field<'t>>,
    by_kind: HashMap<String, Vec<usize>>,
}

impl<'t> Fields<'t> {
    fn new(table: &'t [Ref]) -> Fields<'t> {
        let all = table
            .iter()
            .flat_map(|r| {
                r.fields.iter().map(move |(gvk, path)| Field {
                    target: &r.target,
                    referrer: gvk,
                    segments: segments(path),
                    role_ref: path.ends_with("roleRef/name"),
                })
            })
            .collect();
        Fields {
            all,
            by_kind: HashMap::new(),
        }
    }

    /// The indexes of the fields whose gvk's kind selects `kind`.
    fn of_kind(&mut self, kind: &str) -> Vec<usize> {
        if let Some(found) = self.by_kind.get(kind) {
            return found.clone();
        }
        let found: Vec<usize> = (0..self.all.len())
            .filter(|&i| {
                let k = &self.all[i].referrer.kind;
                k.is_empty() || k == kind
            })
            .collect();
        self.by_kind.insert(kind.to_string(), found.clone());
        found
    }
}

/// Kustomize's `FixBackReferences`: rewrites every name reference to a renamed object.
/// Returns the candidates it looked at ([`Candidates::examined`]).
pub(crate) fn fix_references(resources: &mut [KRes]) -> Result<usize, String> {
    let candidates = Candidates::new(resources);
    let result = rewrite(resources, &candidates);
    let examined = candidates.examined.get();
    candidates.give_back(resources);
    result.map(|()| examined)
}

/// Rewrites the references of every resource, each referrer against the `candidates` frozen
/// before the first rewrite (which hold the resources' rename histories meanwhile).
fn rewrite(resources: &mut [KRes], candidates: &Candidates) -> Result<(), String> {
    let table = table();
    let mut fields = Fields::new(&table);
    for index in 0..resources.len() {
        let referrer = &candidates.list[index];
        // Nothing of this resource was rewritten yet: its ids are the candidate's.
        let org_gvk = referrer
            .prev
            .first()
            .map_or(&referrer.cur.gvk, |id| &id.gvk);
        let applying: Vec<&Field> = fields
            .of_kind(&org_gvk.kind)
            .into_iter()
            .map(|i| &fields.all[i])
            .filter(|f| org_gvk.selected_by(f.referrer))
            .collect();
        if applying.is_empty() {
            continue;
        }
        let referrer_cur = &referrer.cur;
        let reach = reachable(resources, index, &candidates.list);
        for field in applying {
            let role_ref = if field.role_ref {
                let rr = resources[index].node.get("roleRef");
                match (
                    rr.and_then(|r| r.str_at("apiGroup")),
                    rr.and_then(|r| r.str_at("kind")),
                ) {
                    (Some(group), Some(kind)) => Some(Gvk::new(group, "", kind)),
                    _ => None,
                }
            } else {
                None
            };
            let ctx = Ctx {
                candidates,
                reach: &reach,
                referrer_cur,
                referrer_prefixes: &referrer.prefixes,
                referrer_suffixes: &referrer.suffixes,
                target: field.target,
                role_ref,
            };
            let mut error = None;
            visit_existing(&mut resources[index].node, &field.segments, &mut |node| {
                if error.is_none() {
                    if let Err(e) = ctx.set(node) {
                        error = Some(e);
                    }
                }
            });
            if let Some(e) = error {
                return Err(format!("in {}: {e}", referrer_cur.describe()));
            }
        }
    }
    Ok(())
}

/// Like `transform::visit` without creating anything.
pub(super) fn visit_existing(node: &mut KNode, path: &[String], set: &mut dyn FnMut(&mut KNode)) {
    let Some((first, rest)) = path.split_first() else {
        set(node);
        return;
    };
    match &mut node.kind {
        KKind::Seq(items) => items.iter_mut().for_each(|i| visit_existing(i, path, set)),
        KKind::Map(_) => {
            let name = first.strip_suffix("[]").unwrap_or(first);
            if let Some(child) = node.get_mut(name) {
                visit_existing(child, rest, set);
            }
        }
        KKind::Scalar(..) => {}
    }
}

/// The candidates `resources[index]` may refer to (Kustomize's
/// `SubsetThatCouldBeReferencedByResource`).
fn reachable(resources: &[KRes], index: usize, candidates: &[Candidate]) -> Reach {
    let referrer = &candidates[index];
    if referrer.cluster {
        return Reach::All;
    }
    let mut binding_namespaces = Vec::new();
    if referrer.cur.gvk.kind == "RoleBinding" {
        for subject in resources[index]
            .node
            .get("subjects")
            .map(KNode::items)
            .unwrap_or(&[])
        {
            if subject.str_at("kind") == Some("ServiceAccount") {
                if let Some(ns) = subject.str_at("namespace") {
                    binding_namespaces.push(ns.to_string());
                }
            }
        }
    }
    Reach::Namespaces {
        namespace: referrer.cur_ns.clone(),
        binding_namespaces,
    }
}
