import Testing
@testable import KBSearch

/// Quotes are phrase syntax only where an agent types keywords (XQuAD's questions showed
/// the failures: a lone `”` turned a whole question into one phrase that matched nothing).
@Suite struct QuerySyntaxTests {
    @Test func balancedQuotesInKeywordsMakeAPhrase() {
        let s = QuerySyntax(#"refund "bank transfer" -paypal"#)
        #expect(s.phrases == ["bank transfer"])
        #expect(s.text == ["refund"])
        #expect(s.excluded == ["paypal"])
        #expect(QuerySyntax("„Rückgabe Frist” DE").phrases == ["Rückgabe Frist"])
        #expect(QuerySyntax("«délai de rétractation»").phrases == ["délai de rétractation"])
    }

    @Test func aQuoteWithoutItsPairIsIgnored() {
        let s = QuerySyntax("”Care a fost rezultatul")
        #expect(s.phrases.isEmpty)
        #expect(s.text == ["Care", "a", "fost", "rezultatul"])
        #expect(QuerySyntax(#"refund "bank transfer"#).text == ["refund", "bank", "transfer"])
    }

    @Test func quotesInAPastedMessageAreQuotationMarks() {
        let s = QuerySyntax(#"Hello, the parcel says "delivered" but I never got it, please help"#)
        #expect(s.phrases.isEmpty)
        #expect(s.text.contains("delivered"))
        #expect(s.text.count == 12)
    }

    @Test func aStrayQuoteNoLongerEmptiesTheResults() throws {
        let s = try Bundled.searcher()
        let plain = try s.search(SearchRequest(q: "refund bank transfer")).results.map(\.id)
        #expect(!plain.isEmpty)
        #expect(try s.search(SearchRequest(q: "”refund bank transfer")).results.map(\.id) == plain)
    }
}
