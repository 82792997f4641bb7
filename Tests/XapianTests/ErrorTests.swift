import Testing
import Xapian

/// Every failure below is a C++ exception inside Xapian; the shim must turn each into a
/// Swift `XapianError` with Xapian's class name instead of aborting the process.
@Suite struct ErrorTests {
    let dir = TempDir()

    func error(_ body: () throws -> Void) -> XapianError? {
        do { try body() } catch let e as XapianError { return e } catch { Issue.record("not a XapianError: \(error)") }
        return nil
    }

    @Test func openingAMissingDatabase() {
        let e = error { _ = try Database(path: dir.sub("nothing-here")) }
        // DatabaseNotFoundError is the DatabaseOpeningError subclass for a missing path.
        #expect(e?.className == "DatabaseNotFoundError")
        #expect(e?.message.isEmpty == false)
    }

    @Test func secondWriterGetsLockError() throws {
        let first = try WritableDatabase(path: dir.path, .createOrOpen)
        let e = error { _ = try WritableDatabase(path: dir.path, .open) }
        #expect(e?.className == "DatabaseLockError")
        try first.close()
        // After the first writer is gone, a second one may open it.
        _ = try WritableDatabase(path: dir.path, .open)
    }

    @Test func malformedBooleanQuery() throws {
        let qp = QueryParser()
        let e = error { _ = try qp.parse("refund AND", flags: [.boolean]) }
        #expect(e?.className == "QueryParserError")
        let e2 = error { _ = try qp.parse("(refund OR", flags: [.boolean]) }
        #expect(e2?.className == "QueryParserError")
    }

    @Test func documentThatDoesNotExist() throws {
        try buildDatabase(at: dir.path, [Doc(id: "a", text: "one")])
        let db = try Database(path: dir.path)
        #expect(error { _ = try db.document(9999) }?.className == "DocNotFoundError")
        let wdb = try WritableDatabase(path: dir.sub("w"), .createOrOverwrite)
        #expect(error { try wdb.delete(12345) }?.className == "DocNotFoundError")
    }

    @Test func remoteDatabaseThatDoesNotAnswer() {
        // Port 1 on loopback: nothing listens, so the connection is refused at once.
        let e = error { _ = try Database(remoteHost: "127.0.0.1", port: 1, timeoutMs: 500, connectTimeoutMs: 500) }
        #expect(e?.className == "NetworkError")
    }

    @Test func unknownStemmerLanguage() {
        #expect(error { _ = try Stemmer("klingon") }?.className == "InvalidArgumentError")
    }

    @Test func creatingOverAnExistingDatabaseWithCreate() throws {
        try buildDatabase(at: dir.path, [Doc(id: "a", text: "one")])
        #expect(error { _ = try WritableDatabase(path: dir.path, .create) }?.className == "DatabaseCreateError")
    }
}
