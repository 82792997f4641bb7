import Testing
import KBCorpus
@testable import KBSearch

/// Issue 4's rules, each with real text in its language, through the real query path.
@Suite struct MultilingualTests {
    @Test func inflectionsFindEachOther() throws {
        let s = try index([
            entry("en", "en", "Refund policy", "We refunded the order."),
            entry("es", "es", "Devolución", "La devolución es gratuita."),
            entry("de", "de", "Rückerstattung", "Die Rückerstattung erfolgt sofort."),
            entry("tr", "tr", "İade", "İade işlemi başladı."),
            entry("other", "en", "Shipping", "Parcels leave daily."),
        ])
        #expect(try s.ids("refunds").first == "en")
        #expect(try s.ids("devoluciones", lang: "es").first == "es")
        #expect(try s.ids("Rückerstattungen", lang: "de").first == "de")
        #expect(try s.ids("iadeleri", lang: "tr").first == "tr")
    }

    @Test func germanCompoundsMatchTheirParts() throws {
        let s = try index([
            entry("compound", "de", "Rückerstattungsantrag", "Den Rückerstattungsantrag bitte ausfüllen."),
            entry("other", "de", "Lieferung", "Das Paket kommt morgen."),
        ])
        #expect(try s.ids("Rückerstattung", lang: "de").first == "compound")
    }

    @Test func accentsAreOptionalButTheExactFormRanksHigher() throws {
        let s = try index([
            entry("accent", "es", "Devolución del pedido", "devolución"),
            entry("plain", "es", "Devolucion del pedido", "devolucion"),
        ])
        #expect(try s.ids("devolución", lang: "es").first == "accent")
        #expect(try s.ids("devolucion", lang: "es").first == "plain")
        #expect(Set(try s.ids("devolucion", lang: "es")) == ["accent", "plain"])
    }

    @Test func neighbouringQueryWordsRankHigherWhenTheyStandTogether() throws {
        // The same ten words in another order: equal BM25 weights, only the distance
        // between `power` and `bank` differs.
        let s = try index([
            entry("apart", "en", "Notes", "The power cord was checked by the bank clerk today."),
            entry("together", "en", "Notes", "The clerk was checked by the power bank cord today."),
        ])
        #expect(try s.ids("power bank", lang: "en") == ["together", "apart"])
        // Without the pair, a tie, which Xapian breaks by document order.
        s.ranking.proximity = 0
        #expect(try s.ids("power bank", lang: "en") == ["apart", "together"])
    }

    @Test func pagesAreCutFromOneReRanking() throws {
        // 30 shorter entries with `power` and `bank` apart rank first by BM25; 30 longer
        // ones with `power bank` together come after them, and (strong) word pairs lift
        // whichever of them are among the candidates above all others.
        let apart = (0..<30).map { i in entry(String(format: "a%02d", i), "en", "Notes", "power cord and a bank") }
        let together = (0..<30).map { i in entry(String(format: "t%02d", i), "en", "Notes", "power bank cable cable cable cable") }
        let other = (0..<100).map { i in entry("o\(i)", "en", "Shipping", "Parcels leave the warehouse daily.") }
        let s = try index(apart + together + other)
        s.ranking.proximity = 2
        s.ranking.window = 20
        let all = try s.ids("power bank", lang: "en") { $0.limit = 20 }
        let page1 = try s.ids("power bank", lang: "en") { $0.limit = 10 }
        let page2 = try s.ids("power bank", lang: "en") { $0.limit = 10; $0.offset = 10 }
        #expect(all.count == 20)
        #expect(page1 + page2 == all)
    }

    @Test func numbersAndCodesWeighAsMuchAsWords() throws {
        // The question's year is in one entry, its other words (with their stems and
        // n-grams) more often in the other.
        let s = try index([
            entry("words", "en", "Warsaw population", "The Warsaw population grew as populations moved."),
            entry("year", "en", "Notes", "In 1901 the Warsaw population was 711,988 people."),
        ] + (1...6).map { entry("other\($0)", "en", "Shipping", "Parcels leave the warehouse daily, tracked by number \($0).") })
        #expect(try s.ids("Warsaw population in 1901", lang: "en").first == "year")
        s.ranking.identifier = 1
        #expect(try s.ids("Warsaw population in 1901", lang: "en").first == "words")
    }

    @Test func arabicWithAndWithoutTashkeel() throws {
        let s = try index([entry("ar", "ar", "استرداد المبلغ", "يتم استرداد المبلغ خلال أسبوع"), entry("x", "en", "Other", "nothing")])
        #expect(try s.ids("اِسْتِرْدَاد").first == "ar")
        #expect(try s.ids("استرداد").first == "ar")
    }

    @Test func thaiJapaneseKorean() throws {
        let s = try index([
            entry("th", "th", "การคืนเงิน", "ลูกค้าสามารถขอคืนเงินได้ภายในเจ็ดวัน"),
            entry("ja", "ja", "返金について", "返金は七日以内に手続きします"),
            entry("ko", "ko", "환불 안내", "환불은 7일 이내에 처리됩니다"),
            entry("en", "en", "Refund", "Refunds within seven days"),
        ])
        #expect(try s.ids("คืนเงิน").first == "th")
        #expect(try s.ids("返金").first == "ja")
        #expect(try s.ids("환불을").first == "ko")
    }

    @Test func traditionalAndSimplifiedFindEachOther() throws {
        let s = try index([
            entry("hans", "zh-Hans", "退货运费由谁承担", "退货运费规则"),
            entry("hant", "zh-Hant", "軟體更新", "請更新軟體"),
            entry("x", "en", "Other", "nothing"),
        ])
        #expect(try s.ids("退貨運費").first == "hans")
        #expect(try s.ids("软件").first == "hant")
    }

    @Test func glossaryExpandsAcrossLanguages() throws {
        let set = Glossary.TermSet(id: "refund", terms: ["zh-Hans": ["退款"], "en": ["refund"], "de": ["Rückerstattung"], "es": ["reembolso"]])
        let s = try index([
            entry("de", "de", "Rückerstattung", "Ihre Rückerstattung"),
            entry("es", "es", "Reembolso", "Su reembolso"),
            entry("zh", "zh-Hans", "退款说明", "退款流程"),
            entry("x", "en", "Shipping", "Parcels"),
        ], glossary: [set])
        #expect(Set(try s.ids("退款")).isSuperset(of: ["de", "es", "zh"]))
        #expect(Set(try s.ids("refund")).isSuperset(of: ["de", "es", "zh"]))
        var r = SearchRequest(q: "退款")
        #expect(try s.search(r).query.expansions.first?.set == "refund")
        // With a reply language, expansions go only into it, the query's language, English
        // and Chinese: the Spanish term is not searched for a German reply.
        r.replyLang = "de"
        #expect(try s.search(r).query.expansions.first?.terms.sorted() == ["Rückerstattung", "refund"])
        r.replyLang = nil
        r.expand = false
        #expect(try s.search(r).results.map { $0.id } == ["zh"])
    }

    @Test func oneTypoIsCorrectedAndReported() throws {
        let s = try index([entry("w", "en", "Warranty claims", "How to file a warranty claim"), entry("x", "en", "Other", "nothing")])
        let r = try s.search(SearchRequest(q: "warrenty"))
        #expect(r.results.first?.id == "w")
        #expect(r.query.corrections == [.init(from: "warrenty", to: "warranty")])
        #expect(try s.search(SearchRequest(q: "warranty")).query.corrections.isEmpty)
    }

    @Test func snippetsMarkWholeMatchedWords() throws {
        let s = try index([
            entry("zh", "zh-Hans", "运费说明", "德国买家退货运费由卖家承担，另有说明。"),
            entry("en", "en", "Returns", "Customers may return items within fourteen days of delivery."),
        ])
        let zh = try s.search(SearchRequest(q: "退货运费")).results.first { $0.id == "zh" }
        #expect(zh?.snippet.contains("<mark>退货运费</mark>") == true, "\(zh?.snippet ?? "")")
        let en = try s.search(SearchRequest(q: "returned")).results.first { $0.id == "en" }
        #expect(en?.snippet.contains("<mark>return</mark>") == true, "\(en?.snippet ?? "")")
    }

    @Test func querySyntax() throws {
        let s = try index([
            entry("a", "en", "Lost parcel", "The lost parcel report", kind: .case),
            entry("b", "en", "Parcel lost in customs", "customs held the parcel", kind: .policy),
            entry("c", "en", "Refunds", "refund rules", kind: .policy),
        ])
        #expect(try s.ids("\"lost parcel\"") == ["a"])
        #expect(Set(try s.ids("parcel -customs")) == ["a"])
        #expect(Set(try s.ids("parcel kind:policy")) == ["b"])
        #expect(Set(try s.ids("refu*")) == ["c"])
        #expect(try s.ids("id:c") == ["c"])
        // Input that would break a query parser is answered, never an error.
        for q in ["(", "\"", "AND", "kind:", "*", "-", "a AND OR b", "退款 AND", "…只有CE…", String(repeating: "x ", count: 2000)] {
            #expect(throws: Never.self) { _ = try s.search(SearchRequest(q: q)) }
        }
    }

    @Test func latinQueryWithoutLanguageUsesTheIndexLanguagesStemmers() throws {
        let s = try index([entry("de", "de", "Rücksendungen", "Rücksendungen und Erstattungen"), entry("x", "en", "Other", "nothing")])
        #expect(try s.ids("Rücksendung").first == "de")
        #expect(try s.search(SearchRequest(q: "Rücksendung")).query.language == nil)
    }
}
