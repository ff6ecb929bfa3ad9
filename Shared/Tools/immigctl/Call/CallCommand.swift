import ArgumentParser
import Contracts
import GRPCRuntime
import ProtoJSON

/// `immigctl call <target> <method>`: one RPC of any kind, JSON in and JSON out
/// through the proto3 JSON mapping.
///
/// Unary and server-streaming calls read one JSON object; client and
/// bidirectional streams read objects one after another (NDJSON) or one JSON
/// array, sending each as soon as it is read. Responses are printed one JSON
/// object per line as they arrive.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call an RPC with JSON in and JSON out.",
        discussion: """
            The request is --data JSON, --data @file, --data @- or standard input; with no \
            --data and a terminal on stdin the request is empty ({}). Streams of requests: \
            one JSON object after another (NDJSON) or a JSON array.
            """)

    @Argument(help: "A service of the running suite (records, portal, …) or host:port.")
    var target: String

    @Argument(help: "The method: package.Service/Method (or Service/Method when unique).")
    var method: String

    @Option(name: [.short, .long], help: ArgumentHelp("Request JSON, @file, or @- for standard input.", valueName: "json"))
    var data: String?

    @Option(name: [.customShort("H"), .customLong("header")], parsing: .singleValue,
            help: ArgumentHelp("Request metadata, key:value (repeatable; -bin keys take base64).", valueName: "key:value"))
    var headers: [HeaderOption] = []

    @Option(help: ArgumentHelp("Deadline of the call: 500ms, 5s, 2m (default: none).", valueName: "duration"))
    var timeout: TimeoutOption?

    @Flag(help: "Indent the JSON output.")
    var pretty = false

    @Flag(help: "Also print fields at their default value (0, \"\", false, the zero enum).")
    var emitDefaults = false

    @Flag(help: "Print .proto field names (date_of_birth) instead of JSON names (dateOfBirth).")
    var protoNames = false

    @Flag(help: "Skip request fields the contract does not know, instead of failing.")
    var ignoreUnknownFields = false

    @Flag(name: [.short, .long], help: "Print response headers and trailers on stderr.")
    var verbose = false

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        do {
            try await call()
        } catch {
            throw ExitCode(ErrorReport.report(error))
        }
    }

    private func call() async throws {
        let (service, rpc) = try ContractCatalog.embedded.method(method)
        let path = "/\(service.fullName)/\(rpc.name)"
        guard let contract = ContractDescriptors.method(path: path) else {
            throw CommandFailure("method \(path) has no runtime descriptor in this build")
        }
        let requestType = try MessageType(named: contract.requestType)
        let responseType = try MessageType(named: contract.responseType)
        let runFolder = RunFolder.locate()
        let endpoint = try CallTarget.resolve(target, runFolder: runFolder)
        let security = try connection.security(runFolder: runFolder)
        let channel = try Channel(target: endpoint.address, security: security)
        defer { channel.close() }

        let call = RPCInvocation(
            channel: channel, method: contract.descriptor, requestType: requestType, responseType: responseType,
            options: callOptions(), input: try RequestInput.from(data: data, streaming: contract.descriptor.kind == .clientStreaming
                                                       || contract.descriptor.kind == .bidirectionalStreaming),
            output: ProtoJSON.EncodingOptions(emitDefaultValues: emitDefaults, useProtoFieldNames: protoNames,
                                              prettyPrinted: pretty, typeRegistry: MessageType.registry),
            ignoreUnknownFields: ignoreUnknownFields, verbose: verbose)
        try await call.run()
    }

    private func callOptions() -> CallOptions {
        var metadata = connection.identityMetadata()
        for header in headers { metadata.add(header.key, value: header.value) }
        return CallOptions(timeout: timeout?.duration, metadata: metadata)
    }
}
