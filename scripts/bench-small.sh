#!/bin/bash
# Small-value latency (issue 14, item 5): starts a ledger and 6 blobbers on loopback, makes a 4+2
# allocation and runs `blob bench small` (COUNT writes of SIZE, each its own commit, then COUNT verified
# reads, all from one long-lived client): p50/p99 and client CPU per operation. Every process it starts
# is killed by PID on exit.
#
#   scripts/bench-small.sh [COUNT] [SIZE] [BUILD_DIR]     e.g. scripts/bench-small.sh 1000 4KiB .build-reltest/release
set -euo pipefail
COUNT=${1:-1000}
SIZE=${2:-4KiB}
BUILD=$(cd "${3:-.build-reltest/release}" && pwd)
source "$(dirname "$0")/bench-lib.sh"
bench_start_ledger
bench_start_blobbers 6
bench_wallet
bench_allocation 0 1 2 3 4 5 > /dev/null
"$BUILD/blob" bench small --count "$COUNT" --size "$SIZE" --json
