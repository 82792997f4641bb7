import Testing
@testable import KBCorpus

@Suite struct ModelTests {
    @Test func languageTags() {
        for good in ["en", "zh-Hans", "zh-Hant", "pt-BR", "es-419", "sr-Latn-RS", "ar"] {
            #expect(LanguageTag(good)?.description == good)
        }
        for bad in ["english", "EN", "zh_CN", "zh-hans", "xx", "pt-br", "", "en-", "de-DE-DE"] {
            #expect(LanguageTag(bad) == nil, "\(bad) is rejected")
        }
    }

    @Test func idsAndDates() {
        #expect(Vocabulary.isValidID("phr-refund-de"))
        #expect(!Vocabulary.isValidID("-x") && !Vocabulary.isValidID("Upper") && !Vocabulary.isValidID(""))
        #expect(!Vocabulary.isValidID(String(repeating: "a", count: 65)))
        #expect(Vocabulary.isValidDate("2024-02-29"))
        #expect(!Vocabulary.isValidDate("2025-02-29") && !Vocabulary.isValidDate("2026-13-01") && !Vocabulary.isValidDate("26-1-1"))
    }

    @Test func templatePlaceholdersAndRendering() {
        let t = Template("Hallo {{customer_name}}, Bestellung {{order_id}} ({{ order_id }}) – {{agent_name}}")
        #expect(t.placeholders == ["customer_name", "order_id", "agent_name"])
        let (text, missing) = t.render(["customer_name": "Frau Weber", "order_id": "A-1"])
        #expect(text == "Hallo Frau Weber, Bestellung A-1 (A-1) – {{agent_name}}")
        #expect(missing == ["agent_name"])
        #expect(t.render(["customer_name": "x", "order_id": "y", "agent_name": "z"]).missing.isEmpty)
    }

    @Test func marketScope() {
        let m = MarketHierarchy(regions: [.init(code: "EU", name: "EU"), .init(code: "EEA", name: "EEA")],
                                countries: [.init(code: "DE", name: "Germany", regions: ["EU", "EEA"]),
                                            .init(code: "NO", name: "Norway", regions: ["EEA"])])
        #expect(m.scope(of: "DE") == ["DE", "EU", "EEA", "GLOBAL"])
        #expect(m.scope(of: "EU") == ["EU", "GLOBAL"])
        #expect(m.countries(in: "EEA") == ["DE", "NO"])
        #expect(m.isKnown("GLOBAL"))
    }

    @Test func glossaryLookupIsCaseInsensitive() {
        let g = Glossary(sets: [.init(id: "refund", terms: ["en": ["Refund"], "de": ["Rückerstattung"]])])
        #expect(g.sets(containing: "refund").map(\.id) == ["refund"])
        #expect(g.sets(containing: "RÜCKERSTATTUNG").map(\.id) == ["refund"])
        #expect(g.sets(containing: "nothing").isEmpty)
    }
}
