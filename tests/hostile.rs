//! A hostile repository (issue 9): k8sec runs nothing it names, reads nothing outside it,
//! never hangs or runs out of memory on it, prints none of its text raw, and never corrupts a
//! file it fixes. Every case asserts the exit code and the message, not only "no panic"; the
//! inputs are generated here, each of bounded size. Processes run under a deadline, and the
//! memory cases under a 2 GB address-space limit (`ulimit -v`).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{json, repo, stderr, stdout, PRIVILEGED};

/// How long any one run may take before the test fails (a hang).
const DEADLINE: Duration = Duration::from_secs(60);

/// 2 GB, in the KiB `ulimit -v` counts.
const MEMORY_CAP_KB: u64 = 2 * 1024 * 1024;

/// Runs `k8sec args…` in `dir` (no color, empty stdin), killed and failed after [`DEADLINE`];
/// `memory_cap`: under `ulimit -v` 2 GB; `env`: extra variables.
fn run(dir: &Path, args: &[&str], memory_cap: bool, env: &[(&str, &str)]) -> Output {
    let exe = env!("CARGO_BIN_EXE_k8sec");
    let mut command = if memory_cap {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("ulimit -v {MEMORY_CAP_KB} && exec \"$0\" \"$@\""))
            .arg(exe);
        c
    } else {
        Command::new(exe)
    };
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("run k8sec");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = err.read_to_end(&mut bytes);
        bytes
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("k8sec {args:?} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

fn k8sec(dir: &Path, args: &[&str]) -> Output {
    run(dir, args, false, &[])
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// A git repository (an empty `.git`) holding `files`.
fn git_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = repo(files);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[cfg(unix)]
fn executable(path: &Path, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const CHART: &str = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

/// §2: a repository's `.k8sec.toml` cannot make k8sec run a program: `[helm] binary` is
/// ignored with a warning (found upward, or named with `--config`), and so is a `helm` planted
/// in the working directory when `PATH` has a relative entry.
#[cfg(unix)]
#[test]
fn a_repository_config_never_runs_its_program() {
    let dir = git_repo(&[
        ("chart/Chart.yaml", CHART),
        ("chart/templates/cm.yaml", "kind: ConfigMap\n"),
        (".k8sec.toml", "[helm]\nbinary = \"./evil.sh\"\n"),
    ]);
    let marker = dir.path().join("MARKER");
    let script = format!("#!/bin/sh\ntouch {}\n", marker.display());
    executable(&dir.path().join("evil.sh"), &script);
    executable(&dir.path().join("helm"), &script);
    for args in [
        &["lint", "."][..],
        &["lint", ".", "--config", ".k8sec.toml"],
        &["graph", "."],
    ] {
        let out = run(dir.path(), args, false, &[("PATH", ".::/usr/bin:/bin")]);
        let err = stderr(&out);
        assert_eq!(code(&out), 0, "{args:?}: {err}");
        assert!(
            err.contains("`[helm] binary = \"./evil.sh\"` ignored: the configuration is inside the scanned repository"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("Helm chart skipped: no `helm` binary found"),
            "{err}"
        );
        assert!(!marker.exists(), "{args:?} ran the repository's program");
    }
}

/// §2: the same setting in a configuration outside the repository (the user's own) is
/// honoured, and helm gets a private, fresh home that is gone afterwards.
#[cfg(unix)]
#[test]
fn a_user_config_names_helm_and_helm_gets_a_private_home() {
    let user = tempfile::tempdir().unwrap();
    let log = user.path().join("home.txt");
    let helm = user.path().join("helm");
    executable(
        &helm,
        &format!(
            "#!/bin/sh\nls -ld \"$(dirname \"$HELM_CONFIG_HOME\")\" > {log}\necho \"$HELM_CONFIG_HOME\" >> {log}\n\
             printf -- '---\\n# Source: c/templates/cm.yaml\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: x\\n'\n",
            log = log.display()
        ),
    );
    let config = user.path().join("k8sec.toml");
    std::fs::write(
        &config,
        format!("[helm]\nbinary = \"{}\"\n", helm.display()),
    )
    .unwrap();
    let dir = git_repo(&[
        ("chart/Chart.yaml", CHART),
        ("chart/templates/cm.yaml", "x"),
    ]);
    let config_arg = config.to_string_lossy();
    let out = k8sec(
        dir.path(),
        &["lint", ".", "--config", &config_arg, "--format", "json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["summary"]["resources"], 1, "{}", stderr(&out));
    let seen = std::fs::read_to_string(&log).expect("the user's helm ran");
    assert!(
        seen.starts_with("drwx------"),
        "helm's home is private: {seen}"
    );
    let home = PathBuf::from(seen.lines().nth(1).unwrap());
    let name = home
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy();
    assert!(name.starts_with("k8sec-helm-"), "{name}");
    assert_ne!(name, format!("k8sec-helm-{}", std::process::id()));
    assert!(!home.parent().unwrap().exists(), "helm's home is removed");
}

/// §2: a rendering that never ends is stopped at the size limit with a note, within the
/// memory cap; a chart holding a symlink out of it is not rendered at all.
#[cfg(unix)]
#[test]
fn helm_output_is_bounded_and_charts_with_symlinks_out_are_refused() {
    let tools = tempfile::tempdir().unwrap();
    let endless = tools.path().join("helm");
    executable(&endless, "#!/bin/sh\nexec yes 'a: b'\n");
    let dir = git_repo(&[
        ("chart/Chart.yaml", CHART),
        ("chart/templates/cm.yaml", "x"),
    ]);
    let helm = endless.to_string_lossy();
    let out = run(dir.path(), &["lint", ".", "--helm", &helm], true, &[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(
        err.contains("Helm chart not linted: `helm template` printed more than 50 MB (the `--max-file-size` limit): stopped"),
        "{err}"
    );

    let marker = tools.path().join("RENDERED");
    let helm = tools.path().join("marking-helm");
    executable(&helm, &format!("#!/bin/sh\ntouch {}\n", marker.display()));
    std::os::unix::fs::symlink(
        "/etc/passwd",
        dir.path().join("chart/templates/passwd.yaml"),
    )
    .unwrap();
    let helm = helm.to_string_lossy();
    let out = k8sec(dir.path(), &["lint", ".", "--helm", &helm]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(
        err.contains("is a symlink that leads out of the chart: not rendered"),
        "{err}"
    );
    assert!(
        !marker.exists(),
        "helm ran on a chart with a symlink out of it"
    );
}

/// §3: FIFOs, sockets and devices are never opened as manifests (walked: a note; named: an
/// error, exit 2), nor when a configMapGenerator names one; symlinks out of the repository
/// (to `/dev/zero`, to a credentials file) are not followed.
#[cfg(unix)]
#[test]
fn special_files_and_symlinks_out_are_never_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("credentials");
    std::fs::write(&secret, "aws_secret_access_key: [SECRET-KEY-LINE\n").unwrap();
    let dir = git_repo(&[
        ("pod.yaml", PRIVILEGED),
        (
            "gen/kustomization.yaml",
            "configMapGenerator:\n  - name: c\n    files: [fifo.txt]\n",
        ),
    ]);
    mkfifo(&dir.path().join("x.yaml"));
    mkfifo(&dir.path().join("gen/fifo.txt"));
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join("config.yaml")).unwrap();
    let out = run(dir.path(), &["lint", ".", "--format", "concise"], true, &[]);
    let (out_text, err) = (stdout(&out), stderr(&out));
    assert_eq!(code(&out), 1, "{err}");
    assert!(
        out_text.contains("pod.yaml:10:21: error[privileged-container]"),
        "{out_text}"
    );
    assert!(
        err.contains("k8sec: note: ./x.yaml: not a regular file (a FIFO): not read"),
        "{err}"
    );
    assert!(
        err.contains(
            "k8sec: note: ./zero.yaml: a symlink that leads out of the repository: not followed"
        ),
        "{err}"
    );
    assert!(
        err.contains("k8sec: note: ./config.yaml: a symlink that leads out of the repository"),
        "{err}"
    );
    assert!(
        err.contains("fifo.txt`: not a regular file (a FIFO)"),
        "{err}"
    );
    assert!(!format!("{out_text}{err}").contains("SECRET-KEY-LINE"));

    // Named on the command line (as pre-commit names files): the same refusals.
    let out = k8sec(dir.path(), &["lint", "x.yaml", "config.yaml", "pod.yaml"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("k8sec: error: x.yaml: not a regular file (a FIFO)"),
        "{err}"
    );
    assert!(
        err.contains("config.yaml: a symlink that leads out of the repository"),
        "{err}"
    );
}

/// §3: the configuration is read like the repository's other files: a `.k8sec.toml` that is a
/// symlink out of the repository (to a credentials file whose lines a TOML error would quote)
/// is refused, and one that is a FIFO is never opened as a configuration (no hang).
#[test]
fn the_configuration_file_keeps_to_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("credentials");
    std::fs::write(&secret, "aws_secret_access_key = [SECRET-KEY-LINE\n").unwrap();
    let dir = git_repo(&[("pod.yaml", PRIVILEGED)]);
    std::os::unix::fs::symlink(&secret, dir.path().join(".k8sec.toml")).unwrap();
    let out = run(dir.path(), &["lint", "."], true, &[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains(".k8sec.toml") && err.contains("a symlink that leads out of the repository"),
        "{err}"
    );
    assert!(!format!("{}{err}", stdout(&out)).contains("SECRET-KEY-LINE"));

    std::fs::remove_file(dir.path().join(".k8sec.toml")).unwrap();
    mkfifo(&dir.path().join(".k8sec.toml"));
    let started = Instant::now();
    let out = run(dir.path(), &["lint", "."], true, &[]);
    // Not a configuration file (discovery takes regular files only): the run goes on without
    // one and reports the pod.
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("privileged-container"));
    assert!(started.elapsed() < Duration::from_secs(30));
    let out = run(
        dir.path(),
        &["lint", ".", "--config", ".k8sec.toml"],
        true,
        &[],
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
}

/// §3: a file over `--max-file-size` is not read, and the run says so and fails (exit 2): a
/// security linter must not pass a file it did not read.
#[test]
fn files_over_the_size_limit_are_refused() {
    let big = format!("{PRIVILEGED}# {}\n", "x".repeat(1024 * 1024 + 10));
    let dir = repo(&[("big.yaml", &big), ("pod.yaml", PRIVILEGED)]);
    let out = k8sec(
        dir.path(),
        &["lint", ".", "--max-file-size", "1", "--format", "concise"],
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("k8sec: error: ./big.yaml: larger than the 1 MB limit: not read (raise it with `--max-file-size`)"),
        "{err}"
    );
    assert!(stdout(&out).contains("pod.yaml:10:21"), "the run goes on");
    let out = k8sec(dir.path(), &["lint", ".", "--format", "concise"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("big.yaml:10:21"), "{}", stdout(&out));
    // Standard input is bounded the same way.
    let out = common::k8sec_stdin(
        dir.path(),
        &["lint", "-", "--max-file-size", "1"],
        Some(&big),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "k8sec: error: cannot read stdin: larger than the 1 MB limit (raise it with `--max-file-size`)\n"
    );
}

/// §3: `-j` is clamped (a thousand threads under a memory cap once panicked), `--helm` must
/// name a file, kustomization cycles and unreadable ignore files are named in notes.
#[test]
fn flags_and_repository_shapes_get_clear_answers() {
    let dir = repo(&[
        ("pod.yaml", PRIVILEGED),
        ("a/kustomization.yaml", "resources: [../b]\n"),
        ("b/kustomization.yaml", "resources: [../a]\n"),
    ]);
    std::fs::create_dir(dir.path().join(".gitignore")).unwrap();
    let out = run(dir.path(), &["lint", ".", "-j", "1000"], true, &[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(
        err.contains("`-j 1000` lowered to 64 worker threads"),
        "{err}"
    );
    assert!(err.contains("k8sec: note: a: kustomization cycle"), "{err}");
    assert!(err.contains("k8sec: note: b: kustomization cycle"), "{err}");
    assert!(
        err.contains(".gitignore: ignore file not applied in full"),
        "{err}"
    );

    let out = k8sec(dir.path(), &["lint", ".", "--helm", "/nonexistent"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "k8sec: error: `--helm /nonexistent`: no such file\n"
    );
}

/// §4: names and values from the repository reach human and concise output, and every note on
/// stderr, escaped: no ESC, BEL, CSI, bidi override or line break of theirs gets through, so
/// nothing can retitle the terminal or forge a line. JSON stays well-formed and exact.
#[cfg(unix)]
#[test]
fn hostile_names_are_escaped_in_every_output_for_people() {
    let hostile = "web\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}1m\u{202e}\nerror[fake]: forged";
    let file_name = "a\u{1b}]8;;http:x\u{7}b\nc.yaml";
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {}\nspec:\n  containers:\n    - name: c\n      image: nginx\n      securityContext: {{privileged: true}} # [31m \u{202e} comment\n",
        // U+009B is a control character the Kubernetes reader refuses written raw: escaped.
        serde_json::to_string(hostile).unwrap().replace('\u{9b}', "\\u009b")
    );
    let dir = repo(&[(file_name, &pod)]);
    mkfifo(&dir.path().join("f\u{1b}[1m\nifo.yaml"));
    let raw = |text: &str| {
        text.chars()
            .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}'))
    };
    for format in ["human", "concise"] {
        let out = k8sec(
            dir.path(),
            &[
                "lint",
                ".",
                "--select",
                "privileged-container,default-namespace",
                "--format",
                format,
            ],
        );
        let (text, err) = (stdout(&out), stderr(&out));
        assert_eq!(code(&out), 1, "{err}");
        assert!(!raw(&text) && !raw(&err), "{format}: {text:?} {err:?}");
        assert!(
            text.contains("a\\u{1b}]8;;http:x\\u{7}b\\u{a}c.yaml:9:"),
            "{format}: {text}"
        );
        assert!(
            text.contains("Pod `web\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}1m\\u{202e}\\u{a}error[fake]: forged`"),
            "{format}: {text}"
        );
        assert!(
            err.contains("k8sec: note: ./f\\u{1b}[1m\\u{a}ifo.yaml: not a regular file"),
            "{err}"
        );
        assert!(
            !text.lines().any(|l| l.starts_with("error[fake]")),
            "{text}"
        );
        if format == "concise" {
            assert_eq!(text.lines().count(), 2, "one line per finding: {text}");
        } else {
            assert!(text.contains("# [31m \\u{202e} comment"), "{text}");
        }
    }
    // A control character the Kubernetes reader refuses, shown in an invalid-yaml snippet.
    let refused = repo(&[("bad.yaml", "a: 1 # \u{1b}[31m \u{7}\n")]);
    let out = k8sec(refused.path(), &["lint", "."]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(!raw(&text) && !raw(&err), "{text:?} {err:?}");
    assert!(
        text.contains("invalid-yaml") && text.contains("a: 1 # \\u{1b}[31m \\u{7}"),
        "{text}"
    );
    for format in ["text", "dot", "mermaid"] {
        let out = k8sec(dir.path(), &["graph", ".", "--format", format]);
        let (text, err) = (stdout(&out), stderr(&out));
        assert!(
            !raw(&text) && !raw(&err),
            "graph {format}: {text:?} {err:?}"
        );
        assert!(text.contains("u{1b}]0;pwned"), "graph {format}: {text}");
    }
    let out = k8sec(
        dir.path(),
        &[
            "lint",
            ".",
            "--select",
            "privileged-container",
            "--format",
            "json",
        ],
    );
    let json = json(&out);
    assert_eq!(json["findings"][0]["object"]["name"], hostile);
    assert_eq!(json["findings"][0]["file"], file_name);
}

/// §6: a 4 MB line is not reprinted: the snippet shows a window around the finding.
#[test]
fn a_long_line_is_cut_to_a_window_around_the_finding() {
    let pod = PRIVILEGED.replace(
        "privileged: true\n",
        &format!("privileged: true # {}\n", "x".repeat(4 * 1024 * 1024)),
    );
    let dir = repo(&[("pod.yaml", &pod)]);
    let out = k8sec(
        dir.path(),
        &["lint", "pod.yaml", "--select", "privileged-container"],
    );
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(text.len() < 4096, "{} bytes", text.len());
    assert!(text.contains("pod.yaml:10:21"), "{text}");
    assert!(
        text.contains("10 │         privileged: true # xxx"),
        "{text}"
    );
    assert!(text.contains("xxx…\n"), "{text}");
}

/// §6: a diamond of Kustomize bases (2^20 paths) and a JSON patch that copies an object into
/// itself forty times end quickly, within the memory cap, with a note.
#[test]
fn exponential_kustomizations_end_quickly_with_a_note() {
    let mut files: Vec<(String, String)> = vec![
        ("kustomization.yaml".into(), "resources: [l0a]\n".into()),
        (
            "copy/cm.yaml".into(),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n".into(),
        ),
    ];
    let mut copies =
        String::from("resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |-\n");
    for i in 0..40 {
        copies.push_str(&format!(
            "    - {{op: copy, from: /data, path: /data/x{i}}}\n"
        ));
    }
    files.push(("copy/kustomization.yaml".into(), copies));
    for level in 0..=20 {
        for branch in ["a", "b"] {
            let body = if level == 20 {
                format!("resources: [../cm.yaml]\nnameSuffix: -{branch}\n")
            } else {
                format!(
                    "resources: [../l{}a, ../l{}b]\nnameSuffix: -{branch}\n",
                    level + 1,
                    level + 1
                )
            };
            files.push((format!("l{level}{branch}/kustomization.yaml"), body));
        }
    }
    files.push((
        "cm.yaml".into(),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = git_repo(&refs);
    let start = Instant::now();
    let out = run(dir.path(), &["lint", ".", "--format", "concise"], true, &[]);
    let err = stderr(&out);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    // The failed builds' files are linted as plain manifests: ConfigMaps, nothing to report.
    assert_eq!(code(&out), 0, "{err}");
    assert!(
        err.contains("the build reaches kustomizations more than 2000 times (bases that include the same bases over and over?): stopped"),
        "{err}"
    );
    assert!(
        err.contains("JSON patch `copy` at `/data/x17`: the object grows past 1000000 nodes (copies of itself?): stopped"),
        "{err}"
    );
}

/// Not a panic (exit 101) when stdout or stderr is a closed pipe (`k8sec lint | head`).
#[test]
fn closed_output_pipes_are_not_a_panic() {
    let dir = repo(&[("pod.yaml", PRIVILEGED)]);
    let exe = env!("CARGO_BIN_EXE_k8sec");
    let mut child = Command::new(exe)
        .args(["lint", ".", "--format", "concise", "-j", "1000"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both read ends are closed before k8sec writes a byte.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{status:?}");
}

const NUL_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\0\n";

/// §5: a file whose fixes would not converge is left unchanged, with the reason; `--diff` then
/// shows nothing for it. A NUL byte once cut the re-read short (so the same block was written
/// again and again); the Kubernetes reader refuses such a document, so now k8sec does too
/// (`invalid-yaml`, no object, no fix). A lone CR withholds the file's fixes.
#[test]
fn fixes_that_do_not_converge_write_nothing() {
    let lone_cr = PRIVILEGED.replace("kind: Pod\n", "kind: Pod\r");
    let dir = repo(&[("nul.yaml", NUL_POD), ("cr.yaml", &lone_cr)]);
    for mode in ["--fix", "--diff"] {
        let out = k8sec(
            dir.path(),
            &[
                "lint",
                "nul.yaml",
                "cr.yaml",
                mode,
                "--unsafe-fixes",
                "--format",
                "concise",
            ],
        );
        let err = stderr(&out);
        assert_eq!(code(&out), if mode == "--fix" { 1 } else { 0 }, "{err}");
        if mode == "--fix" {
            assert!(
                stdout(&out).contains("nul.yaml:8:24: error[invalid-yaml] invalid YAML: control characters are not allowed (U+0000)"),
                "{}",
                stdout(&out)
            );
        }
        assert!(!err.contains("nul.yaml: fixes"), "{err}");
        assert!(
            err.contains("k8sec: warning: cr.yaml: fixes were withheld: a line of the file ends in a lone CR (\\r)"),
            "{err}"
        );
        if mode == "--diff" {
            assert_eq!(stdout(&out), "");
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("nul.yaml")).unwrap(),
            NUL_POD
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("cr.yaml")).unwrap(),
            lone_cr
        );
    }
}

/// §5: `--diff` of a CRLF file is a patch `patch -p1` and `git apply` both accept, giving
/// exactly what `--fix` writes.
#[test]
fn diffs_of_crlf_files_apply_with_patch_and_git() {
    let crlf = PRIVILEGED.replace('\n', "\r\n");
    let fixed_dir = repo(&[("pod.yaml", &crlf)]);
    let out = k8sec(
        fixed_dir.path(),
        &["lint", "pod.yaml", "--fix", "--unsafe-fixes"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let fixed = std::fs::read(fixed_dir.path().join("pod.yaml")).unwrap();
    assert_ne!(fixed, crlf.as_bytes());
    let out = k8sec(fixed_dir.path(), &["lint", "pod.yaml", "--diff"]);
    assert_eq!(stdout(&out), "", "--fix converged");
    for tool in [
        &["patch", "-p1", "--binary", "-i"][..],
        &["git", "apply", "--unsafe-paths"],
    ] {
        let dir = repo(&[("pod.yaml", &crlf)]);
        let out = k8sec(
            dir.path(),
            &["lint", "pod.yaml", "--diff", "--unsafe-fixes"],
        );
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let diff = dir.path().join("fix.diff");
        std::fs::write(&diff, &out.stdout).unwrap();
        let Ok(status) = Command::new(tool[0])
            .args(&tool[1..])
            .arg(&diff)
            .current_dir(dir.path())
            .status()
        else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "{} is missing",
                tool[0]
            );
            eprintln!("skipped: no {}", tool[0]);
            continue;
        };
        assert!(status.success(), "{} rejected:\n{}", tool[0], stdout(&out));
        assert_eq!(
            std::fs::read(dir.path().join("pod.yaml")).unwrap(),
            fixed,
            "{}",
            tool[0]
        );
    }
}
