import ArgumentParser
import Foundation
import KBCorpus
import KBSearch

/// A file's text, or standard input's for `-`; exit 66 when it cannot be read as UTF-8.
func readText(_ path: String) throws -> String {
    let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
    guard let data, let text = String(data: data, encoding: .utf8) else {
        printError("kbq: cannot read \(path) as UTF-8 text")
        throw ExitCode(Exit.noInput)
    }
    return text
}

/// `kbq check FILE|-`: a draft reply against the market's taboos; exit 1 when flagged.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a draft reply against the market's taboos and risky wording.",
        discussion: "Exits 1 when anything is flagged, 0 when the draft is clean.")
    @Argument(help: "The draft file, or - for standard input.") var file: String
    @Option(help: "The customer's market (its regions' and GLOBAL taboos apply too).") var market: String?
    @Flag(help: "Print kbqd's JSON.") var json = false
    @OptionGroup var connection: SocketOption

    func run() async throws {
        let draft = try readText(file)
        var body: [String: Any] = ["draft": draft]
        if let market { body["market"] = market }
        let r = try await connection.call("POST", "/v1/check", json: Array(try JSONSerialization.data(withJSONObject: body)))
        let result = try decode(CheckResponse.self, r)
        if json { printJSON(r) } else {
            let o = Output.current()
            if result.findings.isEmpty { print(o.t(.clean)) }
            for f in result.findings {
                print(o.warn("⚠ \(f.text)") + "  " + o.dim("(\(f.pattern))") + "  id: " + o.bold(f.id) + (f.severity.map { " [\($0)]" } ?? ""))
                print(o.wrap(f.title, indent: "   "))
                print(o.wrap(o.t(.instead) + ": " + f.advice, indent: "   "))
            }
        }
        if !result.findings.isEmpty { throw ExitCode(Exit.findings) }
    }
}

/// `kbq brief`: one bundle for a situation.
struct BriefCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brief", abstract: "Templates, taboos, policies, cases and product facts for one situation.",
        discussion: "Give keywords, or paste the customer's message with --message FILE|-.")
    @Argument(help: "Keywords.") var keywords: [String] = []
    @Option(help: "A file with the customer's message, or - for standard input.") var message: String?
    @OptionGroup var scenario: ScenarioOptions
    @Flag(help: "Print kbqd's JSON.") var json = false
    @OptionGroup var connection: SocketOption

    func run() async throws {
        var text = keywords.joined(separator: " ")
        if let message {
            text += (text.isEmpty ? "" : " ") + (try readText(message))
        }
        var request = SearchRequest(q: text)
        scenario.apply(to: &request)
        let r = try await connection.call("POST", "/v1/brief", json: Array(try JSONEncoder().encode(request)))
        if json { printJSON(r); return }
        let b = try decode(BriefResponse.self, r), o = Output.current()
        let sections: [(UIText, [Hit])] = [(.templates, b.templates), (.taboos, b.taboos), (.policies, b.policies),
                                           (.cases, b.cases), (.products, b.products)]
        for (title, hits) in sections {
            print(o.bold("■ " + o.t(title)) + o.dim(title == .templates ? " (\(b.replyLang ?? "?"))" : ""))
            if hits.isEmpty { print("   " + o.dim("—")) }
            for h in hits {
                print("   " + o.accent(h.lang) + " " + h.title + "  " + o.dim("id: \(h.id)") + (h.stale ? " " + o.warn("⚠ " + o.t(.stale)) : ""))
                if !h.why.isEmpty { print("     " + o.dim(h.why.joined(separator: "; "))) }
            }
        }
    }
}

/// `kbq stale`: entries due for review.
struct StaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stale", abstract: "List entries due for review (old `updated` dates).")
    @Option(name: .customLong("older-than"), help: "An age like 180d, 26w or 6m (default: kbqd's stale_days).") var olderThan: String?
    @Option(name: .customLong("kind"), help: "Only this kind (repeatable).") var kinds: [String] = []
    @Flag(help: "Print kbqd's JSON.") var json = false
    @OptionGroup var connection: SocketOption

    struct Response: Decodable { let older_than_days: Int; let entries: [StaleEntry] }

    func run() async throws {
        var path = "/v1/stale?"
        if let olderThan {
            guard let days = Self.days(olderThan) else { throw ValidationError("--older-than takes an age like 180d, 26w or 6m") }
            path += "older_than_days=\(days)&"
        }
        for k in kinds { path += "kinds=\(q(k))&" }
        let r = try await connection.call("GET", path)
        if json { printJSON(r); return }
        let s = try decode(Response.self, r), o = Output.current()
        for e in s.entries {
            print("\(e.updated ?? "?")  " + o.warn("\(e.ageDays ?? 0)d") + "  " + o.accent(e.kind.rawValue) + "  \(e.id)  " + o.dim(e.path))
        }
        print(o.dim("\(s.entries.count) > \(s.older_than_days)d"))
    }

    static func days(_ s: String) -> Int? {
        guard let unit = s.last, let n = Int(unit.isNumber ? s : String(s.dropLast())) else { return nil }
        switch unit {
        case "d", "0"..."9": return n
        case "w": return n * 7
        case "m": return n * 30
        case "y": return n * 365
        default: return nil
        }
    }
}
