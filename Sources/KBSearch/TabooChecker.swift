import KBCorpus
import KBText

/// Checks a reply draft against the taboo entries' `patterns`, percolator-style: the
/// patterns are indexed once (by their first word's form and stem, and by their first
/// bigram in unspaced scripts), and a draft's words look up only the patterns that could
/// start there. A pattern matches when its words follow one another in the draft by form,
/// stem or unaccented form ("guaranteed cures" hits "guaranteed cure"), or, in Chinese,
/// Japanese and Thai, when its characters occur in the draft (after traditional →
/// simplified conversion).
struct TabooChecker {
    struct Pattern {
        let entry: Entry
        let text: String
        let words: [Analyzer.Word]
        /// For unspaced patterns: the normalised characters.
        let chars: String?
    }

    private var patterns: [Pattern] = []
    /// Word form or stem → patterns starting with it.
    private var byWord: [String: [Int]] = [:]
    /// First two characters → unspaced patterns.
    private var byBigram: [String: [Int]] = [:]

    init(entries: [Entry], analyzer: Analyzer) throws {
        for e in entries where e.kind == .taboo {
            for text in e.patterns {
                let words = try analyzer.analyze(text, language: nil).words
                guard let first = words.first else { continue }
                let unspaced = words.allSatisfy { $0.script.isUnspaced }
                let chars = unspaced ? words.map(\.form).joined() : nil
                patterns.append(Pattern(entry: e, text: text, words: words, chars: chars))
                let i = patterns.count - 1
                if let chars {
                    byBigram[String(chars.unicodeScalars.prefix(2).map(Character.init)), default: []].append(i)
                } else {
                    for key in Set([first.form, first.stem ?? first.form, first.folded ?? first.form]) { byWord[key, default: []].append(i) }
                }
            }
        }
    }

    var count: Int { patterns.count }

    /// One pattern found in the draft.
    struct Finding {
        let entry: Entry
        let pattern: String
        /// UTF-8 byte range in the draft.
        let range: Range<Int>
    }

    func check(_ draft: [Analyzer.Word], text: [UInt8], scope: Set<String>?) -> [Finding] {
        var out: [Finding] = []
        func applies(_ p: Pattern) -> Bool { scope.map { !$0.isDisjoint(with: p.entry.markets) } ?? true }
        func same(_ a: Analyzer.Word, _ b: Analyzer.Word) -> Bool {
            a.form == b.form || (a.stem ?? a.form) == (b.stem ?? b.form) || (a.folded ?? a.form) == (b.folded ?? b.form)
        }
        for (i, w) in draft.enumerated() {
            var candidates = Set<Int>()
            for key in [w.form, w.stem ?? w.form, w.folded ?? w.form] { candidates.formUnion(byWord[key] ?? []) }
            for c in candidates.sorted() {
                let p = patterns[c]
                guard applies(p), i + p.words.count <= draft.count else { continue }
                let span = draft[i..<(i + p.words.count)]
                if zip(span, p.words).allSatisfy(same), zip(span, span.dropFirst()).allSatisfy({ $1.position == $0.position + 1 }) {
                    out.append(Finding(entry: p.entry, pattern: p.text, range: span.first!.range.lowerBound..<span.last!.range.upperBound))
                }
            }
        }
        // Unspaced runs: look for each candidate pattern's characters in the run.
        var i = 0
        while i < draft.count {
            guard draft[i].script.isUnspaced else { i += 1; continue }
            var j = i
            while j < draft.count, draft[j].script.isUnspaced { j += 1 }
            let run = Array(draft[i..<j])
            let joined = run.map(\.form).joined()
            let scalars = Array(joined.unicodeScalars)
            // Where each word's characters start in `joined`, to turn a match back into bytes.
            var starts: [Int] = []
            var n = 0
            for w in run { starts.append(n); n += w.form.unicodeScalars.count }
            var seen = Set<Int>()
            for k in scalars.indices.dropLast() {
                for c in byBigram[String(Character(scalars[k])) + String(Character(scalars[k + 1]))] ?? [] where !seen.contains(c) {
                    let p = patterns[c]
                    guard applies(p), let chars = p.chars, k + chars.unicodeScalars.count <= scalars.count,
                          String(String.UnicodeScalarView(scalars[k..<(k + chars.unicodeScalars.count)])) == chars else { continue }
                    seen.insert(c)
                    let end = k + chars.unicodeScalars.count
                    let first = starts.lastIndex { $0 <= k } ?? 0
                    let last = starts.lastIndex { $0 < end } ?? first
                    out.append(Finding(entry: p.entry, pattern: p.text, range: run[first].range.lowerBound..<run[last].range.upperBound))
                }
            }
            i = j
        }
        return out
    }
}
