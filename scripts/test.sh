#!/usr/bin/env bash
# The project's test command: installs what the build needs, builds, and runs every test
# (unit, property-based and multi-process end-to-end tests on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
