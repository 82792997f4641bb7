import Foundation
import KBCorpus
import Synchronization

/// The state of one reindex, as `/v1/tasks/{id}` reports it.
public struct ReindexStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case running, succeeded, failed }
    public var id: String
    public var full: Bool
    /// The files named by a reindex of named files (nil: the whole corpus).
    public var paths: [String]?
    public var state: State
    /// loading, analysing, switching (full rebuilds), done; a failed task keeps the phase it failed in.
    public var phase: String
    public var progress: Progress
    public var report: IndexReport?
    public var problems: [String]
    public var error: String?
    public var generation: String?
    public var started: String
    public var finished: String?

    public struct Progress: Codable, Sendable, Equatable {
        public var done: Int
        public var total: Int
    }
}

/// Runs reindexes, one at a time, and keeps their status. A reindex that fails (corpus
/// with too many bad files, disk full, a crash) leaves the serving index untouched.
public final class Reindexer: Sendable {
    public let corpusRoot: String
    public let store: IndexStore
    public let pool: SearcherPool
    /// More files with errors than this fails the reindex instead of dropping them.
    public let maxBadFiles: Int
    /// Shards a build writes. A sharded index is never updated in place: shards commit one
    /// by one, so every reindex builds all shards' next generation and switches them together.
    public let shards: Int
    private let tasks = Mutex<[ReindexStatus]>([])
    private let counter = Atomic<Int>(0)

    public init(corpusRoot: String, store: IndexStore, pool: SearcherPool, maxBadFiles: Int, shards: Int = 1) {
        self.shards = shards
        self.corpusRoot = corpusRoot
        self.store = store
        self.pool = pool
        self.maxBadFiles = maxBadFiles
    }

    /// The task running now, if any.
    public var running: ReindexStatus? { tasks.withLock { $0.last { $0.state == .running } } }
    /// The most recent finished task.
    public var lastFinished: ReindexStatus? { tasks.withLock { $0.last { $0.state != .running } } }
    public func status(_ id: String) -> ReindexStatus? { tasks.withLock { $0.first { $0.id == id } } }

    /// Starts a reindex in the background, or returns the one already running (`false`).
    /// A schema change since the index was built forces a full rebuild.
    /// With `paths`, only those entry files are re-read (see `Indexer.update(paths:)`).
    public func start(full: Bool, paths: [String]? = nil,
                      onFinish: @escaping @Sendable (ReindexStatus) -> Void = { _ in }) -> (ReindexStatus, started: Bool) {
        let (status, existing): (ReindexStatus, ReindexStatus?) = tasks.withLock { list in
            if let r = list.last(where: { $0.state == .running }) { return (r, r) }
            // Numbered inside the lock, so ids have no gaps.
            let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
            let status = ReindexStatus(id: "t\(n)", full: full, paths: full ? nil : paths, state: .running, phase: "loading",
                                       progress: .init(done: 0, total: 0), report: nil, problems: [], error: nil,
                                       generation: nil, started: Self.now(), finished: nil)
            list.append(status)
            if list.count > 50 { list.removeFirst(list.count - 50) }
            return (status, nil)
        }
        if let existing { return (existing, false) }
        Thread.detachNewThread { [self] in
            let final = run(status)
            onFinish(final)
        }
        return (status, true)
    }

    /// Runs a reindex on the calling thread (startup, tests).
    public func runNow(full: Bool) -> ReindexStatus {
        let (status, started) = start(full: full)
        guard started else { return status }
        while let s = self.status(status.id), s.state == .running { usleep(10_000) }
        return self.status(status.id)!
    }

    /// After a start: reads the whole generation being served with Xapian's check (the
    /// quick test on the way to ready reads only a few blocks). A damaged generation is
    /// replaced by the newest older one that passes, or else by a full rebuild; until then
    /// searches that meet the damage answer 503 `index_unavailable`.
    public func verifyServing(log: @Sendable (String) -> Void) {
        guard let current = store.current, !store.passesCheck(current) else { return }
        log("generation \(current.name) fails Xapian's check")
        for g in store.generations.reversed() where g != current && store.isUsable(g) && store.passesCheck(g) {
            if (try? store.activate(g)) != nil {
                pool.switchTo(path: g.path, generation: g.name)
                log("serving the last good generation \(g.name)")
                return
            }
        }
        let (task, _) = start(full: true)
        log("no good generation left: full rebuild \(task.id)")
    }

    private func update(_ id: String, _ change: (inout ReindexStatus) -> Void) {
        tasks.withLock { list in
            if let i = list.firstIndex(where: { $0.id == id }) { change(&list[i]) }
        }
    }

    private func run(_ status: ReindexStatus) -> ReindexStatus {
        let id = status.id
        do {
            if let paths = status.paths, let current = store.current, store.isUsable(current), shards == 1,
               store.shardCount(current) == 1 {
                update(id) { $0.phase = "analysing"; $0.progress.total = paths.count }
                let report = try Indexer().update(paths: paths, loader: CorpusLoader(root: corpusRoot), at: current.path)
                pool.refresh()
                finish(id, report, generation: current.name)
                return self.status(id)!
            }
            let corpus = try CorpusLoader(root: corpusRoot).load()
            let problems = corpus.problems.map(\.description)
            update(id) { $0.problems = problems; $0.progress.total = corpus.entries.count; $0.phase = "analysing" }
            let bad = Set(corpus.errors.map(\.path)).count
            if bad > maxBadFiles {
                throw ReindexError("\(bad) files have errors, more than the limit of \(maxBadFiles): the index is left as it was")
            }
            var indexer = Indexer()
            indexer.progress = { [self] done in update(id) { $0.progress.done = done } }
            let current = store.current
            let needsFull = status.full || current == nil || !store.isUsable(current!) || shards > 1
                || store.shardCount(current!) != shards
            let report: IndexReport
            if needsFull {
                let (generation, r) = try store.build(corpus, indexer: indexer, shards: shards)
                update(id) { $0.phase = "switching" }
                try store.activate(generation)
                pool.switchTo(path: generation.path, generation: generation.name)
                pool.release(allBut: generation.name)
                store.removeGenerations(except: generation)
                report = r
                update(id) { $0.generation = generation.name }
            } else {
                report = try indexer.update(corpus, at: current!.path)
                pool.refresh()
                update(id) { $0.generation = current!.name }
            }
            finish(id, report, generation: nil)
        } catch {
            update(id) { $0.state = .failed; $0.error = "\(error)"; $0.finished = Self.now() }
        }
        return self.status(id)!
    }

    private func finish(_ id: String, _ report: IndexReport, generation: String?) {
        update(id) {
            $0.state = .succeeded; $0.phase = "done"; $0.report = report
            $0.problems = report.problems.map(\.description)
            if let generation { $0.generation = generation }
            $0.progress.done = $0.progress.total; $0.finished = Self.now()
        }
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}

public struct ReindexError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
