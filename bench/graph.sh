#!/usr/bin/env bash
# The graph benchmark: wall-clock time of the graph and the graph checks over generated units of
# 1k, 10k and 50k objects (benches/graph.rs), then, when valgrind is installed, the instructions
# they execute, which the memory hierarchy does not blur. Usage: bench/graph.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench graph
command -v valgrind >/dev/null || { echo "valgrind not installed: no instruction counts"; exit 0; }
bin=$(cargo bench --bench graph --no-run 2>&1 | grep -o 'target/release/deps/graph-[a-z0-9]*' | head -1)
for layout in per-namespace one-namespace; do
  echo; echo "instructions ($layout): Graph::build, then lint (graph + every graph check)"
  for size in 1000 10000 50000; do
    for function in 'k8sec::graph::Graph::build' 'k8sec::lint'; do
      out=$(mktemp)
      K8SEC_BENCH_PROFILE=$size K8SEC_BENCH_RUNS=1 K8SEC_BENCH_LAYOUT=$layout \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$function" \
        "$bin" 2>"$out" >/dev/null
      printf '%8s %-28s %s\n' "$size" "$function" "$(grep -o 'Collected : [0-9]*' "$out" | cut -d' ' -f3)"
      rm -f "$out"
    done
  done
done
