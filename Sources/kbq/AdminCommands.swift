import ArgumentParser
import Foundation
import KBSearch

/// `kbq status`: what kbqd serves.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what kbqd serves.")
    @Flag(help: "Print kbqd's JSON.") var json = false
    @OptionGroup var connection: SocketOption

    struct Status: Decodable {
        let generation: String
        let documents: Int
        let corpus: String
        let uptime_seconds: Int
        let counts: [String: [String: Int]]
        let last_reindex: ReindexStatus?
        let reindex_running: ReindexStatus?
    }

    func run() async throws {
        let r = try await connection.call("GET", "/v1/status")
        if json { printJSON(r); return }
        let s = try decode(Status.self, r), o = Output.current()
        print("\(o.t(.generation)): \(o.bold(s.generation))  \(o.t(.documents)): \(s.documents)  \(o.t(.uptime)): \(s.uptime_seconds)s")
        print("\(o.t(.corpus)): \(s.corpus)")
        for (name, counts) in s.counts.sorted(by: { $0.key < $1.key }) {
            print(o.dim(name + ": " + counts.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        }
        if let t = s.reindex_running { print("\(o.t(.running)): \(t.id) \(t.phase) \(t.progress.done)/\(t.progress.total)") }
        if let t = s.last_reindex { print("\(o.t(.lastReindex)): " + ReindexCommand.summary(t, o)) }
    }
}

/// `kbq reindex`: ask kbqd to reindex (admins only), optionally waiting for the end.
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex", abstract: "Reindex the corpus (incremental; --full rebuilds a new generation).",
        discussion: "Exits 0 when the reindex succeeds (or is started, without --wait), 1 when it fails.")
    @Flag(help: "Rebuild a new generation from scratch.") var full = false
    @Option(name: .customLong("path"),
            help: "Re-read only this entry file (relative to the corpus); repeat for several. Quick after an edit.")
    var paths: [String] = []
    @Flag(help: "Wait for the end, showing progress on a terminal.") var wait = false
    @Flag(help: "Print kbqd's JSON.") var json = false
    @OptionGroup var connection: SocketOption

    func validate() throws {
        if full && !paths.isEmpty { throw ValidationError("--path re-reads named files; --full rebuilds everything: choose one") }
    }

    func run() async throws {
        let o = Output.current()
        let body = paths.isEmpty ? Array(#"{"full": \#(full)}"#.utf8)
            : try JSONEncoder().encode(["paths": paths]).map { $0 }
        let r = try await connection.call("POST", "/v1/reindex", json: body, accept: [200, 202])
        var task = try decode(ReindexStatus.self, r)
        if !wait {
            if json { printJSON(r) } else { print("\(task.id) \(task.state.rawValue) (kbq reindex --wait, or GET /v1/tasks/\(task.id))") }
            return
        }
        let tty = isatty(STDERR_FILENO) == 1
        while task.state == .running {
            if tty { FileHandle.standardError.write(Data("\r\(task.phase) \(task.progress.done)/\(task.progress.total)   ".utf8)) }
            try await Task.sleep(for: .milliseconds(200))
            let t = try await connection.call("GET", "/v1/tasks/\(task.id)")
            task = try decode(ReindexStatus.self, t)
            if task.state != .running && json { printJSON(t) }
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if !json {
            print(Self.summary(task, o))
            for p in task.problems { print("  " + p) }
            if let e = task.error { printError("kbq: " + e) }
        }
        if task.state == .failed { throw ExitCode(Exit.findings) }
    }

    static func summary(_ t: ReindexStatus, _ o: Output) -> String {
        let r = t.report
        var s = "\(t.id) \(t.full ? "full" : t.paths != nil ? "files" : "incremental") \(t.state.rawValue)"
        if let r {
            s += ": \(o.t(.added)) \(r.added), \(o.t(.changed)) \(r.changed), \(o.t(.removed)) \(r.removed)"
            s += String(format: ", %.2f s", r.seconds)
        }
        if !t.problems.isEmpty { s += ", \(o.t(.problems)) \(t.problems.count)" }
        if let g = t.generation { s += " → \(g)" }
        return s
    }
}
