//! The files of a chart that mapping reads: its templates (and its unpacked subcharts'), once,
//! and what they say about the output's stability.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::template::{contains_word, Template};
use crate::source::normalize;

/// Largest template read (a template is text a person writes; anything larger is not mapped).
const MAX_TEMPLATE: u64 = 2 * 1024 * 1024;
/// Most files read from one chart.
const MAX_FILES: usize = 5_000;

/// Functions whose output differs from one `helm template` to the next.
const UNSTABLE: [&str; 16] = [
    "randAlphaNum",
    "randAlpha",
    "randNumeric",
    "randAscii",
    "randInt",
    "randBytes",
    "uuidv4",
    "now",
    "shuffle",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
];

/// The text of every file under `chart/templates` and `chart/charts/*/templates` (unpacked
/// subcharts), by normalised path. Symlinks are not followed; unreadable, non-UTF-8 and
/// oversized files are left out (their findings stay on the rendered output).
pub fn read_templates(chart: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![chart.join("templates")];
    if let Ok(entries) = std::fs::read_dir(chart.join("charts")) {
        let mut subcharts: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path().join("templates"))
            .collect();
        subcharts.sort();
        dirs.extend(subcharts);
    }
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if out.len() >= MAX_FILES {
                return out;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() && entry.metadata().is_ok_and(|m| m.len() <= MAX_TEMPLATE) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.insert(normalize(&path), text);
                }
            }
        }
    }
    out
}

/// A note when the chart's templates call functions whose output changes from run to run:
/// which ones, and where (up to three places).
pub fn unstable_output(chart: &Path, templates: &BTreeMap<PathBuf, String>) -> Option<String> {
    let mut places = Vec::new();
    for (path, text) in templates {
        let template = Template::parse(text.clone());
        for action in &template.actions {
            for word in UNSTABLE {
                if contains_word(&action.body, word) {
                    let line = text[..action.range.start].matches('\n').count() + 1;
                    let shown = path.strip_prefix(normalize(chart)).unwrap_or(path);
                    places.push(format!("`{word}` in {}:{line}", shown.display()));
                }
            }
        }
    }
    if places.is_empty() {
        return None;
    }
    let more = places.len().saturating_sub(3);
    places.truncate(3);
    let mut list = places.join(", ");
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    Some(format!(
        "the chart's output changes from run to run ({list}): findings on what those print may differ between runs and against a baseline"
    ))
}
