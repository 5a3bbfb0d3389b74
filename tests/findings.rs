//! What findings say on real runs of the default selection: folding (a weaker finding implied
//! by a stronger one on the same node), no silent passes on malformed workloads, secrets never
//! printed in any output, `--statistics` and the summary, and fixes that say why they are not
//! safe. The per-check fixtures are `tests/checks.rs`'.

mod common;

use k8sec::config::{Config, Overrides};
use k8sec::source::WalkOptions;
use k8sec::Inputs;

// ---------------------------------------------------------------------------------------------
// Folding: a weaker finding implied by a stronger one on the same node

/// The findings of `text` (one file) with the default selection as `overrides` changes it.
fn lint_text(text: &str, overrides: Overrides) -> Vec<k8sec::diagnostic::Finding> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("objects.yaml");
    std::fs::write(&path, text).unwrap();
    let config = Config::load(None, &overrides).unwrap();
    let ws = k8sec::load(
        &Inputs {
            paths: vec![path],
            ..Default::default()
        },
        &WalkOptions::default(),
    );
    k8sec::lint(&ws, &config).findings
}

const EVERYTHING: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: everything
rules:
  - apiGroups: [\"*\"]
    resources: [\"*\"]
    verbs: [\"*\"]
";

#[test]
fn a_full_wildcard_rule_is_one_finding_listing_what_it_implies() {
    let found = lint_text(EVERYTHING, Overrides::default());
    let ids: Vec<&str> = found.iter().map(|f| f.check).collect();
    assert_eq!(ids, ["rbac-wildcard"], "{found:#?}");
    let wildcard = &found[0];
    assert!(wildcard
        .message
        .contains("which includes reading every secret, exec into pods"));
    // It stands for errors (rbac-node-proxy, rbac-escalation-verbs…): it is one.
    assert_eq!(wildcard.severity, k8sec::diagnostic::Severity::Error);
    let related: Vec<&str> = wildcard
        .related
        .iter()
        .map(|r| r.message.as_str())
        .collect();
    for id in [
        "rbac-secrets-access",
        "rbac-pod-exec",
        "rbac-workload-create",
        "rbac-escalation-verbs",
        "rbac-node-proxy",
        "rbac-token-create",
        "rbac-csr-approval",
        "rbac-webhook-config",
        "rbac-persistent-volume-create",
        "rbac-node-update",
        "rbac-ephemeral-containers",
    ] {
        assert!(
            related.iter().any(|m| m.starts_with(&format!("{id}: "))),
            "{id} not listed: {related:#?}"
        );
    }
}

#[test]
fn a_check_selected_by_id_is_not_folded() {
    let overrides = Overrides {
        extend_select: vec!["rbac-secrets-access".into()],
        ..Overrides::default()
    };
    let found = lint_text(EVERYTHING, overrides);
    let mut ids: Vec<&str> = found.iter().map(|f| f.check).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["rbac-secrets-access", "rbac-wildcard"]);
    let wildcard = found.iter().find(|f| f.check == "rbac-wildcard").unwrap();
    assert!(!wildcard
        .related
        .iter()
        .any(|r| r.message.starts_with("rbac-secrets-access")));
    // Selecting the whole family by its category is not naming a check.
    let by_category = Overrides {
        select: Some(vec!["rbac".into()]),
        ..Overrides::default()
    };
    let ids: Vec<&str> = lint_text(EVERYTHING, by_category)
        .iter()
        .map(|f| f.check)
        .collect();
    assert_eq!(ids, ["rbac-wildcard"]);
}

#[test]
fn findings_granted_through_a_star_resource_are_folded() {
    // Argo CD's server: `get`, `patch`, `delete` on `*` of `*`.
    let text = EVERYTHING.replace("verbs: [\"*\"]", "verbs: [get, patch, delete]");
    let found = lint_text(&text, Overrides::default());
    let ids: Vec<&str> = found.iter().map(|f| f.check).collect();
    assert_eq!(ids, ["rbac-wildcard"], "{found:#?}");
    assert_eq!(
        found[0].message,
        "`*` in `resources` and `apiGroups` grants `get`, `patch` and `delete` on every resource \
         of every API group, which includes reading every secret, exec into pods, the kubelet \
         API, ephemeral containers, admission webhooks and modifying nodes"
    );
}

#[test]
fn a_rule_with_a_narrower_wildcard_keeps_its_findings() {
    // `*` verbs on secrets only: `rbac-wildcard` and `rbac-secrets-access` both report.
    let text = EVERYTHING.replace("resources: [\"*\"]", "resources: [secrets]");
    let mut ids: Vec<&str> = lint_text(&text, Overrides::default())
        .iter()
        .map(|f| f.check)
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["rbac-secrets-access", "rbac-wildcard"]);
}

#[test]
fn a_container_gets_one_finding_naming_every_added_capability() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: ops}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: tools
      image: tools:1.0
      resources: {requests: {cpu: 10m, memory: 10Mi}, limits: {memory: 10Mi}}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
          add: [CHOWN, SYS_ADMIN, NET_RAW]
";
    let select = |ids: &[&str]| Overrides {
        select: Some(ids.iter().map(|s| s.to_string()).collect()),
        ..Overrides::default()
    };
    let capabilities = |found: Vec<k8sec::diagnostic::Finding>| -> Vec<(String, String)> {
        found
            .into_iter()
            .filter(|f| f.check.contains("capabilities"))
            .map(|f| (f.check.to_string(), f.message))
            .collect()
    };
    let default = capabilities(lint_text(text, Overrides::default()));
    assert_eq!(
        default,
        [(
            "dangerous-capabilities".to_string(),
            "container `tools` adds capabilities `SYS_ADMIN` and `NET_RAW`, and `CHOWN` outside \
             the allowed list of `added-capabilities`"
                .to_string()
        )]
    );
    let both = capabilities(lint_text(
        text,
        select(&["dangerous-capabilities", "added-capabilities"]),
    ));
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both.iter().any(|(id, message)| id == "added-capabilities"
        && message == "container `tools` adds capabilities `CHOWN`, `SYS_ADMIN` and `NET_RAW`"));
}

// ---------------------------------------------------------------------------------------------
// No silent passes

#[test]
fn a_malformed_deployment_reports_the_field_and_its_pod_level_findings() {
    // Before: `containers` as a mapping made the Deployment no workload at all: 0 findings.
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
  namespace: ops
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        name: agent
        image: agent:1.0
";
    let found = lint_text(text, Overrides::default());
    let at = |id: &str| {
        found
            .iter()
            .find(|f| f.check == id)
            .map(|f| (f.message.clone(), f.span.range.start))
    };
    let (message, _) = at("malformed-object").expect("malformed-object");
    assert_eq!(message, "`containers` must be a list, not a mapping");
    assert!(at("host-network").is_some(), "{found:#?}");
    // The graph sees the workload too (a graph check about its pods).
    assert!(
        at("automount-service-account-token").is_some(),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Secrets are never printed

/// Secret values (synthetic) and the part of each that no output may show.
const SECRETS: &[(&str, &str)] = &[
    (
        "ghp_R8s2Kq9ZtL4mW7nX1pV5yB3cD6fH0jG2aQ4e",
        "R8s2Kq9ZtL4mW7nX1pV5",
    ),
    ("postgres://app:Vq7Lr2Xz9Pk4@db:5432/app", "Vq7Lr2Xz9Pk4"),
    ("AKIAZ7VRSQ2LKDNT4HPO", "Z7VRSQ2LKDNT4HPO"),
    ("hunter2-Xq8Wz5", "hunter2-Xq8Wz5"),
];

#[test]
fn secrets_are_masked_in_every_output_format() {
    let manifest = format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: leaky}}
spec:
  containers:
    - name: app
      image: app:1.0
      env:
        - {{name: GIT, value: \"{}\"}}
        - name: DATABASE_URL
          value: {}
        - {{name: AWS_ACCESS_KEY_ID, value: {}}}
        - {{name: DB_PASSWORD, value: {}}}
        - name: SSH_KEY
          value: |
            -----BEGIN OPENSSH PRIVATE KEY-----
            b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ
            -----END OPENSSH PRIVATE KEY-----
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings}}
data:
  notify: \"token {}\"
",
        SECRETS[0].0, SECRETS[1].0, SECRETS[2].0, SECRETS[3].0, SECRETS[0].0
    );
    let dir = common::repo(&[("leaky.yaml", &manifest)]);
    let help = common::stdout(&common::k8sec(dir.path(), &["lint", "--help"]));
    // Every format the CLI offers, so a format added later is covered too.
    // clap lists them as `- name: description` lines under `Possible values:` once the values
    // have descriptions, else as `[possible values: a, b]`.
    let after_format: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("--format"))
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('-') || l.trim_start().starts_with("- "))
        .collect();
    let mut formats: Vec<String> = after_format
        .iter()
        .filter_map(|l| l.trim_start().strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .map(|name| name.trim().to_string())
        .collect();
    if formats.is_empty() {
        formats = after_format
            .iter()
            .find_map(|l| l.split("[possible values: ").nth(1))
            .map(|v| {
                v.trim_end_matches(']')
                    .split(", ")
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
    }
    assert!(
        formats.len() >= 3 && formats.iter().any(|f| f == "human"),
        "{formats:?}: {help}"
    );
    let mut runs: Vec<Vec<String>> = formats
        .iter()
        .map(|f| {
            vec![
                "lint".into(),
                "--format".into(),
                f.clone(),
                "--color".into(),
                "always".into(),
            ]
        })
        .collect();
    runs.push(vec![
        "lint".into(),
        "--diff".into(),
        "--unsafe-fixes".into(),
    ]);
    runs.push(vec!["lint".into(), "--statistics".into()]);
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::k8sec(dir.path(), &args);
        let text = format!("{}{}", common::stdout(&out), common::stderr(&out));
        if args.contains(&"--format") {
            assert!(text.contains("secret-in-env"), "{args:?}: {text}");
        }
        for (_, hidden) in SECRETS {
            assert!(!text.contains(hidden), "{args:?} shows `{hidden}`:\n{text}");
        }
        assert!(
            !text.contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
            "{args:?}: {text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// `--statistics` and the summary

#[test]
fn statistics_count_the_findings_of_each_check_and_their_fixes() {
    let root = common::manifest_dir();
    let findings = common::json(&common::k8sec(
        root,
        &["lint", "--format", "json", "testdata/example"],
    ));
    let stats = common::json(&common::k8sec(
        root,
        &[
            "lint",
            "--format",
            "json",
            "--statistics",
            "testdata/example",
        ],
    ));
    let mut expected: std::collections::BTreeMap<String, (u64, u64, u64)> = Default::default();
    for f in findings["findings"].as_array().unwrap() {
        let entry = expected
            .entry(f["check"].as_str().unwrap().to_string())
            .or_default();
        entry.0 += 1;
        match f["fix"]["applicability"].as_str() {
            Some("safe") => entry.1 += 1,
            Some("unsafe") => entry.2 += 1,
            _ => {}
        }
    }
    let rows = stats["statistics"].as_array().unwrap();
    let got: std::collections::BTreeMap<String, (u64, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_string(),
                (
                    r["count"].as_u64().unwrap(),
                    r["fixable"].as_u64().unwrap(),
                    r["unsafe_fixable"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(got, expected);
    // Most findings first.
    let counts: Vec<u64> = rows.iter().map(|r| r["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    // The text table: one line per check, then the total.
    let out = common::k8sec(root, &["lint", "--statistics", "testdata/example"]);
    assert_eq!(out.status.code(), Some(1), "it gates like a normal run");
    let text = common::stdout(&out);
    assert_eq!(text.lines().count(), expected.len() + 1, "{text}");
    let total: u64 = expected.values().map(|v| v.0).sum();
    assert!(text.ends_with(&format!(
        "Found {total} findings in {} checks; {} fixable with `--fix` ({} more with `--unsafe-fixes`).\n",
        expected.len(),
        expected.values().map(|v| v.1).sum::<u64>(),
        expected.values().map(|v| v.2).sum::<u64>(),
    )), "{text}");
}

#[test]
fn the_human_summary_ends_with_how_to_silence_a_check() {
    let root = common::manifest_dir();
    let out = common::k8sec(root, &["lint", "testdata/example"]);
    let text = common::stdout(&out);
    let last = text.lines().last().unwrap_or("");
    assert_eq!(format!("{last}\n"), k8sec::report::SILENCE_HINT);
    assert!(last.contains("# k8sec-ignore:") && last.contains("ignore-check.k8sec.io/"));
    // Not with --quiet, nor when there is nothing to silence.
    let quiet = common::stdout(&common::k8sec(root, &["lint", "-q", "testdata/example"]));
    assert!(!quiet.contains("To silence a check"));
    let dir = common::repo(&[("empty.yaml", "# nothing\n")]);
    let clean = common::stdout(&common::k8sec(dir.path(), &["lint"]));
    assert!(!clean.contains("To silence a check"), "{clean}");
    // Nor when the only findings are `invalid-yaml`, which no comment or setting silences.
    let dir = common::repo(&[("broken.yaml", "kind: [\n")]);
    let broken = common::stdout(&common::k8sec(dir.path(), &["lint"]));
    assert!(broken.contains("invalid-yaml"), "{broken}");
    assert!(!broken.contains("To silence a check"), "{broken}");
}

// ---------------------------------------------------------------------------------------------
// Fixes that know what k8sec knows

const FIXES: &str = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  automountServiceAccountToken: false
  securityContext: {seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: true
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
    - name: numeric
      image: app:1.0
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
        runAsUser: 10001
        runAsNonRoot: false
";

#[test]
fn unsafe_and_display_only_fixes_say_why_in_every_format() {
    let dir = common::repo(&[
        ("pod.yaml", FIXES),
        (
            ".k8sec.toml",
            "[checks.run-as-root]\nrequire-run-as-non-root = true\n",
        ),
    ]);
    let select = "privilege-escalation-allowed,run-as-root";
    let json = common::json(&common::k8sec(
        dir.path(),
        &["lint", "--format", "json", "--select", select],
    ));
    let fixes: Vec<(String, String, Option<String>)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["container"].as_str().unwrap_or("").to_string(),
                f["fix"]["applicability"].as_str().unwrap_or("").to_string(),
                f["fix"]["reason"].as_str().map(String::from),
            )
        })
        .collect();
    // The explicit `true` someone wrote: unsafe, with why.
    let escalation = fixes
        .iter()
        .find(|(c, a, _)| c == "web" && a == "unsafe")
        .unwrap();
    assert!(escalation.2.as_deref().unwrap().contains("set on purpose"));
    // No numeric user: `runAsNonRoot: true` only as a suggestion, with why.
    let web_root = fixes
        .iter()
        .find(|(c, a, _)| c == "web" && a == "display-only")
        .unwrap();
    assert!(web_root
        .2
        .as_deref()
        .unwrap()
        .contains("numeric non-root runAsUser"));
    // A numeric non-root user: `runAsNonRoot: true` is safe, and needs no reason.
    assert!(fixes
        .iter()
        .any(|(c, a, r)| c == "numeric" && a == "safe" && r.is_none()));
    // Human output: a note under the fix.
    let human = common::stdout(&common::k8sec(dir.path(), &["lint", "--select", select]));
    assert!(human.contains("= why unsafe: `allowPrivilegeEscalation: true` was set on purpose"));
    assert!(human.contains("= why not applied: no numeric non-root runAsUser is set"));
    // `--fix --unsafe-fixes` applies the unsafe and safe ones, never the suggestion.
    let out = common::k8sec(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "--select", select, "-q"],
    );
    let fixed = std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap();
    assert!(
        fixed.contains("allowPrivilegeEscalation: false\n        readOnlyRootFilesystem"),
        "{fixed}"
    );
    assert!(
        fixed.contains("runAsUser: 10001\n        runAsNonRoot: true"),
        "{fixed}"
    );
    assert_eq!(fixed.matches("runAsNonRoot: true").count(), 1, "{fixed}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the suggestion's finding is left"
    );
}
