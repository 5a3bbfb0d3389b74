//! `cargo run --release --example gen-corpus -- --objects 10000 --namespaces 24 --seed 1 --out DIR`
//!
//! Writes a deterministic, realistic repository of Kubernetes manifests for benchmarks
//! (`bench/run.sh`, `docs/benchmarks.md`): applications of a workload, its ServiceAccount,
//! RBAC (some bound to groups), Service, Ingress, NetworkPolicy, ConfigMap, Secret, autoscaler
//! and disruption budget, several documents per file, a share of them misconfigured. The same
//! options write the same bytes on every machine. An example, not a binary: it is not installed
//! with k8sec. What it writes is described in `corpus.rs`.

mod corpus;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: gen-corpus --out DIR [--objects N (1000)] [--namespaces M (24)] [--seed S (1)]";

fn main() -> ExitCode {
    let mut options = corpus::Options::default();
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let number = || value.as_deref().and_then(|v| v.parse::<u64>().ok());
        match (arg.as_str(), &value) {
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--objects", _) if number().is_some() => {
                options.objects = number().unwrap_or(0) as usize
            }
            ("--namespaces", _) if number().is_some_and(|n| n > 0) => {
                options.namespaces = number().unwrap_or(1) as usize
            }
            ("--seed", _) if number().is_some() => options.seed = number().unwrap_or(0),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match corpus::write(&out, &options) {
        Ok(stats) => {
            eprintln!(
                "{} objects in {} files, {} bytes, under {}",
                stats.objects,
                stats.files,
                stats.bytes,
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen-corpus: {}: {error}", out.display());
            ExitCode::from(2)
        }
    }
}
