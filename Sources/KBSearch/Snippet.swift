import KBText

/// Builds the short extract shown under a hit, marking whole matched words: in Chinese,
/// Japanese and Thai the longest runs of characters the query's n-grams cover (退货运费,
/// not 退 / 货运 / 费 as Xapian 1.4's own snippets or a word segmenter would).
struct SnippetMaker {
    var open = "<mark>", close = "</mark>"
    /// Extract length in UTF-8 bytes (about 80 CJK characters or 200 Latin ones).
    var budget = 240

    /// Whether an analysed word of an entry matches the query by form, stem or accents.
    static func matches(_ w: Analyzer.Word, _ q: QueryForms) -> Bool {
        if q.forms.contains(w.form) || q.expansions[w.form] != nil || q.stems.contains(w.form) { return true }
        if let s = w.stem, q.stems.contains(s) || q.expansions[s] != nil { return true }
        if let f = w.folded ?? (w.script.foldsAccents ? w.form : nil), q.folded.contains(f) { return true }
        return false
    }

    /// Byte ranges of `text` to mark, in order.
    func marks(_ text: [UInt8], words: [Analyzer.Word], query q: QueryForms) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            guard w.script.isUnspaced else {
                if Self.matches(w, q) { out.append(w.range) }
                i += 1
                continue
            }
            // A run of unspaced words: mark characters covered by a matching bigram.
            var j = i
            var chars: [(form: Unicode.Scalar, range: Range<Int>)] = []
            var whole: [Range<Int>] = []
            while j < words.count, words[j].script.isUnspaced, j == i || words[j].position == words[j - 1].position + 1 {
                let word = words[j]
                if Self.matches(word, q) && word.form.unicodeScalars.count >= 2 { whole.append(word.range) }
                let raw = String(decoding: text[word.range], as: UTF8.self).unicodeScalars
                let forms = Array(word.form.unicodeScalars)
                if raw.count == forms.count {
                    var offset = word.range.lowerBound
                    for (f, r) in zip(forms, raw) {
                        let n = String(r).utf8.count
                        chars.append((f, offset..<(offset + n)))
                        offset += n
                    }
                }
                j += 1
            }
            var marked = [Bool](repeating: false, count: chars.count)
            for k in chars.indices.dropLast() {
                let gram = String(chars[k].form) + String(chars[k + 1].form)
                if q.grams.contains(gram) || q.expansions[gram] != nil { marked[k] = true; marked[k + 1] = true }
            }
            var k = 0
            while k < chars.count {
                guard marked[k] else { k += 1; continue }
                var e = k
                while e + 1 < chars.count, marked[e + 1] { e += 1 }
                whole.append(chars[k].range.lowerBound..<chars[e].range.upperBound)
                k = e + 1
            }
            out += Self.merge(whole)
            i = j
        }
        return out
    }

    static func merge(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// The best window of `text`, matched words marked; the matched words' text in order.
    func make(_ text: String, words: [Analyzer.Word], query: QueryForms) -> (snippet: String, matched: [String]) {
        let bytes = Array(text.utf8)
        let marks = marks(bytes, words: words, query: query)
        guard !words.isEmpty else { return (Self.clean(String(decoding: bytes.prefix(budget), as: UTF8.self)), []) }
        // Slide a window of `budget` bytes over the words; keep the one covering most marks.
        var best = (start: 0, count: -1)
        var m = 0
        for i in words.indices {
            let from = words[i].range.lowerBound
            while m < marks.count, marks[m].lowerBound < from { m += 1 }
            var count = 0
            var k = m
            while k < marks.count, marks[k].upperBound <= from + budget { count += 1; k += 1 }
            if count > best.count { best = (i, count) }
        }
        let from = best.start == 0 ? 0 : words[best.start].range.lowerBound
        var to = from
        for w in words[best.start...] where w.range.upperBound <= from + budget { to = w.range.upperBound }
        if to == from { to = min(bytes.count, words[best.start].range.upperBound) }
        if best.start == 0 && words.count > 0, to >= words[words.count - 1].range.upperBound { to = bytes.count }
        var out = from > 0 ? "…" : ""
        var cursor = from
        var matched: [String] = []
        for r in marks where r.lowerBound >= from && r.upperBound <= to {
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
