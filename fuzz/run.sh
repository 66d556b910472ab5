#!/bin/sh
# Runs each fuzz target for the given seconds (default 300), seeded with the shipped
# model files and presets; prints libFuzzer's executions and coverage per target.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# A crash leaves its input in fuzz/artifacts/<target>/; add it as a regression test
# to tests/robustness.rs.
set -eu
secs=${1:-300}
cd "$(dirname "$0")"
mkdir -p corpus/model_file corpus/preset logs
cp ../assets/models/*.neuron corpus/model_file/
cp ../presets/*.ron corpus/preset/
status=0
for target in model_file preset; do
    echo "== $target: ${secs} s"
    if ! cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        >"logs/$target.log" 2>&1; then
        status=1
        echo "CRASH: see fuzz/logs/$target.log and fuzz/artifacts/$target/"
    fi
    grep -E "^#[0-9]+ +(DONE|INITED)" "logs/$target.log" | tail -2 || true
    grep -E "^Done [0-9]+ runs" "logs/$target.log" || true
done
exit $status
