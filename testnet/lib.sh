# Shared by testnet/up, down, status and ctl. Sourced, not run.
# A network lives in one folder (default testnet/run):
#   network.env            ports, node names, binaries
#   ledger/                ledger data, ledger.log, ledger.pid
#   blobberI/              blobber data and blobber.yaml, blobber.log, blobber.pid, blobber.args
#   client/                the wallet and settings of the `blob` CLI (BLOB_HOME)

set -euo pipefail

TESTNET_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$TESTNET_DIR/.." && pwd)"
DATA="${TESTNET_DATA:-$TESTNET_DIR/run}"

die() { echo "testnet: $*" >&2; exit 1; }
say() { echo "testnet: $*" >&2; }

load_network() {
    [[ -f "$DATA/network.env" ]] || die "no network in $DATA (start one with testnet/up)"
    # shellcheck disable=SC1091
    source "$DATA/network.env"
}

# Reserves FILE for a PID before the process starts: on a full disk this fails while nothing runs yet.
# The reservation is 20 spaces and a newline, so the PID later overwrites it in place (no new block).
reserve_pid_file() {
    local file="$1" name="$2"
    printf '%-20s\n' starting >"$file" 2>/dev/null || die "cannot write $file (disk full?): $name was not started"
}

# Records PID in FILE reserved by reserve_pid_file; if even that fails, stops the process so that none runs
# untracked.
record_pid() {
    local file="$1" pid="$2" name="$3"
    if ! { printf '%-20s\n' "$pid" 1<>"$file"; } 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        die "cannot record the PID of $name in $file: stopped it ($pid)"
    fi
}

# The PID in FILE if that process is alive and is what we started (its command line names our binary).
live_pid() {
    local file="$1" binary="$2" pid
    [[ -f "$file" ]] || return 1
    pid="$(tr -d ' \n' <"$file")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$binary" || return 1
    echo "$pid"
}

# Waits (bounded) until LOG, past byte OFFSET, says "listening on"; fails with the log's tail otherwise.
wait_listening() {
    local log="$1" pid="$2" name="$3" offset="${4:-0}"
    for _ in $(seq 1 300); do
        tail -c +"$((offset + 1))" "$log" 2>/dev/null | grep -q "listening on" && return 0
        kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "$name exited during start (log: $log)"; }
        sleep 0.1
    done
    tail -20 "$log" >&2
    die "$name did not start within 30 s (log: $log)"
}

# Stops the process in PIDFILE: SIGTERM, then SIGKILL after 10 s. Only our own binary's PID.
stop_pid() {
    local file="$1" binary="$2" name="$3" pid
    if ! pid="$(live_pid "$file" "$binary")"; then
        rm -f "$file"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name ($pid) did not stop in 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
    say "stopped $name ($pid)"
}

# Starts blobber I with the arguments recorded at `up` plus EXTRA (e.g. --fault-delay-ms 100).
start_blobber() {
    local index="$1" dir="$DATA/blobber$1" extra pid
    extra="$(cat "$dir/fault.args" 2>/dev/null || true)"
    if pid="$(live_pid "$dir/blobber.pid" "$BLOBBER_BIN")"; then
        die "blobber$index already runs (pid $pid)"
    fi
    local offset
    offset="$(stat -c %s "$dir/blobber.log" 2>/dev/null || echo 0)"
    reserve_pid_file "$dir/blobber.pid" "blobber$index"
    # shellcheck disable=SC2086
    nohup "$BLOBBER_BIN" serve --config "$dir/blobber.yaml" $(cat "$dir/blobber.args") $extra \
        >>"$dir/blobber.log" 2>&1 </dev/null &
    pid=$!
    record_pid "$dir/blobber.pid" "$pid" "blobber$index"
    wait_listening "$dir/blobber.log" "$pid" "blobber$index" "$offset"
    say "blobber$index listening on port $((BASE_PORT + index)) (pid $pid${extra:+, $extra})"
}

# "100ms", "1s", "250" (ms) -> milliseconds.
to_ms() {
    local text="$1"
    case "$text" in
        *ms) echo "${text%ms}" ;;
        *s) echo "$(( ${text%s} * 1000 ))" ;;
        *) echo "$text" ;;
    esac
}
