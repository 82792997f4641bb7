import Foundation
import KBCorpus
import Xapian

/// The data directory: numbered index generations and a `current` link to the one served.
///
///     data/
///       lock                       flock: one kbqd per data directory
///       current -> generations/g000002
///       generations/g000001/       a Xapian database (older, removed once unused)
///       generations/g000002/
///       generations/g000003.building/   a full rebuild in progress (removed if interrupted)
///       generations/g000004/shard0/ … shardN/   a generation built in N shards (see `Shards`)
///
/// A full rebuild writes a new generation beside the live one, checks it, then switches
/// `current` with one atomic rename; a crash at any point leaves the last good generation.
public final class IndexStore: Sendable {
    public let dataDir: String
    private let lockFD: Int32

    public struct Generation: Sendable, Equatable, Codable {
        public let name: String
        public let path: String
    }

    public enum StoreError: Error, CustomStringConvertible {
        case locked(String), io(String)
        public var description: String {
            switch self {
            case .locked(let d): "another kbqd is using the data directory \(d)"
            case .io(let m): m
            }
        }
    }

    public init(dataDir: String) throws {
        self.dataDir = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: self.dataDir + "/generations", withIntermediateDirectories: true)
        let fd = open(self.dataDir + "/lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw StoreError.io("cannot open \(self.dataDir)/lock: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError.locked(self.dataDir)
        }
        lockFD = fd
    }

    deinit { close(lockFD) }

    var generationsDir: String { dataDir + "/generations" }
    var currentLink: String { dataDir + "/current" }

    /// The generation `current` points to, if any.
    public var current: Generation? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: currentLink) else { return nil }
        let name = URL(fileURLWithPath: target).lastPathComponent
        return Generation(name: name, path: generationsDir + "/" + name)
    }

    /// Complete generations, oldest first.
    public var generations: [Generation] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: generationsDir)) ?? []
        return names.filter { $0.hasPrefix("g") && !$0.contains(".") }.sorted()
            .map { Generation(name: $0, path: generationsDir + "/" + $0) }
    }

    /// Whether every shard of a generation opens, has kbq's current schema, and passes a
    /// read of its documents.
    public func isUsable(_ g: Generation) -> Bool {
        Shards.folders(of: g.path).allSatisfy { folder in
            guard let db = try? Database(path: folder), (try? db.metadata(Schema.Metadata.schema)) == Schema.version,
                  let count = try? db.documentCount else { return false }
            // Reading the last document touches every table's root: a truncated file fails here.
            if count > 0, let last = try? db.lastDocumentID, (try? db.document(last)) == nil { return false }
            return true
        }
    }

    /// Whether every table of every shard passes Xapian's own check (`xapian-check`): reads
    /// the whole generation, so it runs after a build and in the background after a start,
    /// not on the way to ready.
    public func passesCheck(_ g: Generation) -> Bool {
        Shards.folders(of: g.path).flatMap(Self.databases).allSatisfy { (try? Database.check(path: $0)) == 0 }
    }

    /// The database folders behind a folder: itself, or for a replica kept by
    /// xapian-replicate the copies its `XAPIANDB` stub names (`auto replica_1`), which
    /// Xapian's check wants instead of the stub.
    static func databases(_ folder: String) -> [String] {
        guard let stub = try? String(contentsOfFile: folder + "/XAPIANDB", encoding: .utf8) else { return [folder] }
        return stub.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0] == "auto" ? folder + "/" + parts[1] : nil
        }
    }

    /// Generations up to this size get Xapian's full check before they are served at start
    /// (a fraction of a second); larger ones are checked in the background once serving
    /// (`Reindexer.verifyServing`), so that kbqd is ready in milliseconds whatever the size.
    public static let checkBeforeServingBelow: Int64 = 16 << 20

    func isServable(_ g: Generation) -> Bool {
        isUsable(g) && (Self.size(of: g.path) > Self.checkBeforeServingBelow || passesCheck(g))
    }

    static func size(of folder: String) -> Int64 {
        let fm = FileManager.default
        return (fm.enumerator(atPath: folder)?.allObjects as? [String] ?? []).reduce(0) { total, name in
            total + ((try? fm.attributesOfItem(atPath: folder + "/" + name))?[.size] as? Int64 ?? 0)
        }
    }

    /// How many shards a generation has.
    public func shardCount(_ g: Generation) -> Int { Shards.folders(of: g.path).count }

    /// At start: the generation to serve. `current` if usable; otherwise the newest usable
    /// one (made current); nil when none is, and the caller rebuilds. Leftovers of
    /// interrupted rebuilds are removed.
    public func recover() -> (generation: Generation?, notes: [String]) {
        var notes: [String] = []
        // `.building` and the parts a parallel build writes beside it (`.building.part0`).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: generationsDir)) ?? [] where name.contains(".building") {
            try? FileManager.default.removeItem(atPath: generationsDir + "/" + name)
            notes.append("removed the interrupted rebuild \(name)")
        }
        if let c = current, isServable(c) { return (c, notes) }
        if let c = current { notes.append("current generation \(c.name) is missing or damaged") }
        for g in generations.reversed() where g != current && isServable(g) {
            if (try? activate(g)) != nil {
                notes.append("serving the last good generation \(g.name)")
                return (g, notes)
            }
        }
        return (nil, notes)
    }

    /// Builds a new generation from `corpus` (not yet current).
    public func build(_ corpus: Corpus, indexer: Indexer = Indexer(), shards: Int = 1) throws -> (Generation, IndexReport) {
        let next = (generations.compactMap { Int($0.name.dropFirst()) }.max() ?? 0) + 1
        let name = "g" + String(format: "%06d", next)
        let building = generationsDir + "/" + name + ".building"
        try? FileManager.default.removeItem(atPath: building)
        do {
            let report = try indexer.build(corpus, at: building, shards: shards)
            let g = Generation(name: name, path: generationsDir + "/" + name)
            guard rename(building, g.path) == 0 else { throw StoreError.io("cannot rename \(building): \(String(cString: strerror(errno)))") }
            guard isUsable(g), passesCheck(g) else {
                try? FileManager.default.removeItem(atPath: g.path)
                throw StoreError.io("the new generation \(name) failed its check")
            }
            return (g, report)
        } catch {
            try? FileManager.default.removeItem(atPath: building)
            throw error
        }
    }

    /// Makes `g` current with an atomic rename of a fresh symlink over `current`.
    public func activate(_ g: Generation) throws {
        let tmp = dataDir + "/current.tmp"
        unlink(tmp)
        guard symlink("generations/" + g.name, tmp) == 0, rename(tmp, currentLink) == 0 else {
            throw StoreError.io("cannot switch to generation \(g.name): \(String(cString: strerror(errno)))")
        }
        // The switch must survive a crash: sync the directory entry.
        let dir = open(dataDir, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    /// Removes every generation but `keep`.
    public func removeGenerations(except keep: Generation) {
        for g in generations where g != keep { try? FileManager.default.removeItem(atPath: g.path) }
    }
}
