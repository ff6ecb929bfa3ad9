// The floor of benchmarks/grpc/run.sh: the same unary echo as EchoServer, written
// directly on the C core with nothing of the runtime: raw byte buffers, two
// completion-queue threads, the request read with the call
// (GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER), one Swift Task per call (on the
// global executor) that starts one batch (headers, message, OK status, receive
// close). No interceptors, no metadata parsing, no generated types: the payload
// field is cut out of the SimpleRequest bytes by hand. What the runtime costs on
// top of the core is EchoServer's CPU per request minus this one's.
// Prints `PORT <port>`; serves until SIGTERM or SIGINT.
// Usage: BareEchoServer [PORT]   (0 or none: any free port)
import CGRPCBare

#if canImport(Glibc)
import Glibc
#endif

/// Something the core reports on a completion queue: retained when handed
/// to the core, released once when the queue thread reads it.
class Tag: @unchecked Sendable {
    func complete(success: Bool) {}
}

/// One pending `grpc_server_request_registered_call`, armed again with the
/// same slots each time it completes.
final class Request: Tag, @unchecked Sendable {
    let server: OpaquePointer
    let method: UnsafeMutableRawPointer
    let queue: OpaquePointer
    var call: OpaquePointer?
    var deadline = gpr_timespec()
    var metadata = grpc_metadata_array()
    var payload: UnsafeMutablePointer<grpc_byte_buffer>?

    init(server: OpaquePointer, method: UnsafeMutableRawPointer, queue: OpaquePointer) {
        self.server = server
        self.method = method
        self.queue = queue
        super.init()
        grpc_metadata_array_init(&metadata)
    }

    func arm() {
        let tag = Unmanaged.passRetained(self).toOpaque()
        let error = grpc_server_request_registered_call(server, method, &call, &deadline, &metadata, &payload,
                                                        queue, queue, tag)
        if error != GRPC_CALL_OK { Unmanaged<Request>.fromOpaque(tag).release() }
    }

    override func complete(success: Bool) {
        guard success, let call else { return }
        let payload = self.payload
        self.call = nil
        self.payload = nil
        grpc_metadata_array_destroy(&metadata)
        grpc_metadata_array_init(&metadata)
        arm()
        let request = payload.map(readAll) ?? []
        if let payload { grpc_byte_buffer_destroy(payload) }
        let answer = Answer(call: call)
        Task { answer.send(echo(request)) }
    }
}

/// One call's only batch (headers, message, status, receive close); it owns the call.
final class Answer: Tag, @unchecked Sendable {
    let call: OpaquePointer
    var buffer: UnsafeMutablePointer<grpc_byte_buffer>?
    let cancelled = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    init(call: OpaquePointer) { self.call = call }

    deinit {
        if let buffer { grpc_byte_buffer_destroy(buffer) }
        cancelled.deallocate()
        grpc_call_unref(call)
    }

    func send(_ response: [UInt8]) {
        var slice = response.withUnsafeBytes { grpc_slice_from_copied_buffer($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count) }
        buffer = grpc_raw_byte_buffer_create(&slice, 1)
        grpc_slice_unref(slice)
        var ops = [grpc_op](repeating: grpc_op(), count: 4)
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA
        ops[1].op = GRPC_OP_SEND_MESSAGE
        ops[1].data.send_message.send_message = buffer
        ops[2].op = GRPC_OP_SEND_STATUS_FROM_SERVER
        ops[2].data.send_status_from_server.status = GRPC_STATUS_OK
        ops[3].op = GRPC_OP_RECV_CLOSE_ON_SERVER
        ops[3].data.recv_close_on_server.cancelled = cancelled
        let tag = Unmanaged.passRetained(self).toOpaque()
        if grpc_call_start_batch(call, &ops, 4, tag, nil) != GRPC_CALL_OK { Unmanaged<Answer>.fromOpaque(tag).release() }
    }
}

func readAll(_ buffer: UnsafeMutablePointer<grpc_byte_buffer>) -> [UInt8] {
    var reader = grpc_byte_buffer_reader()
    guard grpc_byte_buffer_reader_init(&reader, buffer) != 0 else { return [] }
    var slice = grpc_byte_buffer_reader_readall(&reader)
    grpc_byte_buffer_reader_destroy(&reader)
    defer { grpc_slice_unref(slice) }
    return Array(UnsafeBufferPointer(start: cgrpc_bare_slice_start(&slice), count: cgrpc_bare_slice_length(&slice)))
}

/// SimpleRequest -> SimpleResponse by hand: the request's field 3 (payload)
/// becomes the response's field 1. Short varints only (a 64-byte payload).
func echo(_ request: [UInt8]) -> [UInt8] {
    var index = 0
    while index + 1 < request.count {
        let key = request[index], length = Int(request[index + 1])
        switch key & 7 {
        case 0: index += 2
        case 2 where key >> 3 == 3: return [0x0a, UInt8(length)] + request[(index + 2)..<min(request.count, index + 2 + length)]
        case 2: index += 2 + length
        default: return []
        }
    }
    return []
}

/// The thread that drains one queue (a function, not top-level code: that would run on the main actor).
func startThread(draining queue: OpaquePointer) {
    var thread = pthread_t()
    pthread_create(&thread, nil, { queue in
        let queue = OpaquePointer(queue!)
        while true {
            let event = grpc_completion_queue_next(queue, gpr_inf_future(GPR_CLOCK_REALTIME), nil)
            guard event.type == GRPC_OP_COMPLETE, let tag = event.tag else { break }
            Unmanaged<Tag>.fromOpaque(tag).takeRetainedValue().complete(success: event.success != 0)
        }
        return nil
    }, UnsafeMutableRawPointer(queue))
}

var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGTERM)
sigaddset(&signals, SIGINT)
pthread_sigmask(SIG_BLOCK, &signals, nil)  // inherited by every thread

grpc_init()
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
let server = grpc_server_create(nil, nil)!
let queues = (0..<2).map { _ in grpc_completion_queue_create_for_next(nil)! }
for queue in queues { grpc_server_register_completion_queue(server, queue, nil) }
let method = grpc_server_register_method(server, "/grpc.testing.TestService/UnaryCall", nil,
                                         GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0)!
let credentials = grpc_insecure_server_credentials_create()
let bound = grpc_server_add_http2_port(server, "127.0.0.1:\(port)", credentials)
grpc_server_credentials_release(credentials)
guard bound > 0 else { fatalError("could not listen on port \(port)") }
grpc_server_start(server)
for queue in queues {
    for _ in 0..<8 { Request(server: server, method: method, queue: queue).arm() }
    startThread(draining: queue)
}
print("PORT \(bound)")
fflush(nil)
var received: Int32 = 0
sigwait(&signals, &received)
_exit(0)  // no static destructors while the core's threads run
