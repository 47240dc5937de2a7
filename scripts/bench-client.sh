#!/bin/bash
# End-to-end client figures (issue 5, "Performance"): starts a ledger and 7 blobbers on loopback (the
# 7th answers every request 100 ms late), makes two 4+2 allocations — A on blobbers 0-5, B with the slow
# blobber as data shard 0 — and runs `blob bench upload` on A with B as --slow-alloc. Every process it
# starts is killed by PID on exit.
#
#   scripts/bench-client.sh [SIZE] [BUILD_DIR]     e.g. scripts/bench-client.sh 1GiB .build-client-rel/release
set -euo pipefail
SIZE=${1:-1GiB}
BUILD=$(cd "${2:-.build-client-rel/release}" && pwd)
DIR=$(mktemp -d /tmp/blob-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$DIR"
}
trap cleanup EXIT
cd "$DIR"
"$BUILD/ledger" serve --data ledger --port 0 --host 127.0.0.1 --faucet > ledger.out 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q listening ledger.out && break; sleep 0.1; done
LEDGER=$(grep -o 'http://[0-9.:]*' ledger.out | head -1)
IDS=()
for i in 0 1 2 3 4 5 6; do
    "$BUILD/blobber" init --data "b$i" --ledger-url "$LEDGER" --port 0 > "b$i.init"
    IDS+=($(awk '/blobber id/ {print $3}' "b$i.init"))
    DELAY=0
    [ "$i" = 6 ] && DELAY=100
    "$BUILD/blobber" serve --config "b$i/blobber.yaml" --port 0 --host 127.0.0.1 --stake 0 --capacity 8589934592 \
        --fault-delay-ms "$DELAY" --log-level error > "b$i.out" 2> "b$i.err" &
    PIDS+=($!)
done
for _ in $(seq 200); do [ "$(cat b*.out | grep -c listening)" -ge 7 ] && break; sleep 0.1; done
export BLOB_HOME="$DIR/home"
"$BUILD/blob" wallet create > /dev/null
"$BUILD/blob" wallet faucet --ledger "$LEDGER" --tokens 1000 > /dev/null
IFS=,
SLOW=$("$BUILD/blob" alloc new --data 4 --parity 2 --size 4GiB --blobbers "${IDS[6]},${IDS[1]},${IDS[2]},${IDS[3]},${IDS[4]},${IDS[5]}" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$BUILD/blob" alloc new --data 4 --parity 2 --size 4GiB --blobbers "${IDS[0]},${IDS[1]},${IDS[2]},${IDS[3]},${IDS[4]},${IDS[5]}" --json > /dev/null
unset IFS
"$BUILD/blob" bench upload --size "$SIZE" --slow-alloc "$SLOW" --scratch "$DIR" --json
