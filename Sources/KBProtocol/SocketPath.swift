import Foundation

/// Where kbqd listens and kbq connects, in this order: `--socket`, `KBQ_SOCKET`,
/// `/run/kbq/kbq.sock` (the system service), `$XDG_RUNTIME_DIR/kbq/kbq.sock` (a user's own).
public enum SocketPath {
    public static let system = "/run/kbq/kbq.sock"

    static var user: String? {
        ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].map { $0 + "/kbq/kbq.sock" }
    }

    /// The sockets a client tries, first existing wins; `flag` and `KBQ_SOCKET` are taken as given.
    public static func candidates(flag: String?) -> [String] {
        if let flag { return [flag] }
        if let env = ProcessInfo.processInfo.environment["KBQ_SOCKET"], !env.isEmpty { return [env] }
        return [system] + (user.map { [$0] } ?? [])
    }

    /// The socket a daemon binds when not told: the system one when it may create it,
    /// else the user's runtime folder, else one under /tmp named for the user.
    public static func forDaemon() -> String {
        let dir = (system as NSString).deletingLastPathComponent
        if access(dir, W_OK) == 0 || (access("/run", W_OK) == 0 && !FileManager.default.fileExists(atPath: dir)) { return system }
        return user ?? "/tmp/kbq-\(getuid())/kbq.sock"
    }
}

/// The error body every kbqd error response carries.
public struct ErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var code: String
        public var message: String
        public var parameter: String?
    }
    public var error: Detail
}
