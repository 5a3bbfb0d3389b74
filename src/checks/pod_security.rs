//! Pod Security Standards checks (baseline and restricted levels).

use super::{Ctx, Sink};
use crate::model::{PodSpec, Resource};

/// `privileged-container`: a container sets `securityContext.privileged: true`.
pub(super) fn privileged_container(_ctx: &Ctx<'_>, resource: &Resource, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpec::of(resource) else {
        return;
    };
    for container in pod.containers() {
        let Some(value) = container
            .security_context()
            .and_then(|sc| sc.get("privileged"))
        else {
            continue;
        };
        if value.as_bool() == Some(true) {
            // Unsafe: a container that asks for privileged mode usually uses it (devices,
            // kernel modules, iptables), and may stop working without it.
            let fix = sink.edit().replace(value, false);
            sink.report(
                resource,
                value,
                format!("{} runs privileged", container.describe()),
            )
            .in_container(container.name)
            .with_fix(super::Applicability::Unsafe, "set `privileged: false`", fix);
        }
    }
}

/// `host-network`.
pub(super) fn host_network(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `host-pid`.
pub(super) fn host_pid(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `host-ipc`.
pub(super) fn host_ipc(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `host-path-volume`.
pub(super) fn host_path_volume(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `host-port`.
pub(super) fn host_port(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `dangerous-capabilities`.
pub(super) fn dangerous_capabilities(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `unsafe-proc-mount`.
pub(super) fn unsafe_proc_mount(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `unsafe-sysctls`.
pub(super) fn unsafe_sysctls(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `seccomp-unconfined`.
pub(super) fn seccomp_unconfined(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `apparmor-unconfined`.
pub(super) fn apparmor_unconfined(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `selinux-custom-options`.
pub(super) fn selinux_custom_options(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}

/// `windows-host-process`.
pub(super) fn windows_host_process(_ctx: &Ctx<'_>, _resource: &Resource, _sink: &mut Sink<'_>) {}
