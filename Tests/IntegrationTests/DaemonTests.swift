import Foundation
import Testing

/// kbqd end to end: the real daemon on a temporary socket, curl as the client.
@Suite(.serialized) struct DaemonTests {
    @Test func everyEndpointAnswers() throws {
        let d = try Daemon()
        #expect(try d.get("/v1/health").0 == 200)
        let (rs, ready) = try d.get("/v1/ready")
        #expect(rs == 200 && ready["ready"] as? Bool == true)

        let (gs, g) = try d.get("/v1/search?q=%E9%80%80%E8%B4%A7%20%E8%BF%90%E8%B4%B9&market=DE&limit=3")
        #expect(gs == 200)
        let results = g["results"] as? [[String: Any]] ?? []
        #expect(results.count == 3)
        // Every hit applies to Germany: it names DE, a region containing DE, or GLOBAL.
        #expect(results.allSatisfy { !Set($0["markets"] as? [String] ?? []).isDisjoint(with: ["DE", "EU", "EEA", "EUROPE", "GLOBAL"]) })
        #expect((results.first?["snippet"] as? String)?.contains("<mark>") == true)
        #expect((g["facets"] as? [String: Any])?["kind"] != nil)
        #expect((g["query"] as? [String: Any])?["language"] as? String == "zh")

        let (ps, p) = try d.post("/v1/search", #"{"q": "Rückerstattung", "kinds": ["phrasing"], "limit": 2, "reply_lang": "ja"}"#)
        #expect(ps == 200)
        let hits = p["results"] as? [[String: Any]] ?? []
        #expect(!hits.isEmpty && hits.allSatisfy { $0["kind"] as? String == "phrasing" })

        let (es, e) = try d.get("/v1/entries/phr-refund-confirmation-de")
        #expect(es == 200)
        #expect((e["entry"] as? [String: Any])?["lang"] as? String == "de")
        #expect((e["translations"] as? [[String: Any]])?.contains { $0["lang"] as? String == "zh-Hans" } == true)
        #expect((e["placeholders"] as? [String])?.contains("customer_name") == true)

        let (fs, filled) = try d.post("/v1/render", #"{"id": "phr-refund-confirmation-en", "values": {"customer_name": "Ana", "order_id": "A1", "refund_amount": "EUR 5", "days": "3", "agent_name": "Li"}}"#)
        #expect(fs == 200)
        #expect((filled["text"] as? String)?.contains("Ana") == true && (filled["text"] as? String)?.contains("{{") == false)

        let (ss, status) = try d.get("/v1/status")
        #expect(ss == 200 && status["documents"] as? Int ?? 0 > 600)
        #expect(((status["counts"] as? [String: Any])?["kind"] as? [String: Int])?["policy"] ?? 0 > 30)

        let (ts, task) = try d.post("/v1/reindex", "{}")
        #expect(ts == 202)
        let done = try d.waitTask(task["id"] as! String)
        #expect(done["state"] as? String == "succeeded")
        #expect((done["report"] as? [String: Any])?["unchanged"] as? Int ?? 0 > 600)

        let (ms, metrics) = try curl(d.socket, "/metrics")
        #expect(ms == 200 && metrics.contains("kbq_searches_total") && metrics.contains("kbq_search_duration_seconds_bucket"))
        #expect(d.stop() == 0)
    }

    @Test func everyErrorClassHasItsStatusAndCode() throws {
        let d = try Daemon(config: "max_body_bytes = 2048\n")
        func expectError(_ r: (Int, String), _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(r.0 == status, sourceLocation: sourceLocation)
            #expect((json(r.1)["error"] as? [String: Any])?["code"] as? String == code, "\(r.1)", sourceLocation: sourceLocation)
        }
        expectError(try curl(d.socket, "/v1/search?q=x&limit=0"), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/search?q=x&limit=abc"), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/search?q=x&offset=990&limit=50"), 400, "bad_parameter")
        // Found by fuzzing: numbers so large that adding to them overflowed and stopped kbqd.
        expectError(try curl(d.socket, "/v1/search?q=x&offset=9223372036854775807"), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/search", method: "POST", body: #"{"q": "x", "offset": 9223372036854775807, "limit": 10}"#), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/stale?older_than_days=9223372036854775807"), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/stale?older_than_days=100001"), 400, "bad_parameter")
        #expect(try curl(d.socket, "/v1/stale?older_than_days=100000").0 == 200)
        expectError(try curl(d.socket, "/v1/search?q=x&market=XX"), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/search?q=x&kinds=recipe"), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/search?q=x&bogus=1"), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/search?q=" + String(repeating: "a", count: 5000)), 400, "query_too_long")
        expectError(try curl(d.socket, "/v1/search", method: "POST", body: "{not json"), 400, "bad_json")
        expectError(try curl(d.socket, "/v1/search", method: "POST", body: #"{"q": 5}"#), 400, "bad_parameter")
        expectError(try curl(d.socket, "/v1/entries/no-such-entry"), 404, "unknown_entry")
        expectError(try curl(d.socket, "/v1/tasks/t999"), 404, "unknown_task")
        expectError(try curl(d.socket, "/v1/nowhere"), 404, "not_found")
        expectError(try curl(d.socket, "/v1/search", method: "DELETE"), 405, "method_not_allowed")
        expectError(try curl(d.socket, "/v1/search", method: "POST", body: #"{"q": ""#.padding(toLength: 4000, withPad: "x", startingAt: 0) + "\"}"), 413, "too_large")
        expectError(try curl(d.socket, "/v1/render", method: "POST", body: #"{"id": "phr-refund-confirmation-de", "values": {}}"#), 422, "unfilled_placeholders")
        // Pathological queries are answered, not failed.
        for q in ["*", "***", "a*", "\"", "-", "market:", "((((", String(repeating: "退款 ", count: 300)] {
            let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try curl(d.socket, "/v1/search?q=\(encoded)").0 == 200, "\(q.prefix(20))")
        }
        #expect(d.stop() == 0)
    }

    @Test func onlyAdminsMayReindex() throws {
        // Mode 0666 so that another user can connect at all; the admin check is what refuses.
        let d = try Daemon(config: "socket_mode = \"0666\"\n")
        let (searchStatus, _) = try curl(d.socket, "/v1/search?q=refund", asUser: true)
        #expect(searchStatus == 200, "anyone who can connect may search")
        let (status, body) = try curl(d.socket, "/v1/reindex", method: "POST", body: "{}", asUser: true)
        #expect(status == 403)
        #expect((json(body)["error"] as? [String: Any])?["code"] as? String == "forbidden")
        #expect(try curl(d.socket, "/v1/reindex", method: "POST", body: "{}").0 == 202, "root may")
    }

    /// A member of `admin_group` through a supplementary group may reindex (kbqd reads the
    /// groups with SO_PEERGROUPS at connect time); the same user in other groups may not.
    @Test func supplementaryMembersOfTheAdminGroupMayReindex() throws {
        let d = try Daemon(config: "socket_mode = \"0666\"\nadmin_group = 4242\n")
        #expect(try curl(d.socket, "/v1/reindex", method: "POST", body: "{}", asUser: true, groups: [4243, 4244]).0 == 403)
        #expect(try curl(d.socket, "/v1/reindex", method: "POST", body: "{}", asUser: true, groups: [4243, 4242]).0 == 202)
    }

    @Test func reindexWhileEightClientsSearch() throws {
        let corpus = try copyCorpus()
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let d = try Daemon(corpus: corpus)
        let (_, before) = try d.get("/v1/status")
        let generation = before["generation"] as! String
        // 8 curl loops in the background, each recording every HTTP status it got.
        let script = """
        for c in 1 2 3 4 5 6 7 8; do
          ( for i in $(seq 1 60); do
              curl -s -o /dev/null -w '%{http_code}\\n' --unix-socket \(d.socket) 'http://localhost/v1/search?q=refund%20%E9%80%80%E6%AC%BE&limit=5'
            done > \(d.dir)/client$c.txt ) &
        done
        wait
        """
        let clients = Process()
        clients.executableURL = URL(fileURLWithPath: "/bin/bash")
        clients.arguments = ["-c", script]
        try clients.run()
        // Meanwhile: an incremental reindex after an edit, then a full rebuild.
        try "---\nid: it-new-entry\nkind: case\nlang: en\ntitle: Added during load\n---\nrefund added\n"
            .write(toFile: corpus + "/case/en/it-new-entry.md", atomically: true, encoding: .utf8)
        let (_, t1) = try d.post("/v1/reindex", "{}")
        #expect(try d.waitTask(t1["id"] as! String)["state"] as? String == "succeeded")
        let (_, t2) = try d.post("/v1/reindex", #"{"full": true}"#)
        let full = try d.waitTask(t2["id"] as! String)
        #expect(full["state"] as? String == "succeeded")
        clients.waitUntilExit()
        var statuses: [String] = []
        for c in 1...8 { statuses += try String(contentsOfFile: d.dir + "/client\(c).txt", encoding: .utf8).split(separator: "\n").map(String.init) }
        #expect(statuses.count == 480)
        #expect(statuses.allSatisfy { $0 == "200" }, "failed queries: \(statuses.filter { $0 != "200" })")
        let (_, after) = try d.get("/v1/status")
        #expect(after["generation"] as? String != generation, "the full rebuild switched generations")
        #expect(try d.get("/v1/entries/it-new-entry").0 == 200)
        let gens = try FileManager.default.contentsOfDirectory(atPath: d.data + "/generations")
        #expect(gens == [after["generation"] as! String], "old generations are removed once unused")
    }

    @Test func killDuringFullRebuildKeepsTheOldGeneration() throws {
        let corpus = try syntheticCorpus(count: 6_000)
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let d = try Daemon(corpus: corpus)
        let (_, before) = try d.get("/v1/status")
        let old = before["generation"] as! String
        let (_, t) = try d.post("/v1/reindex", #"{"full": true}"#)
        // Wait until the rebuild has written part of the new generation, then kill -9.
        for _ in 0..<600 {
            let (_, s) = try d.get("/v1/tasks/\(t["id"] as! String)")
            if (s["progress"] as? [String: Any])?["done"] as? Int ?? 0 > 0 || s["state"] as? String != "running" { break }
            usleep(20_000)
        }
        d.kill9()
        let restarted = try Daemon(corpus: corpus, data: d.data)
        let (_, after) = try restarted.get("/v1/status")
        #expect(after["generation"] as? String == old, "the last good generation is served")
        #expect(after["documents"] as? Int == before["documents"] as? Int)
        // Nothing of the interrupted build is left, its parallel parts included (found by
        // the kill -9 trials: `g000002.building.part0` stayed behind).
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: d.data + "/generations").filter { $0 != old }
        #expect(leftovers.isEmpty, "\(leftovers)")
        let check = try run("/usr/bin/xapian-check", [d.data + "/generations/" + old])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("No errors found"))
        #expect(restarted.stop() == 0)
    }

    @Test func brokenCurrentGenerationFallsBackOrRebuilds() throws {
        let d = try Daemon()
        let (_, s) = try d.get("/v1/status")
        let g = s["generation"] as! String
        #expect(d.stop() == 0)
        // Damage the current generation: kbqd must rebuild rather than serve it.
        let dir = d.data + "/generations/" + g
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) where f.hasSuffix(".glass") {
            try Data(repeating: 0xFF, count: 64).write(to: URL(fileURLWithPath: dir + "/" + f))
        }
        let again = try Daemon(data: d.data)
        let (status, after) = try again.get("/v1/status")
        #expect(status == 200)
        #expect(after["generation"] as? String != g)
        #expect(after["documents"] as? Int == s["documents"] as? Int)
    }

    /// Found by fault injection: damage in the middle of a table passed the quick check at
    /// start and was served. Xapian's full check (before serving, for an index this small)
    /// finds it and a rebuild replaces the generation.
    @Test func damageInsideATableIsFoundAtStart() throws {
        let d = try Daemon()
        let g = try d.get("/v1/status").1["generation"] as! String
        #expect(d.stop() == 0)
        let postlist = URL(fileURLWithPath: d.data + "/generations/" + g + "/postlist.glass")
        var bytes = try Data(contentsOf: postlist)
        let block = bytes.count / 8192 / 2 * 8192
        bytes.replaceSubrange(block..<(block + 8192), with: Data(repeating: 0x5A, count: 8192))
        try bytes.write(to: postlist)
        #expect(try run("/usr/bin/xapian-check", [d.data + "/generations/" + g]).status != 0, "the damage is real")

        let again = try Daemon(data: d.data)
        var now = g
        for _ in 0..<600 where now == g {
            usleep(100_000)
            now = try again.get("/v1/status").1["generation"] as? String ?? g
        }
        #expect(now != g)
        #expect(again.logText.contains("current generation \(g) is missing or damaged"))
        #expect(try run("/usr/bin/xapian-check", [d.data + "/generations/" + now]).status == 0)
        #expect(try again.post("/v1/search", #"{"q": "refund"}"#).0 == 200)
    }

    @Test func secondDaemonRefusesTheSameSocketAndData() throws {
        let d = try Daemon()
        let second = try run(Paths.kbqd, ["--corpus", Paths.corpus, "--data", d.data, "--socket", d.socket])
        #expect(second.status != 0)
        #expect(second.stderr.contains("another kbqd"))
        #expect(try curl(d.socket, "/v1/health").0 == 200, "the first one still serves")
    }

    @Test func sigtermDrainsAnInFlightRequest() throws {
        let d = try Daemon()
        // A request whose body arrives in two halves, with SIGTERM in between: it must still
        // be answered in full, then kbqd exits 0.
        let script = """
        import socket, time, sys, os, signal
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
        body = b'{"q": "refund", "limit": 1}'
        s.sendall(b'POST /v1/search HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n' % len(body) + body[:10])
        time.sleep(0.3); os.kill(int(sys.argv[2]), signal.SIGTERM); time.sleep(0.5)
        s.sendall(body[10:]); data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
        print(data.split(b'\\r\\n', 1)[0].decode()); print('results' in data.decode('utf-8', 'replace'))
        """
        let r = try run("/usr/bin/env", ["python3", "-c", script, d.socket, "\(d.process.processIdentifier)"])
        #expect(r.stdout.contains("HTTP/1.1 200 OK"), "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("True"))
        d.process.waitUntilExit()
        #expect(d.process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: d.socket), "the socket file is removed on exit")
    }

    /// Found by fuzzing: a head announcing 100 MB got its 413 only after the whole body,
    /// so a client that never sends it waited for ever.
    @Test func tooLargeIsAnsweredFromTheHead() throws {
        let d = try Daemon()
        let script = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX); s.settimeout(20); s.connect(sys.argv[1])
        s.sendall(b'POST /v1/search HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100000000\\r\\n\\r\\n{}')
        print(s.recv(65536).split(b'\\r\\n', 1)[0].decode())
        """
        let r = try run("/usr/bin/env", ["python3", "-c", script, d.socket])
        #expect(r.stdout.contains("413"), "\(r.stdout)\(r.stderr)")
        #expect(try curl(d.socket, "/v1/health").0 == 200)
    }

    /// Found by fuzzing: after a 400 for malformed HTTP (or an answer to CONNECT, which NIO
    /// sends without a body) the connection stayed open until the 30 s idle timeout. Each
    /// must get exactly one answer and then the end of the connection, well before that.
    @Test func malformedRequestsGetOneAnswerAndTheConnectionCloses() throws {
        let d = try Daemon()
        let script = """
        import socket, sys
        for data in (b'BREW /x HTTP/1.1\\r\\n\\r\\n', b'GET /v1/status HTTP/2.0\\r\\n\\r\\n',
                     b'CONNECT x:80 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'):
            s = socket.socket(socket.AF_UNIX); s.settimeout(15); s.connect(sys.argv[1]); s.sendall(data)
            out = b''
            try:
                while True:
                    c = s.recv(65536)
                    if not c: break
                    out += c
                end = 'closed'
            except socket.timeout:
                end = 'still open'
            print(out.count(b'HTTP/1.1 '), out.split(b'\\r\\n', 1)[0].decode(), end)
        """
        let r = try run("/usr/bin/env", ["python3", "-c", script, d.socket])
        #expect(r.stdout.split(separator: "\n") == ["1 HTTP/1.1 400 Bad Request closed", "1 HTTP/1.1 400 Bad Request closed",
                                                     "1 HTTP/1.1 405 Method Not Allowed closed"], "\(r.stdout)\(r.stderr)")
        #expect(try curl(d.socket, "/v1/health").0 == 200)
    }

    @Test func socketActivation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kbq-sa-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // One shell runs systemd-socket-activate (which execs kbqd on the first connection)
        // and curl, then stops kbqd with SIGTERM and reports its exit status.
        let script = """
        systemd-socket-activate -l \(dir)/activated.sock \(Paths.kbqd) --corpus \(Paths.corpus) --data \(dir)/data --socket \(dir)/unused.sock 2>\(dir)/log &
        pid=$!
        for i in $(seq 1 100); do [ -S \(dir)/activated.sock ] && break; sleep 0.05; done
        curl -s -w '\\n%{http_code}\\n' --unix-socket \(dir)/activated.sock 'http://localhost/v1/search?q=refund&limit=1'
        kill -TERM $pid; wait $pid; echo "exit=$?"
        """
        let r = try run("/bin/bash", ["-c", script])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("200"), "\(r.stdout)\(r.stderr)")
        #expect(lines.first.map { json($0)["results"] != nil } == true)
        #expect(lines.contains("exit=0"), "kbqd stops cleanly on SIGTERM under activation")
        let log = (try? String(contentsOfFile: dir + "/log", encoding: .utf8)) ?? ""
        #expect(log.contains("listening on the socket systemd passed"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/unused.sock"), "--socket is ignored under activation")
    }
}
