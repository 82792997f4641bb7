import Foundation
import KBCorpus
import KBSearch

/// An index of the bundled corpus, built once for the whole suite.
enum Bundled {
    static let corpusPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("corpus").path
    static let corpus: Corpus = try! CorpusLoader(root: corpusPath).load()
    static let indexPath: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-search-tests-\(getpid())").path
        _ = try! Indexer().build(corpus, at: path)
        return path
    }()

    static func searcher() throws -> Searcher { try Searcher(path: indexPath) }
}

/// A small index from literal entries.
func index(_ entries: [Entry], glossary: [Glossary.TermSet] = [], markets: MarketHierarchy = MarketHierarchy()) throws -> Searcher {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-small-\(UUID().uuidString)").path
    let corpus = Corpus(root: "/", entries: entries, markets: markets, glossary: Glossary(sets: glossary), problems: [])
    _ = try Indexer().build(corpus, at: path)
    return try Searcher(path: path)
}

func entry(_ id: String, _ lang: String, _ title: String, _ body: String = "", kind: Kind = .policy,
           markets: [String] = ["GLOBAL"], group: String? = nil) -> Entry {
    Entry(id: id, kind: kind, lang: lang, title: title, markets: markets, group: group, body: body, path: id + ".md")
}

extension Searcher {
    func ids(_ q: String, lang: String? = nil, configure: (inout SearchRequest) -> Void = { _ in }) throws -> [String] {
        var r = SearchRequest(q: q)
        r.lang = lang
        configure(&r)
        return try search(r).results.map(\.id)
    }
}
