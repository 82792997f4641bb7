import KBCorpus
import KBText
import Xapian

/// What kbq understood of a query: shown to the agent and returned in every response.
public struct QueryUnderstanding: Codable, Sendable, Equatable {
    public struct Expansion: Codable, Sendable, Equatable {
        /// The query text that matched a glossary set, and the set.
        public var from: String
        public var set: String
        public var terms: [String]
    }
    public struct Correction: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        public init(from: String, to: String) { self.from = from; self.to = to }
    }

    /// The language the query was analysed in (BCP 47), nil for Latin text with none given.
    public var language: String?
    public var languageDetected = false
    public var words: [String] = []
    public var phrases: [String] = []
    public var wildcards: [String] = []
    public var excluded: [String] = []
    public var filters: [String] = []
    public var expansions: [Expansion] = []
    public var corrections: [Correction] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case language, languageDetected = "language_detected", words, phrases, wildcards, excluded, filters
        case expansions, corrections
    }
}

/// The analysed forms a query looks for: used to mark snippets and say why a hit matched.
struct QueryForms {
    var forms: Set<String> = []
    var stems: Set<String> = []
    var folded: Set<String> = []
    /// Grams of two characters or more from unspaced scripts.
    var grams: Set<String> = []
    /// Glossary terms and the set each came from (expanded form → "退款 → refund").
    var expansions: [String: String] = [:]
}

/// A query as built: what to match, what to weigh the best candidates by, what was understood.
struct BuiltQuery {
    var query: Query
    /// Neighbouring query words near each other in a document: weighed for the candidates
    /// `query` ranks best, added to their weights (nil for a query of one word).
    var proximity: Query?
    var understanding: QueryUnderstanding
    var forms: QueryForms
}

/// Turns a query string into a Xapian query: every word by its form, stem and unaccented
/// form, n-grams for recall, glossary expansions in every language, and the syntax
/// (phrases, wildcards, exclusions, field filters). Never fails on user input.
struct QueryBuilder {
    let analyzer: Analyzer
    let glossary: GlossaryIndex
    /// Languages present in the index: stemmers tried on a Latin query of unknown language.
    let indexLanguages: [String]
    var weights = Ranking()
    var maxWildcardExpansion: UInt32 = 50
    /// How many documents the index holds and how many contain a term: n-grams found in
    /// too many documents are left out of queries (see `gramsKept`).
    var documents = 0
    var frequency: (String) throws -> Int = { _ in 0 }

    /// Builds the query; `corrections` replace words before analysis (typo fixes).
    /// With `replyLanguage`, glossary expansions go only into that language, the query's,
    /// English and Chinese (hits are then shown in the reply language anyway, through
    /// their translation group).
    func build(_ syntax: QuerySyntax, language: String?, expand: Bool, replyLanguage: String? = nil,
               corrections: [String: String] = [:]) throws -> BuiltQuery {
        var u = QueryUnderstanding()
        var forms = QueryForms()
        let text = syntax.text.map { corrections[$0] ?? $0 }.joined(separator: " ")
        let analysis = try analyzer.analyze(text, language: language)
        u.language = analysis.language
        u.languageDetected = language == nil && analysis.language != nil
        u.words = analysis.words.map(\.form)
        u.corrections = corrections.sorted { $0.key < $1.key }.map { .init(from: $0.key, to: $0.value) }

        var should: [Query] = []
        // In a long query (a pasted message), function words only add noise.
        let dropStopwords = analysis.words.count >= 4
        let kept = analysis.words.filter { !(dropStopwords && Stopwords.contains($0.form, language: analysis.language)) }
        for w in kept {
            should.append(try wordQuery(w, language: analysis.language, forms: &forms))
        }
        // Two query words that stand together in the question and near each other in the
        // text are better evidence than the same words scattered (the idea of Metzler and
        // Croft's sequential dependence model): each neighbouring pair is a NEAR query.
        // Neighbours across a dropped function word count as neighbours. The pairs are
        // weighed apart, for the best candidates only (`Searcher`): checking a pair reads
        // the positions of both words in every document holding both.
        var pairs: [Query] = []
        for (a, b) in zip(kept, kept.dropFirst()) where b.position - a.position <= 2 && a.form != b.form {
            pairs.append(try Query(.near, [try Query(term: Schema.term(.word, a.form)), try Query(term: Schema.term(.word, b.form))],
                                   window: UInt32(max(2, weights.proximityDistance))))
        }
        if !analysis.grams.isEmpty {
            should.append(try terms(.gram, try gramsKept(analysis.grams)).scaled(by: weights.gramsUnspaced))
            forms.grams.formUnion(analysis.grams.filter { $0.unicodeScalars.count >= 2 })
        }
        let subwordGrams = kept.flatMap(\.grams)
        if !subwordGrams.isEmpty {
            should.append(try terms(.gram, try gramsKept(subwordGrams)).scaled(by: weights.subwordGrams))
        }
        if expand {
            let into = replyLanguage.map { reply in
                Set([reply, analysis.language ?? "en", "en", "zh"].map { String($0.split(separator: "-")[0]) })
            }
            for (set, matched) in glossary.matches(in: analysis.words) {
                var added: [String] = []
                for (lang, list) in set.terms.sorted(by: { $0.key < $1.key })
                    where into?.contains(String(lang.split(separator: "-")[0])) ?? true {
                    for term in list {
                        let words = try analyzer.analyze(term, language: lang).words
                        let key = GlossaryIndex.key(words.map(\.form), words)
                        guard !words.isEmpty, key != matched, let q = try termQuery(words, lang: lang) else { continue }
                        should.append(try q.scaled(by: analysis.words.count >= QuerySyntax.messageWords ? weights.expansionInMessages : weights.expansion))
                        added.append(term)
                        for w in words { forms.expansions[w.form] = matched; if let s = w.stem { forms.expansions[s] = matched } }
                    }
                }
                if !added.isEmpty { u.expansions.append(.init(from: matched, set: set.id, terms: added)) }
            }
        }
        for pattern in syntax.wildcards {
            let p = try UnicodeFolding.nfkcCasefold(pattern)
            should.append(try Query(wildcard: Schema.term(.word, p), maxExpansion: maxWildcardExpansion))
            u.wildcards.append(p)
        }

        var query = should.isEmpty ? Query.matchAll() : try Query(.or, should)
        var required: [Query] = []
        for phrase in syntax.phrases {
            let words = try analyzer.analyze(phrase, language: language ?? analysis.language).words
            if let q = try phraseQuery(words, forms: &forms) { required.append(q) }
            u.phrases.append(phrase)
        }
        if !required.isEmpty {
            query = try Query(.andMaybe, [try Query(.and, required), query])
        }
        if !syntax.excluded.isEmpty {
            let words = try analyzer.analyze(syntax.excluded.joined(separator: " "), language: language ?? analysis.language).words
            let excluded = words.flatMap { w in [Schema.term(.word, w.form)] + (w.stem.map { [Schema.term(.stem, $0)] } ?? []) }
            if !excluded.isEmpty { query = try Query(.andNot, [query, try terms(.word, excluded, prefixed: true)]) }
            u.excluded = words.map(\.form)
        }
        if !syntax.filters.isEmpty {
            query = try Query(.filter, [query, try Self.filter(syntax.filters)])
            u.filters = syntax.filters.map { f in "\(Schema.fields.first { $0.value == f.prefix }?.key ?? "?"):\(f.value)" }
        }
        let proximity = pairs.isEmpty || weights.proximity <= 0 ? nil
            : try (pairs.count == 1 ? pairs[0] : try Query(.or, pairs)).scaled(by: weights.proximity)
        return BuiltQuery(query: query, proximity: proximity, understanding: u, forms: forms)
    }

    /// The n-grams worth matching. A gram found in more than `weights.gramMaxDocuments`
    /// documents (a common Han character, `ent`, `ion` in a large index) costs a query the
    /// most — its posting list is the longest — and adds the least to BM25. The bound is a
    /// number of documents, not a share: what it limits is the length of the lists read,
    /// and small indexes (the bundled corpus, XQuAD) never reach it. The rarest two grams
    /// are kept in any case, so a query of common characters still finds something.
    func gramsKept(_ grams: [String]) throws -> [String] {
        let unique = Array(Set(grams))
        guard documents > weights.gramMaxDocuments else { return unique }
        let counted = try unique.map { ($0, try frequency(Schema.term(.gram, $0))) }.sorted { $0.1 < $1.1 }
        let kept = counted.filter { $0.1 <= weights.gramMaxDocuments }
        return (kept.count >= 2 ? kept : Array(counted.prefix(2))).map(\.0)
    }

    /// Field filters: values of one field are OR-ed, fields are AND-ed.
    static func filter(_ filters: [QuerySyntax.Filter]) throws -> Query {
        let byPrefix = Dictionary(grouping: filters, by: \.prefix)
        let groups = try byPrefix.keys.sorted { $0.rawValue < $1.rawValue }.map { prefix in
            try Query(.or, try byPrefix[prefix]!.map { try Query(term: Schema.term(prefix, $0.value)) })
        }
        return groups.count == 1 ? groups[0] : try Query(.and, groups)
    }

    private func wordQuery(_ w: Analyzer.Word, language: String?, forms: inout QueryForms) throws -> Query {
        var form = try Query(term: Schema.term(.word, w.form), wqf: 1, position: UInt32(w.position))
        if w.script.isUnspaced && weights.unspacedWords != 1 { form = try form.scaled(by: weights.unspacedWords) }
        if w.isIdentifier && weights.identifier != 1 { form = try form.scaled(by: weights.identifier) }
        var parts: [Query] = [form]
        forms.forms.insert(w.form)
        var stems = Set(w.stem.map { [$0] } ?? [])
        // A Latin word of unknown language: try the stemmers of the languages in the index.
        if language == nil, w.script == .latin {
            for lang in indexLanguages {
                if let stemmer = analyzer.stemmer(for: lang), let s = Analyzer.stem(w.form, stemmer) { stems.insert(s) }
            }
        }
        for s in stems.sorted() {
            parts.append(try Query(term: Schema.term(.stem, s)).scaled(by: weights.stem))
            parts.append(try Query(term: Schema.term(.word, s)).scaled(by: weights.stemAsWord))
            forms.stems.insert(s)
        }
        if w.script.foldsAccents {
            let folded = w.folded ?? w.form
            parts.append(try Query(term: Schema.term(.folded, folded)).scaled(by: weights.folded))
            forms.folded.insert(folded)
        }
        return parts.count == 1 ? parts[0] : try Query(.or, parts)
    }

    /// A glossary term: all its words (form or stem); unspaced terms by their bigrams.
    private func termQuery(_ words: [Analyzer.Word], lang: String) throws -> Query? {
        if words.allSatisfy({ $0.script.isUnspaced }) {
            let chars = words.map(\.form).joined().unicodeScalars.map { String($0) }
            let grams = chars.count == 1 ? chars : Analyzer.ngrams(chars, sizes: [2])
            return try Query(.and, try grams.map { try Query(term: Schema.term(.gram, $0)) })
        }
        let parts = try words.map { w -> Query in
            var alts = [try Query(term: Schema.term(.word, w.form))]
            if let s = w.stem { alts.append(try Query(term: Schema.term(.stem, s))) }
            return alts.count == 1 ? alts[0] : try Query(.or, alts)
        }
        return parts.count == 1 ? parts[0] : try Query(.and, parts)
    }

    /// A phrase: consecutive word forms; in unspaced scripts all its bigrams.
    private func phraseQuery(_ words: [Analyzer.Word], forms: inout QueryForms) throws -> Query? {
        guard !words.isEmpty else { return nil }
        words.forEach { forms.forms.insert($0.form) }
        if words.allSatisfy({ $0.script.isUnspaced }) { return try termQuery(words, lang: "") }
        if words.count == 1 { return try Query(term: Schema.term(.word, words[0].form)) }
        return try Query(.phrase, try words.map { try Query(term: Schema.term(.word, $0.form)) })
    }

    private func terms(_ prefix: Schema.Prefix, _ values: [String], prefixed: Bool = false) throws -> Query {
        let unique = Array(Set(values)).sorted()
        return try Query(.or, try unique.map { try Query(term: prefixed ? $0 : Schema.term(prefix, $0)) })
    }
}
