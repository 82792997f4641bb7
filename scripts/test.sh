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

# The speed benchmark's harness at 10,000 entries (release build): it must run end to end
# with no failed query, crash or failed reindex (kbq-bench exits 1 then). Its figures are
# printed for the record and never compared with a target here; BENCHMARKS.md has the runs.
swift build -c release --product kbqd --scratch-path .build-bench
swift build -c release --product kbq-bench --scratch-path .build-bench
bench_work=$(mktemp -d "${TMPDIR:-/tmp}/kbq-bench-ci.XXXXXX")
chmod 755 "$bench_work"   # the security checks run clients as nobody, who must reach the sockets
trap 'rm -rf "$bench_work"' EXIT
B=.build-bench/release/kbq-bench
$B generate --size 10000 --out "$bench_work/c10k" --seed 42
$B queries --corpus "$bench_work/c10k" --count 2000 --out "$bench_work/q10k.jsonl" --seed 42
$B run --corpus "$bench_work/c10k" --queries "$bench_work/q10k.jsonl" --work "$bench_work/run" \
  --per-mode 150 --warmup 30 --quick

# Quick versions of the reliability tests (soak, kill -9, full disk, damaged generations,
# connections, HTTP and corpus fuzzing, security), on the release binaries; the long runs
# are documented commands (docs/reliability.md).
swift build -c release --product kbq --scratch-path .build-bench
scripts/reliability/quick.sh --kbqd .build-bench/release/kbqd --kbq .build-bench/release/kbq --work "$bench_work/reliability"
