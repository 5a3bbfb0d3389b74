//! Helm: rendered streams mapped back to their templates, and chart directories rendered with
//! `helm template`.
//!
//! `helm template` marks each document with `# Source: <chart>/templates/<file>`. A rendered
//! stream is split on those comments into one source per template, named by the template's
//! path, so findings name the template file and a position within its rendered document.
//! Such sources are [`Origin::Rendered`](crate::source::Origin::Rendered): they are not the
//! template's text, and nothing ever edits them.
//!
//! Charts are rendered only with an explicit or found `helm` binary, with a timeout, no
//! dependency update, no repository or plugin configuration of the user (Helm's home
//! directories point at an empty temporary one), and network access made to fail fast.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How charts are rendered.
#[derive(Clone, Debug)]
pub struct HelmOptions {
    /// `--helm PATH` or `[helm] binary`; else `helm` is looked up on `PATH`.
    pub binary: Option<PathBuf>,
    /// `--helm-values FILE` (and `[helm] values`), in order.
    pub values: Vec<PathBuf>,
    /// `--helm-set k=v` (and `[helm] set`), in order.
    pub set: Vec<String>,
    /// How long `helm template` may run before it is killed (`[helm] timeout`).
    pub timeout: Duration,
    /// `--kube-version` for `helm template` (charts may demand a minimum).
    pub kube_version: String,
    /// `[helm] enabled = false` skips charts even when helm is available.
    pub enabled: bool,
    /// The most bytes one chart's rendering may print (`--max-file-size`): past it helm is
    /// stopped and the chart reported, never held in memory.
    pub max_output: u64,
}

impl Default for HelmOptions {
    fn default() -> Self {
        HelmOptions {
            binary: None,
            values: Vec::new(),
            set: Vec::new(),
            timeout: Duration::from_secs(60),
            kube_version: "1.33.0".to_string(),
            enabled: true,
            max_output: crate::source::DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// The helm binary to use: the configured one, else `helm` on `PATH`.
///
/// Only absolute `PATH` entries are searched: an empty entry or `.` would find a `helm` the
/// scanned repository planted in the working directory.
pub fn find_helm(options: &HelmOptions) -> Option<PathBuf> {
    if let Some(binary) = &options.binary {
        return Some(binary.clone());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join("helm"))
        .find(|candidate| candidate.is_file())
}

/// One template's share of a rendered stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The path after `# Source: `, e.g. `mychart/templates/deployment.yaml`.
    pub template: String,
    /// Its documents without their `# Source:` line, joined by `---`: the first document's
    /// lines are numbered as in the template whenever rendering kept the line count.
    pub text: String,
}

/// Splits a rendered stream on its `# Source:` comments, one section per template, in order of
/// first appearance. `None` when the stream has no such comment (not Helm output).
pub fn split_sources(text: &str) -> Option<Vec<Section>> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending = String::new();
    let mut seen_source = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed == "---" || trimmed.starts_with("--- ") {
            flush(&mut sections, current, &mut pending);
            current = None;
            continue;
        }
        if let Some(template) = trimmed.strip_prefix("# Source: ") {
            seen_source = true;
            flush(&mut sections, current, &mut pending);
            let template = template.trim().to_string();
            let index = match sections.iter().position(|s| s.template == template) {
                Some(i) => {
                    sections[i].text.push_str("---\n");
                    i
                }
                None => {
                    sections.push(Section {
                        template,
                        text: String::new(),
                    });
                    sections.len() - 1
                }
            };
            current = Some(index);
            continue;
        }
        pending.push_str(line);
    }
    flush(&mut sections, current, &mut pending);
    seen_source.then_some(sections)
}

fn flush(sections: &mut [Section], current: Option<usize>, pending: &mut String) {
    match current {
        Some(i) => {
            sections[i].text.push_str(pending);
            if !sections[i].text.is_empty() && !sections[i].text.ends_with('\n') {
                sections[i].text.push('\n');
            }
        }
        None => {
            // Text before any `# Source:` (or after a `---` with none): not a template's.
        }
    }
    pending.clear();
}

/// Where a template's rendered output is shown: the template file inside `chart`.
pub fn template_path(chart: &Path, template: &str) -> PathBuf {
    match template.split_once('/') {
        Some((_, inside)) => chart.join(inside),
        None => chart.join(template),
    }
}

/// Renders `chart` with `helm template`. The error is Helm's message (or the timeout, or why
/// the chart was refused).
///
/// Helm's homes are a fresh private directory (`tempfile`: unpredictable, mode 0700, removed
/// afterwards), so nothing planted at a known path can redirect what helm writes. A chart
/// holding a symlink that leads out of it is not rendered: helm would read the target.
pub fn render_chart(helm: &Path, chart: &Path, options: &HelmOptions) -> Result<String, String> {
    if let Some(link) = symlink_out_of(chart) {
        return Err(format!(
            "`{}` is a symlink that leads out of the chart: not rendered",
            link.display()
        ));
    }
    let mut home = tempfile::Builder::new();
    home.prefix("k8sec-helm-");
    #[cfg(unix)]
    home.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let home = home
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory for helm: {e}"))?;
    // An empty kubeconfig: rendering never talks to a cluster.
    let kubeconfig = home.path().join("kubeconfig");
    std::fs::write(&kubeconfig, "apiVersion: v1\nkind: Config\n")
        .map_err(|e| format!("cannot write helm's kubeconfig: {e}"))?;
    run_helm(helm, chart, options, home.path(), &kubeconfig)
}

/// The first symlink under `chart` whose target lies outside it (or cannot be resolved).
fn symlink_out_of(chart: &Path) -> Option<PathBuf> {
    let root = chart.canonicalize().ok()?;
    let mut dirs = vec![chart.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_symlink() {
                let inside = path
                    .canonicalize()
                    .is_ok_and(|real| real.starts_with(&root));
                if !inside {
                    return Some(path);
                }
            } else if file_type.is_dir() {
                dirs.push(path);
            }
        }
    }
    None
}

/// How long a pipe's reader is waited for once helm has ended.
const PIPE_GRACE: Duration = Duration::from_secs(2);

/// Most bytes of helm's error output kept (only its `Error:` line is shown).
const MAX_STDERR: u64 = 1024 * 1024;

fn run_helm(
    helm: &Path,
    chart: &Path,
    options: &HelmOptions,
    home: &Path,
    kubeconfig: &Path,
) -> Result<String, String> {
    let mut child = helm_command(helm, chart, options, home, kubeconfig)
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", helm.display()))?;
    // Both pipes are drained while helm runs, so a full pipe never blocks it; past its limit a
    // reader stops and raises `overflow`, and helm is stopped.
    let overflow = Arc::new(AtomicBool::new(false));
    let out_reader = read_in_background(child.stdout.take(), options.max_output, &overflow);
    let err_reader = read_in_background(child.stderr.take(), MAX_STDERR, &Arc::default());
    let status = wait_with_timeout(&mut child, options.timeout, &overflow);
    // A process helm started may still hold a pipe open: its reader is not waited for long.
    let out = out_reader.recv_timeout(PIPE_GRACE).unwrap_or_default();
    let err = err_reader.recv_timeout(PIPE_GRACE).unwrap_or_default();
    if overflow.load(Ordering::Relaxed) {
        return Err(format!(
            "`helm template` printed more than {} MB (the `--max-file-size` limit): stopped",
            options.max_output / (1024 * 1024)
        ));
    }
    if !status?.success() {
        return Err(format!(
            "`helm template` failed: {}",
            failure_message(&String::from_utf8_lossy(&err))
        ));
    }
    String::from_utf8(out).map_err(|_| "`helm template` printed text that is not UTF-8".to_string())
}

/// `helm template` for `chart`, with Helm's homes in `home`, the empty `kubeconfig`, and any
/// network access pointed at a closed local port.
fn helm_command(
    helm: &Path,
    chart: &Path,
    options: &HelmOptions,
    home: &Path,
    kubeconfig: &Path,
) -> Command {
    let mut command = Command::new(helm);
    command
        .arg("template")
        .arg("k8sec")
        .arg(chart)
        .arg("--kube-version")
        .arg(&options.kube_version);
    for values in &options.values {
        command.arg("--values").arg(values);
    }
    for set in &options.set {
        command.arg("--set").arg(set);
    }
    command
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("HELM_PLUGINS", home.join("plugins"))
        .env("KUBECONFIG", kubeconfig)
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Reads `pipe` on its own thread, at most `limit` bytes: past that it stops and sets
/// `overflow`.
fn read_in_background(
    pipe: Option<impl Read + Send + 'static>,
    limit: u64,
    overflow: &Arc<AtomicBool>,
) -> Receiver<Vec<u8>> {
    let overflow = Arc::clone(overflow);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(pipe) = pipe {
            let _ = pipe.take(limit + 1).read_to_end(&mut buf);
        }
        if buf.len() as u64 > limit {
            overflow.store(true, Ordering::Relaxed);
            buf = Vec::new();
        }
        let _ = send.send(buf);
    });
    receive
}

/// Waits for `child`, killing it once `timeout` has passed or `overflow` is raised.
fn wait_with_timeout(
    child: &mut Child,
    timeout: Duration,
    overflow: &AtomicBool,
) -> Result<ExitStatus, String> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if overflow.load(Ordering::Relaxed) => {
                let _ = child.kill();
                return child.wait().map_err(|e| format!("waiting for helm: {e}"));
            }
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`helm template` did not finish within {} s",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for helm: {e}")),
        }
    }
}

/// The line of Helm's error output that says what failed: its `Error:` line, else its first.
fn failure_message(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let first = lines
        .iter()
        .find(|l| l.starts_with("Error:"))
        .or_else(|| lines.first())
        .copied()
        .unwrap_or("helm failed without a message");
    first.trim_start_matches("Error: ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_split_per_template() {
        let text = "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n---\n# Source: c/templates/a.yaml\nkind: A2\n";
        let sections = split_sources(text).unwrap();
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].template, "c/templates/a.yaml");
        assert_eq!(sections[0].text, "kind: A\n---\nkind: A2\n");
        assert_eq!(sections[1].text, "kind: B\n");
        assert!(split_sources("kind: A\n").is_none());
    }

    #[test]
    fn template_paths_are_inside_the_chart() {
        assert_eq!(
            template_path(Path::new("charts/web"), "web/templates/deploy.yaml"),
            PathBuf::from("charts/web/templates/deploy.yaml")
        );
        assert_eq!(
            template_path(Path::new("web"), "web/charts/db/templates/s.yaml"),
            PathBuf::from("web/charts/db/templates/s.yaml")
        );
    }
}
