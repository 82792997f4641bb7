import Foundation
import Yams

/// Turns one Markdown file's bytes into an `Entry`, or into the problems that keep it out.
struct EntryParser {
    let markets: MarketHierarchy
    /// Whether `markets.yaml` was found: without it, country codes are checked only for shape.
    let marketsKnown: Bool

    static let maxFileSize = 1 << 20

    func parse(_ bytes: [UInt8], path: String) -> (Entry?, [CorpusProblem]) {
        if bytes.count > Self.maxFileSize {
            return (nil, [CorpusProblem(path, line: 1, "file is \(bytes.count) bytes, over the \(Self.maxFileSize)-byte limit for an entry")])
        }
        guard let text = Self.decodeUTF8(bytes) else {
            return (nil, [CorpusProblem(path, line: Self.lineOfInvalidUTF8(bytes), "invalid UTF-8")])
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first.map({ $0.trimmingCharacters(in: .whitespaces) == "---" }) == true else {
            return (nil, [CorpusProblem(path, line: 1, "no front matter: the first line must be `---`")])
        }
        guard let end = lines.dropFirst().firstIndex(where: { $0 == "---" }) else {
            return (nil, [CorpusProblem(path, line: 1, "unterminated front matter: no closing `---` line")])
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        var reader = YAMLReader(path: path, lineOffset: 1)
        guard let root = reader.compose(yaml) else {
            if reader.problems.isEmpty { reader.problem(nil, "empty front matter: id, kind, lang and title are required") }
            return (nil, reader.problems)
        }
        guard let fields = reader.pairs(root, what: "the front matter") else { return (nil, reader.problems) }
        let entry = build(fields, body: body, bodyLine: end + 2, path: path, hash: Self.fnv1a(bytes), reader: &reader)
        return (reader.problems.contains { $0.severity == .error } ? nil : entry, reader.problems)
    }

    private func build(_ fields: [(key: String, keyNode: Node, value: Node)], body: String, bodyLine: Int,
                       path: String, hash: String, reader r: inout YAMLReader) -> Entry? {
        var e = Entry(id: "", kind: .phrasing, lang: "", title: "", body: body, path: path, bodyLine: bodyLine, contentHash: hash)
        var kind: Kind?
        var have = Set<String>()
        func checkList(_ values: [String], _ allowed: Set<String>, _ field: String, _ node: Node) -> [String] {
            for v in values where !allowed.contains(v) {
                r.problem(node, "unknown \(field) `\(v)` (see docs/corpus-format.md for the list)", severity: .warning)
            }
            return values
        }
        for (key, _, value) in fields {
            have.insert(key)
            switch key {
            case "id":
                guard let s = r.string(value, field: key) else { continue }
                if !Vocabulary.isValidID(s) { r.problem(value, "invalid id `\(s)`: use [a-z0-9][a-z0-9-]{0,63}") }
                e.id = s
            case "kind":
                guard let s = r.string(value, field: key) else { continue }
                kind = Kind(rawValue: s)
                if kind == nil { r.problem(value, "unknown kind `\(s)` (expected phrasing, product, case, taboo or policy)") }
            case "lang":
                guard let s = r.string(value, field: key) else { continue }
                if LanguageTag(s) == nil { r.problem(value, "invalid language tag `\(s)` (expected BCP 47, e.g. en, zh-Hans, pt-BR)") }
                e.lang = s
            case "title":
                guard let s = r.string(value, field: key) else { continue }
                e.title = s.trimmingCharacters(in: .whitespaces)
                if e.title.contains("\n") { r.problem(value, "title must be one line") }
            case "markets":
                guard let list = r.strings(value, field: key) else { continue }
                for code in list where !isKnownMarket(code) {
                    r.problem(value, "unknown market or region code `\(code)`")
                }
                e.markets = list.isEmpty ? [MarketHierarchy.global] : list
            case "stage":
                guard let s = r.string(value, field: key) else { continue }
                if !Vocabulary.stages.contains(s) { r.problem(value, "unknown stage `\(s)` (expected pre-sale, in-sale or after-sale)") }
                e.stage = s
            case "severity":
                guard let s = r.string(value, field: key) else { continue }
                if !Vocabulary.severities.contains(s) { r.problem(value, "unknown severity `\(s)` (expected low, medium or high)") }
                e.severity = s
            case "categories": e.categories = checkList(r.strings(value, field: key) ?? [], Vocabulary.categories, "category", value)
            case "platforms": e.platforms = checkList(r.strings(value, field: key) ?? [], Vocabulary.platforms, "platform", value)
            case "channels": e.channels = checkList(r.strings(value, field: key) ?? [], Vocabulary.channels, "channel", value)
            case "product_lines": e.productLines = checkList(r.strings(value, field: key) ?? [], Vocabulary.productLines, "product line", value)
            case "group":
                guard let s = r.string(value, field: key) else { continue }
                if !Vocabulary.isValidID(s) { r.problem(value, "invalid group `\(s)`: use [a-z0-9][a-z0-9-]{0,63}") }
                e.group = s
            case "tags": e.tags = r.strings(value, field: key) ?? []
            case "updated":
                guard let s = r.string(value, field: key) else { continue }
                if !Vocabulary.isValidDate(s) { r.problem(value, "invalid date `\(s)` for `updated` (expected YYYY-MM-DD)") }
                e.updated = s
            case "source": e.sources = r.strings(value, field: key) ?? []
            case "patterns": e.patterns = r.strings(value, field: key) ?? []
            default:
                // Unknown fields are kept (and later indexed as tags) when they are text.
                if let list = r.strings(value, field: key) { e.extra[key] = list }
            }
        }
        let firstLine = fields.first.map { r.line($0.keyNode) } ?? 2
        for required in ["id", "kind", "lang", "title"] where !have.contains(required) {
            r.problems.append(CorpusProblem(e.path, line: firstLine, "missing required field `\(required)`"))
        }
        if have.contains("title") && e.title.isEmpty {
            r.problem(fields.first { $0.key == "title" }?.value, "missing title: `title` is empty")
        }
        guard let kind else { return nil }
        e.kind = kind
        if !e.patterns.isEmpty && kind != .taboo {
            r.problem(fields.first { $0.key == "patterns" }?.keyNode, "`patterns` is only checked on taboo entries", severity: .warning)
        }
        for name in Template(body).placeholders where !Template.isValidName(name) {
            r.problems.append(CorpusProblem(e.path, line: bodyLine + lineIndex(of: "{{", name, in: body),
                                            "placeholder `{{\(name)}}` should be snake_case ASCII", severity: .warning))
        }
        return e
    }

    private func isKnownMarket(_ code: String) -> Bool {
        if markets.isKnown(code) { return true }
        // Without markets.yaml, accept any well-formed ISO 3166-1 alpha-2 code.
        return !marketsKnown && code.count == 2 && code.allSatisfy { $0.isASCII && $0.isUppercase }
    }

    private func lineIndex(of open: String, _ name: String, in body: String) -> Int {
        guard let r = body.range(of: open + name) else { return 0 }
        return body[..<r.lowerBound].reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
    }

    static func decodeUTF8(_ bytes: [UInt8]) -> String? {
        var b = bytes[...]
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
        return String(validating: b, as: UTF8.self)
    }

    /// The 1-based line holding the first byte that is not valid UTF-8.
    static func lineOfInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var line = 1, iterator = bytes.makeIterator(), decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): if s == "\n" { line += 1 }
            case .emptyInput: return line
            case .error: return line
            }
        }
    }

    /// FNV-1a, 64 bits: detects changed files between reindexes (not a security hash).
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
