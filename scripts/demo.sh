#!/usr/bin/env bash
# The main job: install what is missing, build, index the bundled corpus, start kbqd on a
# socket, answer sample queries through it with the kbq client, then stop it.
#   scripts/demo.sh           run the demo and stop
#   scripts/demo.sh --serve   keep kbqd running in the foreground afterwards (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product kbqd
swift build -c release --product kbq
bin=$(swift build -c release --show-bin-path)

socket=${KBQ_SOCKET:-$PWD/data/kbq.sock}
export KBQ_SOCKET=$socket
mkdir -p data
"$bin/kbqd" --corpus corpus --data data --socket "$socket" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 600); do
  curl -sf --unix-socket "$socket" http://localhost/v1/ready >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "kbqd did not start" >&2; exit 1; }
  sleep 0.1
done

run() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
run "$bin/kbq" status
run "$bin/kbq" search 退货 运费 --market DE --limit 3
run "$bin/kbq" search 退款 --kind phrasing --reply-lang de --limit 2
run "$bin/kbq" search refnud --market GB --limit 2
printf '\n\033[1m$ curl --unix-socket %s "http://localhost/v1/search?q=插头&market=JP&limit=1"\033[0m\n' "$socket"
curl -s --unix-socket "$socket" "http://localhost/v1/search?q=%E6%8F%92%E5%A4%B4&market=JP&limit=1&facets=false" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(r["id"], "|", r["title"])'

if [ "${1:-}" = "--serve" ]; then
  echo; echo "kbqd is serving on $socket (Ctrl-C to stop)"
  wait $pid
fi
