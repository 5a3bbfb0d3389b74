//! The files that ship k8sec to CI systems and developer machines say what the README says:
//! `.pre-commit-hooks.yaml`, `pyproject.toml` (the wheel), `action.yml` (the GitHub Action),
//! and the YAML the README asks users to copy parses. (The hooks and the wheel themselves run
//! in tests/precommit.rs and in .ci/run.)

mod common;

use std::process::Command;

use common::manifest_dir;
use k8sec::text::LineIndex;
use k8sec::yaml::{parse_stream, FileId, NodeRef, Tree};

fn read(path: &str) -> String {
    std::fs::read_to_string(manifest_dir().join(path)).unwrap()
}

/// The first document of `text`, which must parse.
fn yaml(text: &str, what: &str) -> Tree {
    let stream = parse_stream(text, FileId(0), &LineIndex::new(text));
    assert!(stream.error.is_none(), "{what}: {:?}", stream.error);
    stream.documents.into_iter().next().unwrap().tree
}

fn strings<'a>(node: Option<NodeRef<'a>>) -> Vec<&'a str> {
    node.into_iter()
        .flat_map(|n| n.items())
        .filter_map(|n| n.as_str())
        .collect()
}

#[test]
fn the_pre_commit_hooks_lint_the_repository_and_report_on_the_files_passed() {
    let tree = yaml(&read(".pre-commit-hooks.yaml"), ".pre-commit-hooks.yaml");
    let hooks: Vec<NodeRef<'_>> = tree.root().items().collect();
    let ids: Vec<&str> = hooks.iter().filter_map(|h| h.str_at("id")).collect();
    assert_eq!(ids, ["k8sec", "k8sec-fix"]);
    for hook in &hooks {
        assert_eq!(hook.str_at("language"), Some("rust"));
        assert!(hook
            .str_at("entry")
            .unwrap()
            .starts_with("k8sec lint --context ."));
        assert_eq!(strings(hook.get("types_or")), ["yaml", "json"]);
        assert_eq!(
            hook.get("require_serial").and_then(|v| v.as_bool()),
            Some(true)
        );
        // pre-commit passes the file names (the default): never turned off.
        assert_ne!(
            hook.get("pass_filenames").and_then(|v| v.as_bool()),
            Some(false)
        );
    }
    assert!(hooks[1].str_at("entry").unwrap().ends_with("--fix"));
}

#[test]
fn the_wheel_is_a_maturin_bin_package_named_k8sec() {
    let pyproject: toml::Table = read("pyproject.toml").parse().unwrap();
    assert_eq!(
        pyproject["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
    assert_eq!(pyproject["project"]["name"].as_str(), Some("k8sec"));
    // The version is Cargo.toml's, through maturin.
    assert_eq!(
        pyproject["project"]["dynamic"].as_array().unwrap()[0].as_str(),
        Some("version")
    );
    assert_eq!(
        pyproject["tool"]["maturin"]["bindings"].as_str(),
        Some("bin")
    );
}

#[test]
fn the_action_installs_lints_uploads_and_gates() {
    let text = read("action.yml");
    let tree = yaml(&text, "action.yml");
    let root = tree.root();
    assert_eq!(
        root.get("runs").and_then(|r| r.str_at("using")),
        Some("composite")
    );
    let steps: Vec<NodeRef<'_>> = root
        .get("runs")
        .and_then(|r| r.get("steps"))
        .unwrap()
        .items()
        .collect();
    let names: Vec<&str> = steps.iter().filter_map(|s| s.str_at("name")).collect();
    assert_eq!(names, ["Install k8sec", "Lint", "Upload SARIF", "Gate"]);
    // Inputs reach the scripts through the environment, never pasted into them.
    for step in &steps {
        let Some(script) = step.str_at("run") else {
            continue;
        };
        assert!(
            !script.contains("${{"),
            "an expression inside a script: {script}"
        );
        let check = Command::new("bash")
            .args(["-n", "-c", script])
            .output()
            .unwrap();
        assert!(check.status.success(), "{script}: {check:?}");
    }
    let lint = steps[1].str_at("run").unwrap();
    assert!(lint.contains("--format github") && lint.contains("--format sarif --output"));
}

#[test]
fn the_readme_yaml_parses() {
    let readme = read("README.md");
    let mut blocks = 0;
    for block in readme.split("```yaml\n").skip(1) {
        let text = &block[..block.find("```").unwrap()];
        // Snippets that continue a workflow's `steps:` are indented list items: still YAML.
        yaml(text, text);
        blocks += 1;
    }
    assert!(blocks >= 7, "{blocks} YAML blocks");
    for needle in [
        "--format github --format sarif --output k8sec.sarif",
        "github/codeql-action/upload-sarif",
        "junit: k8sec-junit.xml",
        "additional_dependencies: [k8sec==0.1.0]",
    ] {
        assert!(readme.contains(needle), "README lacks `{needle}`");
    }
}
