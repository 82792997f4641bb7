/// BCP 47 language tags as the corpus uses them: a language, then an optional script
/// (`Hans`, `Hant`, `Latn`) and an optional region (`BR`, `TW`, `419`).
public struct LanguageTag: Hashable, Sendable, CustomStringConvertible {
    public let language: String
    public let script: String?
    public let region: String?

    /// Parses a tag in canonical case (`zh-Hant`, `pt-BR`); nil when it is malformed or
    /// names a language that ISO 639-1 does not have.
    public init?(_ tag: String) {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, first.count == 2, first.allSatisfy({ $0.isASCII && $0.isLowercase }),
              LanguageTag.iso639_1.contains(first), parts.count <= 3 else { return nil }
        var script: String?, region: String?
        for part in parts.dropFirst() {
            if part.count == 4, script == nil, region == nil, part.first!.isUppercase,
               part.allSatisfy({ $0.isASCII && $0.isLetter }), part.dropFirst().allSatisfy(\.isLowercase) {
                script = part
            } else if region == nil, (part.count == 2 && part.allSatisfy({ $0.isASCII && $0.isUppercase }))
                        || (part.count == 3 && part.allSatisfy({ $0.isASCII && $0.isNumber })) {
                region = part
            } else {
                return nil
            }
        }
        language = first
        self.script = script
        self.region = region
    }

    public var description: String { [language, script, region].compactMap { $0 }.joined(separator: "-") }

    /// ISO 639-1 two-letter language codes.
    static let iso639_1: Set<String> = Set("""
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz \
    ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik \
    io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml \
    mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd \
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi \
    vo wa wo xh yi yo za zh zu
    """.split(separator: " ").map(String.init))
}
