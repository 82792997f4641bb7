#!/usr/bin/env bash
# Capacity of sharded search (issue 9): for 1, 2 and 4 shards, build the corpus in that many
# shards, then search in-process (kbq's engine) with every shard local, and with shards
# 1…N-1 served by xapian-tcpsrv on loopback. Prints one Markdown table.
#
#   Benchmarks/capacity.sh CORPUS QUERIES WORK [SHARDS...]     (default shards: 1 2 4)
#
# Uses .build-bench/release/kbq-bench (see the README). Figures only; nothing is asserted.
set -euo pipefail
corpus=$1 queries=$2 work=$3; shift 3
counts=("${@:-1 2 4}"); [ $# -gt 0 ] || counts=(1 2 4)
B=${KBQ_BENCH:-$(dirname "$0")/../.build-bench/release/kbq-bench}
per_mode=${PER_MODE:-300}
mkdir -p "$work"
servers=()
cleanup() { for p in "${servers[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# p50 / p99 / q/s from kbq-bench inproc's JSON.
summary() {
  python3 -c '
import json, sys
d = json.load(sys.stdin); l = sorted(d["lat"]); n = len(l)
pct = lambda p: l[min(n - 1, max(0, -(-int(p * n * 1000) // 1000) - 1))] / 1e6
print("p50 %.2f ms · p99 %.2f ms · %.0f q/s (n=%d, failed %d)" % (pct(.5), pct(.99), n / (d["wall"] / 1e9), n, d["failed"]))'
}

echo "| shards | build | index size | search | 1 thread | 16 threads |"
echo "|---:|---|---|---|---|---|"
for n in "${counts[@]}"; do
  index="$work/shards$n"
  rm -rf "$index"
  # The full output (corpus load, analysis alone, build) stays in $work/build$n.log.
  build=$("$B" build --corpus "$corpus" --out "$index" --shards "$n" 2>&1 | tee "$work/build$n.log" | grep 'build:' | sed 's/.*build: //')
  size=$(du -sh "$index" | cut -f1)
  modes=("local")
  remote=""
  if [ "$n" -gt 1 ]; then
    for ((i = 1; i < n; i++)); do
      port=$((24000 + RANDOM % 10000))
      # A session of its own (xapian-tcpsrv signals its whole group on exit), started from a
      # subshell so that this shell does not report the job when it is killed.
      servers+=($(setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$port" "$index/shard$i" >/dev/null 2>&1 & echo $!))
      remote+="${remote:+,}$i=127.0.0.1:$port"
    done
    sleep 1
    modes+=("remote")
  fi
  for mode in "${modes[@]}"; do
    args=(--index "$index" --queries "$queries" --total "$per_mode" --offset 200 --warmup 100)
    [ "$mode" = remote ] && args+=(--remote "$remote")
    one=$("$B" inproc "${args[@]}" --threads 1 | summary)
    many=$("$B" inproc "${args[@]}" --threads 16 | summary)
    label=$([ "$mode" = local ] && echo "all local" || echo "shard 0 local, $((n - 1)) via xapian-tcpsrv")
    echo "| $n | $build | $size | $label | $one | $many |"
  done
  cleanup; servers=()
done
