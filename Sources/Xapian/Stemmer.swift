import CXapian

/// A Snowball stemmer (`Xapian::Stem`). Not thread-safe: one thread uses it at a time.
public final class Stemmer {
    let handle: OpaquePointer
    public let language: String

    /// - Throws: `XapianError` (`InvalidArgumentError`) for a language Xapian does not know.
    public init(_ language: String) throws {
        handle = try created { err in withBytes(language) { kbx_stem_new($0, $1, err) } }
        self.language = language
    }

    deinit { kbx_stem_free(handle) }

    public func stem(_ word: String) throws -> String {
        var len = 0
        let p = try checked { err in withBytes(word) { kbx_stem_word(handle, $0, $1, &len, err) } }
        return takeString(p, len)
    }

    /// The languages (and their codes, e.g. `en`, `english`) Xapian's stemmer knows.
    public static var availableLanguages: [String] {
        var len = 0
        return takeString(kbx_stem_languages(&len), len).split(separator: " ").map(String.init)
    }
}

/// How terms are stemmed by `TermGenerator` and `QueryParser`.
public enum StemmingStrategy: Int32, Sendable {
    case none = 0, some = 1, all = 2, allZ = 3, someFullPositions = 4
}

/// The Xapian version string, e.g. "1.4.22".
public var xapianVersion: String { String(cString: kbx_version()) }
