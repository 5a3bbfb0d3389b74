//! `k8sec lsp` as an editor runs it: the real binary, JSON-RPC over its stdin and stdout.

mod common;
mod lsp_client;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use lsp_client::{apply_edits, position, repo, uri, Client};

/// A Pod whose container runs privileged, on a line with non-ASCII text before the value.
const POD: &str = include_str!("../testdata/lsp/pod.yaml");

const DEPLOYMENT: &str = include_str!("../testdata/lsp/deployment.yaml");

const RBAC: &str = include_str!("../testdata/lsp/rbac.yaml");

/// A server on a repository holding `pod.yaml` ([`POD`]), with that file open.
struct Opened {
    /// The repository, kept while the test runs.
    _dir: tempfile::TempDir,
    root: PathBuf,
    client: Client,
    path: PathBuf,
    /// The file's first diagnostics.
    diagnostics: Vec<Value>,
}

fn open_pod() -> Opened {
    let (dir, root) = repo(&[("pod.yaml", POD)]);
    let mut client = start(&root);
    let path = root.join("pod.yaml");
    client.open(&path, POD);
    let diagnostics = client.diagnostics(&path, has("privileged-container"));
    Opened {
        _dir: dir,
        root,
        client,
        path,
        diagnostics,
    }
}

fn start(root: &Path) -> Client {
    start_with(root, json!({}))
}

fn start_with(root: &Path, capabilities: Value) -> Client {
    let mut client = Client::start(Path::new(env!("CARGO_BIN_EXE_k8sec")), root);
    client.initialize(root, capabilities);
    client
}

/// The diagnostics of `check` among `diagnostics`.
fn of<'a>(diagnostics: &'a [Value], check: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == check).collect()
}

fn has(check: &'static str) -> impl FnMut(&[Value]) -> bool {
    move |d| !of(d, check).is_empty()
}

fn lacks(check: &'static str) -> impl FnMut(&[Value]) -> bool {
    move |d| of(d, check).is_empty()
}

/// The UTF-16 range the first occurrence of `needle` spans in `text`.
fn range_of(text: &str, needle: &str) -> Value {
    let at = text.find(needle).unwrap();
    json!({"start": position(text, at), "end": position(text, at + needle.len())})
}

#[test]
fn diagnostics_have_utf16_ranges_codes_links_and_severity() {
    let (_dir, root) = repo(&[("pod.yaml", POD)]);
    let mut client = start(&root);
    let path = root.join("pod.yaml");
    // Published for the whole workspace once loaded, before anything is opened.
    let diagnostics = client.diagnostics(&path, has("privileged-container"));
    let privileged = of(&diagnostics, "privileged-container")[0];
    assert_eq!(privileged["range"], range_of(POD, "true"));
    // The emoji counts two UTF-16 units, `ö` one: 77, where characters would give 76 and
    // bytes 80.
    assert_eq!(privileged["range"]["start"]["character"], 77);
    assert_eq!(privileged["severity"], 1);
    assert_eq!(privileged["source"], "k8sec");
    let href = privileged["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.ends_with("/checks/privileged-container.toml"),
        "{href}"
    );
    assert!(privileged["message"]
        .as_str()
        .unwrap()
        .contains("runs privileged"));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn edits_update_the_diagnostics() {
    let Opened {
        _dir,
        mut client,
        path,
        ..
    } = open_pod();
    // An incremental change after non-ASCII text: `true` becomes `false`.
    let edit = json!([{"range": range_of(POD, "true"), "text": "false"}]);
    client.change(&path, 2, edit);
    let diagnostics = client.diagnostics(&path, lacks("privileged-container"));
    assert!(
        !of(&diagnostics, "run-as-root").is_empty(),
        "{diagnostics:?}"
    );
    // And back, as a whole text.
    client.change(&path, 3, json!([{"text": POD}]));
    client.diagnostics(&path, has("privileged-container"));
    // A line break for a character: the same bytes hold the finding, on the next line.
    let moved = POD.replacen("# D", "#\n#", 1);
    client.change(&path, 4, json!([{"text": moved}]));
    let on_line_8 = |d: &[Value]| {
        of(d, "privileged-container")
            .first()
            .is_some_and(|p| p["range"]["start"]["line"] == 8)
    };
    client.diagnostics(&path, on_line_8);
    assert_eq!(client.shutdown().code(), Some(0));
}

/// The quick fixes at the range of the first `check` diagnostic among `diagnostics` of `path`.
fn quick_fixes(client: &mut Client, path: &Path, diagnostics: &[Value], check: &str) -> Vec<Value> {
    let diagnostic = of(diagnostics, check)[0].clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(path)},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic], "only": ["quickfix"]},
        }),
    );
    response["result"].as_array().cloned().unwrap_or_default()
}

/// The action whose title contains `title`.
fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    let found = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains(title));
    found.unwrap_or_else(|| panic!("no action `{title}` among {actions:?}"))
}

/// The text after applying an action's edit to `text`.
fn applied(action: &Value, path: &Path, text: &str) -> String {
    let edits = action["edit"]["changes"][uri(path)].as_array().unwrap();
    apply_edits(text, edits)
}

#[test]
fn a_quick_fix_applied_clears_the_finding() {
    let Opened {
        _dir,
        mut client,
        path,
        diagnostics,
        ..
    } = open_pod();
    let actions = quick_fixes(&mut client, &path, &diagnostics, "privileged-container");
    let fix = titled(&actions, "set `privileged: false`");
    // Unsafe fixes are labelled and not preferred.
    assert!(fix["title"].as_str().unwrap().contains("unsafe"), "{fix}");
    assert_eq!(fix["isPreferred"], false);
    let fixed = applied(fix, &path, POD);
    assert_eq!(fixed, POD.replace("privileged: true", "privileged: false"));
    client.change(&path, 2, json!([{"text": fixed}]));
    client.diagnostics(&path, lacks("privileged-container"));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn ignoring_a_check_here_inserts_the_comment_it_reads() {
    let Opened {
        _dir,
        mut client,
        path,
        diagnostics,
        ..
    } = open_pod();
    let actions = quick_fixes(&mut client, &path, &diagnostics, "privileged-container");
    let ignore = titled(&actions, "ignore `privileged-container`");
    let ignored = applied(ignore, &path, POD);
    let expected = POD.replace(
        "    - {name:",
        "    # k8sec-ignore: privileged-container\n    - {name:",
    );
    assert_eq!(ignored, expected);
    client.change(&path, 2, json!([{"text": ignored}]));
    let diagnostics = client.diagnostics(&path, lacks("privileged-container"));
    // Ignoring a second check on that line extends the comment.
    assert!(!of(&diagnostics, "run-as-root").is_empty());
    let actions = quick_fixes(&mut client, &path, &diagnostics, "run-as-root");
    let ignore = titled(&actions, "ignore `run-as-root`");
    let both = applied(ignore, &path, &expected);
    assert!(
        both.contains("# k8sec-ignore: privileged-container,run-as-root\n"),
        "{both}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn fix_all_safe_gives_what_lint_fix_writes() {
    let block = POD.replace(
        "    - {name: \"wörker-😀\", image: \"nginx:1.27\", securityContext: {privileged: true}}\n",
        "    - name: web\n      image: nginx:1.27\n",
    );
    let (_dir, root) = repo(&[("pod.yaml", &block), ("cli/pod.yaml", &block)]);
    let mut client = start(&root);
    let path = root.join("pod.yaml");
    client.open(&path, &block);
    client.diagnostics(&path, has("privilege-escalation-allowed"));
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(&path)},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    let actions = response["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.k8sec");
    let fixed = applied(&actions[0], &path, &block);
    // The oracle: the command line's --fix on a copy.
    let output = common::k8sec(&root.join("cli"), &["lint", "--fix", "-q", "pod.yaml"]);
    assert!(output.status.code().is_some());
    let written = std::fs::read_to_string(root.join("cli/pod.yaml")).unwrap();
    assert_ne!(written, block);
    assert_eq!(fixed, written);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn hover_shows_the_checks_documentation() {
    let Opened {
        _dir,
        root,
        mut client,
        path,
        ..
    } = open_pod();
    let at = position(POD, POD.find("true").unwrap() + 1);
    let response = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": at}),
    );
    let value = response["result"]["contents"]["value"].as_str().unwrap();
    let explain = common::stdout(&common::k8sec(&root, &["explain", "privileged-container"]));
    // `# id`, blank, then the summary: the hover says it, and why, and how to fix.
    let summary = explain.lines().nth(2).unwrap();
    assert!(value.contains(summary), "{value}");
    assert!(value.contains("Why it matters"), "{value}");
    assert!(value.contains("How to fix it"), "{value}");
    assert_eq!(response["result"]["range"], range_of(POD, "true"));
    // Nothing to say where there is no finding.
    let response = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 2, "character": 1}}),
    );
    assert_eq!(response["result"], Value::Null);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn editing_a_role_binding_reports_on_the_deployment_in_another_file() {
    let (_dir, root) = repo(&[("apps/worker.yaml", DEPLOYMENT), ("rbac/worker.yaml", RBAC)]);
    let mut client = start(&root);
    let deployment = root.join("apps/worker.yaml");
    let rbac = root.join("rbac/worker.yaml");
    client.diagnostics(&deployment, lacks("workload-risky-permissions"));
    client.open(&rbac, RBAC);
    let edit = json!([{"range": range_of(RBAC, "someone-else"), "text": "worker"}]);
    client.change(&rbac, 2, edit);
    let diagnostics = client.diagnostics(&deployment, has("workload-risky-permissions"));
    let risky = of(&diagnostics, "workload-risky-permissions")[0];
    let at = DEPLOYMENT.find("serviceAccountName: worker").unwrap() + "serviceAccountName: ".len();
    let expected = json!({"start": position(DEPLOYMENT, at), "end": position(DEPLOYMENT, at + 6)});
    assert_eq!(risky["range"], expected);
    // The chain that grants it, with the binding in the other file.
    let related = risky["relatedInformation"].as_array().unwrap();
    assert!(
        related.iter().any(|r| r["location"]["uri"] == uri(&rbac)),
        "{related:?}"
    );
    // And away again when the binding changes back.
    client.change(&rbac, 3, json!([{"text": RBAC}]));
    client.diagnostics(&deployment, lacks("workload-risky-permissions"));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn kustomize_findings_land_in_the_base_naming_the_overlay() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n    - name: api\n      image: example/api:1.0\n";
    let patch = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  hostNetwork: false\n";
    let (_dir, root) = repo(&[
        ("base/kustomization.yaml", "resources:\n  - pod.yaml\n"),
        ("base/pod.yaml", pod),
        (
            "overlays/prod/kustomization.yaml",
            "resources:\n  - ../../base\nnamespace: prod\npatches:\n  - path: patch.yaml\n",
        ),
        ("overlays/prod/patch.yaml", patch),
    ]);
    let mut client = start(&root);
    let base = root.join("base/pod.yaml");
    let diagnostics = client.diagnostics(&base, has("run-as-root"));
    let message = of(&diagnostics, "run-as-root")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.ends_with("(in overlay `overlays/prod`)"),
        "{message}"
    );
    // Editing the patch re-lints the overlay; the finding lands in the patch.
    let patch_path = root.join("overlays/prod/patch.yaml");
    client.open(&patch_path, patch);
    let edit = json!([{"range": range_of(patch, "false"), "text": "true"}]);
    client.change(&patch_path, 2, edit);
    let diagnostics = client.diagnostics(&patch_path, has("host-network"));
    let host = of(&diagnostics, "host-network")[0];
    assert_eq!(host["range"]["start"], json!({"line": 5, "character": 15}));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_pulling_client_gets_its_open_documents_by_pull() {
    let (_dir, root) = repo(&[("pod.yaml", POD), ("other.yaml", POD)]);
    let capabilities = json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}});
    let mut client = start_with(&root, capabilities);
    let path = root.join("pod.yaml");
    client.open(&path, POD);
    let response = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&path)}}),
    );
    assert_eq!(response["result"]["kind"], "full");
    let items = response["result"]["items"].as_array().unwrap();
    assert!(!of(items, "privileged-container").is_empty(), "{items:?}");
    // A file not open is pushed; the open one is not (an editor would show it twice): what
    // was pushed for it before it was opened is withdrawn.
    client.diagnostics(&root.join("other.yaml"), has("privileged-container"));
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 0, "character": 0}}),
    );
    let last_push = client.backlog.iter().rev().find(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri(&path)
    });
    if let Some(push) = last_push {
        assert_eq!(push["params"]["diagnostics"], json!([]), "{push}");
    }
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn bad_messages_and_broken_yaml_do_not_stop_the_server() {
    let (_dir, root) = repo(&[("pod.yaml", POD)]);
    let mut client = start(&root);
    client.write_raw(b"Content-Length: 9\r\n\r\n{not json");
    let error = client
        .wait_for(|m| m.get("error").is_some())
        .expect("an error");
    assert_eq!(error["error"]["code"], -32700);
    assert_eq!(error["id"], Value::Null);
    client.send(json!({"jsonrpc": "2.0", "id": 99, "method": 7}));
    let error = client.wait_for(|m| m["id"] == 99).expect("an error");
    assert_eq!(error["error"]["code"], -32600);
    let response = client.request("textDocument/hover", json!({"bogus": true}));
    assert_eq!(response["error"]["code"], -32602);
    let response = client.request("k8sec/unknown", json!({}));
    assert_eq!(response["error"]["code"], -32601);
    // An unparseable buffer is a finding, not a crash.
    let path = root.join("pod.yaml");
    client.open(&path, "apiVersion: v1\nkind: [Pod\n\t- é: {\n");
    client.diagnostics(&path, has("invalid-yaml"));
    client.change(&path, 2, json!([{"text": POD}]));
    client.diagnostics(&path, has("privileged-container"));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_pull_cancelled_while_waiting_is_answered_as_cancelled() {
    let (_dir, root) = repo(&[("pod.yaml", POD)]);
    let capabilities = json!({"textDocument": {"diagnostic": {}}});
    let mut client = start_with(&root, capabilities);
    let path = root.join("pod.yaml");
    client.open(&path, POD);
    client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&path)}}),
    );
    // A change is pending (debounced): the pull waits for it, and is cancelled meanwhile.
    let document = json!({"uri": uri(&path), "version": 2});
    let text = POD.replace("true", "false");
    client.send_together(&[
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
               "params": {"textDocument": document, "contentChanges": [{"text": text}]}}),
        json!({"jsonrpc": "2.0", "id": 500, "method": "textDocument/diagnostic",
               "params": {"textDocument": {"uri": uri(&path)}}}),
        json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 500}}),
    ]);
    let response = client.response(&json!(500));
    assert_eq!(response["error"]["code"], -32800, "{response}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_a_failure() {
    let (_dir, root) = repo(&[("pod.yaml", POD)]);
    let mut client = start(&root);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait().code(), Some(1));
}

#[test]
fn files_changed_on_disk_and_configuration_changes_are_picked_up() {
    let (_dir, root) = repo(&[("pod.yaml", POD), ("other.yaml", DEPLOYMENT)]);
    let mut client = start(&root);
    let path = root.join("pod.yaml");
    client.diagnostics(&path, has("privileged-container"));
    let watched = |client: &mut Client, file: &Path, kind: u8| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(file), "type": kind}]}),
        );
    };
    // A closed file changed on disk.
    std::fs::write(&path, POD.replace("true", "false")).unwrap();
    watched(&mut client, &path, 2);
    client.diagnostics(&path, lacks("privileged-container"));
    // The configuration turns a check off.
    let config = root.join(".k8sec.toml");
    std::fs::write(&config, "ignore = [\"run-as-root\"]\n").unwrap();
    watched(&mut client, &config, 1);
    client.diagnostics(&path, lacks("run-as-root"));
    // A configuration k8sec cannot use is reported on its line.
    std::fs::write(&config, "ignore = [\"run-as-root\"]\nbogus-key = 1\n").unwrap();
    watched(&mut client, &config, 2);
    let diagnostics = client.diagnostics(&config, |d| !d.is_empty());
    assert_eq!(
        diagnostics[0]["range"]["start"]["line"], 1,
        "{diagnostics:?}"
    );
    // A new manifest.
    let new = root.join("new.yaml");
    std::fs::write(&new, POD).unwrap();
    std::fs::remove_file(&config).unwrap();
    watched(&mut client, &config, 3);
    watched(&mut client, &new, 1);
    client.diagnostics(&new, has("privileged-container"));
    client.diagnostics(&config, |d| d.is_empty());
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn the_helix_configuration_starts_this_server_for_yaml() {
    let path = common::manifest_dir().join("editors/helix/languages.toml");
    let config: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let server = &config["language-server"]["k8sec"];
    assert_eq!(server["command"].as_str(), Some("k8sec"));
    let args: Vec<&str> = server["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args, ["lsp"]);
    let languages = config["language"].as_array().unwrap();
    let yaml = languages
        .iter()
        .find(|l| l["name"].as_str() == Some("yaml"))
        .unwrap();
    let servers = yaml["language-servers"].as_array().unwrap();
    assert!(servers.iter().any(|s| s.as_str() == Some("k8sec")));
    // Those arguments start a server that answers.
    let (_dir, root) = repo(&[("pod.yaml", POD)]);
    let mut client = start(&root);
    client.diagnostics(&root.join("pod.yaml"), has("privileged-container"));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_file_outside_every_folder_is_linted_alone() {
    let (_dir, root) = repo(&[("elsewhere/pod.yaml", POD), ("elsewhere/other.yaml", POD)]);
    let mut client = Client::start(Path::new(env!("CARGO_BIN_EXE_k8sec")), &root);
    let response = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert!(response.get("result").is_some(), "{response}");
    client.notify("initialized", json!({}));
    let path = root.join("elsewhere/pod.yaml");
    client.open(&path, POD);
    client.diagnostics(&path, has("privileged-container"));
    // Only that file: its neighbour is not part of any workspace.
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 0, "character": 0}}),
    );
    let other = uri(&root.join("elsewhere/other.yaml"));
    assert!(!client.backlog.iter().any(|m| m["params"]["uri"] == other));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_pulling_client_is_asked_to_pull_again_when_another_file_changes_its_findings() {
    let (_dir, root) = repo(&[("apps/worker.yaml", DEPLOYMENT), ("rbac/worker.yaml", RBAC)]);
    let capabilities = json!({
        "textDocument": {"diagnostic": {}},
        "workspace": {
            "diagnostic": {"refreshSupport": true},
            "didChangeWatchedFiles": {"dynamicRegistration": true},
        },
    });
    let mut client = start_with(&root, capabilities);
    // The server asks to be told of file changes.
    let registration = client
        .wait_for(|m| m["method"] == "client/registerCapability")
        .expect("a registration");
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    let deployment = root.join("apps/worker.yaml");
    client.open(&deployment, DEPLOYMENT);
    let pull = json!({"textDocument": {"uri": uri(&deployment)}});
    let response = client.request("textDocument/diagnostic", pull.clone());
    let items = response["result"]["items"].as_array().unwrap().clone();
    assert!(lacks("workload-risky-permissions")(&items), "{items:?}");
    // The binding changes on disk (a `git pull`): the open Deployment's findings change.
    let rbac = root.join("rbac/worker.yaml");
    std::fs::write(&rbac, RBAC.replace("someone-else", "worker")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&rbac), "type": 2}]}),
    );
    let refresh = client
        .wait_for(|m| m["method"] == "workspace/diagnostic/refresh")
        .expect("a refresh request");
    client.send(json!({"jsonrpc": "2.0", "id": refresh["id"], "result": null}));
    let response = client.request("textDocument/diagnostic", pull);
    let items = response["result"]["items"].as_array().unwrap().clone();
    assert!(has("workload-risky-permissions")(&items), "{items:?}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_workspace_folder_added_later_is_linted() {
    let (_dir, root) = repo(&[("one/pod.yaml", POD), ("two/pod.yaml", POD)]);
    let mut client = start(&root.join("one"));
    client.diagnostics(&root.join("one/pod.yaml"), has("privileged-container"));
    let two = root.join("two");
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": uri(&two), "name": "two"}], "removed": []}}),
    );
    client.diagnostics(&two.join("pod.yaml"), has("privileged-container"));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_folder_reached_through_a_symlink_keeps_the_editors_paths() {
    let (_dir, root) = repo(&[("real/pod.yaml", POD)]);
    let link = root.join("link");
    std::os::unix::fs::symlink(root.join("real"), &link).unwrap();
    let mut client = start(&link);
    let path = link.join("pod.yaml");
    client.diagnostics(&path, has("privileged-container"));
    client.open(&path, POD);
    client.change(&path, 2, json!([{"text": POD.replace("true", "false")}]));
    client.diagnostics(&path, lacks("privileged-container"));
    // A new, unsaved file loads the folder again: the open buffers still stand for the disk.
    let new = link.join("new.yaml");
    client.open(&new, POD);
    client.diagnostics(&new, has("privileged-container"));
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 0, "character": 0}}),
    );
    let stale = client.backlog.iter().any(|m| {
        m["params"]["uri"] == uri(&path)
            && has("privileged-container")(m["params"]["diagnostics"].as_array().unwrap())
    });
    assert!(
        !stale,
        "the reload read pod.yaml from the disk, not its buffer"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}
