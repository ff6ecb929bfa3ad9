/// Renders one .proto file's services: per service a namespace enum with its
/// method descriptors, a `Client`, and a `ServiceProtocol` that handlers
/// implement, whose `methods` a generated extension provides.
struct ServiceFileRenderer {
    let file: ProtoFile
    let registry: TypeRegistry

    struct MethodPlan {
        var method: ProtoMethod
        var property: String
        var request: String
        var response: String
        var kind: String
    }

    func render() throws -> String {
        var out = SourceWriter()
        for service in file.services {
            try renderService(service, into: &out)
            out.line()
        }
        var text = GeneratedHeader.text(source: file.name)
        text += "\nimport GRPCRuntime\n\n" + out.text
        while text.hasSuffix("\n\n") { text.removeLast() }
        return text
    }

    func swiftType(_ typeName: String, _ context: String) throws -> String {
        let info = try registry.message(typeName)
        guard case .generated = info.mapping else {
            throw GeneratorError("\(context): \(typeName) cannot be an RPC's request or response; wrap it in a message")
        }
        return info.swiftName
    }

    func renderService(_ service: ProtoService, into out: inout SourceWriter) throws {
        let namespace = Naming.swiftPrefix(package: file.package) + service.name
        let plans = try service.methods.map { method in
            var property = Naming.lowerFirst(method.name)
            if ["serviceName", "methodDescriptors"].contains(property) || Naming.swiftKeywords.contains(property) {
                property += "_"
            }
            let kind = switch (method.clientStreaming, method.serverStreaming) {
            case (false, false): "unary"
            case (false, true): "serverStreaming"
            case (true, false): "clientStreaming"
            case (true, true): "bidirectionalStreaming"
            }
            return MethodPlan(method: method, property: property,
                              request: try swiftType(method.inputType, service.fullName + "." + method.name),
                              response: try swiftType(method.outputType, service.fullName + "." + method.name),
                              kind: kind)
        }
        out.docComment(file.comment(service.path))
        out.block("public enum \(namespace)") { out in
            out.line("/// The fully qualified service name.")
            out.line("public static let serviceName = \(swiftStringLiteral(service.fullName))")
            for plan in plans {
                out.line()
                out.docComment(file.comment(plan.method.path))
                out.line("public static let \(plan.property) = MethodDescriptor(service: serviceName, method: \(swiftStringLiteral(plan.method.name)), kind: .\(plan.kind))")
            }
            out.line()
            out.line("/// Every RPC of the service, in declaration order.")
            out.line("public static let methodDescriptors: [MethodDescriptor] = [\(plans.map(\.property).joined(separator: ", "))]")
            out.line()
            renderClient(namespace: namespace, plans: plans, into: &out)
            out.line()
            renderProtocol(service: service, plans: plans, into: &out)
        }
        out.line()
        out.block("extension \(namespace).ServiceProtocol") { out in
            out.line("/// Routes each RPC of \(service.fullName) to this provider's method.")
            out.block("public var methods: [ServerMethod]") { out in
                out.line("[")
                for plan in plans {
                    let descriptor = "\(namespace).\(plan.property)"
                    let call = "self.\(plan.property)"
                    switch plan.kind {
                    case "unary":
                        out.line("    .unary(\(descriptor)) { (request: \(plan.request), context: ServerContext) in")
                        out.line("        try await \(call)(request: request, context: context)")
                    case "serverStreaming":
                        out.line("    .serverStreaming(\(descriptor)) { (request: \(plan.request), responses: ResponseStreamWriter<\(plan.response)>, context: ServerContext) in")
                        out.line("        try await \(call)(request: request, responses: responses, context: context)")
                    case "clientStreaming":
                        out.line("    .clientStreaming(\(descriptor)) { (requests: RequestStream<\(plan.request)>, context: ServerContext) in")
                        out.line("        try await \(call)(requests: requests, context: context)")
                    default:
                        out.line("    .bidirectionalStreaming(\(descriptor)) { (requests: RequestStream<\(plan.request)>, responses: ResponseStreamWriter<\(plan.response)>, context: ServerContext) in")
                        out.line("        try await \(call)(requests: requests, responses: responses, context: context)")
                    }
                    out.line("    },")
                }
                out.line("]")
            }
        }
    }

    func renderClient(namespace: String, plans: [MethodPlan], into out: inout SourceWriter) {
        out.line("/// Calls the service over a `Channel`; one async method per RPC, each with per-call options")
        out.line("/// (deadline, metadata). Errors are `RPCError`.")
        out.block("public struct Client: Sendable") { out in
            out.line("/// The connection calls go through.")
            out.line("public let channel: Channel")
            out.line()
            out.line("public init(channel: Channel) {")
            out.line("    self.channel = channel")
            out.line("}")
            for plan in plans {
                out.line()
                out.docComment(file.comment(plan.method.path))
                let descriptor = "\(namespace).\(plan.property)"
                let name = plan.property
                switch plan.kind {
                case "unary":
                    out.block("public func \(name)(_ request: \(plan.request), options: CallOptions = CallOptions()) async throws -> \(plan.response)") { out in
                        out.line("try await channel.unary(\(descriptor), request: request, options: options)")
                    }
                case "serverStreaming":
                    out.line("public func \(name)<Result: Sendable>(")
                    out.line("    _ request: \(plan.request), options: CallOptions = CallOptions(),")
                    out.line("    onResponse: @Sendable (ResponseStream<\(plan.response)>) async throws -> Result")
                    out.block(") async throws -> Result") { out in
                        out.line("try await channel.serverStreaming(\(descriptor), request: request, options: options, onResponse: onResponse)")
                    }
                case "clientStreaming":
                    out.line("public func \(name)(")
                    out.line("    options: CallOptions = CallOptions(),")
                    out.line("    requests: @escaping @Sendable (RequestStreamWriter<\(plan.request)>) async throws -> Void")
                    out.block(") async throws -> \(plan.response)") { out in
                        out.line("try await channel.clientStreaming(\(descriptor), options: options, requests: requests)")
                    }
                default:
                    out.line("public func \(name)<Result: Sendable>(")
                    out.line("    options: CallOptions = CallOptions(),")
                    out.line("    requests: @escaping @Sendable (RequestStreamWriter<\(plan.request)>) async throws -> Void,")
                    out.line("    onResponse: @Sendable (ResponseStream<\(plan.response)>) async throws -> Result")
                    out.block(") async throws -> Result") { out in
                        out.line("try await channel.bidirectionalStreaming(\(descriptor), options: options, requests: requests, onResponse: onResponse)")
                    }
                }
            }
        }
    }

    func renderProtocol(service: ProtoService, plans: [MethodPlan], into out: inout SourceWriter) {
        out.line("/// What a server of \(service.fullName) implements: one method per RPC. Register the")
        out.line("/// provider with the server; `methods` routes each RPC to its method.")
        out.block("public protocol ServiceProtocol: ServiceProvider") { out in
            for (index, plan) in plans.enumerated() {
                if index > 0 { out.line() }
                out.docComment(file.comment(plan.method.path))
                let name = plan.property
                switch plan.kind {
                case "unary":
                    out.line("nonisolated(nonsending) func \(name)(request: \(plan.request), context: ServerContext) async throws -> \(plan.response)")
                case "serverStreaming":
                    out.line("nonisolated(nonsending) func \(name)(request: \(plan.request), responses: ResponseStreamWriter<\(plan.response)>, context: ServerContext) async throws")
                case "clientStreaming":
                    out.line("nonisolated(nonsending) func \(name)(requests: RequestStream<\(plan.request)>, context: ServerContext) async throws -> \(plan.response)")
                default:
                    out.line("nonisolated(nonsending) func \(name)(requests: RequestStream<\(plan.request)>, responses: ResponseStreamWriter<\(plan.response)>, context: ServerContext) async throws")
                }
            }
        }
    }
}
