import CXapian

/// The results of a search (`Xapian::MSet`). One owner at a time.
public final class MSet: RandomAccessCollection {
    let handle: OpaquePointer

    /// One match: rank (0-based, across pages), document id, weight, percentage.
    public struct Match: Sendable {
        public let rank: Int
        public let documentID: UInt32
        public let weight: Double
        public let percent: Int
        /// How many other matches were collapsed into this one.
        public let collapseCount: Int
    }

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { kbx_mset_free(handle) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(kbx_mset_size(handle)) }

    public subscript(i: Int) -> Match {
        precondition(i >= 0 && i < endIndex, "MSet index out of range")
        let n = UInt32(i)
        // Indexes inside the MSet cannot fail, so errors here would be shim bugs.
        return Match(
            rank: i,
            documentID: (try? checked { kbx_mset_docid(handle, n, $0) }) ?? 0,
            weight: (try? checked { kbx_mset_weight(handle, n, $0) }) ?? 0,
            percent: Int((try? checked { kbx_mset_percent(handle, n, $0) }) ?? 0),
            collapseCount: Int((try? checked { kbx_mset_collapse_count(handle, n, $0) }) ?? 0))
    }

    public var estimatedMatches: Int { Int(kbx_mset_estimate(handle, 0)) }
    public var matchesLowerBound: Int { Int(kbx_mset_estimate(handle, 1)) }
    public var matchesUpperBound: Int { Int(kbx_mset_estimate(handle, 2)) }

    public func document(at i: Int) throws -> Document {
        precondition(i >= 0 && i < endIndex, "MSet index out of range")
        return Document(handle: try created { kbx_mset_document(handle, UInt32(i), $0) })
    }

    public struct SnippetFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let backgroundModel = SnippetFlags(rawValue: 1)
        public static let exhaustive = SnippetFlags(rawValue: 2)
        public static let emptyWithoutMatch = SnippetFlags(rawValue: 4)
        public static let cjkNgram = SnippetFlags(rawValue: 2048)
    }

    /// The best `length`-byte extract of `text` for this search, matched terms between
    /// `highlight.start` and `highlight.end`, cut text shown as `omit`.
    public func snippet(_ text: String, length: Int = 200, stemmer: Stemmer? = nil,
                        flags: SnippetFlags = [.backgroundModel, .exhaustive],
                        highlight: (start: String, end: String) = ("<b>", "</b>"), omit: String = "…") throws -> String {
        var len = 0
        let p = try checked { err in
            withBytes(text) { t, tl in
                withBytes(highlight.start) { hs, hsl in
                    withBytes(highlight.end) { he, hel in
                        withBytes(omit) {
                            kbx_mset_snippet(handle, t, tl, length, stemmer?.handle, flags.rawValue, hs, hsl, he, hel, $0, $1, &len, err)
                        }
                    }
                }
            }
        }
        return takeString(p, len)
    }
}
