import CGRPC

/// The operations a batch can hold: at most one of each kind.
extension Batch {
    func sendInitialMetadata(_ metadata: Metadata, flags: UInt32 = 0) {
        let outgoing = OutgoingMetadata(metadata)
        outgoingHeaders = outgoing
        var op = grpc_op()
        op.op = GRPC_OP_SEND_INITIAL_METADATA
        op.flags = flags
        op.data.send_initial_metadata.count = outgoing.count
        op.data.send_initial_metadata.metadata = outgoing.entries
        append(op)
    }

    func sendMessage(_ bytes: [UInt8]) {
        sendMessage(OutgoingMessage(bytes))
    }

    /// Takes `message` over: its buffer is destroyed with this batch.
    func sendMessage(_ message: OutgoingMessage) {
        sendBuffer = message.buffer
        var op = grpc_op()
        op.op = GRPC_OP_SEND_MESSAGE
        op.data.send_message.send_message = message.buffer
        append(op)
    }

    func sendCloseFromClient() {
        var op = grpc_op()
        op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT
        append(op)
    }

    func sendStatus(_ code: StatusCode, message: String, trailingMetadata: Metadata) {
        let outgoing = OutgoingMetadata(trailingMetadata)
        outgoingTrailers = outgoing
        // No message, no `grpc-message` trailer: the core adds one whenever it
        // is given details, even empty ones, and encodes it with every
        // response (the C++ API passes none for an empty message too).
        statusMessage = message.isEmpty ? nil : message
        var op = grpc_op()
        op.op = GRPC_OP_SEND_STATUS_FROM_SERVER
        op.data.send_status_from_server.status = grpc_status_code(rawValue: code.rawValue)
        op.data.send_status_from_server.trailing_metadata_count = outgoing.count
        op.data.send_status_from_server.trailing_metadata = outgoing.entries
        append(op)
    }

    func receiveInitialMetadata() {
        receivesInitialMetadata = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_INITIAL_METADATA
        op.data.recv_initial_metadata.recv_initial_metadata = field(Offset.initialMetadata)
        append(op)
    }

    func receiveMessage() {
        receivesMessage = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_MESSAGE
        op.data.recv_message.recv_message = field(Offset.message)
        append(op)
    }

    func receiveStatusOnClient() {
        receivesStatus = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_STATUS_ON_CLIENT
        op.data.recv_status_on_client.trailing_metadata = field(Offset.trailingMetadata)
        op.data.recv_status_on_client.status = field(Offset.status)
        op.data.recv_status_on_client.status_details = field(Offset.statusDetails)
        op.data.recv_status_on_client.error_string = field(Offset.errorString)
        append(op)
    }

    func receiveCloseOnServer() {
        receivesClose = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_CLOSE_ON_SERVER
        op.data.recv_close_on_server.cancelled = field(Offset.cancelled)
        append(op)
    }
}
