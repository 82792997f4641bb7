import ArgumentParser
import Foundation
import KBClient
import KBProtocol

extension SocketOption {
    /// Tries the candidate sockets in order: a stale file left at the system path does
    /// not hide a user's own kbqd.
    static func send(flag: String?, _ method: String, _ path: String, json: [UInt8]?) async throws -> KBClient.Response {
        let candidates = SocketPath.candidates(flag: flag).filter { FileManager.default.fileExists(atPath: $0) }
        for socket in candidates {
            let client = KBClient(socket: socket)
            do {
                return method == "POST" ? try await client.post(path, json: json ?? []) : try await client.get(path)
            } catch KBClient.ClientError.unavailable {
                continue
            }
        }
        throw KBClient.ClientError.unavailable(tried: SocketPath.candidates(flag: flag))
    }
}

/// Exit statuses (docs/cli.md): sysexits where one fits.
enum Exit {
    static let findings: Int32 = 1       // problems found, placeholders unfilled, taboo hits
    static let dataError: Int32 = 65     // kbqd refused the request (4xx)
    static let noInput: Int32 = 66       // corpus folder missing
    static let unavailable: Int32 = 69   // kbqd not running
    static let software: Int32 = 70      // kbqd failed (5xx)
    static let tempFail: Int32 = 75      // kbqd overloaded (503)
    static let noPerm: Int32 = 77        // not allowed (403)
}

/// The `--socket` option every daemon command shares.
struct SocketOption: ParsableArguments {
    @Option(help: "kbqd's socket (default: KBQ_SOCKET, /run/kbq/kbq.sock, $XDG_RUNTIME_DIR/kbq/kbq.sock).")
    var socket: String?

    /// Sends a request; prints a one-line message and exits non-zero on any failure.
    func call(_ method: String, _ path: String, json: [UInt8]? = nil, accept: Set<Int> = [200]) async throws -> KBClient.Response {
        let out = Output.current()
        do {
            let r = try await Self.send(flag: socket, method, path, json: json)
            if accept.contains(r.status) { return r }
            let message = r.error.map { "\($0.message)" + ($0.parameter.map { " (\($0))" } ?? "") } ?? "HTTP \(r.status)"
            printError("kbq: \(message)")
            throw ExitCode(r.status == 403 ? Exit.noPerm : r.status == 503 ? Exit.tempFail : r.status >= 500 ? Exit.software : Exit.dataError)
        } catch KBClient.ClientError.unavailable(let tried) {
            // A socket that is there but not ours to use: say so rather than "not running".
            if let denied = tried.first(where: { FileManager.default.fileExists(atPath: $0) && access($0, R_OK | W_OK) != 0 }) {
                printError("kbq: permission denied on \(denied) (is your user in kbqd's group, e.g. kbq?)")
                throw ExitCode(Exit.noPerm)
            }
            printError("kbq: \(out.t(.notRunning)) (\(tried.joined(separator: ", "))); \(out.t(.startHint))")
            throw ExitCode(Exit.unavailable)
        } catch let e as KBClient.ClientError {
            printError("kbq: \(e)")
            throw ExitCode(Exit.software)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

func decode<T: Decodable>(_ type: T.Type, _ r: KBClient.Response) throws -> T {
    do { return try JSONDecoder().decode(type, from: Data(r.body)) } catch {
        printError("kbq: kbqd sent a response this kbq cannot read: \(error)")
        throw ExitCode(Exit.software)
    }
}

func printJSON(_ r: KBClient.Response) {
    FileHandle.standardOutput.write(Data(r.body))
}

/// Percent-encodes a query-string value.
func q(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
}
