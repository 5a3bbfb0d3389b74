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
            sink.report(
                resource,
                value,
                format!("{} runs privileged", container.describe()),
            )
            .in_container(container.name);
        }
    }
}
