import ArgumentParser
import Foundation
import KBCorpus

/// `kbq show ID`: one entry, its translations, or a filled template.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show an entry with its translations, or fill a template.",
        discussion: "With --fill, exits 1 naming every placeholder left unfilled unless --allow-missing.")

    @Argument(help: "The entry id.") var id: String
    @Option(help: "Show the translation-group member in this language.") var lang: String?
    @Flag(help: "Print the source file as written.") var raw = false
    @Option(parsing: .upToNextOption, help: "Fill placeholders: --fill customer_name=Anna order_id=A1") var fill: [String] = []
    @Flag(name: .customLong("allow-missing"), help: "With --fill: print even with placeholders left.") var allowMissing = false
    @Flag(help: "Print kbqd's JSON.") var json = false
    @OptionGroup var connection: SocketOption

    struct Shown: Decodable {
        let entry: Entry
        let translations: [Translation]
        let placeholders: [String]
        struct Translation: Decodable { let id: String; let lang: String; let title: String }
    }

    struct Rendered: Codable { let id: String; let lang: String; let text: String; let missing: [String] }

    func run() async throws {
        let o = Output.current()
        if !fill.isEmpty {
            var values: [String: String] = [:]
            for pair in fill {
                guard let eq = pair.firstIndex(of: "=") else { throw ValidationError("--fill takes name=value, not `\(pair)`") }
                values[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            var body: [String: Any] = ["id": id, "values": values, "allow_missing": true]
            if let lang { body["lang"] = lang }
            let r = try await connection.call("POST", "/v1/render", json: Array(try JSONSerialization.data(withJSONObject: body)))
            let rendered = try decode(Rendered.self, r)
            // Text with a raw {{placeholder}} is never printed unless asked for.
            if !rendered.missing.isEmpty && !allowMissing {
                printError("kbq: \(o.t(.missingPlaceholders)): " + rendered.missing.map { "{{\($0)}}" }.joined(separator: ", "))
                throw ExitCode(Exit.findings)
            }
            if json { printJSON(r) } else { print(rendered.text) }
            return
        }
        if raw {
            var target = id
            if let lang {
                let shown = try decode(Shown.self, try await connection.call("GET", "/v1/entries/\(q(id))"))
                guard let other = shown.translations.first(where: { $0.lang == lang }) else {
                    printError("kbq: \(id) has no \(lang) translation (" + shown.translations.map(\.lang).joined(separator: ", ") + ")")
                    throw ExitCode(Exit.dataError)
                }
                target = other.id
            }
            FileHandle.standardOutput.write(Data(try await connection.call("GET", "/v1/entries/\(q(target))?raw=1").body))
            return
        }
        var r = try await connection.call("GET", "/v1/entries/\(q(id))")
        var shown = try decode(Shown.self, r)
        if let lang, shown.entry.lang != lang {
            guard let other = shown.translations.first(where: { $0.lang == lang }) else {
                printError("kbq: \(id) has no \(lang) translation (" + shown.translations.map(\.lang).joined(separator: ", ") + ")")
                throw ExitCode(Exit.dataError)
            }
            r = try await connection.call("GET", "/v1/entries/\(q(other.id))")
            shown = try decode(Shown.self, r)
        }
        if json { printJSON(r); return }
        let e = shown.entry
        print(o.accent("[\(e.kind.rawValue)]") + " " + o.dim(e.lang) + "  " + o.bold(e.title))
        print(o.dim("id: \(e.id)  \(o.t(.markets)): \(e.markets.joined(separator: ","))" + (e.updated.map { "  \(o.t(.updated)): \($0)" } ?? "")))
        if !e.sources.isEmpty { print(o.dim("source: " + e.sources.joined(separator: "; "))) }
        print("")
        print(e.body.replacingOccurrences(of: "{{", with: o.color ? "\u{1B}[1;35m{{" : "{{")
            .replacingOccurrences(of: "}}", with: o.color ? "}}\u{1B}[0m" : "}}"))
        if !shown.placeholders.isEmpty { print("\n" + o.dim("\(o.t(.placeholders)): " + shown.placeholders.joined(separator: ", "))) }
        if shown.translations.count > 1 {
            print(o.dim("\(o.t(.translations)): " + shown.translations.map { "\($0.lang) \($0.id)" }.joined(separator: " · ")))
        }
    }
}
