import Foundation
import Testing
@testable import KBCorpus

/// A corpus of deliberately broken files beside good ones: every problem is reported with
/// the right path, line and reason, and the good files still load.
@Suite struct BrokenCorpusTests {
    let root: String
    let outside: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-broken-\(UUID().uuidString)").path
        root = base + "/corpus"
        outside = base + "/outside.md"
        try FileManager.default.createDirectory(atPath: root + "/_data/glossary", withIntermediateDirectories: true)
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try write("_data/markets.yaml", """
            regions:
              - code: GLOBAL
                name: Global
              - code: EU
                name: European Union
            countries:
              - code: DE
                name: Germany
                in: [EU]
              - code: FR
                name: France
                in: [EU, MARS]
            """)
        try write("_data/glossary/g.yaml", """
            sets:
              - id: refund
                terms:
                  zh-Hans: [退款]
                  en: [refund]
              - id: lonely
                terms:
                  en: [alone]
              - id: badlang
                terms:
                  english: [x, y]
            """)
        let good = "---\nid: good-one\nkind: policy\nlang: de\ntitle: Widerrufsrecht\nmarkets: [DE]\n---\nVierzehn Tage.\n"
        try write("policy/good.md", good)
        try write("policy/good2.md", "---\nid: good-two\nkind: case\nlang: zh-Hans\ntitle: 案例\n---\n正文\n")
        try write("dup/a.md", good)
        try write("bad/kind.md", "---\nid: bad-kind\nkind: recipe\nlang: en\ntitle: T\n---\n")
        try write("bad/lang.md", "---\nid: bad-lang\nkind: policy\nlang: english\ntitle: T\n---\n")
        try write("bad/market.md", "---\nid: bad-market\nkind: policy\nlang: en\ntitle: T\nmarkets: [DE, XX]\n---\n")
        try write("bad/notitle.md", "---\nid: no-title\nkind: policy\nlang: en\n---\nbody\n")
        try write("bad/unterminated.md", "---\nid: open\nkind: policy\nlang: en\ntitle: T\n")
        try write("bad/yaml.md", "---\nid: bad-yaml\nkind: policy\nlang: en\ntitle: [unclosed\n---\n")
        try write("bad/type.md", "---\nid: bad-type\nkind: policy\nlang: en\ntitle: T\ncategories:\n  refund: yes\n---\n")
        try write("bad/date.md", "---\nid: bad-date\nkind: policy\nlang: en\ntitle: T\nupdated: 2026-02-30\n---\n")
        try write("bad/no-front-matter.md", "Just text.\n")
        var bytes = Array("---\nid: bad-utf8\nkind: policy\nlang: en\ntitle: T\n---\nline 7\n".utf8)
        bytes += [0xC3, 0x28, 0x0A]  // an invalid two-byte sequence on line 8
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/bad/utf8.md"))
        try good.replacingOccurrences(of: "good-one", with: "outside").write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/bad/link.md", withDestinationPath: outside)
        try write("notes.txt", "ignored: not a .md file")
        // Found by fuzzing: Yams appended the whole front matter to a duplicate-key error.
        try write("bad/newline.md", "---\nid: bad-newline\nkind: policy\nlang: en\ntitle: T\nmarkets: [\"DE\\nX\"]\n---\n")
        try write("bad/dupkey.md", "---\nid: dup-key\nkind: phrasing\nlang: en\ntitle: t\ntags: [a]\ntags: [b]\n---\nbody\n")
        try write("_data/glossary/huge.yaml", "sets:\n" + String(repeating: "  - id: s\n    terms:\n      en: [a, b]\n", count: 300_000))
    }

    func problems(_ corpus: Corpus, _ path: String) -> [CorpusProblem] { corpus.problems.filter { $0.path == path } }

    @Test func everyProblemIsReportedWithPathLineAndReason() throws {
        let corpus = try CorpusLoader(root: root).load()
        func expect(_ path: String, line: Int, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let found = problems(corpus, path)
            #expect(found.contains { $0.line == line && $0.reason.contains(fragment) },
                    "\(path):\(line): \(fragment) — got \(found)", sourceLocation: sourceLocation)
        }
        expect("policy/good.md", line: 2, "duplicate id `good-one`: also used by dup/a.md")
        expect("bad/kind.md", line: 3, "unknown kind `recipe`")
        expect("bad/lang.md", line: 4, "invalid language tag `english`")
        expect("bad/market.md", line: 6, "unknown market or region code `XX`")
        expect("bad/notitle.md", line: 2, "missing required field `title`")
        expect("bad/unterminated.md", line: 1, "unterminated front matter")
        expect("bad/yaml.md", line: 6, "YAML error")
        expect("bad/type.md", line: 7, "field `categories` must be a list")
        expect("bad/date.md", line: 6, "invalid date `2026-02-30`")
        expect("bad/no-front-matter.md", line: 1, "no front matter")
        expect("bad/utf8.md", line: 8, "invalid UTF-8")
        expect("bad/link.md", line: 1, "outside the corpus")
        expect("_data/markets.yaml", line: 12, "unknown region(s) MARS")
        expect("_data/glossary/g.yaml", line: 6, "needs at least two terms")
        expect("_data/glossary/g.yaml", line: 11, "invalid language tag `english`")
        expect("_data/glossary/huge.yaml", line: 1, "file over 8 MiB: not read")
        #expect(!problems(corpus, "bad/dupkey.md").isEmpty)
        expect("bad/newline.md", line: 6, "unknown market or region code `DE\\nX`")
        #expect(corpus.problems.allSatisfy { $0.description.hasPrefix("\($0.path):\($0.line): ") })
        #expect(corpus.problems.allSatisfy { !$0.description.contains("\n") }, "one line each")
    }

    @Test func goodFilesStillLoad() throws {
        let corpus = try CorpusLoader(root: root).load()
        #expect(Set(corpus.entries.map(\.id)) == ["good-one", "good-two"])
        #expect(corpus.entries.first { $0.id == "good-one" }?.path == "dup/a.md", "the first file in path order wins")
        #expect(corpus.glossary.sets.map(\.id) == ["refund"])
        #expect(corpus.markets.scope(of: "DE") == ["DE", "EU", "GLOBAL"])
        #expect(corpus.markets.scope(of: "FR") == ["FR", "EU", "GLOBAL"], "the unknown region is dropped")
        #expect(!corpus.entries.contains { $0.id == "outside" }, "the symlink is never followed")
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: CorpusProblem.self) { try CorpusLoader(root: root + "/nope").load() }
    }
}
