import Foundation
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

        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        signal(SIGHUP, SIG_IGN)
        hangup.setEventHandler { [logger] in
            logger.notice("SIGHUP: incremental reindex")
            Systemd.notify("RELOADING=1")
            _ = API.startReindex(engine, full: false)
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

        try? await gracefulShutdown()
        logger.notice("shutting down: finishing in-flight requests")
        Systemd.notify("STOPPING=1")
        watchdog.cancel()
        hangup.cancel()
        await server.shutdown()
        await engine.shutdown()
        if Systemd.listenSocket() == nil { unlink(settings.socket) }
        logger.notice("stopped")
    }
}
