//! Configuration that means the same from any directory: `.k8sec.toml` is found from the
//! linted paths, its globs are relative to its folder, and a glob that matches nothing is
//! reported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;
use common::{json, k8sec, manifest_dir, repo, stderr, stdout, PRIVILEGED};

/// The fixture repository: a `.k8sec.toml` with `exclude` and `per-path-ignores`, plain files,
/// and a Kustomize overlay whose base uses an excluded file.
fn fixture() -> PathBuf {
    manifest_dir().join("testdata/config-paths/repo")
}

/// One finding, its file relative to the fixture repository whatever it was shown as.
type Found = (String, u64, u64, String);

/// `k8sec lint <path> --format json` run in `cwd`, each finding's file made relative to `root`.
fn findings(cwd: &Path, path: &str, root: &Path) -> BTreeSet<Found> {
    let out = k8sec(cwd, &["lint", path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let mut found = BTreeSet::new();
    for f in report["findings"].as_array().unwrap() {
        let shown = Path::new(f["file"].as_str().unwrap());
        let absolute = lexical(&cwd.join(shown));
        let relative = absolute
            .strip_prefix(root)
            .unwrap_or_else(|_| panic!("{} is outside {}", absolute.display(), root.display()));
        found.insert((
            relative.to_string_lossy().into_owned(),
            f["line"].as_u64().unwrap(),
            f["column"].as_u64().unwrap(),
            f["check"].as_str().unwrap().to_string(),
        ));
    }
    found
}

/// `a/./b/../c` → `a/c`.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[test]
fn one_repository_gives_the_same_findings_from_any_directory_and_path_spelling() {
    let root = fixture();
    let absolute = root.to_str().unwrap().to_string();
    let parent = root.parent().unwrap().to_path_buf();
    let apps = root.join("apps");
    let elsewhere = tempfile::tempdir().unwrap();
    let runs: Vec<(&Path, &str)> = vec![
        (&root, "."),
        (&root, "./"),
        (&root, &absolute),
        (&root, "../repo"),
        (&parent, "repo"),
        (&parent, "./repo"),
        (&parent, &absolute),
        (&apps, ".."),
        (&apps, &absolute),
        (elsewhere.path(), &absolute),
    ];
    let expected = findings(&root, ".", &root);
    for (cwd, path) in &runs[1..] {
        let got = findings(cwd, path, &root);
        assert_eq!(
            got,
            expected,
            "`k8sec lint {path}` in {} differs from `k8sec lint .` in the repository",
            cwd.display()
        );
    }

    let files: BTreeSet<&str> = expected.iter().map(|f| f.0.as_str()).collect();
    // What the globs remove, wherever the run starts.
    for excluded in [
        "vendor/thing/pod.yaml",
        "apps/legacy/old.yaml",
        "kustomize/base/third-party.yaml",
    ] {
        assert!(
            !files.contains(excluded),
            "{excluded} is excluded: {files:?}"
        );
    }
    assert!(
        !expected
            .iter()
            .any(|f| f.0.starts_with("apps/web/") && f.3 == "latest-image-tag"),
        "per-path-ignores `apps/web/**`"
    );
    assert!(
        !expected
            .iter()
            .any(|f| f.3 == "run-as-root" && f.0.contains("overlays")),
        "per-path-ignores `kustomize/overlays/**`"
    );
    // The rest is linted: the plain file, the base through the overlay, the overlay's patch.
    for linted in [
        "apps/web/deploy.yaml",
        "kustomize/base/api.yaml",
        "kustomize/overlays/prod/api-patch.yaml",
    ] {
        assert!(files.contains(linted), "{linted}: {files:?}");
    }
    // `extend-select` of the file is in force (it was not from a parent directory before).
    assert!(expected.iter().any(|f| f.3 == "default-service-account"));
}

#[test]
fn an_excluded_file_a_build_uses_is_built_but_not_reported() {
    let root = fixture();
    let out = k8sec(&root, &["graph", "kustomize/overlays/prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The overlay still deploys the excluded DaemonSet: the graph shows it.
    assert!(
        stdout(&out).contains("DaemonSet prod/prod-agent"),
        "{}",
        stdout(&out)
    );
    let lint = findings(&root, "kustomize", &root);
    assert!(lint.iter().all(|f| !f.0.ends_with("third-party.yaml")));
    assert!(lint.iter().any(|f| f.0 == "kustomize/base/api.yaml"));
    // Named on the command line, an excluded file is linted (as the walk always reads it).
    let named = findings(&root, "kustomize/base/third-party.yaml", &root);
    assert!(named.iter().any(|f| f.3 == "privileged-container"));
}

#[test]
fn the_configuration_is_found_from_the_path_linted_not_the_working_directory() {
    let root = fixture();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = root.join("apps/web/deploy.yaml");
    let out = k8sec(
        elsewhere.path(),
        &["lint", file.to_str().unwrap(), "--format", "json"],
    );
    let report = json(&out);
    let checks: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert!(checks.contains("default-service-account"), "{checks:?}");
    assert!(!checks.contains("latest-image-tag"), "{checks:?}");
}

#[test]
fn paths_with_different_configurations_are_an_error() {
    let dir = repo(&[
        ("a/.k8sec.toml", "ignore = [\"all\"]\n"),
        ("a/pod.yaml", PRIVILEGED),
        ("b/pod.yaml", PRIVILEGED),
    ]);
    let out = k8sec(dir.path(), &["lint", "a", "b"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`a` and `b` have different configurations")
            && err.contains("a/.k8sec.toml")
            && err.contains("--config"),
        "{err}"
    );
    assert_eq!(stdout(&out), "");
    // Either alone is fine, and so is choosing one for both.
    assert_eq!(k8sec(dir.path(), &["lint", "a"]).status.code(), Some(0));
    let out = k8sec(dir.path(), &["lint", "a", "b", "--config", "a/.k8sec.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn globs_that_match_no_file_are_warned_about_with_their_line() {
    let config = "exclude = [\n  \"vendor\",\n  \"vendr/**\",\n]\n\n[per-path-ignores]\n\"legacy/**\" = [\"privileged-container\"]\n\"lgacy/*.yaml\" = [\"host-pid\"]\n";
    let dir = repo(&[
        (".k8sec.toml", config),
        ("vendor/pod.yaml", PRIVILEGED),
        ("legacy/pod.yaml", PRIVILEGED),
        ("apps/pod.yaml", PRIVILEGED),
    ]);
    let out = k8sec(dir.path(), &["lint", "--format", "concise"]);
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("k8sec: warning:"))
        .map(String::from)
        .collect();
    assert_eq!(
        warnings,
        [
            "k8sec: warning: .k8sec.toml:3: `exclude` glob `vendr/**` matches no file (globs are relative to this file's folder)",
            "k8sec: warning: .k8sec.toml:8: `per-path-ignores` glob `lgacy/*.yaml` matches no file (globs are relative to this file's folder)",
        ],
        "{}",
        stderr(&out)
    );
    // The globs that match did their work.
    assert!(
        stdout(&out).starts_with("apps/pod.yaml"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("vendor/") && !stdout(&out).contains("legacy/pod.yaml:10"));

    // Linting part of the tree (a subdirectory, a pre-commit hook's files) leaves globs
    // unmatched for good reason: no warning then.
    for part in ["apps", "apps/pod.yaml"] {
        let out = k8sec(dir.path(), &["lint", part, "--format", "concise"]);
        assert!(
            !stderr(&out).contains("warning"),
            "{part}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_path_that_does_not_exist_is_one_error_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["human", "concise", "json"] {
        let out = k8sec(dir.path(), &["lint", "/nonexistent", "--format", format]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(stdout(&out), "", "{format}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{format}: {err}");
        assert!(err.starts_with("k8sec: error: /nonexistent:"), "{err}");
    }
    // Next to a readable path, the run goes on and reports what it read.
    let repo = repo(&[("pod.yaml", PRIVILEGED)]);
    let out = k8sec(
        repo.path(),
        &["lint", "pod.yaml", "missing.yaml", "--format", "concise"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("privileged-container"));
}

#[test]
fn helm_values_of_the_configuration_are_relative_to_its_folder() {
    let Some(helm) =
        common::helm_or_skip("helm_values_of_the_configuration_are_relative_to_its_folder")
    else {
        return;
    };
    let dir = repo(&[
        (
            "repo/.k8sec.toml",
            "select = [\"privileged-container\"]\n[helm]\nvalues = [\"ci/values.yaml\"]\n",
        ),
        ("repo/ci/values.yaml", "privileged: true\n"),
        ("repo/chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n"),
        ("repo/chart/values.yaml", "privileged: false\n"),
        (
            "repo/chart/templates/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n      securityContext:\n        privileged: {{ .Values.privileged }}\n",
        ),
    ]);
    let helm = helm.to_str().unwrap().to_string();
    for (cwd, path) in [
        (dir.path().join("repo"), "."),
        (dir.path().to_path_buf(), "repo"),
    ] {
        let out = k8sec(&cwd, &["lint", path, "--helm", &helm, "--format", "json"]);
        let report = json(&out);
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{path}: {report}\n{}", stderr(&out));
        // The override file that set the value is the related location.
        let related = findings[0]["related"][0]["file"].as_str().unwrap();
        assert!(related.ends_with("ci/values.yaml"), "{related}");
    }
}
