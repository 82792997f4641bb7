import CXapian

/// A Xapian document: stored data, terms (with wdf and positions) and value slots.
/// Not thread-safe: one owner at a time.
public final class Document {
    let handle: OpaquePointer

    public init() { handle = kbx_document_new()! }
    init(handle: OpaquePointer) { self.handle = handle }
    deinit { kbx_document_free(handle) }

    /// The document id in the database it came from (0 for a new document).
    public var id: UInt32 { kbx_document_docid(handle) }

    public func data() throws -> [UInt8] {
        var len = 0
        let p = try checked { kbx_document_data(handle, &len, $0) }
        return takeBytes(p, len)
    }

    public func setData(_ bytes: [UInt8]) throws {
        _ = try checked { err in withBytes(bytes) { kbx_document_set_data(handle, $0, $1, err) } }
    }

    public func addTerm(_ term: String, wdf: UInt32 = 1) throws {
        _ = try checked { err in withBytes(term) { kbx_document_add_term(handle, $0, $1, wdf, err) } }
    }

    /// A filter term: no wdf, so it does not change the document length or ranking.
    public func addBooleanTerm(_ term: String) throws {
        _ = try checked { err in withBytes(term) { kbx_document_add_boolean_term(handle, $0, $1, err) } }
    }

    public func addPosting(_ term: String, position: UInt32, wdf: UInt32 = 1) throws {
        _ = try checked { err in withBytes(term) { kbx_document_add_posting(handle, $0, $1, position, wdf, err) } }
    }

    public func removeTerm(_ term: String) throws {
        _ = try checked { err in withBytes(term) { kbx_document_remove_term(handle, $0, $1, err) } }
    }

    public func setValue(_ slot: UInt32, _ value: String) throws {
        _ = try checked { err in withBytes(value) { kbx_document_set_value(handle, slot, $0, $1, err) } }
    }

    public func value(_ slot: UInt32) throws -> String {
        var len = 0
        let p = try checked { kbx_document_value(handle, slot, &len, $0) }
        return takeString(p, len)
    }

    /// Every term of the document, in byte order, with its within-document frequency.
    public func terms() throws -> [(term: String, wdf: UInt32)] {
        let list = try created { kbx_document_terms(handle, $0) }
        return takeList(list).map { ($0.0, UInt32($0.1)) }
    }
}
