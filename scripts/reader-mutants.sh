#!/usr/bin/env bash
# A long differential mutation run of k8sec's YAML reader against the Kubernetes reader
# (tools/yaml-oracle): deterministic mutants of the reader cases and of the corpus's small files,
# SEEDS runs of MUTANTS mutants each, in a release build. Each divergence is printed with the
# mutant's text; turn each new kind into a case in tests/reader/cases.rs.
#
#   scripts/reader-mutants.sh [SEEDS] [MUTANTS]     (defaults: 20 seeds of 10000 mutants)
#
# Needs the oracle: K8SEC_YAML_ORACLE, or Go and Debian's golang-k8s-sigs-yaml-dev and
# golang-gopkg-yaml.v2-dev to build it (as .ci/run does).
set -uo pipefail
cd "$(dirname "$0")/.."

seeds="${1:-20}"
mutants="${2:-10000}"

if [ -z "${K8SEC_YAML_ORACLE:-}" ]; then
    out="${XDG_CACHE_HOME:-$HOME/.cache}/k8sec/yaml-oracle/local"
    mkdir -p "$out"
    GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$out/yaml-oracle" ./tools/yaml-oracle ||
        { echo "cannot build tools/yaml-oracle (see .ci/run)" >&2; exit 2; }
    export K8SEC_YAML_ORACLE="$out/yaml-oracle"
fi

cargo test --release --test reader --no-run -q || exit 2
start=$(date +%s)
failed=0
for seed in $(seq 1 "$seeds"); do
    output=$(K8SEC_MUTANTS="$mutants" K8SEC_MUTANT_SEED="$seed" \
        cargo test --release -q --test reader mutants_read_as_kubectl_reads -- --nocapture 2>&1)
    status=$?
    grep -E '^(mutants:|mutant |    "|[0-9]+ divergences)' <<<"$output"
    [ "$status" -eq 0 ] || failed=$((failed + 1))
done
echo "$seeds seeds x $mutants mutants in $(($(date +%s) - start)) s; $failed seed(s) with divergences"
[ "$failed" -eq 0 ]
