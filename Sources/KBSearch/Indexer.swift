import Foundation
import KBCorpus
import KBText
import Xapian

/// What an index run did.
public struct IndexReport: Codable, Sendable, Equatable {
    public var added = 0
    public var changed = 0
    public var removed = 0
    public var unchanged = 0
    public var documents = 0
    public var problems: [CorpusProblem] = []
    public var seconds = 0.0
}

/// Writes entries into a Xapian database: a full build into a new database, or an
/// incremental update of an existing one, in one commit either way.
public struct Indexer: Sendable {
    /// How many entries are analysed (in parallel) before the writer adds them.
    public var batchSize = 2_000
    /// Analysis threads; the writer is a single thread.
    public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Told how many entries have been written so far.
    public var progress: (@Sendable (Int) -> Void)?

    public init() {}

    /// Builds a new database at `path` from `corpus` (overwriting whatever is there).
    public func build(_ corpus: Corpus, at path: String) throws -> IndexReport {
        let start = Date()
        let db = try WritableDatabase(path: path, .createOrOverwrite)
        var report = IndexReport(problems: corpus.problems)
        try write(corpus.entries, to: db)
        report.added = corpus.entries.count
        try writeMetadata(corpus, to: db)
        for e in corpus.entries { try db.setMetadata(Schema.Metadata.hash(e.id), e.contentHash) }
        try db.commit()
        report.documents = try db.documentCount
        try db.close()
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Brings the database at `path` up to date with `corpus`: re-analyses only entries
    /// whose file changed, removes entries that are gone, all in one transaction, so a
    /// reader sees the old revision or the new one, never a mix.
    public func update(_ corpus: Corpus, at path: String) throws -> IndexReport {
        let start = Date()
        let db = try WritableDatabase(path: path, .open)
        let reader = try Database(path: path)
        var report = IndexReport(problems: corpus.problems)
        let existing = Set(try reader.terms(withPrefix: Schema.Prefix.id.rawValue).map { String($0.term.dropFirst()) })
        var toWrite: [Entry] = []
        for e in corpus.entries {
            if !existing.contains(e.id) {
                report.added += 1
                toWrite.append(e)
            } else if try reader.metadata(Schema.Metadata.hash(e.id)) != e.contentHash {
                report.changed += 1
                toWrite.append(e)
            } else {
                report.unchanged += 1
            }
        }
        let current = Set(corpus.entries.map(\.id))
        let gone = existing.subtracting(current).sorted()
        report.removed = gone.count
        try db.transaction {
            for id in gone {
                try db.delete(uniqueTerm: Schema.term(.id, id))
                try db.setMetadata(Schema.Metadata.hash(id), "")
            }
            try write(toWrite, to: db)
            for e in toWrite { try db.setMetadata(Schema.Metadata.hash(e.id), e.contentHash) }
            try writeMetadata(corpus, to: db)
        }
        report.documents = try db.documentCount
        try db.close()
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    private func write(_ entries: [Entry], to db: WritableDatabase) throws {
        var offset = 0
        while offset < entries.count {
            let batch = Array(entries[offset..<min(offset + batchSize, entries.count)])
            for plan in try analyze(batch) {
                try db.replace(uniqueTerm: Schema.term(.id, plan.id), with: try Self.document(plan))
                for (word, n) in plan.spellings { try db.addSpelling(word, frequency: Int(n)) }
            }
            offset += batch.count
            progress?(offset)
        }
    }

    /// Plans for `entries`, analysed on `threads` threads, each with its own Analyzer.
    func analyze(_ entries: [Entry]) throws -> [DocumentPlan] {
        let workers = min(threads, max(1, entries.count))
        let chunks = stride(from: 0, to: entries.count, by: (entries.count + workers - 1) / workers)
            .map { Array(entries[$0..<min($0 + (entries.count + workers - 1) / workers, entries.count)]) }
        let results = concurrentMap(chunks) { chunk -> Result<[DocumentPlan], Error> in
            Result { let a = try Analyzer(); return try chunk.map { try DocumentPlan(entry: $0, analyzer: a) } }
        }
        return try results.flatMap { try $0.get() }
    }

    static func document(_ plan: DocumentPlan) throws -> Document {
        let doc = Document()
        for (term, p) in plan.postings {
            if p.positions.isEmpty {
                try doc.addTerm(term, wdf: p.wdf)
            } else {
                // The first posting carries the extra wdf from field weights.
                let extra = p.wdf - UInt32(p.positions.count)
                for (i, pos) in p.positions.enumerated() {
                    try doc.addPosting(term, position: pos, wdf: i == 0 ? 1 + extra : 1)
                }
            }
        }
        for t in plan.booleans { try doc.addBooleanTerm(t) }
        for (slot, v) in plan.values { try doc.setValue(slot.rawValue, v) }
        try doc.setData(plan.data)
        return doc
    }

    private func writeMetadata(_ corpus: Corpus, to db: WritableDatabase) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        try db.setMetadata(Schema.Metadata.schema, Schema.version)
        try db.setMetadata(Schema.Metadata.built, ISO8601DateFormatter().string(from: Date()))
        try db.setMetadata(Schema.Metadata.corpus, corpus.root)
        try db.setMetadata(Schema.Metadata.markets, String(decoding: try enc.encode(MarketData(corpus.markets)), as: UTF8.self))
        try db.setMetadata(Schema.Metadata.glossary, String(decoding: try enc.encode(corpus.glossary.sets), as: UTF8.self))
        let langs = Set(corpus.entries.map(\.lang)).sorted()
        try db.setMetadata(Schema.Metadata.languages, String(decoding: try enc.encode(langs), as: UTF8.self))
    }
}

/// The market hierarchy as stored in the index metadata.
struct MarketData: Codable {
    var regions: [String: String]
    var countries: [String: [String]]
    var names: [String: String]

    init(_ m: MarketHierarchy) {
        regions = m.regions.mapValues(\.name)
        countries = m.countries.mapValues(\.regions)
        names = m.countries.mapValues(\.name)
    }

    var hierarchy: MarketHierarchy {
        MarketHierarchy(regions: regions.map { .init(code: $0.key, name: $0.value) },
                        countries: countries.map { .init(code: $0.key, name: names[$0.key] ?? $0.key, regions: $0.value) })
    }
}
