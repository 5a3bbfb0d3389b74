//! A boolean security setting every container must have (`readOnlyRootFilesystem: true`,
//! `allowPrivilegeEscalation: false`): reported at the value when a container sets the other
//! one, at its security anchor when it sets none, with a fix that sets it.

use super::{Applicability, Sink};
use crate::model::{Container, PodSpec, Resource};

/// `securityContext.<field>: <required>` of a container, and how findings about it read.
pub(super) struct RequiredSetting {
    pub(super) field: &'static str,
    pub(super) required: bool,
    /// What a container that sets the other value does: "allows privilege escalation".
    pub(super) when_opposite: &'static str,
    /// What a container that does not set it does: "does not set allowPrivilegeEscalation:
    /// false, so it may gain privileges".
    pub(super) when_missing: &'static str,
    pub(super) applicability: Applicability,
    /// The applicability of the fix that replaces an explicit opposite value, and why, when it
    /// is less safe than adding a missing setting: someone wrote that value.
    pub(super) when_written: Option<(Applicability, &'static str)>,
}

impl RequiredSetting {
    /// Reports `container` unless it has the setting. `fixable` is false where setting it
    /// would make the object invalid: the fix is then withheld. A value that is not a boolean
    /// is not reported: the API server refuses it, so the pod never runs. Windows pods are
    /// skipped: these settings are Linux-only, and the API server forbids them there.
    pub(super) fn check(
        &self,
        resource: &Resource,
        pod: PodSpec<'_>,
        container: Container<'_>,
        fixable: bool,
        sink: &mut Sink<'_>,
    ) {
        if pod.is_windows() {
            return;
        }
        let description = format!("set `{}: {}`", self.field, self.required);
        let who = container.describe();
        let editor = sink.edit();
        let (node, message, fix, written) = match container.security_field(self.field) {
            Some(value) if value.as_bool() == Some(!self.required) => (
                value,
                format!("{who} {}", self.when_opposite),
                editor.replace(value, self.required),
                true,
            ),
            Some(_) => return,
            None => (
                container.security_anchor(),
                format!("{who} {}", self.when_missing),
                editor.set_path(
                    container.node,
                    &["securityContext", self.field],
                    self.required,
                ),
                false,
            ),
        };
        let finding = sink
            .report(resource, node, message)
            .in_container(container.name);
        let fix = fix.filter(|_| fixable);
        match self.when_written.filter(|_| written) {
            Some((applicability, reason)) => {
                finding.with_fix_because(applicability, description, reason, fix)
            }
            None => finding.with_fix(self.applicability, description, fix),
        };
    }
}
