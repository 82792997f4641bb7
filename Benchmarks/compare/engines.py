#!/usr/bin/env python3
"""Measure SQLite FTS5 and Tantivy on kbq-bench's corpus and queries; print one JSON object.

Usage:
  python3 Benchmarks/compare/engines.py --corpus DIR --queries FILE --work DIR
      [--engines fts5,tantivy] [--clients 1,16] [--per-mode 2000] [--warmup 200] [--offset 200]
      [--max-entries N] [--smoke]

Per engine: a full index build from scratch in WORK/<engine> (in a fresh child process, so its
peak RSS is the build's own), then search latency and throughput at each client count.
Per client mode: n, p50/p99/p99.9, mean, qps, failed, empty (queries with no hit) and p50/p99 over
the queries that had hits (an engine that misses many queries looks fast otherwise).
JSON goes to stdout, progress to stderr. Exit status 1 on a real failure (a build or worker
exception, failed queries, or no hit for any query).

Analysis choices (repeated in each engine's "notes" in the output):
- Both engines index title and body as two full-text fields and store id, title and body;
  ranking is each engine's BM25 with equal field weights (kbq weights titles x3).
- The query text is split into words = maximal runs of Unicode letters, digits and combining
  marks (marks must stay inside words or Thai and Devanagari words fall apart). Distinct words
  are ORed, as kbq ORs words. Scenario fields of the query lines (market, reply_lang,
  categories, ...) are ignored: these engines have no scenario model.
- FTS5: the `trigram` tokenizer (case-folded), because unicode61 cannot split Chinese, Japanese
  or Thai. Each word of >= 3 characters becomes a quoted string, i.e. a substring match;
  shorter words are dropped because trigram cannot match them through the index (LIKE would
  scan every row). Most Chinese words are 2 characters, so this costs Chinese recall; the
  counts are in the notes. Hits are ordered by `rank` (bm25), snippet() marks the matches
  (at most 64 trigram tokens, about 66 characters). Read connections use mmap.
- Tantivy: ngram(2,3) tokenizer + lowercase for title and body (the "tantivy ngram(2,3)"
  baseline of ../shared/bench/xquad). Each word is analysed by that same analyzer and the
  distinct n-grams become Should TermQuery clauses on both fields (so n-grams spanning two
  words are not in the query). Top-k without counting all matches (count=False), which lets
  tantivy prune. SnippetGenerator (240 bytes, as kbq's snippet budget) marks the matches.
- Latency = perf_counter_ns around one query: analysis, search, fetching id/title of the top
  `limit` hits and one snippet per hit. Percentiles are exact nearest-rank over all samples
  (the same formula as kbq-bench). Throughput = queries / wall time from the barrier release
  to the last worker's end. N clients = N processes (threads would serialize on the GIL), each
  with its own connection/searcher, each warmed up with the warm-up queries, then all released
  together by a barrier; they draw queries from one shared counter (closed loop).
- Queries are used as kbq-bench uses them: warm-up = lines 0..warmup-1, the k-th client mode
  measures per-mode lines starting at offset + k * per-mode (wrapping around the file).
"""

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import queue
import resource
import sqlite3
import sys
import time
import unicodedata
from importlib import metadata

SMOKE_ENTRIES, SMOKE_QUERIES, SMOKE_CLIENTS = 300, 50, [1, 2]
FTS5_MIN_WORD = 3      # trigram cannot match anything shorter through the index
TANTIVY_NGRAM = (2, 3)
SNIPPET_BYTES = 240    # kbq's SnippetMaker budget


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- corpus and queries

def corpus_files(root):
    """Markdown files under root, sorted, skipping folders that start with `_` (like kbq)."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith("_")]
        out += [os.path.join(folder, f) for f in files if f.endswith(".md")]
    return sorted(out)


def front_matter_value(raw):
    """A scalar YAML value: double-quoted values are JSON-compatible strings in this corpus."""
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            return json.loads(raw)
        except ValueError:
            return raw.strip('"')
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    return raw


def read_entry(path):
    """(id, title, lang, body) of one `---` front matter + Markdown body file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.startswith("---"):
        raise ValueError(f"{path}: no front matter")
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError(f"{path}: front matter not closed")
    fields = {}
    for line in text[3:end].splitlines():
        # Only top-level `key: value` lines; id/title/lang are never nested or multi-line here.
        key, sep, value = line.partition(":")
        if sep and key in ("id", "title", "lang"):
            fields[key] = front_matter_value(value)
    body = text[end + 4:]
    body = body[body.find("\n") + 1:] if "\n" in body else ""
    return fields.get("id", os.path.basename(path)[:-3]), fields.get("title", ""), fields.get("lang", ""), body


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return [(q["q"], int(q.get("limit", 10))) for q in lines]


def query_words(text):
    """Distinct words of a query: maximal runs of letters, digits and combining marks."""
    words, current = [], []
    for ch in text:
        if unicodedata.category(ch)[0] in "LNM":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return list(dict.fromkeys(words))


# ---------------------------------------------------------------- SQLite FTS5

class FTS5:
    name = "fts5"
    config = f"trigram tokenizer on title+body, OR of quoted words >= {FTS5_MIN_WORD} chars, bm25 rank, snippet()"

    @staticmethod
    def build(entries, folder):
        db = sqlite3.connect(os.path.join(folder, "index.db"))
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='trigram')")
        with db:  # one transaction for the whole load
            db.executemany("INSERT INTO docs(id, title, body) VALUES (?, ?, ?)",
                           ((e[0], e[1], e[3]) for e in entries))
        with db:  # merge the segment b-trees into one, as a finished index should be
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.close()

    @staticmethod
    def match_expression(text):
        words = [w for w in query_words(text) if len(w) >= FTS5_MIN_WORD]
        return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)

    def __init__(self, folder):
        uri = "file:" + os.path.join(folder, "index.db") + "?mode=ro"
        self.db = sqlite3.connect(uri, uri=True)
        self.db.execute("PRAGMA mmap_size = 4294967296")

    def search(self, text, limit):
        expr = self.match_expression(text)
        if not expr:
            return []  # no word trigram can match: nothing to search for
        return self.db.execute(
            "SELECT id, title, snippet(docs, 2, '<b>', '</b>', '…', 64) FROM docs "
            "WHERE docs MATCH ? ORDER BY rank LIMIT ?", (expr, limit)).fetchall()

    @staticmethod
    def query_notes(queries):
        words = [query_words(q) for q, _ in queries]
        lost = sum(1 for ws in words if any(len(w) < FTS5_MIN_WORD for w in ws))
        nothing = sum(1 for ws in words if not any(len(w) >= FTS5_MIN_WORD for w in ws))
        distinct = {w for ws in words for w in ws}
        short = {w for w in distinct if len(w) < FTS5_MIN_WORD}
        return [f"query file: {lost} of {len(queries)} queries lose at least one word shorter than "
                f"{FTS5_MIN_WORD} characters (trigram cannot match it); {nothing} have no word left and "
                f"return nothing without searching; {len(short)} of {len(distinct)} distinct words dropped, "
                f"e.g. {', '.join(sorted(short, key=lambda w: (-sum(w in ws for ws in words), w))[:8])}"]


# ---------------------------------------------------------------- Tantivy

class Tantivy:
    name = "tantivy"
    config = (f"ngram{TANTIVY_NGRAM} + lowercase on title+body, Should TermQuery per distinct n-gram "
              f"of each query word on both fields, BM25, top-k without count, SnippetGenerator")

    @staticmethod
    def analyzer():
        import tantivy
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(*TANTIVY_NGRAM, False))
                .filter(tantivy.Filter.lowercase()).build())

    @staticmethod
    def schema():
        import tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="ngram")
        sb.add_text_field("body", stored=True, tokenizer_name="ngram")
        return sb.build()

    @classmethod
    def build(cls, entries, folder):
        import tantivy
        index = tantivy.Index(cls.schema(), path=folder, reuse=False)
        index.register_tokenizer("ngram", cls.analyzer())
        writer = index.writer()  # default heap (128 MB) and thread count
        for e in entries:
            writer.add_document(tantivy.Document(id=e[0], title=e[1], body=e[3]))
        writer.commit()
        writer.wait_merging_threads()

    def __init__(self, folder):
        import tantivy
        self.tantivy = tantivy
        self.index = tantivy.Index.open(folder)
        self.analyze = self.analyzer()
        self.index.register_tokenizer("ngram", self.analyze)  # the snippet generator needs it
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def search(self, text, limit):
        t, searcher = self.tantivy, self.searcher
        grams = list(dict.fromkeys(g for w in query_words(text) for g in self.analyze.analyze(w)))
        if not grams:
            return []
        query = t.Query.boolean_query([(t.Occur.Should, t.Query.term_query(self.schema, field, g))
                                       for field in ("title", "body") for g in grams])
        hits = searcher.search(query, limit, count=False).hits
        if not hits:
            return []
        snippets = t.SnippetGenerator.create(searcher, query, self.schema, "body")
        snippets.set_max_num_chars(SNIPPET_BYTES)
        out = []
        for _score, address in hits:
            doc = searcher.doc(address)
            out.append((doc.get_first("id"), doc.get_first("title"), snippets.snippet_from_doc(doc).to_html()))
        return out

    @staticmethod
    def query_notes(queries):
        words = [query_words(q) for q, _ in queries]
        nothing = sum(1 for ws in words if not any(len(w) >= TANTIVY_NGRAM[0] for w in ws))
        return [f"query file: {nothing} of {len(queries)} queries have no word of >= {TANTIVY_NGRAM[0]} "
                f"characters (no n-gram) and return nothing without searching; 1-character words "
                f"(e.g. a single Han character) have no n-gram and are dropped"]


ENGINES = {e.name: e for e in (FTS5, Tantivy)}


# ---------------------------------------------------------------- build (child process)

def peak_rss_mib():
    """This process's peak resident set (VmHWM), in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_child(engine_name, corpus, folder, max_entries, out):
    """Runs in a fresh (spawned) process: read + parse the corpus and build the index."""
    try:
        t0 = time.perf_counter()
        files = corpus_files(corpus)
        if max_entries:
            files = files[:max_entries]
        if not files:
            raise ValueError(f"no .md files under {corpus}")
        entries = [read_entry(p) for p in files]
        ENGINES[engine_name].build(entries, folder)
        seconds = time.perf_counter() - t0
        out.put({"entries": len(entries), "seconds": round(seconds, 3),
                 "entries_per_s": round(len(entries) / seconds, 1), "peak_rss_mib": round(peak_rss_mib(), 1)})
    except BaseException as e:  # report, the parent decides
        out.put({"error": f"{type(e).__name__}: {e}"})


def collect(out, procs):
    """One message per process from `out`; raises if a process dies without sending one (e.g. OOM kill)."""
    got = []
    while len(got) < len(procs):
        try:
            got.append(out.get(timeout=1))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a child process died with exit code {dead[0]}")
    for p in procs:
        p.join()
    return got


def folder_mib(folder):
    total = 0
    for d, _, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    return total / 2**20


def build(engine_name, corpus, folder, max_entries):
    if os.path.exists(folder) and os.listdir(folder):
        raise SystemExit(f"{folder} is not empty; give a fresh --work folder")
    os.makedirs(folder, exist_ok=True)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=build_child, args=(engine_name, corpus, folder, max_entries, out))
    child.start()
    result = collect(out, [child])[0]
    if "error" in result:
        raise RuntimeError(f"{engine_name} build failed: {result['error']}")
    result["index_mib"] = round(folder_mib(folder), 1)
    return result


# ---------------------------------------------------------------- search (worker processes)

def search_worker(engine_name, folder, warmup, measured, counter, barrier, out):
    """One client: own connection/searcher, warm-up, barrier, then queries from the shared counter."""
    lat, lat_hits, failed, empty, errors = [], [], 0, 0, []
    start = end = 0
    try:
        engine = ENGINES[engine_name](folder)
        for text, limit in warmup:
            engine.search(text, limit)
        barrier.wait(timeout=3600)
        start = time.monotonic_ns()  # CLOCK_MONOTONIC: comparable across processes
        while True:
            with counter.get_lock():
                i = counter.value
                counter.value += 1
            if i >= len(measured):
                break
            text, limit = measured[i]
            t0 = time.perf_counter_ns()
            try:
                hits = engine.search(text, limit)
            except Exception as e:
                failed += 1
                errors.append(f"{type(e).__name__}: {e}")
                continue
            dt = time.perf_counter_ns() - t0
            lat.append(dt)
            if hits:
                lat_hits.append(dt)
            else:
                empty += 1
        end = time.monotonic_ns()
    except BaseException as e:
        errors.append(f"worker: {type(e).__name__}: {e}")
        try:
            barrier.abort()  # do not leave the other workers waiting
        except Exception:
            pass
    out.put({"lat": lat, "lat_hits": lat_hits, "failed": failed, "empty": empty, "errors": errors[:3],
             "start": start, "end": end})


def percentile_ms(sorted_ns, p):
    """Exact nearest rank, the same formula as kbq-bench (rank = ceil(p * n))."""
    rank = min(max(math.ceil(p * len(sorted_ns)), 1), len(sorted_ns))
    return round(sorted_ns[rank - 1] / 1e6, 4)


def run_mode(engine_name, folder, clients, warmup, measured):
    ctx = mp.get_context("spawn")  # fresh interpreters: no inherited tantivy/sqlite state
    counter, barrier, out = ctx.Value("l", 0), ctx.Barrier(clients), ctx.Queue()
    workers = [ctx.Process(target=search_worker,
                           args=(engine_name, folder, warmup, measured, counter, barrier, out))
               for _ in range(clients)]
    for w in workers:
        w.start()
    parts = collect(out, workers)
    errors = [e for p in parts for e in p["errors"]]
    if any(e.startswith("worker:") for e in errors):
        raise RuntimeError(f"{engine_name} search worker failed: {errors[0]}")
    lat = sorted(x for p in parts for x in p["lat"])
    failed = sum(p["failed"] for p in parts)
    wall_ns = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    stats = {"clients": clients, "n": len(lat), "failed": failed, "empty": sum(p["empty"] for p in parts)}
    if lat:
        stats.update(p50_ms=percentile_ms(lat, 0.50), p99_ms=percentile_ms(lat, 0.99),
                     p999_ms=percentile_ms(lat, 0.999), mean_ms=round(sum(lat) / len(lat) / 1e6, 4),
                     qps=round(len(lat) / (wall_ns / 1e9), 1))
    # An engine that misses many queries looks fast; also give the percentiles of queries with hits.
    hits = sorted(x for p in parts for x in p["lat_hits"])
    if hits:
        stats.update(p50_with_hits_ms=percentile_ms(hits, 0.50), p99_with_hits_ms=percentile_ms(hits, 0.99))
    if errors:
        stats["errors"] = errors[:3]
    return stats


def query_slice(queries, start, n):
    return [queries[(start + i) % len(queries)] for i in range(n)]


# ---------------------------------------------------------------- main

def machine_info():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "tantivy_py": metadata.version("tantivy"), "platform": platform.platform(),
            "cpu": cpu, "cores": os.cpu_count(), "loadavg_start": list(os.getloadavg())}


def common_notes(args, n_queries):
    return [f"scenario fields of the query lines (market, reply_lang, categories, ...) are ignored; only q and limit are used",
            f"{args.warmup} warm-up queries (lines 0..{args.warmup - 1}) per client process before the barrier; "
            f"client mode k measures {args.per_mode} queries from line {args.offset} + k*{args.per_mode} "
            f"(mod {n_queries}), as kbq-bench does",
            "latency includes query analysis in Python, the search, id/title fetch and one snippet per hit; "
            "build time includes reading and parsing the Markdown files; peak RSS includes the Python interpreter",
            "title and body indexed, equal field weights (kbq weights titles x3); 'empty' = queries with no hit, "
            "p50/p99_with_hits_ms = percentiles over the queries that returned at least one hit"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--work", required=True, help="fresh folder; indexes go to WORK/<engine>")
    ap.add_argument("--engines", default="fts5,tantivy")
    ap.add_argument("--clients", default="1,16")
    ap.add_argument("--per-mode", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--offset", type=int, default=200)
    ap.add_argument("--max-entries", type=int, default=0, help="index only the first N files (0 = all)")
    ap.add_argument("--smoke", action="store_true",
                    help=f"tiny run for CI: {SMOKE_ENTRIES} entries, {SMOKE_QUERIES} queries, clients 1,2")
    args = ap.parse_args()
    if args.smoke:
        args.max_entries, args.per_mode, args.warmup, args.offset = SMOKE_ENTRIES, SMOKE_QUERIES, 10, 10
        args.clients = ",".join(map(str, SMOKE_CLIENTS))
    engines = [ENGINES[e] for e in args.engines.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    queries = read_queries(args.queries)
    if not queries:
        raise SystemExit("no queries")
    machine = machine_info()
    warmup = query_slice(queries, 0, args.warmup)

    results, problems = [], []
    for engine in engines:
        folder = os.path.join(args.work, engine.name)
        log(f"[{engine.name}] building {folder} ...")
        b = build(engine.name, args.corpus, folder, args.max_entries)
        log(f"[{engine.name}] build: {b}")
        modes = []
        for k, c in enumerate(clients):
            measured = query_slice(queries, args.offset + k * args.per_mode, args.per_mode)
            s = run_mode(engine.name, folder, c, warmup, measured)
            log(f"[{engine.name}] {c} client(s): {s}")
            modes.append(s)
            if s["failed"]:
                problems.append(f"{engine.name}: {s['failed']} failed queries at {c} clients: {s.get('errors')}")
            if s["empty"] >= s["n"]:
                problems.append(f"{engine.name}: no hit for any query at {c} clients")
        results.append({"engine": engine.name, "config": engine.config, "build": b, "search": modes,
                        "notes": engine.query_notes(queries) + common_notes(args, len(queries))})

    machine["loadavg_end"] = list(os.getloadavg())
    print(json.dumps({"machine": machine, "corpus": os.path.abspath(args.corpus),
                      "queries": os.path.abspath(args.queries), "engines": results},
                     ensure_ascii=False, indent=1))
    for p in problems:
        log("FAILED: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
