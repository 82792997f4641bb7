#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test (unit and
# integration: the real kbqd on temporary sockets), checks the systemd units, and prints
# the relevance evaluations (scores are printed, never asserted against a timing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift build --product kbq-eval
swift test --skip-build
bash systemd/check.sh
# Relevance of the bundled corpus on the judged query set (printed, not asserted).
swift run --skip-build kbq-eval judged
