import Foundation
import KBCorpus
import KBText
import Xapian

/// Searches one index. Holds a Xapian database handle, an analyzer and the glossary, none
/// of them thread-safe: use one `Searcher` per thread (kbqd keeps a pool, one per worker).
public final class Searcher {
    public let path: String
    let db: Database
    /// Remote shards this searcher left out because they did not answer (see `Shards`).
    public let missingShards: [String]
    let analyzer: Analyzer
    private var builder: QueryBuilder
    public private(set) var markets: MarketHierarchy
    /// Built on the first check, rebuilt when the index changes.
    private var taboos: TabooChecker?
    public var ranking = Ranking() { didSet { builder.weights = ranking } }
    /// Policy entries older than this many days are flagged as possibly stale.
    public var staleDays = 180
    /// Xapian stops looking for better matches after this many seconds.
    public var timeBudget = 0.5
    /// Facets are counted over at least this many of the best matches (all when fewer):
    /// counting every match would make every query as slow as its commonest word.
    public var facetWindow = 1_000
    /// Candidates looked at beyond this are not (deep paging is costly and useless to agents).
    public var maxWindow = 1_000
    /// A `refu*` wildcard expands to at most this many words, the most frequent first.
    public var maxWildcardExpansion: UInt32 {
        get { builder.maxWildcardExpansion }
        set { builder.maxWildcardExpansion = newValue }
    }

    /// Opens the index (generation) at `path`, all its shards as one; `analyzer` may be
    /// shared with an earlier searcher of the same thread (creating one loads OpenCC's
    /// dictionaries).
    public init(path: String, analyzer: Analyzer? = nil, shards: Shards = Shards()) throws {
        self.path = path
        (db, missingShards) = try shards.open(shards.sources(of: path))
        self.analyzer = try analyzer ?? Analyzer()
        (builder, markets) = try Self.load(db, self.analyzer)
    }

    private static func load(_ db: Database, _ analyzer: Analyzer) throws -> (QueryBuilder, MarketHierarchy) {
        let dec = JSONDecoder()
        let sets = (try? dec.decode([Glossary.TermSet].self, from: Data(try db.metadata(Schema.Metadata.glossary).utf8))) ?? []
        let markets = (try? dec.decode(MarketData.self, from: Data(try db.metadata(Schema.Metadata.markets).utf8)))?.hierarchy
            ?? MarketHierarchy()
        let langs = (try? dec.decode([String].self, from: Data(try db.metadata(Schema.Metadata.languages).utf8))) ?? []
        let stemmable = langs.filter { Analyzer.stemmerLanguages.contains(String($0.prefix(2))) }
        var builder = QueryBuilder(analyzer: analyzer, glossary: try GlossaryIndex(Glossary(sets: sets), analyzer: analyzer),
                                   indexLanguages: Array(Set(stemmable.map { String($0.prefix(2)) })).sorted())
        builder.documents = try db.documentCount
        builder.frequency = { try db.termFrequency($0) }
        return (builder, markets)
    }

    /// Moves to the newest committed revision (reloading glossary and markets when it changed).
    @discardableResult
    public func reopen() throws -> Bool {
        guard try db.reopen() else { return false }
        let expansion = builder.maxWildcardExpansion
        (builder, markets) = try Self.load(db, analyzer)
        builder.weights = ranking
        builder.maxWildcardExpansion = expansion
        taboos = nil
        return true
    }

    public var documentCount: Int { get throws { try db.documentCount } }

    /// Exact document counts per value of a boolean field (kind, lang, market): the term
    /// frequencies of its terms, so no search and no sampling.
    public func counts(of prefix: Schema.Prefix) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for (term, n) in try db.terms(withPrefix: prefix.rawValue) {
            out[Schema.value(of: term, prefix: prefix)] = n
        }
        return out
    }
    public func metadata(_ key: String) throws -> String { try db.metadata(key) }

    /// Runs `body`, reopening and retrying once when the database moved under it.
    func retrying<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as XapianError where e.isDatabaseModified {
            try reopen()
            return try body()
        }
    }

    // MARK: - search

    public func search(_ r: SearchRequest, today: Date = Date()) throws -> SearchResponse {
        let started = Date()
        return try retrying {
            // Latin-script words the index has never seen get a one-typo correction when the
            // spelling table knows a close word (n-grams would otherwise match noise).
            let fixes = try corrections(for: QuerySyntax(r.q), language: r.lang)
            var response = try run(r, corrections: fixes, today: today)
            response.tookMs = Date().timeIntervalSince(started) * 1000
            if !missingShards.isEmpty { response.missingShards = missingShards }
            return response
        }
    }

    private func corrections(for syntax: QuerySyntax, language: String?) throws -> [String: String] {
        var out: [String: String] = [:]
        // Keywords, not a pasted message: there, unknown words are rarely typos.
        guard syntax.text.count <= 4 else { return out }
        for word in syntax.text {
            let lower = try UnicodeFolding.nfkcCasefold(word)
            guard lower.unicodeScalars.count >= 4, lower.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic && $0.value < 0x0250 }),
                  try db.termFrequency(Schema.term(.word, lower)) == 0 else { continue }
            let stem = try analyzer.analyze(lower, language: language).words.first?.stem
            if let stem, try db.termFrequency(Schema.term(.stem, stem)) > 0 { continue }
            if let suggestion = try db.spellingSuggestion(lower, maxEditDistance: 1), suggestion != lower {
                out[word] = suggestion
            }
        }
        return out
    }

    private func run(_ r: SearchRequest, corrections: [String: String], today: Date) throws -> SearchResponse {
        let started = Date()
        let syntax = QuerySyntax(r.q)
        let built = try builder.build(syntax, language: r.lang, expand: r.expand, replyLanguage: r.replyLang,
                                      corrections: corrections)
        var query = built.query
        if let filter = try scenarioFilter(r) { query = try Query(.filter, [query, filter]) }

        let enquire = try Enquire(db)
        try enquire.setQuery(query)
        try enquire.setBM25(k1: ranking.k1, b: ranking.b)
        try enquire.setTimeLimit(timeBudget)
        let spies = r.facets ? [("kind", Schema.Slot.kind), ("lang", .lang), ("market", .markets), ("category", .categories)]
            .map { ($0.0, ValueCountSpy(slot: $0.1.rawValue)) } : []
        for (_, spy) in spies { try enquire.addSpy(spy) }
        // Scenario boosts, translation-group collapsing and word pairs can move results up
        // from below the page: the best `ranking.window` matches are then re-ranked, and
        // every page inside them is cut from that one ranking (a window that grew with the
        // offset let page 2 show a hit page 1 never had, and repeat page 1's last one).
        // Deeper pages re-rank the matches down to their end.
        let reranks = r.replyLang != nil || r.market != nil || r.stage != nil || !r.categories.isEmpty
            || r.platform != nil || r.channel != nil || r.productLine != nil || built.proximity != nil
        let end = min(r.offset + r.limit, maxWindow)
        let window = reranks ? max(end, ranking.window) : end
        let mset = try enquire.mset(first: 0, count: window, checkAtLeast: r.facets ? facetWindow : 0)
        let docs = try mset.indices.map { try mset.document(at: $0) }
        let near = try proximityWeights(built.proximity, docs, timeLeft: timeBudget - Date().timeIntervalSince(started))
        let weights = mset.map { $0.weight + near[$0.documentID, default: 0] }

        let maxWeight = weights.max() ?? 0
        var candidates: [(match: MSet.Match, doc: Document, score: Double, why: [String])] = []
        for (m, doc) in zip(mset, docs) {
            let rel = maxWeight > 0 ? weights[m.rank] / maxWeight : 1
            let (boost, why) = try scenarioBoost(doc, r)
            candidates.append((m, doc, rel + boost, why))
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.match.rank < $1.match.rank }
        if r.replyLang != nil {
            var seenGroups = Set<String>()
            candidates = try candidates.filter { seenGroups.insert(try $0.doc.value(Schema.Slot.group.rawValue)).inserted }
        }
        // Only the page's hits are decoded, translated and given snippets.
        let page = try candidates.dropFirst(r.offset).prefix(r.limit).map {
            try hit($0.doc, score: $0.score, relevance: $0.match.percent, why: $0.why, r: r, forms: built.forms, today: today)
        }
        var facets: [String: [String: Int]] = [:]
        for (name, spy) in spies {
            var counts: [String: Int] = [:]
            for (value, n) in try spy.topValues(1_000) {
                for part in value.split(separator: ",") { counts[String(part), default: 0] += n }
            }
            facets[name] = counts
        }
        return SearchResponse(results: page, total: mset.estimatedMatches, facets: facets, query: built.understanding,
                              tookMs: 0, generation: nil)
    }

    /// The second stage of ranking: the weight of the query's word pairs in each candidate,
    /// by document id. Matched over the candidates only (a filter on their id terms): as
    /// part of the main query, the pairs made searches 6.5 times slower at 100k entries,
    /// because a NEAR reads positions in every document holding both words.
    private func proximityWeights(_ pairs: Query?, _ docs: [Document], timeLeft: Double) throws -> [UInt32: Double] {
        guard let pairs, docs.count > 1, timeLeft > 0 else { return [:] }
        let ids = try docs.map { try Query(term: Schema.term(.id, try $0.value(Schema.Slot.id.rawValue))) }
        let enquire = try Enquire(db)
        try enquire.setQuery(try Query(.filter, [pairs, try Query(.or, ids)]))
        try enquire.setBM25(k1: ranking.k1, b: ranking.b)
        try enquire.setTimeLimit(timeLeft)
        return Dictionary(try enquire.mset(count: docs.count).map { ($0.documentID, $0.weight) }) { a, _ in a }
    }

    /// The engine's limit, for benchmarks: the same Xapian query and filters as `search`,
    /// top `limit` matches, nothing else (no documents read, no re-ranking, snippets or
    /// facets). Returns how many matches came back.
    public func matchOnly(_ r: SearchRequest) throws -> Int {
        let fixes = try corrections(for: QuerySyntax(r.q), language: r.lang)
        var query = try builder.build(QuerySyntax(r.q), language: r.lang, expand: r.expand,
                                      replyLanguage: r.replyLang, corrections: fixes).query
        if let filter = try scenarioFilter(r) { query = try Query(.filter, [query, filter]) }
        let enquire = try Enquire(db)
        try enquire.setQuery(query)
        try enquire.setBM25(k1: ranking.k1, b: ranking.b)
        return try enquire.mset(first: r.offset, count: r.limit).count
    }

    /// Filters from the request: kinds, languages, the market's scope; with `strict`, the
    /// other scenario fields too.
    func scenarioFilter(_ r: SearchRequest) throws -> Query? {
        var filters: [QuerySyntax.Filter] = r.kinds.map { .init(prefix: .kind, value: $0.rawValue) }
        if r.replyLang == nil { filters += r.langs.map { .init(prefix: .lang, value: $0) } }
        if let m = r.market { filters += markets.scope(of: m.uppercased()).map { .init(prefix: .market, value: $0) } }
        if r.strict {
            if let s = r.stage { filters.append(.init(prefix: .stage, value: s)) }
            filters += r.categories.map { .init(prefix: .category, value: $0) }
            if let p = r.platform { filters.append(.init(prefix: .platform, value: p)) }
            if let c = r.channel { filters.append(.init(prefix: .channel, value: c)) }
            if let l = r.productLine { filters.append(.init(prefix: .productLine, value: l)) }
        }
        return filters.isEmpty ? nil : try QueryBuilder.filter(filters)
    }

    /// The documented boosts for the scenario fields an entry matches, with reasons.
    func scenarioBoost(_ doc: Document, _ r: SearchRequest) throws -> (Double, [String]) {
        var boost = 0.0, why: [String] = []
        func list(_ slot: Schema.Slot) throws -> [String] {
            try doc.value(slot.rawValue).split(separator: ",").map(String.init)
        }
        if let m = r.market?.uppercased() {
            let entryMarkets = try list(.markets)
            if entryMarkets.contains(m) {
                boost += ranking.marketCountry; why.append("market \(m)")
            } else if let region = markets.scope(of: m).dropFirst().first(where: { $0 != MarketHierarchy.global && entryMarkets.contains($0) }) {
                boost += ranking.marketRegion; why.append("market \(region) (includes \(m))")
            } else {
                why.append("market GLOBAL")
            }
        }
        if let s = r.stage, try doc.value(Schema.Slot.stage.rawValue) == s { boost += ranking.stage; why.append("stage \(s)") }
        let cats = try list(.categories).filter { r.categories.contains($0) }
        if !cats.isEmpty { boost += ranking.category * Double(min(cats.count, 2)); why.append("category " + cats.joined(separator: ", ")) }
        if let p = r.platform, try list(.platforms).contains(p) { boost += ranking.platform; why.append("platform \(p)") }
        if let c = r.channel, try list(.channels).contains(c) { boost += ranking.channel; why.append("channel \(c)") }
        if let l = r.productLine, try list(.productLines).contains(l) { boost += ranking.productLine; why.append("product line \(l)") }
        return (boost, why)
    }

    private func hit(_ doc: Document, score: Double, relevance: Int, why scenarioWhy: [String], r: SearchRequest,
                     forms: QueryForms, today: Date) throws -> Hit {
        var entry = try JSONDecoder().decode(Entry.self, from: Data(try doc.data()))
        var matched: String?, missing: Bool?
        if let reply = r.replyLang, entry.lang != reply {
            if let g = entry.group, let member = try members(ofGroup: g).first(where: { $0.lang == reply }) {
                matched = entry.id
                entry = member
            } else {
                missing = true
            }
        }
        let analysis = try analyzer.analyze(entry.title + "\n" + entry.body, language: entry.lang, ngrams: false)
        let (snippet, words) = SnippetMaker().make(entry.title + "\n" + entry.body, words: analysis.words, query: forms)
        var why: [String] = []
        if !words.isEmpty { why.append("words: " + words.prefix(6).joined(separator: ", ")) }
        let expanded = Set(analysis.words.compactMap { forms.expansions[$0.form] ?? $0.stem.flatMap { forms.expansions[$0] } })
        if !expanded.isEmpty { why.append("glossary: " + expanded.sorted().joined(separator: ", ")) }
        if let m = matched { why.append("translation of \(m)") }
        why += scenarioWhy
        let age = entry.updated.flatMap { Self.days(from: $0, to: today) }
        return Hit(id: entry.id, kind: entry.kind, lang: entry.lang, title: entry.title, markets: entry.markets,
                   group: entry.group, score: (score * 1000).rounded() / 1000, relevance: relevance, snippet: snippet,
                   why: why, updated: entry.updated, ageDays: age,
                   stale: entry.kind == .policy && (age ?? 0) > staleDays, matched: matched, replyLangMissing: missing)
    }

    static func days(from date: String, to today: Date) -> Int? {
        guard let day = CalendarDay.number(date) else { return nil }
        return Int((today.timeIntervalSince1970 - Double(day) * 86_400) / 86_400)
    }

    func tabooChecker() throws -> TabooChecker {
        if let taboos { return taboos }
        let all = try entries(matching: try Query(term: Schema.term(.kind, Kind.taboo.rawValue)), max: 100_000)
        let checker = try TabooChecker(entries: all, analyzer: analyzer)
        taboos = checker
        return checker
    }

    // MARK: - entries

    /// The entry with this id, or nil.
    public func entry(_ id: String) throws -> Entry? {
        try retrying { try entries(matching: try Query(term: Schema.term(.id, id)), max: 1).first }
    }

    /// Every member of a translation group, by language.
    public func members(ofGroup group: String) throws -> [Entry] {
        try retrying { try entries(matching: try Query(term: Schema.term(.group, group)), max: 200).sorted { $0.lang < $1.lang } }
    }

    /// Entries matching a boolean query (no ranking), at most `max`.
    public func entries(matching query: Query, max: Int) throws -> [Entry] {
        try db.storedEntries(matching: query, max: max)
    }
}

extension Database {
    /// The entries stored in the documents matching a boolean query (no ranking), at most `max`.
    func storedEntries(matching query: Query, max: Int) throws -> [Entry] {
        let enquire = try Enquire(self)
        try enquire.setQuery(query)
        try enquire.setBooleanWeighting()
        let mset = try enquire.mset(count: max)
        return try mset.map { try JSONDecoder().decode(Entry.self, from: Data(try mset.document(at: $0.rank).data())) }
    }
}
