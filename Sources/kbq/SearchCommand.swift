import ArgumentParser
import Foundation
import KBCorpus
import KBSearch

/// The agent's scenario, shared by `search` and `brief`.
struct ScenarioOptions: ParsableArguments {
    @Option(help: "The customer's market: a country or region code (DE, EU, MX…).") var market: String?
    @Option(help: "pre-sale, in-sale or after-sale.") var stage: String?
    @Option(name: .customLong("category"), help: "An issue category (repeatable): return, refund, customs…") var categories: [String] = []
    @Option(help: "amazon, ebay, shopify, aliexpress, …") var platform: String?
    @Option(help: "email, chat, social or phone.") var channel: String?
    @Option(name: .customLong("product-line"), help: "3c, beauty, apparel, …") var productLine: String?
    @Option(name: .customLong("reply-lang"), help: "Answer with each template's member in this language.") var replyLang: String?

    func apply(to request: inout SearchRequest) {
        request.market = market
        request.stage = stage
        request.categories = categories
        request.platform = platform
        request.channel = channel
        request.productLine = productLine
        request.replyLang = replyLang
    }
}

/// `kbq search`: keywords plus the agent's scenario.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search the encyclopedia (keywords + scenario).",
        discussion: """
        Query syntax: "exact phrase", refu* (prefix), -exclude, and filters kind: market: lang: tag: id:.
        Example: kbq search 退货 运费 --market DE --stage after-sale --reply-lang de
        """)

    @Argument(help: "Keywords, in any language (or a pasted customer message).")
    var keywords: [String] = []
    @OptionGroup var scenario: ScenarioOptions
    @Option(name: .customLong("kind"), help: "Only this kind (repeatable): phrasing, product, case, taboo, policy.") var kinds: [String] = []
    @Option(name: .customLong("lang"), help: "Only entries written in this language (repeatable).") var langs: [String] = []
    @Option(name: .customLong("query-lang"), help: "The language the keywords are in (default: from the script).") var queryLang: String?
    @Flag(help: "Scenario fields filter instead of boosting.") var strict = false
    @Option(help: "How many results.") var limit = 10
    @Flag(help: "Print kbqd's JSON (stable, locale-independent).") var json = false
    @OptionGroup var connection: SocketOption

    func run() async throws {
        var request = SearchRequest(q: keywords.joined(separator: " "))
        scenario.apply(to: &request)
        for k in kinds {
            guard let kind = Kind(rawValue: k) else { throw ValidationError("unknown kind `\(k)` (phrasing, product, case, taboo, policy)") }
            request.kinds.append(kind)
        }
        request.langs = langs
        request.lang = queryLang
        request.strict = strict
        request.limit = limit
        let body = try JSONEncoder().encode(request)
        let r = try await connection.call("POST", "/v1/search", json: Array(body))
        if json { printJSON(r); return }
        print(Self.render(try decode(SearchResponse.self, r), Output.current()))
    }

    static func render(_ r: SearchResponse, _ o: Output) -> String {
        var out: [String] = []
        if r.results.isEmpty { out.append(o.t(.noResults)) }
        for (i, h) in r.results.enumerated() {
            var line = "\(i + 1). " + o.accent("[\(h.kind.rawValue)]") + " " + o.dim(h.lang) + "  " + o.bold(h.title)
            if h.stale { line += "  " + o.warn("⚠ " + o.t(.stale)) }
            out.append(line)
            var meta = "   \(o.t(.markets)): \(h.markets.joined(separator: ","))"
            if let u = h.updated { meta += "  \(o.t(.updated)): \(u)" + (h.ageDays.map { " (\($0)d)" } ?? "") }
            meta += "  id: " + o.bold(h.id)
            out.append(meta)
            if let m = h.matched { out.append("   " + o.dim("\(o.t(.matchedVia)): \(m)")) }
            if h.replyLangMissing == true { out.append("   " + o.warn(o.t(.replyMissing))) }
            out.append(o.wrap(o.marks(h.snippet), indent: "   "))
            if !h.why.isEmpty { out.append("   " + o.dim("\(o.t(.why)): " + h.why.joined(separator: "; "))) }
            out.append("")
        }
        let facets = ["kind", "lang", "market"].compactMap { name -> String? in
            guard let f = r.facets[name], !f.isEmpty else { return nil }
            return name + " " + f.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(6)
                .map { "\($0.key)·\($0.value)" }.joined(separator: " ")
        }
        out.append(o.dim("\(r.total) \(o.t(.results))  \(o.t(.facets)): " + facets.joined(separator: " | ")))
        var understood = "\(o.t(.understood)): \(o.t(.language)) \(r.query.language ?? "?")"
        if r.query.languageDetected { understood += " (\(o.t(.detected)))" }
        if !r.query.corrections.isEmpty {
            understood += "; \(o.t(.corrections)) " + r.query.corrections.map { "\($0.from)→\($0.to)" }.joined(separator: ", ")
        }
        if !r.query.expansions.isEmpty {
            understood += "; \(o.t(.expansions)) " + r.query.expansions.map { "\($0.from)→\($0.terms.prefix(4).joined(separator: "/"))…" }.joined(separator: ", ")
        }
        out.append(o.dim(understood + String(format: "; %@ %.1f ms", o.t(.took), r.tookMs)))
        return out.joined(separator: "\n")
    }
}
