import Foundation
import Synchronization
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

    /// Builds a new database at `path` from `corpus` (overwriting whatever is there); with
    /// `shards` > 1, a folder of shard databases instead (see `Shards`).
    ///
    /// Xapian has one writer per database, and writing costs more than analysing. So a
    /// large corpus is split into `threads` parts, each analysed and written by its own
    /// thread into a database of its own beside `path`; the parts are then merged with
    /// Xapian's compaction (which also sums the spelling tables) and the shared metadata
    /// is written once. Shards are written the same way, one thread each, and not merged.
    public func build(_ corpus: Corpus, at path: String, shards: Int = 1) throws -> IndexReport {
        let start = Date()
        // A build frees hundreds of MiB of write buffers; glibc keeps freed memory for reuse
        // unless asked to give it back, and kbqd would then idle at the build's peak.
        defer { _ = malloc_trim(0) }
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
        let folders: [String]
        if shards > 1 {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            folders = (0..<shards).map { "\(path)/shard\($0)" }
            let written = folders.map { $0 + ".written" }
            defer { for w in written { try? fm.removeItem(atPath: w) } }
            let byShard = Dictionary(grouping: corpus.entries) { Shards.index(of: $0.id, count: shards) }
            // Every shard's spellings go to shard 0, which is always searched locally.
            let spellings = try writeParts((0..<shards).map { byShard[$0] ?? [] }, to: written, spellingsApart: true)
            let first = try WritableDatabase(path: written[0], .open)
            for (word, n) in spellings { try first.addSpelling(word, frequency: n) }
            try first.commit()
            try first.close()
            // Compacted like a single index: full B-tree blocks read faster and take less room.
            for (from, to) in zip(written, folders) { try Database(path: from).compact(to: to) }
        } else if corpus.entries.count < 2 * batchSize || threads < 2 {
            folders = [path]
            _ = try writeParts([corpus.entries], to: folders, spellingsApart: false)
        } else {
            folders = [path]
            let size = (corpus.entries.count + threads - 1) / threads
            let chunks = stride(from: 0, to: corpus.entries.count, by: size)
                .map { Array(corpus.entries[$0..<min($0 + size, corpus.entries.count)]) }
            let partPaths = chunks.indices.map { "\(path).part\($0)" }
            defer { for p in partPaths { try? fm.removeItem(atPath: p) } }
            _ = try writeParts(chunks, to: partPaths, spellingsApart: false)
            let all = Database()
            for p in partPaths { try all.add(try Database(path: p)) }
            try all.compact(to: path)
        }
        var report = IndexReport(problems: corpus.problems)
        report.added = corpus.entries.count
        for folder in folders {
            let db = try WritableDatabase(path: folder, .open)
            try writeMetadata(corpus, to: db)
            try db.commit()
            report.documents += try db.documentCount
            try db.close()
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Writes each chunk into a new database at the matching path, one thread each, and
    /// reports the total written to `progress`. With `spellingsApart`, spellings are
    /// returned (summed) instead of written.
    private func writeParts(_ chunks: [[Entry]], to paths: [String], spellingsApart: Bool) throws -> [String: Int] {
        let written = Mutex([Int](repeating: 0, count: chunks.count))
        let results = concurrentMap(Array(zip(chunks, paths).enumerated())) { item -> Result<[String: Int], Error> in
            let (i, (chunk, partPath)) = item
            return Result {
                let db = try WritableDatabase(path: partPath, .createOrOverwrite)
                let analyzer = try Analyzer()
                var spellings: [String: Int] = [:]
                for (n, entry) in chunk.enumerated() {
                    let plan = try DocumentPlan(entry: entry, analyzer: analyzer)
                    try add(plan, to: db, spellings: spellingsApart ? nil : db)
                    if spellingsApart { for (w, k) in plan.spellings { spellings[w, default: 0] += Int(k) } }
                    if (n + 1) % 500 == 0 || n + 1 == chunk.count {
                        progress?(written.withLock { $0[i] = n + 1; return $0.reduce(0, +) })
                    }
                }
                try db.commit()
                try db.close()
                return spellings
            }
        }
        var all: [String: Int] = [:]
        for r in results { for (w, k) in try r.get() { all[w, default: 0] += k } }
        return all
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
            var offset = 0
            while offset < toWrite.count {
                let batch = Array(toWrite[offset..<min(offset + batchSize, toWrite.count)])
                for plan in try analyze(batch) { try add(plan, to: db, spellings: db) }
                offset += batch.count
                progress?(offset)
            }
            try writeMetadata(corpus, to: db)
        }
        report.documents = try db.documentCount
        try db.close()
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Re-reads only the named entry files (corpus-relative paths) and updates their
    /// documents in one transaction: a file that is gone removes its entry, a file that
    /// now fails to parse keeps the entry it had, a file whose id another file already
    /// uses is left out. For the admin or editor who knows what changed: no walk over the
    /// corpus, so an edit is searchable at once whatever the corpus size.
    public func update(paths: [String], loader: CorpusLoader, at path: String) throws -> IndexReport {
        let start = Date()
        let (entries, missing, loaded) = loader.loadFiles(paths)
        var report = IndexReport(problems: loaded)
        let db = try WritableDatabase(path: path, .open)
        let reader = try Database(path: path)
        func stored(_ prefix: Schema.Prefix, _ value: String) throws -> Entry? {
            try reader.storedEntries(matching: try Query(term: Schema.term(prefix, value)), max: 1).first
        }
        var toWrite: [Entry] = [], toRemove: [Entry] = []
        for p in missing { if let old = try stored(.path, p) { toRemove.append(old) } }
        for e in entries {
            guard Schema.term(.path, e.path).utf8.count <= 240 else {
                report.problems.append(CorpusProblem(e.path, line: 1, "path too long to reindex by name: run an incremental reindex"))
                continue
            }
            let atPath = try stored(.path, e.path), withID = try stored(.id, e.id)
            if let other = withID, other.path != e.path {
                report.problems.append(CorpusProblem(e.path, line: 2, "duplicate id `\(e.id)`: also used by \(other.path); this file is left out"))
                continue
            }
            if withID != nil, try reader.metadata(Schema.Metadata.hash(e.id)) == e.contentHash { report.unchanged += 1; continue }
            if let old = atPath, old.id != e.id { toRemove.append(old) }
            if withID == nil { report.added += 1 } else { report.changed += 1 }
            toWrite.append(e)
        }
        report.removed = toRemove.count
        try db.transaction {
            for old in toRemove {
                try db.delete(uniqueTerm: Schema.term(.id, old.id))
                try db.setMetadata(Schema.Metadata.hash(old.id), "")
            }
            for plan in try analyze(toWrite) { try add(plan, to: db, spellings: db) }
            try db.setMetadata(Schema.Metadata.built, ISO8601DateFormatter().string(from: Date()))
        }
        report.documents = try db.documentCount
        try db.close()
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Adds (or replaces) the document for `plan` and its content hash; its spellings go to
    /// `spellings` (the same database unless the caller keeps them for another).
    private func add(_ plan: DocumentPlan, to db: WritableDatabase, spellings: WritableDatabase?) throws {
        try db.replace(uniqueTerm: Schema.term(.id, plan.id), with: try Self.document(plan))
        for (word, n) in plan.spellings { try spellings?.addSpelling(word, frequency: Int(n)) }
        try db.setMetadata(Schema.Metadata.hash(plan.id), plan.hash)
    }

    /// Plans for `entries`, analysed on `threads` threads, each with its own Analyzer.
    func analyze(_ entries: [Entry]) throws -> [DocumentPlan] {
        guard !entries.isEmpty else { return [] }
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

/// glibc's `malloc_trim` (in <malloc.h>, which Swift's Glibc module does not export).
@_silgen_name("malloc_trim") private func malloc_trim(_ pad: Int) -> Int32

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
