import Foundation
import Synchronization
import Testing
import KBCorpus
@testable import KBSearch

/// A full build split into parts (analysed and written by several threads, then merged by
/// Xapian's compaction) must give the same index as one writer.
@Suite struct IndexerTests {
    @Test func buildInPartsEqualsOneWriter() throws {
        var parts = Indexer()
        parts.threads = 3
        parts.batchSize = 10   // any corpus of 20 entries or more is built in parts
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-parts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try parts.build(Bundled.corpus, at: path)
        #expect(report.documents == Bundled.corpus.entries.count)
        for p in 0..<3 { #expect(!FileManager.default.fileExists(atPath: "\(path).part\(p)")) }

        let merged = try Searcher(path: path), single = try Bundled.searcher()
        #expect(try merged.counts(of: .kind) == single.counts(of: .kind))
        #expect(try merged.counts(of: .market) == single.counts(of: .market))
        for q in ["退货 运费", "Rückerstattung", "UK plug voltage", "返金", "warrenty"] {
            var r = SearchRequest(q: q)
            r.facets = false
            let a = try merged.search(r), b = try single.search(r)
            #expect(a.results.map(\.id) == b.results.map(\.id), "\(q)")
            #expect(a.query.corrections == b.query.corrections, "\(q)")   // spelling tables merged
        }
        // Content hashes travel with each part: nothing is re-analysed afterwards.
        let update = try parts.update(Bundled.corpus, at: path)
        #expect(update.unchanged == Bundled.corpus.entries.count && update.added == 0 && update.changed == 0)
        #expect(try merged.entry("pol-gb-consumer-contracts-cancellation")?.title == single.entry("pol-gb-consumer-contracts-cancellation")?.title)
    }

    /// Found by fuzzing: one 300-letter word or tag made Xapian refuse the whole build.
    @Test func overLongWordsAndTagsDoNotStopTheBuild() throws {
        var e = entry("long", "en", "Address change", "See https://example.com/" + String(repeating: "a", count: 300) + " for details.")
        e.tags = [String(repeating: "x", count: 300), "address change"]
        let s = try index([e, entry("other", "en", "Other", "nothing")])
        #expect(try s.ids("address").first == "long")
        #expect(try s.ids("details").first == "long")
    }

    @Test func statusCountsAreExactTermFrequencies() throws {
        let s = try Bundled.searcher()
        let byKind = Dictionary(grouping: Bundled.corpus.entries, by: \.kind.rawValue).mapValues(\.count)
        #expect(try s.counts(of: .kind) == byKind)
        let byLang = Dictionary(grouping: Bundled.corpus.entries, by: \.lang).mapValues(\.count)
        #expect(try s.counts(of: .lang) == byLang)
        #expect(try s.counts(of: .market)["DE"] == Bundled.corpus.entries.filter { $0.markets.contains("DE") }.count)
    }
}

/// A large generation is served first and checked in the background: a damaged one is then
/// replaced (here by a rebuild, there being no older generation).
@Suite struct ServedGenerationCheckTests {
    @Test func aDamagedServedGenerationIsRebuilt() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-verify-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let store = try IndexStore(dataDir: data)
        let (g, _) = try store.build(Bundled.corpus)
        try store.activate(g)
        let postlist = URL(fileURLWithPath: g.path + "/postlist.glass")
        var bytes = try Data(contentsOf: postlist)
        let block = bytes.count / 8192 / 2 * 8192
        bytes.replaceSubrange(block..<(block + 8192), with: Data(repeating: 0x5A, count: 8192))
        try bytes.write(to: postlist)
        #expect(store.isUsable(g) && !store.passesCheck(g), "damage the quick test misses")

        let pool = SearcherPool(size: 1, path: g.path, generation: g.name)
        let reindexer = Reindexer(corpusRoot: Bundled.corpusPath, store: store, pool: pool, maxBadFiles: 50)
        let log = Mutex<[String]>([])
        reindexer.verifyServing { line in log.withLock { $0.append(line) } }
        for _ in 0..<600 where reindexer.running != nil { usleep(100_000) }
        #expect(log.withLock { $0.first } == "generation \(g.name) fails Xapian's check")
        #expect(pool.generation != g.name)
        #expect(store.current.map(store.passesCheck) == true)
        #expect(try pool.withSearcher { try $0.documentCount } == Bundled.corpus.entries.count)
    }
}
