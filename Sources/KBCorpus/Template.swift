/// A phrasing template's `{{placeholder}}`s, and their filling. A raw `{{customer_name}}`
/// must never reach a customer, so rendering reports every placeholder left unfilled.
public struct Template: Sendable {
    public let text: String

    public init(_ text: String) { self.text = text }

    /// One `{{…}}` occurrence: its name and where it stands in `text`.
    struct Occurrence { let name: String; let range: Range<String.Index> }

    var occurrences: [Occurrence] {
        var out: [Occurrence] = []
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out.append(Occurrence(name: name, range: open.lowerBound..<close.upperBound))
            rest = rest[close.upperBound...]
        }
        return out
    }

    /// Placeholder names in order of first appearance.
    public var placeholders: [String] {
        var seen = Set<String>()
        return occurrences.map(\.name).filter { seen.insert($0).inserted }
    }

    /// The text with every placeholder that has a value replaced; `missing` lists the others.
    public func render(_ values: [String: String]) -> (text: String, missing: [String]) {
        var out = "", cursor = text.startIndex, missing: [String] = []
        for occ in occurrences {
            out += text[cursor..<occ.range.lowerBound]
            if let v = values[occ.name] {
                out += v
            } else {
                out += text[occ.range]
                if !missing.contains(occ.name) { missing.append(occ.name) }
            }
            cursor = occ.range.upperBound
        }
        out += text[cursor...]
        return (out, missing)
    }

    /// A placeholder name must be snake_case ASCII.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

import Foundation
