//! GitOps objects: the paths of this repository that Flux `Kustomization`s and `HelmRelease`s
//! and Argo CD `Application`s deploy are linted as units of their own; what k8sec cannot
//! render is counted in one note.
//!
//! The fixtures (`testdata/gitops/{flux,argocd}`) are copied to a temporary directory with a
//! `.git` whose remote names the repository, as a clone has.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{copy_tree, helm_or_skip, json, k8sec, manifest_dir, stderr, stdout};

/// A copy of `testdata/gitops/<name>` with a `.git/config` whose remote is `remote` (none
/// when `None`).
fn checkout(name: &str, remote: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &manifest_dir().join("testdata/gitops").join(name),
        dir.path(),
    );
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    if let Some(url) = remote {
        let config = format!("[core]\n\tbare = false\n[remote \"origin\"]\n\turl = {url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n");
        std::fs::write(dir.path().join(".git/config"), config).unwrap();
    }
    dir
}

/// The unit headers of `k8sec graph <path>`.
fn units(dir: &Path, path: &str, helm: &Path) -> Vec<String> {
    let out = k8sec(dir, &["graph", path, "--helm", helm.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .filter(|l| l.starts_with("unit `"))
        .map(|l| l[..l.rfind("`:").unwrap() + 1].to_string())
        .collect()
}

/// `k8sec lint <path> --select <checks> --format json`: (file:line check) of each finding, and
/// the notes.
fn lint(dir: &Path, path: &str, helm: &Path, checks: &str) -> (Vec<String>, Vec<Value>, String) {
    let out = k8sec(
        dir,
        &[
            "lint",
            path,
            "--helm",
            helm.to_str().unwrap(),
            "--select",
            checks,
            "--format",
            "json",
        ],
    );
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap().clone();
    let places = findings
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["file"].as_str().unwrap(),
                f["line"],
                f["check"].as_str().unwrap()
            )
        })
        .collect();
    (places, findings, stderr(&out))
}

const CHECKS: &str = "privileged-container,host-network,host-pid,host-ipc";

#[test]
fn a_flux_cluster_directory_reaches_its_kustomizations_and_releases() {
    let Some(helm) =
        helm_or_skip("a_flux_cluster_directory_reaches_its_kustomizations_and_releases")
    else {
        return;
    };
    let repo = checkout("flux", Some("ssh://git@github.com/acme/fleet"));
    assert_eq!(
        units(repo.path(), "clusters/production", &helm),
        [
            "unit `files`",
            "unit `kustomize apps/production (deployed by Flux Kustomization `flux-system/apps`)`",
            "unit `directory infrastructure/controllers (deployed by Flux Kustomization `flux-system/infra-controllers`)`",
            "unit `helm charts/podinfo (deployed by Flux HelmRelease `podinfo/podinfo`)`",
        ]
    );
    let (places, _, err) = lint(repo.path(), "clusters/production", &helm, CHECKS);
    assert_eq!(
        places,
        [
            // The overlay's patch, through the Flux Kustomization `apps`.
            "apps/production/debug.yaml:11 privileged-container",
            // The release's `values: {hostPID: true}` over the chart's `hostPID: false`.
            "charts/podinfo/templates/deployment.yaml:12 host-pid",
            // A directory without a kustomization: its manifests.
            "infrastructure/controllers/node-agent.yaml:13 host-network",
        ],
        "{err}"
    );
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("GitOps")).collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(
        notes[0].contains("2 GitOps objects deploy content k8sec did not render")
            && notes[0].contains("Flux Kustomization `flux-system/policies` (repository https://github.com/acme/policies, not this one)")
            && notes[0].contains("Flux HelmRelease `cache/redis` (chart `redis` from HelmRepository `flux-system/bitnami`)"),
        "{}",
        notes[0]
    );
}

#[test]
fn an_argo_cd_app_of_apps_reaches_its_applications() {
    let Some(helm) = helm_or_skip("an_argo_cd_app_of_apps_reaches_its_applications") else {
        return;
    };
    let repo = checkout("argocd", Some("https://github.com/acme/platform.git"));
    assert_eq!(
        units(repo.path(), "argocd/apps", &helm),
        [
            "unit `files`",
            "unit `kustomize guestbook/overlays/prod (deployed by Argo CD Application `argocd/guestbook`)`",
            "unit `directory manifests/plain (deployed by Argo CD Application `argocd/plain`)`",
            "unit `helm charts/billing (deployed by Argo CD Application `argocd/billing`)`",
        ]
    );
    let (places, findings, err) = lint(repo.path(), "argocd/apps", &helm, CHECKS);
    assert_eq!(
        places,
        [
            // `helm.values: hostIPC: true` and `valueFiles: [ci/prod-values.yaml]`.
            "charts/billing/templates/deployment.yaml:13 host-ipc",
            "charts/billing/templates/deployment.yaml:18 privileged-container",
            // `directory.recurse` is not set: `nested/` is not applied.
            "manifests/plain/pod.yaml:6 host-pid",
        ],
        "{err}"
    );
    // The value file that sets the value is where to change it.
    let privileged = &findings[1]["related"][0];
    assert_eq!(
        (
            privileged["file"].as_str().unwrap(),
            privileged["line"].as_u64()
        ),
        ("charts/billing/ci/prod-values.yaml", Some(1)),
        "{findings:#?}"
    );
    assert!(
        err.contains("2 GitOps objects deploy content k8sec did not render")
            && err.contains("Argo CD Application `argocd/cert-manager` (chart `cert-manager` from https://charts.jetstack.io)")
            && err.contains("Argo CD Application `argocd/example` (repository https://github.com/argoproj/argocd-example-apps.git, not this one)"),
        "{err}"
    );
}

#[test]
fn without_a_remote_naming_it_an_application_is_not_this_repository() {
    let Some(helm) =
        helm_or_skip("without_a_remote_naming_it_an_application_is_not_this_repository")
    else {
        return;
    };
    let repo = checkout("argocd", Some("https://github.com/someone/else.git"));
    let (places, _, err) = lint(repo.path(), "argocd/apps", &helm, CHECKS);
    assert!(places.is_empty(), "{places:?}");
    assert!(
        err.contains("5 GitOps objects deploy content k8sec did not render"),
        "{err}"
    );
    // Flux's bootstrap repository needs no remote: `flux-system/flux-system` is this one.
    let repo = checkout("flux", None);
    let (places, _, _) = lint(repo.path(), "clusters/production", &helm, CHECKS);
    assert_eq!(places.len(), 3, "{places:?}");
}

#[test]
fn paths_out_of_the_repository_are_never_read() {
    let Some(helm) = helm_or_skip("paths_out_of_the_repository_are_never_read") else {
        return;
    };
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("pod.yaml"), common::PRIVILEGED).unwrap();
    let repo = checkout("flux", Some("ssh://git@github.com/acme/fleet"));
    let escape: PathBuf = outside.path().to_path_buf();
    let relative = format!("../../../../../../../..{}", escape.display());
    let app = format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: escape\n  namespace: flux-system\nspec:\n  path: {relative}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
    );
    std::fs::write(repo.path().join("clusters/production/escape.yaml"), app).unwrap();
    let (places, _, err) = lint(repo.path(), "clusters/production", &helm, CHECKS);
    assert!(places.iter().all(|p| !p.contains("pod.yaml")), "{places:?}");
    assert!(
        err.contains("Flux Kustomization `flux-system/escape` (`spec.path`"),
        "{err}"
    );
    assert!(err.contains("outside this repository"), "{err}");
}
