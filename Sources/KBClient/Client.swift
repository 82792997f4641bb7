import Foundation
import KBProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client for kbqd's Unix socket, on NIO's HTTP codec.
public struct KBClient: Sendable {
    public let socket: String

    public struct Response: Sendable {
        public let status: Int
        public let body: [UInt8]
        /// The error body, when kbqd answered with one.
        public var error: ErrorBody.Detail? { try? JSONDecoder().decode(ErrorBody.self, from: Data(body)).error }
    }

    public enum ClientError: Error, CustomStringConvertible {
        /// Nothing listens at any of the sockets tried.
        case unavailable(tried: [String])
        case protocolError(String)
        public var description: String {
            switch self {
            case .unavailable(let tried): "kbqd is not running (looked for " + tried.joined(separator: ", ") + ")"
            case .protocolError(let m): m
            }
        }
    }

    /// Connects to the first socket of `SocketPath.candidates(flag:)` that exists.
    public static func locate(flag: String?) throws -> KBClient {
        let candidates = SocketPath.candidates(flag: flag)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ClientError.unavailable(tried: candidates)
        }
        return KBClient(socket: found)
    }

    public init(socket: String) { self.socket = socket }

    public func get(_ path: String) async throws -> Response { try await send(.GET, path, body: nil) }
    public func post(_ path: String, json: [UInt8]) async throws -> Response { try await send(.POST, path, body: json) }

    public func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> Response {
        let collector = ResponseCollector()
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(collector)
                    }
                }
                .connect(unixDomainSocketPath: socket).get()
        } catch {
            throw ClientError.unavailable(tried: [socket])
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "localhost")
        headers.add(name: "Connection", value: "close")
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: "\(body.count)")
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        let (status, bytes) = try await collector.result.futureResult(on: channel.eventLoop).get()
        return Response(status: status, body: bytes)
    }
}

/// Gathers one response.
final class ResponseCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart

    final class Result: Sendable {
        let promise = NIOLockedValueBox<EventLoopPromise<(Int, [UInt8])>?>(nil)
        let state = NIOLockedValueBox<(status: Int, body: [UInt8], done: (Int, [UInt8])?, failed: Error?)>((0, [], nil, nil))

        func futureResult(on loop: EventLoop) -> EventLoopFuture<(Int, [UInt8])> {
            let p = loop.makePromise(of: (Int, [UInt8]).self)
            let (done, failed) = state.withLockedValue { ($0.done, $0.failed) }
            if let done { p.succeed(done) } else if let failed { p.fail(failed) } else { promise.withLockedValue { $0 = p } }
            return p.futureResult
        }

        func finish(_ r: Swift.Result<(Int, [UInt8]), Error>) {
            state.withLockedValue { s in
                switch r {
                case .success(let v): s.done = v
                case .failure(let e): s.failed = e
                }
            }
            if let p = promise.withLockedValue({ p -> EventLoopPromise<(Int, [UInt8])>? in defer { p = nil }; return p }) {
                p.completeWith(r)
            }
        }
    }

    let result = Result()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): result.state.withLockedValue { $0.status = Int(h.status.code) }
        case .body(var b): result.state.withLockedValue { $0.body += b.readBytes(length: b.readableBytes) ?? [] }
        case .end:
            let (status, body) = result.state.withLockedValue { ($0.status, $0.body) }
            result.finish(.success((status, body)))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        result.finish(.failure(KBClient.ClientError.protocolError("kbqd closed the connection before answering")))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        result.finish(.failure(error))
        context.close(promise: nil)
    }
}

/// One kept-alive HTTP/1.1 connection to kbqd, for callers that send many requests in a
/// row (chat tooling, benchmarks): no connect per request. Requests on one connection go
/// one at a time; open one connection per concurrent caller.
public final class KBConnection: Sendable {
    let channel: Channel
    let collector: KeepAliveCollector

    public static func open(socket: String) async throws -> KBConnection {
        let collector = KeepAliveCollector()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(collector)
                    }
                }
                .connect(unixDomainSocketPath: socket).get()
            return KBConnection(channel: channel, collector: collector)
        } catch {
            throw KBClient.ClientError.unavailable(tried: [socket])
        }
    }

    init(channel: Channel, collector: KeepAliveCollector) { self.channel = channel; self.collector = collector }

    public func post(_ path: String, json: [UInt8]) async throws -> KBClient.Response {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "localhost")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: "\(json.count)")
        let promise = channel.eventLoop.makePromise(of: (Int, [UInt8]).self)
        collector.expect(promise)
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: json))), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        let (status, body) = try await promise.futureResult.get()
        return KBClient.Response(status: status, body: body)
    }

    public func close() async { try? await channel.close() }
}

/// Gathers the response to the one request in flight on a kept-alive connection.
final class KeepAliveCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let state = NIOLockedValueBox<(promise: EventLoopPromise<(Int, [UInt8])>?, status: Int, body: [UInt8])>((nil, 0, []))

    func expect(_ p: EventLoopPromise<(Int, [UInt8])>) { state.withLockedValue { $0 = (p, 0, []) } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): state.withLockedValue { $0.status = Int(h.status.code) }
        case .body(var b): state.withLockedValue { $0.body += b.readBytes(length: b.readableBytes) ?? [] }
        case .end:
            let (p, status, body) = state.withLockedValue { s in defer { s.promise = nil }; return (s.promise, s.status, s.body) }
            p?.succeed((status, body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let p = state.withLockedValue { s in defer { s.promise = nil }; return s.promise }
        p?.fail(KBClient.ClientError.protocolError("kbqd closed the connection before answering"))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let p = state.withLockedValue { s in defer { s.promise = nil }; return s.promise }
        p?.fail(error)
        context.close(promise: nil)
    }
}
