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
