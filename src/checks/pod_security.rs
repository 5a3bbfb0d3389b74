//! Pod Security Standards checks, baseline level.
//!
//! Each check mirrors one control of the baseline profile as Pod Security admission
//! (`k8s.io/pod-security-admission/policy`) evaluates it, with two deliberate differences
//! documented in the checks' docs: seccomp and AppArmor profiles are judged by what each
//! container effectively runs with (a pod-level `Unconfined` overridden by every container is
//! not reported), and names a runtime would read as a default capability or safe sysctl get a
//! message saying so instead of being called dangerous.
//!
//! Controls that changed over Kubernetes releases (safe sysctls, SELinux types, the procMount
//! relaxation for user namespaces, the seccomp annotations) follow the target Kubernetes
//! version (`Ctx::kubernetes_version`).
//!
//! What makes a pod privileged (a privileged container, a host namespace) is the rule book's,
//! `crate::model::pod_risks`, shared with `exposed-privileged-workload`.

use super::{Applicability, Ctx, KubernetesVersion as Version, Sink};
use crate::model::pod_risks::{self, classify_capability, CapabilityName, HostNamespace};
use crate::model::{Container, PodSpec, Resource};
use crate::yaml::{NodeId, NodeRef};

/// `privileged-container`: a container sets `securityContext.privileged: true`.
pub(super) fn privileged_container(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    _pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    let Some(value) = pod_risks::privileged(container) else {
        return;
    };
    // Unsafe: a container that asks for privileged mode usually uses it (devices, kernel
    // modules, iptables), and may stop working without it.
    let fix = sink.edit().replace(value, false);
    sink.report(
        resource,
        value,
        format!("{} runs privileged", container.describe()),
    )
    .in_container(container.name)
    .with_fix(Applicability::Unsafe, "set `privileged: false`", fix);
}

/// Reports `spec.<field>: true`: the pod shares `namespace` with the node.
fn host_namespace(
    resource: &Resource,
    pod: PodSpec<'_>,
    namespace: HostNamespace,
    sink: &mut Sink<'_>,
) {
    let Some(value) = pod_risks::shared_host_namespace(pod, namespace) else {
        return;
    };
    // Unsafe: `false` rather than removing the key keeps the comment on its line and shows
    // what was decided; a pod that asks for a host namespace usually needs it (CNI plugins,
    // node agents, host-port ingress controllers).
    let fix = sink.edit().replace(value, false);
    let message = format!("pod shares the host's {} namespace", namespace.noun());
    sink.report(resource, value, message).with_fix(
        Applicability::Unsafe,
        format!("set `{}: false`", namespace.field()),
        fix,
    );
}

/// `host-network`: `spec.hostNetwork: true`.
pub(super) fn host_network(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    host_namespace(resource, pod, HostNamespace::Network, sink);
}

/// `host-pid`: `spec.hostPID: true`.
pub(super) fn host_pid(_ctx: &Ctx<'_>, resource: &Resource, pod: PodSpec<'_>, sink: &mut Sink<'_>) {
    host_namespace(resource, pod, HostNamespace::Pid, sink);
}

/// `host-ipc`: `spec.hostIPC: true`.
pub(super) fn host_ipc(_ctx: &Ctx<'_>, resource: &Resource, pod: PodSpec<'_>, sink: &mut Sink<'_>) {
    host_namespace(resource, pod, HostNamespace::Ipc, sink);
}

/// `host-path-volume`: a volume of the pod is a `hostPath` volume.
pub(super) fn host_path_volume(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    for volume in pod.items("volumes") {
        let Some((key, host_path)) = volume.entry("hostPath") else {
            continue;
        };
        // `hostPath: null` decodes to no hostPath at all; any other shape than a mapping is
        // rejected by the API server.
        if !host_path.is_mapping() {
            continue;
        }
        let name = match volume.str_at("name") {
            Some(name) if !name.is_empty() => format!("volume `{name}`"),
            _ => "unnamed volume".to_string(),
        };
        let message = match host_path.str_at("path") {
            Some(path) if !path.is_empty() => format!("{name} mounts host path `{path}`"),
            _ => format!("{name} mounts a path of the host"),
        };
        sink.report(resource, key, message);
    }
}

/// `host-port`: a container port sets a non-zero `hostPort`.
pub(super) fn host_port(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    _pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    for port in container.items("ports") {
        let Some(value) = port.get("hostPort") else {
            continue;
        };
        match value.as_i64() {
            Some(0) | None => {}
            Some(number) => {
                sink.report(
                    resource,
                    value,
                    format!("{} binds host port {number}", container.describe()),
                )
                .in_container(container.name);
            }
        }
    }
}

/// `dangerous-capabilities`: `capabilities.add` names capabilities outside the baseline list:
/// one finding per container, at the first, naming them all. When `added-capabilities` runs
/// and is folded into this check (see `Ctx::folds`), the finding also names the capabilities
/// only that check would report, so that a container gets one finding.
pub(super) fn dangerous_capabilities(
    ctx: &Ctx<'_>,
    resource: &Resource,
    _pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    let added = pod_risks::added_capabilities(container);
    let dangerous: Vec<(NodeRef<'_>, String)> = added
        .iter()
        .filter_map(|&(item, raw)| {
            let phrase = match classify_capability(raw) {
                CapabilityName::Allowed => return None,
                CapabilityName::All => format!("all capabilities (`{raw}`)"),
                CapabilityName::Dangerous(name) if name == raw => format!("`{raw}`"),
                CapabilityName::Dangerous(name) => format!("`{raw}` (`{name}`)"),
                CapabilityName::AllowedSpelledAs(canonical) => {
                    format!("`{raw}` (the baseline profile accepts it only as `{canonical}`)")
                }
            };
            Some((item, phrase))
        })
        .collect();
    let Some(&(first, _)) = dangerous.first() else {
        return;
    };
    let only_all = dangerous.len() == 1 && dangerous[0].1.starts_with("all capabilities");
    let noun = if dangerous.len() == 1 && !only_all {
        "capability "
    } else if only_all {
        ""
    } else {
        "capabilities "
    };
    let phrases: Vec<String> = dangerous.iter().map(|(_, p)| p.clone()).collect();
    let mut message = format!("{} adds {noun}{}", container.describe(), join_and(&phrases));
    let mut related = dangerous[1..].to_vec();
    if ctx.runs(ADDED) && ctx.folds(ADDED, DANGEROUS) {
        let allowed = &ctx.params.added_capabilities.allowed;
        let others: Vec<(NodeRef<'_>, String)> = added
            .iter()
            .filter(|&&(_, raw)| classify_capability(raw) == CapabilityName::Allowed)
            .filter(|&&(_, raw)| pod_risks::outside_allowed(raw, allowed).is_some())
            .map(|&(item, raw)| (item, format!("`{raw}`")))
            .collect();
        if !others.is_empty() {
            let names: Vec<String> = others.iter().map(|(_, n)| n.clone()).collect();
            message.push_str(&format!(
                ", and {} outside the allowed list of `{ADDED}`",
                join_and(&names)
            ));
            related.extend(others);
        }
    }
    let finding = sink
        .report(resource, first, message)
        .in_container(container.name);
    for (item, phrase) in related {
        finding.related(item.span(), format!("adds {phrase}"));
    }
}

const DANGEROUS: &str = "dangerous-capabilities";
const ADDED: &str = "added-capabilities";

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `unsafe-proc-mount`: a container sets `securityContext.procMount` to anything but
/// `Default`.
pub(super) fn unsafe_proc_mount(
    ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    // From policy version 1.35 the baseline profile allows any procMount in a pod that runs in
    // its own user namespace (`hostUsers: false`).
    if ctx.kubernetes_version >= (1, 35) && pod.spec.bool_at("hostUsers") == Some(false) {
        return;
    }
    let Some(value) = container
        .security_context()
        .and_then(|sc| sc.get("procMount"))
    else {
        return;
    };
    let Some(mount) = value.as_str().filter(|m| !m.is_empty() && *m != "Default") else {
        return;
    };
    let fix = sink.edit().replace(value, "Default");
    sink.report(
        resource,
        value,
        format!(
            "{} mounts /proc with procMount `{mount}` instead of the masked default",
            container.describe()
        ),
    )
    .in_container(container.name)
    .with_fix(Applicability::Unsafe, "set `procMount: Default`", fix);
}

/// The safe sysctls of the baseline profile, with the policy version each became safe in.
const SAFE_SYSCTLS: &[(&str, Version)] = &[
    ("kernel.shm_rmid_forced", (1, 0)),
    ("net.ipv4.ip_local_port_range", (1, 0)),
    ("net.ipv4.tcp_syncookies", (1, 0)),
    ("net.ipv4.ping_group_range", (1, 0)),
    ("net.ipv4.ip_unprivileged_port_start", (1, 0)),
    ("net.ipv4.ip_local_reserved_ports", (1, 27)),
    ("net.ipv4.tcp_keepalive_time", (1, 29)),
    ("net.ipv4.tcp_fin_timeout", (1, 29)),
    ("net.ipv4.tcp_keepalive_intvl", (1, 29)),
    ("net.ipv4.tcp_keepalive_probes", (1, 29)),
    ("net.ipv4.tcp_rmem", (1, 32)),
    ("net.ipv4.tcp_wmem", (1, 32)),
    ("net.ipv4.tcp_slow_start_after_idle", (1, 37)),
    ("net.ipv4.tcp_notsent_lowat", (1, 37)),
];

/// The version from which `name` is a safe sysctl, if it ever is.
fn sysctl_safe_since(name: &str) -> Option<Version> {
    SAFE_SYSCTLS
        .iter()
        .find(|(safe, _)| *safe == name)
        .map(|(_, since)| *since)
}

/// A sysctl name with `/` separators in the dotted form, as the kubelet reads it (sysctl.d(5):
/// when the first separator is a `/`, `/` and `.` swap roles).
fn sysctl_dotted(name: &str) -> Option<String> {
    let first = name.find(['.', '/'])?;
    if name[first..].starts_with('.') {
        return None;
    }
    Some(
        name.chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                other => other,
            })
            .collect(),
    )
}

/// `unsafe-sysctls`: `spec.securityContext.sysctls[].name` outside the safe set.
pub(super) fn unsafe_sysctls(
    ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    let version = ctx.kubernetes_version;
    let (major, minor) = version;
    let sysctls = pod.security_context().and_then(|sc| sc.get("sysctls"));
    for sysctl in sysctls.into_iter().flat_map(|s| s.items()) {
        let Some(value) = sysctl.get("name") else {
            continue;
        };
        let Some(name) = value.as_str().filter(|n| !n.is_empty()) else {
            continue;
        };
        let message = match sysctl_safe_since(name) {
            Some(since) if since <= version => continue,
            Some((since_major, since_minor)) => format!(
                "sysctl `{name}` is not in the baseline safe set of Kubernetes \
                 {major}.{minor} (safe from {since_major}.{since_minor})"
            ),
            None => match sysctl_dotted(name) {
                Some(dotted) if sysctl_safe_since(&dotted).is_some_and(|s| s <= version) => {
                    format!(
                        "sysctl `{name}` is safe, but the baseline profile accepts it only as \
                         `{dotted}`"
                    )
                }
                _ => format!("sysctl `{name}` is not in the baseline safe set"),
            },
        };
        sink.report(resource, value, message);
    }
}

/// Where the profile a container runs with comes from.
#[derive(Clone, Copy)]
enum ProfileSource<'a> {
    /// `securityContext.<field>.type` of the container or of the pod.
    Field(NodeRef<'a>),
    /// A deprecated annotation value of the pod. `effective` is false when the target
    /// Kubernetes version ignores the annotation.
    Annotation { node: NodeRef<'a>, effective: bool },
    /// A profile field the API server rejects (not a mapping, or without `type`).
    Malformed,
}

/// How one kind of profile (seccomp, AppArmor) is set.
struct ProfileRules<'s> {
    /// The field of pod and container security contexts: `seccompProfile`, `appArmorProfile`.
    field: &'s str,
    /// The annotation key prefix of container profiles, followed by the container name.
    container_annotation_prefix: &'s str,
    /// The annotation key of the pod profile, if there is one.
    pod_annotation: Option<&'s str>,
    /// The annotation value that means unconfined.
    unconfined_annotation: &'s str,
    /// Whether the API server still turns annotations into fields. When it does, a container
    /// annotation wins over the pod's field; when it does not, annotations are only looked at
    /// for containers that no field applies to.
    annotations_effective: bool,
}

/// One source and the containers that run unconfined because of it.
struct Unconfined<'a> {
    /// The value that says unconfined: the field's `type` or the annotation's value.
    value: NodeRef<'a>,
    source: ProfileSource<'a>,
    pod_level: bool,
    containers: Vec<Container<'a>>,
}

/// Resolves, for each container, where the profile it runs with comes from, and returns the
/// sources that resolve to unconfined, in document order of first use. With effective
/// annotations the precedence is the API server's when it turns them into fields: the
/// container's own field, its container annotation, the pod's field, the pod annotation.
fn unconfined_sources<'a>(pod: PodSpec<'a>, rules: &ProfileRules<'_>) -> Vec<Unconfined<'a>> {
    // Neither seccomp nor AppArmor exists on Windows: the API server ignores the annotations of
    // a pod declared as Windows and rejects the fields.
    if pod.is_windows() {
        return Vec::new();
    }
    let field_of = |sc: Option<NodeRef<'a>>| -> Option<ProfileSource<'a>> {
        let profile = sc?.get(rules.field).filter(|p| !p.is_null())?;
        // A profile that is not a mapping, or has no `type`, is rejected by the API server; it
        // still takes the place of the pod's profile, so it stands as itself (never
        // `Unconfined`: only a `type` value is read as a profile type).
        Some(match profile.get("type") {
            Some(profile_type) if profile.is_mapping() => ProfileSource::Field(profile_type),
            _ => ProfileSource::Malformed,
        })
    };
    let annotation = |key: &str| -> Option<ProfileSource<'a>> {
        pod.annotation(key)
            .filter(|a| !a.is_null())
            .map(|node| ProfileSource::Annotation {
                node,
                effective: rules.annotations_effective,
            })
    };
    let pod_field = field_of(pod.security_context());
    let pod_annotation = rules.pod_annotation.and_then(annotation);
    // The value that makes a source unconfined, if it does.
    let unconfined = |source: ProfileSource<'a>| match source {
        ProfileSource::Field(node) => Some(node).filter(|n| n.as_str() == Some("Unconfined")),
        ProfileSource::Annotation { node, .. } => {
            Some(node).filter(|n| n.as_str() == Some(rules.unconfined_annotation))
        }
        ProfileSource::Malformed => None,
    };

    let mut out: Vec<Unconfined<'a>> = Vec::new();
    for container in pod.containers() {
        let own_field = field_of(container.security_context());
        let own_annotation = Some(container.name)
            .filter(|name| !name.is_empty())
            .and_then(|name| annotation(&format!("{}{name}", rules.container_annotation_prefix)));
        let chosen = if rules.annotations_effective {
            [
                (own_field, false),
                (own_annotation, false),
                (pod_field, true),
                (pod_annotation, true),
            ]
        } else {
            [
                (own_field, false),
                (pod_field, true),
                (own_annotation, false),
                (pod_annotation, true),
            ]
        }
        .into_iter()
        .find_map(|(source, pod_level)| source.map(|s| (s, pod_level)));
        let Some((source, pod_level)) = chosen else {
            continue;
        };
        let Some(value) = unconfined(source) else {
            continue;
        };
        let id: NodeId = value.id();
        match out.iter_mut().find(|u| u.value.id() == id) {
            Some(found) => found.containers.push(container),
            None => out.push(Unconfined {
                value,
                source,
                pod_level,
                containers: vec![container],
            }),
        }
    }
    out
}

/// "container `a`", "container `a` and init container `b`", "container `a`, `b` and `c`"…
fn describe_all(containers: &[Container<'_>]) -> String {
    let names: Vec<String> = containers.iter().map(|c| c.describe()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Reports the sources found by [`unconfined_sources`]; `what` names the mechanism.
fn report_unconfined(
    resource: &Resource,
    sink: &mut Sink<'_>,
    sources: Vec<Unconfined<'_>>,
    what: &str,
    ignored_since: &str,
) {
    for Unconfined {
        value,
        source,
        pod_level,
        containers,
    } in sources
    {
        let who = describe_all(&containers);
        let annotation = if pod_level {
            "pod annotation"
        } else {
            "annotation"
        };
        let message = match source {
            ProfileSource::Malformed => continue,
            ProfileSource::Field(_) if pod_level => {
                format!("pod-level {what} profile `Unconfined` applies to {who}")
            }
            ProfileSource::Field(_) => {
                let runs = if containers.len() == 1 { "runs" } else { "run" };
                format!("{who} {runs} with {what} profile `Unconfined`")
            }
            ProfileSource::Annotation {
                effective: true, ..
            } => format!("{annotation} sets {what} profile `unconfined` for {who}"),
            ProfileSource::Annotation {
                effective: false, ..
            } => format!(
                "{annotation} asks for {what} profile `unconfined` for {who}; Kubernetes \
                 {ignored_since} and later ignore it and apply the node's default profile"
            ),
        };
        // The value that says unconfined is replaced by the runtime's default profile: the
        // field's `type` by `RuntimeDefault`, an annotation's value by `runtime/default`. A
        // pod-level value applies only to the containers that do not set their own.
        let (new, description) = match source {
            ProfileSource::Field(_) => (
                "RuntimeDefault",
                format!("set the {what} profile type to `RuntimeDefault`"),
            ),
            _ => (
                "runtime/default",
                format!("set the {what} annotation to `runtime/default`"),
            ),
        };
        let fix = sink.edit().replace(value, new);
        let finding = sink.report(resource, value, message);
        if let [only] = containers.as_slice() {
            finding.in_container(only.name);
        }
        finding.with_fix(Applicability::Unsafe, description, fix);
    }
}

/// `seccomp-unconfined`: a container runs with seccomp profile `Unconfined`, set by its own
/// `seccompProfile`, the pod's, or the legacy seccomp annotations.
pub(super) fn seccomp_unconfined(
    ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    let rules = ProfileRules {
        field: "seccompProfile",
        container_annotation_prefix: "container.seccomp.security.alpha.kubernetes.io/",
        pod_annotation: Some("seccomp.security.alpha.kubernetes.io/pod"),
        unconfined_annotation: "unconfined",
        // Kubernetes 1.27 stopped turning the seccomp annotations into fields.
        annotations_effective: ctx.kubernetes_version < (1, 27),
    };
    let sources = unconfined_sources(pod, &rules);
    report_unconfined(resource, sink, sources, "seccomp", "1.27");
}

/// `apparmor-unconfined`: a container runs with AppArmor profile `Unconfined`, set by its own
/// `appArmorProfile`, the pod's, or the beta AppArmor annotation.
pub(super) fn apparmor_unconfined(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    let rules = ProfileRules {
        field: "appArmorProfile",
        container_annotation_prefix: "container.apparmor.security.beta.kubernetes.io/",
        pod_annotation: None,
        unconfined_annotation: "unconfined",
        annotations_effective: true,
    };
    let sources = unconfined_sources(pod, &rules);
    report_unconfined(resource, sink, sources, "AppArmor", "");
}

/// SELinux types the baseline profile allows, with the policy version each became allowed in.
const SELINUX_TYPES: &[(&str, Version)] = &[
    ("container_t", (1, 0)),
    ("container_init_t", (1, 0)),
    ("container_kvm_t", (1, 0)),
    ("container_engine_t", (1, 31)),
];

/// `selinux-custom-options`: `seLinuxOptions` (pod or container) sets a type outside the
/// allowed set, or a user or role.
pub(super) fn selinux_custom_options(
    ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    let version = ctx.kubernetes_version;
    // Every explicit setting counts, the pod's too: the pod-level options also label the pod
    // sandbox, so a container's own options never fully override them.
    let mut settings: Vec<(String, Option<&str>, NodeRef<'_>)> = Vec::new();
    if let Some(options) = pod
        .security_context()
        .and_then(|sc| sc.get("seLinuxOptions"))
    {
        settings.push(("pod".to_string(), None, options));
    }
    for container in pod.containers() {
        if let Some(options) = container
            .security_context()
            .and_then(|sc| sc.get("seLinuxOptions"))
        {
            settings.push((container.describe(), Some(container.name), options));
        }
    }
    for (who, container, options) in settings {
        for key in ["type", "user", "role"] {
            let Some(value) = options.get(key) else {
                continue;
            };
            let Some(text) = value.as_str().filter(|t| !t.is_empty()) else {
                continue;
            };
            let message = match key {
                "type" => match SELINUX_TYPES.iter().find(|(t, _)| *t == text) {
                    Some((_, since)) if *since <= version => continue,
                    Some((_, (major, minor))) => format!(
                        "{who} sets SELinux type `{text}`, outside the baseline set before \
                         Kubernetes {major}.{minor}"
                    ),
                    None => format!("{who} sets SELinux type `{text}`, outside the baseline set"),
                },
                "user" => format!("{who} sets SELinux user `{text}`"),
                _ => format!("{who} sets SELinux role `{text}`"),
            };
            let finding = sink.report(resource, value, message);
            if let Some(name) = container {
                finding.in_container(name);
            }
        }
    }
}

/// `windows-host-process`: `windowsOptions.hostProcess: true` on the pod or a container.
pub(super) fn windows_host_process(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    fn host_process(sc: Option<NodeRef<'_>>) -> Option<NodeRef<'_>> {
        sc.and_then(|sc| sc.get("windowsOptions"))
            .and_then(|w| w.get("hostProcess"))
            .filter(|v| v.as_bool() == Some(true))
    }
    if let Some(value) = host_process(pod.security_context()) {
        sink.report(
            resource,
            value,
            "pod runs as a Windows HostProcess pod with full access to the node",
        );
    }
    for container in pod.containers() {
        if let Some(value) = host_process(container.security_context()) {
            sink.report(
                resource,
                value,
                format!(
                    "{} runs as a Windows HostProcess container with full access to the node",
                    container.describe()
                ),
            )
            .in_container(container.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, column, message) of the findings of `check` on `yaml`, for a target version.
    fn lint(check: &str, version: Version, yaml: &str) -> Vec<(u32, u32, String)> {
        crate::checks::testing::lint_with(check, yaml, |s| s.kubernetes_version = version)
    }

    const USER_NAMESPACE_UNMASKED: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: builder}
spec:
  hostUsers: false
  containers:
    - name: build
      image: buildkit:1
      securityContext: {procMount: Unmasked}
";

    #[test]
    fn unmasked_proc_in_a_user_namespace_is_allowed_from_1_35() {
        assert_eq!(
            lint("unsafe-proc-mount", (1, 35), USER_NAMESPACE_UNMASKED),
            []
        );
        assert_eq!(
            lint("unsafe-proc-mount", (1, 37), USER_NAMESPACE_UNMASKED),
            []
        );
        let before = lint("unsafe-proc-mount", (1, 34), USER_NAMESPACE_UNMASKED);
        assert_eq!(
            before.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(),
            [(9, 36)]
        );
        // Without a user namespace the relaxation never applies.
        let host_users = USER_NAMESPACE_UNMASKED.replace("hostUsers: false", "hostUsers: true");
        assert_eq!(lint("unsafe-proc-mount", (1, 35), &host_users).len(), 1);
    }

    const SYSCTLS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: tuned}
spec:
  securityContext:
    sysctls:
      - {name: net.ipv4.ip_local_reserved_ports, value: \"30000\"}
      - {name: net.ipv4.tcp_rmem, value: \"4096 87380 6291456\"}
      - {name: net.ipv4.tcp_notsent_lowat, value: \"16384\"}
  containers: [{name: app, image: app}]
";

    #[test]
    fn the_safe_sysctls_follow_the_target_version() {
        let at = |version| {
            lint("unsafe-sysctls", version, SYSCTLS)
                .into_iter()
                .map(|(line, _, message)| (line, message))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            at((1, 26)),
            [
                (
                    7,
                    "sysctl `net.ipv4.ip_local_reserved_ports` is not in the baseline safe set \
                     of Kubernetes 1.26 (safe from 1.27)"
                        .to_string()
                ),
                (
                    8,
                    "sysctl `net.ipv4.tcp_rmem` is not in the baseline safe set of Kubernetes \
                     1.26 (safe from 1.32)"
                        .to_string()
                ),
                (
                    9,
                    "sysctl `net.ipv4.tcp_notsent_lowat` is not in the baseline safe set of \
                     Kubernetes 1.26 (safe from 1.37)"
                        .to_string()
                ),
            ]
        );
        assert_eq!(at((1, 32)).iter().map(|f| f.0).collect::<Vec<_>>(), [9]);
        assert_eq!(at((1, 37)), []);
    }

    const LEGACY_SECCOMP: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: legacy
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
    container.seccomp.security.alpha.kubernetes.io/web: unconfined
spec:
  securityContext:
    seccompProfile: {type: RuntimeDefault}
  containers:
    - {name: web, image: nginx}
    - {name: own, image: nginx, securityContext: {seccompProfile: {type: RuntimeDefault}}}
";

    #[test]
    fn seccomp_annotations_take_effect_only_before_1_27() {
        // Before 1.27 the API server turns the container annotation into the container's field,
        // which wins over the pod's field; the pod annotation loses to the pod's field.
        assert_eq!(
            lint("seccomp-unconfined", (1, 26), LEGACY_SECCOMP),
            [(
                7,
                57,
                "annotation sets seccomp profile `unconfined` for container `web`".to_string()
            )]
        );
        // From 1.27 the annotations are ignored and the pod's field applies to `web`.
        assert_eq!(lint("seccomp-unconfined", (1, 27), LEGACY_SECCOMP), []);
        // Without any field, the ignored pod annotation is reported as such.
        let no_fields = LEGACY_SECCOMP
            .replace(
                "    seccompProfile: {type: RuntimeDefault}\n",
                "    runAsNonRoot: true\n",
            )
            .replace(
                "container.seccomp.security.alpha.kubernetes.io/web",
                "container.seccomp.security.alpha.kubernetes.io/gone",
            );
        let found = lint("seccomp-unconfined", (1, 33), &no_fields);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (6, 47));
        assert!(found[0].2.starts_with(
            "pod annotation asks for seccomp profile `unconfined` for container `web`; Kubernetes 1.27"
        ));
        // Before 1.27 the same pod annotation is the pod's profile.
        assert_eq!(
            lint("seccomp-unconfined", (1, 26), &no_fields),
            [(
                6,
                47,
                "pod annotation sets seccomp profile `unconfined` for container `web`".to_string()
            )]
        );
    }

    #[test]
    fn container_engine_t_is_allowed_from_1_31() {
        let yaml = "\
apiVersion: v1
kind: Pod
metadata: {name: dind}
spec:
  containers:
    - name: docker
      image: docker:27-dind
      securityContext: {seLinuxOptions: {type: container_engine_t}}
";
        assert_eq!(lint("selinux-custom-options", (1, 31), yaml), []);
        assert_eq!(
            lint("selinux-custom-options", (1, 30), yaml),
            [(
                8,
                48,
                "container `docker` sets SELinux type `container_engine_t`, outside the baseline \
                 set before Kubernetes 1.31"
                    .to_string()
            )]
        );
    }

    #[test]
    fn capability_names_are_read_as_runtimes_read_them() {
        assert_eq!(classify_capability("CHOWN"), CapabilityName::Allowed);
        assert_eq!(
            classify_capability("CAP_CHOWN"),
            CapabilityName::AllowedSpelledAs("CHOWN")
        );
        assert_eq!(
            classify_capability("net_bind_service"),
            CapabilityName::AllowedSpelledAs("NET_BIND_SERVICE")
        );
        assert_eq!(classify_capability("ALL"), CapabilityName::All);
        assert_eq!(classify_capability("all"), CapabilityName::All);
        assert_eq!(classify_capability("CAP_ALL"), CapabilityName::All);
        assert_eq!(
            classify_capability("SYS_ADMIN"),
            CapabilityName::Dangerous("SYS_ADMIN".into())
        );
        assert_eq!(
            classify_capability("cap_net_raw"),
            CapabilityName::Dangerous("NET_RAW".into())
        );
        // Only a leading `CAP_` is a prefix.
        assert_eq!(
            classify_capability("SYS_CAP_CHOWN"),
            CapabilityName::Dangerous("SYS_CAP_CHOWN".into())
        );
    }

    #[test]
    fn sysctl_names_with_slashes_read_as_the_kubelet_reads_them() {
        assert_eq!(sysctl_dotted("kernel.shm_rmid_forced"), None);
        assert_eq!(
            sysctl_dotted("kernel/shm_rmid_forced").as_deref(),
            Some("kernel.shm_rmid_forced")
        );
        assert_eq!(
            sysctl_dotted("net/ipv4/conf/eno2.100/rp_filter").as_deref(),
            Some("net.ipv4.conf.eno2/100.rp_filter")
        );
        assert_eq!(sysctl_dotted("nodots"), None);
    }

    #[test]
    fn the_safe_sysctl_set_grows_with_the_version() {
        assert_eq!(sysctl_safe_since("kernel.shm_rmid_forced"), Some((1, 0)));
        assert_eq!(sysctl_safe_since("net.ipv4.tcp_rmem"), Some((1, 32)));
        assert_eq!(sysctl_safe_since("kernel.msgmax"), None);
        // Sorted by version, so the doc's table can be read top to bottom.
        assert!(SAFE_SYSCTLS.windows(2).all(|w| w[0].1 <= w[1].1));
    }
}
