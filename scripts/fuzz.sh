#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder of untrusted bytes: builds the nested package Fuzz/ with
# libFuzzer and AddressSanitizer (release) and runs each target for SECONDS (default 8) on a copy of
# its committed seed corpus (Fuzz/Corpus/TARGET), which it never writes to. Exits non-zero if any
# target crashes, traps or breaks a property; the failing inputs are kept in Fuzz/.build/crashes/.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET ...]     # e.g. bash scripts/fuzz.sh 600 marker-chain
#
# A target found crashing: reproduce with Fuzz/.build/release/blob-fuzz TARGET CRASH-FILE, fix, and add
# the input as a regression test (Tests/*/FuzzRegressionTests.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-8}"
shift || true
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
swift build --package-path Fuzz "${flags[@]}"
binary="$(swift build --package-path Fuzz "${flags[@]}" --show-bin-path)/blob-fuzz"
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || mapfile -t targets < <("$binary" --list)

crashes="$PWD/Fuzz/.build/crashes"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$crashes"
failed=()
for target in "${targets[@]}"; do
    mkdir -p "$work/$target"
    cp Fuzz/Corpus/"$target"/* "$work/$target/"
    started=$SECONDS
    # Swift's own backtracer would only slow a crash down; libFuzzer and ASan report it.
    if SWIFT_BACKTRACE=enable=no "$binary" "$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/$target-" -print_final_stats=1 "$work/$target" >"$work/$target.log" 2>&1; then
        runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")"
        echo "fuzz $target: ok, ${runs:-?} inputs in $((SECONDS - started)) s"
    else
        echo "fuzz $target: FAILED"
        grep -E 'Fatal error|ERROR|SUMMARY|Test unit written|Base64' "$work/$target.log" | head -n 12 || tail -n 30 "$work/$target.log"
        failed+=("$target")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]} (inputs in $crashes)" >&2
    exit 1
fi
