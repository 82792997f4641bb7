import CXapian

/// Turns text into terms of a `Document` (`Xapian::TermGenerator`). One owner at a time.
public final class TermGenerator {
    let handle: OpaquePointer
    private var stemmer: Stemmer?

    public struct Flags: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// Record words in the database's spelling table (needs `setDatabase`).
        public static let spelling = Flags(rawValue: Int32(KBX_TG_SPELLING))
        /// Index Chinese, Japanese and Korean text as character unigrams and bigrams.
        public static let cjkNgram = Flags(rawValue: Int32(KBX_TG_CJK_NGRAM))
    }

    public init() { handle = kbx_termgen_new()! }
    deinit { kbx_termgen_free(handle) }

    public func setStemmer(_ stemmer: Stemmer?) {
        self.stemmer = stemmer
        kbx_termgen_set_stemmer(handle, stemmer?.handle)
    }

    public func setStemmingStrategy(_ strategy: StemmingStrategy) {
        kbx_termgen_set_stemming_strategy(handle, strategy.rawValue)
    }

    public func setFlags(_ flags: Flags) { kbx_termgen_set_flags(handle, flags.rawValue) }

    /// The document that `index` adds terms to.
    public func setDocument(_ document: Document) { kbx_termgen_set_document(handle, document.handle) }

    /// The database whose spelling table `.spelling` fills.
    public func setDatabase(_ db: WritableDatabase) throws {
        _ = try checked { kbx_termgen_set_database(handle, db.handle, $0) }
    }

    public func setMaxWordLength(_ bytes: Int) { kbx_termgen_set_max_word_length(handle, UInt32(bytes)) }

    /// Indexes `text`, each term with `prefix` and its wdf raised by `wdfIncrement`.
    public func index(_ text: String, wdfIncrement: UInt32 = 1, prefix: String = "", positions: Bool = true) throws {
        _ = try checked { err in
            withBytes(text) { t, tl in
                withBytes(prefix) { kbx_termgen_index_text(handle, t, tl, wdfIncrement, $0, $1, positions ? 1 : 0, err) }
            }
        }
    }

    /// Leaves a gap in term positions so that phrases do not match across fields.
    public func increaseTermPosition(by delta: UInt32 = 100) { kbx_termgen_increase_termpos(handle, delta) }
    public var termPosition: UInt32 { kbx_termgen_termpos(handle) }
}
