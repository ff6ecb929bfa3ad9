import Contracts
import GRPCRuntime

/// gRPC server reflection (`grpc.reflection.v1` and `grpc.reflection.v1alpha`),
/// so that grpcurl, Postman and grpcio-reflection can list, describe and call
/// every service, served from the descriptors the contracts embed
/// (`ContractDescriptors`).
///
/// One implementation serves both versions: their messages are identical on
/// the wire (only the package differs), so the v1alpha method is registered
/// with the v1 message types.
public struct ReflectionService: Grpc_Reflection_V1_ServerReflection.ServiceProtocol {
    /// The services this server hosts, as `list_services` reports them.
    public let serviceNames: [String]

    /// `services`: the names of the services registered on this server; health
    /// and both reflection versions are added.
    public init(services: [String]) {
        serviceNames = Array(Set(services + ReflectionService.ownServices)).sorted()
    }

    static let ownServices = [Grpc_Health_V1_Health.serviceName,
                              Grpc_Reflection_V1_ServerReflection.serviceName,
                              Grpc_Reflection_V1alpha_ServerReflection.serviceName]

    public var methods: [ServerMethod] {
        let v1 = ServerMethod.bidirectionalStreaming(Grpc_Reflection_V1_ServerReflection.serverReflectionInfo) {
            (requests: RequestStream<Grpc_Reflection_V1_ServerReflectionRequest>,
             responses: ResponseStreamWriter<Grpc_Reflection_V1_ServerReflectionResponse>, context: ServerContext) in
            try await self.serverReflectionInfo(requests: requests, responses: responses, context: context)
        }
        let v1alpha = ServerMethod.bidirectionalStreaming(Grpc_Reflection_V1alpha_ServerReflection.serverReflectionInfo) {
            (requests: RequestStream<Grpc_Reflection_V1_ServerReflectionRequest>,
             responses: ResponseStreamWriter<Grpc_Reflection_V1_ServerReflectionResponse>, context: ServerContext) in
            try await self.serverReflectionInfo(requests: requests, responses: responses, context: context)
        }
        return [v1, v1alpha]
    }

    /// The methods of both versions, for the authorisation policy's open methods.
    public static let methodDescriptors = [Grpc_Reflection_V1_ServerReflection.serverReflectionInfo,
                                           Grpc_Reflection_V1alpha_ServerReflection.serverReflectionInfo]

    public func serverReflectionInfo(requests: RequestStream<Grpc_Reflection_V1_ServerReflectionRequest>,
                                     responses: ResponseStreamWriter<Grpc_Reflection_V1_ServerReflectionResponse>,
                                     context: ServerContext) async throws {
        for try await request in requests {
            try await responses.send(answer(request))
        }
    }

    /// The answer to one request (the reflection stream answers each in order).
    public func answer(_ request: Grpc_Reflection_V1_ServerReflectionRequest) -> Grpc_Reflection_V1_ServerReflectionResponse {
        var response = Grpc_Reflection_V1_ServerReflectionResponse()
        response.validHost = request.host
        response.originalRequest = request
        switch request.messageRequest {
        case .listServices?:
            var list = Grpc_Reflection_V1_ListServiceResponse()
            list.service = serviceNames.map { name in
                var service = Grpc_Reflection_V1_ServiceResponse()
                service.name = name
                return service
            }
            response.messageResponse = .listServicesResponse(list)
        case .fileByFilename(let name)?:
            response.messageResponse = ContractDescriptors.file(named: name).map { .fileDescriptorResponse(withDependencies($0)) }
                ?? error(.notFound, "file \(name) not found")
        case .fileContainingSymbol(let symbol)?:
            response.messageResponse = file(containing: symbol).map { .fileDescriptorResponse(withDependencies($0)) }
                ?? error(.notFound, "symbol \(symbol) not found")
        case .fileContainingExtension(let request)?:
            // The contracts are proto3: they declare no extensions.
            response.messageResponse = error(.notFound, "no extension \(request.extensionNumber) of \(request.containingType)")
        case .allExtensionNumbersOfType(let type)?:
            if ContractDescriptors.messageDescriptor(named: type) != nil {
                var numbers = Grpc_Reflection_V1_ExtensionNumberResponse()
                numbers.baseTypeName = type
                response.messageResponse = .allExtensionNumbersResponse(numbers)
            } else {
                response.messageResponse = error(.notFound, "type \(type) not found")
            }
        case nil:
            response.messageResponse = error(.invalidArgument, "message_request: is required")
        }
        return response
    }

    /// The file defining `symbol`; a leading dot (as in descriptor type names) is accepted.
    private func file(containing symbol: String) -> ContractDescriptors.File? {
        let name = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
        return ContractDescriptors.file(containingSymbol: name)
    }

    /// The file first, then its transitive dependencies, each once (the order
    /// grpc's own servers use; clients resolve them by name).
    private func withDependencies(_ file: ContractDescriptors.File) -> Grpc_Reflection_V1_FileDescriptorResponse {
        var seen: Set<String> = [file.name]
        var ordered = [file]
        var index = 0
        while index < ordered.count {
            for dependency in ordered[index].dependencies where !seen.contains(dependency) {
                seen.insert(dependency)
                if let found = ContractDescriptors.file(named: dependency) { ordered.append(found) }
            }
            index += 1
        }
        var response = Grpc_Reflection_V1_FileDescriptorResponse()
        response.fileDescriptorProto = ordered.map(\.serializedDescriptor)
        return response
    }

    private func error(_ code: StatusCode, _ message: String) -> Grpc_Reflection_V1_ServerReflectionResponse.OneOf_MessageResponse {
        var error = Grpc_Reflection_V1_ErrorResponse()
        error.errorCode = code.rawValue
        error.errorMessage = message
        return .errorResponse(error)
    }
}
