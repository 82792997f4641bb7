import Foundation
import KBCorpus
import KBSearch
import Xapian
import Logging
import NIOPosix
import Synchronization

/// The daemon's state: the index store, the searcher pool, the reindexer, the thread pool
/// searches run on, metrics. Handlers get it; none of it knows about sockets.
public final class Engine: Sendable {
    public let config: ServerConfig
    public let store: IndexStore
    public let pool: SearcherPool
    public let reindexer: Reindexer
    public let metrics = Metrics()
    public let threadPool: NIOThreadPool
    public let startedAt = Date()
    let queued = Atomic<Int>(0)
    let logger: Logger

    /// Opens the data directory and serves its last good generation, building one from
    /// the corpus when there is none. Throws when the data directory is held by another
    /// kbqd or the first build fails.
    public init(config: ServerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        store = try IndexStore(dataDir: config.data)
        let (found, notes) = store.recover()
        for n in notes { logger.notice("\(n)") }
        let generation: IndexStore.Generation
        if let found {
            generation = found
        } else if config.isReplica {
            throw IndexStore.StoreError.io("no usable replicated index in \(config.data) yet: run xapian-replicate first (docs/capacity.md)")
        } else {
            logger.notice("no usable index: building one from \(config.corpus)")
            let corpus = try CorpusLoader(root: config.corpus).load()
            for p in corpus.problems { logger.warning("corpus: \(p)") }
            let (g, report) = try store.build(corpus, shards: config.shards.count)
            try store.activate(g)
            store.removeGenerations(except: g)
            logger.notice("built generation \(g.name): \(report.documents) entries in \(String(format: "%.1f", report.seconds)) s")
            generation = g
        }
        let workers = config.workers > 0 ? config.workers : ProcessInfo.processInfo.activeProcessorCount
        let budget = Double(config.queryTimeBudgetMs) / 1000, stale = config.staleDays
        let window = config.maxWindow, expansion = UInt32(config.maxWildcardExpansion)
        pool = SearcherPool(size: workers, path: generation.path, generation: generation.name, shards: config.shards) { s in
            s.timeBudget = budget
            s.staleDays = stale
            s.maxWindow = window
            s.maxWildcardExpansion = expansion
        }
        reindexer = Reindexer(corpusRoot: config.corpus, store: store, pool: pool, maxBadFiles: config.maxBadFiles,
                              shards: config.shards.count)
        threadPool = NIOThreadPool(numberOfThreads: workers)
        threadPool.start()
        // A remote shard that is down must not stop kbqd: searches say so until it is back.
        do {
            metrics.documents.set(Double(try pool.withSearcher { try $0.documentCount }))
        } catch let e as ShardError {
            logger.warning("\(e)")
        }
    }

    /// Xapian's full check of the served generation (large ones were not checked before
    /// serving), on a thread of its own: called once kbqd is ready, so that it does not
    /// compete with the start.
    public func checkServedGenerationInBackground() {
        guard !config.isReplica else { return }
        Thread.detachNewThread { [reindexer, logger] in reindexer.verifyServing { logger.error("\($0)") } }
    }

    /// Runs `body` with a searcher on a worker thread, off the event loops. Refuses with
    /// 503 when too many searches are already waiting.
    public func withSearcher<T: Sendable>(_ body: @escaping @Sendable (Searcher) throws -> T) async throws -> T {
        let waiting = queued.wrappingAdd(1, ordering: .relaxed).newValue
        defer { queued.wrappingSubtract(1, ordering: .relaxed) }
        guard waiting <= config.maxQueuedSearches else {
            metrics.rejected.increment()
            throw APIError(.serviceUnavailable, "overloaded", "too many searches waiting (\(waiting)); retry shortly")
        }
        do {
            return try await threadPool.runIfActive { [pool] in try pool.withSearcher(body) }
        } catch let e as ShardError {
            throw APIError(.serviceUnavailable, "shard_unavailable", e.description + " (partial_results = false)")
        } catch let e as XapianError where e.className.hasPrefix("Database") && !e.isDatabaseModified {
            throw APIError(.serviceUnavailable, "index_unavailable", "the index cannot be read right now (\(e)); retry shortly")
        }
    }

    public func shutdown() async {
        try? await threadPool.shutdownGracefully()
    }
}
