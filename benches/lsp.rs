//! Language-server latency: how long after an edit the edited file's diagnostics arrive, in a
//! workspace the size of the real-world corpus, against a full `k8sec lint` of the same tree
//! measured in the same run.
//!
//! Run with `cargo bench --bench lsp` (a release build of the `k8sec` binary, driven over its
//! stdin and stdout as an editor drives it). Not a test: the numbers are for reading.
//!
//! The server is started on the corpus (`K8SEC_CORPUS`, else `../shared/corpus`; nothing is
//! written there: edits stay in the editor's buffer). For each target file it is opened, then
//! edited `K8SEC_BENCH_EDITS` times (default 30): each edit adds or removes `hostNetwork: true`
//! in the first pod spec, so each one changes the file's findings, and the time from sending the
//! change to receiving the file's new diagnostics is one sample. It includes the server's
//! debounce (50 ms after the last change), as an editor sees it. The server's own time for each
//! update (its log line "updated in N ms") is reported beside it.
//!
//! Targets: a plain manifest in the corpus's largest unit (every plain file is one unit, ~1400
//! objects, whose graph checks run again), a 2 MB plain manifest (parse cost), and a file of a
//! Kustomize base (the builds that read it are rebuilt).

#[path = "../tests/lsp_client/mod.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use lsp_client::{uri, Client};

const TARGETS: &[(&str, &str)] = &[
    (
        "plain manifest",
        "kubernetes-examples/web/guestbook/frontend-deployment.yaml",
    ),
    ("2 MB plain manifest", "argo-cd/manifests/install.yaml"),
    (
        "Kustomize base",
        "microservices-demo/kubernetes-manifests/frontend.yaml",
    ),
];

fn main() {
    let corpus = std::env::var_os("K8SEC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let Ok(corpus) = corpus.canonicalize() else {
        eprintln!(
            "skipped: no corpus at {} (set K8SEC_CORPUS)",
            corpus.display()
        );
        return;
    };
    let edits: usize = std::env::var("K8SEC_BENCH_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let binary = Path::new(env!("CARGO_BIN_EXE_k8sec"));

    let lint = full_lint(binary, &corpus, 7);
    let lint_median = median(&lint);
    println!(
        "k8sec lint (whole corpus, {} runs): median {:.0} ms",
        lint.len(),
        ms(lint_median)
    );

    let started = Instant::now();
    let mut client = Client::start(binary, &corpus);
    client.initialize(&corpus, json!({}));
    let loaded = client
        .wait_for(|m| log_line(m).is_some_and(|l| l.contains(" loaded ")))
        .and_then(|m| log_line(&m).map(str::to_string))
        .expect("the server loads the corpus");
    println!(
        "k8sec lsp: first load {:.0} ms ({loaded})",
        ms(started.elapsed())
    );
    println!();
    println!(
        "{:<22} {:>9} {:>9} {:>12} {:>12} {:>14}",
        "edit in", "median", "p95", "median/lint", "p95/lint", "server median"
    );
    for (name, target) in TARGETS {
        let path = corpus.join(target);
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("{name:<22} skipped: no {target}");
            continue;
        };
        let (samples, server) = edit_latencies(&mut client, &path, &text, edits);
        let (median, p95) = (median(&samples), percentile(&samples, 0.95));
        println!(
            "{name:<22} {:>6.0} ms {:>6.0} ms {:>12.3} {:>12.3} {:>11.0} ms",
            ms(median),
            ms(p95),
            ms(median) / ms(lint_median),
            ms(p95) / ms(lint_median),
            ms(self::median(&server)),
        );
    }
    let status = client.shutdown();
    assert!(status.success(), "k8sec lsp exited with {status}");
}

/// Wall-clock times of `k8sec lint <corpus>`, after one warm-up run.
fn full_lint(binary: &Path, corpus: &Path, runs: usize) -> Vec<Duration> {
    let run = || {
        let started = Instant::now();
        Command::new(binary)
            .args(["lint", ".", "--format", "json", "-q"])
            .current_dir(corpus)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run k8sec lint");
        started.elapsed()
    };
    run();
    (0..runs).map(|_| run()).collect()
}

/// Opens `path` and edits it `edits` times; the time each edit took to bring the file's new
/// diagnostics, and the server's own time for each update.
fn edit_latencies(
    client: &mut Client,
    path: &Path,
    text: &str,
    edits: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let (at, indent) = pod_spec_line(text);
    let insert = format!("{indent}hostNetwork: true\n");
    let edited = format!("{}{insert}{}", &text[..at], &text[at..]);
    client.open(path, text);
    // A hover is answered once the opening is linted.
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(path)}, "position": {"line": 0, "character": 0}}),
    );
    let mut samples = Vec::new();
    let mut server = Vec::new();
    for version in 0..edits {
        let next = if version % 2 == 0 { &edited } else { text };
        client.backlog.clear();
        let started = Instant::now();
        client.change(path, version as i64 + 2, json!([{"text": next}]));
        diagnostics_of(client, path);
        samples.push(started.elapsed());
        if let Some(took) = client
            .wait_for(|m| log_line(m).is_some_and(|l| l.contains(" updated in ")))
            .and_then(|m| log_line(&m).and_then(updated_ms))
        {
            server.push(took);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(path)}}),
    );
    (samples, server)
}

/// Waits for the next diagnostics published for `path`.
fn diagnostics_of(client: &mut Client, path: &Path) {
    let uri = uri(path);
    client
        .wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .unwrap_or_else(|| panic!("no diagnostics for {uri}"));
}

/// Where to insert a pod-level field: the start of the first `containers:` line of the first
/// Deployment, and its indentation.
fn pod_spec_line(text: &str) -> (usize, String) {
    let mut offset = 0;
    let mut in_deployment = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        in_deployment |= line.starts_with("kind: Deployment");
        if in_deployment && trimmed.starts_with("containers:") {
            let indent = &line[..line.len() - trimmed.len()];
            return (offset, indent.to_string());
        }
        offset += line.len();
    }
    panic!("no Deployment with `containers:`")
}

/// The message of a `window/logMessage`.
fn log_line(message: &Value) -> Option<&str> {
    (message["method"] == "window/logMessage")
        .then(|| message["params"]["message"].as_str())
        .flatten()
}

/// N of "… updated in N ms …".
fn updated_ms(line: &str) -> Option<Duration> {
    let after = line.split(" updated in ").nth(1)?;
    let n: u64 = after.split(' ').next()?.parse().ok()?;
    Some(Duration::from_millis(n))
}

fn median(samples: &[Duration]) -> Duration {
    percentile(samples, 0.5)
}

/// The nearest-rank percentile.
fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
