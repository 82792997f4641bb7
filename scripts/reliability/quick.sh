#!/usr/bin/env bash
# Quick reliability checks for CI (about 3 minutes on 2 cores): small versions of the soak,
# fault, fuzz and security tests in this folder. Fails if any of them fails.
#
#   scripts/reliability/quick.sh [--kbqd PATH] [--kbq PATH] [--work DIR]
#   KBQD=... KBQ=... WORK=... scripts/reliability/quick.sh
#
# Binaries default to .build/release, then PATH. Needs root (tmpfs mount, setpriv, prlimit),
# python3 (3.11+), xapian-check (xapian-tools) and systemd-analyze (for the exposure score).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kbqd=${KBQD:-} kbq=${KBQ:-} work=${WORK:-}
while [ $# -gt 0 ]; do
    case $1 in
        --kbqd) kbqd=$2; shift 2 ;;
        --kbq) kbq=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "usage: $0 [--kbqd PATH] [--kbq PATH] [--work DIR]" >&2; exit 64 ;;
    esac
done
if [ -z "$work" ]; then
    work=$(mktemp -d /tmp/kbq-quick.XXXXXX)
    chmod 755 "$work"   # security.py runs clients as nobody, who must reach the sockets
fi
mkdir -p "$work"
common=(--work "$work")
[ -n "$kbqd" ] && common+=(--kbqd "$kbqd")
[ -n "$kbq" ] && common+=(--kbq "$kbq")

failed=() summaries=()
step() {
    local name=$1; shift
    echo "=== $name: $*"
    local log="$work/$name.log"
    python3 "$here/$@" "${common[@]}" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    summaries+=("$(grep '^SUMMARY' "$log" | tail -1)")
    [ "$status" -eq 0 ] || failed+=("$name")
}

start=$SECONDS
step soak        soak.py --clients 4 --duration 30 --interval 15
step faults      faults.py --trials 3 --disconnects 100 --no-idle-check
step fuzz_http   fuzz_http.py --count 20000 --workers 2
step fuzz_corpus fuzz_corpus.py --files 2000 --rounds 2 --round-files 200 --big md --avoid-known
step security    security.py

echo
echo "=== quick.sh: $((SECONDS - start)) s, logs in $work"
printf '%s\n' "${summaries[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all passed"
