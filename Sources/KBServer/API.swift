import Foundation
import KBCorpus
import KBSearch
import NIOHTTP1

/// The `/v1` endpoints (docs/protocol.md), each a small function from request to response.
public enum API {
    public static func router(_ engine: Engine) -> Router {
        var r = Router()
        r.add(.GET, "/v1/health") { _, _ in .json(["status": "ok"]) }
        r.add(.GET, "/v1/ready") { _, _ in
            .json(Ready(ready: true, generation: engine.pool.generation))
        }
        r.add(.GET, "/v1/search") { req, _ in try await search(req, engine) }
        r.add(.POST, "/v1/search") { req, _ in try await search(req, engine) }
        r.add(.POST, "/v1/check") { req, _ in try await check(req, engine) }
        r.add(.GET, "/v1/brief") { req, _ in try await brief(req, engine) }
        r.add(.POST, "/v1/brief") { req, _ in try await brief(req, engine) }
        r.add(.GET, "/v1/stale") { req, _ in try await stale(req, engine) }
        r.add(.GET, "/v1/entries/{id}") { req, p in
            try await entry(p["id"]!, raw: req.value("raw").map { $0 == "1" || $0 == "true" } ?? false, engine)
        }
        r.add(.POST, "/v1/render") { req, _ in try await render(req, engine) }
        r.add(.GET, "/v1/status") { _, _ in try await status(engine) }
        r.add(.POST, "/v1/reindex") { req, _ in try reindex(req, engine) }
        r.add(.GET, "/v1/tasks/{id}") { _, p in
            guard let t = engine.reindexer.status(p["id"]!) else {
                throw APIError(.notFound, "unknown_task", "no task \(p["id"]!) (tasks are kept for the last 50 reindexes)")
            }
            return .json(t)
        }
        let metrics: Router.Handler = { _, _ in
            APIResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: engine.metrics.text())
        }
        r.add(.GET, "/metrics", metrics)
        r.add(.GET, "/v1/metrics", metrics)
        return r
    }

    struct Ready: Codable { let ready: Bool; let generation: String }

    static func search(_ req: APIRequest, _ engine: Engine) async throws -> APIResponse {
        let s = try SearchParameters.decode(req, config: engine.config)
        let clock = ContinuousClock.now
        do {
            // Encoded on the worker too: JSON encoding is the costliest step after the search,
            // and on an event loop it would hold up every other connection of that loop.
            let response = try await engine.withSearcher { searcher -> APIResponse? in
                if let m = s.market, !searcher.markets.isKnown(m.uppercased()) { return nil }
                var r = try searcher.search(s)
                r.generation = engine.pool.generation
                return .json(r)
            }
            guard let response else {
                throw APIError.badParameter("market", "unknown market `\(s.market!)` (a country or region code from the corpus's markets.yaml)")
            }
            engine.metrics.searches.increment()
            engine.metrics.searchSeconds.record(ContinuousClock.now - clock)
            return response
        } catch let e as APIError {
            throw e
        } catch {
            engine.metrics.searchErrors.increment()
            throw error
        }
    }

    struct CheckRequest: Codable { let draft: String; var market: String? }
    static let maxDraftBytes = 65_536

    /// A draft reply against the market's taboos (DE: DE, EU, EEA, EUROPE, GLOBAL).
    static func check(_ req: APIRequest, _ engine: Engine) async throws -> APIResponse {
        guard let r = try? JSONDecoder().decode(CheckRequest.self, from: Data(req.body)) else {
            throw APIError(.badRequest, "bad_json", #"expected {"draft": "text of the reply", "market": "DE"}"#)
        }
    // A reply to a customer is a few paragraphs; checking is linear in the draft but not cheap.
        guard r.draft.utf8.count <= Self.maxDraftBytes else {
            throw APIError.badParameter("draft", "the draft is \(r.draft.utf8.count) bytes; a reply may have at most \(Self.maxDraftBytes)")
        }
        let result = try await engine.withSearcher { s -> CheckResponse? in
            if let m = r.market, !s.markets.isKnown(m.uppercased()) { return nil }
            return try s.check(draft: r.draft, market: r.market)
        }
        guard let result else { throw APIError.badParameter("market", "unknown market `\(r.market ?? "")`") }
        return .json(result)
    }

    /// Templates, taboos, policies, cases and products for one scenario; the same
    /// parameters as search (`q` may be a pasted customer message).
    static func brief(_ req: APIRequest, _ engine: Engine) async throws -> APIResponse {
        let s = try SearchParameters.decode(req, config: engine.config)
        let result = try await engine.withSearcher { searcher -> BriefResponse? in
            if let m = s.market, !searcher.markets.isKnown(m.uppercased()) { return nil }
            return try searcher.brief(s)
        }
        guard let result else { throw APIError.badParameter("market", "unknown market `\(s.market ?? "")`") }
        return .json(result)
    }

    struct StaleResponse: Codable { let olderThanDays: Int; let entries: [StaleEntry]
        enum CodingKeys: String, CodingKey { case olderThanDays = "older_than_days", entries } }

    /// Entries due for review: `updated` more than `older_than_days` (default: the
    /// configured stale age) ago; `kinds` narrows.
    static func stale(_ req: APIRequest, _ engine: Engine) async throws -> APIResponse {
        let days: Int
        if let v = req.value("older_than_days") {
            // Bounded: the cutoff date is computed from it (a century and more is plenty).
            guard let d = Int(v), (0...100_000).contains(d) else {
                throw APIError.badParameter("older_than_days", "`older_than_days` must be a whole number of days from 0 to 100000")
            }
            days = d
        } else {
            days = engine.config.staleDays
        }
        var kinds: [Kind] = []
        for k in req.values("kinds").flatMap({ $0.split(separator: ",") }) {
            guard let kind = Kind(rawValue: String(k)) else { throw APIError.badParameter("kinds", "unknown kind `\(k)`") }
            kinds.append(kind)
        }
        let wanted = kinds
        let list = try await engine.withSearcher { try $0.stale(olderThan: days, kinds: wanted) }
        return .json(StaleResponse(olderThanDays: days, entries: list))
    }

    struct EntryResponse: Codable {
        let entry: Entry
        let translations: [Translation]
        let placeholders: [String]
    }
    struct Translation: Codable { let id: String; let lang: String; let title: String }

    /// One entry with its translations; with `raw`, the source file as it is in the corpus.
    static func entry(_ id: String, raw: Bool, _ engine: Engine) async throws -> APIResponse {
        guard Vocabulary.isValidID(id) else { throw APIError.badParameter("id", "`\(id)` is not an entry id") }
        if raw {
            let found = try await engine.withSearcher { try $0.entry(id) }
            guard let found else { throw APIError(.notFound, "unknown_entry", "no entry with id `\(id)`") }
            // The path comes from the index, but the file is read only if, with every link
            // resolved now, it is still a regular file inside the corpus: a symbolic link put
            // there since the last reindex must not reach /etc/shadow.
            let root = URL(fileURLWithPath: engine.reindexer.corpusRoot).resolvingSymlinksInPath().path
            let file = URL(fileURLWithPath: root + "/" + found.path).resolvingSymlinksInPath().path
            var st = stat()
            guard file.hasPrefix(root + "/"), lstat(file, &st) == 0, st.st_mode & S_IFMT == S_IFREG,
                  let bytes = FileManager.default.contents(atPath: file) else {
                throw APIError(.notFound, "source_missing", "the source file \(found.path) is no longer in the corpus")
            }
            return APIResponse(contentType: "text/markdown; charset=utf-8", body: Array(bytes))
        }
        let found = try await engine.withSearcher { s -> EntryResponse? in
            guard let e = try s.entry(id) else { return nil }
            let siblings = try e.group.map { try s.members(ofGroup: $0) } ?? [e]
            return EntryResponse(entry: e, translations: siblings.map { Translation(id: $0.id, lang: $0.lang, title: $0.title) },
                                 placeholders: e.placeholders)
        }
        guard let found else { throw APIError(.notFound, "unknown_entry", "no entry with id `\(id)`") }
        return .json(found)
    }

    struct RenderRequest: Codable {
        let id: String
        var values: [String: String]?
        var lang: String?
        var allowMissing: Bool?
        enum CodingKeys: String, CodingKey { case id, values, lang, allowMissing = "allow_missing" }
    }
    struct RenderResponse: Codable { let id: String; let lang: String; let text: String; let missing: [String] }

    /// Fills a phrasing template; unless `allow_missing`, a template with a placeholder left
    /// unfilled is refused (422) naming every one: a raw `{{customer_name}}` must never
    /// reach a customer.
    static func render(_ req: APIRequest, _ engine: Engine) async throws -> APIResponse {
        guard let r = try? JSONDecoder().decode(RenderRequest.self, from: Data(req.body)) else {
            throw APIError(.badRequest, "bad_json", #"expected {"id": "...", "values": {"name": "value"}, "lang": "de", "allow_missing": false}"#)
        }
        let entry = try await engine.withSearcher { s -> Entry? in
            guard let e = try s.entry(r.id) else { return nil }
            guard let lang = r.lang, lang != e.lang else { return e }
            return try e.group.flatMap { try s.members(ofGroup: $0).first { $0.lang == lang } }
        }
        guard let entry else {
            throw APIError(.notFound, "unknown_entry", "no entry `\(r.id)`\(r.lang.map { " in language \($0)" } ?? "")")
        }
        let (text, missing) = Template(entry.body).render(r.values ?? [:])
        if !missing.isEmpty && r.allowMissing != true {
            throw APIError(.unprocessableEntity, "unfilled_placeholders",
                           "placeholders left unfilled: " + missing.map { "{{\($0)}}" }.joined(separator: ", "), parameter: "values")
        }
        return .json(RenderResponse(id: entry.id, lang: entry.lang, text: text, missing: missing))
    }

    struct Status: Codable {
        let generation: String
        let documents: Int
        let corpus: String
        let data: String
        let uptimeSeconds: Int
        let built: String
        let counts: CountsByField
        let reindexRunning: ReindexStatus?
        let lastReindex: ReindexStatus?
        let shards: [Shards.Health]
        enum CodingKeys: String, CodingKey {
            case generation, documents, corpus, data, uptimeSeconds = "uptime_seconds", built, counts
            case reindexRunning = "reindex_running", lastReindex = "last_reindex", shards
        }
    }
    struct CountsByField: Codable {
        let kind: [String: Int]
        let lang: [String: Int]
        let market: [String: Int]
    }

    /// Status answers even when a shard is down: its health says which, and the counts
    /// (which need every shard) are then empty.
    static func status(_ engine: Engine) async throws -> APIResponse {
        let generationPath = engine.pool.path, shardConfig = engine.pool.shards
        let shards = try await engine.threadPool.runIfActive { shardConfig.health(of: generationPath) }
        var docs = shards.compactMap(\.documents).reduce(0, +), built = "", counts = CountsByField(kind: [:], lang: [:], market: [:])
        do {
            (docs, built, counts) = try await engine.withSearcher { s -> (Int, String, CountsByField) in
                (try s.documentCount, try s.metadata(Schema.Metadata.built),
                 CountsByField(kind: try s.counts(of: .kind), lang: try s.counts(of: .lang), market: try s.counts(of: .market)))
            }
            engine.metrics.documents.set(Double(docs))
        } catch let e as APIError where e.code == "shard_unavailable" {
            engine.logger.warning("status: \(e.message)")
        }
        return .json(Status(
            generation: engine.pool.generation, documents: docs, corpus: engine.reindexer.corpusRoot, data: engine.store.dataDir,
            uptimeSeconds: Int(Date().timeIntervalSince(engine.startedAt)), built: built,
            counts: counts,
            reindexRunning: engine.reindexer.running, lastReindex: engine.reindexer.lastFinished, shards: shards))
    }

    struct ReindexBody: Codable { var full: Bool?; var paths: [String]? }
    /// Files one reindex of named files may list.
    static let maxReindexPaths = 1_000

    static func reindex(_ req: APIRequest, _ engine: Engine) throws -> APIResponse {
        try Admin.require(req.peer, engine.config)
        guard !engine.config.isReplica else {
            throw APIError(.conflict, "read_only_replica", "this kbqd serves a replica (replica_refresh_seconds is set): reindex on the primary")
        }
        var full = req.value("full").map { $0 == "1" || $0 == "true" } ?? false
        var paths: [String]?
        if !req.body.isEmpty {
            guard let b = try? JSONDecoder().decode(ReindexBody.self, from: Data(req.body)) else {
                throw APIError(.badRequest, "bad_json", #"expected {"full": true|false} or {"paths": ["corpus/relative/file.md", …]}"#)
            }
            full = b.full ?? full
            paths = b.paths
        }
        if let paths {
            guard !full else { throw APIError(.badRequest, "bad_parameter", "`paths` and `full` exclude each other", parameter: "paths") }
            guard !paths.isEmpty, paths.count <= maxReindexPaths else {
                throw APIError(.badRequest, "bad_parameter", "`paths` lists 1 to \(maxReindexPaths) files", parameter: "paths")
            }
            if let bad = paths.first(where: { !CorpusLoader.isEntryPath($0) }) {
                throw APIError(.badRequest, "bad_parameter",
                               "`\(bad.prefix(200))` is not an entry file of the corpus: a relative path to a .md file outside _data, without `..`",
                               parameter: "paths")
            }
        }
        let (task, started) = startReindex(engine, full: full, paths: paths)
        return .json(task, status: started ? .accepted : .ok)
    }

    /// Starts a reindex (or returns the running one), counting its outcome in the metrics.
    public static func startReindex(_ engine: Engine, full: Bool, paths: [String]? = nil) -> (ReindexStatus, Bool) {
        engine.reindexer.start(full: full, paths: paths) { done in
            engine.metrics.reindexes.increment()
            if done.state == .failed {
                engine.metrics.reindexFailures.increment()
                engine.logger.error("reindex \(done.id) failed: \(done.error ?? "?")")
            } else {
                let r = done.report
                if let n = r?.documents { engine.metrics.documents.set(Double(n)) }
                engine.logger.notice("reindex \(done.id) done: +\(r?.added ?? 0) ~\(r?.changed ?? 0) -\(r?.removed ?? 0), generation \(done.generation ?? "?")")
            }
        }
    }
}

/// Who may change the index: root, kbqd's own user, members of the configured admin group.
enum Admin {
    static func require(_ peer: PeerCredentials?, _ config: ServerConfig) throws {
        guard let peer else {
            throw APIError(.forbidden, "forbidden", "admin calls need a Unix-socket peer whose credentials can be checked")
        }
        if peer.uid == 0 || peer.uid == getuid() { return }
        if let g = config.adminGroup, peer.gid == g || peer.groups.contains(g) { return }
        throw APIError(.forbidden, "forbidden", "uid \(peer.uid) may search but not change the index (admins: root, kbqd's user\(config.adminGroup.map { ", group \($0)" } ?? ""))")
    }
}
