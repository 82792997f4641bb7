import Foundation
import KBCorpus
import KBSearch

/// Reads a `SearchRequest` from a query string (GET) or a JSON body (POST), and checks
/// every field: a bad one is a 400 naming the parameter.
enum SearchParameters {
    static let known: Set<String> = [
        "q", "lang", "market", "stage", "categories", "platform", "channel", "product_line", "kinds", "langs",
        "reply_lang", "strict", "limit", "offset", "facets", "expand",
    ]

    static func decode(_ r: APIRequest, config: ServerConfig) throws -> SearchRequest {
        var s: SearchRequest
        if r.method == .POST {
            guard !r.body.isEmpty else { throw APIError.badParameter("body", "POST \(r.path) needs a JSON body") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else {
                throw APIError(.badRequest, "bad_json", "the body is not a JSON object")
            }
            if let unknown = object.keys.first(where: { !known.contains($0) }) {
                throw APIError.badParameter(unknown, "unknown field `\(unknown)`")
            }
            do {
                s = try JSONDecoder().decode(SearchRequest.self, from: Data(r.body))
            } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
                let field = ctx.codingPath.first?.stringValue ?? "body"
                throw APIError.badParameter(field, "field `\(field)` has the wrong type")
            } catch let DecodingError.dataCorrupted(ctx) {
                let field = ctx.codingPath.first?.stringValue ?? "body"
                throw APIError.badParameter(field, "field `\(field)`: \(ctx.debugDescription)")
            }
        } else {
            s = SearchRequest()
            for (name, _) in r.query where !known.contains(name) {
                throw APIError.badParameter(name, "unknown parameter `\(name)`")
            }
            func list(_ name: String) -> [String] {
                r.values(name).flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
            }
            func int(_ name: String) throws -> Int? {
                guard let v = r.value(name) else { return nil }
                guard let n = Int(v) else { throw APIError.badParameter(name, "`\(name)` must be a whole number, not `\(v)`") }
                return n
            }
            func bool(_ name: String) throws -> Bool? {
                guard let v = r.value(name) else { return nil }
                switch v.lowercased() {
                case "1", "true", "yes", "": return true
                case "0", "false", "no": return false
                default: throw APIError.badParameter(name, "`\(name)` must be true or false, not `\(v)`")
                }
            }
            s.q = r.value("q") ?? ""
            s.lang = r.value("lang")
            s.market = r.value("market")
            s.stage = r.value("stage")
            s.categories = list("categories")
            s.platform = r.value("platform")
            s.channel = r.value("channel")
            s.productLine = r.value("product_line")
            s.langs = list("langs")
            s.replyLang = r.value("reply_lang")
            for k in list("kinds") {
                guard let kind = Kind(rawValue: k) else { throw APIError.badParameter("kinds", "unknown kind `\(k)`") }
                s.kinds.append(kind)
            }
            s.strict = try bool("strict") ?? false
            s.limit = try int("limit") ?? 10
            s.offset = try int("offset") ?? 0
            s.facets = try bool("facets") ?? true
            s.expand = try bool("expand") ?? true
        }
        try validate(s, config: config)
        return s
    }

    static func validate(_ s: SearchRequest, config: ServerConfig) throws {
        if s.q.utf8.count > config.maxQueryBytes {
            throw APIError(.badRequest, "query_too_long", "the query is \(s.q.utf8.count) bytes; the limit is \(config.maxQueryBytes)", parameter: "q")
        }
        guard (1...config.maxLimit).contains(s.limit) else {
            throw APIError.badParameter("limit", "`limit` must be between 1 and \(config.maxLimit)")
        }
        // Compared without adding: a huge offset must be refused, not overflow.
        guard s.offset >= 0, s.offset <= config.maxWindow - s.limit else {
            throw APIError.badParameter("offset", "`offset` must be 0 or more, and offset + limit at most \(config.maxWindow)")
        }
        for (name, tag) in [("lang", s.lang), ("reply_lang", s.replyLang)] + s.langs.map({ ("langs", $0) }) {
            if let tag, LanguageTag(tag) == nil {
                throw APIError.badParameter(name, "`\(tag)` is not a language tag (BCP 47, e.g. de, zh-Hans, pt-BR)")
            }
        }
        if let stage = s.stage, !Vocabulary.stages.contains(stage) {
            throw APIError.badParameter("stage", "unknown stage `\(stage)` (pre-sale, in-sale, after-sale)")
        }
        for c in s.categories where !Vocabulary.categories.contains(c) {
            throw APIError.badParameter("categories", "unknown category `\(c)`")
        }
        if let p = s.platform, !Vocabulary.platforms.contains(p) { throw APIError.badParameter("platform", "unknown platform `\(p)`") }
        if let c = s.channel, !Vocabulary.channels.contains(c) { throw APIError.badParameter("channel", "unknown channel `\(c)`") }
        if let l = s.productLine, !Vocabulary.productLines.contains(l) {
            throw APIError.badParameter("product_line", "unknown product line `\(l)`")
        }
    }
}
