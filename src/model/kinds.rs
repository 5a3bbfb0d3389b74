//! Facts about kinds that checks and the resource model need.

/// Kinds that have no namespace. Custom resources are namespaced unless listed here: their
/// scope lives in their CRD, and a namespace that does not exist cannot cause a finding.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterIssuer",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "StorageClass",
    "TokenReview",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "GatewayClass",
    "ClusterServingRuntime",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Kustomize's own configuration kinds: inputs to a build, not objects in a cluster.
pub fn is_kustomize_kind(api_version: &str, kind: &str) -> bool {
    api_version.starts_with("kustomize.config.k8s.io/")
        && matches!(kind, "Kustomization" | "Component")
}
