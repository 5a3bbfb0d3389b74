//! Helm findings on the template lines: a chart's findings are compared with those of its
//! rendered output (`helm template … | k8sec lint -`), finding by finding, and the template
//! line each is reported at must hold the key the finding is about (exact), or a key that
//! encloses it (when the value was printed by an action), or say that it could not be mapped.
//! Never another line.
//!
//! Needs helm (`K8SEC_HELM` or `helm` on `PATH`; `.ci/run` installs one) and, for the corpus
//! charts, `../shared/corpus`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{copy_tree, corpus, helm_or_skip, json, k8sec, k8sec_stdin, manifest_dir, stderr};

/// The fixture chart: `include`, `range`, `toYaml | nindent`, `with`, values overrides.
fn fixture() -> PathBuf {
    manifest_dir().join("testdata/helm-lines/mapped")
}

/// `helm template k8sec <chart>` as k8sec runs it, split per template: the lines of each
/// template's rendered documents, keyed by `templates/<file>` (below the chart).
fn rendered(helm: &Path, chart: &Path, extra: &[&str]) -> (String, BTreeMap<String, Vec<String>>) {
    let out = Command::new(helm)
        .args(["template", "k8sec"])
        .arg(chart)
        .args(["--kube-version", "1.33.0"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stream = String::from_utf8(out.stdout).unwrap();
    let sections = k8sec::build::helm::split_sources(&stream).unwrap();
    let by_template = sections
        .into_iter()
        .map(|s| {
            let inside = s.template.split_once('/').unwrap().1.to_string();
            (inside, s.text.lines().map(String::from).collect())
        })
        .collect();
    (stream, by_template)
}

/// The first token of a YAML line (a key, or a list item's text) and its column.
fn token(line: &str) -> Option<(usize, String)> {
    let mut col = line.len() - line.trim_start().len();
    let mut rest = line.trim_start();
    while let Some(after) = rest.strip_prefix("- ") {
        col += 2 + (after.len() - after.trim_start().len());
        rest = after.trim_start();
    }
    if rest.is_empty() || rest.starts_with('#') || rest.starts_with("{{") || rest == "---" {
        return None;
    }
    let key = match rest.find(": ") {
        Some(i) => &rest[..i],
        None => rest.strip_suffix(':').unwrap_or(rest),
    };
    Some((col, key.trim().to_string()))
}

/// The tokens of rendered line `line` (0-based) and of the lines that enclose it, innermost
/// first.
fn key_path(lines: &[String], line: usize) -> Vec<String> {
    let mut out = Vec::new();
    let Some((mut col, key)) = token(&lines[line]) else {
        return out;
    };
    out.push(key);
    for above in lines[..line].iter().rev() {
        if above == "---" {
            break;
        }
        if let Some((c, k)) = token(above) {
            if c < col {
                out.push(k);
                col = c;
            }
        }
    }
    out
}

/// A finding's identity, the same in both runs: check, message, object, container, template.
fn identity(finding: &Value) -> String {
    let file = finding["file"].as_str().unwrap();
    let template = &file[file.find("templates/").unwrap()..];
    format!(
        "{} {} {} {} {template}",
        finding["check"], finding["message"], finding["object"], finding["container"]
    )
}

/// Where a chart's findings landed, counted.
#[derive(Debug, Default)]
struct Counts {
    exact: usize,
    enclosing: usize,
    unmapped: usize,
}

/// Lints `chart` and its rendered stream, pairs the findings and checks every reported
/// template line.
fn check_chart(helm: &Path, chart: &Path, extra: &[&str]) -> Counts {
    let (stream, sections) = rendered(helm, chart, extra);
    let plain = k8sec_stdin(
        manifest_dir(),
        &["lint", "-", "--select", "all", "--format", "json"],
        Some(&stream),
    );
    let mut args = vec![
        "lint",
        chart.to_str().unwrap(),
        "--helm",
        helm.to_str().unwrap(),
    ];
    args.extend(["--select", "all", "--format", "json"]);
    let helm_values: Vec<String> = extra
        .chunks(2)
        .filter(|c| c[0] == "--values")
        .map(|c| c[1].to_string())
        .collect();
    for values in &helm_values {
        args.extend(["--helm-values", values]);
    }
    let mapped = k8sec(manifest_dir(), &args);
    let plain = json(&plain)["findings"].as_array().unwrap().clone();
    let mapped_json = json(&mapped);
    let mapped = mapped_json["findings"].as_array().unwrap().clone();
    assert_eq!(
        plain.len(),
        mapped.len(),
        "{}: {}",
        chart.display(),
        stderr(&k8sec(manifest_dir(), &args))
    );

    let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for f in &plain {
        groups.entry(identity(f)).or_default().push(f);
    }
    let mut counts = Counts::default();
    for finding in &mapped {
        let file = finding["file"].as_str().unwrap();
        assert!(
            file.contains("/templates/") && !file.starts_with("templates/"),
            "{file}"
        );
        let template_text = std::fs::read_to_string(manifest_dir().join(file))
            .unwrap_or_else(|e| panic!("{file} is not the template on disk: {e}"));
        let line = finding["line"].as_u64().unwrap() as usize;
        let template_line = template_text.lines().nth(line - 1).unwrap_or("");
        let candidates = groups
            .get(&identity(finding))
            .unwrap_or_else(|| panic!("no such finding in the rendered run: {finding}"));
        // The rendered finding(s) of the same identity; one must agree with this place.
        let section = &sections[&identity(finding).rsplit(' ').next().unwrap().to_string()];
        let template_lines: Vec<String> = template_text.lines().map(String::from).collect();
        let template_path = key_path(&template_lines, line - 1);
        let mut verdict = None;
        for plain in candidates {
            let rendered_line = plain["line"].as_u64().unwrap() as usize - 1;
            let path = key_path(section, rendered_line);
            let here = token(template_line).map(|t| t.1);
            // Exact: the same key, under the same parent key where the template has one.
            let same_parent = template_path.len() < 2 || template_path.get(1) == path.get(1);
            match here {
                Some(k) if path.first() == Some(&k) && same_parent => {
                    verdict = Some("exact");
                    break;
                }
                Some(k) if path.contains(&k) => verdict = verdict.or(Some("enclosing")),
                _ => {}
            }
        }
        let unmapped = finding["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["message"].as_str().unwrap().contains("could not tell"));
        match (verdict, unmapped) {
            (Some("exact"), false) => counts.exact += 1,
            (Some("enclosing"), false) => counts.enclosing += 1,
            (None, true) => counts.unmapped += 1,
            _ => panic!(
                "{}: reported at {file}:{line} `{template_line}`, which holds neither its key nor an enclosing one (unmapped: {unmapped}): {finding}",
                chart.display()
            ),
        }
        assert!(
            finding["fix"].is_null(),
            "a template is never fixed: {finding}"
        );
    }
    counts
}

#[test]
fn the_fixture_chart_reports_on_the_lines_that_print_each_key() {
    let Some(helm) = helm_or_skip("the_fixture_chart_reports_on_the_lines_that_print_each_key")
    else {
        return;
    };
    let counts = check_chart(&helm, &fixture(), &[]);
    eprintln!("fixture chart: {counts:?}");
    assert!(counts.exact > 10 && counts.enclosing > 3, "{counts:?}");
    let overrides = fixture().join("ci/values-prod.yaml");
    let counts = check_chart(
        &helm,
        &fixture(),
        &["--values", overrides.to_str().unwrap()],
    );
    eprintln!("fixture chart with ci/values-prod.yaml: {counts:?}");
}

#[test]
fn corpus_charts_report_on_their_template_lines() {
    let Some(helm) = helm_or_skip("corpus_charts_report_on_their_template_lines") else {
        return;
    };
    let Some(corpus) = corpus() else { return };
    let mut total = Counts::default();
    for chart in [
        "prometheus-community-helm-charts/charts/kube-state-metrics",
        "prometheus-community-helm-charts/charts/prometheus-node-exporter",
        "prometheus-community-helm-charts/charts/alertmanager",
        "microservices-demo/helm-chart",
    ] {
        let counts = check_chart(&helm, &corpus.join(chart), &[]);
        eprintln!("{chart}: {counts:?}");
        total.exact += counts.exact;
        total.enclosing += counts.enclosing;
        total.unmapped += counts.unmapped;
    }
    eprintln!("corpus charts: {total:?}");
    assert!(total.exact > total.enclosing + total.unmapped, "{total:?}");
}

/// `k8sec lint <fixture> --select <checks> --format json [extra…]`: the findings.
fn lint_fixture(helm: &Path, checks: &str, extra: &[&str]) -> (Vec<Value>, String) {
    let chart = fixture();
    let mut args = vec![
        "lint",
        chart.to_str().unwrap(),
        "--helm",
        helm.to_str().unwrap(),
    ];
    args.extend(["--select", checks, "--format", "json"]);
    args.extend(extra);
    let out = k8sec(manifest_dir(), &args);
    let findings = json(&out)["findings"].as_array().unwrap().clone();
    (findings, stderr(&out))
}

/// A finding's place as `templates/<file>:<line>:<column>`, and its related places.
fn place(finding: &Value) -> (String, Vec<String>) {
    let at = |v: &Value| {
        let file = v["file"].as_str().unwrap();
        let inside = &file[file.find("/mapped/").unwrap() + "/mapped/".len()..];
        format!("{inside}:{}:{}", v["line"], v["column"])
    };
    let related = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", at(r), r["message"].as_str().unwrap()))
        .collect();
    (at(finding), related)
}

#[test]
fn values_files_that_set_a_finding_are_related_locations() {
    let Some(helm) = helm_or_skip("values_files_that_set_a_finding_are_related_locations") else {
        return;
    };
    let (findings, err) = lint_fixture(
        &helm,
        "host-network,privileged-container,latest-image-tag",
        &[],
    );
    let places: Vec<(String, Vec<String>)> = findings.iter().map(place).collect();
    assert_eq!(
        places,
        [
            (
                "templates/deployment.yaml:16:20".to_string(),
                vec!["values.yaml:6:1 `hostNetwork` is set here".to_string()]
            ),
            (
                "templates/deployment.yaml:23:18".to_string(),
                vec![
                    "values.yaml:4:3 `image.repository` is set here".to_string(),
                    "values.yaml:5:3 `image.tag` is set here".to_string()
                ]
            ),
            (
                // Printed by `toYaml`: the enclosing key, the action, the values key.
                "templates/deployment.yaml:24:11".to_string(),
                vec![
                    "templates/deployment.yaml:25:13 the value is printed by this template action"
                        .to_string(),
                    "values.yaml:11:3 `containerSecurityContext.privileged` is set here"
                        .to_string()
                ]
            ),
            // One template line, printed once per item of a `range`: the item that is
            // privileged is reported there.
            ("templates/workers.yaml:15:25".to_string(), vec![]),
        ],
        "{findings:#?}"
    );
    // A chart whose output changes from run to run says so, once.
    assert_eq!(err.matches("changes from run to run").count(), 1, "{err}");
    assert!(
        err.contains("`randAlphaNum` in templates/secret.yaml:7"),
        "{err}"
    );

    // An override file wins: the related location follows the value to it.
    let overrides = fixture().join("ci/values-prod.yaml");
    let (findings, _) = lint_fixture(
        &helm,
        "host-network,privileged-container,added-capabilities",
        &["--helm-values", overrides.to_str().unwrap()],
    );
    let places: Vec<(String, Vec<String>)> = findings.iter().map(place).collect();
    assert_eq!(
        places,
        [
            (
                "templates/deployment.yaml:24:11".to_string(),
                vec![
                    "templates/deployment.yaml:25:13 the value is printed by this template action"
                        .to_string(),
                    "ci/values-prod.yaml:6:11 `containerSecurityContext.capabilities.add[0]` is set here"
                        .to_string()
                ]
            ),
            ("templates/workers.yaml:15:25".to_string(), vec![]),
        ],
        "{findings:#?}"
    );
    // A `--helm-set` that changes the value: no values file set it, so none is named.
    let (findings, _) = lint_fixture(&helm, "host-network", &["--helm-set", "hostNetwork=yes"]);
    let (at, related) = place(&findings[0]);
    assert_eq!(
        (at.as_str(), related.len()),
        ("templates/deployment.yaml:16:20", 0)
    );
}

#[test]
fn the_human_report_shows_the_template_line() {
    let Some(helm) = helm_or_skip("the_human_report_shows_the_template_line") else {
        return;
    };
    let chart = fixture();
    let out = k8sec(
        manifest_dir(),
        &[
            "lint",
            chart.to_str().unwrap(),
            "--helm",
            helm.to_str().unwrap(),
            "--select",
            "host-network",
        ],
    );
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("16 │       hostNetwork: {{ .Values.hostNetwork }}\n")
            && report.contains(" 6 │ hostNetwork: true\n"),
        "{report}"
    );
}

#[test]
fn fix_never_writes_a_chart() {
    let Some(helm) = helm_or_skip("fix_never_writes_a_chart") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("mapped");
    copy_tree(&fixture(), &chart);
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            "mapped",
            "--helm",
            helm.to_str().unwrap(),
            "--fix",
            "--unsafe-fixes",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for name in [
        "values.yaml",
        "templates/deployment.yaml",
        "templates/workers.yaml",
    ] {
        assert_eq!(
            std::fs::read_to_string(chart.join(name)).unwrap(),
            std::fs::read_to_string(fixture().join(name)).unwrap(),
            "{name}"
        );
    }
}
