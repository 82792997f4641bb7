#!/usr/bin/env bash
# The test suite under AddressSanitizer (and LeakSanitizer), in its own build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
swift test --sanitize=address --scratch-path .build-asan "$@"
