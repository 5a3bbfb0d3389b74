//! The pod-spec view: one way to reach the pod spec and containers of every workload kind.

use super::Resource;
use crate::yaml::NodeRef;

/// Which list of the pod spec a container is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    /// The pod spec field that holds this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// How messages name it: "container", "init container", "ephemeral container".
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// The pod spec of a workload, with the metadata of its pod template.
#[derive(Clone, Copy, Debug)]
pub struct PodSpec<'a> {
    /// The `spec` mapping of the pod (or of the pod template).
    pub spec: NodeRef<'a>,
    /// The pod's metadata: the template's for workloads, the object's own for a Pod.
    pub metadata: Option<NodeRef<'a>>,
    /// The key node of the pod spec (`spec:`), where findings about a missing pod-level field
    /// point.
    pub spec_key: Option<NodeRef<'a>>,
}

/// The items of the list `field` of a mapping; none when it is missing or not a list.
fn list_items<'a>(mapping: NodeRef<'a>, field: &str) -> impl Iterator<Item = NodeRef<'a>> {
    mapping.get(field).into_iter().flat_map(|list| list.items())
}

/// One container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: NodeRef<'a>,
    pub kind: ContainerKind,
    /// `name`, or `""` when missing.
    pub name: &'a str,
}

impl<'a> PodSpec<'a> {
    /// The pod spec of `resource` if its kind carries one: a Pod, a CronJob's job template, a
    /// PodTemplate, a workload kind's `spec.template` (Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, ReplicationController, Job, Argo Rollout, DeploymentConfig: see
    /// [`super::is_workload_kind`]), or any other kind whose `spec.template` holds a
    /// `containers` list. `None` when the pod spec is missing or is not a mapping.
    pub fn of(resource: &'a Resource) -> Option<PodSpec<'a>> {
        let root = resource.root();
        let (template, spec_key, spec) = match resource.kind.as_str() {
            "Pod" => {
                let (key, spec) = root.entry("spec")?;
                return Some(PodSpec {
                    spec,
                    metadata: root.get("metadata"),
                    spec_key: Some(key),
                })
                .filter(|p| p.spec.is_mapping());
            }
            "CronJob" => {
                let template = root.path(&["spec", "jobTemplate", "spec", "template"])?;
                let (key, spec) = template.entry("spec")?;
                (template, key, spec)
            }
            "PodTemplate" => {
                let template = root.get("template")?;
                let (key, spec) = template.entry("spec")?;
                (template, key, spec)
            }
            kind => {
                let template = root.path(&["spec", "template"])?;
                let (key, spec) = template.entry("spec")?;
                // A workload kind has a pod template because of what it is, even when its
                // `containers` is missing or malformed (`malformed-object` says so, and the
                // pod-level checks still run); other kinds use `spec.template` for other
                // things, so only a real `containers` list makes theirs a pod template.
                let known = super::is_workload_kind(resource.group(), kind);
                if !known && !spec.get("containers").is_some_and(|c| c.is_sequence()) {
                    return None;
                }
                (template, key, spec)
            }
        };
        spec.is_mapping().then_some(PodSpec {
            spec,
            metadata: template.get("metadata"),
            spec_key: Some(spec_key),
        })
    }

    /// Containers, init containers and ephemeral containers, in that order.
    pub fn containers(self) -> impl Iterator<Item = Container<'a>> {
        [
            ContainerKind::Container,
            ContainerKind::Init,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            self.spec
                .get(kind.field())
                .into_iter()
                .flat_map(|list| list.items())
                .filter(|node| node.is_mapping())
                .map(move |node| Container {
                    node,
                    kind,
                    name: node.str_at("name").unwrap_or(""),
                })
        })
    }

    /// The pod-level `securityContext`, if set.
    pub fn security_context(self) -> Option<NodeRef<'a>> {
        self.spec.get("securityContext").filter(|s| s.is_mapping())
    }

    /// The items of a list of the pod spec (`volumes`, `imagePullSecrets`).
    pub fn items(self, field: &str) -> impl Iterator<Item = NodeRef<'a>> {
        list_items(self.spec, field)
    }

    /// Where a finding about a missing pod-level security setting points: the pod's
    /// `securityContext:` key when there is one, else the `spec:` key.
    pub fn security_anchor(self) -> NodeRef<'a> {
        self.spec
            .key("securityContext")
            .unwrap_or_else(|| self.anchor())
    }

    /// `spec.os.name: windows`. Pod Security admission (v1.25+) exempts these pods from the
    /// Linux-only controls (privilege escalation, seccomp, AppArmor, capabilities, a read-only
    /// root filesystem), and the API server forbids those fields on them.
    pub fn is_windows(self) -> bool {
        self.spec.path(&["os", "name"]).and_then(NodeRef::as_str) == Some("windows")
    }

    /// An annotation of the pod (template).
    pub fn annotation(self, key: &str) -> Option<NodeRef<'a>> {
        self.metadata?.get("annotations")?.get(key)
    }

    /// Where a finding about a missing pod-level setting points: the `spec:` key.
    pub fn anchor(self) -> NodeRef<'a> {
        self.spec_key.unwrap_or(self.spec)
    }
}

impl<'a> Container<'a> {
    /// The container's `securityContext`, if set.
    pub fn security_context(self) -> Option<NodeRef<'a>> {
        self.node.get("securityContext").filter(|s| s.is_mapping())
    }

    /// The items of a list of the container (`ports`, `env`, `volumeMounts`).
    pub fn items(self, field: &str) -> impl Iterator<Item = NodeRef<'a>> {
        list_items(self.node, field)
    }

    /// A field of the container's own `securityContext`, unless null.
    pub fn security_field(self, field: &str) -> Option<NodeRef<'a>> {
        self.security_context()?.get(field).filter(|v| !v.is_null())
    }

    /// A security setting as it applies to this container: the container's own value, else the
    /// pod's (for the fields that exist at both levels: runAsUser, runAsGroup, runAsNonRoot,
    /// seLinuxOptions, seccompProfile, appArmorProfile, windowsOptions).
    pub fn effective(self, pod: PodSpec<'a>, field: &str) -> Option<NodeRef<'a>> {
        self.security_context()
            .and_then(|sc| sc.get(field))
            .filter(|v| !v.is_null())
            .or_else(|| pod.security_context()?.get(field).filter(|v| !v.is_null()))
    }

    /// Where a finding about a missing container setting points: the container's first key
    /// (the `- name: web` entry).
    pub fn anchor(self) -> NodeRef<'a> {
        self.node
            .key("name")
            .or_else(|| self.node.entries().next().map(|(k, _)| k))
            .unwrap_or(self.node)
    }

    /// Where a finding about a missing container security setting points: the container's
    /// `securityContext:` key when there is one, else its `- name:` entry.
    pub fn security_anchor(self) -> NodeRef<'a> {
        self.node
            .key("securityContext")
            .unwrap_or_else(|| self.anchor())
    }

    /// "container `web`" for messages.
    pub fn describe(self) -> String {
        if self.name.is_empty() {
            format!("unnamed {}", self.kind.noun())
        } else {
            format!("{} `{}`", self.kind.noun(), self.name)
        }
    }
}
