import Foundation
import Testing
import KBCorpus

/// The bundled corpus under `corpus/`: it must load cleanly, and the coverage promised in
/// the README holds. Every count is computed from the files.
@Suite struct ShippedCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("corpus").path
    let corpus: Corpus
    init() throws { corpus = try CorpusLoader(root: Self.root).load() }

    func entries(_ kind: Kind) -> [Entry] { corpus.entries.filter { $0.kind == kind } }
    func body(_ kind: Kind) -> String { entries(kind).map { $0.title + "\n" + $0.body + $0.tags.joined(separator: " ") }.joined(separator: "\n") }

    @Test func loadsWithZeroProblems() {
        #expect(corpus.problems.isEmpty, "\(corpus.problems.map(\.description).joined(separator: "\n"))")
        #expect(Set(corpus.entries.map(\.id)).count == corpus.entries.count)
    }

    @Test func everyGroupHasChineseAndEnglishMembers() {
        let groups = Dictionary(grouping: corpus.entries.filter { $0.group != nil }, by: { $0.group! })
        for (group, members) in groups {
            let langs = Set(members.map(\.lang))
            #expect(langs.contains("zh-Hans"), "group \(group) has no zh-Hans member")
            if members.first?.kind == .phrasing {
                #expect(langs.contains("en"), "phrasing group \(group) has no en member")
            }
        }
    }

    @Test func policiesCoverThirtyMarketsWithSources() {
        let required = ["EU", "DE", "FR", "ES", "IT", "NL", "PL", "SE", "IE", "GB", "US", "CA", "MX", "BR", "CL", "CO",
                        "AR", "JP", "KR", "AU", "NZ", "SA", "AE", "TR", "SG", "MY", "TH", "ID", "PH", "VN", "IN"]
        let covered = Set(entries(.policy).flatMap(\.markets))
        #expect(required.filter { !covered.contains($0) } == [], "markets without a policy entry")
        #expect(entries(.policy).allSatisfy { !$0.sources.isEmpty }, "every policy names its source")
        let text = body(.policy)
        let topics = ["A-to-z", "eBay", "PayPal", "AliExpress", "Shopee", "Lazada", "Mercado Libre", "IOSS", "GDPR",
                      "CCPA", "LGPD", "APPI", "PIPA", "PDPA"]
        #expect(topics.filter { !text.contains($0) } == [], "topics no policy mentions")
        // The internal SOP's red lines and authority levels.
        let sop = entries(.policy).filter { $0.id.hasPrefix("pol-sop-") }
        #expect(sop.count >= 5)
        let sopText = sop.map(\.body).joined()
        #expect(["3", "10", "50", "100"].allSatisfy { sopText.contains($0) })
    }

    @Test func atLeastHundredCasesOverTheScenarios() {
        let cases = entries(.case)
        #expect(cases.count >= 100)
        let categories = Set(cases.flatMap(\.categories))
        for c in ["logistics-delay", "lost-parcel", "customs", "damaged", "wrong-item", "size-mismatch", "quality",
                  "description-mismatch", "payment-failure", "exchange-rate", "chargeback", "warranty", "privacy", "ip-complaint"] {
            #expect(categories.contains(c), "a case about \(c)")
        }
        #expect(Set(cases.flatMap(\.markets)).count >= 20)
        #expect(Set(cases.compactMap(\.severity)) == ["low", "medium", "high"])
    }

    @Test func sixtyPhrasingGroupsInTwelveLanguages() {
        let phrasing = entries(.phrasing)
        let groups = Dictionary(grouping: phrasing.filter { $0.group != nil }, by: { $0.group! })
        #expect(groups.count >= 60)
        #expect(phrasing.allSatisfy { $0.group != nil }, "every template belongs to a translation group")
        let langs = Set(phrasing.map(\.lang))
        #expect(langs.count >= 12)
        for l in ["ja", "ko", "ar", "th", "es", "pt-BR", "de", "fr", "it", "id", "vi", "tr"] {
            #expect(langs.contains(l), "phrasing in \(l)")
        }
        let culture = groups.filter { $0.value.contains { $0.categories.contains("culture") } }
        #expect(culture.count >= 20)
        #expect(phrasing.filter { !$0.placeholders.isEmpty }.count >= phrasing.count / 2, "templates use placeholders")
        #expect(phrasing.allSatisfy { $0.stage != nil && !$0.categories.isEmpty && !$0.channels.isEmpty })
    }

    @Test func taboosForTwentyFiveMarketsWithPatterns() {
        let taboo = entries(.taboo)
        let countries = Set(taboo.flatMap(\.markets)).filter { corpus.markets.countries[$0] != nil }
        #expect(countries.count >= 25)
        #expect(taboo.filter { !$0.patterns.isEmpty }.count >= 20)
    }

    @Test func productFacts() {
        let products = entries(.product)
        #expect(products.allSatisfy { !$0.sources.isEmpty }, "every product fact names its source")
        let plugCountries = Set(products.filter { $0.tags.contains("plug") }.flatMap(\.markets))
            .filter { corpus.markets.countries[$0] != nil }
        #expect(plugCountries.count >= 40)
        let text = body(.product)
        let facts = ["CE", "UKCA", "FCC", "PSE", "KC", "RCM", "INMETRO", "SASO", "BIS", "UN3480", "UN3481", "1223/2009", "MoCRA"]
        #expect(facts.filter { !text.contains($0) } == [], "facts no product entry covers")
        let sizes = products.filter { $0.tags.contains { $0.contains("size") || $0.contains("尺码") } }
        #expect(sizes.count >= 3, "size conversion entries")
    }

    @Test func traditionalChineseAndGlossary() {
        #expect(corpus.entries.filter { $0.lang == "zh-Hant" }.count >= 20)
        #expect(corpus.glossary.sets.count >= 150)
        #expect(corpus.glossary.sets.allSatisfy { $0.terms["zh-Hans"] != nil && $0.terms["en"] != nil })
        #expect(corpus.glossary.sets(containing: "退款").contains { $0.terms["en"]?.contains("refund") == true })
    }

    @Test func everyMarketUsedIsInTheHierarchy() {
        for code in Set(corpus.entries.flatMap(\.markets)) {
            #expect(corpus.markets.isKnown(code), "\(code)")
        }
        #expect(corpus.markets.scope(of: "DE").starts(with: ["DE", "EU"]))
        #expect(!corpus.markets.scope(of: "GB").contains("EU"))
        #expect(corpus.markets.scope(of: "MX").contains("LATAM") && corpus.markets.scope(of: "MX").contains("NA"))
        #expect(corpus.markets.scope(of: "SA").contains("MENA"))
        #expect(corpus.markets.scope(of: "TH").contains("SEA") && corpus.markets.scope(of: "TH").contains("APAC"))
    }
}
