#!/usr/bin/env python3
"""Soak: N clients search without pause for D seconds while a reindex runs every I seconds
(incremental and full in turn, after touching a corpus file). Fails on any failed request
(non-200 or transport error), any failed reindex, a reindex whose change is not served,
or RSS / open fds that keep growing.

    soak.py --kbqd K --kbq Q --work DIR [--corpus C] [--clients 16] [--duration 600] [--interval 60]
"""

import random
import time

import kbqlib
from kbqlib import log


def sample(daemon, label, samples):
    s = {"t": label, "rss_mb": round(daemon.rss_kb() / 1024, 1), "fds": daemon.fds()}
    samples.append(s)
    log(f"sample {label}: RSS {s['rss_mb']} MB, fds {s['fds']}")
    return s


def main():
    p = kbqlib.parser(__doc__)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--duration", type=float, default=600, help="seconds of load")
    p.add_argument("--interval", type=float, default=60, help="seconds between reindexes and samples")
    p.add_argument("--max-fd-growth", type=int, default=4, help="allowed growth of open fds, end vs start")
    p.add_argument("--max-rss-growth", type=float, default=0.2,
                   help="allowed RSS growth in the second half of the run (fraction, plus 32 MB)")
    args = p.parse_args()
    run = kbqlib.setup(args, "soak")
    report = kbqlib.Report("soak")
    corpus = kbqlib.copy_corpus(args.corpus, f"{run}/corpus")
    files = kbqlib.entry_files(corpus)
    ids = kbqlib.entry_ids(corpus)
    words = kbqlib.corpus_words(corpus)
    daemon = kbqlib.Daemon(args.kbqd, corpus, f"{run}/data", f"{run}/kbq.sock", f"{run}/kbqd.log")
    t0 = time.monotonic()
    daemon.start()
    log(f"kbqd {daemon.pid} ready in {time.monotonic() - t0:.1f} s ({len(ids)} entries)")

    load = kbqlib.Load(daemon.sock, args.clients, args.seed, words, ids).start()
    samples = []
    time.sleep(min(5, args.duration / 4))
    start = sample(daemon, "start", samples)

    rng = random.Random(args.seed)
    admin = daemon.client(timeout=120)
    reindexes, n = [], 0
    begin = time.monotonic()
    while True:
        next_at = begin + (n + 1) * args.interval
        if next_at > begin + args.duration:
            break
        time.sleep(max(0, next_at - time.monotonic()))
        n += 1
        full = n % 2 == 0
        path = rng.choice(files)
        kbqlib.touch_entry(path, f"soak {n}")
        try:
            task = kbqlib.reindex(admin, full)
        except Exception as e:
            report.fail(f"reindex {n}: {type(e).__name__}: {e}")
            continue
        reindexes.append(task)
        kind = "full" if full else "incremental"
        secs = task.get("report", {}).get("seconds", 0)
        log(f"reindex {n} {kind}: {task['state']} in {secs:.1f} s → {task.get('generation')}")
        if report.check(task["state"] == "succeeded", f"reindex {n} ({kind}) {task['state']}: {task.get('error')}"):
            entry_id = kbqlib.entry_ids_of([path])[0]
            raw = admin.get(f"/v1/entries/{entry_id}?raw=1")
            report.check(raw.status == 200 and f"soak {n}".encode() in raw.body,
                         f"reindex {n}: the change to {entry_id} is not served")
        sample(daemon, f"{time.monotonic() - begin:.0f}s", samples)
    time.sleep(max(0, begin + args.duration - time.monotonic()))
    end = sample(daemon, "end", samples)
    load.stop()
    admin.close()
    time.sleep(1)
    after = sample(daemon, "after clients left", samples)

    report.check(daemon.alive(), "kbqd died")
    for e in load.errors[:20]:
        report.fail(e)
    report.check(load.failed == 0, f"{load.failed} failed requests")
    report.check(end["fds"] <= start["fds"] + args.max_fd_growth, f"open fds grew from {start['fds']} to {end['fds']}")
    middle = samples[len(samples) // 2]
    limit = middle["rss_mb"] * (1 + args.max_rss_growth) + 32
    report.check(end["rss_mb"] <= limit, f"RSS grew from {middle['rss_mb']} MB (middle) to {end['rss_mb']} MB (limit {limit:.0f})")
    report.set(seconds=round(time.monotonic() - begin), clients=args.clients, requests=load.ok + load.failed,
               failed_requests=load.failed, reindexes=len(reindexes),
               reindex_failures=sum(t["state"] != "succeeded" for t in reindexes),
               p50_ms=load.percentile_ms(0.5), p99_ms=load.percentile_ms(0.99),
               rss_start_mb=start["rss_mb"], rss_end_mb=end["rss_mb"], fds_start=start["fds"], fds_end=end["fds"],
               fds_after=after["fds"])
    status = daemon.stop()
    report.check(status == 0, f"kbqd exit status after SIGTERM: {status}")
    kbqlib.cleanup(args)
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
