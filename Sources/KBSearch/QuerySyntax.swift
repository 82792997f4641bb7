/// The small query language agents may use, parsed by hand so that no input can fail:
/// `"exact phrase"`, `refu*` (bounded prefix wildcard), `-exclude`, and field filters
/// `kind:policy market:DE lang:de tag:… id:… stage:… category:… platform:… channel:…`.
/// Anything else is free text.
///
/// Quotes make a phrase only when they are keyword syntax: a quote without its closing
/// one is ignored, and in a pasted message (`messageWords` words or more) quotes are the
/// writer's quotation marks, so their words stay free text. Otherwise one stray `”` in a
/// customer's message turned the rest of it into a phrase that nothing matched.
public struct QuerySyntax: Sendable, Equatable {
    public var text: [String] = []
    public var phrases: [String] = []
    public var wildcards: [String] = []
    public var excluded: [String] = []
    public var filters: [Filter] = []

    public struct Filter: Sendable, Equatable {
        public let prefix: Schema.Prefix
        public let value: String
    }

    /// The free text and phrases together: what the analyzer sees.
    public var freeText: String { (text + phrases).joined(separator: " ") }

    /// From this many words on, a query is a pasted message rather than keywords.
    public static let messageWords = 8

    public init(_ query: String) {
        // Full-width punctuation (：＂－＊ typed with a Chinese IME) reads as ASCII here.
        let q = String(query.unicodeScalars.map { s -> Character in
            switch s.value {
            case 0xFF1A: ":"
            case 0xFF02, 0x201C, 0x201D, 0x201E, 0x00AB, 0x00BB, 0x300C, 0x300D: "\""
            case 0xFF0D: "-"
            case 0xFF0A: "*"
            case 0x3000: " "
            default: Character(s)
            }
        })
        var i = q.startIndex
        while i < q.endIndex {
            let c = q[i]
            if c.isWhitespace { i = q.index(after: i); continue }
            if c == "\"" {
                let start = q.index(after: i)
                guard let end = q[start...].firstIndex(of: "\"") else { i = start; continue }
                let phrase = q[start..<end].trimmingCharacters(in: .whitespaces)
                if !phrase.isEmpty { phrases.append(phrase) }
                i = q.index(after: end)
                continue
            }
            let end = q[i...].firstIndex(where: \.isWhitespace) ?? q.endIndex
            add(String(q[i..<end]))
            i = end
        }
        let phraseWords = phrases.flatMap { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
        if text.count + phraseWords.count >= Self.messageWords {
            text += phraseWords
            phrases = []
        }
    }

    private mutating func add(_ token: String) {
        if token.hasPrefix("-"), token.count > 1 {
            excluded.append(String(token.dropFirst()))
        } else if let colon = token.firstIndex(of: ":"), let prefix = Schema.fields[token[..<colon].lowercased()],
                  colon < token.index(before: token.endIndex) {
            filters.append(Filter(prefix: prefix, value: Self.canonical(String(token[token.index(after: colon)...]), prefix)))
        } else if token.hasSuffix("*") {
            let stem = token.trimmingCharacters(in: CharacterSet(charactersIn: "*"))
            // A wildcard needs two letters to stand on: `*` alone or `a*` would expand to everything.
            if stem.count >= 2 { wildcards.append(stem) } else if !stem.isEmpty { text.append(stem) }
        } else {
            text.append(token)
        }
    }

    /// Field values in the case the index uses: markets upper, languages BCP 47, the rest lower.
    static func canonical(_ value: String, _ prefix: Schema.Prefix) -> String {
        switch prefix {
        case .market: return value.uppercased()
        case .lang: return LanguageCase.canonical(value)
        case .id, .group: return value.lowercased()
        default: return value.lowercased()
        }
    }
}

/// `zh-hans` → `zh-Hans`, `pt-br` → `pt-BR`.
public enum LanguageCase {
    public static func canonical(_ tag: String) -> String {
        tag.replacingOccurrences(of: "_", with: "-").split(separator: "-").enumerated().map { i, part in
            if i == 0 { return part.lowercased() }
            if part.count == 4 { return part.prefix(1).uppercased() + part.dropFirst().lowercased() }
            return part.uppercased()
        }.joined(separator: "-")
    }
}

import Foundation
