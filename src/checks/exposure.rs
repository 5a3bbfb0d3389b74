//! Network exposure: NetworkPolicy rules that allow everything, Services reachable from outside
//! the cluster, Ingresses served over plain HTTP and SSH ports.

use super::{Ctx, Sink};
use crate::model::{PodSpec, Resource};
use crate::yaml::NodeRef;

/// `networkpolicy-allow-all`: a NetworkPolicy ingress or egress rule that allows every source
/// (or destination), or one of whose peers selects everything.
///
/// "Everything" is: a rule without peers (`from`/`to` missing, null or `[]`: every address, in
/// or out of the cluster); a peer whose `namespaceSelector` is empty and whose `podSelector` is
/// missing or empty (every pod of every namespace); an `ipBlock` whose CIDR has prefix length 0
/// and no `except` (every IPv4 or IPv6 address); an empty peer `{}` (rejected by the API server,
/// but written to mean "everything"). A `podSelector: {}` alone selects the pods of the policy's
/// own namespace only and is not reported. Rules of a direction the policy does not enforce
/// (`policyTypes` given without it) have no effect and are not reported.
pub(super) fn networkpolicy_allow_all(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if resource.kind != "NetworkPolicy"
        || !matches!(resource.group(), "networking.k8s.io" | "extensions")
    {
        return;
    }
    let Some(spec) = resource.root().get("spec").filter(|s| s.is_mapping()) else {
        return;
    };
    // A null or empty `policyTypes` is defaulted from the rules, as if it were absent.
    let policy_types = spec
        .get("policyTypes")
        .filter(|t| !(t.is_null() || (t.is_sequence() && t.items().next().is_none())));
    for direction in [Direction::Ingress, Direction::Egress] {
        // Without `policyTypes`, Ingress always applies and Egress applies when egress rules
        // exist (which is the case for every rule we look at).
        let enforced = policy_types.map_or(true, |types| {
            !types.is_sequence()
                || types
                    .items()
                    .any(|t| t.as_str() == Some(direction.policy_type()))
        });
        if !enforced {
            continue;
        }
        let Some(rules) = spec.get(direction.rules_key()) else {
            continue;
        };
        for rule in rules.items() {
            check_rule(resource, direction, rule, sink);
        }
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn policy_type(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    fn rules_key(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    fn peers_key(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }

    /// "from any source" / "to any destination".
    fn any_peer(self) -> &'static str {
        match self {
            Direction::Ingress => "from any source",
            Direction::Egress => "to any destination",
        }
    }

    /// "from" / "to".
    fn preposition(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

fn check_rule(resource: &Resource, direction: Direction, rule: NodeRef<'_>, sink: &mut Sink<'_>) {
    // A null list item decodes to an empty rule, which allows everything.
    if !rule.is_mapping() && !rule.is_null() {
        return;
    }
    // A rule limited to some ports is how a least-privilege policy opens what must be open
    // (DNS egress on 53, metrics scraped from any namespace): the ports are the restriction.
    // Only a rule that opens every port to everything allows all traffic.
    if rule
        .get("ports")
        .is_some_and(|p| p.is_sequence() && p.items().next().is_some())
    {
        return;
    }
    let ports = describe_ports(rule.get("ports"));
    let peers = rule.entry(direction.peers_key());
    let rule_name = direction.rules_key();
    match peers {
        Some((key, value)) if value.is_sequence() && value.items().next().is_none() => {
            sink.report(
                resource,
                key,
                format!(
                    "{rule_name} rule with an empty `{}` list allows traffic {}, {ports}",
                    direction.peers_key(),
                    direction.any_peer()
                ),
            );
        }
        Some((_, value)) if value.is_sequence() => {
            for peer in value.items() {
                if let Some(what) = selects_everything(peer) {
                    sink.report(
                        resource,
                        peer,
                        format!(
                            "{rule_name} rule allows traffic {} {what}, {ports}",
                            direction.preposition()
                        ),
                    );
                }
            }
        }
        Some((_, value)) if !value.is_null() => {} // not a list: rejected by the API server
        _ => {
            let what = if rule.entries().next().is_none() {
                format!("empty {rule_name} rule")
            } else {
                format!("{rule_name} rule without `{}`", direction.peers_key())
            };
            sink.report(
                resource,
                rule,
                format!("{what} allows traffic {}, {ports}", direction.any_peer()),
            );
        }
    }
}

/// What a peer selects when that is everything, for the message; `None` otherwise.
fn selects_everything(peer: NodeRef<'_>) -> Option<String> {
    if !peer.is_mapping() && !peer.is_null() {
        return None;
    }
    let field = |name: &str| peer.get(name).filter(|v| !v.is_null());
    let pods = field("podSelector");
    let namespaces = field("namespaceSelector");
    let ip_block = field("ipBlock");
    match (pods, namespaces, ip_block) {
        (None, None, None) => {
            Some("everything (an empty peer `{}`, which the API server rejects)".to_string())
        }
        (pods, Some(namespaces), None)
            if is_empty_selector(namespaces) && pods.map_or(true, is_empty_selector) =>
        {
            Some(if pods.is_some() {
                "every pod in every namespace (empty `namespaceSelector` and `podSelector`)"
                    .to_string()
            } else {
                "every pod in every namespace (empty `namespaceSelector`)".to_string()
            })
        }
        (None, None, Some(block)) => {
            let cidr = block.str_at("cidr")?;
            let (_, prefix) = cidr.trim().rsplit_once('/')?;
            let has_except = block
                .get("except")
                .is_some_and(|e| e.items().next().is_some());
            (prefix == "0" && !has_except).then(|| {
                let family = if cidr.contains(':') { "IPv6" } else { "IPv4" };
                format!("every {family} address (`ipBlock` `{}`)", cidr.trim())
            })
        }
        _ => None,
    }
}

/// A label selector that matches everything: no `matchLabels` and no `matchExpressions` (or
/// both empty). A null selector matches nothing and is treated as absent by the caller.
fn is_empty_selector(selector: NodeRef<'_>) -> bool {
    if !selector.is_mapping() {
        return false;
    }
    let labels_empty = selector.get("matchLabels").map_or(true, |l| {
        l.is_null() || (l.is_mapping() && l.entries().next().is_none())
    });
    let expressions_empty = selector.get("matchExpressions").map_or(true, |e| {
        e.is_null() || (e.is_sequence() && e.items().next().is_none())
    });
    labels_empty && expressions_empty
}

/// "on every port" or "restricted to ports 53/UDP, 53/TCP".
fn describe_ports(ports: Option<NodeRef<'_>>) -> String {
    let Some(ports) = ports.filter(|p| p.is_sequence() && p.items().next().is_some()) else {
        return "on every port".to_string();
    };
    let described: Vec<String> = ports
        .items()
        .map(|port| {
            let protocol = port.str_at("protocol").unwrap_or("TCP");
            match port.get("port").filter(|p| !p.is_null()) {
                None => format!("every {protocol} port"),
                Some(number) => {
                    let number = number.as_scalar().map_or("?", |(v, _)| v);
                    match port.get("endPort").and_then(NodeRef::as_i64) {
                        Some(end) => format!("{number}-{end}/{protocol}"),
                        None => format!("{number}/{protocol}"),
                    }
                }
            }
        })
        .collect();
    let noun = if described.len() == 1 && described.iter().all(|d| !d.starts_with("every ")) {
        "port "
    } else if described.iter().all(|d| !d.starts_with("every ")) {
        "ports "
    } else {
        ""
    };
    format!("restricted to {noun}{}", described.join(", "))
}

/// `service-exposed`: a Service of type NodePort or LoadBalancer.
pub(super) fn service_exposed(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if resource.kind != "Service" || !resource.group().is_empty() {
        return;
    }
    let Some(spec) = resource.root().get("spec") else {
        return;
    };
    let Some(value) = spec.get("type") else {
        return;
    };
    let message = match value.as_str() {
        Some("NodePort") => {
            "service is of type NodePort: its ports are open on every node's address".to_string()
        }
        Some("LoadBalancer") => {
            let internal = INTERNAL_LOAD_BALANCER
                .iter()
                .find(|(key, internal)| resource.annotation(key).is_some_and(internal));
            let mut message = match internal {
                Some((key, _)) => format!(
                    "service is of type LoadBalancer: reachable from the provider's network through an internal load balancer (annotation `{key}`)"
                ),
                None => "service is of type LoadBalancer: reachable from outside the cluster through a load balancer".to_string(),
            };
            if spec
                .get("loadBalancerSourceRanges")
                .is_some_and(|r| r.items().next().is_some())
            {
                message.push_str(", limited to `loadBalancerSourceRanges`");
            }
            message
        }
        _ => return,
    };
    sink.report(resource, value, message);
}

/// Cloud annotations that make a LoadBalancer Service internal to the provider's network.
#[allow(clippy::type_complexity)]
const INTERNAL_LOAD_BALANCER: &[(&str, fn(&str) -> bool)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        |v| v != "false",
    ),
    ("service.beta.kubernetes.io/aws-load-balancer-scheme", |v| {
        v == "internal"
    }),
    ("networking.gke.io/load-balancer-type", |v| {
        v.eq_ignore_ascii_case("internal")
    }),
    ("cloud.google.com/load-balancer-type", |v| {
        v.eq_ignore_ascii_case("internal")
    }),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        |v| v == "true",
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        |v| v == "true",
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        |v| v == "true",
    ),
];

/// Annotations with which ingress controllers terminate TLS without `spec.tls`.
const TLS_ANNOTATIONS: &[&str] = &[
    // AWS Load Balancer Controller: a certificate from ACM.
    "alb.ingress.kubernetes.io/certificate-arn",
    // GKE: Google-managed or pre-shared certificates.
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    // Azure Application Gateway Ingress Controller.
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

/// TLS configured outside `spec.tls` by a controller annotation (see [`TLS_ANNOTATIONS`]), or
/// an ACME HTTP-01 solver Ingress, which must be served over HTTP.
fn tls_handled_elsewhere(resource: &Resource) -> bool {
    let annotation_set = |key: &str| {
        resource
            .annotation(key)
            .is_some_and(|v| !v.trim().is_empty())
    };
    TLS_ANNOTATIONS.iter().any(|key| annotation_set(key))
        || resource
            .annotation("traefik.ingress.kubernetes.io/router.tls")
            .is_some_and(|v| v == "true")
        || resource
            .annotation("alb.ingress.kubernetes.io/listen-ports")
            .is_some_and(|v| v.contains("HTTPS"))
        || resource
            .labels()
            .any(|(k, _)| k == "acme.cert-manager.io/http01-solver")
}

/// `ingress-without-tls`: an Ingress without `spec.tls`, or whose rule hosts are not all
/// covered by a `tls[].hosts` entry.
pub(super) fn ingress_without_tls(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if resource.kind != "Ingress" || !matches!(resource.group(), "networking.k8s.io" | "extensions")
    {
        return;
    }
    let Some((spec_key, spec)) = resource.root().entry("spec") else {
        return;
    };
    if !spec.is_mapping() || tls_handled_elsewhere(resource) {
        return;
    }
    let tls = spec.entry("tls").filter(|(_, v)| !v.is_null());
    let Some((tls_key, tls)) = tls else {
        sink.report(
            resource,
            spec_key,
            "ingress has no `tls` section: it serves plain HTTP only",
        );
        return;
    };
    if !tls.is_sequence() {
        return;
    }
    if tls.items().next().is_none() {
        sink.report(
            resource,
            tls_key,
            "ingress has an empty `tls` list: it serves plain HTTP only",
        );
        return;
    }
    // A `tls` entry without hosts uses the controller's default certificate for every host.
    if tls.items().any(|entry| {
        entry
            .get("hosts")
            .map_or(true, |h| h.items().next().is_none())
    }) {
        return;
    }
    let covered: Vec<String> = tls
        .items()
        .flat_map(|entry| entry.get("hosts").into_iter().flat_map(|h| h.items()))
        .filter_map(|h| h.as_str())
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for rule in spec.get("rules").into_iter().flat_map(|r| r.items()) {
        let Some(host_node) = rule.get("host") else {
            continue;
        };
        let Some(host) = host_node.as_str().map(str::trim).filter(|h| !h.is_empty()) else {
            continue;
        };
        let lower = host.to_ascii_lowercase();
        if !covered
            .iter()
            .any(|tls_host| host_matches(tls_host, &lower))
        {
            sink.report(
                resource,
                host_node,
                format!(
                    "host `{host}` is not covered by any `tls` entry: it is served over plain HTTP"
                ),
            );
        }
    }
}

/// Whether the TLS host `pattern` (lowercase, maybe `*.example.com`) covers `host` (lowercase).
fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern == host {
        return true;
    }
    match pattern.strip_prefix("*.") {
        // A wildcard covers exactly one label.
        Some(suffix) => host
            .strip_suffix(suffix)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.') && label != "*"),
        None => false,
    }
}

/// `ssh-port`: a container port 22, or a Service port or targetPort 22 (TCP).
pub(super) fn ssh_port(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    if let Some(pod) = PodSpec::of(resource) {
        for container in pod.containers() {
            for port in container
                .node
                .get("ports")
                .into_iter()
                .flat_map(|p| p.items())
            {
                let Some(value) = port.get("containerPort") else {
                    continue;
                };
                if value.as_i64() == Some(22) && is_tcp(port) {
                    sink.report(
                        resource,
                        value,
                        format!("{} exposes port 22 (SSH)", container.describe()),
                    )
                    .in_container(container.name);
                }
            }
        }
    }
    if resource.kind == "Service" && resource.group().is_empty() {
        let ports = resource.root().path(&["spec", "ports"]);
        for port in ports.into_iter().flat_map(|p| p.items()) {
            if !is_tcp(port) {
                continue;
            }
            let service_port = port.get("port").filter(|p| p.as_i64() == Some(22));
            let target_port = port.get("targetPort").filter(|p| p.as_i64() == Some(22));
            match (service_port, target_port) {
                (Some(value), _) => {
                    sink.report(resource, value, "service exposes port 22 (SSH)");
                }
                (None, Some(value)) => {
                    sink.report(resource, value, "service forwards to target port 22 (SSH)");
                }
                (None, None) => {}
            }
        }
    }
}

/// A port entry whose protocol is TCP (the default).
fn is_tcp(port: NodeRef<'_>) -> bool {
    port.get("protocol")
        .and_then(NodeRef::as_str)
        .map_or(true, |p| p == "TCP")
}
