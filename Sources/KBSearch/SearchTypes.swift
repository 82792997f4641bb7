import KBCorpus

/// A search: keywords plus the agent's scenario. The JSON names are part of the `/v1`
/// protocol: fields are only ever added.
public struct SearchRequest: Codable, Sendable, Equatable {
    public var q: String = ""
    /// Language of the query text (BCP 47); detected from the script when nil.
    public var lang: String?
    public var market: String?
    public var stage: String?
    public var categories: [String] = []
    public var platform: String?
    public var channel: String?
    public var productLine: String?
    public var kinds: [Kind] = []
    /// Only entries written in these languages.
    public var langs: [String] = []
    /// Answer with each translation group's member in this language.
    public var replyLang: String?
    /// Scenario fields become filters instead of boosts.
    public var strict = false
    public var limit = 10
    public var offset = 0
    public var facets = true
    /// Expand the query with the glossary's other languages.
    public var expand = true

    public init(q: String = "") { self.q = q }

    enum CodingKeys: String, CodingKey {
        case q, lang, market, stage, categories, platform, channel, productLine = "product_line", kinds, langs
        case replyLang = "reply_lang", strict, limit, offset, facets, expand
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        q = try c.decodeIfPresent(String.self, forKey: .q) ?? ""
        lang = try c.decodeIfPresent(String.self, forKey: .lang)
        market = try c.decodeIfPresent(String.self, forKey: .market)
        stage = try c.decodeIfPresent(String.self, forKey: .stage)
        categories = try c.decodeIfPresent([String].self, forKey: .categories) ?? []
        platform = try c.decodeIfPresent(String.self, forKey: .platform)
        channel = try c.decodeIfPresent(String.self, forKey: .channel)
        productLine = try c.decodeIfPresent(String.self, forKey: .productLine)
        kinds = try c.decodeIfPresent([Kind].self, forKey: .kinds) ?? []
        langs = try c.decodeIfPresent([String].self, forKey: .langs) ?? []
        replyLang = try c.decodeIfPresent(String.self, forKey: .replyLang)
        strict = try c.decodeIfPresent(Bool.self, forKey: .strict) ?? false
        limit = try c.decodeIfPresent(Int.self, forKey: .limit) ?? 10
        offset = try c.decodeIfPresent(Int.self, forKey: .offset) ?? 0
        facets = try c.decodeIfPresent(Bool.self, forKey: .facets) ?? true
        expand = try c.decodeIfPresent(Bool.self, forKey: .expand) ?? true
    }
}

/// One result.
public struct Hit: Codable, Sendable, Equatable {
    public var id: String
    public var kind: Kind
    public var lang: String
    public var title: String
    public var markets: [String]
    public var group: String?
    /// Final score after scenario boosts (relevance normalised to 0…1, plus boosts).
    public var score: Double
    /// Xapian's relevance percentage.
    public var relevance: Int
    /// A short extract in the entry's language, matched words between `<mark>` and `</mark>`.
    public var snippet: String
    /// Why it matched: words, glossary expansions, scenario fields.
    public var why: [String]
    public var updated: String?
    public var ageDays: Int?
    public var stale: Bool
    /// With `reply_lang`: the id of the entry that matched, when the hit is its translation.
    public var matched: String?
    /// With `reply_lang`: true when the group has no member in that language.
    public var replyLangMissing: Bool?

    enum CodingKeys: String, CodingKey {
        case id, kind, lang, title, markets, group, score, relevance, snippet, why, updated
        case ageDays = "age_days", stale, matched, replyLangMissing = "reply_lang_missing"
    }
}

public struct SearchResponse: Codable, Sendable, Equatable {
    public var results: [Hit]
    /// Xapian's estimate of all matches (before collapsing translation groups).
    public var total: Int
    /// Field → value → count, over all matches: kind, lang, market, category.
    public var facets: [String: [String: Int]]
    public var query: QueryUnderstanding
    public var tookMs: Double
    public var generation: String?
    /// Remote shards left out because they did not answer (only with partial results
    /// allowed); absent when every shard answered.
    public var missingShards: [String]?

    public init(results: [Hit] = [], total: Int = 0, facets: [String: [String: Int]] = [:],
                query: QueryUnderstanding = QueryUnderstanding(), tookMs: Double = 0, generation: String? = nil) {
        self.results = results; self.total = total; self.facets = facets; self.query = query
        self.tookMs = tookMs; self.generation = generation
    }

    enum CodingKeys: String, CodingKey {
        case results, total, facets, query, tookMs = "took_ms", generation, missingShards = "missing_shards"
    }
}
