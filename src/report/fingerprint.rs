//! A finding's identity across runs and edits: its check, its file (relative to the source
//! root), its object (`Deployment.apps/shop/web`) and its path inside the object
//! (`spec.template.spec.containers[web].securityContext.privileged`). No line or column: a
//! finding keeps its fingerprint when lines are added above it or its document moves within the
//! file. Baselines store fingerprints; SARIF carries them as `partialFingerprints`.
//!
//! The API version is not part of the identity (only the group is): moving an object to a newer
//! version (`batch/v1beta1` → `batch/v1`) does not make its findings new. The file is: two
//! objects of the same name in different files (per-environment directories) are two objects.
//! A finding without an object (`invalid-yaml`) is identified by its check and file.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::paths::SrcRoot;
use crate::diagnostic::Finding;
use crate::model::{object_path, ObjectRef, Resource};
use crate::workspace::Workspace;

/// What identifies a finding across runs (field order is the sort order of a baseline).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The file, relative to the source root (absolute when outside it).
    pub file: String,
    /// `Kind.group/namespace/name` (`Kind/namespace/name` for the core group, no namespace for
    /// cluster-scoped kinds); empty when the finding is about no object.
    pub object: String,
    pub check: String,
    /// Where in the object (see [`object_path`]); empty for the object's root or no object.
    pub path: String,
}

impl Fingerprint {
    /// One line: `check file object path` (SARIF's `partialFingerprints`).
    pub fn key(&self) -> String {
        format!("{}|{}|{}|{}", self.check, self.file, self.object, self.path)
    }
}

/// The fingerprints of `findings` (in order).
pub fn fingerprints(ws: &Workspace, findings: &[Finding], root: &SrcRoot) -> Vec<Fingerprint> {
    let mut by_object: HashMap<ObjectRef, Vec<&Resource>> = HashMap::new();
    for resource in ws.resources() {
        by_object
            .entry(resource.object_ref())
            .or_default()
            .push(resource);
    }
    findings
        .iter()
        .map(|finding| {
            let file = root.display(ws.sources.get(finding.span.file).display_path());
            let (object, path) = match &finding.object {
                Some(object) => {
                    let path = by_object
                        .get(object)
                        .into_iter()
                        .flatten()
                        .find_map(|r| object_path(r, finding.span))
                        .unwrap_or_default();
                    (object_identity(object), path)
                }
                None => (String::new(), String::new()),
            };
            Fingerprint {
                file,
                object,
                check: finding.check.to_string(),
                path,
            }
        })
        .collect()
}

/// `Deployment.apps/shop/web`, `Pod/default/web`, `ClusterRole.rbac.authorization.k8s.io/admin`.
pub fn object_identity(object: &ObjectRef) -> String {
    let mut out = object.kind.clone();
    if let Some((group, _)) = object.api_version.rsplit_once('/') {
        out.push('.');
        out.push_str(group);
    }
    if let Some(namespace) = &object.namespace {
        out.push('/');
        out.push_str(namespace);
    }
    out.push('/');
    out.push_str(&object.name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_name_the_group_not_the_version() {
        let object = |api: &str, kind: &str, ns: Option<&str>| ObjectRef {
            api_version: api.into(),
            kind: kind.into(),
            namespace: ns.map(String::from),
            name: "web".into(),
        };
        assert_eq!(
            object_identity(&object("apps/v1", "Deployment", Some("shop"))),
            "Deployment.apps/shop/web"
        );
        assert_eq!(
            object_identity(&object("v1", "Pod", Some("default"))),
            "Pod/default/web"
        );
        assert_eq!(
            object_identity(&object("rbac.authorization.k8s.io/v1", "ClusterRole", None)),
            "ClusterRole.rbac.authorization.k8s.io/web"
        );
    }
}
