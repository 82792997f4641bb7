// kbq-bench: speed and memory of kbq on synthetic corpora.
//
//   kbq-bench generate --size N --out DIR [--seed S] [--from CORPUS]
//       a deterministic corpus recombined from the bundled one (same seed → same bytes)
//   kbq-bench queries --corpus DIR --count N --out FILE [--seed S]
//       deterministic JSONL of /v1/search bodies drawn from the corpus's vocabulary
//   kbq-bench run --corpus DIR --queries FILE [--kbqd PATH] [--work DIR] [--per-mode N]
//                 [--warmup N] [--clients N] [--keep] [--reuse-data] [--quick] [--no-compare]
//       index build, kbqd start, latency over the socket, in-process and raw Xapian, SQLite
//       FTS5 and Tantivy on the same queries, reindexes; one table
//   kbq-bench build --corpus DIR --out DIR [--shards N]
//       a full build alone (profiling, capacity)
//   kbq-bench inproc --index DIR --queries FILE [--threads N] [--total N] [--remote 1=host:port,…]
//       searches in-process on an index (its shards, some through xapian-tcpsrv); JSON latencies
import Foundation

var args = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    defer { args.removeSubrange(i...(i + 1)) }
    return args[i + 1]
}
@MainActor func flag(_ name: String) -> Bool {
    guard let i = args.firstIndex(of: name) else { return false }
    args.remove(at: i)
    return true
}
@MainActor func int(_ name: String, _ def: Int) -> Int {
    guard let v = option(name) else { return def }
    guard let n = Int(v.replacingOccurrences(of: "_", with: "")), n >= 0 else { fail("\(name) wants a number, not \(v)") }
    return n
}

let usage = """
usage: kbq-bench generate --size N --out DIR [--seed S] [--from CORPUS]
       kbq-bench queries --corpus DIR --count N --out FILE [--seed S]
       kbq-bench run --corpus DIR --queries FILE [--kbqd PATH] [--work DIR] [--per-mode N] [--warmup N] [--clients N] [--keep] [--reuse-data] [--quick] [--no-compare]
       kbq-bench build --corpus DIR --out DIR [--shards N]
       kbq-bench inproc --index DIR --queries FILE [--threads N] [--total N] [--offset N] [--warmup N]
                        [--ranking k=v,...] [--raw] [--remote 1=host:port,2=host:port]
"""
let command = args.first ?? ""
if !args.isEmpty { args.removeFirst() }
let seed = UInt64(int("--seed", 42))

switch command {
case "generate":
    let size = int("--size", -1), out = option("--out"), from = option("--from") ?? repoRoot.appendingPathComponent("corpus").path
    guard size > 0, let out, args.isEmpty else { fail(usage) }
    try Generate.run(size: size, out: out, seed: seed, from: from)
case "queries":
    let count = int("--count", -1)
    guard count > 0, let corpus = option("--corpus"), let out = option("--out"), args.isEmpty else { fail(usage) }
    try Queries.run(corpus: corpus, count: count, out: out, seed: seed)
case "run":
    var o = Run.Options()
    guard let corpus = option("--corpus"), let queries = option("--queries") else { fail(usage) }
    o.corpus = URL(fileURLWithPath: corpus).standardizedFileURL.path
    o.queries = queries
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    o.kbqd = option("--kbqd") ?? me.deletingLastPathComponent().appendingPathComponent("kbqd").path
    o.work = option("--work") ?? NSTemporaryDirectory() + "kbq-bench-\(getpid())"
    o.perMode = int("--per-mode", 2_000)
    o.warmup = int("--warmup", 200)
    o.clients = max(1, int("--clients", 16))
    o.keep = flag("--keep")
    o.reuse = flag("--reuse-data")
    o.quick = flag("--quick")
    o.compare = !flag("--no-compare")
    if o.reuse { o.keep = true }
    guard args.isEmpty else { fail("unknown arguments \(args)\n" + usage) }
    guard FileManager.default.isExecutableFile(atPath: o.kbqd) else { fail("no kbqd at \(o.kbqd) (build it or pass --kbqd)") }
    try await Run.run(o)
case "build":
    // A full build alone, in-process: for profiling the indexer.
    guard let corpus = option("--corpus"), let out = option("--out") else { fail(usage) }
    try Run.buildOnly(corpus: corpus, out: out, shards: max(1, int("--shards", 1)))
case "inproc":
    // Internal: one in-process mode for `run`, in a child process.
    guard let index = option("--index"), let queries = option("--queries") else { fail(usage) }
    try Run.child(index: index, queries: queries, threads: int("--threads", 1), total: int("--total", 1_000),
                  offset: int("--offset", 0), warmup: int("--warmup", 0), ranking: option("--ranking"), raw: flag("--raw"),
                  remote: option("--remote"))
default:
    fail(usage)
}
