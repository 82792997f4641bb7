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
        /// Trigrams inside an alphabetic word of four letters or more (empty otherwise).
        public var grams: [String] = []
        /// A number, a code with digits (`220V`, `Internet2`), an acronym written in
        /// capitals among other words (`CE`, `NASA`), or a Latin word in text of another
        /// script (`iPhone 充电器`): a name or a code, which matches by its exact form alone
        /// (a number has no stem, trigrams or folded form; a name rarely has a stem).
        public var isIdentifier = false
    }

    public struct Analysis: Sendable, Equatable {
        public var words: [Word] = []
        /// N-grams of unspaced scripts and Hangul: the main way such text is found.
        public var grams: [String] = []
        /// Trigrams inside alphabetic words: a second chance for compounds and variants.
        public var subwordGrams: [String] { words.flatMap(\.grams) }
        /// The language used: as given, or detected from the script.
        public var language: String?
    }

    private let segmenter: Segmenter
    private let chinese: ChineseConverter
    private var stemmers: [String: Stemmer?] = [:]
    /// Raw token (with its language) → its forms. Words repeat a lot, and normalising,
    /// converting, stemming and folding each is what analysis spends its time on.
    private var cache: [String: Forms] = [:]
    static let cacheLimit = 200_000

    public init() throws {
        segmenter = try Segmenter()
        chinese = try ChineseConverter(config: "tw2sp.json")
    }

    /// Analyses `text` written in `language` (a BCP 47 tag); nil detects it from the script.
    /// Without `ngrams` only the words are returned (enough to mark a snippet).
    public func analyze(_ text: String, language: String?, ngrams: Bool = true) throws -> Analysis {
        let segments = try segmenter.segments(text)
        var lang = language ?? LanguageDetector.detect(segments)
        // Latin script says nothing by itself: a message's function words usually do.
        if lang == nil, segments.contains(where: { $0.script == .latin }) {
            let bytes = Array(text.utf8)
            let forms = try segments.filter { $0.script == .latin }.prefix(200)
                .map { try UnicodeFolding.nfkcCasefold(String(decoding: bytes[$0.range], as: UTF8.self)) }
            lang = Stopwords.guess(forms)
        }
        var analysis = Analysis(language: lang)
        let wordStemmer = lang.flatMap { self.stemmer(for: $0) }
        let isJapanese = lang.map { $0 == "ja" || $0.hasPrefix("ja-") } ?? false
        let utf8 = Array(text.utf8)
        var run: [(Segment, String)] = []   // a run of unspaced-script words, for n-grams
        var position = 0

        func flushRun() throws {
            guard !run.isEmpty else { return }
            guard ngrams else { return run.removeAll() }
            let joined = run.map(\.1).joined()
            let chars = joined.unicodeScalars.map { String($0) }
            let sizes = run[0].0.script == .han || run[0].0.script == .kana ? [1, 2] : [2, 3]
            analysis.grams += Self.ngrams(chars, sizes: sizes)
            run.removeAll()
        }

        // A Latin word among words of another script (Thai, Chinese, Arabic…) is a name, a
        // brand or a code; numbers do not count as words here.
        let words = segments.filter { $0.kind != .number }
        let latinIsForeign = words.filter { $0.script == .latin }.count * 2 < words.count
        // A word in capitals is an acronym only among words that are not (a message typed
        // in capitals is not a list of acronyms); looked at once, when a word needs it.
        var hasLowercase: Bool?
        let isTurkish = lang.map { $0.hasPrefix("tr") || $0.hasPrefix("az") } ?? false
        let cacheLanguage = (wordStemmer?.language ?? "") + (isJapanese ? "ja" : "") + (isTurkish ? "tr" : "")
        for seg in Self.splitAtApostrophes(segments, utf8) {
            let raw = String(decoding: utf8[seg.range], as: UTF8.self)
            let key = cacheLanguage + "\u{1}" + raw
            let forms: Forms
            if let cached = cache[key] {
                forms = cached
            } else {
                forms = try self.forms(raw, seg, stemmer: wordStemmer, japanese: isJapanese, turkish: isTurkish)
                if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[key] = forms
            }
            let form = forms.form
            guard !form.isEmpty else { continue }
            position += 1
            var word = Word(form: form, stem: forms.stem, folded: forms.folded, script: seg.script, position: position, range: seg.range)
            if forms.capitals, hasLowercase == nil { hasLowercase = text.unicodeScalars.contains { $0.properties.isLowercase } }
            word.isIdentifier = forms.hasDigits || (forms.capitals && hasLowercase == true) || (latinIsForeign && seg.script == .latin)
            if seg.script.isUnspaced {
                run.append((seg, form))
            } else {
                try flushRun()
                let chars = ngrams ? (word.folded ?? form).unicodeScalars.map { String($0) } : []
                if seg.script == .hangul, chars.count >= 3 {
                    analysis.grams += Self.ngrams(chars, sizes: [2])
                } else if seg.kind == .letter, chars.count >= 4 {
                    word.grams = Self.ngrams(chars, sizes: [3])
                }
            }
            analysis.words.append(word)
        }
        try flushRun()
        // Vietnamese writes each syllable apart; most words are two syllables, so
        // adjacent pairs stand in for words.
        if ngrams, lang.map({ $0 == "vi" || $0.hasPrefix("vi-") }) == true {
            for (a, b) in zip(analysis.words, analysis.words.dropFirst()) where b.position == a.position + 1 {
                analysis.grams.append(a.form + " " + b.form)
            }
        }
        return analysis
    }

    /// Latin words split at apostrophes: French `l'union`, Turkish `Türkiye'nin` (a
    /// suffix after a name), English `customer's`: each part is a word of its own.
    static func splitAtApostrophes(_ segments: [Segment], _ utf8: [UInt8]) -> [Segment] {
        var out: [Segment] = []
        out.reserveCapacity(segments.count)
        for seg in segments {
            guard seg.script == .latin, seg.kind == .letter else { out.append(seg); continue }
            var start = seg.range.lowerBound, i = start
            while i < seg.range.upperBound {
                // ' (27) or ’ (E2 80 99)
                let width = utf8[i] == 0x27 ? 1 : (utf8[i] == 0xE2 && i + 2 < seg.range.upperBound
                                                   && utf8[i + 1] == 0x80 && utf8[i + 2] == 0x99) ? 3 : 0
                if width > 0 {
                    // A lone letter beside an apostrophe (l', d', 's) carries no meaning.
                    if i > start + 1 { out.append(Segment(range: start..<i, kind: seg.kind, script: seg.script)) }
                    start = i + width
                    i = start
                } else {
                    i += 1
                }
            }
            if start < seg.range.upperBound - (start == seg.range.lowerBound ? 0 : 1) { out.append(Segment(range: start..<seg.range.upperBound, kind: seg.kind, script: seg.script)) }
        }
        return out
    }

    /// What one raw token becomes, whatever its place in the text (cached).
    private struct Forms {
        var form: String
        var stem: String?
        var folded: String?
        /// A number or a code with digits (decimal digits only: 一 and 万 have numeric
        /// values too, and 什么 is no code).
        var hasDigits: Bool
        /// Two letters or more, all capitals (`CE`, `NASA`, `İŞKUR`).
        var capitals: Bool
    }

    /// The form, stem and accent-free form of one raw token.
    private func forms(_ raw: String, _ seg: Segment, stemmer: Stemmer?, japanese: Bool, turkish: Bool) throws -> Forms {
        var text = raw
        // Turkish capitals: İ is i and I is ı (Unicode's default folding turns İ into i + ◌̇).
        if turkish, seg.script == .latin {
            text = raw.replacingOccurrences(of: "İ", with: "i").replacingOccurrences(of: "I", with: "ı")
        }
        var form = try UnicodeFolding.nfkcCasefold(text)
        if seg.script == .han && !japanese { form = try chinese.convert(form) }
        if seg.script == .arabic { form = Normalization.arabic(form) }
        var stem: String?, folded: String?
        if !seg.script.isUnspaced {
            if let stemmer, seg.kind == .letter { stem = Self.stem(form, stemmer) }
            if seg.script.foldsAccents {
                let f = Normalization.foldAccents(form)
                if f != form { folded = f }
            }
        }
        let hasDigits = seg.kind == .number || raw.unicodeScalars.contains { $0.properties.numericType == .decimal }
        let capitals = raw.unicodeScalars.count >= 2 && raw.unicodeScalars.allSatisfy { $0.properties.isUppercase }
        return Forms(form: form, stem: stem, folded: folded, hasDigits: hasDigits, capitals: capitals)
    }

    /// The stem of a word form, nil when it is the form itself or shorter than three letters
    /// (Turkish `iade` → `ia` would match unrelated words). Xapian 1.4's Romanian stemmer
    /// knows only the old cedilla letters ş ţ, while Romanian is written with the comma-below
    /// ș ț (XQuAD, every modern keyboard): `organizații` stayed `organizaț` where `organizaţii`
    /// becomes `organiz`. It is given the cedilla spelling, and its stem is given back in
    /// the text's letters.
    public static func stem(_ form: String, _ stemmer: Stemmer) -> String? {
        let romanian = stemmer.language == "ro"
        let input = romanian ? form.replacingOccurrences(of: "ș", with: "ş").replacingOccurrences(of: "ț", with: "ţ") : form
        guard var s = try? stemmer.stem(input) else { return nil }
        if romanian { s = s.replacingOccurrences(of: "ş", with: "ș").replacingOccurrences(of: "ţ", with: "ț") }
        return s != form && s.unicodeScalars.count >= 3 ? s : nil
    }

    /// Simplified Chinese for `text` (OpenCC `tw2sp`): for callers that compare text.
    public func simplifiedChinese(_ text: String) throws -> String { try chinese.convert(text) }

    /// Character n-grams of the given sizes (shorter runs yield what they can).
    public static func ngrams(_ chars: [String], sizes: [Int]) -> [String] {
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
