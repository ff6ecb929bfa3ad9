#if canImport(Glibc)
import Glibc
#endif

/// A plaintext HTTP/2 peer that writes frames by hand, for what no gRPC
/// client does on purpose: a request whose stream is reset, or whose
/// connection closes, before its message arrives (as h2load's streams do
/// when a timed run ends).
final class RawHTTP2Client {
    private let socket: Int32

    /// Connects to 127.0.0.1:`port` and sends the connection preface and empty settings.
    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTP2Error("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw RawHTTP2Error("connect failed")
        }
        try write(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8))
        try frame(type: 0x4, flags: 0, stream: 0, payload: [])
        try frame(type: 0x4, flags: 0x1, stream: 0, payload: [])  // acknowledges the server's settings
    }

    deinit { close(socket) }

    /// Request headers of a gRPC call to `path` on `stream` (odd, increasing).
    func sendHeaders(stream: UInt32, path: String, endStream: Bool = false) throws {
        var block: [UInt8] = []
        for (name, value) in [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
                              ("content-type", "application/grpc"), ("te", "trailers")] {
            block.append(0x00)  // literal header field without indexing, new name
            block.append(UInt8(name.utf8.count))
            block.append(contentsOf: name.utf8)
            block.append(UInt8(value.utf8.count))
            block.append(contentsOf: value.utf8)
        }
        try frame(type: 0x1, flags: 0x4 | (endStream ? 0x1 : 0), stream: stream, payload: block)
    }

    /// One gRPC message (uncompressed) in a DATA frame that ends the stream.
    func sendMessage(stream: UInt32, _ message: [UInt8]) throws {
        let length = UInt32(message.count)
        let prefix: [UInt8] = [0, UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
        try frame(type: 0x0, flags: 0x1, stream: stream, payload: prefix + message)
    }

    /// A DATA frame carrying raw bytes.
    func sendData(stream: UInt32, _ bytes: [UInt8], endStream: Bool) throws {
        try frame(type: 0x0, flags: endStream ? 0x1 : 0, stream: stream, payload: bytes)
    }

    /// RST_STREAM with an HTTP/2 error code (0x8 is CANCEL).
    func resetStream(_ stream: UInt32, errorCode: UInt32 = 0x8) throws {
        try frame(type: 0x3, flags: 0, stream: stream, payload: bigEndian(errorCode))
    }

    /// Closes the connection without GOAWAY.
    func disconnect() { shutdown(socket, Int32(SHUT_RDWR)) }

    /// The frame headers that arrived until the server closed the connection or `seconds` passed.
    func readFrames(seconds: Int) -> [(type: UInt8, flags: UInt8, stream: UInt32)] {
        let bytes = readAll(seconds: seconds)
        var frames: [(type: UInt8, flags: UInt8, stream: UInt32)] = []
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            let stream = bytes[offset + 5..<offset + 9].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7fff_ffff
            frames.append((bytes[offset + 3], bytes[offset + 4], stream))
            offset += 9 + length
        }
        return frames
    }

    /// Reads until the server closes the connection or `seconds` pass; returns what arrived.
    private func readAll(seconds: Int) -> [UInt8] {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return received }
            received.append(contentsOf: chunk[0..<count])
        }
    }

    private func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) throws {
        let length = UInt32(payload.count)
        let header: [UInt8] = [UInt8(length >> 16), UInt8((length >> 8) & 0xff), UInt8(length & 0xff), type, flags]
        try write(header + bigEndian(stream & 0x7fff_ffff) + payload)
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawHTTP2Error("send failed") }
            offset += sent
        }
    }
}

struct RawHTTP2Error: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
