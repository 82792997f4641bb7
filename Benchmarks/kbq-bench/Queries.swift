import Foundation
import KBCorpus

/// `kbq-bench queries`: deterministic JSONL of /v1/search bodies drawn from a corpus.
enum Queries {
    static func run(corpus root: String, count: Int, out: String, seed: UInt64) throws {
        let corpus = try CorpusLoader(root: root).load()
        let entries = corpus.entries.sorted { $0.path < $1.path }
        guard !entries.isEmpty else { fail("no entries in \(root)") }
        let sets = corpus.glossary.sets.sorted { $0.id < $1.id }
        let zhHans = sets.compactMap { $0.terms["zh-Hans"] }.flatMap { $0 }
        let zhHant = sets.compactMap { $0.terms["zh-Hant"] }.flatMap { $0 }
        var byLangTerms: [String: [String]] = [:]
        for s in sets { for (l, ts) in s.terms { byLangTerms[l, default: []] += ts } }
        for l in byLangTerms.keys { byLangTerms[l]!.sort() }
        let countries = Set(entries.flatMap(\.markets)).filter { corpus.markets.countries[$0] != nil }.sorted()
        let markets = countries.isEmpty ? ["GLOBAL"] : countries
        let customerLangs = Set(entries.map(\.lang)).subtracting(["zh-Hans", "zh-Hant"]).sorted()
        let stages = ["pre-sale", "in-sale", "after-sale"]
        let categories = Set(entries.flatMap(\.categories)).sorted()
        let kinds = Kind.allCases.map(\.rawValue)

        var lines: [String] = []
        for i in 0..<count {
            var rng = SplitMix64(seed: seed, item: UInt64(i), stream: 7)
            var q: [String: Any] = ["limit": 10]
            let scenario = rng.below(100)
            if scenario < 45 {
                // A Chinese-speaking agent: Chinese keywords, the customer's market, reply language.
                let pool = rng.chance(0.2) && !zhHant.isEmpty ? zhHant : (zhHans.isEmpty ? entries.map(\.title) : zhHans)
                q["q"] = rng.pickSome(pool, rng.int(1...3)).joined(separator: " ")
                q["market"] = rng.pick(markets)
                if rng.chance(0.6) { q["reply_lang"] = rng.pick(customerLangs.isEmpty ? ["en"] : customerLangs) }
                if rng.chance(0.6) { q["stage"] = rng.pick(stages) }
                if rng.chance(0.5), !categories.isEmpty { q["categories"] = rng.pickSome(categories, rng.int(1...2)) }
            } else if scenario < 80 {
                // Keywords in the customer's language, taken from an entry of that language.
                let e = rng.pick(entries)
                var words = rng.pickSome(byLangTerms[e.lang] ?? [], rng.int(0...2))
                for t in rng.pickSome(e.tags, rng.int(1...2)) where !words.contains(t) { words.append(t) }
                if words.isEmpty { words = [String(e.title.prefix(24))] }
                q["q"] = words.joined(separator: " ")
                let c = e.markets.filter { countries.contains($0) }
                q["market"] = c.isEmpty ? rng.pick(markets) : rng.pick(c)
                if rng.chance(0.3) { q["reply_lang"] = e.lang }
                if rng.chance(0.4), let s = e.stage { q["stage"] = s }
                if rng.chance(0.4), !e.categories.isEmpty { q["categories"] = [rng.pick(e.categories)] }
            } else if scenario < 90 {
                // A pasted customer message: one sentence of an entry body.
                let e = rng.pick(entries)
                let ss = e.body.split(whereSeparator: { $0 == "\n" }).map(String.init).filter { $0.count > 15 && !$0.hasPrefix("#") }
                q["q"] = String((ss.isEmpty ? e.title : rng.pick(ss)).prefix(140))
                q["market"] = rng.pick(markets)
                if rng.chance(0.5) { q["reply_lang"] = e.lang }
            } else {
                // Rules or past cases only.
                let en = byLangTerms["en"] ?? zhHans
                q["q"] = rng.pickSome(en.isEmpty ? zhHans : en, rng.int(1...2)).joined(separator: " ")
                q["kinds"] = [rng.pick(["policy", "case", "taboo", "product"])]
                q["market"] = rng.pick(markets)
                if rng.chance(0.3) { q["kinds"] = rng.pickSome(kinds, 2) }
            }
            let data = try JSONSerialization.data(withJSONObject: q, options: [.sortedKeys, .withoutEscapingSlashes])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
        print("wrote \(count) queries to \(out) (seed \(seed))")
    }
}
