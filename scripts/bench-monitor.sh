#!/bin/bash
# Self-healing figures (issue 13): starts a ledger and 8 blobbers on loopback (release binaries), then
#  1. uploads SIZE into a 4+2 allocation on blobbers 0-5, kills blobber 2 with -9 for good and starts
#     `blob monitor --interval 2s --replace-after 10s`: prints the seconds from the kill until
#     `blob status` shows six blobbers agreeing without the dead one, and the bytes the surviving blobbers
#     served during that time per byte the monitor rebuilt (the goal is k = 4: only what one new shard needs);
#  2. uploads FILES small files into a second 4+2 allocation and runs the monitor over it for ROUNDS
#     rounds with the default audit: prints the mean seconds, monitor CPU-seconds and blobber bytes per round.
# Every process it starts is killed by PID on exit. Output: one JSON object on stdout.
#
#   scripts/bench-monitor.sh [SIZE] [FILES] [BUILD_DIR]     e.g. scripts/bench-monitor.sh 1GiB 10000 .build-reltest/release
set -euo pipefail
SIZE=${1:-1GiB}
FILES=${2:-10000}
BUILD=$(cd "${3:-.build-reltest/release}" && pwd)
ROUNDS=${ROUNDS:-5}
source "$(dirname "$0")/bench-lib.sh"
log() { echo "bench-monitor: $*" >&2; }
bench_start_ledger
bench_start_blobbers 8
bench_wallet

# Sum of one counter over the given blobbers' /metrics.
counter() {
    local name=$1 total=0 value
    shift
    for i in "$@"; do
        value=$(curl -s "${URLS[$i]}/metrics" | awk -v n="$name" '$1 == n {printf "%.0f", $2}')
        total=$((total + ${value:-0}))
    done
    echo "$total"
}
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }

# 1. Death to repaired.
ALLOC=$(bench_allocation 0 1 2 3 4 5)
BYTES=$(python3 -c "
import re; m = re.fullmatch(r'(\d+)(GiB|MiB|KiB)?', '$SIZE')
print(int(m.group(1)) * {'GiB': 1 << 30, 'MiB': 1 << 20, 'KiB': 1 << 10, None: 1}[m.group(2)])")
head -c "$BYTES" /dev/urandom > big.bin
log "uploading $SIZE"
"$BUILD/blob" upload --alloc "$ALLOC" big.bin /big.bin > /dev/null
rm -f big.bin
SURVIVORS=(0 1 3 4 5)
READ0=$(counter blobber_bytes_out_total "${SURVIVORS[@]}")
DEAD=${IDS[2]}
kill -9 "${BPIDS[2]}"
START=$(date +%s.%N)
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BUILD/blob" monitor --alloc "$ALLOC" --interval 2s --replace-after 10s --metrics "127.0.0.1:$MPORT" \
    --log-format json 2> monitor1.log &
MONITOR=$!
PIDS+=($MONITOR)
REPAIRED=""
for _ in $(seq 600); do
    if "$BUILD/blob" status --alloc "$ALLOC" --json 2> /dev/null | python3 -c "
import json,sys
rows = json.load(sys.stdin)['blobbers']
sys.exit(0 if len(rows) == 6 and all(r['agrees'] for r in rows) and '$DEAD' not in [r['blobber_id'] for r in rows] else 1)"; then
        REPAIRED=$(date +%s.%N)
        break
    fi
    sleep 1
done
[ -n "$REPAIRED" ] || { log "not repaired within 600 s"; tail -20 monitor1.log >&2; exit 1; }
READ1=$(counter blobber_bytes_out_total "${SURVIVORS[@]}")
REBUILT=$(curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/^blob_monitor_rebuilt_bytes_total/ {printf "%.0f", $2}')
kill "$MONITOR"
wait "$MONITOR" || true
log "repaired; rebuilt $REBUILT bytes"

# 2. Audit cost per round over FILES small files.
mkdir small
python3 -c "
import os
for i in range($FILES):
    d = 'small/d%03d' % (i // 500)
    os.makedirs(d, exist_ok=True)
    with open('%s/f%05d.txt' % (d, i), 'wb') as f: f.write(os.urandom(1024))"
SMALL=$(bench_allocation 0 1 3 4 5 6)
log "uploading $FILES small files"
"$BUILD/blob" upload --alloc "$SMALL" small /small > /dev/null
ALL=(0 1 3 4 5 6)
BYTES0=$(counter blobber_bytes_out_total "${ALL[@]}")
"$BUILD/blob" monitor --alloc "$SMALL" --interval 1s --replace-after 1h --log-format json --log-level debug 2> monitor2.log &
MONITOR=$!
PIDS+=($MONITOR)
for _ in $(seq 600); do
    [ "$(grep -c '"message":"round"' monitor2.log || true)" -ge "$ROUNDS" ] && break
    sleep 0.5
done
CPU=$(cpu_seconds "$MONITOR")
BYTES1=$(counter blobber_bytes_out_total "${ALL[@]}")
kill "$MONITOR"
wait "$MONITOR" || true
python3 - "$START" "$REPAIRED" "$READ0" "$READ1" "$REBUILT" "$BYTES0" "$BYTES1" "$CPU" "$ROUNDS" "$FILES" "$SIZE" <<'EOF'
import json, sys
start, repaired, read0, read1, rebuilt, bytes0, bytes1, cpu, rounds, files, size = sys.argv[1:]
lines = [json.loads(l) for l in open("monitor2.log") if l.startswith("{")]
seconds = [float(l["seconds"]) for l in lines if l.get("message") == "round"][: int(rounds)]
print(json.dumps({
    "size": size,
    "death_to_repaired_s": round(float(repaired) - float(start), 1),
    "rebuilt_bytes": int(rebuilt),
    "survivor_bytes_served": int(read1) - int(read0),
    "bytes_read_per_byte_rebuilt": round((int(read1) - int(read0)) / max(1, int(rebuilt)), 2),
    "audit_files": int(files),
    "audit_round_seconds_mean": round(sum(seconds) / max(1, len(seconds)), 3),
    "audit_rounds": len(seconds),
    "audit_monitor_cpu_s_per_round": round(float(cpu) / max(1, len(seconds)), 3),
    "audit_blobber_bytes_per_round": (int(bytes1) - int(bytes0)) // max(1, len(seconds)),
}, indent=2))
EOF
