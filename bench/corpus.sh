#!/usr/bin/env bash
# Times a release build of k8sec on the real-world corpus against `cat` over the same files,
# measured in the same run (hyperfine). Usage: bench/corpus.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
cargo build --release -q
list=$(mktemp)
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) > "$list"
echo "$(wc -l < "$list") files, $(cat $(cat "$list") | wc -c) bytes"
hyperfine --warmup 3 --runs 20 -N --ignore-failure \
  --command-name "cat (same files)" "xargs -a $list cat" \
  --command-name "k8sec lint" "target/release/k8sec lint $corpus --format json -q" \
  --command-name "k8sec lint -j1" "target/release/k8sec lint $corpus --format json -q -j 1"
rm -f "$list"
