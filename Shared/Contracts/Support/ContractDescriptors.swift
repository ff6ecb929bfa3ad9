import CProtobufC
import GRPCRuntime
import ProtobufC

/// Everything the suite knows about its contracts at run time, generated from
/// Protos/: for server reflection, each .proto file's serialized descriptor,
/// dependencies and symbols; for the JSON codec and immigctl, protobuf-c's
/// descriptor of each message by full name and each RPC's message types.
///
/// The data is immutable and built on first use; safe from any thread.
public enum ContractDescriptors {
    /// One .proto file as server reflection serves it.
    public struct File: Sendable {
        /// The file's path under Protos/ (or the well-known type's), such as `grpc/health/v1/health.proto`.
        public let name: String
        /// The files it imports, by name.
        public let dependencies: [String]
        /// Fully qualified names it defines: messages (nested too), enums and
        /// their values, services and methods (`package.Service.Method`).
        public let symbols: [String]
        private let serializedDescriptorBase64: String

        init(name: String, dependencies: [String], symbols: [String], serializedDescriptorBase64: String) {
            self.name = name
            self.dependencies = dependencies
            self.symbols = symbols
            self.serializedDescriptorBase64 = serializedDescriptorBase64
        }

        /// The serialized `google.protobuf.FileDescriptorProto`, without source code info.
        public var serializedDescriptor: [UInt8] { EmbeddedBytes.base64(serializedDescriptorBase64) }
    }

    /// One RPC: its descriptor and the full names of its message types.
    public struct Method: Sendable, Hashable {
        public let descriptor: MethodDescriptor
        /// The request message's full name, such as `grpc.health.v1.HealthCheckRequest`.
        public let requestType: String
        /// The response message's full name.
        public let responseType: String
    }

    /// Every file, sorted by name.
    public static var files: [File] { generatedFiles }

    /// The file with this name.
    public static func file(named name: String) -> File? {
        filesByName[name]
    }

    /// The file that defines this fully qualified symbol (message, enum, enum
    /// value, service or method).
    public static func file(containingSymbol symbol: String) -> File? {
        filesBySymbol[symbol]
    }

    /// The fully qualified names of every service.
    public static var serviceNames: [String] {
        Array(Set(generatedMethods.values.map(\.descriptor.service))).sorted()
    }

    /// The RPC at this path, `/package.Service/Method`.
    public static func method(path: String) -> Method? {
        generatedMethods[path]
    }

    /// protobuf-c's descriptor of the message with this full name (such as
    /// `immigration.common.v1.PersonName`), for codecs driven by descriptors.
    public static func messageDescriptor(named fullName: String) -> UnsafePointer<ProtobufCMessageDescriptor>? {
        messageDescriptors[fullName]
    }

    private static let filesByName: [String: File] = Dictionary(
        generatedFiles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    private static let filesBySymbol: [String: File] = {
        var table: [String: File] = [:]
        for file in generatedFiles {
            for symbol in file.symbols where table[symbol] == nil { table[symbol] = file }
        }
        return table
    }()

    nonisolated(unsafe) private static let messageDescriptors = generatedMessageDescriptors()
}
