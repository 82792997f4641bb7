/// Cross-lingual synonym sets (corpus `_data/glossary/*.yaml`): 退款 / 退費 / refund /
/// Rückerstattung / reembolso … A query term found in a set is expanded with the set's
/// other terms, in every language.
public struct Glossary: Sendable, Equatable {
    public struct TermSet: Sendable, Equatable, Codable {
        public let id: String
        /// Language tag → words or phrases.
        public let terms: [String: [String]]
        public var allTerms: [String] { terms.keys.sorted().flatMap { terms[$0]! } }

        public init(id: String, terms: [String: [String]]) { self.id = id; self.terms = terms }
    }

    public private(set) var sets: [TermSet] = []
    /// Folded term → indexes into `sets`.
    private var index: [String: [Int]] = [:]

    public init(sets: [TermSet] = []) {
        for s in sets { add(s) }
    }

    mutating func add(_ set: TermSet) {
        sets.append(set)
        for term in set.allTerms { index[Glossary.fold(term), default: []].append(sets.count - 1) }
    }

    /// The sets that contain `term` (compared case-insensitively).
    public func sets(containing term: String) -> [TermSet] {
        (index[Glossary.fold(term)] ?? []).map { sets[$0] }
    }

    /// Every glossary term, folded, for finding multi-word terms in text.
    public var foldedTerms: [String] { Array(index.keys) }

    public static func fold(_ s: String) -> String { s.lowercased() }

    /// Parses one glossary file; sets with problems are left out, the others kept.
    static func parse(_ text: String, path: String, seen: inout [String: String]) -> ([TermSet], [CorpusProblem]) {
        var reader = YAMLReader(path: path, lineOffset: 0)
        guard let root = reader.compose(text), let top = reader.pairs(root, what: "a glossary file") else {
            return ([], reader.problems)
        }
        var out: [TermSet] = []
        for (key, keyNode, value) in top {
            guard key == "sets", let items = value.sequence else {
                reader.problem(keyNode, key == "sets" ? "`sets` must be a list" : "unknown top-level field `\(key)` (expected sets)")
                continue
            }
            for node in items {
                guard let fields = reader.pairs(node, what: "a glossary set") else { continue }
                var id = "", terms: [String: [String]] = [:], ok = true
                for (k, kNode, v) in fields {
                    switch k {
                    case "id": id = reader.string(v, field: "id") ?? ""
                    case "terms":
                        guard let langs = reader.pairs(v, what: "`terms`") else { ok = false; continue }
                        for (lang, langNode, words) in langs {
                            if LanguageTag(lang) == nil {
                                reader.problem(langNode, "invalid language tag `\(lang)`"); ok = false
                            }
                            guard let list = reader.strings(words, field: "terms.\(lang)") else { ok = false; continue }
                            let clean = list.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                            terms[lang] = clean
                        }
                    default: reader.problem(kNode, "unknown field `\(k)` in a glossary set (expected id, terms)")
                    }
                }
                if !Vocabulary.isValidID(id) {
                    reader.problem(node, "glossary set id `\(id)` must match [a-z0-9][a-z0-9-]{0,63}"); continue
                }
                if let other = seen[id] {
                    reader.problem(node, "duplicate glossary set id `\(id)` (also in \(other))"); continue
                }
                let count = terms.values.map(\.count).reduce(0, +)
                if count < 2 { reader.problem(node, "glossary set `\(id)` needs at least two terms"); continue }
                guard ok else { continue }
                seen[id] = "\(path):\(reader.line(node))"
                out.append(TermSet(id: id, terms: terms))
            }
        }
        return (out, reader.problems)
    }
}

import Foundation
