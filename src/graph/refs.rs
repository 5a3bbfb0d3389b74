//! Reading the references objects make to each other: what a pod spec names, where an Ingress
//! routes, which pods a NetworkPolicy or a Service selects. Each reader returns the node the
//! reference is written at, so findings point at it.

use crate::model::{PodSpec, Resource, Selector};
use crate::yaml::NodeRef;

/// A ConfigMap, Secret or PersistentVolumeClaim a pod spec names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PodRef<'a> {
    /// `ConfigMap`, `Secret` or `PersistentVolumeClaim`.
    pub(crate) kind: &'static str,
    pub(crate) name: &'a str,
    /// The name's value node.
    pub(crate) node: NodeRef<'a>,
    /// `optional: true`: the pod starts without it.
    pub(crate) optional: bool,
    /// The pod volume that refers to it, for volume references.
    pub(crate) volume: Option<&'a str>,
}

/// Every ConfigMap, Secret and PersistentVolumeClaim the pod spec refers to: in `env`
/// (`configMapKeyRef`, `secretKeyRef`) and `envFrom` of every container, in `configMap`,
/// `secret`, `persistentVolumeClaim` and `projected` volumes, and in `imagePullSecrets`.
pub(crate) fn pod_references(pod: PodSpec<'_>) -> Vec<PodRef<'_>> {
    let mut out = Vec::new();
    for container in pod.containers() {
        for from in container.items("env").filter_map(|e| e.get("valueFrom")) {
            push_ref(
                &mut out,
                "ConfigMap",
                from.get("configMapKeyRef"),
                "name",
                None,
            );
            push_ref(&mut out, "Secret", from.get("secretKeyRef"), "name", None);
        }
        for from in container.items("envFrom") {
            push_ref(
                &mut out,
                "ConfigMap",
                from.get("configMapRef"),
                "name",
                None,
            );
            push_ref(&mut out, "Secret", from.get("secretRef"), "name", None);
        }
    }
    for volume in pod.items("volumes") {
        let name = volume.str_at("name");
        push_ref(&mut out, "ConfigMap", volume.get("configMap"), "name", name);
        push_ref(&mut out, "Secret", volume.get("secret"), "secretName", name);
        let claim = volume.get("persistentVolumeClaim");
        push_ref(&mut out, "PersistentVolumeClaim", claim, "claimName", name);
        for source in volume
            .path(&["projected", "sources"])
            .into_iter()
            .flat_map(|s| s.items())
        {
            push_ref(&mut out, "ConfigMap", source.get("configMap"), "name", None);
            push_ref(&mut out, "Secret", source.get("secret"), "name", None);
        }
    }
    for item in pod.items("imagePullSecrets") {
        push_ref(&mut out, "Secret", Some(item), "name", None);
    }
    out
}

/// Adds the reference `holder` makes by naming a `kind` under `key` (with its `optional`), if
/// it names one; `volume` is the pod volume that holds it.
fn push_ref<'a>(
    out: &mut Vec<PodRef<'a>>,
    kind: &'static str,
    holder: Option<NodeRef<'a>>,
    key: &str,
    volume: Option<&'a str>,
) {
    let Some(holder) = holder else {
        return;
    };
    let Some(node) = holder.get(key) else {
        return;
    };
    let Some(name) = node.as_str().filter(|n| !n.is_empty()) else {
        return;
    };
    out.push(PodRef {
        kind,
        name,
        node,
        optional: holder.bool_at("optional") == Some(true),
        volume,
    });
}

/// The ServiceAccount a pod runs as, as the API server reads it: `serviceAccountName`, else the
/// deprecated `serviceAccount`, else `default`; with the node that names it.
pub(crate) fn service_account(pod: PodSpec<'_>) -> (&str, Option<NodeRef<'_>>) {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(node) = pod.spec.get(field) {
            if let Some(name) = node.as_str().filter(|n| !n.is_empty()) {
                return (name, Some(node));
            }
        }
    }
    ("default", None)
}

/// The port of a backend: a number or a port name.
#[derive(Clone, Copy, Debug)]
pub(crate) enum BackendPort<'a> {
    Number(i64),
    Name(&'a str),
}

/// One Service backend of an Ingress.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Backend<'a> {
    pub(crate) service: &'a str,
    /// The service name's value node.
    pub(crate) service_node: NodeRef<'a>,
    pub(crate) port: Option<(BackendPort<'a>, NodeRef<'a>)>,
}

/// Every Service backend of an Ingress (`networking.k8s.io` or `extensions`), read as its API
/// version reads it: in `networking.k8s.io/v1`, `defaultBackend` and each path's
/// `service: {name, port}`; in the beta versions, `backend` and `serviceName`/`servicePort`.
/// A field of the other version names no Service (the API server ignores or rejects it).
/// Resource backends are not Services.
pub(crate) fn ingress_backends(resource: &Resource) -> Vec<Backend<'_>> {
    let v1 = is_ingress_v1(resource);
    backend_nodes(resource)
        .into_iter()
        .filter_map(|node| backend(node, v1))
        .collect()
}

/// The `serviceName` values of a `networking.k8s.io/v1` Ingress's backends that have no
/// `service`: written in the beta shape, they name no Service in v1.
pub(crate) fn ingress_beta_fields_in_v1(resource: &Resource) -> Vec<NodeRef<'_>> {
    if !is_ingress_v1(resource) {
        return Vec::new();
    }
    backend_nodes(resource)
        .into_iter()
        .filter(|node| !node.get("service").is_some_and(|s| !s.is_null()))
        .filter_map(|node| node.get("serviceName").filter(|n| !n.is_null()))
        .collect()
}

fn is_ingress_v1(resource: &Resource) -> bool {
    resource.api_version == "networking.k8s.io/v1"
}

/// The backend mappings of an Ingress: the default backend (`defaultBackend` in v1, `backend`
/// in the beta versions; a v1 `backend` is read too, for `ingress_beta_fields_in_v1`) and the
/// backend of every path.
fn backend_nodes(resource: &Resource) -> Vec<NodeRef<'_>> {
    if resource.kind != "Ingress" || !matches!(resource.group(), "networking.k8s.io" | "extensions")
    {
        return Vec::new();
    }
    let Some(spec) = resource.root().get("spec") else {
        return Vec::new();
    };
    let mut backends: Vec<NodeRef<'_>> = ["defaultBackend", "backend"]
        .into_iter()
        .filter_map(|key| spec.get(key))
        .collect();
    for rule in spec.get("rules").into_iter().flat_map(|r| r.items()) {
        for path in rule
            .path(&["http", "paths"])
            .into_iter()
            .flat_map(|p| p.items())
        {
            backends.extend(path.get("backend"));
        }
    }
    backends
}

/// A `servicePort` (`v1beta1`): a number or a port name.
fn port_of(port: NodeRef<'_>) -> Option<(BackendPort<'_>, NodeRef<'_>)> {
    if let Some(number) = port.as_i64() {
        return Some((BackendPort::Number(number), port));
    }
    port.as_str()
        .filter(|p| !p.is_empty())
        .map(|name| (BackendPort::Name(name), port))
}

/// The Service a backend mapping names, in the shape of its API version (`v1`: `service`).
fn backend(node: NodeRef<'_>, v1: bool) -> Option<Backend<'_>> {
    if v1 {
        let service = node.get("service")?;
        let service_node = service.get("name")?;
        let name = service_node.as_str().filter(|n| !n.is_empty())?;
        let port = service.get("port").and_then(|p| {
            p.get("number")
                .filter(|n| !n.is_null())
                .and_then(|n| n.as_i64().map(|v| (BackendPort::Number(v), n)))
                .or_else(|| {
                    p.get("name")
                        .and_then(|n| n.as_str().filter(|s| !s.is_empty()).map(|s| (n, s)))
                        .map(|(n, s)| (BackendPort::Name(s), n))
                })
        });
        return Some(Backend {
            service: name,
            service_node,
            port,
        });
    }
    let service_node = node.get("serviceName")?;
    let name = service_node.as_str().filter(|n| !n.is_empty())?;
    Some(Backend {
        service: name,
        service_node,
        port: node.get("servicePort").and_then(port_of),
    })
}

/// Whether a Service (core `v1`) exposes the backend port: a number matches a `port`, a name
/// matches the `name` of a port. A Service whose ports cannot be read is given the benefit of
/// the doubt.
pub(crate) fn service_has_port(service: &Resource, port: BackendPort<'_>) -> bool {
    let Some(ports) = service
        .root()
        .path(&["spec", "ports"])
        .filter(|p| p.is_sequence())
    else {
        return true;
    };
    ports.items().any(|p| match port {
        BackendPort::Number(number) => p.get("port").and_then(|n| n.as_i64()) == Some(number),
        BackendPort::Name(name) => p.str_at("name") == Some(name),
    })
}

/// The pods a Service sends traffic to: its `spec.selector` (a plain map). `None` for a Service
/// that selects nothing by design: without a selector (its endpoints are managed by hand or by
/// a controller), of type `ExternalName`, or with a selector Kubernetes rejects.
pub fn service_selector(resource: &Resource) -> Option<(Selector<'_>, NodeRef<'_>)> {
    if resource.kind != "Service" || !resource.group().is_empty() {
        return None;
    }
    let spec = resource.root().get("spec")?;
    if spec.str_at("type") == Some("ExternalName") {
        return None;
    }
    let node = spec.get("selector")?;
    let selector = Selector::from_map(Some(node)).ok()?;
    (!selector.is_empty()).then_some((selector, node))
}

/// Whether the Service is reachable from outside the cluster by itself: `NodePort` or
/// `LoadBalancer`. Returns the `type` value node.
pub(crate) fn service_exposure(resource: &Resource) -> Option<NodeRef<'_>> {
    let value = resource.root().path(&["spec", "type"])?;
    matches!(value.as_str(), Some("NodePort" | "LoadBalancer")).then_some(value)
}

/// A NetworkPolicy of `networking.k8s.io` (or the old `extensions` group).
pub(crate) fn is_network_policy(resource: &Resource) -> bool {
    resource.kind == "NetworkPolicy"
        && matches!(resource.group(), "networking.k8s.io" | "extensions")
}

/// The pods a NetworkPolicy applies to: `spec.podSelector`, which is not a pointer in the API,
/// so a missing or null one is `{}` and selects every pod of the namespace.
pub(crate) fn policy_pod_selector(
    resource: &Resource,
) -> Option<(Selector<'_>, Option<NodeRef<'_>>)> {
    let spec = resource.root().get("spec")?;
    match spec.get("podSelector").filter(|s| !s.is_null()) {
        None => Some((Selector::everything(), None)),
        Some(node) => Selector::from_label_selector(Some(node))
            .ok()
            .map(|s| (s, Some(node))),
    }
}

/// The policy types a NetworkPolicy enforces: `(ingress, egress)`. Without `policyTypes` (or
/// with a null or empty one) the API server defaults it: Ingress always, Egress when the
/// policy has egress rules.
pub(crate) fn policy_types(resource: &Resource) -> (bool, bool) {
    let Some(spec) = resource.root().get("spec") else {
        return (true, false);
    };
    match spec
        .get("policyTypes")
        .filter(|t| t.is_sequence() && t.items().next().is_some())
    {
        Some(types) => (
            types.items().any(|t| t.as_str() == Some("Ingress")),
            types.items().any(|t| t.as_str() == Some("Egress")),
        ),
        None => (
            true,
            spec.get("egress")
                .is_some_and(|e| e.is_sequence() && e.items().next().is_some()),
        ),
    }
}

/// A peer of a NetworkPolicy rule that selects pods of the policy's own namespace: a
/// `podSelector` without `namespaceSelector` and without `ipBlock`.
#[derive(Clone, Debug)]
pub(crate) struct LocalPeer<'a> {
    /// `true` for an ingress rule's `from`, `false` for an egress rule's `to`.
    pub(crate) ingress: bool,
    pub(crate) selector: Selector<'a>,
    /// The `podSelector` value.
    pub(crate) node: NodeRef<'a>,
    /// The only peer of its rule.
    pub(crate) alone: bool,
}

/// The same-namespace pod peers of a NetworkPolicy's enforced rules.
pub(crate) fn local_peers(resource: &Resource) -> Vec<LocalPeer<'_>> {
    let Some(spec) = resource.root().get("spec") else {
        return Vec::new();
    };
    let (ingress, egress) = policy_types(resource);
    let mut out = Vec::new();
    for (enforced, rules_key, peers_key, is_ingress) in [
        (ingress, "ingress", "from", true),
        (egress, "egress", "to", false),
    ] {
        if !enforced {
            continue;
        }
        for rule in spec.get(rules_key).into_iter().flat_map(|r| r.items()) {
            let alone = rule.get(peers_key).map_or(0, |p| p.items().count()) == 1;
            for peer in rule.get(peers_key).into_iter().flat_map(|p| p.items()) {
                let set = |key: &str| peer.get(key).filter(|v| !v.is_null());
                let (Some(node), None, None) =
                    (set("podSelector"), set("namespaceSelector"), set("ipBlock"))
                else {
                    continue;
                };
                if let Ok(selector) = Selector::from_label_selector(Some(node)) {
                    out.push(LocalPeer {
                        ingress: is_ingress,
                        selector,
                        node,
                        alone,
                    });
                }
            }
        }
    }
    out
}

/// The pods a PodDisruptionBudget covers: `spec.selector`. In `policy/v1` an empty selector
/// selects every pod of the namespace; in `policy/v1beta1` it selects none. A missing one
/// selects none.
pub(crate) fn pdb_selector(resource: &Resource) -> Option<(Selector<'_>, NodeRef<'_>)> {
    if resource.kind != "PodDisruptionBudget" || resource.group() != "policy" {
        return None;
    }
    let spec = resource.root().get("spec")?;
    let node = spec.get("selector").filter(|s| !s.is_null())?;
    let selector = Selector::from_label_selector(Some(node)).ok()?;
    if selector.is_empty() && resource.api_version == "policy/v1beta1" {
        return Some((Selector::nothing(), node));
    }
    Some((selector, node))
}

/// The object a HorizontalPodAutoscaler scales: `spec.scaleTargetRef` kind and name, with the
/// name's node.
pub(crate) fn hpa_target(resource: &Resource) -> Option<(&str, &str, NodeRef<'_>)> {
    if resource.kind != "HorizontalPodAutoscaler" || resource.group() != "autoscaling" {
        return None;
    }
    let target = resource.root().path(&["spec", "scaleTargetRef"])?;
    let kind = target.str_at("kind").filter(|k| !k.is_empty())?;
    let node = target.get("name")?;
    let name = node.as_str().filter(|n| !n.is_empty())?;
    Some((kind, name, node))
}
