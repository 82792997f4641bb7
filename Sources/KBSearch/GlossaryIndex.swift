import KBCorpus
import KBText

/// The glossary keyed by analysed form, so that a query's words find their sets whatever
/// the case, accents, script variant (退費/退费) or inflection (refunds → refund).
struct GlossaryIndex {
    let glossary: Glossary
    private var byKey: [String: [Int]] = [:]
    /// The longest term, in words: how far the query scan looks ahead.
    private(set) var maxWords = 1

    init(_ glossary: Glossary, analyzer: Analyzer) throws {
        self.glossary = glossary
        for (i, set) in glossary.sets.enumerated() {
            for (lang, terms) in set.terms {
                for term in terms {
                    let words = try analyzer.analyze(term, language: lang).words
                    guard !words.isEmpty else { continue }
                    maxWords = max(maxWords, words.count)
                    for key in Set([Self.key(words.map(\.form), words), Self.key(words.map { $0.stem ?? $0.form }, words)]) {
                        byKey[key, default: []].append(i)
                    }
                }
            }
        }
    }

    /// Unspaced scripts join without spaces, so ICU's segmentation choices do not matter.
    static func key(_ forms: [String], _ words: [Analyzer.Word]) -> String {
        words.allSatisfy { $0.script.isUnspaced } ? forms.joined() : forms.joined(separator: " ")
    }

    /// The sets found in an analysed query, with the query text that matched each.
    func matches(in words: [Analyzer.Word]) -> [(set: Glossary.TermSet, matched: String)] {
        var found: [Int: String] = [:]
        func look(_ key: String) { for i in byKey[key] ?? [] where found[i] == nil { found[i] = key } }
        for start in words.indices {
            for n in 1...maxWords where start + n <= words.count {
                let span = Array(words[start..<(start + n)])
                look(Self.key(span.map(\.form), span))
                look(Self.key(span.map { $0.stem ?? $0.form }, span))
            }
        }
        // Within a run of Han or kana, every substring of 2–6 characters may be a term.
        var run = ""
        func scanRun() {
            let chars = Array(run.unicodeScalars).map { String($0) }
            for i in chars.indices { for n in 2...6 where i + n <= chars.count { look(chars[i..<(i + n)].joined()) } }
            run = ""
        }
        for w in words {
            if w.script.isUnspaced { run += w.form } else { scanRun() }
        }
        scanRun()
        return found.sorted { $0.key < $1.key }.map { (glossary.sets[$0.key], $0.value) }
    }
}
