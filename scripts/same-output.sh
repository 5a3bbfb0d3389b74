#!/usr/bin/env bash
# Behaviour-preserving refactors: runs a fixed set of k8sec commands over ../shared/corpus and
# testdata/, writing each command's stdout, stderr and exit status under OUT_DIR, so two builds
# can be compared byte for byte:
#
#   scripts/same-output.sh target/release/k8sec /tmp/before   # on the old commit
#   scripts/same-output.sh target/release/k8sec /tmp/after    # on the new one
#   diff -r /tmp/before /tmp/after && echo identical
#
# Helm charts are rendered when K8SEC_HELM names a helm binary (as .ci/run sets it).
set -euo pipefail
bin="$(realpath "$1")"
out="$2"
cd "$(dirname "$0")/.."
corpus="${K8SEC_CORPUS:-../shared/corpus}"
helm=()
if [ -n "${K8SEC_HELM:-}" ]; then helm=(--helm "$K8SEC_HELM"); fi
mkdir -p "$out"

run() {
    local name="$1"
    shift
    set +e
    "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"
    echo $? >"$out/$name.status"
    set -e
}

run corpus-json lint "$corpus" --select all --format json "${helm[@]}"
run corpus-diff lint "$corpus" --select all --format json --unsafe-fixes --diff "${helm[@]}"
run corpus-diff-safe lint "$corpus" --select all --diff "${helm[@]}"
run corpus-human lint "$corpus" --color never "${helm[@]}"
run corpus-concise lint "$corpus" --format concise -j1
run example-human lint testdata/example --color never
run example-json lint testdata/example --format json --select all
for format in text dot mermaid json; do
    run "example-graph-$format" graph testdata/example --format "$format"
done
run corpus-graph-json graph "$corpus" --format json
run checks-json checks --format json
# Every report format, to stdout and to files, in color and quiet.
for format in github junit; do
    run "corpus-$format" lint "$corpus" --select all --format "$format" "${helm[@]}"
done
run corpus-human-color lint "$corpus" --color always "${helm[@]}"
run example-outputs lint testdata/example --select all --color always \
    --format github --output "$out/example-outputs.github" \
    --format junit --output "$out/example-outputs.junit" \
    --format concise --output "$out/example-outputs.concise" \
    --format human --output "$out/example-outputs.human" --format human
run example-quiet lint testdata/example --quiet --format github --format human --output "$out/example-quiet.human"
run example-statistics lint testdata/example --statistics --format human
