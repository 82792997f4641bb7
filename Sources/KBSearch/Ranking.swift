/// How the scenario shapes the ranking. Text relevance comes first (BM25, normalised to
/// 0…1 over the candidates); each scenario field that an entry matches adds a fixed boost.
/// docs/ranking.md explains the numbers; `strict` turns stage, categories, platform,
/// channel and product line into filters instead.
public struct Ranking: Sendable, Equatable {
    /// The entry names the agent's country (DE for market DE).
    public var marketCountry = 0.6
    /// The entry names a region containing it (EU, EEA for DE); GLOBAL entries get nothing.
    public var marketRegion = 0.3
    public var stage = 0.15
    /// Per matching category, at most two counted.
    public var category = 0.15
    public var platform = 0.15
    public var channel = 0.05
    public var productLine = 0.1
    /// How many of the best matches are re-ranked (scenario boosts, word pairs); every page
    /// inside them is cut from the same re-ranking.
    public var window = 100
    /// BM25 parameters (Xapian's names).
    public var k1 = 1.2, b = 0.75

    /// How much each way of matching a query word counts (scales of Xapian weights).
    public var stem = 1.0, stemAsWord = 0.5, folded = 0.5
    /// N-grams of Chinese, Japanese, Thai…; trigrams inside alphabetic words.
    public var gramsUnspaced = 1.0, subwordGrams = 1.0
    /// Query n-grams found in more documents than this are left out (cost, see QueryBuilder).
    public var gramMaxDocuments = 5_000
    /// Numbers, codes, acronyms and foreign names (`Analyzer.Word.isIdentifier`). A word
    /// matches by its form, its stem (twice: as stem and as word) and its n-grams, so it
    /// weighs about three times its form; a number has nothing but its form, and a code or
    /// a name rarely a stem.
    public var identifier = 3.0
    /// Dictionary words (ICU) of unspaced scripts, on top of their n-grams; 0: n-grams only
    /// (word pairs still use the words).
    public var unspacedWords = 1.0
    /// Glossary expansions into other languages; in a pasted message (8 words or more),
    /// where the entries that answer it are often written in another language.
    public var expansion = 0.5, expansionInMessages = 1.0
    /// Neighbouring query words found near each other in the text (within
    /// `proximityDistance` positions, either order, at least 2): the pair's weight times
    /// this, added for the candidates in the re-rank window.
    public var proximity = 0.5, proximityDistance = 4

    public init() {}

    /// Sets fields by name from `name=value,name=value` (for tuning experiments).
    public mutating func set(_ assignments: String) throws {
        for pair in assignments.split(separator: ",") {
            let kv = pair.split(separator: "=")
            guard kv.count == 2, let v = Double(kv[1]) else { throw RankingError(text: String(pair)) }
            switch kv[0] {
            case "k1": k1 = v
            case "b": b = v
            case "stem": stem = v
            case "stemAsWord": stemAsWord = v
            case "folded": folded = v
            case "gramsUnspaced": gramsUnspaced = v
            case "subwordGrams": subwordGrams = v
            case "expansion": expansion = v
            case "expansionInMessages": expansionInMessages = v
            case "unspacedWords": unspacedWords = v
            case "identifier": identifier = v
            case "proximity": proximity = v
            case "proximityDistance": proximityDistance = Int(v)
            case "window": window = Int(v)
            case "gramMaxDocuments": gramMaxDocuments = Int(v)
            default: throw RankingError(text: String(pair))
            }
        }
    }
}

public struct RankingError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "unknown ranking setting `\(text)`" }
}
