import Foundation
import KBClient
import KBCorpus
import KBSearch
import KBText

/// `kbq-bench run`: index build, kbqd start, search latency over the socket and in-process,
/// incremental reindex, reindex under load. Prints one table.
enum Run {
    struct Options {
        var corpus = ""
        var queries = ""
        var kbqd = ""
        var work = ""
        var perMode = 2_000
        var warmup = 200
        var clients = 16
        var keep = false
        /// Skip the in-process build and kbqd's first start when the work folder has an index.
        var reuse = false
        /// Skip the in-process build (kbqd's first start still builds): CI's smaller run.
        var quick = false
        /// Also measure SQLite FTS5 and Tantivy (Benchmarks/compare/engines.py).
        var compare = true
    }

    struct Stats {
        var n = 0, p50 = 0.0, p99 = 0.0, p999 = 0.0, qps = 0.0, failed = 0
        /// Exact percentiles of the sorted latencies (nearest rank), in ms.
        init(_ latNs: [UInt64], wallNs: UInt64, failed: Int) {
            let s = latNs.sorted()
            n = s.count
            self.failed = failed
            guard !s.isEmpty else { return }
            func pct(_ p: Double) -> Double {
                let rank = Int((p * Double(s.count)).rounded(.up))
                return Double(s[min(max(rank, 1), s.count) - 1]) / 1e6
            }
            p50 = pct(0.50); p99 = pct(0.99); p999 = pct(0.999)
            qps = Double(s.count) / (Double(wallNs) / 1e9)
        }
        var text: String {
            String(format: "p50 %.3f ms · p99 %.3f ms · p99.9 %.3f ms · %.0f q/s (n=%d%@)", p50, p99, p999, qps, n,
                   failed > 0 ? ", \(failed) failed" as NSString : "" as NSString)
        }
    }

    final class Daemon {
        let process = Process()
        let socket: String
        init(binary: String, corpus: String, data: String, socket: String, log: String) throws {
            self.socket = socket
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--corpus", corpus, "--data", data, "--socket", socket, "--log-level", "warning"]
            if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
            let h = FileHandle(forWritingAtPath: log)!
            h.seekToEndOfFile()
            process.standardOutput = h
            process.standardError = h
            var env = ProcessInfo.processInfo.environment
            for k in ["KBQ_CONFIG", "LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET"] { env[k] = nil }
            process.environment = env
            try process.run()
        }
        var pid: Int32 { process.processIdentifier }
        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        /// (VmRSS, VmHWM) in bytes.
        func rss() -> (Int64, Int64) {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            func field(_ name: String) -> Int64 {
                guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
                return (Int64(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
            }
            return (field("VmRSS"), field("VmHWM"))
        }
    }

    /// Polls GET /v1/ready until it answers 200; returns the seconds since `started`.
    static func waitReady(_ d: Daemon, started: UInt64, timeout: Double) async throws -> Double {
        let client = KBClient(socket: d.socket)
        while true {
            if !d.process.isRunning { fail("kbqd exited with status \(d.process.terminationStatus); see its log") }
            if FileManager.default.fileExists(atPath: d.socket), let r = try? await client.get("/v1/ready"), r.status == 200 {
                return Double(nowNs() - started) / 1e9
            }
            if Double(nowNs() - started) / 1e9 > timeout { fail("kbqd not ready after \(timeout) s") }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    /// Runs `total` requests over the socket with `clients` concurrent clients, each on a
    /// kept-alive connection (as chat tooling would; `keepAlive: false` connects per request,
    /// as the `kbq` command does).
    static func socketRun(_ socket: String, _ bodies: [[UInt8]], clients: Int, total: Int, offset: Int,
                          keepAlive: Bool = true) async -> Stats {
        let next = Locked(0)
        let client = KBClient(socket: socket)
        let start = nowNs()
        let results = await withTaskGroup(of: ([UInt64], Int).self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var lat: [UInt64] = [], failed = 0
                    let connection = keepAlive ? try? await KBConnection.open(socket: socket) : nil
                    while true {
                        let i = next.with { v -> Int in defer { v += 1 }; return v }
                        if i >= total { break }
                        let body = bodies[(offset + i) % bodies.count]
                        let t0 = nowNs()
                        let r = if let connection { try? await connection.post("/v1/search", json: body) }
                                else { try? await client.post("/v1/search", json: body) }
                        let dt = nowNs() - t0
                        if r?.status == 200 { lat.append(dt) } else { failed += 1 }
                    }
                    await connection?.close()
                    return (lat, failed)
                }
            }
            var all: [UInt64] = [], failed = 0
            for await (l, f) in group { all += l; failed += f }
            return (all, failed)
        }
        return Stats(results.0, wallNs: nowNs() - start, failed: results.1)
    }

    /// Runs `total` searches in-process on `threads` threads, one Searcher each.
    static func inProcessRun(_ index: String, _ requests: [SearchRequest], threads: Int, total: Int, offset: Int,
                             ranking: Ranking = Ranking(), raw: Bool = false, shards: Shards = Shards()) -> (Stats, ChildResult) {
        let next = Locked(0)
        let out = Locked(([UInt64](), 0))
        let ready = DispatchGroup(), done = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let startBox = Locked<UInt64>(0)
        for _ in 0..<threads {
            ready.enter(); done.enter()
            let t = Thread {
                let searcher = try? Searcher(path: index, shards: shards)
                searcher?.ranking = ranking
                ready.leave()
                go.wait()
                var lat: [UInt64] = [], failed = 0
                while true {
                    let i = next.with { v -> Int in defer { v += 1 }; return v }
                    if i >= total { break }
                    let r = requests[(offset + i) % requests.count]
                    let t0 = nowNs()
                    let ok = raw ? (try? searcher?.matchOnly(r)) != nil : (try? searcher?.search(r)) != nil
                    let dt = nowNs() - t0
                    if ok { lat.append(dt) } else { failed += 1 }
                }
                out.with { $0.0 += lat; $0.1 += failed }
                done.leave()
            }
            t.stackSize = 8 << 20
            t.start()
        }
        ready.wait()
        startBox.with { $0 = nowNs() }
        for _ in 0..<threads { go.signal() }
        done.wait()
        let wall = nowNs() - startBox.with { $0 }
        return out.with { (Stats($0.0, wallNs: wall, failed: $0.1), ChildResult(lat: $0.0, wall: wall, failed: $0.1)) }
    }

    /// `kbq-bench build`: loads the corpus and builds an index, printing the two times.
    static func buildOnly(corpus: String, out: String, shards: Int) throws {
        var t0 = nowNs()
        let c = try CorpusLoader(root: corpus).load()
        note(String(format: "load: %d entries in %.2f s", c.entries.count, Double(nowNs() - t0) / 1e9))
        // kbq's analysis alone (no Xapian writes), one thread: the build can go no faster
        // than this times the number of cores.
        let sample = c.entries.prefix(5_000)
        let analyzer = try Analyzer()
        t0 = nowNs()
        for e in sample { _ = try DocumentPlan(entry: e, analyzer: analyzer) }
        let a = Double(nowNs() - t0) / 1e9
        note(String(format: "analysis alone, 1 thread: %d entries in %.2f s = %.0f entries/s (× %d cores = %.0f)",
                    sample.count, a, Double(sample.count) / a, ProcessInfo.processInfo.activeProcessorCount,
                    Double(sample.count) / a * Double(ProcessInfo.processInfo.activeProcessorCount)))
        t0 = nowNs()
        let report = try Indexer().build(c, at: out, shards: shards)
        let s = Double(nowNs() - t0) / 1e9
        var ru = rusage()
        getrusage(RUSAGE_SELF.rawValue, &ru)
        note(String(format: "build: %d documents in %d shard(s), %.2f s = %.0f entries/s; index %@; peak RSS %@", report.documents, shards,
                    s, Double(report.documents) / s, fmtBytes(diskSize(out)), fmtBytes(Int64(ru.ru_maxrss) * 1024)))
    }

    struct ChildResult: Codable { var lat: [UInt64]; var wall: UInt64; var failed: Int }

    /// `kbq-bench inproc`: one in-process mode, run in a child process so that a crash of the
    /// engine is reported as such instead of ending the whole benchmark.
    static func child(index: String, queries: String, threads: Int, total: Int, offset: Int, warmup: Int,
                      ranking: String?, raw: Bool, remote: String?) throws {
        var weights = Ranking()
        if let ranking { try weights.set(ranking) }
        // Measure throughput, not the shard timeout: 16 threads on 2 cores queue for seconds.
        var shards = Shards(timeoutMs: 60_000)
        for pair in (remote ?? "").split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let n = Int(kv[0]), let r = Shards.Remote(String(kv[1])) else { fail("--remote wants 1=host:port,…") }
            shards.remote[n] = r
        }
        let requests = try String(contentsOfFile: queries, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(SearchRequest.self, from: Data($0.utf8)) }
        if warmup > 0 { _ = inProcessRun(index, requests, threads: 1, total: warmup, offset: 0, ranking: weights, raw: raw, shards: shards).0 }
        let (_, r) = inProcessRun(index, requests, threads: threads, total: total, offset: offset, ranking: weights, raw: raw, shards: shards)
        print(String(decoding: try JSONEncoder().encode(r), as: UTF8.self))
    }

    static func inProcessChild(_ o: Options, _ index: String, threads: Int, total: Int, offset: Int, warmup: Int,
                               raw: Bool = false) -> (Stats?, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        p.arguments = ["inproc", "--index", index, "--queries", o.queries, "--threads", "\(threads)", "--total", "\(total)",
                       "--offset", "\(offset)", "--warmup", "\(warmup)"] + (raw ? ["--raw"] : [])
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        do { try p.run() } catch { return (nil, "cannot start: \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationReason == .exit, p.terminationStatus == 0,
              let r = try? JSONDecoder().decode(ChildResult.self, from: data) else {
            return (nil, p.terminationReason == .uncaughtSignal ? "CRASHED (signal \(p.terminationStatus))" : "failed (status \(p.terminationStatus))")
        }
        return (Stats(r.lat, wallNs: r.wall, failed: r.failed), "")
    }

    struct Task1: Decodable { let id: String; let state: String }
    struct EntryResponse: Decodable { struct E: Decodable { let title: String }; let entry: E }

    static func waitTask(_ client: KBClient, _ id: String, timeout: Double) async throws -> Task1? {
        let start = nowNs()
        while Double(nowNs() - start) / 1e9 < timeout {
            if let r = try? await client.get("/v1/tasks/\(id)"), let t = try? JSONDecoder().decode(Task1.self, from: Data(r.body)),
               t.state != "running" { return t }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        return nil
    }

    static func machine() -> [(String, String)] {
        let mem = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("MemTotal:") }.map { String($0.dropFirst(9)).trimmingCharacters(in: .whitespaces) } ?? "?"
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
        let swift = capture(["swift", "--version"]).split(separator: "\n").first { $0.contains("Swift version") }.map(String.init) ?? "?"
        var xapian = capture(["xapian-config", "--version"]).trimmingCharacters(in: .whitespacesAndNewlines)
        if xapian.isEmpty {
            xapian = capture(["dpkg-query", "-W", "-f", "${Version}", "libxapian30"]).trimmingCharacters(in: .whitespacesAndNewlines)
            xapian = xapian.isEmpty ? "?" : "libxapian30 " + xapian
        }
        let kernel = capture(["uname", "-sr"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return [("nproc", "\(ProcessInfo.processInfo.activeProcessorCount) (\(cpu))"), ("memory", mem),
                ("swift", swift), ("xapian", xapian), ("kernel", kernel)]
    }

    /// Rewrites `target`'s title, posts `reindexBody` to /v1/reindex, and polls the entry
    /// every millisecond until the new title shows; then puts the file and entry back.
    static func changeOne(_ o: Options, _ client: KBClient, _ target: Entry, reindexBody: [UInt8]) async throws -> (Double, String) {
        let file = URL(fileURLWithPath: o.corpus + "/" + target.path)
        let original = try Data(contentsOf: file)
        let newTitle = "kbq-bench changed \(nowNs())"
        let edited = String(decoding: original, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("title:") ? "title: \(yq(newTitle))" : String($0) }.joined(separator: "\n")
        try Data(edited.utf8).write(to: file)
        let t0 = nowNs()
        let r = try await client.post("/v1/reindex", json: reindexBody)
        guard r.status == 202 || r.status == 200, let task = try? JSONDecoder().decode(Task1.self, from: Data(r.body)) else {
            fail("POST /v1/reindex: \(r.status) \(String(decoding: r.body, as: UTF8.self))")
        }
        var visible = -1.0
        while Double(nowNs() - t0) / 1e9 < 600 {
            if let e = try? await client.get("/v1/entries/\(target.id)"), e.status == 200,
               let er = try? JSONDecoder().decode(EntryResponse.self, from: Data(e.body)), er.entry.title == newTitle {
                visible = Double(nowNs() - t0) / 1e6
                break
            }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        let state = try await waitTask(client, task.id, timeout: 600)?.state ?? "?"
        // Put the file back (the corpus stays byte-identical to what generate wrote).
        try original.write(to: file)
        if let r2 = try? await client.post("/v1/reindex", json: reindexBody), let t2 = try? JSONDecoder().decode(Task1.self, from: Data(r2.body)) {
            _ = try await waitTask(client, t2.id, timeout: 600)
        }
        return (visible, state)
    }

    struct EngineResult { var label: String; var clients: Int; var stats: Stats; var empty: Int }

    /// SQLite FTS5 and Tantivy on the same corpus and queries, through
    /// Benchmarks/compare/engines.py (Python; `pip install -r Benchmarks/compare/requirements.txt`).
    static func compareEngines(_ o: Options, offset: Int) -> (searches: [EngineResult], builds: [(String, String)]) {
        struct Out: Decodable {
            struct Engine: Decodable {
                struct Build: Decodable { let entries_per_s: Double; let peak_rss_mib: Double; let index_mib: Double; let seconds: Double }
                struct Search: Decodable { let clients: Int; let n: Int; let p50_ms: Double; let p99_ms: Double; let p999_ms: Double; let qps: Double; let failed: Int; let empty: Int }
                let engine: String; let config: String; let build: Build; let search: [Search]
            }
            let engines: [Engine]
        }
        let script = repoRoot.appendingPathComponent("Benchmarks/compare/engines.py").path
        let work = o.work + "/compare"
        try? FileManager.default.removeItem(atPath: work)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "--corpus", o.corpus, "--queries", o.queries, "--work", work,
                       "--clients", "1,\(o.clients)", "--per-mode", "\(o.perMode)", "--warmup", "\(o.warmup)", "--offset", "\(offset)"]
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { return ([], [("(d), (e) FTS5 and Tantivy", "not run: \(error)")]) }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let r = try? JSONDecoder().decode(Out.self, from: data) else {
            return ([], [("(d), (e) FTS5 and Tantivy", "**failed** (engines.py exit \(p.terminationStatus); is tantivy installed? scripts/setup.sh)")])
        }
        var results: [EngineResult] = [], builds: [(String, String)] = []
        for (e, letter) in zip(r.engines, ["d", "e"]) {
            let name = e.engine == "fts5" ? "SQLite FTS5" : e.engine == "tantivy" ? "Tantivy" : e.engine
            builds.append(("(\(letter)) \(name) full build (\(e.config))", String(format: "%.2f s = %.0f entries/s; peak RSS %.1f MiB; index %.1f MiB",
                e.build.seconds, e.build.entries_per_s, e.build.peak_rss_mib, e.build.index_mib)))
            for s in e.search {
                var st = Stats([], wallNs: 0, failed: s.failed)
                (st.n, st.p50, st.p99, st.p999, st.qps) = (s.n, s.p50_ms, s.p99_ms, s.p999_ms, s.qps)
                results.append(EngineResult(label: "(\(letter)) \(name), \(s.clients) client\(s.clients > 1 ? "s" : ""), with snippets",
                                            clients: s.clients, stats: st, empty: s.empty))
            }
        }
        return (results, builds)
    }

    static func run(_ o: Options) async throws {
        var rows: [(String, String, String)] = []
        func row(_ a: String, _ b: String, _ c: String = "") { rows.append((a, b, c)); note("\(a): \(b)") }
        // What went wrong (not what was slow): failed queries, crashes, failed reindexes.
        var broken: [String] = []
        let fm = FileManager.default
        try fm.createDirectory(atPath: o.work, withIntermediateDirectories: true)
        let machine = machine()

        // Queries.
        let lines = try String(contentsOfFile: o.queries, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard !lines.isEmpty else { fail("no queries in \(o.queries)") }
        let bodies = lines.map { Array($0.utf8) }
        let requests = try lines.map { try JSONDecoder().decode(SearchRequest.self, from: Data($0.utf8)) }

        // 1. Full index build in-process.
        var t0 = nowNs()
        let corpus = try CorpusLoader(root: o.corpus).load()
        let loadS = Double(nowNs() - t0) / 1e9
        let n = corpus.entries.count
        let indexPath = o.work + "/index"
        let data = o.work + "/data", socket = o.work + "/kbq.sock", log = o.work + "/kbqd.log"
        let reusing = o.reuse && (try? fm.destinationOfSymbolicLink(atPath: data + "/current")) != nil
        if reusing {
            row("corpus", "\(n) entries, \(corpus.errors.count) errors; load \(String(format: "%.2f", loadS)) s")
            row("full build, kbqd first start", "skipped (--reuse-data: the index in \(data) was built by an earlier run)")
        } else {
        if o.quick {
            row("corpus", "\(n) entries, \(corpus.errors.count) errors; load \(String(format: "%.2f", loadS)) s")
        } else {
        try? fm.removeItem(atPath: indexPath)
        let report = try Indexer().build(corpus, at: indexPath)
        var ru = rusage()
        getrusage(RUSAGE_SELF.rawValue, &ru)
        let size = diskSize(indexPath)
        row("corpus", "\(n) entries, \(corpus.errors.count) errors; load \(String(format: "%.2f", loadS)) s")
        row("full build, Indexer in-process", String(format: "%.2f s = %.0f entries/s; peak RSS %@; index %@ (%.2f KiB/entry)",
            report.seconds, Double(n) / report.seconds, fmtBytes(Int64(ru.ru_maxrss) * 1024), fmtBytes(size),
            Double(size) / 1024 / Double(max(n, 1))), "≥ 5,000 entries/s")
        try? fm.removeItem(atPath: indexPath)
        }

        // 2. kbqd: first start (builds), restart on the existing index.
        try? fm.removeItem(atPath: data)
        t0 = nowNs()
        let d0 = try Daemon(binary: o.kbqd, corpus: o.corpus, data: data, socket: socket, log: log)
        let first = try await waitReady(d0, started: t0, timeout: 3_600)
        row("kbqd first start (builds the index) → ready", String(format: "%.3f s (%.0f entries/s incl. load)", first, Double(n) / first))
        d0.stop()
        }
        var readies: [Double] = []
        t0 = nowNs()
        var d = try Daemon(binary: o.kbqd, corpus: o.corpus, data: data, socket: socket, log: log)
        readies.append(try await waitReady(d, started: t0, timeout: 600))
        for _ in 0..<2 {
            d.stop()
            t0 = nowNs()
            d = try Daemon(binary: o.kbqd, corpus: o.corpus, data: data, socket: socket, log: log)
            readies.append(try await waitReady(d, started: t0, timeout: 600))
        }
        row("kbqd start → ready, existing index", readies.map { String(format: "%.0f ms", $0 * 1000) }.joined(separator: ", ")
            + " (3 starts)", "≤ 300 ms")
        try await Task.sleep(nanoseconds: 500_000_000)
        let rest = d.rss()
        row("kbqd RSS at rest (VmRSS)", fmtBytes(rest.0), "≤ 150 MB")
        let client = KBClient(socket: socket)
        let current = try fm.destinationOfSymbolicLink(atPath: data + "/current")
        let liveIndex = data + "/" + current

        // 3. Latency and throughput.
        _ = await socketRun(socket, bodies, clients: 1, total: o.warmup, offset: 0)
        var offset = o.warmup
        var results: [String: Stats] = [:]
        for c in [1, o.clients] {
            let s = await socketRun(socket, bodies, clients: c, total: o.perMode, offset: offset)
            results["a\(c)"] = s
            offset += o.perMode
        }
        // The same queries as (a) at 1 client, a new connection per request (what `kbq` does).
        let perRequest = await socketRun(socket, bodies, clients: 1, total: o.perMode, offset: o.warmup, keepAlive: false)
        _ = requests
        offset = o.warmup
        var why: [String: String] = [:]
        for c in [1, o.clients] {
            let (s, w) = inProcessChild(o, liveIndex, threads: c, total: o.perMode, offset: offset, warmup: o.warmup)
            results["b\(c)"] = s
            why["b\(c)"] = w
            offset += o.perMode
        }
        offset = o.warmup
        for c in [1, o.clients] {
            let (s, w) = inProcessChild(o, liveIndex, threads: c, total: o.perMode, offset: offset, warmup: o.warmup, raw: true)
            results["c\(c)"] = s
            why["c\(c)"] = w
            offset += o.perMode
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let (bCoresS, bCoresWhy) = inProcessChild(o, liveIndex, threads: cores, total: o.perMode, offset: offset, warmup: o.warmup)
        for c in [1, o.clients] {
            let a = results["a\(c)"]!
            row("(a) socket, kept-alive connection, \(c) client\(c > 1 ? "s" : "")", a.text, c > 1 ? "p50 ≤ 1 ms, p99 ≤ 5 ms" : "")
            if c == 1 { row("(a′) socket, a connection per request, 1 client", perRequest.text) }
            guard let b = results["b\(c)"] else {
                row("(b) in-process Searcher, \(c) thread\(c > 1 ? "s" : "")", "**" + (why["b\(c)"] ?? "?") + "** (child process; see below)")
                continue
            }
            row("(b) in-process Searcher, \(c) thread\(c > 1 ? "s" : "")", b.text + String(format: "; vs (a): p50 ×%.2f, q/s ×%.2f", b.p50 / a.p50, b.qps / a.qps))
            row("socket overhead (a − b), \(c) client\(c > 1 ? "s" : "")",
                String(format: "p50 %+.0f µs; throughput (a)/(b) = %.2f", (a.p50 - b.p50) * 1000, a.qps / b.qps),
                c > 1 ? "p50 ≤ 150 µs; (a)/(b) ≥ 0.7" : "p50 ≤ 150 µs")
        }
        row("(b) in-process Searcher, \(cores) threads (= nproc)", bCoresS?.text ?? "**" + bCoresWhy + "**")
        for (mode, st) in results where st.failed > 0 { broken.append("\(st.failed) failed searches in mode \(mode)") }
        for (mode, w) in why where !w.isEmpty { broken.append("in-process mode \(mode): \(w)") }
        if bCoresS == nil { broken.append("in-process mode on \(cores) threads: \(bCoresWhy)") }
        for c in [1, o.clients] {
            let label = "(c) raw Xapian, same query, top 10 only, \(c) thread\(c > 1 ? "s" : "")"
            guard let cs = results["c\(c)"], let a = results["a\(c)"] else { row(label, "**" + (why["c\(c)"] ?? "?") + "**"); continue }
            row(label, cs.text + String(format: "; vs (a): p50 ×%.2f, q/s ×%.2f", cs.p50 / a.p50, cs.qps / a.qps))
        }
        if o.compare {
            let (searches, builds) = compareEngines(o, offset: o.warmup)
            if searches.isEmpty { broken.append("FTS5 / Tantivy comparison: " + (builds.first?.1 ?? "no result")) }
            for r in searches {
                guard let a = results["a\(r.clients)"] else { continue }
                row(r.label, r.stats.text + String(format: "; empty %d; vs (a): p50 ×%.2f, q/s ×%.2f", r.empty, r.stats.p50 / a.p50, r.stats.qps / a.qps),
                    r.clients > 1 ? "(a) p50 below" : "")
            }
            for b in builds { row(b.0, b.1) }
        }
        let loaded = d.rss()
        row("kbqd RSS after the searches (VmRSS / VmHWM)", fmtBytes(loaded.0) + " / " + fmtBytes(loaded.1), "≤ 150 MB")

        // 4. One changed entry: by name (paths), then by an incremental reindex of the corpus.
        let target = corpus.entries.sorted { $0.path < $1.path }[n / 2]
        for (label, body) in [("reindex of the named file", try JSONEncoder().encode(["paths": [target.path]]).map { $0 }),
                              ("incremental reindex of the corpus", Array("{}".utf8))] {
            let (ms, state) = try await changeOne(o, client, target, reindexBody: body)
            row("1 changed entry, \(label): POST → GET shows the new title", String(format: "%.1f ms (task %@)", ms, state), "≤ 100 ms")
            if state != "succeeded" || ms < 0 { broken.append("1 changed entry, \(label): task \(state), visible after \(ms) ms") }
        }

        // 5. Full reindex under load.
        let stop = Locked(false)
        let samples = Locked([(UInt64, UInt64, Bool)]())  // start, latency, ok
        let loadStart = nowNs()
        var window: (UInt64, UInt64) = (0, 0)
        var rebuildState = "?"
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<o.clients {
                group.addTask {
                    var i = w * 7919, mine: [(UInt64, UInt64, Bool)] = []
                    while !stop.with({ $0 }) {
                        let t = nowNs()
                        let ok = (try? await client.post("/v1/search", json: bodies[i % bodies.count]))?.status == 200
                        mine.append((t, nowNs() - t, ok))
                        i += 1
                    }
                    samples.with { $0 += mine }
                }
            }
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            let ws = nowNs()
            if let r = try? await client.post("/v1/reindex", json: Array(#"{"full": true}"#.utf8)),
               let t = try? JSONDecoder().decode(Task1.self, from: Data(r.body)) {
                rebuildState = (try? await waitTask(client, t.id, timeout: 3_600))??.state ?? "timeout"
            }
            window = (ws, nowNs())
            try? await Task.sleep(nanoseconds: 500_000_000)
            stop.with { $0 = true }
        }
        let all = samples.with { $0 }
        let during = all.filter { $0.0 >= window.0 && $0.0 <= window.1 }
        let before = all.filter { $0.0 < window.0 && $0.0 >= loadStart }
        let sDuring = Stats(during.filter(\.2).map(\.1), wallNs: window.1 - window.0, failed: during.filter { !$0.2 }.count)
        let sBefore = Stats(before.filter(\.2).map(\.1), wallNs: window.0 - loadStart, failed: before.filter { !$0.2 }.count)
        row("full reindex under load (\(o.clients) clients): rebuild time", String(format: "%.2f s (task %@; %.0f entries/s)",
            Double(window.1 - window.0) / 1e9, rebuildState, Double(n) / (Double(window.1 - window.0) / 1e9)))
        row("  searches during the rebuild", sDuring.text + "; failed \(sDuring.failed)")
        if sDuring.failed + sBefore.failed > 0 { broken.append("\(sDuring.failed + sBefore.failed) failed searches around the full rebuild") }
        if rebuildState != "succeeded" { broken.append("full rebuild under load: task \(rebuildState)") }
        row("  searches in the 1 s before", sBefore.text)
        let after = d.rss()
        row("kbqd RSS after the rebuild (VmRSS / VmHWM)", fmtBytes(after.0) + " / " + fmtBytes(after.1))
        d.stop()
        if !o.keep { try? fm.removeItem(atPath: data) }

        // The table.
        print("\n### Machine\n")
        print("| | |\n|---|---|")
        for (k, v) in machine { print("| \(k) | \(v) |") }
        print("\n### Results: \(n) entries, \(lines.count) distinct queries, \(o.perMode) measured per mode after \(o.warmup) warm-up\n")
        print("| measure | result | target |\n|---|---|---|")
        for (a, b, c) in rows { print("| \(a) | \(b) | \(c) |") }
        if !broken.isEmpty {
            print("\n**Broken** (kbq-bench exits 1):\n")
            for b in broken { print("- " + b) }
            exit(1)
        }
    }
}
