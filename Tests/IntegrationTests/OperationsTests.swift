import Foundation
import Testing

/// A policy last checked long ago: due for review.
let oldPolicy = "---\nid: pol-old-rule\nkind: policy\nlang: en\ntitle: An old rule\nupdated: 2020-01-01\nsource: test\n---\nOld.\n"

/// Scenario endpoints, limits and operations of the real daemon.
@Suite(.serialized) struct OperationsTests {
    @Test func briefCheckStaleAndRawEndpoints() throws {
        let corpus = try copyCorpus()
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        try oldPolicy.write(toFile: corpus + "/policy/en/pol-old-rule.md", atomically: true, encoding: .utf8)
        let d = try Daemon(corpus: corpus)
        let (cs, check) = try d.post("/v1/check", #"{"draft": "Das wirkt 100% wirksam.", "market": "DE"}"#)
        #expect(cs == 200)
        let findings = check["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { $0["id"] as? String == "tab-global-medical-claims" && $0["text"] as? String == "100% wirksam" })
        #expect(try d.post("/v1/check", #"{"draft": "x", "market": "XX"}"#).0 == 400)
        // Found by fuzzing: a 1 MB draft kept a worker busy past any client's patience.
        let long = String(decoding: try JSONEncoder().encode(["draft": String(repeating: "a ", count: 40_000)]), as: UTF8.self)
        #expect(try d.post("/v1/check", long).0 == 400)
        let (bs, brief) = try d.post("/v1/brief", #"{"q": "包裹 清关 延误", "market": "DE", "reply_lang": "de"}"#)
        #expect(bs == 200)
        for section in ["templates", "taboos", "policies", "cases", "products"] { #expect(brief[section] is [Any], "\(section)") }
        let (ss, stale) = try d.get("/v1/stale?older_than_days=180&kinds=policy")
        let ids = (stale["entries"] as? [[String: Any]] ?? []).map { $0["id"] as? String }
        #expect(ss == 200 && ids.contains("pol-old-rule"))
        #expect(!ids.contains("pol-de-widerrufsrecht"), "checked 2026-11-25: not yet 180 days old")
        #expect((try d.get("/v1/stale?older_than_days=100000").1["entries"] as? [Any])?.isEmpty == true)
        #expect(try d.get("/v1/stale?older_than_days=-1").0 == 400)
        let (rs, raw) = try curl(d.socket, "/v1/entries/pol-de-widerrufsrecht?raw=1")
        #expect(rs == 200 && raw.hasPrefix("---\nid: pol-de-widerrufsrecht\n"))
    }

    @Test func connectionsBeyondTheLimitGet503() throws {
        let d = try Daemon(config: "max_connections = 2\n")
        // Two idle connections held open, then a third request: refused with 503, not hung.
        let script = """
        import socket, sys
        held = [socket.socket(socket.AF_UNIX) for _ in range(2)]
        for s in held: s.connect(sys.argv[1])
        import time; time.sleep(0.3)
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
        s.sendall(b'GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
        print(s.recv(65536).split(b'\\r\\n', 1)[0].decode())
        """
        let r = try run("/usr/bin/env", ["python3", "-c", script, d.socket])
        #expect(r.stdout.contains("503"), "\(r.stdout)\(r.stderr)")
        #expect(try curl(d.socket, "/v1/health").0 == 200, "once they are gone, requests are served again")
    }

    @Test func tooManyBadFilesFailTheReindexAndKeepTheIndex() throws {
        let corpus = try copyCorpus()
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let d = try Daemon(corpus: corpus, config: "max_bad_files = 2\n")
        let (_, before) = try d.get("/v1/status")
        for i in 0..<3 { try "---\nid: broken-\(i)\nkind: nonsense\n---\n".write(toFile: corpus + "/broken\(i).md", atomically: true, encoding: .utf8) }
        try FileManager.default.removeItem(atPath: corpus + "/policy/zh-Hans/pol-de-widerrufsrecht.md")
        let (_, t) = try d.post("/v1/reindex", "{}")
        let done = try d.waitTask(t["id"] as! String)
        #expect(done["state"] as? String == "failed")
        #expect((done["error"] as? String)?.contains("3 files have errors") == true)
        #expect((done["problems"] as? [String])?.contains { $0.hasPrefix("broken0.md:3: unknown kind") } == true)
        let (_, after) = try d.get("/v1/status")
        #expect(after["documents"] as? Int == before["documents"] as? Int, "nothing was removed")
        #expect(try d.get("/v1/entries/pol-de-widerrufsrecht").0 == 200)
    }

    @Test func reindexOfNamedFilesChangesAddsAndRemovesOnlyThose() throws {
        let corpus = try copyCorpus()
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let d = try Daemon(corpus: corpus)
        let (_, before) = try d.get("/v1/status")
        let edited = "policy/en/pol-gb-consumer-contracts-cancellation.md"
        let text = try String(contentsOfFile: corpus + "/" + edited, encoding: .utf8)
        try text.replacingOccurrences(of: "\ntitle: \"", with: "\ntitle: \"Edited ").write(toFile: corpus + "/" + edited, atomically: true, encoding: .utf8)
        try "---\nid: added-by-path\nkind: case\nlang: en\ntitle: Added by path\n---\nbody\n".write(toFile: corpus + "/added.md", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: corpus + "/policy/zh-Hans/pol-de-widerrufsrecht.md")
        // A file that no longer parses keeps the entry it had.
        let broken = "policy/zh-Hans/pol-fr-garantie-legale-conformite.md"
        try "---\nid: [unclosed\n---\n".write(toFile: corpus + "/" + broken, atomically: true, encoding: .utf8)
        // An unchanged file named too: counted, not rewritten. Another file is changed but not named.
        try "---\nid: not-named\nkind: case\nlang: en\ntitle: Not named\n---\nbody\n".write(toFile: corpus + "/not-named.md", atomically: true, encoding: .utf8)

        let paths = [edited, "added.md", "policy/zh-Hans/pol-de-widerrufsrecht.md", broken, "added.md"]
        let body = String(decoding: try JSONEncoder().encode(["paths": paths]), as: UTF8.self)
        let (ts, t) = try d.post("/v1/reindex", body)
        #expect(ts == 202)
        let done = try d.waitTask(t["id"] as! String)
        #expect(done["state"] as? String == "succeeded", "\(done)")
        let report = done["report"] as? [String: Any] ?? [:]
        #expect(report["added"] as? Int == 1 && report["changed"] as? Int == 1 && report["removed"] as? Int == 1, "\(report)")
        #expect((try d.get("/v1/entries/pol-gb-consumer-contracts-cancellation").1["entry"] as? [String: Any])?["title"] as? String
                    == "Edited UK Consumer Contracts Regulations 2013: 14-day cancellation for online orders")
        #expect(try d.get("/v1/entries/added-by-path").0 == 200)
        #expect(try d.get("/v1/entries/pol-de-widerrufsrecht").0 == 404)
        #expect(try d.get("/v1/entries/not-named").0 == 404, "only the named files are read")
        #expect((done["problems"] as? [String])?.contains { $0.hasPrefix(broken + ":") } == true, "\(done)")
        #expect(try d.get("/v1/entries/pol-fr-garantie-legale-conformite").0 == 200, "a broken file loses nothing")
        let (_, after) = try d.get("/v1/status")
        #expect(after["documents"] as? Int == before["documents"] as? Int)   // one added, one removed

        // The same through kbq, and paths that leave the corpus are refused before anything runs.
        try text.write(toFile: corpus + "/" + edited, atomically: true, encoding: .utf8)
        let r = try d.kbq(["reindex", "--path", edited, "--wait"])
        #expect(r.status == 0 && r.stdout.contains("files succeeded"), "\(r.stdout)\(r.stderr)")
        for bad in ["../etc/passwd.md", "/etc/x.md", "_data/markets.yaml", "policy/./x.md", "x.txt"] {
            let b = String(decoding: try JSONEncoder().encode(["paths": [bad]]), as: UTF8.self)
            let (status, err) = try d.post("/v1/reindex", b)
            #expect(status == 400 && (err["error"] as? [String: Any])?["parameter"] as? String == "paths", "\(bad)")
        }
        #expect(try d.post("/v1/reindex", #"{"paths": ["a.md"], "full": true}"#).0 == 400)
        #expect(try d.post("/v1/reindex", #"{"paths": []}"#).0 == 400)
    }

    /// Found by review: `?raw=1` read through a symbolic link put into the corpus after the
    /// last reindex.
    @Test func rawSourceNeverFollowsALinkOutOfTheCorpus() throws {
        let corpus = try copyCorpus()
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let d = try Daemon(corpus: corpus)
        let file = corpus + "/phrasing/de/phr-refund-confirmation-de.md"
        #expect(try curl(d.socket, "/v1/entries/phr-refund-confirmation-de?raw=1").0 == 200)
        let secret = d.dir + "/secret.txt"
        try "kbq-secret-marker".write(toFile: secret, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: secret)
        let (status, body) = try curl(d.socket, "/v1/entries/phr-refund-confirmation-de?raw=1")
        #expect(status == 404 && body.contains("source_missing") && !body.contains("kbq-secret-marker"))
    }

    @Test func sighupStartsAnIncrementalReindex() throws {
        let corpus = try copyCorpus()
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let d = try Daemon(corpus: corpus)
        try "---\nid: added-by-hup\nkind: case\nlang: en\ntitle: Added\n---\nbody\n".write(toFile: corpus + "/hup.md", atomically: true, encoding: .utf8)
        kill(d.process.processIdentifier, SIGHUP)
        var found = false
        for _ in 0..<200 where !found {
            usleep(50_000)
            found = try d.get("/v1/entries/added-by-hup").0 == 200
        }
        #expect(found)
        let (_, status) = try d.get("/v1/status")
        #expect((status["last_reindex"] as? [String: Any])?["full"] as? Bool == false)
    }
}
