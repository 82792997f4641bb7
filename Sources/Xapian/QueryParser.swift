import CXapian

/// Parses a user's query string (`Xapian::QueryParser`). One owner at a time.
public final class QueryParser {
    let handle: OpaquePointer
    private var stemmer: Stemmer?
    private var database: Database?

    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let boolean = Flags(rawValue: 1)
        public static let phrase = Flags(rawValue: 2)
        public static let loveHate = Flags(rawValue: 4)
        public static let booleanAnyCase = Flags(rawValue: 8)
        public static let wildcard = Flags(rawValue: 16)
        public static let pureNot = Flags(rawValue: 32)
        public static let partial = Flags(rawValue: 64)
        public static let spellingCorrection = Flags(rawValue: 128)
        public static let synonym = Flags(rawValue: 256)
        public static let autoSynonyms = Flags(rawValue: 512)
        public static let autoMultiwordSynonyms = Flags(rawValue: 1024)
        public static let cjkNgram = Flags(rawValue: 2048)
        public static let `default`: Flags = [.phrase, .boolean, .loveHate]
    }

    public init() { handle = kbx_qparser_new()! }
    deinit { kbx_qparser_free(handle) }

    public func setStemmer(_ stemmer: Stemmer?) {
        self.stemmer = stemmer
        kbx_qparser_set_stemmer(handle, stemmer?.handle)
    }

    public func setStemmingStrategy(_ strategy: StemmingStrategy) {
        kbx_qparser_set_stemming_strategy(handle, strategy.rawValue)
    }

    /// The operator between terms that have none (`.or` by default; `.and` is common).
    public func setDefaultOperator(_ op: Query.Op) { kbx_qparser_set_default_op(handle, op.rawValue) }

    /// The database used for wildcards, spelling correction and synonyms.
    public func setDatabase(_ db: Database) {
        database = db
        kbx_qparser_set_database(handle, db.handle)
    }

    public func setMaxWildcardExpansion(_ max: UInt32) { kbx_qparser_set_max_expansion(handle, max) }

    /// `field:word` searches free text indexed with `prefix`.
    public func addPrefix(_ field: String, _ prefix: String) throws {
        try add(field, prefix, boolean: false)
    }

    /// `field:value` filters on the boolean term `prefix + value`.
    public func addBooleanPrefix(_ field: String, _ prefix: String) throws {
        try add(field, prefix, boolean: true)
    }

    private func add(_ field: String, _ prefix: String, boolean: Bool) throws {
        _ = try checked { err in
            withBytes(field) { f, fl in withBytes(prefix) { kbx_qparser_add_prefix(handle, f, fl, $0, $1, boolean ? 1 : 0, err) } }
        }
    }

    /// Parses `text`; throws `QueryParserError` for syntax it cannot parse.
    public func parse(_ text: String, flags: Flags = .default, defaultPrefix: String = "") throws -> Query {
        Query(handle: try created { err in
            withBytes(text) { t, tl in withBytes(defaultPrefix) { kbx_qparser_parse(handle, t, tl, flags.rawValue, $0, $1, err) } }
        })
    }

    /// The spelling-corrected query string from the last parse (empty when none).
    public var correctedQuery: String {
        var len = 0
        return takeString(kbx_qparser_corrected(handle, &len), len)
    }
}
