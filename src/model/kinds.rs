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
    "ClusterServingRuntime",
    "ClusterTrustBundle",
    "ComponentStatus",
    "CustomResourceDefinition",
    "DeviceClass",
    "FlowSchema",
    "GatewayClass",
    "IPAddress",
    "IngressClass",
    "InitializerConfiguration",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ResourceSlice",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectReview",
    "SelfSubjectRulesReview",
    "ServiceCIDR",
    "StorageClass",
    "StorageVersion",
    "StorageVersionMigration",
    "SubjectAccessReview",
    "TokenReview",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeAttributesClass",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.binary_search(&kind).is_ok()
}

/// Kustomize's own configuration kinds: inputs to a build, not objects in a cluster.
pub fn is_kustomize_kind(api_version: &str, kind: &str) -> bool {
    api_version.starts_with("kustomize.config.k8s.io/")
        && matches!(kind, "Kustomization" | "Component")
}

/// Whether `kind` of API `group` runs pods because of what it is, whatever its manifest holds:
/// the built-in workload kinds, OpenShift's DeploymentConfig and Argo's Rollout. Such an object
/// has a pod spec (and is checked as one) even when its `containers` is missing or malformed;
/// other kinds are pod-bearing only when their `spec.template` holds a `containers` list.
pub fn is_workload_kind(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("", "Pod" | "ReplicationController" | "PodTemplate")
            | (
                "apps" | "extensions",
                "Deployment" | "DaemonSet" | "ReplicaSet"
            )
            | ("apps", "StatefulSet")
            | ("batch", "Job" | "CronJob")
            | ("" | "apps.openshift.io", "DeploymentConfig")
            | ("argoproj.io", "Rollout")
    )
}
