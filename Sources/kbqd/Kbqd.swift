import ArgumentParser
import Foundation
import KBProtocol
import KBServer
import Logging
import ServiceLifecycle
import TOMLKit

@main
struct Kbqd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kbqd",
        abstract: "kbq's search daemon: HTTP/1.1 + JSON on a Unix socket.",
        discussion: """
        Settings come from flags, then environment (KBQ_CORPUS, KBQ_DATA, KBQ_SOCKET, KBQ_CONFIG), then \
        the TOML file, then defaults. With systemd socket activation (LISTEN_FDS) the socket is fd 3 and \
        --socket is ignored. SIGHUP starts an incremental reindex; SIGTERM or SIGINT stop accepting, \
        finish in-flight requests and exit 0. The TOML keys and limits are listed in docs/protocol.md; \
        running it as a service is docs/install.md.
        """)

    @Option(help: "The corpus folder (Markdown entries, _data/markets.yaml, _data/glossary/).")
    var corpus: String?
    @Option(help: "The data folder for index generations (created if missing).")
    var data: String?
    @Option(help: "The Unix socket to listen on.")
    var socket: String?
    @Option(help: "A TOML configuration file.")
    var config: String?
    @Option(help: "Search worker threads (default: one per core).")
    var workers: Int?
    @Option(name: .customLong("admin-group"), help: "Numeric gid whose members may reindex (besides root and kbqd's user).")
    var adminGroup: UInt32?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var settings = ServerConfig()
        settings.corpus = Paths.defaultCorpus()
        settings.data = Paths.defaultData()
        if let file = config ?? env["KBQ_CONFIG"] {
            do {
                let fromFile = try TOMLDecoder().decode(ServerConfig.self, from: try String(contentsOfFile: file, encoding: .utf8))
                let defaults = settings
                settings = fromFile
                if settings.corpus == ServerConfig().corpus { settings.corpus = defaults.corpus }
                if settings.data == ServerConfig().data { settings.data = defaults.data }
            } catch {
                throw ValidationError("cannot read the configuration \(file): \(error)")
            }
        }
        if let v = corpus ?? env["KBQ_CORPUS"] { settings.corpus = v }
        if let v = data ?? env["KBQ_DATA"] { settings.data = v }
        if let v = socket ?? env["KBQ_SOCKET"] { settings.socket = v }
        if settings.socket.isEmpty { settings.socket = SocketPath.forDaemon() }
        if let v = workers { settings.workers = v }
        if let v = adminGroup { settings.adminGroup = v }

        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown log level \(logLevel)") }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "kbqd")
        let daemon = try Daemon(settings: settings, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: daemon)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Where kbqd finds its corpus and keeps its data when not told: the bundled corpus and
/// `data/` beside the executable's checkout when run from one, else the XDG folders.
enum Paths {
    static func checkout() -> String? {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.path + "/Package.swift"),
               FileManager.default.fileExists(atPath: url.path + "/corpus") { return url.path }
        }
        return nil
    }

    static func defaultCorpus() -> String {
        checkout().map { $0 + "/corpus" } ?? "/var/lib/kbq/corpus"
    }

    static func defaultData() -> String {
        if let c = checkout() { return c + "/data" }
        let env = ProcessInfo.processInfo.environment
        return (env["XDG_STATE_HOME"] ?? (env["HOME"].map { $0 + "/.local/state" } ?? "/var/lib")) + "/kbq"
    }
}
