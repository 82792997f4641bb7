import Foundation
import Xapian

/// A fresh temporary directory, removed when the value is dropped.
final class TempDir {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kbq-xapian-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func sub(_ name: String) -> String { path + "/" + name }
}

/// Builds a database from (unique id, language, text, extra boolean terms, values).
struct Doc {
    var id: String
    var lang = "en"
    var text: String
    var filters: [String] = []
    var values: [UInt32: String] = [:]
}

func buildDatabase(at path: String, _ docs: [Doc], spelling: Bool = false) throws {
    let db = try WritableDatabase(path: path, .createOrOverwrite)
    let tg = TermGenerator()
    if spelling {
        try tg.setDatabase(db)
        tg.setFlags([.spelling, .cjkNgram])
    } else {
        tg.setFlags(.cjkNgram)
    }
    for d in docs {
        let doc = Document()
        tg.setStemmer(try? Stemmer(d.lang))
        tg.setDocument(doc)
        try tg.index(d.text)
        try doc.setData(Array(d.text.utf8))
        try doc.addBooleanTerm("Q" + d.id)
        for f in d.filters { try doc.addBooleanTerm(f) }
        for (slot, v) in d.values { try doc.setValue(slot, v) }
        try db.replace(uniqueTerm: "Q" + d.id, with: doc)
    }
    try db.commit()
}

/// The unique ids (`Q` terms) of the matches, best first.
func ids(_ mset: MSet, in db: Database) throws -> [String] {
    try mset.map { m in
        let doc = try db.document(m.documentID)
        return try doc.terms().map(\.term).first { $0.hasPrefix("Q") }.map { String($0.dropFirst()) } ?? "?"
    }
}

func search(_ db: Database, _ text: String, lang: String = "en", flags: QueryParser.Flags = .default,
            op: Query.Op = .or, count: Int = 10) throws -> [String] {
    let qp = QueryParser()
    qp.setStemmer(try Stemmer(lang))
    qp.setStemmingStrategy(.some)
    qp.setDefaultOperator(op)
    qp.setDatabase(db)
    let enquire = try Enquire(db)
    try enquire.setQuery(try qp.parse(text, flags: flags))
    return try ids(try enquire.mset(count: count), in: db)
}
