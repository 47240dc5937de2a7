#!/usr/bin/env bash
# Figures for `blob mount` (issue 16) against `blob upload` / `blob download` on the same network in the
# same run (the mean of one before and one after the mount's): sequential write and read of one large
# file through the mount, and `cp -r` of many small files with their commit. Starts a ledger and 6 blobbers of release binaries on loopback with a 4+2
# allocation; every process it starts is killed by PID on exit.
#
#   scripts/bench-mount.sh [SIZE] [FILES] [BUILD_DIR]     e.g. scripts/bench-mount.sh 1GiB 1000 .build-reltest/release
set -euo pipefail
SIZE=${1:-1GiB}
FILES=${2:-1000}
BUILD=$(cd "${3:-.build-reltest/release}" && pwd)
command -v fusermount3 >/dev/null || { echo "fusermount3 is not installed (apt-get install fuse3)" >&2; exit 1; }
source "$(dirname "$0")/bench-lib.sh"
bench_start_ledger
bench_start_blobbers 6
bench_wallet
bench_allocation 0 1 2 3 4 5 > /dev/null

mnt=$DIR/mnt
mkdir -p "$mnt" "$DIR/small"
unmount_if_mounted() {
    if grep -q " $mnt fuse" /proc/mounts; then "$BUILD/blob" umount "$mnt" >/dev/null 2>&1 || fusermount3 -uz "$mnt"; fi
}
trap 'unmount_if_mounted || true; bench_cleanup' EXIT

bytes=$(python3 -c "import sys; u={'KiB':1<<10,'MiB':1<<20,'GiB':1<<30}; s=sys.argv[1]; print(int(s[:-3])*u[s[-3:]] if s[-3:] in u else int(s))" "$SIZE")
head -c "$bytes" /dev/urandom > big.bin
for i in $(seq 1 "$FILES"); do head -c $((RANDOM % 8192 + 1)) /dev/urandom > "small/f$i"; done
now() { date +%s.%N; }
# Every timed phase starts with nothing waiting to be written back (`sync`): a phase is not slowed by
# the dirty pages an earlier one left (the file just made, the copy just downloaded).
span() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# The mount's write and read are bracketed by a `blob upload` / `blob download` before and after them:
# on this machine each upload into the allocation is slower than the one before (blobbers filling), so
# the reference is the mean of the two, not whichever ran first.
sync; t0=$(now); "$BUILD/blob" upload big.bin /cli/before.bin > /dev/null; t1=$(now)
sync; t1=$(now); "$BUILD/blob" download /cli/before.bin before.back > /dev/null; t2=$(now)

"$BUILD/blob" mount "$mnt" --cache "$DIR/cache" --cache-size 4GiB > /dev/null
mkdir -p "$mnt/m"
# Written through the mount and committed: the unmount returns once every change is committed.
sync; t3=$(now); cp big.bin "$mnt/m/big.bin"; "$BUILD/blob" umount "$mnt" > /dev/null; t4=$(now)
# A new mount with an empty cache: every byte comes from the blobbers, verified.
"$BUILD/blob" mount "$mnt" --cache "$DIR/cache2" > /dev/null
sync; t5=$(now); cat "$mnt/m/big.bin" > mount.back; t6=$(now)
cmp big.bin mount.back
sync; t7=$(now); cp -r small "$mnt/m/small"; sync -f "$mnt/m/small/f1"; "$BUILD/blob" umount "$mnt" > /dev/null; t8=$(now)

sync; t9=$(now); "$BUILD/blob" upload big.bin /cli/after.bin > /dev/null; t10=$(now)
sync; t10=$(now); "$BUILD/blob" download /cli/after.bin after.back > /dev/null; t11=$(now)

python3 - "$bytes" "$FILES" "$(span "$t0" "$t1")" "$(span "$t1" "$t2")" "$(span "$t3" "$t4")" "$(span "$t5" "$t6")" \
    "$(span "$t7" "$t8")" "$(span "$t9" "$t10")" "$(span "$t10" "$t11")" <<'EOF'
import json, sys
size, files = int(sys.argv[1]), int(sys.argv[2])
up1, down1, write, read, small, up2, down2 = map(float, sys.argv[3:])
up, down = (up1 + up2) / 2, (down1 + down2) / 2
mib = size / 1048576
print(json.dumps({"size_bytes": size, "blob_upload_mib_s": [round(mib / up1, 1), round(mib / up2, 1)],
    "blob_download_mib_s": [round(mib / down1, 1), round(mib / down2, 1)],
    "mount_write_mib_s": round(mib / write, 1), "mount_read_mib_s": round(mib / read, 1),
    "mount_write_ratio": round(up / write, 3), "mount_read_ratio": round(down / read, 3),
    "small_files": files, "small_files_cp_r_and_commit_s": round(small, 2)}, sort_keys=True))
EOF
