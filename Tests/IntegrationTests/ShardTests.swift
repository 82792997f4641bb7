import Foundation
import Testing

/// Sharded search on loopback: kbqd builds three shards, two of them are searched through
/// xapian-tcpsrv, and the judged query set gets the answers one combined index gives.
@Suite(.serialized) struct ShardTests {
    @Test func twoRemoteShardsAndALocalOneAnswerLikeOneIndex() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-shards-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // First start builds the three shards; the shard servers then serve two of them.
        var sharded = try Daemon(data: root + "/data", config: "shards = 3\n")
        let (_, built) = try sharded.get("/v1/status")
        #expect((built["shards"] as? [[String: Any]])?.count == 3)
        sharded.stop()
        let servers = try (1...2).map { try TCPServer(shard: root + "/data/current/shard\($0)") }
        defer { servers.forEach { $0.stop() } }
        let remote = "[remote_shards]\n1 = \"127.0.0.1:\(servers[0].port)\"\n2 = \"127.0.0.1:\(servers[1].port)\"\n"
        sharded = try Daemon(data: root + "/data", config: "shards = 3\nshard_timeout_ms = 1000\n" + remote)
        let combined = try Daemon()

        let (_, status) = try sharded.get("/v1/status")
        let shards = status["shards"] as? [[String: Any]] ?? []
        #expect(shards.map { $0["ok"] as? Bool } == [true, true, true])
        #expect((shards.last?["source"] as? String)?.hasPrefix("tcp 127.0.0.1:") == true)
        #expect(status["documents"] as? Int == (try combined.get("/v1/status")).1["documents"] as? Int)

        var compared = 0
        for body in try judgedQueries() {
            let a = try sharded.post("/v1/search", body), b = try combined.post("/v1/search", body)
            #expect(a.0 == 200 && b.0 == 200)
            #expect(hits(a.1) == hits(b.1), "\(body)")
            #expect((a.1["query"] as? [String: Any])?["corrections"] as? [[String: String]]
                    == (b.1["query"] as? [String: Any])?["corrections"] as? [[String: String]], "spelling comes from shard 0")
            compared += 1
        }
        #expect(compared >= 100)

        // A shard server that stops answering: a clear 503 within the timeout, never a hang;
        // status names the shard. Back again, searches are whole again.
        servers[1].signal(SIGSTOP)
        let (code, err) = try sharded.post("/v1/search", #"{"q": "refund"}"#)
        #expect(code == 503 && (err["error"] as? [String: Any])?["code"] as? String == "shard_unavailable")
        let (_, down) = try sharded.get("/v1/status")
        #expect((down["shards"] as? [[String: Any]])?.map { $0["ok"] as? Bool } == [true, true, false])
        servers[1].signal(SIGCONT)
        #expect(try sharded.post("/v1/search", #"{"q": "refund"}"#).0 == 200)

        // With partial results allowed, a dead shard is left out and named in the answer.
        servers[1].stop()
        #expect(try sharded.post("/v1/search", #"{"q": "refund"}"#).0 == 503)
        sharded.stop()
        sharded = try Daemon(data: root + "/data", config: "shards = 3\nshard_timeout_ms = 1000\npartial_results = true\n" + remote)
        let (ok, partial) = try sharded.post("/v1/search", #"{"q": "refund", "facets": false}"#)
        #expect(ok == 200)
        #expect((partial["missing_shards"] as? [String])?.first?.hasPrefix("shard 2 (tcp 127.0.0.1:") == true)
        #expect((partial["results"] as? [[String: Any]])?.isEmpty == false)
    }

    @Test func aReadReplicaAnswersLikeItsPrimary() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-replica-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let corpus = try copyCorpus()
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let primary = try Daemon(corpus: corpus, data: root + "/primary")
        let server = try TCPServer("/usr/bin/xapian-replicate-server", ["-I", "127.0.0.1", "-p", "{port}", root + "/primary"])
        defer { server.stop() }
        let replicaGeneration = root + "/replica/generations/g000001"
        func replicate() throws {
            let r = try run("/usr/bin/xapian-replicate", ["-h", "127.0.0.1", "-p", "\(server.port)", "-m", "current", "-o", "-q", replicaGeneration])
            #expect(r.status == 0, "\(r.stderr)")
        }
        try FileManager.default.createDirectory(atPath: root + "/replica/generations", withIntermediateDirectories: true)
        try replicate()
        try FileManager.default.createSymbolicLink(atPath: root + "/replica/current", withDestinationPath: "generations/g000001")
        let replica = try Daemon(corpus: corpus, data: root + "/replica", config: "replica_refresh_seconds = 1\n")

        for body in try judgedQueries() {
            #expect(hits(try replica.post("/v1/search", body).1) == hits(try primary.post("/v1/search", body).1), "\(body)")
        }
        let (code, err) = try replica.post("/v1/reindex", "{}")
        #expect(code == 409 && (err["error"] as? [String: Any])?["code"] as? String == "read_only_replica")

        // The primary rebuilds after an edit; one replication later the replica shows it.
        let file = corpus + "/policy/en/pol-gb-consumer-contracts-cancellation.md"
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\ntitle: \"", with: "\ntitle: \"Replicated ")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let (_, t) = try primary.post("/v1/reindex", #"{"full": true}"#)
        #expect(try primary.waitTask(t["id"] as! String)["state"] as? String == "succeeded")
        try replicate()
        var title = ""
        for _ in 0..<100 where !title.hasPrefix("Replicated ") {
            usleep(100_000)
            title = (try replica.get("/v1/entries/pol-gb-consumer-contracts-cancellation").1["entry"] as? [String: Any])?["title"] as? String ?? ""
        }
        #expect(title.hasPrefix("Replicated "))
    }

    /// The judged queries as /v1/search bodies (their scenario fields, ten hits, no facets).
    func judgedQueries() throws -> [String] {
        let text = try String(contentsOfFile: Paths.root + "/Benchmarks/judged/queries.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            var q = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            for key in ["qid", "note", "relevant"] { q[key] = nil }
            q = q.filter { !($0.value is NSNull) }
            q["limit"] = 10
            q["facets"] = false
            return String(decoding: try JSONSerialization.data(withJSONObject: q), as: UTF8.self)
        }
    }

    func hits(_ response: [String: Any]) -> [String] {
        (response["results"] as? [[String: Any]] ?? []).map { "\($0["id"] ?? "?") \($0["score"] ?? "?")" }
    }
}

/// A Xapian server (xapian-tcpsrv, xapian-replicate-server) on a loopback port. Foundation's
/// `Process` starts it in a process group of its own, which matters: these servers fork a
/// child per connection and on SIGTERM signal their whole group, which must not be ours.
final class TCPServer {
    let process = Process()
    let port: Int

    /// `{port}` in `arguments` is replaced by the port chosen.
    init(_ executable: String, _ arguments: [String]) throws {
        port = Int.random(in: 20_000...40_000)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments.map { $0 == "{port}" ? "\(port)" : $0 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            guard process.isRunning else { throw DaemonError("\(executable) on port \(port) exited") }
            if Self.accepts(port) { return }
            usleep(20_000)
        }
        throw DaemonError("\(executable) on port \(port) did not start")
    }

    /// xapian-tcpsrv serving one shard folder.
    convenience init(shard folder: String) throws {
        try self.init("/usr/bin/xapian-tcpsrv", ["--quiet", "--interface", "127.0.0.1", "--port", "{port}", folder])
    }

    func signal(_ sig: Int32) {
        precondition(getpgid(process.processIdentifier) == process.processIdentifier, "xapian-tcpsrv leads its own group")
        kill(-process.processIdentifier, sig)
    }

    func stop() {
        guard process.isRunning else { return }
        signal(SIGCONT)
        signal(SIGKILL)
        process.waitUntilExit()
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
