//! A live workspace after each kind of change gives the findings a fresh load and lint of the
//! same texts gives, and redoes in place what it should.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{LiveWorkspace, Refresh};
use crate::config::Config;
use crate::pipeline::lint::lint;
use crate::pipeline::load::{load_with, LoadOptions};
use crate::workspace::{Inputs, LintResult, Workspace};

const DEPLOYMENT: &str = include_str!("../../../testdata/lsp/deployment.yaml");

const RBAC: &str = include_str!("../../../testdata/lsp/rbac.yaml");

const BASE_KUSTOMIZATION: &str = "resources:\n  - pod.yaml\n";

const BASE_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
    - name: api
      image: example/api:1.0
";

const OVERLAY_KUSTOMIZATION: &str = "resources:
  - ../../base
namespace: prod
patches:
  - path: patch.yaml
";

const PATCH: &str = "apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  hostNetwork: false
";

/// A repository with plain files (a Deployment and its RBAC) and a Kustomize overlay over a
/// base, with a patch.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("apps/empty.yaml", "# nothing yet\n"),
        ("apps/worker.yaml", DEPLOYMENT),
        ("rbac/worker.yaml", RBAC),
        ("kustomize/base/kustomization.yaml", BASE_KUSTOMIZATION),
        ("kustomize/base/pod.yaml", BASE_POD),
        (
            "kustomize/overlays/prod/kustomization.yaml",
            OVERLAY_KUSTOMIZATION,
        ),
        ("kustomize/overlays/prod/patch.yaml", PATCH),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // The repository's boundary for the builds.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// The findings, each with its file, byte range, message, related locations and fix edits
/// written out by path (file ids may differ between two loads of the same texts).
fn summary(ws: &Workspace, result: &LintResult) -> Vec<String> {
    let path = |file| ws.sources.get(file).display_path().to_string();
    result
        .findings
        .iter()
        .map(|f| {
            let related: Vec<String> = f
                .related
                .iter()
                .map(|r| format!("{}@{} {}", path(r.span.file), r.span.range.start, r.message))
                .collect();
            let fix = f.fix.as_ref().map(|fix| {
                let edits: Vec<String> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        format!(
                            "{}@{:?}={:?}",
                            path(e.span.file),
                            e.span.range,
                            e.replacement
                        )
                    })
                    .collect();
                format!("{:?} {edits:?}", fix.applicability)
            });
            format!(
                "{} {:?} {} {} {related:?} {fix:?}",
                path(f.span.file),
                f.span.range,
                f.check,
                f.message
            )
        })
        .collect()
}

fn config() -> Config {
    Config::load(None, &Default::default()).unwrap()
}

/// Loads `root` with these buffers and lints it, from nothing.
fn fresh(root: &Path, overlays: &BTreeMap<PathBuf, String>) -> Vec<String> {
    let inputs = Inputs {
        paths: vec![root.to_path_buf()],
        stdin: None,
        overlays: overlays.clone(),
    };
    let ws = load_with(&inputs, &LoadOptions::default());
    summary(&ws, &lint(&ws, &config()))
}

/// A live workspace over `root`, and the buffers it was given.
struct Session {
    root: PathBuf,
    live: LiveWorkspace,
    buffers: BTreeMap<PathBuf, String>,
}

impl Session {
    fn new(root: &Path) -> Session {
        let inputs = Inputs {
            paths: vec![root.to_path_buf()],
            ..Inputs::default()
        };
        let cwd = std::env::current_dir().unwrap();
        let live = LiveWorkspace::load(inputs, LoadOptions::default(), &config(), cwd);
        let session = Session {
            root: root.to_path_buf(),
            live,
            buffers: BTreeMap::new(),
        };
        session.assert_fresh();
        session
    }

    /// Sets the buffer of `path` (relative to the root) and updates the live workspace.
    fn edit(&mut self, path: &str, text: &str) -> Refresh {
        let path = self.root.join(path);
        self.buffers.insert(path.clone(), text.to_string());
        *self.live.overlays_mut() = self.buffers.clone();
        let refresh = self.live.update(vec![(path, text.to_string())], &config());
        self.assert_fresh();
        refresh
    }

    fn summary(&self) -> Vec<String> {
        summary(self.live.workspace(), self.live.result())
    }

    fn assert_fresh(&self) {
        assert_eq!(self.summary(), fresh(&self.root, &self.buffers));
    }

    /// Whether a finding of `check` is reported in the file at `path` (relative to the root).
    fn reports(&self, path: &str, check: &str) -> bool {
        let path = self.root.join(path);
        let findings = &self.live.result().findings;
        findings
            .iter()
            .any(|f| f.check == check && self.live.path_of(f.span.file) == path)
    }
}

#[test]
fn an_edited_plain_file_is_checked_again_in_place() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    assert!(!session.reports("apps/worker.yaml", "host-network"));
    let edited = DEPLOYMENT.replace(
        "      serviceAccountName: worker\n",
        "      serviceAccountName: worker\n      hostNetwork: true\n",
    );
    assert_eq!(session.edit("apps/worker.yaml", &edited), Refresh::InPlace);
    assert!(session.reports("apps/worker.yaml", "host-network"));
    assert_eq!(
        session.edit("apps/worker.yaml", &edited),
        Refresh::Unchanged
    );
    assert_eq!(
        session.edit("apps/worker.yaml", DEPLOYMENT),
        Refresh::InPlace
    );
    assert!(!session.reports("apps/worker.yaml", "host-network"));
}

#[test]
fn objects_added_to_and_removed_from_a_plain_file_keep_their_place() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    // Two objects, the same one twice: a duplicate within the file.
    let two = format!("{DEPLOYMENT}---\n{DEPLOYMENT}");
    assert_eq!(session.edit("apps/empty.yaml", &two), Refresh::InPlace);
    assert!(session.reports("apps/empty.yaml", "duplicate-object"));
    assert_eq!(session.edit("apps/empty.yaml", ""), Refresh::InPlace);
    assert!(!session.reports("apps/empty.yaml", "duplicate-object"));
}

#[test]
fn editing_a_role_binding_changes_the_workloads_findings_in_another_file() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    let check = "workload-risky-permissions";
    assert!(!session.reports("apps/worker.yaml", check));
    let bound = RBAC.replace("name: someone-else", "name: worker");
    assert_eq!(session.edit("rbac/worker.yaml", &bound), Refresh::InPlace);
    assert!(session.reports("apps/worker.yaml", check));
}

#[test]
fn a_file_that_stops_parsing_and_parses_again_is_followed() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    let broken = DEPLOYMENT.replace("  name: worker\n", "  name: [worker\n");
    assert_eq!(session.edit("apps/worker.yaml", &broken), Refresh::InPlace);
    assert!(session.reports("apps/worker.yaml", "invalid-yaml"));
    session.edit("apps/worker.yaml", DEPLOYMENT);
    assert!(!session.reports("apps/worker.yaml", "invalid-yaml"));
}

#[test]
fn editing_a_base_or_a_patch_rebuilds_the_overlay_in_place() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    let privileged = format!("{BASE_POD}      securityContext:\n        privileged: true\n");
    assert_eq!(
        session.edit("kustomize/base/pod.yaml", &privileged),
        Refresh::InPlace
    );
    assert!(session.reports("kustomize/base/pod.yaml", "privileged-container"));

    let host = PATCH.replace("hostNetwork: false", "hostNetwork: true");
    let patch = "kustomize/overlays/prod/patch.yaml";
    assert_eq!(session.edit(patch, &host), Refresh::InPlace);
    assert!(session.reports(patch, "host-network"));
}

#[test]
fn a_patch_that_breaks_the_build_and_mends_it_is_followed() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    let patch = "kustomize/overlays/prod/patch.yaml";
    // The build fails, and its files are linted as plain files.
    assert_eq!(session.edit(patch, "kind: [\n"), Refresh::InPlace);
    assert!(session.reports(patch, "invalid-yaml"));
    // The failed root is built again once the patch parses.
    assert_eq!(session.edit(patch, PATCH), Refresh::InPlace);
    assert!(!session.reports(patch, "invalid-yaml"));
}

#[test]
fn only_gitops_objects_reload_not_their_groups_mentioned_elsewhere() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    // An Argo CD annotation and a CRD of Argo CD's group are not GitOps objects.
    let annotated = DEPLOYMENT.replace(
        "metadata:\n",
        "metadata:\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\n",
    );
    assert_ne!(annotated, DEPLOYMENT);
    assert_eq!(
        session.edit("apps/worker.yaml", &annotated),
        Refresh::InPlace
    );
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: applications.argoproj.io\nspec:\n  group: argoproj.io\n";
    let with_crd = format!("{annotated}---\n{crd}");
    assert_eq!(
        session.edit("apps/worker.yaml", &with_crd),
        Refresh::InPlace
    );
    session.assert_fresh();
    // An Application, in block or flow style, is one.
    for application in [
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\n",
        "{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": \"Application\"}\n",
        "apiVersion:\n  source.toolkit.fluxcd.io/v1\nkind: GitRepository\n",
    ] {
        let text = format!("{with_crd}---\n{application}");
        assert_eq!(session.edit("apps/worker.yaml", &text), Refresh::Reloaded);
        // Removing it reloads too.
        assert_eq!(
            session.edit("apps/worker.yaml", &with_crd),
            Refresh::Reloaded
        );
    }
}

#[test]
fn a_kustomization_or_a_new_file_reloads() {
    let repo = repo();
    let mut session = Session::new(repo.path());
    let without_patch = OVERLAY_KUSTOMIZATION.replace("patches:\n  - path: patch.yaml\n", "");
    let kustomization = "kustomize/overlays/prod/kustomization.yaml";
    assert_eq!(
        session.edit(kustomization, &without_patch),
        Refresh::Reloaded
    );
    // The patch is a plain file now (a Pod without image policy…): compared with a fresh load.
    assert_eq!(
        session.edit("apps/new.yaml", &DEPLOYMENT.replace("worker", "new")),
        Refresh::Reloaded
    );
    assert!(session.reports("apps/new.yaml", "run-as-root"));
    // A file the walk does not take reloads once, then is left alone.
    assert_eq!(session.edit("notes.txt", "hello"), Refresh::Reloaded);
    assert_eq!(session.edit("notes.txt", "hello again"), Refresh::Unchanged);
}
