#!/bin/bash
# End-to-end client figures (issue 5, "Performance"): starts a ledger and 7 blobbers on loopback (the
# 7th answers every request 100 ms late), makes two 4+2 allocations — A on blobbers 0-5, B with the slow
# blobber as data shard 0 — and runs `blob bench upload` on A with B as --slow-alloc, counting the CPU
# of A's blobbers with the client's (upload_cpu_s_per_GiB, download_cpu_s_per_GiB, beside the C-library
# floor of the same work measured in the same run). Every process it starts is killed by PID on exit.
#
#   scripts/bench-client.sh [SIZE] [BUILD_DIR]     e.g. scripts/bench-client.sh 1GiB .build-client-rel/release
set -euo pipefail
SIZE=${1:-1GiB}
BUILD=$(cd "${2:-.build-client-rel/release}" && pwd)
source "$(dirname "$0")/bench-lib.sh"
bench_start_ledger
bench_start_blobbers 7 6
bench_wallet
SLOW=$(bench_allocation 6 1 2 3 4 5)
bench_allocation 0 1 2 3 4 5 > /dev/null
# The CPU of the six blobbers of the measured allocation counts with the client's.
"$BUILD/blob" bench upload --size "$SIZE" --slow-alloc "$SLOW" --scratch "$DIR" --json \
    $(for i in 0 1 2 3 4 5; do echo --blobber-pid "${BPIDS[$i]}"; done)
