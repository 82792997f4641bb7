import Foundation
import Testing

/// The repository root and the binaries `swift build` put beside the test bundle.
enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().path
    static var kbqd: String { binaries + "/kbqd" }
    static var kbq: String { binaries + "/kbq" }
    static var corpus: String { root + "/corpus" }
}

/// The result of running a program.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:] }
}

/// Runs a program to its end with optional stdin and environment additions.
@discardableResult
func run(_ path: String, _ args: [String], env: [String: String] = [:], stdin: String? = nil) throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    p.environment = e
    // Output goes to files, not pipes: a daemon started meanwhile (socket activation
    // execs one on the first connection) could inherit a pipe's write end and keep a
    // reader waiting for an end of file that never comes.
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-run-\(UUID().uuidString)").path
    _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
    _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
    defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
    let out = FileHandle(forWritingAtPath: base + ".out")!, err = FileHandle(forWritingAtPath: base + ".err")!
    let input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    try p.run()
    try? out.close()
    try? err.close()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    p.waitUntilExit()
    let o = FileManager.default.contents(atPath: base + ".out") ?? Data()
    let r = FileManager.default.contents(atPath: base + ".err") ?? Data()
    return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: r, as: UTF8.self))
}

/// `curl --unix-socket`: returns (HTTP status, body).
/// With `asUser`, curl runs as nobody, in the supplementary `groups` given (none by default).
func curl(_ socket: String, _ path: String, method: String = "GET", body: String? = nil, asUser: Bool = false,
          groups: [UInt32] = []) throws -> (Int, String) {
    var args = ["-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket", socket, "-X", method, "http://localhost" + path]
    if let body { args += ["-H", "Content-Type: application/json", "--data-binary", body] }
    let groupArgs = groups.isEmpty ? ["--clear-groups"] : ["--groups=" + groups.map(String.init).joined(separator: ",")]
    let r = asUser
        ? try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534"] + groupArgs + ["/usr/bin/curl"] + args)
        : try run("/usr/bin/curl", args)
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
}

func json(_ s: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any] ?? [:] }

/// A kbqd started on a temporary socket and data folder, stopped with SIGTERM.
final class Daemon {
    let dir: String
    let socket: String
    let data: String
    let corpus: String
    let process = Process()
    let log: String

    /// Starts kbqd and waits until it answers /v1/ready.
    init(corpus: String = Paths.corpus, data: String? = nil, config: String? = nil, extra: [String] = []) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-it-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o755)
        socket = dir + "/kbq.sock"
        self.data = data ?? dir + "/data"
        self.corpus = corpus
        log = dir + "/kbqd.log"
        var args = ["--corpus", corpus, "--data", self.data, "--socket", socket] + extra
        if let config {
            try config.write(toFile: dir + "/kbqd.toml", atomically: true, encoding: .utf8)
            args += ["--config", dir + "/kbqd.toml"]
        }
        try start(args)
    }

    private func start(_ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Paths.kbqd)
        process.arguments = args
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)!
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        try waitReady()
    }

    func waitReady(timeout: TimeInterval = 120) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if process.isRunning == false { throw DaemonError("kbqd exited: \(logText)") }
            if FileManager.default.fileExists(atPath: socket), (try? curl(socket, "/v1/ready"))?.0 == 200 { return }
            usleep(50_000)
        }
        throw DaemonError("kbqd did not become ready: \(logText)")
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    func kbq(_ args: [String], env: [String: String] = [:], stdin: String? = nil) throws -> Run {
        try run(Paths.kbq, args, env: ["KBQ_SOCKET": socket, "NO_COLOR": "", "LANG": "C.UTF-8", "LC_ALL": ""].merging(env) { $1 }, stdin: stdin)
    }

    func get(_ path: String) throws -> (Int, [String: Any]) {
        let (status, body) = try curl(socket, path)
        return (status, json(body))
    }

    func post(_ path: String, _ body: String) throws -> (Int, [String: Any]) {
        let (status, b) = try curl(socket, path, method: "POST", body: body)
        return (status, json(b))
    }

    /// Waits for a reindex task to finish and returns its final status.
    func waitTask(_ id: String) throws -> [String: Any] {
        for _ in 0..<1200 {
            let (_, t) = try get("/v1/tasks/\(id)")
            if t["state"] as? String != "running" { return t }
            usleep(50_000)
        }
        throw DaemonError("task \(id) did not finish")
    }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

struct DaemonError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A copy of the bundled corpus in a temporary folder, to edit freely.
func copyCorpus() throws -> String {
    let dest = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-corpus-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.copyItem(atPath: Paths.corpus, toPath: dest)
    return dest
}

/// A corpus of `count` generated entries (plus the bundled markets and glossary): large
/// enough that a full rebuild takes long enough to interrupt.
func syntheticCorpus(count: Int) throws -> String {
    let dest = try copyCorpus()
    let words = ["refund", "parcel", "customs", "delay", "warranty", "voltage", "plug", "return", "invoice", "size",
                 "Rückerstattung", "Zoll", "devolución", "退款", "运费", "关税", "返金", "환불"]
    try FileManager.default.createDirectory(atPath: dest + "/synthetic", withIntermediateDirectories: true)
    for i in 0..<count {
        var body = ""
        for j in 0..<80 { body += words[(i * 7 + j * 3) % words.count] + (j % 9 == 8 ? ".\n" : " ") }
        let text = "---\nid: syn-\(i)\nkind: case\nlang: en\ntitle: Synthetic case \(i)\nmarkets: [DE]\n---\n\(body)\n"
        try text.write(toFile: dest + "/synthetic/syn-\(i).md", atomically: false, encoding: .utf8)
    }
    return dest
}
