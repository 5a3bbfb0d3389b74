#!/usr/bin/env bash
# A short run of every fuzz target (30 s each by default; FUZZ_SECONDS to change), for use
# next to CI: it builds the targets on the stable toolchain (no sanitizer: see README.md) and
# fails on the first crash, hang (-timeout) or memory blow-up (-rss_limit_mb).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-30}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo fuzz build -s none
seeds_yaml="$(mktemp -d)"
trap 'rm -rf "$seeds_yaml"' EXIT
find ../testdata -name '*.yaml' -size -16k | while read -r f; do
    cp "$f" "$seeds_yaml/$(echo "$f" | tr / _)"
done
for target in loader fix kustomize; do
    mkdir -p "corpus/$target"
    seeds="$seeds_yaml"
    [ "$target" = kustomize ] && seeds=seeds/kustomize
    echo "== $target: ${seconds}s"
    cargo fuzz run -s none "$target" "corpus/$target" "$seeds" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1
done
