import ArgumentParser
import Foundation
import KBCorpus

/// `kbq validate [DIR]`: checks a corpus folder without the daemon.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a corpus folder and print its problems and counts (no daemon needed).",
        discussion: "Exits 0 when the corpus has no problem, 1 when it has any, 66 when the folder cannot be read.")

    @Argument(help: "The corpus folder.")
    var directory: String = "corpus"

    @Flag(help: "Print the problems and counts as JSON.")
    var json = false

    func run() throws {
        let corpus: Corpus
        do {
            corpus = try CorpusLoader(root: directory).load()
        } catch let problem as CorpusProblem {
            printError("kbq: \(directory): \(problem.reason)")
            throw ExitCode(Exit.noInput)
        }
        let summary = CorpusSummary(corpus)
        if json {
            struct Report: Encodable { let problems: [CorpusProblem]; let summary: CorpusSummary }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(Report(problems: corpus.problems, summary: summary)), as: UTF8.self))
        } else {
            for p in corpus.problems { print("\(directory)/\(p)") }
            print(Self.render(summary))
        }
        if !corpus.problems.isEmpty { throw ExitCode(Exit.findings) }
    }

    static func render(_ s: CorpusSummary) -> String {
        func line(_ counts: [String: Int]) -> String {
            counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        return """
        \(s.entries) entries, \(s.groups) translation groups, \(s.glossarySets) glossary sets, \(s.countries) countries
        kinds: \(line(s.byKind))
        languages: \(line(s.byLang))
        markets: \(line(s.byMarket))
        problems: \(s.errors) errors, \(s.warnings) warnings
        """
    }
}
