/// Something wrong with one corpus file, reported as `path:line: reason`.
public struct CorpusProblem: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Codable, Sendable {
        /// The file (or glossary set, or market) is left out.
        case error
        /// The file is loaded, but something in it should be fixed.
        case warning
    }

    /// Path relative to the corpus root (or as given, outside it).
    public var path: String
    /// 1-based line in the file.
    public var line: Int
    public var reason: String
    public var severity: Severity

    public init(_ path: String, line: Int, _ reason: String, severity: Severity = .error) {
        self.path = path
        self.line = max(line, 1)
        // One line whatever the file held: values quoted in a reason may contain newlines.
        self.reason = reason.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
        self.severity = severity
    }

    public var description: String {
        "\(path):\(line): \(severity == .warning ? "warning: " : "")\(reason)"
    }
}
