import Foundation
import Xapian

/// How an index is split and where its parts are searched.
///
/// A generation built with `count` > 1 holds one Xapian database per shard
/// (`gNNNNNN/shard0`, `shard1`, …); an entry lives on shard `Shards.index(of: id)`. A search
/// opens them all as one Xapian database, so BM25 statistics stay global. Any shard may be
/// searched through `xapian-tcpsrv` instead of its local folder (`remote`): the shard
/// server serves that shard's folder (replicated to its machine, or on loopback the same
/// folder). Shard 0 is always local: it carries the spelling table of every entry (remote
/// databases answer no spelling or synonym queries) and the glossary and markets.
public struct Shards: Sendable, Equatable {
    public struct Remote: Sendable, Equatable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) { self.host = host; self.port = port }

        /// `host:port`, as written in the configuration.
        public init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (1...65_535).contains(port), colon > text.startIndex else { return nil }
            host = String(text[..<colon])
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    /// Shards a build writes.
    public var count = 1
    /// Shards searched through a shard server instead of their local folder, by number.
    public var remote: [Int: Remote] = [:]
    /// A remote shard that does not answer within this fails the search (or is left out).
    public var timeoutMs = 2_000
    /// With a remote shard down: answer from the others, flagged `partial` (true), or
    /// refuse with 503 `shard_unavailable` (false).
    public var partialResults = false

    public init(count: Int = 1, remote: [Int: Remote] = [:], timeoutMs: Int = 2_000, partialResults: Bool = false) {
        self.count = count; self.remote = remote; self.timeoutMs = timeoutMs; self.partialResults = partialResults
    }

    /// The shard of an entry: FNV-1a of its id, so the placement never changes between
    /// builds, machines or Swift versions (Swift's own hashing is seeded per process).
    public static func index(of id: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return Int(h % UInt64(count))
    }

    /// The folders of a generation's shards: the generation itself when it has one shard.
    public static func folders(of generation: String) -> [String] {
        var out: [String] = []
        while FileManager.default.fileExists(atPath: "\(generation)/shard\(out.count)") { out.append("\(generation)/shard\(out.count)") }
        return out.isEmpty ? [generation] : out
    }

    /// Where each shard of `generation` is searched: its folder, or its shard server.
    /// A search machine needs no folder for a shard it searches remotely.
    public func sources(of generation: String) -> [Source] {
        let folders = Self.folders(of: generation)
        return (0..<max(folders.count, count)).map { i in
            if i > 0, let r = remote[i] { return .remote(i, r) }
            return .local(i, i < folders.count ? folders[i] : "\(generation)/shard\(i)")
        }
    }

    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case local(Int, String)
        case remote(Int, Remote)

        public var shard: Int {
            switch self { case .local(let i, _), .remote(let i, _): i }
        }
        public var description: String {
            switch self {
            case .local(let i, let path): "shard \(i) (\(path))"
            case .remote(let i, let r): "shard \(i) (tcp \(r.description))"
            }
        }

        func open(timeoutMs: Int) throws -> Database {
            switch self {
            case .local(_, let path): try Database(path: path)
            case .remote(_, let r): try Database(remoteHost: r.host, port: r.port, timeoutMs: timeoutMs, connectTimeoutMs: timeoutMs)
            }
        }
    }

    /// Opens `sources` as one database. A remote shard that fails is left out when
    /// `partialResults` allows it (returned in `missing`), and fails the open otherwise.
    func open(_ sources: [Source]) throws -> (Database, missing: [String]) {
        if sources.count == 1, case .local(_, let path) = sources[0] { return (try Database(path: path), []) }
        let all = Database()
        var missing: [String] = []
        for source in sources {
            do {
                try all.add(try source.open(timeoutMs: timeoutMs))
            } catch let e as XapianError where partialResults && source.shard > 0 {
                missing.append("\(source): \(e)")
            } catch {
                throw ShardError(source: source.description, underlying: "\(error)")
            }
        }
        return (all, missing)
    }
}

extension Shards {
    /// One shard as `/v1/status` reports it.
    public struct Health: Codable, Sendable, Equatable {
        public var shard: Int
        public var source: String
        public var ok: Bool
        public var documents: Int?
        public var error: String?
    }

    /// Opens each shard of `generation` on its own (remote ones within the timeout).
    public func health(of generation: String) -> [Health] {
        sources(of: generation).map { source in
            let location: String = switch source {
            case .local(_, let path): path
            case .remote(_, let r): "tcp " + r.description
            }
            do {
                let db = try source.open(timeoutMs: timeoutMs)
                return Health(shard: source.shard, source: location, ok: true, documents: try db.documentCount, error: nil)
            } catch {
                return Health(shard: source.shard, source: location, ok: false, documents: nil, error: "\(error)")
            }
        }
    }
}

/// A shard could not be searched.
public struct ShardError: Error, CustomStringConvertible {
    public let source: String
    public let underlying: String
    public var description: String { "\(source) is unavailable: \(underlying)" }
}
