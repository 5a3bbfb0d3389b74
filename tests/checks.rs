//! The per-check fixture harness and the meta-tests that keep checks, docs and fixtures in step.
//!
//! Fixtures live in `testdata/checks/<id>/`. Each file is linted alone with only `<id>`
//! selected (and the directory's `.k8sec.toml`, if any, for parameters). Expected findings are
//! written inline as `# expect: <id>@<column>` comments on the line the finding starts on
//! (several separated by `,`), or, for files that cannot hold comments (JSON), in a sidecar
//! `<file>.expect` with lines `<line>:<column> <id>`. The findings must match exactly.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use k8sec::checks::CHECKS;
use k8sec::config::{Config, Overrides};
use k8sec::diagnostic::Applicability;
use k8sec::docs::{FixAvailability, DOCS};
use k8sec::fix::{apply_fixes, FixMode};
use k8sec::fix_workspace;
use k8sec::source::WalkOptions;
use k8sec::Inputs;

type Expected = BTreeSet<(u32, u32, String)>;

/// The checks under test: all, or those named in `K8SEC_CHECKS` (comma-separated), to work
/// on a few checks at a time.
fn checks_under_test() -> Vec<&'static str> {
    let only = std::env::var("K8SEC_CHECKS").unwrap_or_default();
    let only: Vec<&str> = only
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    CHECKS
        .iter()
        .map(|c| c.id)
        .filter(|id| only.is_empty() || only.contains(id))
        .collect()
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/checks")
}

fn config_for(dir: &Path, id: &str) -> Config {
    let overrides = Overrides {
        select: Some(vec![id.to_string()]),
        ..Overrides::default()
    };
    let file = dir.join(".k8sec.toml");
    Config::load(file.is_file().then_some(file.as_path()), &overrides)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// (line, column, id) of every finding of `config`'s checks in the file at `path`.
fn actual(path: &Path, config: &Config) -> Expected {
    let ws = k8sec::load(
        &Inputs {
            paths: vec![path.to_path_buf()],
            stdin: None,
            ..Default::default()
        },
        &WalkOptions::default(),
    );
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    let result = k8sec::lint(&ws, config);
    result
        .findings
        .iter()
        .map(|f| {
            let file = ws.sources.get(f.span.file);
            let lc = file.line_index.line_col(&file.text, f.span.range.start);
            (lc.line, lc.column, f.check.to_string())
        })
        .collect()
}

fn expected(path: &Path) -> Expected {
    let mut out = Expected::new();
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    if sidecar.is_file() {
        for line in std::fs::read_to_string(&sidecar).unwrap().lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (pos, id) = line.split_once(' ').expect("`<line>:<col> <id>`");
            let (l, c) = pos.split_once(':').expect("`<line>:<col>`");
            out.insert((
                l.parse().unwrap(),
                c.parse().unwrap(),
                id.trim().to_string(),
            ));
        }
        return out;
    }
    let text = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&text);
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("# expect:") else {
            continue;
        };
        for item in line[at + "# expect:".len()..].split(',') {
            let (id, col) = item.trim().split_once('@').unwrap_or_else(|| {
                panic!(
                    "{}:{}: write `# expect: <id>@<column>`",
                    path.display(),
                    i + 1
                )
            });
            out.insert((
                i as u32 + 1,
                col.trim().parse().unwrap(),
                id.trim().to_string(),
            ));
        }
    }
    out
}

/// The fixture directory of check `id` and its subdirectories (one level), each with the
/// configuration its own `.k8sec.toml` gives, so a parameter can be tested both ways.
fn fixture_dirs(id: &str) -> Vec<(PathBuf, Config)> {
    let root = fixtures_root().join(id);
    let mut dirs = vec![root.clone()];
    if let Ok(entries) = std::fs::read_dir(&root) {
        let mut subdirs: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        dirs.extend(subdirs);
    }
    dirs.into_iter()
        .map(|dir| {
            let config = config_for(&dir, id);
            (dir, config)
        })
        .collect()
}

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new(); // reported by every_check_has_fixtures_that_fire_and_that_stay_quiet
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_produce_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for id in checks_under_test() {
        for (dir, config) in fixture_dirs(id) {
            for file in fixture_files(&dir) {
                let want = expected(&file);
                let got = actual(&file, &config);
                if want != got {
                    let missing: Vec<_> = want.difference(&got).collect();
                    let extra: Vec<_> = got.difference(&want).collect();
                    failures.push(format!(
                        "{}:\n  missing {missing:?}\n  unexpected {extra:?}",
                        file.strip_prefix(fixtures_root()).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_check_has_fixtures_that_fire_and_that_stay_quiet() {
    let mut problems = Vec::new();
    for id in checks_under_test() {
        let dir = fixtures_root().join(id);
        if !dir.is_dir() {
            problems.push(format!("{id}: no fixture directory"));
            continue;
        }
        let files: Vec<PathBuf> = fixture_dirs(id)
            .iter()
            .flat_map(|(dir, _)| fixture_files(dir))
            .collect();
        let firing = files.iter().filter(|f| !expected(f).is_empty()).count();
        let quiet = files.len() - firing;
        if firing == 0 {
            problems.push(format!("{id}: no fixture that fires"));
        }
        if quiet == 0 {
            problems.push(format!("{id}: no fixture that stays quiet"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn checks_and_docs_match_one_to_one() {
    let code: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
    let docs: Vec<&str> = DOCS.iter().map(|d| d.id).collect();
    assert_eq!(code, docs, "CHECKS and checks/*.toml differ");
    let mut sorted = code.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        code, sorted,
        "CHECKS must be sorted by id, without duplicates"
    );
    for id in &code {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id}: ids are kebab-case"
        );
        // The annotation name after `ignore-check.k8sec.io/` is limited to 63 characters.
        assert!(id.len() <= 63, "{id}: too long for an annotation name");
    }
}

#[test]
fn checks_with_parameters_document_them() {
    for check in CHECKS {
        let doc = k8sec::docs::doc(check.id).expect("a doc");
        assert_eq!(
            check.has_params(),
            !doc.params.is_empty(),
            "{}: the registry reads [checks.{}] exactly when the doc has a [params] table",
            check.id,
            check.id
        );
    }
}

#[test]
fn doc_examples_fire_and_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for doc in DOCS.iter().filter(|d| checks_under_test().contains(&d.id)) {
        let config = config_for(Path::new("/nonexistent"), doc.id);
        for (name, text, should_fire) in [
            ("bad", doc.example_bad, true),
            ("good", doc.example_good, false),
        ] {
            let path = dir.path().join(format!("{}-{name}.yaml", doc.id));
            std::fs::write(&path, text).unwrap();
            let fired = actual(&path, &config).iter().any(|(_, _, id)| id == doc.id);
            if fired != should_fire {
                problems.push(format!(
                    "{}: the {name} example {}",
                    doc.id,
                    if should_fire {
                        "does not fire"
                    } else {
                        "fires"
                    }
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn messages_follow_the_house_style() {
    // Lowercase first letter (unless it starts with an identifier in backticks or a kind),
    // no final period: checked on every finding the fixtures produce.
    let mut problems = Vec::new();
    for id in checks_under_test() {
        for (file, config) in fixture_dirs(id).into_iter().flat_map(|(dir, config)| {
            fixture_files(&dir)
                .into_iter()
                .map(move |f| (f, config.clone()))
        }) {
            let ws = k8sec::load(
                &Inputs {
                    paths: vec![file.clone()],
                    stdin: None,
                    ..Default::default()
                },
                &WalkOptions::default(),
            );
            for f in k8sec::lint(&ws, &config).findings {
                if f.message.ends_with('.') {
                    problems.push(format!("{}: ends with a period: {}", f.check, f.message));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The fix availability a finding's fix stands for.
fn availability(applicability: Applicability) -> FixAvailability {
    match applicability {
        Applicability::Safe => FixAvailability::Safe,
        Applicability::Unsafe => FixAvailability::Unsafe,
        Applicability::DisplayOnly => FixAvailability::DisplayOnly,
    }
}

/// Kind, namespace and name of every object of `ws`, in order.
fn identities(ws: &k8sec::Workspace) -> Vec<(String, Option<String>, String)> {
    ws.resources()
        .map(|r| (r.kind.clone(), r.namespace.clone(), r.name.clone()))
        .collect()
}

/// For every check, on its fixtures: the fixes its findings carry agree with its doc's `fix`
/// (`none`: never a fix; otherwise the doc names the safest fix the check offers: every fix is
/// that safe or less, at least one finding of the fixtures carries one that safe, and a fix less
/// safe than `safe` says why in `fix.reason`). Every display-only suggestion, applied alone,
/// still gives a file that parses with the same objects. Applying every applicable fix
/// (`--unsafe-fixes`) converges without a warning, the file still parses with the same
/// objects, none of the check's findings with an applicable fix is left, and fixing again
/// changes nothing.
#[test]
fn fixes_agree_with_the_docs_and_resolve_their_findings() {
    let all = FixMode { unsafe_fixes: true };
    let applies = |f: &&k8sec::diagnostic::Finding| {
        f.fix
            .as_ref()
            .is_some_and(|fix| fix.applicability >= Applicability::Unsafe)
    };
    let mut problems = Vec::new();
    for id in checks_under_test() {
        let declared = k8sec::docs::doc(id).expect("a doc").fix;
        let mut as_declared = 0;
        for (dir, config) in fixture_dirs(id) {
            for file in fixture_files(&dir) {
                let name = file.strip_prefix(fixtures_root()).unwrap().display();
                let ws = k8sec::load(
                    &Inputs {
                        paths: vec![file.clone()],
                        stdin: None,
                        ..Default::default()
                    },
                    &WalkOptions::default(),
                );
                let result = k8sec::lint(&ws, &config);
                let ours: Vec<_> = result.findings.iter().filter(|f| f.check == id).collect();
                for fix in ours.iter().filter_map(|f| f.fix.as_ref()) {
                    let found = availability(fix.applicability);
                    if found == declared {
                        as_declared += 1;
                    }
                    if declared == FixAvailability::None || rank(found) > rank(declared) {
                        problems.push(format!(
                            "{name}: a fix marked `{}`, but the doc says `fix = \"{}\"`",
                            fix.applicability.as_str(),
                            declared.as_str()
                        ));
                    }
                    if fix.applicability != Applicability::Safe && fix.reason.is_none() {
                        problems.push(format!(
                            "{name}: the {} fix `{}` does not say why",
                            fix.applicability.as_str(),
                            fix.description
                        ));
                    }
                    if fix.applicability == Applicability::DisplayOnly {
                        check_suggestion(&ws, fix, &name.to_string(), &mut problems);
                    }
                }
                if !ours.iter().any(applies) {
                    continue;
                }
                let left_without = ours.iter().filter(|f| !applies(f)).count();
                let fixed = fix_workspace(&ws, &result, &config, all);
                if !fixed.iter().any(|f| f.applied > 0) {
                    problems.push(format!("{name}: no fix was applied"));
                }
                for file_fix in &fixed {
                    for warning in &file_fix.warnings {
                        problems.push(format!("{name}: {warning}"));
                    }
                    let source = ws.sources.get(file_fix.file);
                    let before = k8sec::load_source(
                        source.path.clone(),
                        source.text.clone(),
                        source.origin.clone(),
                    );
                    let after = k8sec::load_source(
                        source.path.clone(),
                        file_fix.text.clone(),
                        source.origin.clone(),
                    );
                    if !after.parse_errors.is_empty() {
                        problems.push(format!("{name}: no longer parses once fixed"));
                        continue;
                    }
                    if identities(&after) != identities(&before) {
                        problems.push(format!("{name}: its objects changed once fixed"));
                    }
                    let left = k8sec::lint(&after, &config);
                    let still: Vec<_> = left.findings.iter().filter(|f| f.check == id).collect();
                    if still.iter().any(applies) || still.len() > left_without {
                        problems.push(format!(
                            "{name}: findings left once fixed: {:?}",
                            still.iter().map(|f| &f.message).collect::<Vec<_>>()
                        ));
                    }
                    if !fix_workspace(&after, &left, &config, all).is_empty() {
                        problems.push(format!("{name}: fixing again changes it"));
                    }
                }
            }
        }
        if declared != FixAvailability::None && as_declared == 0 {
            problems.push(format!(
                "{id}: the doc says `fix = \"{}\"`, but no fixture finding carries such a fix",
                declared.as_str()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// How safe a fix availability is: display-only < unsafe < safe.
fn rank(availability: FixAvailability) -> u8 {
    match availability {
        FixAvailability::None => 0,
        FixAvailability::DisplayOnly => 1,
        FixAvailability::Unsafe => 2,
        FixAvailability::Safe => 3,
    }
}

/// A display-only suggestion, applied alone, gives a file that parses with the same objects.
fn check_suggestion(
    ws: &k8sec::Workspace,
    fix: &k8sec::diagnostic::Fix,
    name: &str,
    problems: &mut Vec<String>,
) {
    let Some(file_id) = fix.file() else {
        problems.push(format!("{name}: a fix across files"));
        return;
    };
    let source = ws.sources.get(file_id);
    let applied = apply_fixes(&source.text, file_id, [fix]);
    let after = k8sec::load_source(source.path.clone(), applied.text, source.origin.clone());
    let before = k8sec::load_source(
        source.path.clone(),
        source.text.clone(),
        source.origin.clone(),
    );
    if applied.applied != 1
        || !after.parse_errors.is_empty()
        || identities(&after) != identities(&before)
    {
        problems.push(format!(
            "{name}: the suggestion `{}` breaks the file",
            fix.description
        ));
    }
}

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
    let formats: Vec<String> = help
        .lines()
        .skip_while(|l| !l.contains("--format"))
        .find_map(|l| l.split("[possible values: ").nth(1))
        .map(|v| {
            v.trim_end_matches(']')
                .split(", ")
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    assert!(formats.len() >= 3, "{help}");
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
