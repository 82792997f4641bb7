import Xapian

/// Turns text into the forms kbq indexes and searches, for one language at a time.
///
/// Every word found by ICU's word breaker gets:
/// - `form`: NFKC + case folding; Arabic normalised; Chinese converted to simplified
///   (OpenCC `tw2sp`, so 軟體/软件 and 退貨/退货 meet);
/// - `stem`: the Snowball stem, for languages Xapian can stem;
/// - `folded`: the form without accents, for Latin, Greek and Cyrillic (`devolucion`);
/// and the text gets character n-grams for recall: uni- and bigrams over runs of Han and
/// kana, bi- and trigrams over runs of Thai, Lao, Khmer and Burmese, syllable bigrams
/// inside Hangul words, trigrams inside alphabetic words of four letters or more (German compounds, typos,
/// over-eager stemmers).
///
/// Not thread-safe (ICU, OpenCC and Xapian stemmers are not): one `Analyzer` per thread.
public final class Analyzer {
    public struct Word: Sendable, Equatable {
        public var form: String
        public var stem: String?
        public var folded: String?
        public var script: Script
        /// 1-based position of the word in the text.
        public var position: Int
        /// UTF-8 byte range in the text as given (before any conversion).
        public var range: Range<Int>
    }

    public struct Analysis: Sendable, Equatable {
        public var words: [Word] = []
        public var grams: [String] = []
        /// The language used: as given, or detected from the script.
        public var language: String?
    }

    private let segmenter: Segmenter
    private let chinese: ChineseConverter
    private var stemmers: [String: Stemmer?] = [:]

    public init() throws {
        segmenter = try Segmenter()
        chinese = try ChineseConverter(config: "tw2sp.json")
    }

    /// Analyses `text` written in `language` (a BCP 47 tag); nil detects it from the script.
    public func analyze(_ text: String, language: String?) throws -> Analysis {
        let segments = try segmenter.segments(text)
        let lang = language ?? LanguageDetector.detect(segments)
        var analysis = Analysis(language: lang)
        let wordStemmer = lang.flatMap { self.stemmer(for: $0) }
        let isJapanese = lang.map { $0 == "ja" || $0.hasPrefix("ja-") } ?? false
        let utf8 = Array(text.utf8)
        var run: [(Segment, String)] = []   // a run of unspaced-script words, for n-grams
        var position = 0

        func flushRun() throws {
            guard !run.isEmpty else { return }
            let joined = run.map(\.1).joined()
            let chars = joined.unicodeScalars.map { String($0) }
            let sizes = run[0].0.script == .han || run[0].0.script == .kana ? [1, 2] : [2, 3]
            analysis.grams += Self.ngrams(chars, sizes: sizes)
            run.removeAll()
        }

        for seg in segments {
            let raw = String(decoding: utf8[seg.range], as: UTF8.self)
            var form = try UnicodeFolding.nfkcCasefold(raw)
            if seg.script == .han && !isJapanese { form = try chinese.convert(form) }
            if seg.script == .arabic { form = Normalization.arabic(form) }
            guard !form.isEmpty else { continue }
            position += 1
            var word = Word(form: form, stem: nil, folded: nil, script: seg.script, position: position, range: seg.range)
            if seg.script.isUnspaced {
                run.append((seg, form))
            } else {
                try flushRun()
                // A stem under three letters (Turkish `iadeleri` → `ia`) matches unrelated words.
                if let wordStemmer, seg.kind == .letter, let s = try? wordStemmer.stem(form), s != form,
                   s.unicodeScalars.count >= 3 {
                    word.stem = s
                }
                if seg.script.foldsAccents {
                    let f = Normalization.foldAccents(form)
                    if f != form { word.folded = f }
                }
                let chars = (word.folded ?? form).unicodeScalars.map { String($0) }
                if seg.script == .hangul, chars.count >= 3 {
                    analysis.grams += Self.ngrams(chars, sizes: [2])
                } else if seg.kind == .letter, chars.count >= 4 {
                    analysis.grams += Self.ngrams(chars, sizes: [3])
                }
            }
            analysis.words.append(word)
        }
        try flushRun()
        return analysis
    }

    /// Simplified Chinese for `text` (OpenCC `tw2sp`): for callers that compare text.
    public func simplifiedChinese(_ text: String) throws -> String { try chinese.convert(text) }

    /// Character n-grams of the given sizes (shorter runs yield what they can).
    static func ngrams(_ chars: [String], sizes: [Int]) -> [String] {
        var out: [String] = []
        for n in sizes where chars.count >= n {
            for i in 0...(chars.count - n) { out.append(chars[i..<(i + n)].joined()) }
        }
        return out
    }

    /// The Xapian stemmer for a BCP 47 tag, cached; nil for languages without one.
    public func stemmer(for tag: String) -> Stemmer? {
        let primary = String(tag.split(separator: "-").first ?? "")
        if let cached = stemmers[primary] { return cached }
        let stemmer = Self.stemmerLanguages.contains(primary) ? try? Stemmer(primary) : nil
        stemmers[primary] = stemmer
        return stemmer
    }

    /// Languages with a Snowball stemmer in Xapian 1.4 (by ISO 639-1 code).
    public static let stemmerLanguages: Set<String> = [
        "ar", "hy", "eu", "ca", "da", "nl", "en", "fi", "fr", "de", "hu", "id", "ga", "it", "lt", "ne", "nb", "nn",
        "no", "pt", "ro", "ru", "es", "sv", "ta", "tr",
    ]
}
