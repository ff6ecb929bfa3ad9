import CGRPC

/// The four kinds of call. Every error thrown is an `RPCError`.
extension Channel {
    public func unary<Req: WireMessage, Res: WireMessage>(
        _ method: MethodDescriptor, request: Req, options: CallOptions
    ) async throws -> Res {
        // Without interceptors, no closure, no captured result and no metadata read.
        if interceptors.isEmpty {
            return try await performUnary(method, request: request, options: options) { call in
                try call.response() as Res?
            }
        }
        var response: Res?
        try await intercepted(method, options) { options in
            response = try await performUnary(method, request: request, options: options) { call in
                try call.response() as Res?
            }
        }
        guard let response else { throw RPCError(.internalError, "an interceptor did not run the call") }
        return response
    }

    /// A unary call that also returns the response headers and trailers.
    public func unaryCall<Req: WireMessage, Res: WireMessage>(
        _ method: MethodDescriptor, request: Req, options: CallOptions
    ) async throws -> UnaryResponse<Res> {
        var response: UnaryResponse<Res>?
        try await intercepted(method, options) { options in
            response = try await performUnary(method, request: request, options: options) { call in
                try call.response().map {
                    UnaryResponse(message: $0, initialMetadata: call.initialMetadata, trailingMetadata: call.trailingMetadata)
                }
            }
        }
        guard let response else { throw RPCError(.internalError, "an interceptor did not run the call") }
        return response
    }

    public func serverStreaming<Req: WireMessage, Res: WireMessage, R: Sendable>(
        _ method: MethodDescriptor, request: Req, options: CallOptions,
        onResponse: @Sendable (ResponseStream<Res>) async throws -> R
    ) async throws -> R {
        var outcome: R?
        try await intercepted(method, options) { options in
            // The call first: should the encoding fail, releasing it unrefs
            // a call never started.
            let call = try makeCall(method, options: options)
            let message = try encodeRequest(request)
            outcome = try await withTaskCancellationHandler {
                try call.start(options: options, singleRequest: message)
                return try await finishStreaming(call, await onResponse(ResponseStream(call: call)))
            } onCancel: {
                call.cancel()
            }
        }
        guard let outcome else { throw RPCError(.internalError, "an interceptor did not run the call") }
        return outcome
    }

    public func clientStreaming<Req: WireMessage, Res: WireMessage>(
        _ method: MethodDescriptor, options: CallOptions,
        requests: @escaping @Sendable (RequestStreamWriter<Req>) async throws -> Void
    ) async throws -> Res {
        var response: Res?
        try await intercepted(method, options) { options in
            let call = try makeCall(method, options: options)
            response = try await withTaskCancellationHandler {
                try call.start(options: options, singleRequest: nil)
                // Received while the requests go out, so that a server ending
                // the call early is noticed while a send still waits.
                async let response = call.receiveMessage()
                do {
                    try await requests(RequestStreamWriter(call: call))
                    try await call.closeSend()
                } catch {
                    call.cancel()
                    _ = await response
                    throw await preferStatus(of: call, over: error)
                }
                let bytes = await response
                if let error = await call.status().error { throw error }
                guard let bytes else { throw missingResponse() }
                return try decodeResponse(bytes) as Res
            } onCancel: {
                call.cancel()
            }
        }
        guard let response else { throw RPCError(.internalError, "an interceptor did not run the call") }
        return response
    }

    public func bidirectionalStreaming<Req: WireMessage, Res: WireMessage, R: Sendable>(
        _ method: MethodDescriptor, options: CallOptions,
        requests: @escaping @Sendable (RequestStreamWriter<Req>) async throws -> Void,
        onResponse: @Sendable (ResponseStream<Res>) async throws -> R
    ) async throws -> R {
        var outcome: R?
        try await intercepted(method, options) { options in
            let call = try makeCall(method, options: options)
            outcome = try await withTaskCancellationHandler {
                try call.start(options: options, singleRequest: nil)
                let sender = Task {
                    do {
                        try await requests(RequestStreamWriter(call: call))
                        try await call.closeSend()
                    } catch is CancellationError {
                        call.cancel()
                        throw RPCError(.cancelled, "request stream cancelled")
                    } catch {
                        call.cancel()
                        throw error
                    }
                }
                do {
                    let result = try await finishStreaming(call, await onResponse(ResponseStream(call: call)))
                    sender.cancel()
                    _ = await sender.result
                    return result
                } catch {
                    sender.cancel()
                    if case .failure(let senderError) = await sender.result, !(senderError is RPCError) {
                        throw senderError
                    }
                    throw error
                }
            } onCancel: {
                call.cancel()
            }
        }
        guard let outcome else { throw RPCError(.internalError, "an interceptor did not run the call") }
        return outcome
    }

    // MARK: Internals

    /// One unary call: the request encoded straight into the core's buffer,
    /// one batch, and `read` given the completed call (OK status) to decode
    /// the response in place; `nil` from `read` means no response came.
    private func performUnary<Req: WireMessage, Result>(
        _ method: MethodDescriptor, request: Req, options: CallOptions,
        read: (UnaryCall) throws -> Result?
    ) async throws -> Result {
        let message = try encodeRequest(request)
        let pointer: OpaquePointer
        do {
            pointer = try makeCorePointer(method, options: options)
        } catch {
            message.discard()
            throw error
        }
        let call = UnaryCall(call: pointer, message: message, options: options)
        let started = await withTaskCancellationHandler {
            await call.run()
        } onCancel: {
            call.cancel()
        }
        guard started else { throw RPCError(.internalError, "call could not start") }
        if let error = call.error { throw error }
        guard let result = try read(call) else { throw missingResponse() }
        return result
    }

    /// After the response handler returned: a call it left unfinished is cancelled.
    private func finishStreaming<R>(_ call: ClientCall, _ result: @autoclosure () async throws -> R) async throws -> R {
        do {
            let value = try await result()
            if !call.hasStatus { call.cancel() }
            return value
        } catch {
            call.cancel()
            throw error
        }
    }

    /// An OK status without the response: our own cancel dropped it, or the
    /// server broke the protocol.
    private func missingResponse() -> RPCError {
        Task.isCancelled ? RPCError(.cancelled, "call cancelled") : RPCError(.internalError, "no response message")
    }

    /// A send that failed because the call ended reports the call's status;
    /// a request closure stopped by cancellation reports CANCELLED. Other
    /// errors of the caller's own closure surface as thrown.
    private func preferStatus(of call: ClientCall, over error: any Error) async -> any Error {
        if error is RPCError, let status = await call.status().error { return status }
        if error is CancellationError { return RPCError(.cancelled, "request stream cancelled") }
        return error
    }

    private func intercepted(_ method: MethodDescriptor, _ options: CallOptions,
                             index: Int = 0, _ body: (CallOptions) async throws -> Void) async throws {
        guard index < interceptors.count else {
            try await body(options)
            return
        }
        try await interceptors[index].intercept(method: method, options: options) { options in
            try await intercepted(method, options, index: index + 1, body)
        }
    }
}
