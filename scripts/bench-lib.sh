# Shared by the scripts/bench-*.sh scripts (sourced, not run): a ledger and blobbers from release binaries
# on loopback in a temporary folder, every process killed by PID on exit.
#
#   BUILD=...; bench_start_ledger; bench_start_blobbers COUNT [SLOW_INDEX]; bench_wallet
# sets DIR (the folder, also the working directory), LEDGER (its URL), IDS, URLS and BPIDS (by blobber
# index) and exports BLOB_HOME.
DIR=$(mktemp -d /tmp/blob-bench.XXXXXX)
PIDS=()
bench_cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$DIR"
}
trap bench_cleanup EXIT
cd "$DIR"

bench_start_ledger() {
    "$BUILD/ledger" serve --data ledger --port 0 --host 127.0.0.1 --faucet > ledger.out 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do grep -q listening ledger.out && break; sleep 0.1; done
    LEDGER=$(grep -o 'http://[0-9.:]*' ledger.out | head -1)
}

# COUNT blobbers of 8 GiB; the one numbered SLOW_INDEX (if given) answers every request 100 ms late.
bench_start_blobbers() {
    local count=$1 slow=${2:--1} i delay
    IDS=()
    URLS=()
    BPIDS=()
    for ((i = 0; i < count; i++)); do
        "$BUILD/blobber" init --data "b$i" --ledger-url "$LEDGER" --port 0 > "b$i.init"
        IDS+=($(awk '/blobber id/ {print $3}' "b$i.init"))
        delay=0
        [ "$i" = "$slow" ] && delay=100
        "$BUILD/blobber" serve --config "b$i/blobber.yaml" --port 0 --host 127.0.0.1 --stake 0 --capacity 8589934592 \
            --fault-delay-ms "$delay" --log-level error > "b$i.out" 2> "b$i.err" &
        PIDS+=($!)
        BPIDS+=($!)
    done
    for _ in $(seq 200); do [ "$(cat b*.out | grep -c listening)" -ge "$count" ] && break; sleep 0.1; done
    for ((i = 0; i < count; i++)); do URLS+=($(grep -o 'http://[0-9.:]*' "b$i.out" | head -1)); done
}

bench_wallet() {
    export BLOB_HOME="$DIR/home"
    "$BUILD/blob" wallet create > /dev/null
    "$BUILD/blob" wallet faucet --ledger "$LEDGER" --tokens 1000 > /dev/null
}

# A 4+2 allocation of 4 GiB on the blobbers numbered by the arguments; prints its id.
bench_allocation() {
    local ids=() i
    for i in "$@"; do ids+=("${IDS[$i]}"); done
    "$BUILD/blob" alloc new --data 4 --parity 2 --size 4GiB --blobbers "$(IFS=,; echo "${ids[*]}")" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
