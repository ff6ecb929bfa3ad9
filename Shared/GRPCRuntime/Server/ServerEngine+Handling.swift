import Logging

/// Running a call: its context, then the interceptors and the handler.
extension ServerEngine {
    // MARK: Handler chain

    func intercept(call: ServerCall, context: ServerContext, index: Int) async throws -> [UInt8]? {
        if index == interceptors.count {
            return try await call.method.invoke(call, context)
        }
        var response: [UInt8]?
        try await interceptors[index].intercept(context: context) { context in
            response = try await intercept(call: call, context: context, index: index + 1)
        }
        return response
    }

    /// The handler's context and the trace its Task carries.
    func makeContext(for call: ServerCall) -> (ServerContext, TraceContext) {
        var caller: CallerIdentity?
        if configuration.isDevelopmentPlaintext {
            caller = call.requestMetadata.first("x-dev-caller")
                .flatMap { CallerIdentity(spiffeID: $0, trustDomain: configuration.trustDomain) }
        } else if let id = PeerIdentity.spiffeID(of: call.pointer) {
            caller = CallerIdentity(spiffeID: id, trustDomain: configuration.trustDomain)
        }
        let trace = TraceContext(incoming: call.requestMetadata.first(TraceContext.metadataKey))
        let traceID = trace.traceID
        let logger: Logger
        if let callLogger {
            logger = callLogger
        } else {
            var perCall = configuration.logger
            perCall[metadataKey: "trace.id"] = .string(traceID)
            perCall[metadataKey: "rpc.method"] = .string(call.method.descriptor.path)
            logger = perCall
        }
        let context = ServerContext(method: call.method.descriptor, requestMetadata: call.requestMetadata,
                                    deadline: call.deadline, caller: caller, logger: logger, traceID: traceID,
                                    response: call.response)
        return (context, trace)
    }
}
