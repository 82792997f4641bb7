/// The five kinds of encyclopedia entry.
public enum Kind: String, Codable, CaseIterable, Sendable, Comparable {
    case phrasing, product, `case`, taboo, policy

    public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
}

/// One encyclopedia entry: a Markdown file's front matter and body.
public struct Entry: Codable, Sendable, Equatable {
    public var id: String
    public var kind: Kind
    /// BCP 47 tag of the text (`zh-Hans`, `de`, `pt-BR`).
    public var lang: String
    public var title: String
    /// Country and region codes; `["GLOBAL"]` when the file names none.
    public var markets: [String]
    public var stage: String?
    public var categories: [String]
    public var platforms: [String]
    public var channels: [String]
    public var severity: String?
    public var productLines: [String]
    /// Translation group: entries sharing it say the same thing in different languages.
    public var group: String?
    public var tags: [String]
    /// `YYYY-MM-DD`: the day the content was last checked.
    public var updated: String?
    public var sources: [String]
    /// Taboo entries: phrases a reply draft for these markets must not contain.
    public var patterns: [String]
    /// Front-matter fields kbq does not know, kept as strings.
    public var extra: [String: [String]]
    public var body: String
    /// Path relative to the corpus root.
    public var path: String
    /// The file line on which the body starts (for problems found in it).
    public var bodyLine: Int
    /// Hash of the file's bytes: a changed hash means the entry must be re-analysed.
    public var contentHash: String

    public init(id: String, kind: Kind, lang: String, title: String, markets: [String] = ["GLOBAL"],
                stage: String? = nil, categories: [String] = [], platforms: [String] = [], channels: [String] = [],
                severity: String? = nil, productLines: [String] = [], group: String? = nil, tags: [String] = [],
                updated: String? = nil, sources: [String] = [], patterns: [String] = [],
                extra: [String: [String]] = [:], body: String = "", path: String = "", bodyLine: Int = 1,
                contentHash: String = "") {
        self.id = id; self.kind = kind; self.lang = lang; self.title = title; self.markets = markets
        self.stage = stage; self.categories = categories; self.platforms = platforms; self.channels = channels
        self.severity = severity; self.productLines = productLines; self.group = group; self.tags = tags
        self.updated = updated; self.sources = sources; self.patterns = patterns; self.extra = extra
        self.body = body; self.path = path; self.bodyLine = bodyLine; self.contentHash = contentHash
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, lang, title, markets, stage, categories, platforms, channels, severity
        case productLines = "product_lines", group, tags, updated, sources, patterns, extra, body, path
        case bodyLine = "body_line", contentHash = "content_hash"
    }

    /// The `{{name}}` placeholders of the body, in order of first appearance.
    public var placeholders: [String] { Template(body).placeholders }
}
