// kbq-eval: relevance evaluations through kbq's real index and query path.
//
//   kbq-eval xquad [--shared DIR] [--run FILE]   XQuAD monolingual retrieval, scored by
//                                                ../shared/bench/xquad/eval.py
//   kbq-eval judged [--queries FILE]             the judged query set over the bundled corpus,
//                                                nDCG@10 per category and overall
import Foundation
import KBCorpus
import KBSearch

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kbq-eval: \(message)\n".utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    defer { args.removeSubrange(i...(i + 1)) }
    return args[i + 1]
}

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let shared = option("--shared") ?? here.deletingLastPathComponent().appendingPathComponent("shared").path
let runPath = option("--run") ?? NSTemporaryDirectory() + "kbq-xquad-run.jsonl"
// Quick iterations: a sample of each language's queries, scored here (MRR@10) instead of by eval.py.
let sample = option("--sample").flatMap { Int($0) }
let rankingSettings = option("--ranking")
// The published baselines index paragraph bodies only; XQuAD's titles are the English
// article title in every language. --titles keeps them (kbq indexes titles normally).
let keepTitles = args.contains("--titles")
args.removeAll { $0 == "--titles" }
let onlyLangs = option("--langs")?.split(separator: ",").map(String.init)

let judgedFile = option("--queries") ?? here.appendingPathComponent("Benchmarks/judged/queries.jsonl").path

if args.first == "judged" {
    try Judged.run(queriesFile: judgedFile, corpus: here.appendingPathComponent("corpus").path, ranking: rankingSettings)
    exit(0)
}
guard args.first == "xquad" else { fail("usage: kbq-eval xquad [--shared DIR] [--run FILE] [--one-index] [--titles] [--langs L,…] [--sample N] [--ranking k=v,…] | kbq-eval judged [--queries FILE]") }

let bench = shared + "/bench/xquad"
guard FileManager.default.fileExists(atPath: bench + "/eval.py") else { fail("no XQuAD benchmark at \(bench)") }

struct XQuery: Decodable, Sendable { let qid: String; let lang: String; let query: String; let relevant: [String] }
var allQueries = try String(contentsOfFile: bench + "/queries.jsonl", encoding: .utf8)
    .split(separator: "\n").map { try JSONDecoder().decode(XQuery.self, from: Data($0.utf8)) }
if let onlyLangs { allQueries = allQueries.filter { q in onlyLangs.contains { q.lang.hasPrefix($0) } } }
if let sample {
    allQueries = Dictionary(grouping: allQueries, by: \.lang).values.flatMap { qs in
        stride(from: 0, to: qs.count, by: max(1, qs.count / sample)).map { qs[$0] }
    }.sorted { $0.qid < $1.qid }
}
let queries = allQueries

// The benchmark's protocol (and its baselines): one index per language, so that word
// statistics are those of that language. `--one-index` puts all twelve in one index, as
// kbqd would hold them: each language's common words then look rare (issue 4's analysis).
let oneIndex = args.contains("--one-index")
var corpus = try CorpusLoader(root: bench + "/corpus").load()
if !keepTitles { corpus.entries = corpus.entries.map { var e = $0; e.title = ""; return e } }
let groups: [(entries: [Entry], queries: [Int])] = oneIndex
    ? [(corpus.entries, Array(queries.indices))]
    : Dictionary(grouping: corpus.entries, by: \.lang).sorted { $0.key < $1.key }.map { lang, entries in
        (entries, queries.indices.filter { queries[$0].lang == lang })
    }.filter { !$0.queries.isEmpty }
let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
var indexed = 0, indexSeconds = 0.0
var ranked: [(Int, String, Double)] = []  // query index, run line, reciprocal rank
for group in groups {
    let indexPath = NSTemporaryDirectory() + "kbq-xquad-index-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: indexPath) }
    let clock = Date()
    var part = corpus
    part.entries = group.entries
    indexed += try Indexer().build(part, at: indexPath).documents
    indexSeconds += Date().timeIntervalSince(clock)
    ranked += concurrentMap(Array(0..<threads)) { worker -> [(Int, String, Double)] in
        guard let searcher = try? Searcher(path: indexPath) else { return [] }
        if let rankingSettings { do { try searcher.ranking.set(rankingSettings) } catch { fail("\(error)") } }
        return stride(from: worker, to: group.queries.count, by: threads).map { j in
            let i = group.queries[j], q = queries[i]
            var request = SearchRequest(q: q.query)
            request.lang = q.lang
            request.langs = [q.lang]
            request.facets = false
            let ranked = (try? searcher.search(request).results.map(\.id)) ?? []
            let line = try! JSONSerialization.data(withJSONObject: ["qid": q.qid, "ranked": ranked])
            let rank = ranked.prefix(10).firstIndex { q.relevant.contains($0) }
            return (i, String(decoding: line, as: UTF8.self), rank.map { 1.0 / Double($0 + 1) } ?? 0)
        }
    }.flatMap { $0 }
}
print(String(format: "indexed %d paragraphs in %d index(es) in %.1f s (%d problems)", indexed, groups.count, indexSeconds, corpus.problems.count))
let lines = ranked.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
guard lines.count == queries.count else { fail("some workers could not open the index") }
try (lines.map(\.0).joined(separator: "\n") + "\n").write(toFile: runPath, atomically: true, encoding: .utf8)
print(String(format: "searched %d queries on %d threads; run written to %@", queries.count, threads, runPath))

if sample != nil || onlyLangs != nil {
    let byLang = Dictionary(grouping: zip(queries, lines), by: { $0.0.lang })
    for (lang, rows) in byLang.sorted(by: { $0.key < $1.key }) {
        print(String(format: "%-8@ n=%4d  MRR@10 %.4f", lang, rows.count, rows.map(\.1.1).reduce(0, +) / Double(rows.count)))
    }
    print(String(format: "overall  n=%4d  MRR@10 %.4f (sample; the full run is scored by eval.py)",
                 lines.count, lines.map(\.1).reduce(0, +) / Double(lines.count)))
    exit(0)
}
let scorer = Process()
scorer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
scorer.arguments = ["python3", bench + "/eval.py", runPath]
try scorer.run()
scorer.waitUntilExit()
exit(scorer.terminationStatus)
