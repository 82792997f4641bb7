/*
 * kbq's Xapian schema: every term prefix, value slot and stored field, in one place.
 * Every other file uses the names below, never a literal prefix or slot number.
 *
 * Terms (free text: weighted; boolean: filters, no weight)
 *
 *   prefix  name            kind     what
 *   ------  --------------  -------  ---------------------------------------------------------
 *   (none)  word            free     a word's form: NFKC + case folding, Arabic normalised,
 *                                    Chinese simplified; with positions (phrases, NEAR)
 *   Z       stem            free     Snowball stem of a word, in the entry's language
 *   XU      folded          free     a word without its accents (devolucion ← devolución)
 *   XN      gram            free     character n-gram: Han/kana 1–2, Thai-like 2–3, Hangul 2,
 *                                    alphabetic words 3 (compounds, typos); no positions
 *   Q       id              boolean  the entry id: exactly one document per id
 *   XK      kind            boolean  phrasing, product, case, taboo, policy
 *   XL      lang            boolean  the BCP 47 tag as written (zh-Hant, pt-BR)
 *   XM      market          boolean  a market code as written in the entry (DE, EU, GLOBAL)
 *   XS      stage           boolean  pre-sale, in-sale, after-sale
 *   XC      category        boolean  logistics-delay, refund, …
 *   XP      platform        boolean  amazon, ebay, …
 *   XH      channel         boolean  email, chat, social, phone
 *   XV      severity        boolean  low, medium, high
 *   XR      product line    boolean  3c, beauty, …
 *   XO      group           boolean  translation group
 *   XA      tag             boolean  a tag, NFKC + case folded
 *   XF      path            boolean  the entry's file, relative to the corpus (reindex by file)
 *
 * Xapian's convention, which its QueryParser follows too: a prefix of more than one letter
 * and a value starting with a capital letter are joined by ':' (`XM:DE`); `term(_:_:)` does it.
 *
 * Value slots
 *
 *   slot  name        what
 *   ----  ----------  -----------------------------------------------------------------
 *   0     kind        facet counts
 *   1     lang        facet counts
 *   2     group       collapse key: one result per translation group (or the id if none)
 *   3     updated     YYYY-MM-DD: freshness, sorting
 *   4     markets     codes joined by ',' (facet counts are split back per market)
 *   5     categories  joined by ',' (likewise)
 *   6     stage       scenario boosts are computed from slots 4–9 without decoding the data
 *   7     platforms   joined by ','
 *   8     channels    joined by ','
 *   9     lines       product lines, joined by ','
 *   10    id          the entry id (the Q term's value, read without decoding the data)
 *
 * Document data: the entry as JSON (`Entry`, body included), so a hit needs no corpus file.
 *
 * Database metadata
 *
 *   key               what
 *   ----------------  -----------------------------------------------------------------
 *   kbq:schema        schema version; a different one forces a full rebuild
 *   kbq:built         ISO 8601 time of the last commit
 *   kbq:corpus        absolute path of the corpus indexed
 *   kbq:markets       the market hierarchy, JSON
 *   kbq:glossary      the glossary, JSON
 *   kbq:languages     languages present, JSON array (stemmers for Latin queries)
 *   h:<id>            content hash of the entry's file (incremental reindex)
 */
public enum Schema {
    public static let version = "3"

    public enum Prefix: String, CaseIterable, Sendable {
        case word = ""
        case stem = "Z"
        case folded = "XU"
        case gram = "XN"
        case id = "Q"
        case kind = "XK"
        case lang = "XL"
        case market = "XM"
        case stage = "XS"
        case category = "XC"
        case platform = "XP"
        case channel = "XH"
        case severity = "XV"
        case productLine = "XR"
        case group = "XO"
        case tag = "XA"
        case path = "XF"
    }

    public enum Slot: UInt32, Sendable {
        case kind = 0, lang = 1, group = 2, updated = 3, markets = 4, categories = 5
        case stage = 6, platforms = 7, channels = 8, productLines = 9, id = 10
    }

    public enum Metadata {
        public static let schema = "kbq:schema"
        public static let built = "kbq:built"
        public static let corpus = "kbq:corpus"
        public static let markets = "kbq:markets"
        public static let glossary = "kbq:glossary"
        public static let languages = "kbq:languages"
        public static func hash(_ id: String) -> String { "h:" + id }
    }

    /// The term for `value` under `prefix`, with Xapian's ':' rule.
    public static func term(_ prefix: Prefix, _ value: String) -> String {
        let p = prefix.rawValue
        if p.count > 1, let first = value.unicodeScalars.first, first.properties.isUppercase || first == ":" {
            return p + ":" + value
        }
        return p + value
    }

    /// The value a term under `prefix` holds: `term(_:_:)` undone.
    public static func value(of term: String, prefix: Prefix) -> String {
        let rest = term.dropFirst(prefix.rawValue.count)
        return String(prefix.rawValue.count > 1 && rest.hasPrefix(":") ? rest.dropFirst() : rest)
    }

    /// Query-syntax field names (`market:DE`) and the boolean prefix each filters on.
    public static let fields: [String: Prefix] = [
        "id": .id, "kind": .kind, "lang": .lang, "market": .market, "stage": .stage, "category": .category,
        "platform": .platform, "channel": .channel, "severity": .severity, "line": .productLine,
        "group": .group, "tag": .tag,
    ]
}
