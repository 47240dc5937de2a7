#!/usr/bin/env bash
# Installs the Debian packages the project builds against (C libraries and pkg-config).
# Safe to run again: it only calls apt-get when something is missing.
set -euo pipefail

packages=(libsodium-dev libssl-dev libsqlite3-dev libisal-dev libfuse3-dev fuse3 pkg-config curl)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"
fi

if ! command -v swift >/dev/null; then
    echo "swift is not on PATH: install Swift 6.1 or newer (https://www.swift.org/install/)" >&2
    exit 1
fi
