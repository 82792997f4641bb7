import CXapian

/// A Xapian database open for writing. Only one writer may hold a database at a time; a
/// second one gets `DatabaseLockError`. Not thread-safe: one owner at a time.
public final class WritableDatabase {
    let handle: OpaquePointer

    public enum Action: Int32, Sendable {
        case createOrOpen = 1, createOrOverwrite = 2, create = 3, open = 4
    }

    public init(path: String, _ action: Action = .createOrOpen) throws {
        handle = try created { err in withBytes(path) { kbx_wdb_open($0, $1, action.rawValue, err) } }
    }

    /// Frees the handle. Pending changes are committed by Xapian, errors ignored: call
    /// `commit()` or `close()` first to see them.
    deinit { kbx_wdb_free(handle) }

    /// Commits and releases the lock; the object is unusable afterwards.
    public func close() throws { _ = try checked { kbx_wdb_close(handle, $0) } }

    @discardableResult
    public func add(_ document: Document) throws -> UInt32 {
        try checked { kbx_wdb_add(handle, document.handle, $0) }
    }

    /// Replaces every document indexed by `uniqueTerm` with `document` (adds it if none).
    @discardableResult
    public func replace(uniqueTerm: String, with document: Document) throws -> UInt32 {
        try checked { err in withBytes(uniqueTerm) { kbx_wdb_replace_by_term(handle, $0, $1, document.handle, err) } }
    }

    /// Deletes every document indexed by `uniqueTerm`.
    public func delete(uniqueTerm: String) throws {
        _ = try checked { err in withBytes(uniqueTerm) { kbx_wdb_delete_by_term(handle, $0, $1, err) } }
    }

    /// Deletes document `id`; throws `DocNotFoundError` when there is none.
    public func delete(_ id: UInt32) throws {
        _ = try checked { kbx_wdb_delete(handle, id, $0) }
    }

    public func document(_ id: UInt32) throws -> Document {
        Document(handle: try created { kbx_wdb_document(handle, id, $0) })
    }

    public var documentCount: Int {
        get throws { Int(try checked { kbx_wdb_doc_count(handle, $0) }) }
    }

    public func commit() throws { _ = try checked { kbx_wdb_commit(handle, $0) } }

    /// Runs `body` as one transaction: committed when it returns, cancelled when it throws.
    public func transaction<R>(flushed: Bool = true, _ body: () throws -> R) throws -> R {
        _ = try checked { kbx_wdb_begin_transaction(handle, flushed ? 1 : 0, $0) }
        let result: R
        do {
            result = try body()
        } catch {
            _ = try? checked { kbx_wdb_cancel_transaction(handle, $0) }
            throw error
        }
        _ = try checked { kbx_wdb_commit_transaction(handle, $0) }
        return result
    }

    public func setMetadata(_ key: String, _ value: String) throws {
        _ = try checked { err in
            withBytes(key) { k, kl in withBytes(value) { kbx_wdb_set_metadata(handle, k, kl, $0, $1, err) } }
        }
    }

    public func addSpelling(_ word: String, frequency: Int = 1) throws {
        _ = try checked { err in withBytes(word) { kbx_wdb_add_spelling(handle, $0, $1, UInt32(frequency), err) } }
    }

    public func addSynonym(_ term: String, _ synonym: String) throws {
        _ = try checked { err in
            withBytes(term) { t, tl in withBytes(synonym) { kbx_wdb_add_synonym(handle, t, tl, $0, $1, err) } }
        }
    }
}
