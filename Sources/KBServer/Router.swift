import NIOHTTP1

/// Maps method and path to a handler. Path patterns use `{name}` for one segment.
public struct Router: Sendable {
    public typealias Handler = @Sendable (APIRequest, [String: String]) async throws -> APIResponse

    struct Route: Sendable {
        let method: HTTPMethod
        let segments: [String]
        let handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/").map(String.init), handler: handler))
    }

    /// The handler's response; 404 for an unknown path, 405 for a known path and another
    /// method; an `APIError` thrown by a handler becomes its JSON body; anything else is a
    /// bug: 500.
    public func handle(_ request: APIRequest) async -> APIResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        var allowed: [String] = []
        for route in routes {
            guard let params = Self.match(route.segments, parts) else { continue }
            guard route.method == request.method || (request.method == .HEAD && route.method == .GET) else {
                allowed.append("\(route.method)")
                continue
            }
            do {
                return try await route.handler(request, params)
            } catch let e as APIError {
                return e.response
            } catch {
                return APIError(.internalServerError, "internal", "internal error: \(error)").response
            }
        }
        if !allowed.isEmpty {
            var r = APIError(.methodNotAllowed, "method_not_allowed",
                             "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))").response
            r.headers.append(("Allow", allowed.joined(separator: ", ")))
            return r
        }
        return APIError(.notFound, "not_found", "no such endpoint: \(request.path) (see docs/protocol.md)").response
    }

    static func match(_ pattern: [String], _ parts: [String]) -> [String: String]? {
        guard pattern.count == parts.count else { return nil }
        var params: [String: String] = [:]
        for (p, v) in zip(pattern, parts) {
            if p.hasPrefix("{") && p.hasSuffix("}") { params[String(p.dropFirst().dropLast())] = v } else if p != v { return nil }
        }
        return params
    }
}
