import Dispatch
import Foundation
import Xapian
import KBText
import Synchronization

/// One `Searcher` per worker thread, each behind its own lock, all reading the current
/// generation. Xapian handles are not thread-safe, so a searcher is used by one thread at
/// a time; a caller takes a free one, uses it and gives it back.
///
/// After an incremental reindex (`refresh`) each searcher reopens its database before its
/// next search; after a full rebuild (`switchTo`) it opens the new generation. Searches
/// already running finish on what they had.
public final class SearcherPool: Sendable {
    struct Slot {
        var searcher: Searcher?
        /// Kept across generations: loading OpenCC's dictionaries is the slow part.
        var analyzer: Analyzer?
        var generation = ""
        var revision = 0
        var opened = Date.distantPast
        var epoch = 0
    }

    /// A `Mutex` cannot be copied into an array: each lives in a box.
    final class Box: Sendable {
        let slot: Mutex<Slot>
        init() { slot = Mutex(Slot()) }
    }

    struct Current: Sendable { var path: String; var generation: String; var revision: Int; var epoch = 0 }

    private let slots: [Box]
    private let free: Mutex<[Int]>
    private let available: DispatchSemaphore
    private let current: Mutex<Current>
    private let configure: @Sendable (Searcher) -> Void
    public let shards: Shards
    /// A searcher missing a remote shard tries it again after this many seconds.
    static let shardRetrySeconds = 5.0

    public var size: Int { slots.count }

    /// - Parameter configure: applied to every searcher opened (ranking, limits).
    public init(size: Int, path: String, generation: String, shards: Shards = Shards(),
                configure: @escaping @Sendable (Searcher) -> Void = { _ in }) {
        self.shards = shards
        slots = (0..<size).map { _ in Box() }
        free = Mutex(Array(0..<size))
        available = DispatchSemaphore(value: size)
        current = Mutex(Current(path: path, generation: generation, revision: 0))
        self.configure = configure
    }

    /// The generation new searches use, and its folder.
    public var generation: String { current.withLock { $0.generation } }
    public var path: String { current.withLock { $0.path } }

    /// Runs `body` with a searcher on the current index; blocks while all are busy. A remote
    /// shard that fails during the search drops the searcher; with partial results allowed
    /// the search runs once more without that shard, otherwise it fails with `ShardError`.
    public func withSearcher<T: Sendable>(_ body: (Searcher) throws -> T) throws -> T {
        available.wait()
        let i = free.withLock { $0.removeLast() }
        defer {
            free.withLock { $0.append(i) }
            available.signal()
        }
        let target = current.withLock { $0 }
        return try slots[i].slot.withLock { slot throws -> T in
            for attempt in 0..<3 {
                do {
                    let retryShards = slot.searcher.map { !$0.missingShards.isEmpty } == true
                        && Date().timeIntervalSince(slot.opened) > Self.shardRetrySeconds
                    if slot.searcher == nil || slot.generation != target.generation || slot.epoch != target.epoch || retryShards {
                        if slot.analyzer == nil { slot.analyzer = try Analyzer() }
                        slot.searcher = nil
                        let s = try Searcher(path: target.path, analyzer: slot.analyzer!, shards: shards)
                        configure(s)
                        slot.searcher = s
                        slot.generation = target.generation
                        slot.revision = target.revision
                        slot.opened = Date()
                        slot.epoch = target.epoch
                    } else if slot.revision != target.revision {
                        try slot.searcher!.reopen()
                        slot.revision = target.revision
                    }
                    return try body(slot.searcher!)
                } catch let e as XapianError where e.isNetwork {
                    slot.searcher = nil
                    if attempt > 0 || !shards.partialResults { throw ShardError(source: "a remote shard", underlying: "\(e)") }
                } catch let e as XapianError where attempt < 2 && e.className.hasPrefix("Database") {
                    // The files moved under an open handle (a replica installing a new copy
                    // swaps folders): open afresh after a moment.
                    slot.searcher = nil
                    usleep(UInt32(100_000 * (attempt + 1)))
                }
            }
            throw ShardError(source: "a remote shard", underlying: "no answer")
        }
    }

    /// The current generation was updated in place: reopen before the next search.
    public func refresh() { current.withLock { $0.revision += 1 } }

    /// The index was replaced under the same path (a replica's new copy): open afresh.
    public func reload() { current.withLock { $0.epoch += 1 } }

    /// Serve another generation from now on.
    public func switchTo(path: String, generation: String) {
        current.withLock { $0 = Current(path: path, generation: generation, revision: $0.revision + 1) }
    }

    /// Waits for searches still on other generations to finish and closes their handles,
    /// so that those generations can be removed.
    public func release(allBut generation: String) {
        for box in slots {
            box.slot.withLock { s in
                if s.generation != generation {
                    s.searcher = nil
                    s.generation = ""
                }
            }
        }
    }
}
