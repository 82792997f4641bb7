import Foundation
import KBSearch
import KBServer
import Logging
import ServiceLifecycle

/// The running daemon as a service: opens the engine, listens, tells systemd, reindexes
/// on SIGHUP, and on shutdown drains in-flight requests before returning.
final class Daemon: Service {
    let settings: ServerConfig
    let logger: Logger

    init(settings: ServerConfig, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
    }

    func run() async throws {
        // A remote shard that goes away mid-request makes Xapian write to a closed TCP
        // socket; the default SIGPIPE action would end kbqd instead of failing that search.
        signal(SIGPIPE, SIG_IGN)
        // Index files hold the whole corpus: readable by kbqd's group at most, whatever the
        // umask kbqd was started with (the unit sets the same).
        umask(0o027)
        // Each connection is a descriptor: with the usual soft limit of 1024, ~1000 idle
        // clients would leave none for accept(), and newcomers would hang instead of
        // getting 503. Use the hard limit.
        var limit = rlimit()
        let files = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        if getrlimit(files, &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(files, &limit)
        }
        let engine = try Engine(config: settings, logger: logger)
        let server = HTTPServer(router: API.router(engine), config: settings, metrics: engine.metrics, logger: logger)
        if let fd = Systemd.listenSocket() {
            try await server.start(.inherited(fd))
            logger.notice("listening on the socket systemd passed (fd \(fd))")
        } else {
            let mode = mode_t(settings.socketMode, radix: 8) ?? 0o660
            try await server.start(.path(settings.socket, mode: mode))
            logger.notice("listening on \(settings.socket)")
        }
        logger.notice("ready: generation \(engine.pool.generation), corpus \(settings.corpus), data \(settings.data)")
        Systemd.notify("READY=1\nSTATUS=serving generation \(engine.pool.generation)")
        engine.checkServedGenerationInBackground()

        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        signal(SIGHUP, SIG_IGN)
        hangup.setEventHandler { [logger] in
            logger.notice("SIGHUP: incremental reindex")
            Systemd.notify("RELOADING=1")
            if engine.config.isReplica { engine.pool.refresh() } else { _ = API.startReindex(engine, full: false) }
            Systemd.notify("READY=1")
        }
        hangup.resume()

        let watchdog = Task {
            guard let usec = Systemd.watchdogMicroseconds() else { return }
            while !Task.isCancelled {
                // Alive means a search worker answers, not just that the process exists.
                if (try? await engine.withSearcher({ try $0.documentCount })) != nil { Systemd.notify("WATCHDOG=1") }
                try? await Task.sleep(for: .microseconds(Int64(usec / 2)))
            }
        }

        // A replica's index changes under it: xapian-replicate applies changesets in place
        // (a reopen sees them) or installs a new copy and points the folder's XAPIANDB stub
        // at it (searchers must open afresh).
        let replicaRefresh = Task {
            guard settings.isReplica else { return }
            var stubs = ReplicaStubs.read(engine.pool.path)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(settings.replicaRefreshSeconds))
                let now = ReplicaStubs.read(engine.pool.path)
                if now != stubs { engine.pool.reload(); stubs = now } else { engine.pool.refresh() }
            }
        }

        try? await gracefulShutdown()
        logger.notice("shutting down: finishing in-flight requests")
        Systemd.notify("STOPPING=1")
        watchdog.cancel()
        replicaRefresh.cancel()
        hangup.cancel()
        await server.shutdown()
        await engine.shutdown()
        if Systemd.listenSocket() == nil { unlink(settings.socket) }
        logger.notice("stopped")
    }
}

/// The XAPIANDB stub files xapian-replicate keeps in each replicated folder.
enum ReplicaStubs {
    static func read(_ generation: String) -> [String] {
        Shards.folders(of: generation).compactMap {
            try? String(contentsOfFile: $0 + "/XAPIANDB", encoding: .utf8)
        }
    }
}
