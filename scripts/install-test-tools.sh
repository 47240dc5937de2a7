#!/usr/bin/env bash
# Installs the outside tools the test suite drives as real clients (Debian packages): headless
# Chromium for the ledger explorer. Safe to run again: it only calls apt-get when something is missing.
set -euo pipefail

packages=(chromium)
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
