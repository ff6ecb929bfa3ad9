import GRPCRuntime
import Logging

/// Raw bytes on the wire. Payloads starting with 0xFF do not decode, so
/// tests can send a malformed request.
struct Bytes: WireMessage, Equatable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ text: String) { self.bytes = Array(text.utf8) }

    init(serializedBytes: [UInt8]) throws {
        if serializedBytes.first == 0xFF { throw Malformed() }
        bytes = serializedBytes
    }

    func serializedBytes() throws -> [UInt8] { bytes }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    struct Malformed: Error {}
}

enum Echo {
    static let service = "test.Echo"
    static let get = MethodDescriptor(service: service, method: "Get", kind: .unary)
    static let expand = MethodDescriptor(service: service, method: "Expand", kind: .serverStreaming)
    static let collect = MethodDescriptor(service: service, method: "Collect", kind: .clientStreaming)
    static let update = MethodDescriptor(service: service, method: "Update", kind: .bidirectionalStreaming)
    static let fail = MethodDescriptor(service: service, method: "Fail", kind: .unary)
    static let sleep = MethodDescriptor(service: service, method: "Sleep", kind: .unary)
    static let whoAmI = MethodDescriptor(service: service, method: "WhoAmI", kind: .unary)
}

/// Echoes requests; `Fail` throws field violations; `Sleep` waits for the
/// number of milliseconds in its payload (as text), watching cancellation.
struct EchoService: ServiceProvider {
    let observer: HandlerObserver

    init(observer: HandlerObserver = HandlerObserver()) { self.observer = observer }

    var methods: [ServerMethod] {
        [
            .unary(Echo.get) { (request: Bytes, context: ServerContext) in
                if let value = context.requestMetadata.first("x-echo") {
                    context.response.addHeaders(["x-echo": .string(value)])
                }
                if let value = context.requestMetadata.firstBinary("x-echo-bin") {
                    context.response.addTrailers(["x-echo-bin": .binary(value)])
                }
                return request
            },
            .serverStreaming(Echo.expand) { (request: Bytes, writer: ResponseStreamWriter<Bytes>, _: ServerContext) in
                for word in request.text.split(separator: " ") {
                    try await writer.send(Bytes(String(word)))
                }
            },
            .clientStreaming(Echo.collect) { (requests: RequestStream<Bytes>, _: ServerContext) in
                var words: [String] = []
                for try await request in requests { words.append(request.text) }
                return Bytes(words.joined(separator: " "))
            },
            .bidirectionalStreaming(Echo.update) { (requests: RequestStream<Bytes>, writer: ResponseStreamWriter<Bytes>, _: ServerContext) in
                for try await request in requests {
                    try await writer.send(Bytes("echo " + request.text))
                }
            },
            .unary(Echo.fail) { (_: Bytes, _: ServerContext) -> Bytes in
                throw RPCError(.invalidArgument, "two fields are wrong", fieldViolations: [
                    FieldViolation(field: "person.date_of_birth", description: "must not be in the future"),
                    FieldViolation(field: "document.number", description: "must be 8 or 9 characters"),
                ])
            },
            .unary(Echo.sleep) { [observer] (request: Bytes, context: ServerContext) -> Bytes in
                observer.started(deadline: context.deadline)
                do {
                    try await Task.sleep(for: .milliseconds(Int(request.text) ?? 0))
                } catch {
                    observer.cancelled()
                    throw error
                }
                observer.finished()
                return request
            },
            .unary(Echo.whoAmI) { (_: Bytes, context: ServerContext) in
                Bytes(context.caller.map { "\($0.role.rawValue) \($0.id)" } ?? "anonymous")
            },
        ]
    }
}
