import Yams

/// Countries and the regions they belong to (corpus `_data/markets.yaml`).
///
/// A country lists its regions most specific first (`DE: [EU, EEA, EUROPE]`); every region
/// is inside `GLOBAL`. This is what lets a search for market DE rank DE entries first, then
/// EU/EEA/EUROPE ones, then GLOBAL ones, and never return entries scoped to other markets.
public struct MarketHierarchy: Sendable, Equatable {
    public struct Region: Sendable, Equatable {
        public let code: String
        public let name: String
        public init(code: String, name: String) { self.code = code; self.name = name }
    }
    public struct Country: Sendable, Equatable {
        public let code: String
        public let name: String
        public let regions: [String]
        public init(code: String, name: String, regions: [String]) { self.code = code; self.name = name; self.regions = regions }
    }

    public static let global = "GLOBAL"
    public private(set) var regions: [String: Region] = [:]
    public private(set) var countries: [String: Country] = [:]

    public init(regions: [Region] = [], countries: [Country] = []) {
        for r in regions { self.regions[r.code] = r }
        for c in countries { self.countries[c.code] = c }
        if self.regions[Self.global] == nil { self.regions[Self.global] = Region(code: Self.global, name: "Global") }
    }

    public func isKnown(_ code: String) -> Bool { regions[code] != nil || countries[code] != nil }
    public func isRegion(_ code: String) -> Bool { regions[code] != nil }

    /// The markets whose entries apply to `code`, most specific first, ending with GLOBAL:
    /// `DE` → `[DE, EU, EEA, EUROPE, GLOBAL]`; `EU` → `[EU, GLOBAL]`.
    public func scope(of code: String) -> [String] {
        if code == Self.global { return [code] }
        if let c = countries[code] { return [code] + c.regions.filter { $0 != Self.global } + [Self.global] }
        return [code, Self.global]
    }

    /// The countries inside a region (or the country itself).
    public func countries(in code: String) -> [String] {
        if countries[code] != nil { return [code] }
        if code == Self.global { return countries.keys.sorted() }
        return countries.values.filter { $0.regions.contains(code) }.map(\.code).sorted()
    }

    /// Parses `markets.yaml`; problems name the file and line.
    static func parse(_ text: String, path: String) -> (MarketHierarchy, [CorpusProblem]) {
        var reader = YAMLReader(path: path, lineOffset: 0)
        guard let root = reader.compose(text), let top = reader.pairs(root, what: "markets.yaml") else {
            return (MarketHierarchy(), reader.problems)
        }
        var regions: [Region] = [], countries: [Country] = []
        var seen: [String: Int] = [:], regionLines: [String: Int] = [:]
        func items(_ key: String) -> [Node] { top.first { $0.key == key }?.value.sequence.map(Array.init) ?? [] }
        for (key, keyNode, value) in top where !["regions", "countries"].contains(key) || value.sequence == nil {
            reader.problem(keyNode, key == "regions" || key == "countries"
                ? "`\(key)` must be a list" : "unknown top-level field `\(key)` (expected regions, countries)")
        }
        for (isRegion, node) in items("regions").map({ (true, $0) }) + items("countries").map({ (false, $0) }) {
            guard let fields = reader.pairs(node, what: isRegion ? "a region" : "a country") else { continue }
            var code = "", name = "", inside: [String] = [], insideLine = reader.line(node)
            for (key, keyNode, value) in fields {
                switch key {
                case "code": code = reader.string(value, field: key) ?? ""
                case "name": name = reader.string(value, field: key) ?? ""
                case "in":
                    inside = reader.strings(value, field: key) ?? []
                    insideLine = reader.line(value)
                default: reader.problem(keyNode, "unknown field `\(key)` (expected code, name, in)")
                }
            }
            let valid = isRegion ? code.count >= 2 && code.allSatisfy({ $0.isASCII && $0.isUppercase })
                                 : code.count == 2 && code.allSatisfy({ $0.isASCII && $0.isUppercase })
            if !valid {
                reader.problem(node, isRegion ? "region code `\(code)` must be upper-case letters"
                                              : "country code `\(code)` is not an ISO 3166-1 alpha-2 code")
                continue
            }
            if let first = seen[code] {
                reader.problem(node, "market `\(code)` is defined twice (first on line \(first))")
                continue
            }
            seen[code] = reader.line(node)
            regionLines[code] = insideLine
            if name.isEmpty { reader.problem(node, "market `\(code)` has no name", severity: .warning) }
            if isRegion { regions.append(Region(code: code, name: name)) }
            else { countries.append(Country(code: code, name: name, regions: inside)) }
        }
        var hierarchy = MarketHierarchy(regions: regions, countries: countries)
        // Every region a country names must exist; a country must be inside some region.
        for c in countries {
            let unknown = c.regions.filter { hierarchy.regions[$0] == nil }
            if !unknown.isEmpty {
                let line = regionLines[c.code] ?? 1
                reader.problems.append(CorpusProblem(path, line: line,
                    "country `\(c.code)` is in unknown region(s) \(unknown.joined(separator: ", "))"))
                hierarchy.countries[c.code] = Country(code: c.code, name: c.name, regions: c.regions.filter { !unknown.contains($0) })
            }
        }
        return (hierarchy, reader.problems)
    }
}
