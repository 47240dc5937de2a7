#!/usr/bin/env bash
# Figures for `blob mount` against the same network in the same run: sequential write and read of one
# large file through the mount vs `blob upload` / `blob download`, and `cp -r` of many small files.
# Run against a network `testnet/up` started (BLOB_HOME set, a release `blob` on PATH, an allocation
# with room for twice --size):
#   scripts/bench-mount.sh [--size 1GiB] [--files 1000]
set -euo pipefail

size=1GiB
files=1000
while (($#)); do
    case "$1" in
        --size) size=$2; shift 2 ;;
        --files) files=$2; shift 2 ;;
        *) echo "usage: $0 [--size 1GiB] [--files 1000]" >&2; exit 64 ;;
    esac
done
command -v fusermount3 >/dev/null || { echo "fusermount3 is not installed (apt-get install fuse3)" >&2; exit 1; }
: "${BLOB_HOME:?set BLOB_HOME (testnet/up prints it)}"

work=$(mktemp -d)
mnt=$work/mnt
mkdir -p "$mnt" "$work/small"
cleanup() {
    if grep -q " $mnt fuse" /proc/mounts; then blob umount "$mnt" >/dev/null 2>&1 || fusermount3 -uz "$mnt"; fi
    rm -rf "$work"
}
trap cleanup EXIT

bytes=$(numfmt --from=iec "${size%B}" 2>/dev/null || numfmt --from=iec "${size%iB}")
head -c "$bytes" /dev/urandom >"$work/big.bin"
for i in $(seq 1 "$files"); do head -c $((RANDOM % 8192 + 1)) /dev/urandom >"$work/small/f$i"; done
run=bench-$$

seconds() { local start=$1 end; end=$(date +%s.%N); echo "$end - $start" | bc; }
rate() { echo "scale=1; $bytes / 1048576 / $1" | bc; }

start=$(date +%s.%N); blob upload "$work/big.bin" "/$run/cli.bin" >/dev/null; upload=$(seconds "$start")
start=$(date +%s.%N); blob download "/$run/cli.bin" "$work/cli.back" >/dev/null; download=$(seconds "$start")

blob mount "$mnt" --cache "$work/cache" --cache-size 4GiB >/dev/null
mkdir -p "$mnt/$run"
# Written through the mount and committed (the unmount returns once every change is committed).
start=$(date +%s.%N); cp "$work/big.bin" "$mnt/$run/mount.bin"; blob umount "$mnt" >/dev/null; write=$(seconds "$start")
blob mount "$mnt" --cache "$work/cache2" >/dev/null
start=$(date +%s.%N); cat "$mnt/$run/mount.bin" >/dev/null; read=$(seconds "$start")
start=$(date +%s.%N); cp -r "$work/small" "$mnt/$run/small"; sync -f "$mnt/$run/small/f1" ; blob umount "$mnt" >/dev/null
small=$(seconds "$start")
blob rm -r "/$run" >/dev/null

printf 'size %s\n' "$size"
printf 'blob upload    %6.1f MiB/s\n' "$(rate "$upload")"
printf 'mount write    %6.1f MiB/s (ratio %.2f)\n' "$(rate "$write")" "$(echo "scale=3; $upload / $write" | bc)"
printf 'blob download  %6.1f MiB/s\n' "$(rate "$download")"
printf 'mount read     %6.1f MiB/s (ratio %.2f)\n' "$(rate "$read")" "$(echo "scale=3; $download / $read" | bc)"
printf 'cp -r %d small files and commit: %.1f s\n' "$files" "$small"
