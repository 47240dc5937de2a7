#!/usr/bin/env bash
# The project's test command: installs what the build needs, builds, and runs every test
# (unit, property-based and multi-process end-to-end tests on 127.0.0.1).
#
# A full run (no arguments) runs the suite twice: once built for debugging, once optimised (-O, the
# way `blob`, `blobber` and `ledger` are shipped, with -enable-testing for the @testable imports): Swift
# 6.3.1's optimiser has miscompiled a `return` inside a typed `do throws` in a closure, which only an
# optimised build shows.
# Outside tools the tests drive (headless Chromium, schemathesis) come from scripts/install-test-tools.sh.
# Between the two, every fuzz target runs for a few seconds (scripts/fuzz.sh; BLOB_TEST_FUZZ=0 skips it).
# Arguments (say `--filter MerkleTests`) go to the debug run only and skip the fuzzing and the second run.
# BLOB_TEST_RELEASE=0 skips the second run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-test-tools.sh
# The tools just installed are required: a test that would skip without one fails instead.
export BLOB_TEST_REQUIRE_TOOLS=1
# At most 6 tests at once. Many start a ledger and several blobbers; all 236 at once put a load of 40+
# on two cores and ran 120 s time limits out across unrelated suites (whole suite, 2026-12-05).
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-6}
swift build --build-tests
swift test --skip-build "$@"
if [ "$#" -eq 0 ] && [ "${BLOB_TEST_FUZZ:-1}" != 0 ]; then
    bash scripts/fuzz.sh
fi
if [ "$#" -eq 0 ] && [ "${BLOB_TEST_RELEASE:-1}" != 0 ]; then
    swift build -c release -Xswiftc -enable-testing --build-tests --scratch-path .build-reltest
    swift test --skip-build -c release -Xswiftc -enable-testing --scratch-path .build-reltest
fi
