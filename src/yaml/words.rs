//! Words manifests write over and over (field names of the Kubernetes API and of CRD schemas,
//! well-known labels, common values): a tree's [`Arena`](super::Arena) points at this table
//! instead of copying them. At 100k generated objects, keys alone are a third of the input and
//! come from about a hundred names; every object repeats `apiVersion`, `kind`, `metadata`,
//! `name`.

use std::sync::OnceLock;

/// The words, each once. A text's number here is its index (at most `u16::MAX`).
#[rustfmt::skip]
const WORDS: &[&str] = &[
    // Objects and metadata.
    "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec",
    "status", "data", "stringData", "type", "generateName", "uid", "finalizers",
    "ownerReferences", "creationTimestamp", "resourceVersion", "generation", "items",
    // Well-known labels and annotations.
    "app", "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
    "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
    "helm.sh/chart", "kubernetes.io/os", "kubernetes.io/arch", "kubernetes.io/hostname",
    "topology.kubernetes.io/zone", "component", "version", "tier", "release", "chart",
    "heritage",
    // Workloads and pods.
    "replicas", "selector", "matchLabels", "matchExpressions", "key", "operator", "values",
    "value", "template", "strategy", "rollingUpdate", "maxSurge", "maxUnavailable",
    "revisionHistoryLimit", "minReadySeconds", "serviceName", "podManagementPolicy",
    "updateStrategy", "volumeClaimTemplates", "schedule", "jobTemplate", "backoffLimit",
    "completions", "parallelism", "restartPolicy", "concurrencyPolicy", "containers",
    "initContainers", "ephemeralContainers", "image", "imagePullPolicy", "imagePullSecrets",
    "command", "args", "workingDir", "ports", "containerPort", "hostPort", "hostIP",
    "protocol", "env", "envFrom", "valueFrom", "secretKeyRef", "configMapKeyRef", "fieldRef",
    "fieldPath", "resourceFieldRef", "configMapRef", "secretRef", "optional", "resources",
    "limits", "requests", "cpu", "memory", "ephemeral-storage", "storage", "volumeMounts",
    "mountPath", "subPath", "readOnly", "volumes", "configMap", "secret", "secretName",
    "emptyDir", "hostPath", "path", "persistentVolumeClaim", "claimName", "projected",
    "sources", "defaultMode", "medium", "sizeLimit", "livenessProbe", "readinessProbe",
    "startupProbe", "httpGet", "tcpSocket", "exec", "grpc", "port", "scheme",
    "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold",
    "failureThreshold", "lifecycle", "preStop", "postStart", "securityContext",
    "runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "readOnlyRootFilesystem",
    "allowPrivilegeEscalation", "privileged", "capabilities", "add", "drop", "seccompProfile",
    "seLinuxOptions", "appArmorProfile", "procMount", "sysctls", "serviceAccountName",
    "serviceAccount", "automountServiceAccountToken", "hostNetwork", "hostPID", "hostIPC",
    "nodeSelector", "affinity", "nodeAffinity", "podAffinity", "podAntiAffinity",
    "requiredDuringSchedulingIgnoredDuringExecution",
    "preferredDuringSchedulingIgnoredDuringExecution", "podAffinityTerm", "labelSelector",
    "topologyKey", "weight", "nodeSelectorTerms", "tolerations", "effect",
    "tolerationSeconds", "topologySpreadConstraints", "maxSkew", "whenUnsatisfiable",
    "priorityClassName", "terminationGracePeriodSeconds", "dnsPolicy", "schedulerName",
    // Services, networking, autoscaling.
    "clusterIP", "targetPort", "nodePort", "sessionAffinity", "externalTrafficPolicy",
    "ingress", "egress", "from", "to", "podSelector", "namespaceSelector", "ipBlock", "cidr",
    "except", "policyTypes", "rules", "host", "hosts", "http", "paths", "pathType", "backend",
    "service", "number", "tls", "ingressClassName", "scaleTargetRef", "minReplicas",
    "maxReplicas", "metrics", "target", "averageUtilization", "minAvailable",
    // RBAC.
    "apiGroups", "verbs", "resourceNames", "nonResourceURLs", "roleRef", "apiGroup",
    "subjects", "aggregationRule", "clusterRoleSelectors", "get", "list", "watch", "create",
    "update", "patch", "delete", "deletecollection", "*", "pods", "secrets", "configmaps",
    "services", "deployments", "events", "namespaces", "nodes", "serviceaccounts",
    // CRD schemas.
    "properties", "description", "required", "additionalProperties", "format", "enum",
    "default", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
    "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
    "openAPIV3Schema", "served", "versions", "schema", "names", "plural",
    "singular", "shortNames", "scope", "group", "string", "object", "array", "boolean",
    "integer", "int32", "int64", "atomic", "map", "anyOf", "oneOf", "allOf", "minimum",
    "maximum", "minLength", "maxLength", "pattern", "date-time",
    // Values.
    "v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io", "policy/v1", "autoscaling/v2", "Pod", "Deployment",
    "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Service", "ServiceAccount",
    "ConfigMap", "Secret", "Namespace", "Ingress", "NetworkPolicy", "Role", "ClusterRole",
    "RoleBinding", "ClusterRoleBinding", "PersistentVolumeClaim", "PodDisruptionBudget",
    "HorizontalPodAutoscaler", "CustomResourceDefinition", "User", "Group", "TCP", "UDP",
    "SCTP", "ClusterIP", "NodePort", "LoadBalancer", "Opaque", "Always", "IfNotPresent",
    "Never", "OnFailure", "RuntimeDefault", "Localhost", "Unconfined", "ALL", "NET_ADMIN",
    "NET_BIND_SERVICE", "SYS_ADMIN", "In", "NotIn", "Exists", "DoesNotExist", "Equal",
    "NoSchedule", "NoExecute", "Prefix", "Exact", "ImplementationSpecific",
    "Egress", "Resource", "Utilization", "true", "false", "null", "linux",
    "amd64", "arm64", "https", "/", "/healthz", "/readyz",
    "/livez", "/metrics", "/tmp", "0", "1", "2", "3", "80", "443", "8080", "8443", "9090",
    "1000", "65534", "100m", "128Mi", "256Mi", "512Mi", "1Gi",
];

/// Open addressing over `WORDS`: each slot holds a word's index + 1, or 0. Twice as many
/// slots as a power of two above the word count keeps probes short.
const SLOTS: usize = 2048;

fn slot_of(word: &[u8]) -> usize {
    // FNV-1a: words are short, and this runs once per scalar read.
    let mut hash: u32 = 0x811c_9dc5;
    for &b in word {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    hash as usize % SLOTS
}

fn table() -> &'static [u16; SLOTS] {
    static TABLE: OnceLock<Box<[u16; SLOTS]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Box::new([0u16; SLOTS]);
        for (index, word) in WORDS.iter().enumerate() {
            if find_in(&table, word).is_some() {
                continue; // A word listed twice keeps its first number.
            }
            let mut slot = slot_of(word.as_bytes());
            while table[slot] != 0 {
                slot = (slot + 1) % SLOTS;
            }
            table[slot] = index as u16 + 1;
        }
        table
    })
}

fn find_in(table: &[u16; SLOTS], text: &str) -> Option<u16> {
    let mut slot = slot_of(text.as_bytes());
    loop {
        let number = table[slot];
        let word = WORDS.get(usize::from(number.checked_sub(1)?))?;
        if *word == text {
            return Some(number - 1);
        }
        slot = (slot + 1) % SLOTS;
    }
}

/// `text`'s number in the table, if it is one of its words.
pub(super) fn number(text: &str) -> Option<u16> {
    if text.is_empty() || text.len() > 48 {
        return None;
    }
    find_in(table(), text)
}

/// The word numbered `number` (empty for a number the table does not have).
#[inline]
pub(super) fn word(number: u32) -> &'static str {
    WORDS.get(number as usize).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_found_and_nothing_else() {
        for word in WORDS {
            let number = number(word).expect(word);
            assert_eq!(super::word(number.into()), *word);
        }
        for text in [
            "",
            "nam",
            "names ",
            "Name",
            "x-kubernetes",
            "apiversion",
            "kinds",
        ] {
            assert_eq!(number(text).map(|n| super::word(n.into())), None, "{text}");
        }
        assert!(WORDS.len() < SLOTS / 2);
        assert!(WORDS.iter().all(|w| w.len() <= 48));
    }
}
