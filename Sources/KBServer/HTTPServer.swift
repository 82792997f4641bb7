import Foundation
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import Synchronization

/// kbqd's HTTP/1.1 server on a Unix domain socket: NIO's HTTP codec decodes, the router
/// routes, handlers answer, `APIResponse` encodes. Limits: body size (413), connections
/// (503), idle connections closed after `idleTimeout`.
public final class HTTPServer: Sendable {
    public enum Listen: Sendable {
        /// Bind a socket file (refusing one a live server holds) with this mode.
        case path(String, mode: mode_t)
        /// A socket passed by systemd (socket activation).
        case inherited(Int32)
    }

    let router: Router
    let config: ServerConfig
    let metrics: Metrics
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let quiesce: ServerQuiescingHelper
    let channel = Mutex<Channel?>(nil)
    let open = Atomic<Int>(0)
    static let idleTimeout = TimeAmount.seconds(30)
    /// A request must arrive whole within this: the idle timeout sees decoded parts, so a
    /// body trickled one byte at a time would otherwise hold its connection for ever.
    static let requestDeadline = TimeAmount.seconds(60)

    public init(router: Router, config: ServerConfig, metrics: Metrics, logger: Logger, threads: Int = 1) {
        self.router = router
        self.config = config
        self.metrics = metrics
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        quiesce = ServerQuiescingHelper(group: group)
    }

    public func start(_ listen: Listen) async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelInitializer { [quiesce] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let n = open.wrappingAdd(1, ordering: .relaxed).newValue
                    metrics.connections.set(Double(n))
                    channel.closeFuture.whenComplete { [self] _ in
                        metrics.connections.set(Double(open.wrappingSubtract(1, ordering: .relaxed).newValue))
                    }
                    let sync = channel.pipeline.syncOperations
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    // A connection over the limit gets its 503 as soon as it asks, and one second
                    // to ask: idle ones beyond the limit must not pile up and use every descriptor.
                    try sync.addHandler(IdleStateHandler(readTimeout: n > config.maxConnections ? .seconds(1) : Self.idleTimeout))
                    try sync.addHandler(RequestHandler(router: router, config: config, metrics: metrics,
                                                       overloaded: n > config.maxConnections))
                }
            }
        let ch: Channel
        switch listen {
        case .inherited(let fd):
            ch = try await bootstrap.withBoundSocket(fd).get()
        case .path(let path, let mode):
            try Self.claim(path)
            ch = try await bootstrap.bind(unixDomainSocketPath: path).get()
            chmod(path, mode)
        }
        channel.withLock { $0 = ch }
    }

    /// A socket file can be taken over only if no server answers on it.
    static func claim(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        guard FileManager.default.fileExists(atPath: path) else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        _ = withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            path.utf8CString.withUnsafeBytes { buf.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(buf.count - 1))) }
        }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 { throw ServerError("another kbqd is already listening on \(path)") }
        unlink(path)  // stale: left by a server that died
    }

    /// Stops accepting, lets in-flight requests finish, closes connections. The event
    /// loops themselves end with the process: shutting the group down here races the
    /// quiescing helper's last close callbacks (NIO then reports work scheduled on a
    /// closed loop).
    public func shutdown() async {
        let promise = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: promise)
        try? await promise.futureResult.get()
    }

    /// Resolves once the listening socket is closed.
    public var closed: EventLoopFuture<Void>? { channel.withLock { $0?.closeFuture } }
}

public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Collects one request (head, body up to the limit), hands it to the router off the
/// event loop, writes the response. Keeps the connection's peer credentials.
final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: Router
    let config: ServerConfig
    let metrics: Metrics
    let overloaded: Bool
    var peer: PeerCredentials?
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false
    /// Closes the connection if the request in progress is not complete in time.
    var deadline: Scheduled<Void>?
    /// A 413 was sent as soon as the head announced too large a body: ignore the rest.
    var refused = false

    init(router: Router, config: ServerConfig, metrics: Metrics, overloaded: Bool) {
        self.router = router
        self.config = config
        self.metrics = metrics
        self.overloaded = overloaded
    }

    func channelActive(context: ChannelHandlerContext) {
        if let provider = context.channel as? SocketOptionProvider {
            let cred: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(level: .socket, name: .init(rawValue: UCred.option))
            let groups: EventLoopFuture<PeerGroups> = provider.unsafeGetSocketOption(level: .socket, name: .init(rawValue: PeerGroups.option))
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            cred.and(groups.map { $0.list }.recover { _ in [] }).whenSuccess { c, g in
                bound.value.peer = PeerCredentials(pid: c.pid, uid: c.uid, gid: c.gid, groups: g)
            }
        }
        context.fireChannelActive()
    }

    /// Malformed HTTP: NIO's error handler has answered 400 (with `Connection: close`); the
    /// connection must then go, not hold a slot until the idle timeout.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            guard !refused else { return }
            head = h
            body = []
            tooLarge = false
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: HTTPServer.requestDeadline) { channel.close(promise: nil) }
            // CONNECT would turn the connection into a tunnel; NIO encodes any answer to it
            // without a body, so the 405 ends with the connection.
            if h.method == .CONNECT {
                refuse(context, APIError(.methodNotAllowed, "method_not_allowed", "CONNECT is not supported"), head: h)
                return
            }
            // Answer at once, not after reading (and discarding) a body that may never end.
            if let len = h.headers.first(name: "content-length").flatMap(Int.init), len > config.maxBodyBytes {
                refuse(context, APIError(.payloadTooLarge, "too_large", "the request body is over \(config.maxBodyBytes) bytes"), head: h)
            }
        case .body(var buf):
            if !tooLarge && !refused {
                if body.count + buf.readableBytes > config.maxBodyBytes { tooLarge = true; body = [] } else { body += buf.readBytes(length: buf.readableBytes) ?? [] }
            }
        case .end:
            deadline?.cancel()
            guard !refused, let head else { return }
            self.head = nil
            metrics.requests.increment()
            if overloaded {
                metrics.rejected.increment()
                write(context, APIError(.serviceUnavailable, "overloaded", "too many connections (limit \(config.maxConnections)); retry shortly").response,
                      head: head, close: true)
                return
            }
            if tooLarge {
                write(context, APIError(.payloadTooLarge, "too_large", "the request body is over \(config.maxBodyBytes) bytes").response,
                      head: head, close: true)
                return
            }
            let request = APIRequest(method: head.method, uri: head.uri,
                                     headers: head.headers.map { ($0.name, $0.value) }, body: body, peer: peer)
            body = []
            let promise = context.eventLoop.makePromise(of: APIResponse.self)
            promise.completeWithTask { [router] in await router.handle(request) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                let (handler, ctx) = bound.value
                handler.write(ctx, response, head: head, close: !head.isKeepAlive)
            }
        }
    }

    /// Answers from the head alone and closes; the rest of the request is ignored.
    func refuse(_ context: ChannelHandlerContext, _ error: APIError, head: HTTPRequestHead) {
        refused = true
        deadline?.cancel()
        write(context, error.response, head: head, close: true)
    }

    func write(_ context: ChannelHandlerContext, _ r: APIResponse, head: HTTPRequestHead, close: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: r.contentType)
        headers.add(name: "Content-Length", value: "\(r.body.count)")
        for (n, v) in r.headers { headers.add(name: n, value: v) }
        if close { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: r.status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: r.body)))), promise: nil)
        }
        let done = context.writeAndFlushPromise()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if close { done.futureResult.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }
}

/// Linux's `struct ucred` (Glibc hides it behind _GNU_SOURCE), read with SO_PEERCRED.
struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    static let option: Int32 = 17  // SO_PEERCRED
}

/// The peer's supplementary groups at connect time, read with SO_PEERGROUPS (Linux 4.13):
/// no look into /proc (which `ProtectProc=invisible` hides and a reused pid would fool).
/// Room for 64 groups; a peer in more gets ERANGE and counts as in none.
struct PeerGroups: Sendable {
    var gids = SIMD64<UInt32>()
    static let option: Int32 = 59  // SO_PEERGROUPS
    /// NIO zero-fills the buffer and drops the returned length: zeros are padding, so
    /// group 0 is never taken from this list (root's group counts as the primary gid only).
    var list: [UInt32] { gids.indices.map { gids[$0] }.filter { $0 != 0 } }
}

private extension ChannelHandlerContext {
    func writeAndFlushPromise() -> EventLoopPromise<Void> { eventLoop.makePromise() }
}
