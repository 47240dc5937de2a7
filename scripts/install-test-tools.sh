#!/usr/bin/env bash
# Installs the outside tools the test suite drives as real clients: headless Chromium (Debian) for
# the ledger explorer, promtool (Debian's prometheus) for /metrics, schemathesis (PyPI, in the virtual environment .build-tools/venv) for the OpenAPI
# documents, aws-cli and boto3 (PyPI, same environment) and rclone and s3fs (Debian) for the gateway's S3 API. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium prometheus rsync fuse3 rclone s3fs)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "installing test tools: ${missing[*]}" >&2
    sudo=""
    if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

venv=.build-tools/venv
if [[ ! -x "$venv/bin/st" ]]; then
    echo "installing test tools: schemathesis (PyPI) into $venv" >&2
    if ! python3 -m venv "$venv" 2>/dev/null; then
        sudo=""
        if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
        $sudo apt-get update
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet schemathesis
fi

if [[ ! -x "$venv/bin/aws" ]] || ! "$venv/bin/python3" -c "import boto3" 2>/dev/null; then
    echo "installing test tools: awscli and boto3 (PyPI) into $venv" >&2
    "$venv/bin/pip" install --quiet awscli boto3
fi
