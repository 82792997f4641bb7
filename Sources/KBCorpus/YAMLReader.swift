import Yams

/// Reads typed fields out of a YAML node, recording a `CorpusProblem` (with the file's line
/// number) for every field of the wrong type. Shared by entries, markets and the glossary.
struct YAMLReader {
    let path: String
    /// Added to Yams' 1-based line numbers: the YAML's first line in the file, minus one.
    let lineOffset: Int
    var problems: [CorpusProblem] = []

    func line(_ node: Node?) -> Int { (node?.mark?.line ?? 1) + lineOffset }

    mutating func problem(_ node: Node?, _ reason: String, severity: CorpusProblem.Severity = .error) {
        problems.append(CorpusProblem(path, line: line(node), reason, severity: severity))
    }

    /// Parses YAML text into a node, or records the parser's complaint with its line.
    mutating func compose(_ text: String) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (reason, mark): (String, Mark?) = switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                 let .composer(context, problem, mark, _):
                ([context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " "), mark)
            case let .reader(problem, _, _, _): (problem, nil)
            default: ("\(error)", nil)
            }
            // Yams sometimes appends the whole document as context: a problem stays one line.
            let firstLine = reason.split(separator: "\n").first.map(String.init) ?? reason
            problems.append(CorpusProblem(path, line: (mark?.line ?? 1) + lineOffset, "YAML error: \(firstLine)"))
        } catch {
            problems.append(CorpusProblem(path, line: 1 + lineOffset, "YAML error: \(String(describing: error).split(separator: "\n").first ?? "")"))
        }
        return nil
    }

    /// The pairs of a mapping, refusing duplicate keys and keys that are not plain strings.
    mutating func pairs(_ node: Node, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard let mapping = node.mapping else {
            problem(node, "\(what) must be a mapping of `key: value` lines")
            return nil
        }
        var seen: [String: Int] = [:]
        var out: [(key: String, keyNode: Node, value: Node)] = []
        for (k, v) in mapping {
            guard let key = k.scalar?.string else {
                problem(k, "a key in \(what) is not a plain word")
                continue
            }
            if let first = seen[key] {
                problem(k, "field `\(key)` appears twice (first on line \(first))")
                continue
            }
            seen[key] = line(k)
            out.append((key, k, v))
        }
        return out
    }

    /// A scalar as text; nil (with a problem) for a list or mapping.
    mutating func string(_ node: Node, field: String) -> String? {
        if case .alias = node { problem(node, "field `\(field)` uses a YAML alias, which is not allowed"); return nil }
        guard let s = node.scalar?.string else {
            problem(node, "field `\(field)` must be a single value, not a \(node.mapping != nil ? "mapping" : "list")")
            return nil
        }
        return s
    }

    /// A list of scalars; a single scalar counts as a one-item list. Nil on a type error.
    mutating func strings(_ node: Node, field: String) -> [String]? {
        if let s = node.scalar?.string { return s.isEmpty ? [] : [s] }
        guard let seq = node.sequence else {
            problem(node, "field `\(field)` must be a list like [a, b], not a mapping")
            return nil
        }
        var out: [String] = []
        for item in seq {
            guard let s = item.scalar?.string else {
                problem(item, "field `\(field)` must be a list of single values; an item is a nested list or mapping")
                return nil
            }
            out.append(s)
        }
        return out
    }
}
