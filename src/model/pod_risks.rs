//! The rule book of pod security: what makes a pod dangerous, written once for every check that
//! asks (the per-object Pod Security checks, `sensitive-host-mount`, and the cross-resource
//! `exposed-privileged-workload`).
//!
//! - a privileged container (`securityContext.privileged: true`);
//! - a host namespace shared with the node (`hostNetwork`, `hostPID`, `hostIPC`);
//! - a sensitive host path mounted from the node, by prefix of whole path components.

use super::{Container, PodSpec};
use crate::yaml::NodeRef;

/// `securityContext.privileged: true` of a container: the value node.
pub(crate) fn privileged(container: Container<'_>) -> Option<NodeRef<'_>> {
    container
        .security_context()
        .and_then(|sc| sc.get("privileged"))
        .filter(|v| v.as_bool() == Some(true))
}

/// The capabilities the baseline profile lets a container add: the container runtimes'
/// default set, without `NET_RAW`.
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// How an added capability name reads against the baseline list.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CapabilityName {
    /// Exactly a name of the list.
    Allowed,
    /// A default capability written another way (`chown`, `CAP_CHOWN`): a runtime grants
    /// nothing beyond the default set, but admission compares names exactly and rejects it.
    AllowedSpelledAs(&'static str),
    /// `ALL`, in any case.
    All,
    /// Any other capability, named without `CAP_` and in upper case.
    Dangerous(String),
}

/// Classifies one `capabilities.add` item. Runtimes upper-case the name before prefixing
/// `CAP_`, and some accept the prefix written out, so the comparison ignores case and a leading
/// `CAP_`: it reads the capability a runtime may grant.
pub(crate) fn classify_capability(raw: &str) -> CapabilityName {
    if BASELINE_CAPABILITIES.contains(&raw) {
        return CapabilityName::Allowed;
    }
    let upper = raw.to_ascii_uppercase();
    let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
    if name == "ALL" {
        return CapabilityName::All;
    }
    match BASELINE_CAPABILITIES.iter().find(|c| **c == name) {
        Some(canonical) => CapabilityName::AllowedSpelledAs(canonical),
        None => CapabilityName::Dangerous(name.to_string()),
    }
}

/// The string items of a container's `securityContext.capabilities.add`, with their nodes.
pub(crate) fn added_capabilities(container: Container<'_>) -> Vec<(NodeRef<'_>, &str)> {
    container
        .security_context()
        .and_then(|sc| sc.path(&["capabilities", "add"]))
        .into_iter()
        .flat_map(|add| add.items())
        .filter_map(|item| Some((item, item.as_str().filter(|s| !s.is_empty())?)))
        .collect()
}

/// `net_bind_service`, `CAP_NET_BIND_SERVICE` → `NET_BIND_SERVICE`.
pub(crate) fn canonical_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or_else(|| upper.clone(), str::to_string)
}

/// Whether an added capability is outside `allowed` (names compared exactly, as Pod Security
/// admission compares them): `None` when allowed, else `Some` of the allowed spelling of the
/// same capability, if there is one (`CAP_NET_BIND_SERVICE` for `NET_BIND_SERVICE`).
pub(crate) fn outside_allowed<'l>(raw: &str, allowed: &'l [String]) -> Option<Option<&'l str>> {
    if allowed.iter().any(|a| a == raw) {
        return None;
    }
    let canonical = canonical_capability(raw);
    Some(
        allowed
            .iter()
            .find(|a| canonical_capability(a) == canonical)
            .map(String::as_str),
    )
}

/// A namespace of the node that a pod can share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostNamespace {
    Network,
    Pid,
    Ipc,
}

impl HostNamespace {
    pub(crate) const ALL: [HostNamespace; 3] = [
        HostNamespace::Network,
        HostNamespace::Pid,
        HostNamespace::Ipc,
    ];

    /// The pod spec field that shares it.
    pub(crate) fn field(self) -> &'static str {
        match self {
            HostNamespace::Network => "hostNetwork",
            HostNamespace::Pid => "hostPID",
            HostNamespace::Ipc => "hostIPC",
        }
    }

    /// How a finding names it: "the host's {noun} namespace".
    pub(crate) fn noun(self) -> &'static str {
        match self {
            HostNamespace::Network => "network",
            HostNamespace::Pid => "process ID",
            HostNamespace::Ipc => "IPC",
        }
    }

    /// How a list of dangers names it, briefly.
    pub(crate) fn short_noun(self) -> &'static str {
        match self {
            HostNamespace::Pid => "process (PID)",
            other => other.noun(),
        }
    }
}

/// `spec.<field>: true` sharing `namespace` with the node: the value node.
pub(crate) fn shared_host_namespace(
    pod: PodSpec<'_>,
    namespace: HostNamespace,
) -> Option<NodeRef<'_>> {
    pod.spec
        .get(namespace.field())
        .filter(|v| v.as_bool() == Some(true))
}

/// The host paths `sensitive-host-mount` reports by default: the node's system directories,
/// its credentials, the kubelet's and container runtimes' state, and their sockets.
pub(crate) const DEFAULT_SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/home",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/run",
    "/run",
    "/var/log",
    "/etc/kubernetes",
    "/var/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
];

/// A list of sensitive host paths, normalised once, to match mounted paths against.
pub(crate) struct SensitivePaths {
    paths: Vec<String>,
}

impl SensitivePaths {
    /// The configured list (blank entries are ignored).
    pub(crate) fn new(configured: &[String]) -> Self {
        SensitivePaths {
            paths: configured
                .iter()
                .filter(|p| !p.trim().is_empty())
                .map(|p| normalize_path(p))
                .collect(),
        }
    }

    /// Whether the host path `path` (a `hostPath.path` value) is sensitive: the most specific
    /// entry it is or lies under (it names a finding best: `/var/run/docker.sock`, not
    /// `/var/run`).
    pub(crate) fn matching<'n>(&self, path: NodeRef<'n>) -> Option<SensitiveMatch<'_, 'n>> {
        let written = path.as_str()?;
        let path = normalize_path(written);
        let entry = self
            .paths
            .iter()
            .filter(|s| is_at_or_under(&path, s))
            .max_by_key(|s| s.len())?;
        Some(SensitiveMatch {
            written,
            path,
            entry,
        })
    }
}

/// A host path found sensitive by [`SensitivePaths::matching`].
pub(crate) struct SensitiveMatch<'s, 'n> {
    /// The path as written.
    pub(crate) written: &'n str,
    /// The path, normalised.
    pub(crate) path: String,
    /// The sensitive entry it is or lies under.
    pub(crate) entry: &'s str,
}

impl SensitiveMatch<'_, '_> {
    /// A socket: a read-only mount still lets a container connect to it.
    pub(crate) fn is_socket(&self) -> bool {
        self.path.ends_with(".sock")
    }
}

/// `/var//run/./` → `/var/run`; `..` is resolved lexically (the API server refuses it anyway).
pub(crate) fn normalize_path(path: &str) -> String {
    let path = path.trim();
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `path` is `entry` or lies under it. `/` is only `/` itself: everything lies under it, and
/// mounting a file of the host is not mounting the host's root.
fn is_at_or_under(path: &str, entry: &str) -> bool {
    if path == entry {
        return true;
    }
    entry != "/"
        && path
            .strip_prefix(entry)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;
    use crate::yaml::{parse_stream, FileId};

    #[test]
    fn paths_normalise_and_match_whole_components() {
        assert_eq!(
            normalize_path("/var//run/./docker.sock"),
            "/var/run/docker.sock"
        );
        assert_eq!(normalize_path("/etc/"), "/etc");
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("///"), "/");
        assert_eq!(normalize_path("/a/b/../c"), "/a/c");
        assert!(is_at_or_under("/etc", "/etc"));
        assert!(is_at_or_under("/etc/ssl", "/etc"));
        assert!(!is_at_or_under("/etcd-data", "/etc"));
        assert!(is_at_or_under("/", "/"));
        assert!(!is_at_or_under("/data", "/"));
    }

    #[test]
    fn the_most_specific_entry_names_the_match() {
        let paths: Vec<String> = DEFAULT_SENSITIVE_HOST_PATHS
            .iter()
            .map(|p| p.to_string())
            .chain([" ".to_string()])
            .collect();
        let sensitive = SensitivePaths::new(&paths);
        let text = "[/var//run/docker.sock, /var/run/x, /data, /, /run/crio/crio.sock, 3]";
        let stream = parse_stream(text, FileId(0), &LineIndex::new(text));
        let found: Vec<Option<(&str, bool)>> = stream.documents[0]
            .tree
            .root()
            .items()
            .map(|path| sensitive.matching(path).map(|m| (m.entry, m.is_socket())))
            .collect();
        assert_eq!(
            found,
            [
                Some(("/var/run/docker.sock", true)),
                Some(("/var/run", false)),
                None,
                Some(("/", false)),
                Some(("/run/crio/crio.sock", true)),
                None,
            ]
        );
    }
}
