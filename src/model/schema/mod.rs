//! The shapes the API server decodes: for every field a check reads, the type it must have.
//!
//! The typed views (`PodSpec`, `Container`, RBAC rules, the graph's references) read a field
//! only when it has the expected shape and treat anything else as absent, so a type error
//! (`securityContext: "privileged"`, `containers:` written as a mapping, `runAsUser: "1000"`)
//! would silently turn checks off. This table says what each of those fields must be, so that
//! `malformed-object` reports exactly the fields whose reading a check skips, and which the API
//! server would reject. Scalars are typed as Kubernetes' YAML decoder (go-yaml, YAML 1.1) types
//! them: a plain `yes` is a boolean, a plain `1000` an integer, a quoted `"1000"` a string.
//!
//! Unknown fields are never reported (custom resources, newer API versions), except the fields
//! an API version no longer has and whose absence a check depends on ([`Shape::Gone`]: the beta
//! Ingress backend fields in `networking.k8s.io/v1`).

mod walk;

pub(crate) use walk::problems;
#[cfg(test)]
use walk::{is_float, scalar_type, ScalarType};

use super::{is_workload_kind, Resource};

/// What a field must be.
#[derive(Debug)]
pub(crate) enum Shape {
    /// A string.
    Str,
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// An integer or a string (a port name or number, a percentage).
    IntOrStr,
    /// A quantity: a string or a number (`500m`, `1Gi`, `2`).
    Quantity,
    /// A list of items of a shape.
    List(&'static Shape),
    /// A mapping with these fields (others are not looked at).
    Map(&'static [Field]),
    /// A mapping of any keys to values of a shape (labels, ConfigMap data, resource limits).
    MapOf(&'static Shape),
    /// A field this API version does not have; its replacement, as it should be written.
    Gone(&'static str),
}

/// One field of a [`Shape::Map`].
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) shape: &'static Shape,
    /// The API server rejects the object without it (or with it null or empty, for a list).
    pub(crate) required: bool,
}

const fn field(name: &'static str, shape: &'static Shape) -> Field {
    Field {
        name,
        shape,
        required: false,
    }
}

const fn required(name: &'static str, shape: &'static Shape) -> Field {
    Field {
        name,
        shape,
        required: true,
    }
}

static STR: Shape = Shape::Str;
static INT: Shape = Shape::Int;
static BOOL: Shape = Shape::Bool;
static INT_OR_STR: Shape = Shape::IntOrStr;
static STR_LIST: Shape = Shape::List(&STR);
static INT_LIST: Shape = Shape::List(&INT);
static STR_MAP: Shape = Shape::MapOf(&STR);
static QUANTITIES: Shape = Shape::MapOf(&Shape::Quantity);

static METADATA: Shape = Shape::Map(&[
    field("name", &STR),
    field("generateName", &STR),
    field("namespace", &STR),
    field("labels", &STR_MAP),
    field("annotations", &STR_MAP),
]);

static LABEL_SELECTOR: Shape = Shape::Map(&[
    field("matchLabels", &STR_MAP),
    field(
        "matchExpressions",
        &Shape::List(&Shape::Map(&[
            field("key", &STR),
            field("operator", &STR),
            field("values", &STR_LIST),
        ])),
    ),
]);

static NAME_REF: Shape = Shape::Map(&[field("name", &STR), field("optional", &BOOL)]);

// ---------------------------------------------------------------------------------------------
// Pods

static PROFILE: Shape = Shape::Map(&[field("type", &STR), field("localhostProfile", &STR)]);

static SE_LINUX: Shape = Shape::Map(&[
    field("user", &STR),
    field("role", &STR),
    field("type", &STR),
    field("level", &STR),
]);

static WINDOWS: Shape = Shape::Map(&[
    field("hostProcess", &BOOL),
    field("runAsUserName", &STR),
    field("gmsaCredentialSpecName", &STR),
]);

static CONTAINER_SECURITY: Shape = Shape::Map(&[
    field("privileged", &BOOL),
    field("allowPrivilegeEscalation", &BOOL),
    field("readOnlyRootFilesystem", &BOOL),
    field("runAsNonRoot", &BOOL),
    field("runAsUser", &INT),
    field("runAsGroup", &INT),
    field("procMount", &STR),
    field(
        "capabilities",
        &Shape::Map(&[field("add", &STR_LIST), field("drop", &STR_LIST)]),
    ),
    field("seccompProfile", &PROFILE),
    field("appArmorProfile", &PROFILE),
    field("seLinuxOptions", &SE_LINUX),
    field("windowsOptions", &WINDOWS),
]);

static POD_SECURITY: Shape = Shape::Map(&[
    field("runAsNonRoot", &BOOL),
    field("runAsUser", &INT),
    field("runAsGroup", &INT),
    field("fsGroup", &INT),
    field("supplementalGroups", &INT_LIST),
    field(
        "sysctls",
        &Shape::List(&Shape::Map(&[field("name", &STR), field("value", &STR)])),
    ),
    field("seccompProfile", &PROFILE),
    field("appArmorProfile", &PROFILE),
    field("seLinuxOptions", &SE_LINUX),
    field("windowsOptions", &WINDOWS),
]);

static RESOURCES: Shape =
    Shape::Map(&[field("requests", &QUANTITIES), field("limits", &QUANTITIES)]);

static PROBE: Shape = Shape::Map(&[
    field(
        "httpGet",
        &Shape::Map(&[
            field("port", &INT_OR_STR),
            field("path", &STR),
            field("scheme", &STR),
        ]),
    ),
    field("tcpSocket", &Shape::Map(&[field("port", &INT_OR_STR)])),
    field(
        "grpc",
        &Shape::Map(&[field("port", &INT), field("service", &STR)]),
    ),
    field("exec", &Shape::Map(&[field("command", &STR_LIST)])),
    field("initialDelaySeconds", &INT),
    field("periodSeconds", &INT),
    field("timeoutSeconds", &INT),
    field("failureThreshold", &INT),
    field("successThreshold", &INT),
]);

static ENV_VAR: Shape = Shape::Map(&[
    required("name", &STR),
    field("value", &STR),
    field(
        "valueFrom",
        &Shape::Map(&[
            field("secretKeyRef", &KEY_REF),
            field("configMapKeyRef", &KEY_REF),
        ]),
    ),
]);

static KEY_REF: Shape = Shape::Map(&[
    field("name", &STR),
    field("key", &STR),
    field("optional", &BOOL),
]);

pub(crate) static CONTAINER: Shape = Shape::Map(&[
    required("name", &STR),
    field("image", &STR),
    field("command", &STR_LIST),
    field("args", &STR_LIST),
    field(
        "ports",
        &Shape::List(&Shape::Map(&[
            field("name", &STR),
            field("containerPort", &INT),
            field("hostPort", &INT),
            field("protocol", &STR),
        ])),
    ),
    field("env", &Shape::List(&ENV_VAR)),
    field(
        "envFrom",
        &Shape::List(&Shape::Map(&[
            field("prefix", &STR),
            field("configMapRef", &NAME_REF),
            field("secretRef", &NAME_REF),
        ])),
    ),
    field("resources", &RESOURCES),
    field(
        "volumeMounts",
        &Shape::List(&Shape::Map(&[
            field("name", &STR),
            field("mountPath", &STR),
            field("readOnly", &BOOL),
        ])),
    ),
    field("livenessProbe", &PROBE),
    field("readinessProbe", &PROBE),
    field("startupProbe", &PROBE),
    field("securityContext", &CONTAINER_SECURITY),
    field("restartPolicy", &STR),
    field("tty", &BOOL),
    field("stdin", &BOOL),
]);

static VOLUME: Shape = Shape::Map(&[
    field("name", &STR),
    field(
        "hostPath",
        &Shape::Map(&[field("path", &STR), field("type", &STR)]),
    ),
    field(
        "configMap",
        &Shape::Map(&[field("name", &STR), field("optional", &BOOL)]),
    ),
    field(
        "secret",
        &Shape::Map(&[field("secretName", &STR), field("optional", &BOOL)]),
    ),
    field(
        "persistentVolumeClaim",
        &Shape::Map(&[field("claimName", &STR), field("readOnly", &BOOL)]),
    ),
    field(
        "projected",
        &Shape::Map(&[field(
            "sources",
            &Shape::List(&Shape::Map(&[
                field("secret", &NAME_REF),
                field("configMap", &NAME_REF),
                field(
                    "serviceAccountToken",
                    &Shape::Map(&[
                        field("audience", &STR),
                        field("expirationSeconds", &INT),
                        field("path", &STR),
                    ]),
                ),
            ])),
        )]),
    ),
]);

/// A pod spec (`spec` of a Pod, of every pod template).
pub(crate) static POD_SPEC: Shape = Shape::Map(&[
    required("containers", &Shape::List(&CONTAINER)),
    field("initContainers", &Shape::List(&CONTAINER)),
    field("ephemeralContainers", &Shape::List(&CONTAINER)),
    field("volumes", &Shape::List(&VOLUME)),
    field("securityContext", &POD_SECURITY),
    field("hostNetwork", &BOOL),
    field("hostPID", &BOOL),
    field("hostIPC", &BOOL),
    field("hostUsers", &BOOL),
    field("serviceAccountName", &STR),
    field("serviceAccount", &STR),
    field("automountServiceAccountToken", &BOOL),
    field("restartPolicy", &STR),
    field("os", &Shape::Map(&[field("name", &STR)])),
    field("resources", &RESOURCES),
    field("nodeSelector", &STR_MAP),
    field("imagePullSecrets", &Shape::List(&NAME_REF)),
]);

// ---------------------------------------------------------------------------------------------
// Objects: the fields of each kind outside its pod spec, by API group and kind

/// A pod template around its pod spec (whose fields are checked at [`PodSpec`], so they apply
/// to custom kinds with a pod template too).
static POD_TEMPLATE: Shape = Shape::Map(&[
    field("metadata", &METADATA),
    field("spec", &Shape::Map(&[])),
]);

/// A workload's spec, around its pod template (whose `spec` is checked as a pod spec).
static WORKLOAD_SPEC: Shape = Shape::Map(&[
    field("replicas", &INT),
    field("selector", &LABEL_SELECTOR),
    field("template", &POD_TEMPLATE),
    field("manualSelector", &BOOL),
    field(
        "volumeClaimTemplates",
        &Shape::List(&Shape::Map(&[field("metadata", &METADATA)])),
    ),
]);

static CRONJOB_SPEC: Shape = Shape::Map(&[
    field("schedule", &STR),
    field(
        "jobTemplate",
        &Shape::Map(&[field("metadata", &METADATA), field("spec", &WORKLOAD_SPEC)]),
    ),
]);

static SERVICE_SPEC: Shape = Shape::Map(&[
    field("type", &STR),
    field("selector", &STR_MAP),
    field("loadBalancerSourceRanges", &STR_LIST),
    field(
        "ports",
        &Shape::List(&Shape::Map(&[
            field("name", &STR),
            field("port", &INT),
            field("targetPort", &INT_OR_STR),
            field("nodePort", &INT),
            field("protocol", &STR),
        ])),
    ),
]);

/// An Ingress backend in `networking.k8s.io/v1`.
static BACKEND_V1: Shape = Shape::Map(&[
    field(
        "service",
        &Shape::Map(&[
            field("name", &STR),
            field(
                "port",
                &Shape::Map(&[field("number", &INT), field("name", &STR)]),
            ),
        ]),
    ),
    field("serviceName", &Shape::Gone("service.name")),
    field("servicePort", &Shape::Gone("service.port")),
]);

/// An Ingress backend in the beta APIs (`extensions`, `networking.k8s.io/v1beta1`).
static BACKEND_BETA: Shape = Shape::Map(&[
    field("serviceName", &STR),
    field("servicePort", &INT_OR_STR),
]);

static TLS: Shape = Shape::List(&Shape::Map(&[
    field("hosts", &STR_LIST),
    field("secretName", &STR),
]));

static INGRESS_V1_SPEC: Shape = Shape::Map(&[
    field("defaultBackend", &BACKEND_V1),
    field("backend", &Shape::Gone("defaultBackend")),
    field(
        "rules",
        &Shape::List(&Shape::Map(&[
            field("host", &STR),
            field(
                "http",
                &Shape::Map(&[field(
                    "paths",
                    &Shape::List(&Shape::Map(&[
                        field("path", &STR),
                        field("pathType", &STR),
                        field("backend", &BACKEND_V1),
                    ])),
                )]),
            ),
        ])),
    ),
    field("tls", &TLS),
]);

static INGRESS_BETA_SPEC: Shape = Shape::Map(&[
    field("backend", &BACKEND_BETA),
    field(
        "rules",
        &Shape::List(&Shape::Map(&[
            field("host", &STR),
            field(
                "http",
                &Shape::Map(&[field(
                    "paths",
                    &Shape::List(&Shape::Map(&[
                        field("path", &STR),
                        field("backend", &BACKEND_BETA),
                    ])),
                )]),
            ),
        ])),
    ),
    field("tls", &TLS),
]);

static POLICY_PEER: Shape = Shape::Map(&[
    field("podSelector", &LABEL_SELECTOR),
    field("namespaceSelector", &LABEL_SELECTOR),
    field(
        "ipBlock",
        &Shape::Map(&[field("cidr", &STR), field("except", &STR_LIST)]),
    ),
]);

static POLICY_PORTS: Shape = Shape::List(&Shape::Map(&[
    field("protocol", &STR),
    field("port", &INT_OR_STR),
    field("endPort", &INT),
]));

static NETWORK_POLICY_SPEC: Shape = Shape::Map(&[
    field("podSelector", &LABEL_SELECTOR),
    field("policyTypes", &STR_LIST),
    field(
        "ingress",
        &Shape::List(&Shape::Map(&[
            field("from", &Shape::List(&POLICY_PEER)),
            field("ports", &POLICY_PORTS),
        ])),
    ),
    field(
        "egress",
        &Shape::List(&Shape::Map(&[
            field("to", &Shape::List(&POLICY_PEER)),
            field("ports", &POLICY_PORTS),
        ])),
    ),
]);

static HPA_SPEC: Shape = Shape::Map(&[
    required(
        "scaleTargetRef",
        &Shape::Map(&[
            field("apiVersion", &STR),
            field("kind", &STR),
            field("name", &STR),
        ]),
    ),
    field("minReplicas", &INT),
    field("maxReplicas", &INT),
]);

static PDB_SPEC: Shape = Shape::Map(&[
    field("selector", &LABEL_SELECTOR),
    field("minAvailable", &INT_OR_STR),
    field("maxUnavailable", &INT_OR_STR),
]);

static RULES: Shape = Shape::List(&Shape::Map(&[
    field("apiGroups", &STR_LIST),
    field("resources", &STR_LIST),
    required("verbs", &STR_LIST),
    field("resourceNames", &STR_LIST),
    field("nonResourceURLs", &STR_LIST),
]));

static AGGREGATION_RULE: Shape =
    Shape::Map(&[field("clusterRoleSelectors", &Shape::List(&LABEL_SELECTOR))]);

static ROLE_REF: Shape = Shape::Map(&[
    field("apiGroup", &STR),
    field("kind", &STR),
    field("name", &STR),
]);

static SUBJECTS: Shape = Shape::List(&Shape::Map(&[
    field("kind", &STR),
    field("name", &STR),
    field("namespace", &STR),
    field("apiGroup", &STR),
]));

static HOST_PATH: Shape = Shape::Map(&[field("path", &STR), field("type", &STR)]);

/// The top-level fields of `resource` (besides `metadata`, which every object has, and the pod
/// spec of a workload, checked at [`PodSpec`]), by API group and kind.
fn top_level(resource: &Resource) -> &'static [Field] {
    static WORKLOAD: &[Field] = &[field("spec", &WORKLOAD_SPEC)];
    static POD: &[Field] = &[field("spec", &Shape::Map(&[]))];
    static TEMPLATE: &[Field] = &[field("template", &POD_TEMPLATE)];
    static CRONJOB: &[Field] = &[field("spec", &CRONJOB_SPEC)];
    static SERVICE: &[Field] = &[field("spec", &SERVICE_SPEC)];
    static INGRESS_V1: &[Field] = &[field("spec", &INGRESS_V1_SPEC)];
    static INGRESS_BETA: &[Field] = &[field("spec", &INGRESS_BETA_SPEC)];
    static NETWORK_POLICY: &[Field] = &[field("spec", &NETWORK_POLICY_SPEC)];
    static HPA: &[Field] = &[field("spec", &HPA_SPEC)];
    static PDB: &[Field] = &[field("spec", &PDB_SPEC)];
    static CONFIG_MAP: &[Field] = &[
        field("data", &STR_MAP),
        field("binaryData", &STR_MAP),
        field("immutable", &BOOL),
    ];
    static SECRET: &[Field] = &[
        field("data", &STR_MAP),
        field("stringData", &STR_MAP),
        field("type", &STR),
        field("immutable", &BOOL),
    ];
    static SERVICE_ACCOUNT: &[Field] = &[
        field("automountServiceAccountToken", &BOOL),
        field("secrets", &Shape::List(&NAME_REF)),
        field("imagePullSecrets", &Shape::List(&NAME_REF)),
    ];
    static ROLE: &[Field] = &[field("rules", &RULES)];
    static CLUSTER_ROLE: &[Field] = &[
        field("rules", &RULES),
        field("aggregationRule", &AGGREGATION_RULE),
    ];
    static BINDING: &[Field] = &[required("roleRef", &ROLE_REF), field("subjects", &SUBJECTS)];
    static PERSISTENT_VOLUME: &[Field] =
        &[field("spec", &Shape::Map(&[field("hostPath", &HOST_PATH)]))];
    let group = resource.group();
    match (group, resource.kind.as_str()) {
        ("", "Pod") => POD,
        ("", "PodTemplate") => TEMPLATE,
        ("batch", "CronJob") => CRONJOB,
        (_, kind) if is_workload_kind(group, kind) => WORKLOAD,
        ("", "Service") => SERVICE,
        ("networking.k8s.io", "Ingress") if resource.api_version == "networking.k8s.io/v1" => {
            INGRESS_V1
        }
        ("networking.k8s.io" | "extensions", "Ingress") => INGRESS_BETA,
        ("networking.k8s.io" | "extensions", "NetworkPolicy") => NETWORK_POLICY,
        ("autoscaling", "HorizontalPodAutoscaler") => HPA,
        ("policy", "PodDisruptionBudget") => PDB,
        ("", "ConfigMap") => CONFIG_MAP,
        ("", "Secret") => SECRET,
        ("", "ServiceAccount") => SERVICE_ACCOUNT,
        ("rbac.authorization.k8s.io", "Role") => ROLE,
        ("rbac.authorization.k8s.io", "ClusterRole") => CLUSTER_ROLE,
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => BINDING,
        ("", "PersistentVolume") => PERSISTENT_VOLUME,
        _ => &[],
    }
}

/// The fields of [`POD_SPEC`].
fn pod_spec_fields() -> &'static [Field] {
    match &POD_SPEC {
        Shape::Map(fields) => fields,
        _ => &[],
    }
}

#[cfg(test)]
mod tests;
