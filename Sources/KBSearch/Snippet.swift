import KBText

/// Builds the short extract shown under a hit, marking whole matched words — in Chinese
/// too, where Xapian 1.4's own snippets mark single characters.
struct SnippetMaker {
    var open = "<mark>", close = "</mark>"
    /// Extract length in UTF-8 bytes (about 80 CJK characters or 200 Latin ones).
    var budget = 240

    /// Whether an analysed word of an entry matches the query.
    static func matches(_ w: Analyzer.Word, _ q: QueryForms) -> Bool {
        if q.forms.contains(w.form) || q.expansions[w.form] != nil { return true }
        if let s = w.stem, q.stems.contains(s) || q.expansions[s] != nil { return true }
        if q.stems.contains(w.form) { return true }
        if let f = w.folded ?? (w.script.foldsAccents ? w.form : nil), q.folded.contains(f) { return true }
        if w.script.isUnspaced {
            let chars = w.form.unicodeScalars.map { String($0) }
            if chars.count >= 2 {
                return Analyzer.ngrams(chars, sizes: [2]).contains { q.grams.contains($0) || q.expansions[$0] != nil }
            }
        }
        return false
    }

    /// The best window of `text`, matched words marked; the matched words' text in order.
    func make(_ text: String, words: [Analyzer.Word], query: QueryForms) -> (snippet: String, matched: [String]) {
        let bytes = Array(text.utf8)
        let hits = words.map { Self.matches($0, query) }
        // Slide a window of `budget` bytes over the words; keep the one with most matches.
        var best = (start: 0, end: 0, count: -1)
        var j = 0, count = 0
        for i in words.indices {
            while j < words.count, words[j].range.upperBound - words[i].range.lowerBound <= budget {
                if hits[j] { count += 1 }
                j += 1
            }
            if count > best.count { best = (i, j, count) }
            if hits[i] { count -= 1 }
            if j == i + 1 { j = max(j, i + 1) }
        }
        guard !words.isEmpty, best.end > best.start else {
            return (Self.clean(String(decoding: bytes.prefix(budget), as: UTF8.self)), [])
        }
        let from = best.start == 0 ? 0 : words[best.start].range.lowerBound
        let to = best.end == words.count ? bytes.count : words[best.end - 1].range.upperBound
        var out = from > 0 ? "…" : ""
        var cursor = from
        var matched: [String] = []
        for k in best.start..<best.end where hits[k] {
            let r = words[k].range
            out += String(decoding: bytes[cursor..<r.lowerBound], as: UTF8.self)
            let word = String(decoding: bytes[r], as: UTF8.self)
            out += open + word + close
            if !matched.contains(word) { matched.append(word) }
            cursor = r.upperBound
        }
        out += String(decoding: bytes[cursor..<to], as: UTF8.self)
        if to < bytes.count { out += "…" }
        return (Self.clean(out), matched)
    }

    /// One line: Markdown emphasis and headings dropped, white space collapsed.
    static func clean(_ s: String) -> String {
        s.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "## ", with: "")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

import Foundation
