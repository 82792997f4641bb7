import Foundation
import Testing
import KBCorpus
@testable import KBSearch

/// Issue 7's rules with real corpus entries (and a few literal ones where an exact tie is needed).
@Suite struct ScenarioTests {
    @Test func everyMarketSeesOnlyEntriesThatApplyToIt() throws {
        let s = try Bundled.searcher()
        let codes = Set(Bundled.corpus.entries.flatMap(\.markets))
        #expect(codes.count > 50)
        for code in codes.sorted() {
            var r = SearchRequest(q: "退款 refund")
            r.market = code
            r.limit = 50
            let scope = Set(s.markets.scope(of: code))
            for hit in try s.search(r).results {
                #expect(!scope.isDisjoint(with: hit.markets), "\(hit.id) \(hit.markets) shown for \(code)")
            }
        }
    }

    @Test func countryThenRegionThenGlobal() throws {
        let markets = MarketHierarchy(regions: [.init(code: "EU", name: "EU")],
                                      countries: [.init(code: "DE", name: "Germany", regions: ["EU"]),
                                                  .init(code: "US", name: "United States", regions: [])])
        let s = try index([
            entry("global", "en", "Return window", "return window rules", markets: ["GLOBAL"]),
            entry("eu", "en", "Return window", "return window rules", markets: ["EU"]),
            entry("de", "en", "Return window", "return window rules", markets: ["DE"]),
            entry("us", "en", "Return window", "return window rules", markets: ["US"]),
        ], markets: markets)
        #expect(try s.ids("return window") { $0.market = "DE" } == ["de", "eu", "global"])
        #expect(try s.ids("return window") { $0.market = "US" } == ["us", "global"])
    }

    @Test func stageAndCategoriesBoostAndStrictFilters() throws {
        var stageless = [entry("a", "en", "Parcel delay", "parcel delay apology", kind: .phrasing)]
        stageless[0].stage = "pre-sale"
        var after = entry("b", "en", "Parcel delay", "parcel delay apology", kind: .phrasing)
        after.stage = "after-sale"
        after.categories = ["logistics-delay"]
        let s = try index(stageless + [after])
        #expect(try s.ids("parcel delay") { $0.stage = "after-sale" }.first == "b")
        #expect(try s.ids("parcel delay") { $0.stage = "pre-sale" }.first == "a")
        #expect(try s.ids("parcel delay") { $0.categories = ["logistics-delay"] }.first == "b")
        #expect(try s.ids("parcel delay") { $0.stage = "after-sale"; $0.strict = true } == ["b"])
        #expect(try s.search({ var r = SearchRequest(q: "parcel delay"); r.stage = "after-sale"; return r }()).results.first?.why.contains("stage after-sale") == true)
    }

    @Test func replyLanguageReturnsTheGroupMember() throws {
        let s = try Bundled.searcher()
        var r = SearchRequest(q: "退款 确认")
        r.kinds = [.phrasing]
        r.replyLang = "de"
        r.limit = 10
        let hits = try s.search(r).results
        #expect(!hits.isEmpty)
        let groups = hits.compactMap(\.group)
        #expect(Set(groups).count == groups.count, "one result per translation group")
        for h in hits where h.replyLangMissing != true { #expect(h.lang == "de", "\(h.id)") }
        #expect(hits.contains { $0.lang == "de" && $0.matched != nil }, "a German member found through a Chinese match names it")
        #expect(hits.contains { $0.id == "phr-refund-confirmation-de" })
    }

    @Test func facetsByKindLanguageMarketCategory() throws {
        let s = try Bundled.searcher()
        let f = try s.search(SearchRequest(q: "refund")).facets
        #expect(Set(f.keys) == ["kind", "lang", "market", "category"])
        #expect((f["kind"]?["policy"] ?? 0) > 0 && (f["market"]?["DE"] ?? 0) > 0 && (f["category"]?["refund"] ?? 0) > 0)
    }

    @Test func checkFindsTaboosOfTheMarketAcrossLanguages() throws {
        let s = try Bundled.searcher()
        let de = try s.check(draft: "Dieses Gerät ist 100% wirksam. 保证治愈！", market: "DE")
        #expect(de.findings.contains { $0.id == "tab-global-medical-claims" && $0.text == "100% wirksam" })
        #expect(de.findings.contains { $0.text == "保证治愈" })
        let text = "Dieses Gerät ist 100% wirksam."
        let span = try #require(de.findings.first)
        #expect(Array(text.utf8)[span.start..<span.end].count == span.end - span.start)
        #expect(!span.advice.isEmpty)
        #expect(try s.check(draft: "Vielen Dank für Ihre Bestellung.", market: "DE").findings.isEmpty)
        // A market's own taboos apply only to it: Argentina's wording is not flagged for Japan.
        #expect(try s.check(draft: "We ship to the Falkland Islands too.", market: "AR").findings.contains { $0.id == "tab-ar-malvinas" })
        #expect(try !s.check(draft: "We ship to the Falkland Islands too.", market: "JP").findings.contains { $0.id == "tab-ar-malvinas" })
    }

    @Test func briefBundlesEverySection() throws {
        let s = try Bundled.searcher()
        var r = SearchRequest(q: "Hallo, mein Paket hängt seit drei Wochen beim Zoll fest. Ich möchte mein Geld zurück.")
        r.market = "DE"
        let b = try s.brief(r)
        #expect(b.replyLang == "de", "the message's language")
        #expect(!b.templates.isEmpty && b.templates.allSatisfy { $0.lang == "de" || $0.replyLangMissing == true })
        #expect(!b.policies.isEmpty && b.policies.allSatisfy { $0.kind == .policy })
        #expect(!b.cases.isEmpty && !b.taboos.isEmpty)
        #expect(b.templates.count <= 3 && b.policies.count <= 3)
    }

    @Test func freshnessAndStaleList() throws {
        let s = try Bundled.searcher()
        let future = Date().addingTimeInterval(400 * 86_400)
        var r = SearchRequest(q: "Widerrufsrecht")
        r.kinds = [.policy]
        let hits = try s.search(r, today: future).results
        #expect(hits.allSatisfy { $0.stale && ($0.ageDays ?? 0) >= 399 }, "policies past 180 days are flagged")
        #expect(try s.search(r).results.allSatisfy { !$0.stale })
        #expect(try s.stale(olderThan: 180).isEmpty, "the shipped corpus is fresh")
        #expect(try s.stale(olderThan: 180, kinds: [.policy], today: future).count == Bundled.corpus.entries.filter { $0.kind == .policy }.count)
    }
}

@Suite struct CalendarDayTests {
    @Test func dayNumbersRoundTrip() {
        #expect(CalendarDay.number("1970-01-01") == 0)
        #expect(CalendarDay.number("2000-03-01") == 11_017)
        #expect(CalendarDay.number("2026-02-30") == nil)
        for n in [-1, 0, 59, 11_016, 20_507, 36_524] { #expect(CalendarDay.number(CalendarDay.string(n)) == n) }
        #expect(CalendarDay.string(CalendarDay.number(Date(timeIntervalSince1970: 86_400 * 3 + 5))) == "1970-01-04")
        #expect(Searcher.days(from: "2026-11-25", to: Date(timeIntervalSince1970: Double(CalendarDay.number("2026-12-05")!) * 86_400 + 3_600)) == 10)
    }
}
