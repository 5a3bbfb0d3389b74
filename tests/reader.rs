//! Reader fidelity: k8sec reads every YAML file as `kubectl` does.
//!
//! The reference is the Kubernetes reader itself, out of process: tools/yaml-oracle (Go:
//! apimachinery's document splitting, then sigs.k8s.io/yaml over gopkg.in/yaml.v2), built by
//! `.ci/run` and named by `K8SEC_YAML_ORACLE`. Each file is read by both, document by document,
//! and the outcome classified (see `reader/compare.rs`): the same objects; kubectl reads what
//! k8sec refuses (the goal is none); k8sec reads what kubectl refuses (each case says why that
//! is fine); both read it differently. Inputs: the real-world corpus, the leniency and evasion
//! cases of `reader/cases.rs`, the YAML test suite's inputs, and deterministic mutants of them
//! (`K8SEC_MUTANTS`/`K8SEC_MUTANT_SEED` for a longer run: scripts/reader-mutants.sh).

#[path = "reader/cases.rs"]
mod cases;
mod common;
#[path = "reader/compare.rs"]
mod compare;
#[path = "reader/mutate.rs"]
mod mutate;
#[path = "reader/oracle.rs"]
mod oracle;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compare::{compare, k8sec_read, Outcome};

/// Files under `root` whose name ends with one of `suffixes`, sorted.
fn files_under(root: &Path, suffixes: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, suffixes, out);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
        {
            out.push(path);
        }
    }
}

/// Reads each (name, bytes) with both readers and classifies the outcome.
fn differential(oracle: &Path, inputs: &[(String, Vec<u8>)]) -> Vec<(String, Outcome)> {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = inputs
        .iter()
        .enumerate()
        .map(|(i, (_, bytes))| {
            let path = dir.path().join(format!("{i}.yaml"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let theirs = oracle::read(oracle, &paths);
    inputs
        .iter()
        .zip(&theirs)
        .map(|((name, bytes), their)| (name.clone(), compare(their, &k8sec_read(bytes))))
        .collect()
}

fn counts(outcomes: &[(String, Outcome)]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for (_, outcome) in outcomes {
        *counts.entry(outcome.class()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn corpus_reads_as_kubectl_reads() {
    let Some(oracle) = oracle::oracle_or_skip("corpus_reads_as_kubectl_reads") else {
        return;
    };
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut files = Vec::new();
    files_under(&corpus, &[".yaml", ".yml", ".json"], &mut files);
    assert!(
        files.len() >= 800,
        "expected the corpus, found {}",
        files.len()
    );
    let inputs: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            let name = f.strip_prefix(&corpus).unwrap().display().to_string();
            (name, std::fs::read(f).unwrap())
        })
        .collect();
    let outcomes = differential(&oracle, &inputs);
    let rejected = outcomes
        .iter()
        .filter(|(name, _)| {
            let bytes = &inputs.iter().find(|(n, _)| n == name).unwrap().1;
            k8sec_read(bytes).error.is_some()
        })
        .count();
    eprintln!(
        "corpus: {} files, {:?} ({rejected} refused by both)",
        files.len(),
        counts(&outcomes)
    );
    let differing: Vec<&(String, Outcome)> = outcomes
        .iter()
        .filter(|(_, o)| *o != Outcome::Same)
        .collect();
    assert!(differing.is_empty(), "{differing:#?}");
}

#[test]
fn leniency_and_evasion_cases_read_as_kubectl_reads() {
    let Some(oracle) = oracle::oracle_or_skip("leniency_and_evasion_cases_read_as_kubectl_reads")
    else {
        return;
    };
    let inputs: Vec<(String, Vec<u8>)> = cases::CASES
        .iter()
        .map(|c| (c.name.to_string(), c.text.to_vec()))
        .collect();
    let outcomes = differential(&oracle, &inputs);
    eprintln!("cases: {} files, {:?}", inputs.len(), counts(&outcomes));
    let mut wrong = Vec::new();
    for (case, (_, outcome)) in cases::CASES.iter().zip(&outcomes) {
        let (expected, why) = case.expect.class();
        if outcome.class() != expected {
            wrong.push(format!(
                "{}: expected {expected}, got {outcome:?}",
                case.name
            ));
        } else if expected != "same" {
            eprintln!("  {}: {expected}: {why}", case.name);
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// YAML test suite inputs that kubectl reads and k8sec refuses, with the reason. Invalid YAML
/// all (the spec refuses them too); what go-yaml makes of them is no manifest's business.
const SUITE_KUBECTL_ONLY: &[(&str, &str)] = &[];

#[test]
fn yaml_test_suite_inputs_read_as_kubectl_reads() {
    let Some(oracle) = oracle::oracle_or_skip("yaml_test_suite_inputs_read_as_kubectl_reads")
    else {
        return;
    };
    let root = common::manifest_dir().join("../shared/yaml-test-suite");
    let mut files = Vec::new();
    files_under(&root, &["in.yaml"], &mut files);
    if files.is_empty() {
        eprintln!("skipped: no YAML test suite at {}", root.display());
        return;
    }
    let inputs: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            let name = f.parent().unwrap().strip_prefix(&root).unwrap();
            (name.display().to_string(), std::fs::read(f).unwrap())
        })
        .collect();
    let outcomes = differential(&oracle, &inputs);
    eprintln!(
        "YAML test suite inputs: {} files, {:?}",
        inputs.len(),
        counts(&outcomes)
    );
    for (name, outcome) in &outcomes {
        if *outcome != Outcome::Same {
            eprintln!("  {name}: {outcome:?}");
        }
    }
    let kubectl_only: Vec<&str> = outcomes
        .iter()
        .filter(|(_, o)| o.class() == "kubectl-only-accepts")
        .map(|(n, _)| n.as_str())
        .collect();
    let listed: Vec<&str> = SUITE_KUBECTL_ONLY.iter().map(|(n, _)| *n).collect();
    assert_eq!(kubectl_only, listed);
}

/// How many mutants the bounded run in `cargo test` reads (`K8SEC_MUTANTS` overrides).
const MUTANTS: usize = 1500;

/// Whether a mutant outcome is one the reader accepts: k8sec reads every Kubernetes object
/// kubectl reads, with the same data — it may report text kubectl skips, read documents
/// kubectl skips or files kubectl refuses (k8sec lints what never applies, never less), or
/// differ on documents that are not objects (bare strings kubectl cannot apply); a string may
/// differ only because of a U+2028/U+2029 inside it (`cases::LS_IN_SCALAR`). A file both
/// refuse is fine unless kubectl read an object before its error that k8sec did not.
fn acceptable(outcome: &Outcome, bytes: &[u8]) -> bool {
    let separators = ["\u{2028}", "\u{2029}"];
    match outcome {
        Outcome::Same
        | Outcome::K8secFlagsIgnoredText(_)
        | Outcome::K8secReadsMore(_)
        | Outcome::K8secOnlyAccepts(_)
        | Outcome::KubectlOnlyAcceptsNoObject(_)
        | Outcome::NonObjectDiffers(_) => true,
        Outcome::BothRejectElsewhere(why) => !why.starts_with("kubectl reads the document"),
        Outcome::DataDiffers(_) => {
            let text = String::from_utf8_lossy(bytes);
            separators.iter().any(|s| text.contains(s))
        }
        Outcome::KubectlOnlyAccepts(_) => false,
    }
}

/// The differential mutation run: deterministic mutants of the cases and of small corpus files
/// (`reader/mutate.rs`), read by both readers. Every mutant must have an acceptable outcome;
/// a new kind of divergence a longer run finds (scripts/reader-mutants.sh) becomes a case in
/// `reader/cases.rs`.
#[test]
fn mutants_read_as_kubectl_reads() {
    let Some(oracle) = oracle::oracle_or_skip("mutants_read_as_kubectl_reads") else {
        return;
    };
    let count = env_number("K8SEC_MUTANTS").unwrap_or(MUTANTS as u64) as usize;
    let seed = env_number("K8SEC_MUTANT_SEED").unwrap_or(9);
    let seeds = mutant_seeds();
    let mut rng = mutate::Rng::new(seed);
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut batch = Vec::new();
    for i in 0..count {
        let source = &seeds[rng.below(seeds.len())];
        batch.push((
            format!("mutant {i} (seed {seed})"),
            mutate::mutate(source, &mut rng),
        ));
        if batch.len() == 500 || i + 1 == count {
            let outcomes = differential(&oracle, &batch);
            for ((name, outcome), (_, bytes)) in outcomes.into_iter().zip(batch.drain(..)) {
                *counts.entry(outcome.class()).or_insert(0) += 1;
                if !acceptable(&outcome, &bytes) {
                    wrong.push(format!(
                        "{name}: {outcome:?}\n    {:?}",
                        String::from_utf8_lossy(&bytes)
                    ));
                }
            }
        }
    }
    eprintln!("mutants: {count} (seed {seed}): {counts:?}");
    assert!(
        wrong.is_empty(),
        "{} divergences:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// What the mutants are made from: the cases and the corpus's files of at most 4 KiB.
fn mutant_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = cases::CASES.iter().map(|c| c.text.to_vec()).collect();
    if let Some(corpus) = common::corpus() {
        let mut files = Vec::new();
        files_under(&corpus, &[".yaml", ".yml"], &mut files);
        seeds.extend(
            files
                .iter()
                .map(|f| std::fs::read(f).unwrap())
                .filter(|b| b.len() <= 4096),
        );
    }
    seeds
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}
