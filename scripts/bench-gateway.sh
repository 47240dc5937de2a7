#!/bin/bash
# Figures of the gateway (issue 15), on a network of release binaries it starts on loopback (a ledger,
# 6 blobbers, a 4+2 allocation, `gateway serve`), every process killed by PID on exit:
#  - S3 PUT and GET of one SIZE file with aws-cli (multipart, its default 8 MiB parts) against
#    `blob upload` / `blob download` of the same file in the same run (the mean of one before and one
#    after), as ratios;
#  - `blob bench gateway`: COUNT key-value PUTs of 4 KiB (p50/p99), COUNT cached retrieves (p50/p99),
#    and 1,000 PUTs from 50 clients at once, each read back and compared.
#
#   scripts/bench-gateway.sh [SIZE] [COUNT] [BUILD_DIR]     e.g. scripts/bench-gateway.sh 1GiB 1000 .build-reltest/release
# aws-cli: the tools venv (scripts/install-test-tools.sh), else `aws` on PATH.
set -euo pipefail
SIZE=${1:-1GiB}
COUNT=${2:-1000}
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${3:-.build-reltest/release}" && pwd)
AWS=$REPO/.build-tools/venv/bin/aws
[[ -x $AWS ]] || AWS=$(command -v aws) || { echo "aws-cli is not installed (scripts/install-test-tools.sh)" >&2; exit 1; }
source "$REPO/scripts/bench-lib.sh"
bench_start_ledger
bench_start_blobbers 6
bench_wallet
bench_allocation 0 1 2 3 4 5 > /dev/null

"$BUILD/gateway" init --home "$BLOB_HOME" > /dev/null
keys=$("$BUILD/gateway" keys create --home "$BLOB_HOME" --json)
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$keys" "$1"; }
"$BUILD/gateway" serve --home "$BLOB_HOME" --listen 127.0.0.1:0 --log-level error > gateway.out 2> gateway.err &
GATEWAY_PID=$!
PIDS+=($GATEWAY_PID)
for _ in $(seq 200); do grep -q 'http://' gateway.out gateway.err 2>/dev/null && break; sleep 0.1; done
URL=$(grep -ho 'http://[0-9.:]*' gateway.out gateway.err | head -1)
[[ -n $URL ]] || { echo "the gateway did not start: $(cat gateway.err)" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=$(field access_key_id) AWS_SECRET_ACCESS_KEY=$(field secret_access_key)
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
aws() { "$AWS" --endpoint-url "$URL" "$@"; }

bytes=$(python3 -c "import sys; u={'KiB':1<<10,'MiB':1<<20,'GiB':1<<30}; s=sys.argv[1]; print(int(s[:-3])*u[s[-3:]] if s[-3:] in u else int(s))" "$SIZE")
head -c "$bytes" /dev/urandom > big.bin
now() { date +%s.%N; }
span() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# S3 PUT/GET bracketed by a `blob upload`/`download` before and after them, against their mean (uploads
# into one allocation can slow as it fills).
sync; t0=$(now); "$BUILD/blob" upload big.bin /cli/before.bin > /dev/null; t1=$(now)
sync; t1=$(now); "$BUILD/blob" download /cli/before.bin before.back > /dev/null; t2=$(now)
aws s3 mb s3://bench > /dev/null
sync; t3=$(now); aws s3 cp big.bin s3://bench/big.bin --only-show-errors; t4=$(now)
sync; t4=$(now); aws s3 cp s3://bench/big.bin s3.back --only-show-errors; t5=$(now)
sync; t6=$(now); "$BUILD/blob" upload big.bin /cli/after.bin > /dev/null; t7=$(now)
sync; t7=$(now); "$BUILD/blob" download /cli/after.bin after.back > /dev/null; t8=$(now)
cmp big.bin before.back
cmp big.bin s3.back

python3 - "$bytes" "$(span "$t0" "$t1")" "$(span "$t1" "$t2")" "$(span "$t3" "$t4")" "$(span "$t4" "$t5")" \
    "$(span "$t6" "$t7")" "$(span "$t7" "$t8")" <<'EOF'
import json, sys
size, up1, down1, put, get, up2, down2 = int(sys.argv[1]), *map(float, sys.argv[2:])
up, down = (up1 + up2) / 2, (down1 + down2) / 2
mib = size / 1048576
print(json.dumps({"size_bytes": size, "blob_upload_mib_s": [round(mib / up1, 1), round(mib / up2, 1)],
    "blob_download_mib_s": [round(mib / down1, 1), round(mib / down2, 1)],
    "s3_put_mib_s": round(mib / put, 1), "s3_get_mib_s": round(mib / get, 1),
    "s3_put_ratio": round(up / put, 3), "s3_get_ratio": round(down / get, 3)}, sort_keys=True))
EOF
"$BUILD/blob" bench gateway --url "$URL" --api-key "$(field api_key)" --count "$COUNT" --json
