import Foundation
import KBCorpus
import KBSearch

/// The judged query set (Benchmarks/judged/queries.jsonl): keywords + scenario + graded
/// relevant ids, scored by nDCG@10 through the real query path.
enum Judged {
    struct Query: Decodable {
        let qid: String
        let q: String
        let lang: String?
        let market: String?
        let stage: String?
        let categories: [String]?
        let platform: String?
        let channel: String?
        let reply_lang: String?
        let kinds: [String]?
        let note: String?
        let relevant: [String: Int]

        /// The `[category]` tag at the start of the note.
        var category: String {
            guard let note, note.hasPrefix("["), let end = note.firstIndex(of: "]") else { return "other" }
            return String(note[note.index(after: note.startIndex)..<end])
        }

        var request: SearchRequest {
            var r = SearchRequest(q: q)
            r.lang = lang
            r.market = market
            r.stage = stage
            r.categories = categories ?? []
            r.platform = platform
            r.channel = channel
            r.replyLang = reply_lang
            r.kinds = (kinds ?? []).compactMap(Kind.init(rawValue:))
            r.limit = 10
            r.facets = false
            return r
        }
    }

    /// nDCG@10 with gains 2^grade − 1.
    static func ndcg(_ ranked: [String], _ relevant: [String: Int]) -> Double {
        func dcg(_ grades: [Int]) -> Double {
            grades.prefix(10).enumerated().reduce(0) { $0 + (pow(2, Double($1.element)) - 1) / log2(Double($1.offset) + 2) }
        }
        let ideal = dcg(relevant.values.sorted(by: >))
        return ideal > 0 ? dcg(ranked.map { relevant[$0] ?? 0 }) / ideal : 0
    }

    static func run(queriesFile: String, corpus root: String, ranking: String?) throws {
        let queries = try String(contentsOfFile: queriesFile, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(Query.self, from: Data($0.utf8)) }
        let path = NSTemporaryDirectory() + "kbq-judged-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let corpus = try CorpusLoader(root: root).load()
        _ = try Indexer().build(corpus, at: path)
        let searcher = try Searcher(path: path)
        if let ranking { do { try searcher.ranking.set(ranking) } catch { fail("\(error)") } }
        var byCategory: [String: [Double]] = [:]
        var worst: [(Double, String)] = []
        for q in queries {
            let ranked = try searcher.search(q.request).results.map(\.id)
            let score = ndcg(ranked, q.relevant)
            byCategory[q.category, default: []].append(score)
            worst.append((score, "\(q.qid) \(q.q.prefix(40))"))
        }
        print("category                n  nDCG@10")
        print("----------------------------------")
        for (c, scores) in byCategory.sorted(by: { $0.key < $1.key }) {
            print(String(format: "%-20@ %4d  %.4f", c, scores.count, scores.reduce(0, +) / Double(scores.count)))
        }
        let all = byCategory.values.flatMap { $0 }
        print("----------------------------------")
        print(String(format: "%-20@ %4d  %.4f", "overall", all.count, all.reduce(0, +) / Double(all.count)))
        print("lowest: " + worst.sorted { $0.0 < $1.0 }.prefix(8).map { String(format: "%@ (%.2f)", $0.1, $0.0) }.joined(separator: "; "))
    }
}
