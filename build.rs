//! Embeds `checks/*.toml` (each check's metadata and documentation) into the binary.
//!
//! The files are parsed and validated here, at build time, and turned into a static table, so
//! a malformed doc is a build error, not a runtime panic, and `k8sec` never parses them again.

use std::fmt::Write as _;
use std::path::Path;

const REQUIRED: &[&str] = &[
    "id",
    "summary",
    "severity",
    "category",
    "pss",
    "enabled",
    "fix",
    "what",
    "why",
    "remediation",
    "references",
    "example",
];
const OPTIONAL: &[&str] = &["fix_safety", "fix_reason", "params", "since"];

fn main() {
    println!("cargo:rerun-if-changed=checks");
    let mut entries: Vec<_> = std::fs::read_dir("checks")
        .expect("checks/ directory")
        .map(|e| e.expect("readable checks/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    let mut out = String::from("pub static DOCS: &[CheckDoc] = &[\n");
    for path in &entries {
        out.push_str(&render(path));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("check_docs.rs");
    std::fs::write(dest, out).expect("write check_docs.rs");
}

fn fail(path: &Path, message: &str) -> ! {
    panic!("{}: {message}", path.display())
}

fn render(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable check doc");
    let doc: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e: toml::de::Error| fail(path, &e.to_string()));
    for key in doc.keys() {
        if !REQUIRED.contains(&key.as_str()) && !OPTIONAL.contains(&key.as_str()) {
            fail(path, &format!("unknown key `{key}`"));
        }
    }
    for key in REQUIRED {
        if !doc.contains_key(*key) {
            fail(path, &format!("missing key `{key}`"));
        }
    }
    let s = |key: &str| -> String {
        match doc.get(key) {
            Some(toml::Value::String(v)) => v.trim().to_string(),
            None => String::new(),
            Some(_) => fail(path, &format!("`{key}` must be a string")),
        }
    };
    let id = s("id");
    if path.file_stem().and_then(|s| s.to_str()) != Some(id.as_str()) {
        fail(path, "file name must be `<id>.toml`");
    }
    let severity = match s("severity").as_str() {
        "error" => "Error",
        "warning" => "Warning",
        "info" => "Info",
        other => fail(path, &format!("bad severity `{other}`")),
    };
    let pss = match s("pss").as_str() {
        "none" => "None",
        "baseline" => "Baseline",
        "restricted" => "Restricted",
        other => fail(path, &format!("bad pss `{other}`")),
    };
    let fix = match s("fix").as_str() {
        "none" => "None",
        "safe" => "Safe",
        "unsafe" => "Unsafe",
        "display-only" => "DisplayOnly",
        other => fail(path, &format!("bad fix `{other}`")),
    };
    if fix != "None" && s("fix_safety").is_empty() {
        fail(path, "a fixable check needs `fix_safety`");
    }
    let fix_reason = s("fix_reason");
    if matches!(fix, "Unsafe" | "DisplayOnly") && fix_reason.is_empty() {
        fail(
            path,
            "an unsafe or display-only fix needs `fix_reason` (why, in one line)",
        );
    }
    if fix_reason.contains('\n') || fix_reason.ends_with('.') {
        fail(path, "`fix_reason` is one line without a final period");
    }
    let enabled = doc
        .get("enabled")
        .and_then(|v| v.as_bool())
        .unwrap_or_else(|| fail(path, "`enabled` must be a boolean"));
    let remediation = s("remediation");
    if !remediation.ends_with('.') {
        fail(path, "`remediation` must end with a period");
    }
    let mut references = String::new();
    match doc.get("references") {
        Some(toml::Value::Array(items)) if !items.is_empty() => {
            for item in items {
                let (Some(title), Some(url)) = (
                    item.get("title").and_then(|v| v.as_str()),
                    item.get("url").and_then(|v| v.as_str()),
                ) else {
                    fail(path, "each reference needs `title` and `url`")
                };
                write!(
                    references,
                    "Reference {{ title: {title:?}, url: {url:?} }}, "
                )
                .unwrap();
            }
        }
        _ => fail(
            path,
            "`references` must be a non-empty array of {title, url}",
        ),
    }
    let example = doc.get("example").and_then(|v| v.as_table());
    let example_text = |key: &str| -> String {
        example
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| fail(path, &format!("`example.{key}` must be a string")))
    };
    let (bad, good) = (example_text("bad"), example_text("good"));
    let mut params = String::new();
    if let Some(table) = doc.get("params") {
        let table = table
            .as_table()
            .unwrap_or_else(|| fail(path, "`params` must be a table"));
        for (name, description) in table {
            let description = description
                .as_str()
                .unwrap_or_else(|| fail(path, "each param needs a description string"));
            write!(params, "({name:?}, {description:?}), ").unwrap();
        }
    }
    format!(
        "    CheckDoc {{ id: {id:?}, summary: {summary:?}, severity: Severity::{severity}, \
         category: {category:?}, pss: Pss::{pss}, enabled: {enabled}, \
         fix: FixAvailability::{fix}, what: {what:?}, why: {why:?}, \
         remediation: {remediation:?}, fix_safety: {fix_safety:?}, fix_reason: {fix_reason:?}, \
         references: &[{references}], params: &[{params}], \
         example_bad: {bad:?}, example_good: {good:?} }},\n",
        summary = s("summary"),
        category = s("category"),
        what = s("what"),
        why = s("why"),
        fix_safety = s("fix_safety"),
    )
}
