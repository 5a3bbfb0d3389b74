//! Inputs that used to cost quadratic time do linear work: each test builds a case at two
//! sizes and compares the work counted inside k8sec (candidates looked at, chain links
//! followed), not the time taken (timing is the benchmarks' job, `bench/run.py`).

mod common;
use common::repo;

/// The objects of `apps` applications in one kustomization with a name prefix and a
/// namespace: every object is renamed, so every reference (a Deployment's ServiceAccount and
/// ConfigMap, a RoleBinding's subject) is resolved by the name-reference pass.
fn big_kustomization(apps: usize) -> tempfile::TempDir {
    let mut all = String::new();
    for i in 0..apps {
        all.push_str(&format!(
            "---
apiVersion: v1
kind: ConfigMap
metadata: {{name: cm-{i}}}
data: {{mode: fast}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: sa-{i}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}}}
spec:
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}}}}}
    spec:
      serviceAccountName: sa-{i}
      containers:
        - name: app
          image: nginx:1.27
          envFrom: [{{configMapRef: {{name: cm-{i}}}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: rb-{i}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}
subjects: [{{kind: ServiceAccount, name: sa-{i}}}]
"
        ));
    }
    repo(&[
        (
            "kustomization.yaml",
            "namePrefix: p-\nnamespace: shop\nresources: [all.yaml]\n",
        ),
        ("all.yaml", &all),
    ])
}

/// Fails unless `work` grew no faster than the `size` (within 10%) from the small case to the
/// large one: (size, work) of each.
fn assert_linear(size: &str, work: &str, small: (usize, usize), large: (usize, usize)) {
    let scale = large.0 as f64 / small.0 as f64;
    let grew = large.1 as f64 / small.1 as f64;
    eprintln!(
        "{} -> {} {size} ({scale:.2}x): {work} {} -> {} ({grew:.2}x)",
        small.0, large.0, small.1, large.1
    );
    assert!(
        grew < scale * 1.1,
        "{} -> {} {size} ({scale:.2}x) made the {work} grow {grew:.2}x",
        small.0,
        large.0
    );
}

#[test]
fn one_kustomization_over_eight_thousand_objects_does_linear_work() {
    // The references are resolved (the prefixed names), on a small build.
    let small = big_kustomization(3);
    let objects = k8sec::build::build_to_json(small.path(), small.path()).unwrap();
    let deployment = objects
        .iter()
        .find(|o| o["metadata"]["name"] == "p-app-1")
        .unwrap();
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "p-sa-1");
    assert_eq!(
        pod["containers"][0]["envFrom"][0]["configMapRef"]["name"],
        "p-cm-1"
    );
    let binding = objects
        .iter()
        .find(|o| o["metadata"]["name"] == "p-rb-2")
        .unwrap();
    assert_eq!(binding["subjects"][0]["name"], "p-sa-2");
    assert_eq!(binding["subjects"][0]["namespace"], "shop");

    let work = |apps: usize| {
        let dir = big_kustomization(apps);
        k8sec::build::build_work(dir.path(), dir.path()).unwrap()
    };
    let (small, small_work) = work(500);
    let (large, large_work) = work(2_000);
    assert_eq!((small, large), (2_000, 8_000));
    // Before, each reference was resolved against every object of the build: 16x here.
    assert_linear("objects", "work", (small, small_work), (large, large_work));
    assert!(large_work <= large * 2, "{large_work} for {large} objects");
    assert!(large_work > 0, "the reference pass counted nothing");
}

/// A `kind: List` of `n` Pods (a `kubectl get -o yaml` dump), each missing every hardening
/// setting, so each gets a dozen fixes in the one file.
fn pod_list(n: usize) -> String {
    let mut text = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..n {
        text.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p{i}\n  spec:\n    containers:\n    - name: c\n      image: nginx:1.{i}\n"
        ));
    }
    text
}

#[test]
fn every_fix_of_a_list_of_thousands_of_pods_is_placed_with_linear_work() {
    use k8sec::config::{Config, Overrides};
    use k8sec::fix::Applicability;
    use k8sec::source::Origin;

    let config = Config::load(None, &Overrides::default()).unwrap();
    let work = |n: usize| {
        let text = pod_list(n);
        let ws = k8sec::load_source("pods.yaml".into(), text.clone(), Origin::File);
        let result = k8sec::lint(&ws, &config);
        let fixes: Vec<_> = result
            .findings
            .iter()
            .filter_map(|f| f.fix.as_ref())
            .filter(|f| f.applicability != Applicability::DisplayOnly)
            .collect();
        let applied = k8sec::fix::apply_fixes(&text, fixes[0].edits[0].span.file, fixes);
        assert!(
            applied.applied >= 2 * n,
            "{} fixes applied for {n} pods",
            applied.applied
        );
        (applied.applied, applied.compared)
    };
    let (small_fixes, small_work) = work(1_000);
    let (large_fixes, large_work) = work(4_000);
    // Before, each fix was compared with every one taken before it: 16x here.
    assert_linear(
        "fixes",
        "comparisons",
        (small_fixes, small_work),
        (large_fixes, large_work),
    );
    assert!(large_work > 0, "no comparison counted");
}
