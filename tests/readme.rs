//! The README's examples and numbers are what k8sec prints: every example in it is checked
//! against a real run on `testdata/example`, and its lists of checks against the checks' docs.
//!
//! - A fenced block whose first line is `$ k8sec <args>` shows a whole run: its stdout and
//!   stderr (colorless) must be exactly the rest of the block.
//! - A fenced block right after a `<!-- excerpt: k8sec <args> -->` comment shows part of a
//!   run: a JSON block's findings, summary, graph nodes and edges must be in the real output
//!   (the summary equal to it), a text block must appear in it verbatim.
//! - The table of fixes names each check under its fix availability, and the list of checks
//!   that are off by default is exactly the checks whose doc says `enabled = false`.
//!
//! A mismatch fails with a diff of what the README shows against what k8sec prints.

mod common;

use common::{k8sec, manifest_dir, stderr, stdout};
use k8sec::docs::{FixAvailability, DOCS};

fn readme() -> String {
    std::fs::read_to_string(manifest_dir().join("README.md")).unwrap()
}

/// Every fenced block: (the line before its opening fence, its info string, its body).
fn blocks(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    let mut previous = String::new();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            for inner in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            out.push((previous.clone(), info.to_string(), body));
            previous.clear();
        } else {
            previous = line.to_string();
        }
    }
    out
}

/// The output of `k8sec <args>` run at the crate's root: stdout then stderr.
fn run(args: &str) -> String {
    let args: Vec<&str> = args.split_whitespace().collect();
    let out = k8sec(manifest_dir(), &args);
    format!("{}{}", stdout(&out), stderr(&out))
}

/// A readable failure: what the README shows against what k8sec prints.
fn mismatch(what: &str, shown: &str, printed: &str) -> String {
    format!(
        "README: {what} differs from what k8sec prints (- README, + k8sec):\n{}",
        k8sec::fix::unified_diff("README.md", shown, printed)
    )
}

#[test]
fn every_command_block_shows_what_k8sec_prints() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (_, _, body) in blocks(&readme()) {
        let Some((command, shown)) = body
            .strip_prefix("$ k8sec ")
            .and_then(|rest| rest.split_once('\n'))
        else {
            continue;
        };
        checked += 1;
        let printed = run(command);
        if printed != shown {
            failures.push(mismatch(&format!("`k8sec {command}`"), shown, &printed));
        }
    }
    assert!(checked >= 5, "only {checked} command blocks");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether every entry of the README's `shown` array is in `printed` (JSON objects compared
/// whole).
fn all_in(shown: &serde_json::Value, printed: &serde_json::Value) -> Vec<String> {
    let printed = printed.as_array().cloned().unwrap_or_default();
    shown
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| !printed.contains(entry))
        .map(|entry| serde_json::to_string_pretty(entry).unwrap())
        .collect()
}

#[test]
fn every_excerpt_is_part_of_what_k8sec_prints() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (before, info, shown) in blocks(&readme()) {
        let Some(command) = before
            .trim()
            .strip_prefix("<!-- excerpt: k8sec ")
            .and_then(|c| c.strip_suffix(" -->"))
        else {
            continue;
        };
        checked += 1;
        let printed = run(command);
        if info != "json" {
            if !printed.contains(&shown) {
                failures.push(mismatch(
                    &format!("the excerpt of `k8sec {command}`"),
                    &shown,
                    &printed,
                ));
            }
            continue;
        }
        let shown: serde_json::Value = serde_json::from_str(&shown).unwrap_or_else(|e| {
            panic!("README: the excerpt of `k8sec {command}` is not JSON: {e}")
        });
        let printed: serde_json::Value = serde_json::from_str(&printed)
            .unwrap_or_else(|e| panic!("`k8sec {command}` printed no JSON: {e}"));
        let mut missing = all_in(&shown["findings"], &printed["findings"]);
        if shown.get("summary").is_some() && shown["summary"] != printed["summary"] {
            missing.push(format!(
                "summary {} (k8sec prints {})",
                shown["summary"], printed["summary"]
            ));
        }
        for (index, unit) in shown["units"].as_array().into_iter().flatten().enumerate() {
            let real = &printed["units"][index];
            missing.extend(all_in(&unit["nodes"], &real["nodes"]));
            missing.extend(all_in(&unit["edges"], &real["edges"]));
        }
        if shown["version"] != printed["version"] {
            missing.push(format!("version {}", shown["version"]));
        }
        if !missing.is_empty() {
            failures.push(format!(
                "README: the excerpt of `k8sec {command}` shows what k8sec does not print:\n{}",
                missing.join("\n")
            ));
        }
    }
    assert!(checked >= 3, "only {checked} excerpts");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The backticked check ids of a text.
fn ids(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|id| k8sec::docs::doc(id).is_some())
        .collect()
}

#[test]
fn the_fix_table_names_each_check_under_its_fix() {
    let readme = readme();
    let mut failures = Vec::new();
    let mut listed = Vec::new();
    for line in readme.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let level = match cells.get(1) {
            Some(&"safe") => FixAvailability::Safe,
            Some(&"unsafe") => FixAvailability::Unsafe,
            Some(&"display-only") => FixAvailability::DisplayOnly,
            _ => continue,
        };
        let Some(checks) = cells.get(2).filter(|c| c.contains('`')) else {
            continue;
        };
        for id in ids(checks) {
            listed.push(id);
            let doc = k8sec::docs::doc(id).unwrap();
            if doc.fix != level {
                failures.push(format!(
                    "`{id}` is listed as {}, its doc says `fix = \"{}\"`",
                    level.as_str(),
                    doc.fix.as_str()
                ));
            }
        }
    }
    for doc in DOCS.iter().filter(|d| d.fix != FixAvailability::None) {
        if !listed.contains(&doc.id) {
            failures.push(format!(
                "`{}` fixes what it finds but is not in the table",
                doc.id
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "README fix table:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_list_of_checks_off_by_default_is_the_docs() {
    let readme = readme();
    let start = readme
        .find("<!-- off-by-default -->")
        .expect("README: the list of checks off by default, after `<!-- off-by-default -->`");
    let list = &readme[start..];
    let list = &list[..list.find("\n\n").unwrap_or(list.len())];
    let mut shown: Vec<&str> = ids(list);
    shown.sort_unstable();
    let mut off: Vec<&str> = DOCS.iter().filter(|d| !d.enabled).map(|d| d.id).collect();
    off.sort_unstable();
    assert_eq!(shown, off, "README: the checks off by default");
}
