import CXapian

/// A read-only Xapian database, or several searched as one (`add(_:)`).
///
/// Not thread-safe: a `Database` belongs to one thread or task at a time. To search from
/// several threads, open one `Database` per worker (kbq keeps a pool of them), or keep it
/// inside an actor or a `Mutex`.
public final class Database {
    let handle: OpaquePointer

    /// Opens the database at `path`. Throws `DatabaseOpeningError` when there is none.
    public init(path: String) throws {
        handle = try created { err in withBytes(path) { kbx_database_open($0, $1, err) } }
    }

    /// Opens a remote database served by `xapian-tcpsrv`. Timeouts are in milliseconds;
    /// a server that does not answer throws `NetworkError` or `NetworkTimeoutError`.
    public init(remoteHost host: String, port: Int, timeoutMs: Int = 10_000, connectTimeoutMs: Int = 10_000) throws {
        handle = try created { err in
            withBytes(host) { kbx_database_open_remote($0, $1, UInt32(port), UInt32(timeoutMs), UInt32(connectTimeoutMs), err) }
        }
    }

    /// An empty database, to which others are added to search them as one.
    public init() {
        handle = kbx_database_new_empty()!
    }

    deinit { kbx_database_free(handle) }

    /// Adds `other` so that searches cover both, with global ranking statistics.
    public func add(_ other: Database) throws {
        _ = try checked { kbx_database_add(handle, other.handle, $0) }
    }

    /// Checks every table of the database at `path`, as `xapian-check` does: the number of
    /// errors found; a corrupt table throws `DatabaseCorruptError`.
    public static func check(path: String) throws -> Int {
        Int(try checked { err in withBytes(path) { kbx_database_check($0, $1, err) } })
    }

    /// Writes a compacted copy to a new database at `path`, merging the databases added to
    /// this one (document ids are renumbered one after the other; spellings are summed).
    public func compact(to path: String) throws {
        _ = try checked { err in withBytes(path) { kbx_database_compact(handle, $0, $1, err) } }
    }

    /// Moves to the latest committed revision; returns whether anything changed.
    @discardableResult
    public func reopen() throws -> Bool {
        var changed: Int32 = 0
        _ = try checked { kbx_database_reopen(handle, &changed, $0) }
        return changed != 0
    }

    public var documentCount: Int {
        get throws { Int(try checked { kbx_database_doc_count(handle, $0) }) }
    }

    public var lastDocumentID: UInt32 {
        get throws { try checked { kbx_database_last_docid(handle, $0) } }
    }

    public func termFrequency(_ term: String) throws -> Int {
        Int(try checked { err in withBytes(term) { kbx_database_term_freq(handle, $0, $1, err) } })
    }

    /// The document with this id; throws `DocNotFoundError` when there is none.
    public func document(_ id: UInt32) throws -> Document {
        Document(handle: try created { kbx_database_document(handle, id, $0) })
    }

    /// User metadata stored under `key` (empty when unset).
    public func metadata(_ key: String) throws -> String {
        var len = 0
        let p = try checked { err in withBytes(key) { kbx_database_metadata(handle, $0, $1, &len, err) } }
        return takeString(p, len)
    }

    /// Xapian's spelling suggestion for `word`, or nil when it has none.
    public func spellingSuggestion(_ word: String, maxEditDistance: Int = 2) throws -> String? {
        var len = 0
        let p = try checked { err in
            withBytes(word) { kbx_database_spelling(handle, $0, $1, UInt32(maxEditDistance), &len, err) }
        }
        let s = takeString(p, len)
        return s.isEmpty ? nil : s
    }

    /// The synonyms stored for `term`.
    public func synonyms(_ term: String) throws -> [String] {
        let list = try created { err in withBytes(term) { kbx_database_synonyms(handle, $0, $1, err) } }
        return takeList(list).map(\.0)
    }

    /// Terms beginning with `prefix`, in byte order, with their document frequency.
    public func terms(withPrefix prefix: String, limit: Int = 0) throws -> [(term: String, frequency: Int)] {
        let list = try created { err in withBytes(prefix) { kbx_database_terms(handle, $0, $1, limit, err) } }
        return takeList(list).map { ($0.0, Int($0.1)) }
    }

    /// The positions at which `term` occurs in document `id`.
    public func positions(of term: String, in id: UInt32) throws -> [UInt32] {
        var count = 0
        let p = try checked { err in withBytes(term) { kbx_database_positions(handle, id, $0, $1, &count, err) } }
        guard let p else { return [] }
        defer { kbx_free(p) }
        return Array(UnsafeBufferPointer(start: p, count: count))
    }
}
