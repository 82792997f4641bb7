import Dispatch
import Testing
import Xapian

/// Xapian objects are not thread-safe, and their reference counts are not atomic: two
/// threads must never share one underlying object, even one they only copy. kbqd runs a
/// searcher per worker thread; these tests run the wrapper's constructors on several
/// threads at once, as the workers do.
@Suite struct ThreadTests {
    /// `Query.matchAll()` once copied Xapian's global `Query::MatchAll`, whose counter every
    /// thread then raced on; kbqd crashed under load in `Query::get_length()` when it hit zero.
    @Test func matchAllQueriesOnManyThreadsStayUsable() throws {
        let dir = TempDir()
        try buildDatabase(at: dir.sub("db"), [Doc(id: "a", text: "alpha"), Doc(id: "b", text: "beta")])
        // Several alive at once per thread, as in a query tree: with a shared counter this
        // crashes the process within a few runs of the loop.
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<20_000 { _ = (0..<50).map { _ in Query.matchAll() } }
        }
        let enquire = try Enquire(try Database(path: dir.sub("db")))
        try enquire.setQuery(Query.matchAll())
        #expect(try enquire.mset(first: 0, count: 10).count == 2)
    }
}
