import Foundation
import KBCorpus
import KBText

/// Everything a Xapian document for one entry will hold, as plain values: analysis runs on
/// many threads and produces plans; the single writer turns plans into documents.
public struct DocumentPlan: Sendable {
    public var id: String
    public var hash: String
    /// Term → (wdf, positions).
    public var postings: [String: (wdf: UInt32, positions: [UInt32])] = [:]
    public var booleans: Set<String> = []
    public var values: [Schema.Slot: String] = [:]
    public var data: [UInt8] = []
    /// Words for Xapian's spelling table (typo correction), with their frequency.
    public var spellings: [String: UInt32] = [:]

    /// Field weights: a word in the title counts three times, in tags twice.
    static let titleWeight: UInt32 = 3, tagWeight: UInt32 = 2
    /// Terms and spelling words longer than this are left out (Xapian's limit is 245 bytes).
    static let maxTermBytes = 240
    /// Gap in positions between fields, so phrases do not match across them.
    static let fieldGap: UInt32 = 100

    public init(entry: Entry, analyzer: Analyzer) throws {
        id = entry.id
        hash = entry.contentHash
        var position: UInt32 = 0
        func add(_ text: String, lang: String?, weight: UInt32) throws {
            let analysis = try analyzer.analyze(text, language: lang)
            for w in analysis.words {
                let pos = position + UInt32(w.position)
                addPosting(Schema.term(.word, w.form), weight: weight, position: pos)
                if let s = w.stem { addPosting(Schema.term(.stem, s), weight: weight, position: nil) }
                if let f = w.folded { addPosting(Schema.term(.folded, f), weight: weight, position: nil) }
                // Xapian's spelling keys are limited like terms; a 300-letter "word" is no typo target.
                if w.script.foldsAccents, w.form.unicodeScalars.count >= 3, w.form.utf8.count <= Self.maxTermBytes {
                    spellings[w.form, default: 0] += 1
                }
            }
            for g in analysis.grams + analysis.subwordGrams { addPosting(Schema.term(.gram, g), weight: 1, position: nil) }
            position += UInt32(analysis.words.count) + Self.fieldGap
        }
        try add(entry.title, lang: entry.lang, weight: Self.titleWeight)
        try add(entry.body, lang: entry.lang, weight: 1)
        // Tags and patterns are often in another language than the entry (Chinese tags on a
        // German template): their language is detected from the script.
        for tag in entry.tags + entry.patterns { try add(tag, lang: nil, weight: Self.tagWeight) }

        booleans.insert(Schema.term(.id, entry.id))
        booleans.insert(Schema.term(.path, entry.path))
        booleans.insert(Schema.term(.kind, entry.kind.rawValue))
        booleans.insert(Schema.term(.lang, entry.lang))
        for m in entry.markets { booleans.insert(Schema.term(.market, m)) }
        if let s = entry.stage { booleans.insert(Schema.term(.stage, s)) }
        for c in entry.categories { booleans.insert(Schema.term(.category, c)) }
        for p in entry.platforms { booleans.insert(Schema.term(.platform, p)) }
        for c in entry.channels { booleans.insert(Schema.term(.channel, c)) }
        if let s = entry.severity { booleans.insert(Schema.term(.severity, s)) }
        for l in entry.productLines { booleans.insert(Schema.term(.productLine, l)) }
        if let g = entry.group { booleans.insert(Schema.term(.group, g)) }
        for t in entry.tags { booleans.insert(Schema.term(.tag, try UnicodeFolding.nfkcCasefold(t))) }
        // Xapian refuses terms over 245 bytes, and one such term would fail the whole build:
        // over-long values (a pasted URL as a tag, a very long path) are not filters anyone types.
        booleans = booleans.filter { $0.utf8.count <= Self.maxTermBytes }

        values[.id] = entry.id
        values[.kind] = entry.kind.rawValue
        values[.lang] = entry.lang
        values[.group] = entry.group ?? "id:" + entry.id
        values[.updated] = entry.updated ?? ""
        values[.markets] = entry.markets.joined(separator: ",")
        values[.categories] = entry.categories.joined(separator: ",")
        values[.stage] = entry.stage ?? ""
        values[.platforms] = entry.platforms.joined(separator: ",")
        values[.channels] = entry.channels.joined(separator: ",")
        values[.productLines] = entry.productLines.joined(separator: ",")
        data = Array(try JSONEncoder().encode(entry))
    }

    private mutating func addPosting(_ term: String, weight: UInt32, position: UInt32?) {
        // Xapian refuses terms over 245 bytes; such "words" (base64 blobs, URLs) are noise.
        guard term.utf8.count <= Self.maxTermBytes else { return }
        var p = postings[term] ?? (0, [])
        p.wdf += weight
        if let position { p.positions.append(position) }
        postings[term] = p
    }
}
