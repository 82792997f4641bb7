import CXapian

/// An immutable Xapian query tree. Not thread-safe (Xapian counts references without
/// atomics): build and use a query on one thread.
public final class Query: CustomStringConvertible {
    let handle: OpaquePointer

    /// Query operators (`Xapian::Query::op`).
    public enum Op: Int32, Sendable {
        case and = 0, or = 1, andNot = 2, xor = 3, andMaybe = 4, filter = 5, near = 6, phrase = 7
        case eliteSet = 10, synonym = 13, max = 14
    }

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { kbx_query_free(handle) }

    /// A single term; `position` (1-based, 0 for none) matters only inside phrase/near.
    public convenience init(term: String, wqf: UInt32 = 1, position: UInt32 = 0) throws {
        self.init(handle: try created { err in withBytes(term) { kbx_query_term($0, $1, wqf, position, err) } })
    }

    /// Combines subqueries; `window` is the span for `.phrase` and `.near` (0: their count).
    public convenience init(_ op: Op, _ subqueries: [Query], window: UInt32 = 0) throws {
        let handles: [OpaquePointer?] = subqueries.map { $0.handle }
        let h = try handles.withUnsafeBufferPointer { buf in
            try created { kbx_query_combine(op.rawValue, buf.baseAddress, buf.count, window, $0) }
        }
        self.init(handle: h)
        withExtendedLifetime(subqueries) {}
    }

    /// Documents whose value in `slot` lies in `lower...upper` (byte order).
    public convenience init(valueSlot slot: UInt32, from lower: String, to upper: String) throws {
        self.init(handle: try created { err in
            withBytes(lower) { l, ll in withBytes(upper) { kbx_query_value_range(Int32(KBX_OP_VALUE_RANGE), slot, l, ll, $0, $1, err) } }
        })
    }

    /// Documents whose value in `slot` is at least `lower` (byte order).
    public convenience init(valueSlot slot: UInt32, atLeast lower: String) throws {
        self.init(handle: try created { err in
            withBytes(lower) { kbx_query_value_range(Int32(KBX_OP_VALUE_GE), slot, $0, $1, nil, 0, err) }
        })
    }

    /// Documents whose value in `slot` is at most `upper` (byte order).
    public convenience init(valueSlot slot: UInt32, atMost upper: String) throws {
        self.init(handle: try created { err in
            withBytes(upper) { kbx_query_value_range(Int32(KBX_OP_VALUE_LE), slot, nil, 0, $0, $1, err) }
        })
    }

    /// Every term starting with `prefix`, OR-ed; at most `maxExpansion` of the most frequent.
    public convenience init(wildcard prefix: String, maxExpansion: UInt32) throws {
        self.init(handle: try created { err in withBytes(prefix) { kbx_query_wildcard($0, $1, maxExpansion, err) } })
    }

    public static func matchAll() -> Query { Query(handle: kbx_query_match_all()!) }
    public static func matchNothing() -> Query { Query(handle: kbx_query_match_nothing()!) }

    /// This query with its weight multiplied by `factor` (0 makes it a pure filter).
    public func scaled(by factor: Double) throws -> Query {
        Query(handle: try created { kbx_query_scale(handle, factor, $0) })
    }

    public var isEmpty: Bool { kbx_query_is_empty(handle) != 0 }

    public var description: String {
        var len = 0
        return takeString(kbx_query_describe(handle, &len), len)
    }

    /// The distinct terms of the query with their query frequency.
    public func terms() throws -> [(term: String, wqf: UInt32)] {
        takeList(try created { kbx_query_terms(handle, $0) }).map { ($0.0, UInt32($0.1)) }
    }
}
