import Foundation
import KBCorpus
import KBText
import Xapian

/// A draft reply checked against the market's taboos.
public struct CheckResponse: Codable, Sendable, Equatable {
    public struct Finding: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var lang: String
        public var markets: [String]
        public var severity: String?
        public var pattern: String
        /// UTF-8 byte offsets of the match in the draft, and its text.
        public var start: Int
        public var end: Int
        public var text: String
        /// What to say instead (the entry's advice section), for the agent.
        public var advice: String
    }
    public var findings: [Finding]
    public var market: String?
    public var patternsChecked: Int

    enum CodingKeys: String, CodingKey { case findings, market, patternsChecked = "patterns_checked" }
}

/// Everything an agent needs for one situation, each section ranked and capped.
public struct BriefResponse: Codable, Sendable, Equatable {
    public var templates: [Hit]
    public var taboos: [Hit]
    public var policies: [Hit]
    public var cases: [Hit]
    public var products: [Hit]
    /// Taboo patterns the pasted text itself already hits (when it is a draft).
    public var query: QueryUnderstanding
    public var replyLang: String?

    enum CodingKeys: String, CodingKey { case templates, taboos, policies, cases, products, query, replyLang = "reply_lang" }
}

/// An entry due for review.
public struct StaleEntry: Codable, Sendable, Equatable {
    public var id: String
    public var kind: Kind
    public var lang: String
    public var title: String
    public var updated: String?
    public var ageDays: Int?
    public var path: String
    enum CodingKeys: String, CodingKey { case id, kind, lang, title, updated, ageDays = "age_days", path }
}

extension Searcher {
    /// Taboo entries whose patterns the draft contains, for a market's scope (DE: DE, EU,
    /// EEA, EUROPE and GLOBAL taboos), across languages.
    public func check(draft: String, market: String?) throws -> CheckResponse {
        let checker = try tabooChecker()
        let words = try analyzer.analyze(draft, language: nil).words
        let scope = market.map { Set(markets.scope(of: $0.uppercased())) }
        let bytes = Array(draft.utf8)
        var seen = Set<String>()
        let findings = checker.check(words, text: bytes, scope: scope).compactMap { f -> CheckResponse.Finding? in
            guard seen.insert("\(f.entry.id)|\(f.range)").inserted else { return nil }
            return CheckResponse.Finding(id: f.entry.id, title: f.entry.title, lang: f.entry.lang, markets: f.entry.markets,
                                         severity: f.entry.severity, pattern: f.pattern, start: f.range.lowerBound,
                                         end: f.range.upperBound, text: String(decoding: bytes[f.range], as: UTF8.self),
                                         advice: Self.advice(f.entry.body))
        }.sorted { $0.start < $1.start }
        return CheckResponse(findings: findings, market: market, patternsChecked: checker.count)
    }

    /// The "say instead" part of a taboo entry, else its beginning.
    static func advice(_ body: String) -> String {
        for marker in ["**改用**", "**Say instead**", "**What to say instead**", "**Instead**", "**替代**", "**建议**"] {
            if let r = body.range(of: marker) {
                return SnippetMaker.clean(String(body[r.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "：: \n"))).prefix(400).description
            }
        }
        return SnippetMaker.clean(String(body.prefix(300)))
    }

    /// A brief for a scenario: the best templates in the reply language, the market's
    /// relevant taboos, applicable policies, similar cases and product facts.
    public func brief(_ base: SearchRequest, limits: (templates: Int, others: Int) = (3, 3)) throws -> BriefResponse {
        var r = base
        r.facets = false
        if r.replyLang == nil {
            r.replyLang = try analyzer.analyze(r.q, language: r.lang).language.flatMap { detected in
                // Han alone says "zh": answer Chinese customers in simplified Chinese.
                detected == "zh" ? "zh-Hans" : detected
            }
        }
        func section(_ kind: Kind, _ limit: Int) throws -> ([Hit], QueryUnderstanding) {
            var s = r
            s.kinds = [kind]
            s.limit = limit
            if kind != .phrasing { s.replyLang = nil }
            let response = try search(s)
            return (response.results, response.query)
        }
        let (templates, understood) = try section(.phrasing, limits.templates)
        return BriefResponse(templates: templates, taboos: try section(.taboo, limits.others).0,
                             policies: try section(.policy, limits.others).0, cases: try section(.case, limits.others).0,
                             products: try section(.product, limits.others).0, query: understood, replyLang: r.replyLang)
    }

    /// Entries whose `updated` date is more than `days` old, oldest first.
    public func stale(olderThan days: Int, kinds: [Kind] = [], today: Date = Date()) throws -> [StaleEntry] {
        // More than `days` old: updated on or before the day before today − days.
        let cutoff = CalendarDay.string(CalendarDay.number(today) - days - 1)
        var query = try Query(valueSlot: Schema.Slot.updated.rawValue, atMost: cutoff)
        if !kinds.isEmpty {
            query = try Query(.filter, [query, try QueryBuilder.filter(kinds.map { .init(prefix: .kind, value: $0.rawValue) })])
        }
        return try entries(matching: query, max: 100_000).map {
            StaleEntry(id: $0.id, kind: $0.kind, lang: $0.lang, title: $0.title, updated: $0.updated,
                       ageDays: $0.updated.flatMap { Self.days(from: $0, to: today) }, path: $0.path)
        }.sorted { ($0.updated ?? "") < ($1.updated ?? "") }
    }
}
