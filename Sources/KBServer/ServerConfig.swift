import KBSearch
/// kbqd's settings: from the TOML file, then flags and environment (kbqd resolves them).
public struct ServerConfig: Sendable, Decodable, Equatable {
    public var corpus = "corpus"
    public var data = "data"
    public var socket = ""
    /// Search threads; each holds its own index handle. 0: one per core.
    public var workers = 0
    /// Numeric gid whose members may run admin calls (besides root and kbqd's own uid).
    public var adminGroup: UInt32?
    public var maxBodyBytes = 1 << 20
    public var maxQueryBytes = 4_096
    public var maxLimit = 100
    public var maxWindow = 1_000
    public var maxWildcardExpansion = 50
    public var queryTimeBudgetMs = 500
    public var maxConnections = 512
    /// Searches waiting for a worker beyond this get 503.
    public var maxQueuedSearches = 256
    /// A reindex fails (index untouched) when more files than this have errors.
    public var maxBadFiles = 50
    public var staleDays = 180
    /// Socket file mode when kbqd binds the socket itself.
    public var socketMode = "0660"
    /// Shards a build writes, and which are searched through xapian-tcpsrv (see `Shards`).
    public var shards = Shards()
    /// A read replica (its index arrives by xapian-replicate) looks for a new revision this
    /// often and never reindexes; 0: not a replica.
    public var replicaRefreshSeconds = 0
    public var isReplica: Bool { replicaRefreshSeconds > 0 }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case corpus, data, socket, workers, adminGroup = "admin_group", maxBodyBytes = "max_body_bytes"
        case maxQueryBytes = "max_query_bytes", maxLimit = "max_limit", maxWindow = "max_window"
        case maxWildcardExpansion = "max_wildcard_expansion", queryTimeBudgetMs = "query_time_budget_ms"
        case maxConnections = "max_connections", maxQueuedSearches = "max_queued_searches"
        case maxBadFiles = "max_bad_files", staleDays = "stale_days", socketMode = "socket_mode"
        case shards, remoteShards = "remote_shards", shardTimeoutMs = "shard_timeout_ms", partialResults = "partial_results"
        case replicaRefreshSeconds = "replica_refresh_seconds"
    }

    /// Every key is optional in the file: what it leaves out keeps its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ current: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? current }
        self.init()
        corpus = try value(.corpus, corpus)
        data = try value(.data, data)
        socket = try value(.socket, socket)
        workers = try value(.workers, workers)
        adminGroup = try c.decodeIfPresent(UInt32.self, forKey: .adminGroup)
        maxBodyBytes = try value(.maxBodyBytes, maxBodyBytes)
        maxQueryBytes = try value(.maxQueryBytes, maxQueryBytes)
        maxLimit = try value(.maxLimit, maxLimit)
        maxWindow = try value(.maxWindow, maxWindow)
        maxWildcardExpansion = try value(.maxWildcardExpansion, maxWildcardExpansion)
        queryTimeBudgetMs = try value(.queryTimeBudgetMs, queryTimeBudgetMs)
        maxConnections = try value(.maxConnections, maxConnections)
        maxQueuedSearches = try value(.maxQueuedSearches, maxQueuedSearches)
        maxBadFiles = try value(.maxBadFiles, maxBadFiles)
        staleDays = try value(.staleDays, staleDays)
        socketMode = try value(.socketMode, socketMode)
        replicaRefreshSeconds = try value(.replicaRefreshSeconds, replicaRefreshSeconds)
        shards.count = try value(.shards, shards.count)
        shards.timeoutMs = try value(.shardTimeoutMs, shards.timeoutMs)
        shards.partialResults = try value(.partialResults, shards.partialResults)
        for (key, address) in try value(.remoteShards, [String: String]()) {
            guard let n = Int(key), n >= 1, n < shards.count, let remote = Shards.Remote(address) else {
                throw DecodingError.dataCorruptedError(forKey: .remoteShards, in: c, debugDescription:
                    "remote_shards: `\(key) = \"\(address)\"` must map a shard number 1…shards-1 (shard 0 stays local) to \"host:port\"")
            }
            shards.remote[n] = remote
        }
        guard shards.count >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .shards, in: c, debugDescription: "shards must be 1 or more")
        }
    }
}
