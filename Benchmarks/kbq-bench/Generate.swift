import Foundation
import KBCorpus

/// `kbq-bench generate`: a deterministic synthetic corpus recombined from the bundled one.
enum Generate {
    /// Material from the bundled corpus, every list in a fixed order.
    struct Pools: Sendable {
        var templates: [(kind: Kind, lang: String)] = []
        var sentences: [String: [String]] = [:]        // lang -> sentences
        var sentencesByKind: [String: [String]] = [:]  // kind|lang -> sentences
        var openers: [String: [String]] = [:]          // lang -> first lines of phrasing bodies
        var closers: [String: [String]] = [:]          // lang -> last lines of phrasing bodies
        var titles: [String: [String]] = [:]           // lang -> titles
        var byLang: [String: [Entry]] = [:]
        var byKind: [String: [Entry]] = [:]
        var byKindLang: [String: [Entry]] = [:]
        var all: [Entry] = []
        var phrasingLangs: [String] = []
    }

    static func pools(from root: String) throws -> Pools {
        let corpus = try CorpusLoader(root: root).load()
        var p = Pools()
        p.all = corpus.entries.sorted { $0.path < $1.path }
        for e in p.all {
            p.templates.append((e.kind, e.lang))
            p.byLang[e.lang, default: []].append(e)
            p.byKind[e.kind.rawValue, default: []].append(e)
            p.byKindLang[e.kind.rawValue + "|" + e.lang, default: []].append(e)
            p.titles[e.lang, default: []].append(e.title)
            let lines = e.body.split(separator: "\n", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            p.titles[e.kind.rawValue + "|" + e.lang, default: []].append(e.title)
            let isLetter = e.kind == .phrasing && lines.count > 4
            if isLetter {
                p.openers[e.lang, default: []].append(lines[0])
                p.closers[e.lang, default: []].append(lines.suffix(2).joined(separator: "\n"))
            }
            let body = isLetter ? Array(lines.dropFirst().dropLast(2)) : lines
            for line in body where !line.hasPrefix("#") && line != "---" {
                for s in split(line) where s.utf8.count >= 8 && s.utf8.count <= 600 {
                    p.sentences[e.lang, default: []].append(s)
                    p.sentencesByKind[e.kind.rawValue + "|" + e.lang, default: []].append(s)
                }
            }
        }
        p.phrasingLangs = Set(p.all.filter { $0.kind == .phrasing }.map(\.lang)).subtracting(["zh-Hans", "en"]).sorted()
        return p
    }

    /// Splits a line into sentences at 。！？ and at . ! ? followed by a space.
    static func split(_ line: String) -> [String] {
        var out: [String] = [], cur = ""
        let chars = Array(line)
        for (i, c) in chars.enumerated() {
            cur.append(c)
            let cjk = "。！？".contains(c)
            let latin = ".!?".contains(c) && (i + 1 == chars.count || chars[i + 1] == " ") && cur.count > 20
            if cjk || latin {
                let t = cur.trimmingCharacters(in: .whitespaces)
                if !t.isEmpty { out.append(t) }
                cur = ""
            }
        }
        let t = cur.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { out.append(t) }
        // Keep list items and short lines whole (they read better than fragments).
        return line.hasPrefix("-") || line.hasPrefix("*") || line.hasPrefix("|") || out.count <= 1 ? [line] : out
    }

    static let caseHeadings: [String: [String]] = [
        "zh-Hans": ["## 诉求", "## 处理", "## 结果", "## 经验"],
        "zh-Hant": ["## 訴求", "## 處理", "## 結果", "## 經驗"],
    ]

    static func run(size: Int, out: String, seed: UInt64, from: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: out), let c = try? fm.contentsOfDirectory(atPath: out), !c.isEmpty {
            fail("\(out) exists and is not empty")
        }
        let p = try pools(from: from)
        guard !p.all.isEmpty else { fail("no entries in \(from)") }
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        try fm.copyItem(atPath: from + "/_data", toPath: out + "/_data")
        var dirs = Set<String>()
        let files = concurrentMap(Array(0..<size)) { i in entry(i, seed: seed, p) }
        for f in files { dirs.insert((f.path as NSString).deletingLastPathComponent) }
        for d in dirs.sorted() { try fm.createDirectory(atPath: out + "/" + d, withIntermediateDirectories: true) }
        let errors = concurrentMap(files) { f -> String? in
            fm.createFile(atPath: out + "/" + f.path, contents: Data(f.text.utf8)) ? nil : f.path
        }.compactMap { $0 }
        if !errors.isEmpty { fail("cannot write \(errors.count) files, e.g. \(errors[0])") }
        print("generated \(size) entries in \(out) (seed \(seed)) from \(p.all.count) bundled entries")
    }

    static func entry(_ i: Int, seed: UInt64, _ p: Pools) -> (path: String, text: String) {
        var rng = SplitMix64(seed: seed, item: UInt64(i))
        var kind: Kind, lang: String, group: String?
        // Three of every ten entries form a translation group: zh-Hans, en and one customer language.
        var g = SplitMix64(seed: seed, item: UInt64(i / 10), stream: 1)
        let slot = i % 10
        if slot < 3 && !p.phrasingLangs.isEmpty {
            kind = .phrasing
            let other = g.pick(p.phrasingLangs)
            lang = ["zh-Hans", "en", other][slot]
            group = "syn-g-\(i / 10)"
        } else {
            (kind, lang) = rng.pick(p.templates)
        }
        let sameKL = p.byKindLang[kind.rawValue + "|" + lang] ?? []
        let sameKind = p.byKind[kind.rawValue] ?? p.all
        let sameLang = p.byLang[lang] ?? p.all
        // Scenario fields: from donors of the same kind (or, for a group, the group's own generator).
        var kindDonorRNG = group != nil ? g : rng
        let kindDonor = kindDonorRNG.pick(sameKind)
        if group != nil { _ = rng.next() } else { rng = kindDonorRNG }
        let langDonor = rng.pick(sameLang)
        let tagDonor = rng.pick(sameLang)
        let kindTitles = p.titles[kind.rawValue + "|" + lang] ?? []
        let title = rng.pick(kindTitles.count >= 3 ? kindTitles : p.titles[lang] ?? [langDonor.title])

        var fm = "---\nid: syn-\(i)\nkind: \(kind.rawValue)\nlang: \(lang)\ntitle: \(yq(title))\n"
        fm += "markets: \(yList(langDonor.markets))\n"
        if let s = kindDonor.stage { fm += "stage: \(s)\n" }
        if !kindDonor.categories.isEmpty { fm += "categories: \(yList(kindDonor.categories))\n" }
        let platformDonor = rng.pick(sameKind)
        if !platformDonor.platforms.isEmpty { fm += "platforms: \(yList(platformDonor.platforms))\n" }
        if !kindDonor.channels.isEmpty { fm += "channels: \(yList(kindDonor.channels))\n" }
        if let s = kindDonor.severity { fm += "severity: \(s)\n" }
        if !kindDonor.productLines.isEmpty { fm += "product_lines: \(yList(kindDonor.productLines))\n" }
        if let group { fm += "group: \(group)\n" }
        var tags = rng.pickSome(langDonor.tags, rng.int(1...4))
        for t in rng.pickSome(tagDonor.tags, rng.int(0...3)) where !tags.contains(t) { tags.append(t) }
        if !tags.isEmpty { fm += "tags: \(yList(tags))\n" }
        if let u = rng.pick(p.all).updated ?? langDonor.updated { fm += "updated: \(u)\n" }
        if kind == .policy || kind == .product || kind == .case, !kindDonor.sources.isEmpty {
            fm += "source: \(yList(kindDonor.sources))\n"
        }
        if kind == .taboo, let d = sameKL.isEmpty ? nil : rng.pick(sameKL), !d.patterns.isEmpty {
            fm += "patterns: \(yList(rng.pickSome(d.patterns, rng.int(1...3))))\n"
        }
        fm += "---\n"

        let pool = (sameKL.count >= 5 ? p.sentencesByKind[kind.rawValue + "|" + lang] : nil) ?? p.sentences[lang] ?? []
        let target = rng.int(300...1500)
        var body = ""
        let joiner = lang.hasPrefix("zh") || lang.hasPrefix("ja") ? "" : " "
        func add(_ s: String, sep: String) -> Bool {
            let piece = (body.isEmpty ? "" : sep) + s
            guard body.utf8.count + piece.utf8.count <= 1500 else { return false }
            body += piece
            return true
        }
        if kind == .case {
            let heads = caseHeadings[lang] ?? ["## Claim", "## Handling", "## Outcome", "## Lesson"]
            let per = max(1, target / 4)
            for h in heads {
                _ = add(h, sep: "\n\n")
                var sec = 0, tries = 0
                while sec < per && tries < 30 {
                    tries += 1
                    let s = rng.pick(pool)
                    if add(s, sep: sec == 0 ? "\n" : joiner) { sec += s.utf8.count }
                }
            }
        } else {
            let closer = kind == .phrasing ? p.closers[lang].map { rng.pick($0) } : nil
            if kind == .phrasing, let o = p.openers[lang] { _ = add(rng.pick(o), sep: "") }
            var tries = 0, inPara = 3
            while body.utf8.count + (closer?.utf8.count ?? 0) < target && tries < 200 {
                tries += 1
                let newPara = inPara >= rng.int(1...3)
                let s = rng.pick(pool)
                let item = s.hasPrefix("- ") || s.hasPrefix("* ") || s.hasPrefix("|") || (s.first?.isNumber == true && s.dropFirst().hasPrefix(". "))
                if add(s, sep: newPara ? "\n\n" : item ? "\n" : joiner) { inPara = newPara ? 1 : inPara + 1 }
            }
            if let closer { _ = add(closer, sep: "\n\n") }
        }
        return ("\(kind.rawValue)/\(lang)/syn-\(i).md", fm + body + "\n")
    }
}
