/// Counts by kind, language and market: what `kbq validate` and `/v1/status` print.
public struct CorpusSummary: Codable, Sendable, Equatable {
    public var entries: Int
    public var byKind: [String: Int]
    public var byLang: [String: Int]
    public var byMarket: [String: Int]
    public var groups: Int
    public var glossarySets: Int
    public var countries: Int
    public var errors: Int
    public var warnings: Int

    enum CodingKeys: String, CodingKey {
        case entries, byKind = "by_kind", byLang = "by_lang", byMarket = "by_market", groups
        case glossarySets = "glossary_sets", countries, errors, warnings
    }

    public init(_ corpus: Corpus) {
        entries = corpus.entries.count
        byKind = Dictionary(grouping: corpus.entries, by: \.kind.rawValue).mapValues(\.count)
        byLang = Dictionary(grouping: corpus.entries, by: \.lang).mapValues(\.count)
        byMarket = corpus.entries.flatMap(\.markets).reduce(into: [:]) { $0[$1, default: 0] += 1 }
        groups = Set(corpus.entries.compactMap(\.group)).count
        glossarySets = corpus.glossary.sets.count
        countries = corpus.markets.countries.count
        errors = corpus.errors.count
        warnings = corpus.problems.count - errors
    }
}
