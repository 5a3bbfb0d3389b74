//! Pod Security Standards, restricted level.
//!
//! Each check follows the Pod Security admission controller's reading of the restricted
//! profile (`k8s.io/pod-security-admission/policy`): the same fields, the same inheritance
//! between pod and container, the same exemptions for Windows pods. Values the API server
//! would refuse to decode (a quoted `"false"` for a boolean, a scalar where a list belongs)
//! are left to the validity checks: such a pod never runs.

use serde::Deserialize;

use super::required_setting::RequiredSetting;
use super::{Applicability, Ctx, Sink};
use crate::diagnostic::Edit;
use crate::fix::Editor;
use crate::model::pod_risks::{self, canonical_capability, classify_capability, CapabilityName};
use crate::model::{Container, PodSpec, Resource};
use crate::yaml::NodeRef;

/// `[checks.added-capabilities]`: the capabilities a container may add.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct AddedCapabilities {
    pub(crate) allowed: Vec<String>,
}

impl Default for AddedCapabilities {
    fn default() -> Self {
        AddedCapabilities {
            allowed: vec!["NET_BIND_SERVICE".to_string()],
        }
    }
}

/// `[checks.run-as-root]`: with `require-run-as-non-root`, demand `runAsNonRoot: true` even
/// when a non-zero `runAsUser` is set (the image cannot then switch back to root).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RunAsRoot {
    pub(crate) require_run_as_non_root: bool,
}

const RUN_AS_NON_ROOT: &[&str] = &["securityContext", "runAsNonRoot"];
const DROP: &[&str] = &["securityContext", "capabilities", "drop"];
const POD_SECCOMP_TYPE: &[&str] = &["securityContext", "seccompProfile", "type"];

/// "container `a`", "containers `a` and `b`", "container `a` and init container `b`".
fn describe_all(containers: &[Container<'_>]) -> String {
    let same_kind = containers.windows(2).all(|w| w[0].kind == w[1].kind);
    let all_named = containers.iter().all(|c| !c.name.is_empty());
    match containers {
        [first, _, ..] if same_kind && all_named => {
            let names: Vec<String> = containers.iter().map(|c| format!("`{}`", c.name)).collect();
            format!("{}s {}", first.kind.noun(), join_and(&names))
        }
        _ => join_and(&containers.iter().map(|c| c.describe()).collect::<Vec<_>>()),
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Findings grouped by the node they point at, so that a pod-level value inherited by several
/// containers is reported once, naming all of them.
struct Grouped<'a> {
    groups: Vec<(NodeRef<'a>, Vec<Container<'a>>)>,
}

impl<'a> Grouped<'a> {
    fn new() -> Self {
        Grouped { groups: Vec::new() }
    }

    fn add(&mut self, node: NodeRef<'a>, container: Container<'a>) {
        let id = node.id();
        match self.groups.iter_mut().find(|(n, _)| n.id() == id) {
            Some((_, containers)) => containers.push(container),
            None => self.groups.push((node, vec![container])),
        }
    }

    /// Reports each group; `message` gets (node, who, whether several) and returns the message.
    fn report(
        self,
        resource: &Resource,
        sink: &mut Sink<'_>,
        message: impl Fn(NodeRef<'a>, &str, bool) -> String,
    ) {
        self.report_with_fix(resource, sink, message, None);
    }

    /// Like [`report`](Self::report), attaching to each group's finding the fix `fix` computes
    /// for its node and containers (`None` from it: no fix for that group).
    fn report_with_fix(
        self,
        resource: &Resource,
        sink: &mut Sink<'_>,
        message: impl Fn(NodeRef<'a>, &str, bool) -> String,
        fix: Option<GroupFix<'_, 'a>>,
    ) {
        for (node, containers) in self.groups {
            let who = describe_all(&containers);
            let edits = fix
                .as_ref()
                .and_then(|f| (f.edits)(&sink.edit(), node, &containers));
            let finding = sink.report(resource, node, message(node, &who, containers.len() > 1));
            if let [single] = containers.as_slice() {
                finding.in_container(single.name);
            }
            if let Some(fix) = &fix {
                let (applicability, reason) = (fix.applicability)(&containers);
                finding.with_fix_because(applicability, fix.description, reason, edits);
            }
        }
    }
}

/// Computes a group's edits from its node and containers.
type GroupEdits<'f, 'a> =
    &'f dyn Fn(&Editor<'_>, NodeRef<'a>, &[Container<'a>]) -> Option<Vec<Edit>>;

/// How safe a group's fix is, from its containers, and why when it is not safe.
type GroupApplicability<'f, 'a> = &'f dyn Fn(&[Container<'a>]) -> (Applicability, &'static str);

/// The fix of every finding of a [`Grouped`]: its edits and applicability are computed per
/// group.
struct GroupFix<'f, 'a> {
    applicability: GroupApplicability<'f, 'a>,
    description: &'static str,
    edits: GroupEdits<'f, 'a>,
}

/// `privilege-escalation-allowed`: a container's `allowPrivilegeEscalation` is not `false`.
pub(super) fn privilege_escalation_allowed(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    const NO_PRIVILEGE_ESCALATION: RequiredSetting = RequiredSetting {
        field: "allowPrivilegeEscalation",
        required: false,
        when_opposite: "allows privilege escalation",
        when_missing: "does not set allowPrivilegeEscalation: false, so it may gain privileges",
        applicability: Applicability::Safe,
        // Someone wrote `true`: the process may rely on a setuid binary (sudo, ping).
        when_written: Some((
            Applicability::Unsafe,
            "`allowPrivilegeEscalation: true` was set on purpose: the process may rely on a setuid or file-capability binary (sudo, su, ping)",
        )),
    };
    // `false` is what restricted asks for.
    let fixable = no_new_privs_allowed(container);
    NO_PRIVILEGE_ESCALATION.check(resource, pod, container, fixable, sink);
}

/// Whether the API server accepts `allowPrivilegeEscalation: false` on the container: it
/// refuses it together with `privileged: true` or an added `CAP_SYS_ADMIN` (any spelling is
/// taken as that capability here, to be sure). Without this the fix would make the object
/// invalid, so it is withheld; once `privileged-container` has been fixed, it is offered.
fn no_new_privs_allowed(container: Container<'_>) -> bool {
    let Some(sc) = container.security_context() else {
        return true;
    };
    let privileged = sc.get("privileged").and_then(NodeRef::as_bool) == Some(true);
    let sys_admin = sc
        .path(&["capabilities", "add"])
        .into_iter()
        .flat_map(|add| add.items())
        .filter_map(NodeRef::as_str)
        .any(|name| canonical_capability(name) == "SYS_ADMIN");
    !privileged && !sys_admin
}

/// `run-as-root`: a container may run as UID 0.
pub(super) fn run_as_root(
    ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    // In a user namespace (`hostUsers: false`) UID 0 maps to an unprivileged user of the node;
    // Pod Security admission skips both root controls for such pods (policy version 1.35+).
    if pod.spec.bool_at("hostUsers") == Some(false) {
        return;
    }
    let require_non_root = ctx.params.run_as_root.require_run_as_non_root;
    let root = RootSettings::of(pod, require_non_root);
    // UID 0 has no fix: which other user the image can run as is not k8sec's to choose.
    root.uid_zero.report(resource, sink, |_, who, plural| {
        format!(
            "{who} {} as root (runAsUser: 0)",
            if plural { "run" } else { "runs" }
        )
    });
    let flip = |editor: &Editor<'_>, node: NodeRef<'_>, _: &[Container<'_>]| {
        flip_run_as_non_root(pod, editor, node)
    };
    let add = |editor: &Editor<'_>, _: NodeRef<'_>, containers: &[Container<'_>]| match containers {
        [container] => editor.set_path(container.node, RUN_AS_NON_ROOT, true),
        _ => None,
    };
    let may_run_as_root: [(Grouped<'_>, bool, &'static str, GroupEdits<'_, '_>); 2] = [
        (root.non_root_false, true, "set `runAsNonRoot: true`", &flip),
        (
            root.unset,
            false,
            "set `runAsNonRoot: true` on the container",
            &add,
        ),
    ];
    // `runAsNonRoot: true` cannot stop a container that runs as a numeric non-root user from
    // starting: safe. Without one, the kubelet refuses an image whose USER is root or a name:
    // shown, never applied.
    let applicability = |containers: &[Container<'_>]| {
        if containers.iter().all(|&c| runs_as_numeric_non_root(pod, c)) {
            (Applicability::Safe, "")
        } else {
            (Applicability::DisplayOnly, NO_NUMERIC_USER)
        }
    };
    for (group, set_false, description, edits) in may_run_as_root {
        let why = why_root(require_non_root, set_false);
        let fix = GroupFix {
            applicability: &applicability,
            description,
            edits,
        };
        group.report_with_fix(
            resource,
            sink,
            |_, who, _| format!("{who} may run as root: {why}"),
            Some(fix),
        );
    }
}

/// Why the `runAsNonRoot: true` fix of a container without a numeric non-root `runAsUser` is a
/// suggestion only.
const NO_NUMERIC_USER: &str = "no numeric non-root runAsUser is set: under runAsNonRoot the kubelet refuses to start an image whose USER is root or a name; set runAsUser to the image's UID with it";

/// Whether the container runs as a numeric, non-zero user: its effective `runAsUser`.
fn runs_as_numeric_non_root(pod: PodSpec<'_>, container: Container<'_>) -> bool {
    container
        .effective(pod, "runAsUser")
        .and_then(NodeRef::as_i64)
        .is_some_and(|uid| uid > 0)
}

/// Why a container may run as root: `runAsNonRoot: false` (`set_false`) or not set, and (unless
/// `require-run-as-non-root`) no non-zero `runAsUser` either.
fn why_root(require_non_root: bool, set_false: bool) -> &'static str {
    match (set_false, require_non_root) {
        (true, true) => "runAsNonRoot is false",
        (true, false) => "runAsNonRoot is false and no non-zero runAsUser is set",
        (false, true) => "runAsNonRoot: true is not set",
        (false, false) => "neither runAsNonRoot: true nor a non-zero runAsUser is set",
    }
}

/// The containers of a pod that may run as root, by the setting that lets them.
struct RootSettings<'a> {
    /// `runAsUser: 0`, at the value.
    uid_zero: Grouped<'a>,
    /// `runAsNonRoot: false` without a non-zero `runAsUser` (or with one, when
    /// `require-run-as-non-root` is on), at the value.
    non_root_false: Grouped<'a>,
    /// Neither set, at the container's security anchor.
    unset: Grouped<'a>,
}

impl<'a> RootSettings<'a> {
    fn of(pod: PodSpec<'a>, require_non_root: bool) -> Self {
        let mut root = RootSettings {
            uid_zero: Grouped::new(),
            non_root_false: Grouped::new(),
            unset: Grouped::new(),
        };
        for container in pod.containers() {
            let user = container.effective(pod, "runAsUser");
            let non_root = container.effective(pod, "runAsNonRoot");
            if let Some(user) = user.filter(|u| u.as_i64() == Some(0)) {
                root.uid_zero.add(user, container);
                continue;
            }
            if non_root.and_then(NodeRef::as_bool) == Some(true) {
                continue;
            }
            let non_zero_user = user.and_then(NodeRef::as_i64).is_some_and(|u| u != 0);
            if non_zero_user && !require_non_root {
                continue;
            }
            match non_root.filter(|v| v.as_bool() == Some(false)) {
                Some(value) => root.non_root_false.add(value, container),
                None => root.unset.add(container.security_anchor(), container),
            }
        }
        root
    }
}

/// `runAsNonRoot: false` (at `node`) becomes `true`, unless it is the pod's value and a
/// container that inherits it sets `runAsUser: 0`: the kubelet would then refuse to start that
/// container.
fn flip_run_as_non_root(
    pod: PodSpec<'_>,
    editor: &Editor<'_>,
    node: NodeRef<'_>,
) -> Option<Vec<Edit>> {
    let pod_level = pod
        .security_context()
        .and_then(|sc| sc.get("runAsNonRoot"))
        .is_some_and(|v| v.id() == node.id());
    let breaks_root_container = pod_level
        && pod.containers().any(|c| {
            c.security_field("runAsNonRoot").is_none()
                && c.effective(pod, "runAsUser").and_then(NodeRef::as_i64) == Some(0)
        });
    if breaks_root_container {
        return None;
    }
    editor.replace(node, true)
}

/// `capabilities-not-dropped`: a container's `capabilities.drop` does not include `ALL`.
pub(super) fn capabilities_not_dropped(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    if pod.is_windows() {
        return;
    }
    let capabilities = container
        .security_context()
        .and_then(|sc| sc.entry("capabilities"));
    let drop = capabilities.and_then(|(_, caps)| caps.get("drop").filter(|d| !d.is_null()));
    let editor = sink.edit();
    // Drop ALL: appended to `drop` (created, with `capabilities` and `securityContext`,
    // when missing); an `all` written in another case is respelled instead.
    let mut fix = None;
    let (node, message) = match (capabilities, drop) {
        (_, Some(drop)) => {
            if !drop.is_sequence() {
                // A scalar or mapping is refused by the API server.
                return;
            }
            let names: Vec<&str> = drop.items().filter_map(NodeRef::as_str).collect();
            if names.contains(&"ALL") {
                return;
            }
            let message = match names.iter().find(|n| n.eq_ignore_ascii_case("all")) {
                Some(spelled) => {
                    fix = drop
                        .items()
                        .find(|i| i.as_str() == Some(spelled))
                        .and_then(|item| editor.replace(item, "ALL"));
                    format!(
                        "{} drops `{spelled}`, but Pod Security admission accepts only `ALL`",
                        container.describe()
                    )
                }
                None => format!("{} does not drop ALL capabilities", container.describe()),
            };
            (drop, message)
        }
        (Some((key, _)), None) => (
            key,
            format!(
                "{} does not drop ALL capabilities: `capabilities.drop` is not set",
                container.describe()
            ),
        ),
        (None, None) => (
            container.security_anchor(),
            format!(
                "{} keeps the runtime's default capabilities: `capabilities.drop: [ALL]` is not set",
                container.describe()
            ),
        ),
    };
    if fix.is_none() {
        fix = editor.ensure_item(container.node, DROP, "ALL");
    }
    sink.report(resource, node, message)
        .in_container(container.name)
        .with_fix(Applicability::Unsafe, "drop `ALL` capabilities", fix);
}

/// `added-capabilities`: a container adds capabilities outside the allowed list, one finding
/// per container naming them all. A container with a capability outside the baseline list is
/// `dangerous-capabilities`' to report (its finding names these too) when that check runs,
/// unless this one was selected by id (see `Ctx::folds`).
pub(super) fn added_capabilities(
    ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    if pod.is_windows() {
        return;
    }
    let added = pod_risks::added_capabilities(container);
    let folded = ctx.folds("added-capabilities", "dangerous-capabilities")
        && added
            .iter()
            .any(|&(_, raw)| classify_capability(raw) != CapabilityName::Allowed);
    if folded {
        return;
    }
    let allowed = &ctx.params.added_capabilities.allowed;
    let outside: Vec<(NodeRef<'_>, String)> = added
        .iter()
        .filter_map(|&(item, raw)| {
            let phrase = match pod_risks::outside_allowed(raw, allowed)? {
                Some(spelled) => format!("`{raw}` (allowed only when written `{spelled}`)"),
                None => format!("`{raw}`"),
            };
            Some((item, phrase))
        })
        .collect();
    let Some(&(first, _)) = outside.first() else {
        return;
    };
    let phrases: Vec<String> = outside.iter().map(|(_, p)| p.clone()).collect();
    let noun = if outside.len() == 1 {
        "capability"
    } else {
        "capabilities"
    };
    let finding = sink
        .report(
            resource,
            first,
            format!(
                "{} adds {noun} {}",
                container.describe(),
                join_and(&phrases)
            ),
        )
        .in_container(container.name);
    for (item, phrase) in &outside[1..] {
        finding.related(item.span(), format!("adds {phrase}"));
    }
}

/// What a seccomp setting amounts to.
#[derive(Clone, Copy)]
enum Seccomp<'a> {
    /// `RuntimeDefault` or `Localhost` (or the legacy annotations' `runtime/default`,
    /// `docker/default`, `localhost/…`): what restricted asks for.
    Confined,
    /// `Unconfined`: the baseline check `seccomp-unconfined` reports it.
    Unconfined,
    /// Any other type, or none (`typed: false`): restricted refuses it. `node` is the type's
    /// value, else the `seccompProfile:` key.
    Invalid { node: NodeRef<'a>, typed: bool },
}

/// The profile a `securityContext` sets, if it sets one.
fn seccomp_field(security_context: Option<NodeRef<'_>>) -> Option<Seccomp<'_>> {
    let (key, profile) = security_context?.entry("seccompProfile")?;
    if profile.is_null() {
        return None;
    }
    let Some(kind) = profile.get("type").filter(|t| !t.is_null()) else {
        return Some(Seccomp::Invalid {
            node: key,
            typed: false,
        });
    };
    Some(match kind.as_str() {
        Some("RuntimeDefault" | "Localhost") => Seccomp::Confined,
        Some("Unconfined") => Seccomp::Unconfined,
        _ => Seccomp::Invalid {
            node: kind,
            typed: true,
        },
    })
}

/// The profile a legacy seccomp annotation sets, read as the API server reads it when it
/// copies the annotation into the field of a new pod (values it does not know set nothing).
fn seccomp_annotation(value: Option<NodeRef<'_>>) -> Option<Seccomp<'_>> {
    match value?.as_str()? {
        "runtime/default" | "docker/default" => Some(Seccomp::Confined),
        "unconfined" => Some(Seccomp::Unconfined),
        v if v.starts_with("localhost/") => Some(Seccomp::Confined),
        _ => None,
    }
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// `missing-seccomp-profile`: neither the pod nor every container sets a RuntimeDefault or
/// Localhost seccomp profile.
pub(super) fn missing_seccomp_profile(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    if pod.is_windows() {
        return;
    }
    let pod_profile = seccomp_field(pod.security_context())
        .or_else(|| seccomp_annotation(pod.annotation(SECCOMP_POD_ANNOTATION)));
    let mut containers = 0;
    let mut invalid = Grouped::new();
    let mut untyped = Vec::new();
    let mut lacking = Vec::new();
    for container in pod.containers() {
        containers += 1;
        match container_seccomp(pod, container).or(pod_profile) {
            Some(Seccomp::Confined | Seccomp::Unconfined) => {}
            Some(Seccomp::Invalid { node, typed }) => {
                if !typed {
                    untyped.push(node.id());
                }
                invalid.add(node, container);
            }
            None => lacking.push(container),
        }
    }
    invalid.report(resource, sink, |node, who, _| {
        if untyped.contains(&node.id()) {
            format!("seccomp profile has no type, for {who}")
        } else {
            match node.as_str() {
                Some(kind) => format!(
                    "seccomp profile type `{kind}` is neither RuntimeDefault nor Localhost, for {who}"
                ),
                None => format!(
                    "seccomp profile type is neither RuntimeDefault nor Localhost, for {who}"
                ),
            }
        }
    });
    if !lacking.is_empty() {
        report_lacking_seccomp(resource, pod, &lacking, lacking.len() == containers, sink);
    }
}

/// A container's own seccomp setting: its field, else its legacy annotation.
fn container_seccomp<'a>(pod: PodSpec<'a>, container: Container<'a>) -> Option<Seccomp<'a>> {
    seccomp_field(container.security_context()).or_else(|| {
        if container.name.is_empty() {
            return None;
        }
        let key = format!("{SECCOMP_CONTAINER_ANNOTATION}{}", container.name);
        seccomp_annotation(pod.annotation(&key))
    })
}

/// Reports the containers that have no seccomp profile, and whose pod sets none: one finding
/// for the pod when none of its containers has one (`all`), else one per container.
fn report_lacking_seccomp(
    resource: &Resource,
    pod: PodSpec<'_>,
    lacking: &[Container<'_>],
    all: bool,
    sink: &mut Sink<'_>,
) {
    // The fix sets `RuntimeDefault` at pod level: the lacking containers inherit it, the others
    // keep their own profile (a container's wins). Withheld when the pod carries the legacy pod
    // annotation, which the API server requires to agree with the pod's field.
    let editor = sink.edit();
    let fix = || {
        if pod.annotation(SECCOMP_POD_ANNOTATION).is_some() {
            return None;
        }
        editor.set_path(pod.spec, POD_SECCOMP_TYPE, "RuntimeDefault")
    };
    const DESCRIPTION: &str = "set the pod's seccomp profile to `RuntimeDefault`";
    if all {
        // Nothing anywhere: one finding for the pod, where the fix belongs.
        let fix = fix();
        sink.report(
            resource,
            pod.security_anchor(),
            "no seccomp profile is set for the pod or its containers",
        )
        .with_fix(Applicability::Safe, DESCRIPTION, fix);
        return;
    }
    for container in lacking {
        let fix = fix();
        sink.report(
            resource,
            container.security_anchor(),
            format!(
                "{} has no seccomp profile and the pod sets none",
                container.describe()
            ),
        )
        .in_container(container.name)
        .with_fix(Applicability::Safe, DESCRIPTION, fix);
    }
}

/// Volume types the restricted profile accepts. `image` (OCI image volumes) is accepted by Pod
/// Security admission since Kubernetes 1.33.
const ALLOWED_VOLUME_TYPES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The in-tree volume types the restricted profile refuses, except `hostPath` (reported by the
/// baseline check `host-path-volume`).
const RESTRICTED_VOLUME_TYPES: &[&str] = &[
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "iscsi",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
];

/// `restricted-volume-types`: a volume of a type outside the restricted set.
pub(super) fn restricted_volume_types(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    pod: PodSpec<'_>,
    sink: &mut Sink<'_>,
) {
    for volume in pod.items("volumes") {
        let sources: Vec<(NodeRef<'_>, &str)> = volume
            .entries()
            .filter(|(_, value)| !value.is_null())
            .filter_map(|(key, _)| Some((key, key.as_str()?)))
            .collect();
        if sources
            .iter()
            .any(|(_, name)| ALLOWED_VOLUME_TYPES.contains(name) || *name == "hostPath")
        {
            continue;
        }
        let volume_name = volume.str_at("name").unwrap_or("");
        for (key, kind) in sources {
            if !RESTRICTED_VOLUME_TYPES.contains(&kind) {
                continue;
            }
            let message = if volume_name.is_empty() {
                format!("unnamed volume uses restricted volume type `{kind}`")
            } else {
                format!("volume `{volume_name}` uses restricted volume type `{kind}`")
            };
            sink.report(resource, key, message);
        }
    }
}

#[cfg(test)]
mod tests {
    //! Cases the fixtures cannot hold: the fixture directory of `run-as-root` sets
    //! `require-run-as-non-root`, so its default reading is tested here, and parameters other
    //! than the defaults.

    use crate::checks::testing::{assert_expected, lint_with, positions, Settings};

    fn check(id: &str, text: &str, change: impl FnOnce(&mut Settings)) {
        assert_expected(id, text, change);
    }

    #[test]
    fn run_as_root_accepts_a_non_zero_run_as_user_by_default() {
        let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsUser: 1000
  containers:
    - name: inherits
    - name: overrides-non-root-false
      securityContext:
        runAsNonRoot: false
    - name: own-user
      securityContext: {runAsUser: 1001, runAsNonRoot: false}
    - name: root
      securityContext:
        runAsUser: 0 # expect: run-as-root@20
";
        check("run-as-root", text, |_| {});
    }

    #[test]
    fn run_as_root_reports_a_false_run_as_non_root_without_a_user() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: false # expect: run-as-root@23
      containers:
        - name: a
        - name: b
        - name: c
          securityContext:
            runAsUser: 10
      initContainers:
        - name: d
          securityContext:
            runAsNonRoot: null
            runAsUser: \"1000\"
";
        // `a` and `b` inherit the pod's `false`; `c` runs as UID 10; `d`'s null runAsNonRoot
        // inherits the pod's `false` too, and its quoted runAsUser is no integer: one finding
        // at the pod's value for `a`, `b` and `d`.
        check("run-as-root", text, |_| {});
    }

    #[test]
    fn run_as_root_default_mode_is_quiet_for_the_doc_good_example() {
        let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        runAsUser: 101
";
        check("run-as-root", text, |_| {});
        check("run-as-root", text, |s| {
            s.params.run_as_root.require_run_as_non_root = false;
        });
        let required = lint_with("run-as-root", text, |s| {
            s.params.run_as_root.require_run_as_non_root = true;
        });
        assert_eq!(positions(&required), vec![(9, 7)]);
    }

    #[test]
    fn added_capabilities_follows_the_configured_allowed_list() {
        let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      securityContext:
        capabilities:
          add: [NET_RAW, CHOWN, NET_BIND_SERVICE] # expect: added-capabilities@33
";
        check("added-capabilities", text, |s| {
            s.params.added_capabilities.allowed = vec!["NET_RAW".to_string(), "CHOWN".to_string()];
        });
    }
}
