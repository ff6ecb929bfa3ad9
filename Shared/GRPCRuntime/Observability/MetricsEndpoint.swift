import CGRPC
import Synchronization

/// A tiny HTTP/1.1 server on its own thread that answers `GET /metrics`
/// with the Prometheus text of a `PrometheusMetrics`, on a port apart from
/// the gRPC one. One request per connection; anything else gets 404 or 405.
///
/// Connections are served one at a time, each with a 5-second read timeout:
/// enough for a scraper, and no thread per connection.
/// Ownership: the listening socket is opened by `start`; `stop` shuts it
/// down, which ends the accept thread, and that thread closes it (so the
/// descriptor cannot be reused while the thread may still use it).
public final class MetricsEndpoint: Sendable {
    private let metrics: PrometheusMetrics
    private let host: String
    private let requestedPort: Int
    private let socket = Mutex<Int32>(-1)
    private let boundPort = Atomic<Int>(0)

    /// `host` is an IPv4 address (`0.0.0.0` for all interfaces); port 0 picks a free one.
    public init(metrics: PrometheusMetrics, host: String = "0.0.0.0", port: Int) {
        self.metrics = metrics
        self.host = host
        requestedPort = port
    }

    /// The bound port, once started.
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Binds and starts serving on a thread of its own.
    public func start() throws {
        let fd = CGRPC.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeError("metrics endpoint: cannot open a socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requestedPort).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw RuntimeError("metrics endpoint: \(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw RuntimeError("metrics endpoint: cannot listen on \(host):\(requestedPort)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        boundPort.store(Int(UInt16(bigEndian: address.sin_port)), ordering: .relaxed)
        socket.withLock { $0 = fd }
        DetachedThread.start(name: "metrics-http") { [self] in acceptLoop(fd) }
    }

    /// Stops accepting and closes the socket.
    public func stop() {
        let fd = socket.withLock { fd -> Int32 in
            defer { fd = -1 }
            return fd
        }
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if cgrpc_errno() == EINTR { continue }
                close(listener)
                return
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            respond(on: connection)
            close(connection)
        }
    }

    private func respond(on connection: Int32) {
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16384 {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { break }
            request.append(contentsOf: buffer[0..<count])
            if request.count >= 4, request.suffix(4).elementsEqual("\r\n\r\n".utf8) { break }
            if request.firstRange(of: Array("\r\n\r\n".utf8)) != nil { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let status: String
        var body = ""
        var contentType = "text/plain; charset=utf-8"
        if parts.count < 2 {
            status = "400 Bad Request"
        } else if parts[0] != "GET" && parts[0] != "HEAD" {
            status = "405 Method Not Allowed"
        } else if parts[1] != "/metrics" && !parts[1].hasPrefix("/metrics?") {
            status = "404 Not Found"
        } else {
            status = "200 OK"
            body = metrics.render()
            contentType = "text/plain; version=0.0.4; charset=utf-8"
        }
        let bodyBytes = parts.first == "HEAD" ? [] : Array(body.utf8)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let response = Array(head.utf8) + bodyBytes
        var sent = 0
        while sent < response.count {
            let count = response[sent...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            sent += count
        }
    }
}
