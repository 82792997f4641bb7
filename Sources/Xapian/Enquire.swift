import CXapian

/// Runs a query against a database (`Xapian::Enquire`). One owner at a time; it keeps
/// its database and match spies alive.
public final class Enquire {
    let handle: OpaquePointer
    private let database: Database
    private var spies: [ValueCountSpy] = []

    public enum Sort: Sendable {
        case relevance
        case value(slot: UInt32, reverse: Bool)
        case valueThenRelevance(slot: UInt32, reverse: Bool)
        case relevanceThenValue(slot: UInt32, reverse: Bool)
    }

    public init(_ database: Database) throws {
        handle = try created { kbx_enquire_new(database.handle, $0) }
        self.database = database
    }

    deinit { kbx_enquire_free(handle) }

    public func setQuery(_ query: Query) throws {
        _ = try checked { kbx_enquire_set_query(handle, query.handle, $0) }
    }

    /// BM25 with Xapian's parameter names (defaults k1 1, k2 0, k3 1, b 0.5, min_normlen 0.5).
    public func setBM25(k1: Double = 1, k2: Double = 0, k3: Double = 1, b: Double = 0.5, minNormLength: Double = 0.5) throws {
        _ = try checked { kbx_enquire_set_bm25(handle, k1, k2, k3, b, minNormLength, $0) }
    }

    /// Every match gets weight 0: for pure filtering.
    public func setBooleanWeighting() throws { _ = try checked { kbx_enquire_set_bool_weight(handle, $0) } }

    public func setSort(_ sort: Sort) throws {
        let (mode, slot, reverse): (Int32, UInt32, Bool) = switch sort {
        case .relevance: (0, 0, false)
        case let .value(s, r): (1, s, r)
        case let .valueThenRelevance(s, r): (2, s, r)
        case let .relevanceThenValue(s, r): (3, s, r)
        }
        _ = try checked { kbx_enquire_set_sort(handle, mode, slot, reverse ? 1 : 0, $0) }
    }

    /// Keeps at most `max` matches with the same value in `slot` (e.g. one per translation group).
    public func setCollapseKey(_ slot: UInt32, max: UInt32 = 1) throws {
        _ = try checked { kbx_enquire_set_collapse_key(handle, slot, max, $0) }
    }

    /// Stops looking for better matches after `seconds` (0: no limit).
    public func setTimeLimit(_ seconds: Double) throws {
        _ = try checked { kbx_enquire_set_time_limit(handle, seconds, $0) }
    }

    /// Counts the values of a slot over all matches (facets) during the next `mset` call.
    public func addSpy(_ spy: ValueCountSpy) throws {
        _ = try checked { kbx_enquire_add_spy(handle, spy.handle, $0) }
        spies.append(spy)
    }

    /// Matches `first ..< first + count`, looking at `checkAtLeast` documents for better estimates and facets.
    public func mset(first: Int = 0, count: Int, checkAtLeast: Int = 0) throws -> MSet {
        MSet(handle: try created { kbx_enquire_mset(handle, UInt32(first), UInt32(count), UInt32(checkAtLeast), $0) })
    }
}

/// Counts the values of one slot over the documents a search looked at.
public final class ValueCountSpy {
    let handle: OpaquePointer
    public let slot: UInt32

    public init(slot: UInt32) {
        handle = kbx_spy_new(slot)!
        self.slot = slot
    }

    deinit { kbx_spy_free(handle) }

    /// How many documents the spy saw.
    public var total: Int { get throws { Int(try checked { kbx_spy_total(handle, $0) }) } }

    /// The most frequent values, most frequent first.
    public func topValues(_ max: Int = 100) throws -> [(value: String, count: Int)] {
        takeList(try created { kbx_spy_values(handle, max, $0) }).map { ($0.0, Int($0.1)) }
    }
}
