import Foundation
import NIOHTTP1

/// A decoded HTTP request: what handlers see. No socket, so handlers are testable alone.
public struct APIRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    /// Query parameters; a name may repeat (`kind=policy&kind=case`).
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The connecting process, from SO_PEERCRED; nil when unknown.
    public var peer: PeerCredentials?

    public init(method: HTTPMethod, uri: String, headers: [(String, String)] = [], body: [UInt8] = [], peer: PeerCredentials? = nil) {
        self.method = method
        let comps = URLComponents(string: uri.hasPrefix("/") ? "http://localhost" + uri : uri)
        path = comps?.percentEncodedPath.removingPercentEncoding ?? uri
        // `+` is a space in form-encoded query strings.
        query = (comps?.percentEncodedQueryItems ?? []).map {
            ($0.name.removingPercentEncoding ?? $0.name,
             ($0.value ?? "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "")
        }
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    public func values(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
    public func value(_ name: String) -> String? { values(name).last }
}

/// Who is on the other end of the Unix socket.
public struct PeerCredentials: Sendable, Equatable, Codable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups (SO_PEERGROUPS), group 0 left out.
    public var groups: [UInt32] = []
}

public struct APIResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(String, String)] = []

    public init(status: HTTPResponseStatus = .ok, contentType: String = "application/json", body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A JSON response: snake_case keys as the types define them, stable key order.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> APIResponse {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? enc.encode(value)).map(Array.init) ?? Array(#"{"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        return APIResponse(status: status, body: body + [0x0A])
    }
}

/// An error answered as `{"error": {"code", "message", "parameter"?}}` with its status.
/// Codes are stable machine names; messages are for people and may change.
public struct APIError: Error, Sendable, Encodable {
    public var status: HTTPResponseStatus
    public var code: String
    public var message: String
    public var parameter: String?

    public init(_ status: HTTPResponseStatus, _ code: String, _ message: String, parameter: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    public static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, "bad_parameter", message, parameter: name)
    }

    enum CodingKeys: String, CodingKey { case code, message, parameter }
    struct Envelope: Encodable { let error: APIError }

    public var response: APIResponse { .json(Envelope(error: self), status: status) }
}
