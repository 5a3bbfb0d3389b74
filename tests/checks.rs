//! The per-check fixture harness and the meta-tests that keep checks, docs and fixtures in step.
//!
//! Fixtures live in `testdata/checks/<id>/`. Each file is linted alone with only `<id>`
//! selected (and the directory's `.k8sec.toml`, if any, for parameters). Expected findings are
//! written inline as `# expect: <id>@<column>` comments on the line the finding starts on
//! (several separated by `,`), or, for files that cannot hold comments (JSON), in a sidecar
//! `<file>.expect` with lines `<line>:<column> <id>`. The findings must match exactly.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use k8sec::checks::CHECKS;
use k8sec::config::{Config, Overrides};
use k8sec::diagnostic::Applicability;
use k8sec::docs::{FixAvailability, DOCS};
use k8sec::fix::{apply_fixes, FixMode};
use k8sec::fix_workspace;
use k8sec::source::WalkOptions;
use k8sec::Inputs;

type Expected = BTreeSet<(u32, u32, String)>;

/// The checks under test: all, or those named in `K8SEC_CHECKS` (comma-separated), to work
/// on a few checks at a time.
fn checks_under_test() -> Vec<&'static str> {
    let only = std::env::var("K8SEC_CHECKS").unwrap_or_default();
    let only: Vec<&str> = only
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    CHECKS
        .iter()
        .map(|c| c.id)
        .filter(|id| only.is_empty() || only.contains(id))
        .collect()
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/checks")
}

fn config_for(dir: &Path, id: &str) -> Config {
    let overrides = Overrides {
        select: Some(vec![id.to_string()]),
        ..Overrides::default()
    };
    let file = dir.join(".k8sec.toml");
    Config::load(file.is_file().then_some(file.as_path()), &overrides)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// (line, column, id) of every finding of `config`'s checks in the file at `path`.
fn actual(path: &Path, config: &Config) -> Expected {
    let ws = k8sec::load(
        &Inputs {
            paths: vec![path.to_path_buf()],
            stdin: None,
            ..Default::default()
        },
        &WalkOptions::default(),
    );
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    let result = k8sec::lint(&ws, config);
    result
        .findings
        .iter()
        .map(|f| {
            let file = ws.sources.get(f.span.file);
            let lc = file.line_index.line_col(&file.text, f.span.range.start);
            (lc.line, lc.column, f.check.to_string())
        })
        .collect()
}

fn expected(path: &Path) -> Expected {
    let mut out = Expected::new();
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    if sidecar.is_file() {
        for line in std::fs::read_to_string(&sidecar).unwrap().lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (pos, id) = line.split_once(' ').expect("`<line>:<col> <id>`");
            let (l, c) = pos.split_once(':').expect("`<line>:<col>`");
            out.insert((
                l.parse().unwrap(),
                c.parse().unwrap(),
                id.trim().to_string(),
            ));
        }
        return out;
    }
    let text = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&text);
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("# expect:") else {
            continue;
        };
        for item in line[at + "# expect:".len()..].split(',') {
            let (id, col) = item.trim().split_once('@').unwrap_or_else(|| {
                panic!(
                    "{}:{}: write `# expect: <id>@<column>`",
                    path.display(),
                    i + 1
                )
            });
            out.insert((
                i as u32 + 1,
                col.trim().parse().unwrap(),
                id.trim().to_string(),
            ));
        }
    }
    out
}

/// The fixture directory of check `id` and its subdirectories (one level), each with the
/// configuration its own `.k8sec.toml` gives, so a parameter can be tested both ways.
fn fixture_dirs(id: &str) -> Vec<(PathBuf, Config)> {
    let root = fixtures_root().join(id);
    let mut dirs = vec![root.clone()];
    if let Ok(entries) = std::fs::read_dir(&root) {
        let mut subdirs: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        dirs.extend(subdirs);
    }
    dirs.into_iter()
        .map(|dir| {
            let config = config_for(&dir, id);
            (dir, config)
        })
        .collect()
}

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new(); // reported by every_check_has_fixtures_that_fire_and_that_stay_quiet
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_produce_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for id in checks_under_test() {
        for (dir, config) in fixture_dirs(id) {
            for file in fixture_files(&dir) {
                let want = expected(&file);
                let got = actual(&file, &config);
                if want != got {
                    let missing: Vec<_> = want.difference(&got).collect();
                    let extra: Vec<_> = got.difference(&want).collect();
                    failures.push(format!(
                        "{}:\n  missing {missing:?}\n  unexpected {extra:?}",
                        file.strip_prefix(fixtures_root()).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_check_has_fixtures_that_fire_and_that_stay_quiet() {
    let mut problems = Vec::new();
    for id in checks_under_test() {
        let dir = fixtures_root().join(id);
        if !dir.is_dir() {
            problems.push(format!("{id}: no fixture directory"));
            continue;
        }
        let files: Vec<PathBuf> = fixture_dirs(id)
            .iter()
            .flat_map(|(dir, _)| fixture_files(dir))
            .collect();
        let firing = files.iter().filter(|f| !expected(f).is_empty()).count();
        let quiet = files.len() - firing;
        if firing == 0 {
            problems.push(format!("{id}: no fixture that fires"));
        }
        if quiet == 0 {
            problems.push(format!("{id}: no fixture that stays quiet"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn checks_and_docs_match_one_to_one() {
    let code: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
    let docs: Vec<&str> = DOCS.iter().map(|d| d.id).collect();
    assert_eq!(code, docs, "CHECKS and checks/*.toml differ");
    let mut sorted = code.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        code, sorted,
        "CHECKS must be sorted by id, without duplicates"
    );
    for id in &code {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id}: ids are kebab-case"
        );
        // The annotation name after `ignore-check.k8sec.io/` is limited to 63 characters.
        assert!(id.len() <= 63, "{id}: too long for an annotation name");
    }
}

#[test]
fn checks_with_parameters_document_them() {
    for check in CHECKS {
        let doc = k8sec::docs::doc(check.id).expect("a doc");
        assert_eq!(
            check.has_params(),
            !doc.params.is_empty(),
            "{}: the registry reads [checks.{}] exactly when the doc has a [params] table",
            check.id,
            check.id
        );
    }
}

#[test]
fn doc_examples_fire_and_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for doc in DOCS.iter().filter(|d| checks_under_test().contains(&d.id)) {
        let config = config_for(Path::new("/nonexistent"), doc.id);
        for (name, text, should_fire) in [
            ("bad", doc.example_bad, true),
            ("good", doc.example_good, false),
        ] {
            let path = dir.path().join(format!("{}-{name}.yaml", doc.id));
            std::fs::write(&path, text).unwrap();
            let fired = actual(&path, &config).iter().any(|(_, _, id)| id == doc.id);
            if fired != should_fire {
                problems.push(format!(
                    "{}: the {name} example {}",
                    doc.id,
                    if should_fire {
                        "does not fire"
                    } else {
                        "fires"
                    }
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn messages_follow_the_house_style() {
    // Lowercase first letter (unless it starts with an identifier in backticks or a kind),
    // no final period: checked on every finding the fixtures produce.
    let mut problems = Vec::new();
    for id in checks_under_test() {
        for (file, config) in fixture_dirs(id).into_iter().flat_map(|(dir, config)| {
            fixture_files(&dir)
                .into_iter()
                .map(move |f| (f, config.clone()))
        }) {
            let ws = k8sec::load(
                &Inputs {
                    paths: vec![file.clone()],
                    stdin: None,
                    ..Default::default()
                },
                &WalkOptions::default(),
            );
            for f in k8sec::lint(&ws, &config).findings {
                if f.message.ends_with('.') {
                    problems.push(format!("{}: ends with a period: {}", f.check, f.message));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The fix availability a finding's fix stands for.
fn availability(applicability: Applicability) -> FixAvailability {
    match applicability {
        Applicability::Safe => FixAvailability::Safe,
        Applicability::Unsafe => FixAvailability::Unsafe,
        Applicability::DisplayOnly => FixAvailability::DisplayOnly,
    }
}

/// Kind, namespace and name of every object of `ws`, in order.
fn identities(ws: &k8sec::Workspace) -> Vec<(String, Option<String>, String)> {
    ws.resources()
        .map(|r| (r.kind.clone(), r.namespace.clone(), r.name.clone()))
        .collect()
}

/// For every check, on its fixtures: the fixes its findings carry agree with its doc's `fix`
/// (`none`: never a fix; otherwise the doc names the safest fix the check offers: every fix is
/// that safe or less, at least one finding of the fixtures carries one that safe, and a fix less
/// safe than `safe` says why in `fix.reason`). Every display-only suggestion, applied alone,
/// still gives a file that parses with the same objects. Applying every applicable fix
/// (`--unsafe-fixes`) converges without a warning, the file still parses with the same
/// objects, none of the check's findings with an applicable fix is left, and fixing again
/// changes nothing.
#[test]
fn fixes_agree_with_the_docs_and_resolve_their_findings() {
    let all = FixMode { unsafe_fixes: true };
    let applies = |f: &&k8sec::diagnostic::Finding| {
        f.fix
            .as_ref()
            .is_some_and(|fix| fix.applicability >= Applicability::Unsafe)
    };
    let mut problems = Vec::new();
    for id in checks_under_test() {
        let declared = k8sec::docs::doc(id).expect("a doc").fix;
        let mut as_declared = 0;
        for (dir, config) in fixture_dirs(id) {
            for file in fixture_files(&dir) {
                let name = file.strip_prefix(fixtures_root()).unwrap().display();
                let ws = k8sec::load(
                    &Inputs {
                        paths: vec![file.clone()],
                        stdin: None,
                        ..Default::default()
                    },
                    &WalkOptions::default(),
                );
                let result = k8sec::lint(&ws, &config);
                let ours: Vec<_> = result.findings.iter().filter(|f| f.check == id).collect();
                for fix in ours.iter().filter_map(|f| f.fix.as_ref()) {
                    let found = availability(fix.applicability);
                    if found == declared {
                        as_declared += 1;
                    }
                    if declared == FixAvailability::None || rank(found) > rank(declared) {
                        problems.push(format!(
                            "{name}: a fix marked `{}`, but the doc says `fix = \"{}\"`",
                            fix.applicability.as_str(),
                            declared.as_str()
                        ));
                    }
                    if fix.applicability != Applicability::Safe && fix.reason.is_none() {
                        problems.push(format!(
                            "{name}: the {} fix `{}` does not say why",
                            fix.applicability.as_str(),
                            fix.description
                        ));
                    }
                    if fix.applicability == Applicability::DisplayOnly {
                        check_suggestion(&ws, fix, &name.to_string(), &mut problems);
                    }
                }
                if !ours.iter().any(applies) {
                    continue;
                }
                let left_without = ours.iter().filter(|f| !applies(f)).count();
                let fixed = fix_workspace(&ws, &result, &config, all);
                if !fixed.iter().any(|f| f.applied > 0) {
                    problems.push(format!("{name}: no fix was applied"));
                }
                for file_fix in &fixed {
                    for warning in &file_fix.warnings {
                        problems.push(format!("{name}: {warning}"));
                    }
                    let source = ws.sources.get(file_fix.file);
                    let before = k8sec::load_source(
                        source.path.clone(),
                        source.text.clone(),
                        source.origin.clone(),
                    );
                    let after = k8sec::load_source(
                        source.path.clone(),
                        file_fix.text.clone(),
                        source.origin.clone(),
                    );
                    if !after.parse_errors.is_empty() {
                        problems.push(format!("{name}: no longer parses once fixed"));
                        continue;
                    }
                    if identities(&after) != identities(&before) {
                        problems.push(format!("{name}: its objects changed once fixed"));
                    }
                    let left = k8sec::lint(&after, &config);
                    let still: Vec<_> = left.findings.iter().filter(|f| f.check == id).collect();
                    if still.iter().any(applies) || still.len() > left_without {
                        problems.push(format!(
                            "{name}: findings left once fixed: {:?}",
                            still.iter().map(|f| &f.message).collect::<Vec<_>>()
                        ));
                    }
                    if !fix_workspace(&after, &left, &config, all).is_empty() {
                        problems.push(format!("{name}: fixing again changes it"));
                    }
                }
            }
        }
        if declared != FixAvailability::None && as_declared == 0 {
            problems.push(format!(
                "{id}: the doc says `fix = \"{}\"`, but no fixture finding carries such a fix",
                declared.as_str()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// How safe a fix availability is: display-only < unsafe < safe.
fn rank(availability: FixAvailability) -> u8 {
    match availability {
        FixAvailability::None => 0,
        FixAvailability::DisplayOnly => 1,
        FixAvailability::Unsafe => 2,
        FixAvailability::Safe => 3,
    }
}

/// A display-only suggestion, applied alone, gives a file that parses with the same objects.
fn check_suggestion(
    ws: &k8sec::Workspace,
    fix: &k8sec::diagnostic::Fix,
    name: &str,
    problems: &mut Vec<String>,
) {
    let Some(file_id) = fix.file() else {
        problems.push(format!("{name}: a fix across files"));
        return;
    };
    let source = ws.sources.get(file_id);
    let applied = apply_fixes(&source.text, file_id, [fix]);
    let after = k8sec::load_source(source.path.clone(), applied.text, source.origin.clone());
    let before = k8sec::load_source(
        source.path.clone(),
        source.text.clone(),
        source.origin.clone(),
    );
    if applied.applied != 1
        || !after.parse_errors.is_empty()
        || identities(&after) != identities(&before)
    {
        problems.push(format!(
            "{name}: the suggestion `{}` breaks the file",
            fix.description
        ));
    }
}
