//! Resource requests and limits, and probes.

use super::{Applicability, Ctx, Sink};
use crate::model::{Container, ContainerKind, PodSpec, Resource};
use crate::yaml::NodeRef;

/// The placeholder quantity the display-only fixes of the missing request and limit checks
/// suggest.
const QUANTITY_PLACEHOLDER: &str = "<set-me>";

/// `missing-cpu-request`.
pub(super) fn missing_cpu_request(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    check_resources(resource, pod, sink, Compute::Cpu, Bound::Request);
}

/// `missing-memory-request`.
pub(super) fn missing_memory_request(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    check_resources(resource, pod, sink, Compute::Memory, Bound::Request);
}

/// `missing-memory-limit`.
pub(super) fn missing_memory_limit(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    check_resources(resource, pod, sink, Compute::Memory, Bound::Limit);
}

/// `missing-cpu-limit`.
pub(super) fn missing_cpu_limit(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    check_resources(resource, pod, sink, Compute::Cpu, Bound::Limit);
}

/// `missing-liveness-probe`.
pub(super) fn missing_liveness_probe(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    check_probe(resource, pod, sink, "livenessProbe", "liveness");
}

/// `missing-readiness-probe`.
pub(super) fn missing_readiness_probe(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    check_probe(resource, pod, sink, "readinessProbe", "readiness");
}

/// `probe-port-not-exposed`: an `httpGet` or `tcpSocket` probe names a port that the
/// container's `ports[].name` does not declare.
pub(super) fn probe_port_not_exposed(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    _pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    if !can_have_probes(container) {
        return;
    }
    for (field, noun) in [
        ("livenessProbe", "liveness"),
        ("readinessProbe", "readiness"),
        ("startupProbe", "startup"),
    ] {
        let Some(probe) = container.node.get(field) else {
            continue;
        };
        for handler in ["httpGet", "tcpSocket"] {
            let Some(port) = probe.get(handler).and_then(|h| h.get("port")) else {
                continue;
            };
            let Some(name) = port_name(port).filter(|name| !declares_port(container, name)) else {
                continue;
            };
            sink.report(
                resource,
                port,
                format!(
                    "{noun} probe of {} uses port `{name}`, which the container does not declare",
                    container.describe()
                ),
            )
            .in_container(container.name);
        }
    }
}

/// CPU or memory.
#[derive(Clone, Copy)]
enum Compute {
    Cpu,
    Memory,
}

impl Compute {
    fn key(self) -> &'static str {
        match self {
            Compute::Cpu => "cpu",
            Compute::Memory => "memory",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Compute::Cpu => "CPU",
            Compute::Memory => "memory",
        }
    }
}

/// A request or a limit.
#[derive(Clone, Copy)]
enum Bound {
    Request,
    Limit,
}

impl Bound {
    fn key(self) -> &'static str {
        match self {
            Bound::Request => "requests",
            Bound::Limit => "limits",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Bound::Request => "request",
            Bound::Limit => "limit",
        }
    }
}

/// How a quantity is set in a `requests` or `limits` mapping.
enum Quantity<'a> {
    /// Absent, null or empty.
    Missing,
    /// Set to zero: for a request, no reservation; for a limit, the kubelet sets no limit.
    Zero(NodeRef<'a>),
    Set,
}

/// The quantity `compute` in `resources.<bound>` of a container or pod.
fn quantity<'a>(resources: Option<NodeRef<'a>>, bound: Bound, compute: Compute) -> Quantity<'a> {
    let Some(value) = resources
        .and_then(|r| r.get(bound.key()))
        .and_then(|b| b.get(compute.key()))
    else {
        return Quantity::Missing;
    };
    match value.as_str().map(str::trim) {
        None | Some("") => Quantity::Missing,
        Some(text) if is_zero_quantity(text) => Quantity::Zero(value),
        Some(_) => Quantity::Set,
    }
}

/// Whether `resources` provides `compute` for `bound`. A request that is not written defaults
/// to the limit (for containers and for pod-level resources alike), so a limit satisfies a
/// missing request; an explicit zero request stays zero.
fn provides(resources: Option<NodeRef<'_>>, bound: Bound, compute: Compute) -> bool {
    match (bound, quantity(resources, bound, compute)) {
        (_, Quantity::Set) => true,
        (Bound::Request, Quantity::Missing) => {
            matches!(quantity(resources, Bound::Limit, compute), Quantity::Set)
        }
        _ => false,
    }
}

fn check_resources(
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
    compute: Compute,
    bound: Bound,
) {
    // A hook (a Helm test, a migration Job) runs once and is gone: sizing it is not worth a
    // finding. Pod-level resources (`spec.resources`, Kubernetes 1.32+) bound the whole pod.
    if resource.is_hook() || provides(pod.spec.get("resources"), bound, compute) {
        return;
    }
    // Ephemeral containers cannot have resources: the API server rejects them.
    for container in pod
        .containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        let resources = container.node.get("resources");
        if provides(resources, bound, compute) {
            continue;
        }
        let what = format!("{} {}", compute.noun(), bound.noun());
        let (node, message) = match quantity(resources, bound, compute) {
            Quantity::Zero(value) => (
                value,
                match bound {
                    Bound::Request => format!("{} has a {what} of 0", container.describe()),
                    Bound::Limit => format!(
                        "{} has a {what} of 0, which sets no limit",
                        container.describe()
                    ),
                },
            ),
            Quantity::Missing | Quantity::Set => (
                missing_anchor(container, bound),
                format!("{} has no {what}", container.describe()),
            ),
        };
        // Display-only: the right quantity is the user's to measure, so the suggestion carries
        // a placeholder. `missing-cpu-limit` suggests nothing: a CPU limit throttles, and
        // whether to set one is a choice, not a fix.
        let fix = match (compute, bound) {
            (Compute::Cpu, Bound::Limit) => None,
            _ => Some(sink.edit().set_path(
                container.node,
                &["resources", bound.key(), compute.key()],
                QUANTITY_PLACEHOLDER,
            )),
        };
        let finding = sink
            .report(resource, node, message)
            .in_container(container.name);
        if let Some(fix) = fix {
            finding.with_fix(
                Applicability::DisplayOnly,
                format!(
                    "set `resources.{}.{}` to a measured quantity",
                    bound.key(),
                    compute.key()
                ),
                fix,
            );
        }
    }
}

/// Where a missing request or limit points: the `requests:`/`limits:` key when there is one,
/// else the `resources:` key, else the container's `- name:` entry.
fn missing_anchor(container: Container<'_>, bound: Bound) -> NodeRef<'_> {
    let resources = container.node.entry("resources");
    resources
        .and_then(|(_, r)| r.key(bound.key()))
        .or(resources.map(|(k, _)| k))
        .unwrap_or_else(|| container.anchor())
}

/// Whether a Kubernetes quantity (`0`, `0.0`, `0m`, `0Mi`, `0e3`) is zero. Text that is not a
/// quantity is not zero: validity is another check's business.
fn is_zero_quantity(text: &str) -> bool {
    let number = text
        .strip_prefix(['+', '-'])
        .unwrap_or(text)
        .trim_end_matches(|c: char| c.is_ascii_alphabetic());
    // Any exponent (`0e3`) was trimmed with the suffix letters only when it had no digits
    // after it; strip a remaining `e<digits>` exponent from the mantissa.
    let mantissa = match number.find(['e', 'E']) {
        Some(at) => &number[..at],
        None => number,
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    digits > 0
        && mantissa.bytes().all(|b| b == b'0' || b == b'.')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1
}

/// Whether the pod runs to completion: a Job or CronJob, or any pod whose `restartPolicy` is
/// `Never` or `OnFailure`. Long-running probes do not apply to those (nor to hooks, see
/// [`Resource::is_hook`]).
fn runs_to_completion(resource: &Resource, pod: PodSpec<'_>) -> bool {
    matches!(resource.kind.as_str(), "Job" | "CronJob")
        || matches!(
            pod.spec.str_at("restartPolicy"),
            Some("Never" | "OnFailure")
        )
}

/// Regular containers, and init containers that are sidecars (`restartPolicy: Always`): the
/// containers that run for the pod's whole life and may carry probes.
fn can_have_probes(container: Container<'_>) -> bool {
    match container.kind {
        ContainerKind::Container => true,
        ContainerKind::Init => container.node.str_at("restartPolicy") == Some("Always"),
        ContainerKind::Ephemeral => false,
    }
}

fn check_probe(
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
    field: &str,
    noun: &str,
) {
    if runs_to_completion(resource, pod) || resource.is_hook() {
        return;
    }
    for container in pod.containers().filter(|c| can_have_probes(*c)) {
        if container.node.get(field).is_some_and(|p| !p.is_null()) {
            continue;
        }
        sink.report(
            resource,
            container.anchor(),
            format!("{} has no {noun} probe", container.describe()),
        )
        .in_container(container.name);
    }
}

/// The port name a probe's `port` refers to; `None` for a number (an integer, or digits in a
/// string, which the kubelet parses as a number when no port has that name).
fn port_name(port: NodeRef<'_>) -> Option<&str> {
    if port.as_i64().is_some() {
        return None;
    }
    let name = port.as_str()?;
    (!name.is_empty() && !name.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

/// Whether `ports[].name` of the container declares `name` (the kubelet looks only at the
/// probing container's own ports).
fn declares_port(container: Container<'_>, name: &str) -> bool {
    container
        .items("ports")
        .any(|port| port.str_at("name") == Some(name))
}

#[cfg(test)]
mod tests {
    use super::is_zero_quantity;

    #[test]
    fn zero_quantities() {
        for zero in [
            "0", "0.0", "0m", "0Mi", "0Gi", "+0", "-0", "0e3", "0E3", ".0", "0.",
        ] {
            assert!(is_zero_quantity(zero), "{zero}");
        }
        for set in [
            "1", "100m", "0.5", "128Mi", "1e3", "", "m", "abc", "0.0.0", "10", "e3",
        ] {
            assert!(!is_zero_quantity(set), "{set}");
        }
    }
}
