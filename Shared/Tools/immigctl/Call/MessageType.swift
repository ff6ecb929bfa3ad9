import CProtobufC
import Contracts
import ProtoJSON

/// A message type known at run time: its full name and protobuf-c descriptor,
/// with which ProtoJSON reads and writes it.
///
/// The descriptor is static C data that protoc-c generated, never written or
/// freed, which is why sharing it between tasks is safe.
struct MessageType: @unchecked Sendable {
    let name: String
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>

    init(named name: String) throws(CommandFailure) {
        guard let descriptor = ContractDescriptors.messageDescriptor(named: name) else {
            throw CommandFailure("no descriptor for message \(name) in this build of immigctl")
        }
        self.name = name
        self.descriptor = descriptor
    }

    /// Every message of the contracts, so that `Any` values of any of them read and print.
    static let registry: ProtoJSON.TypeRegistry = {
        var registry = ProtoJSON.TypeRegistry()
        for file in ContractDescriptors.files {
            for symbol in file.symbols {
                if let descriptor = ContractDescriptors.messageDescriptor(named: symbol) { registry.add(descriptor) }
            }
        }
        return registry
    }()

    func decode(json: [UInt8], ignoreUnknownFields: Bool) throws(ProtoJSONError) -> RawMessage {
        let options = ProtoJSON.DecodingOptions(ignoreUnknownFields: ignoreUnknownFields, typeRegistry: Self.registry)
        return RawMessage(serializedBytes: try ProtoJSON.decode(json: json, descriptor: descriptor, options: options))
    }

    func encode(_ message: RawMessage, options: ProtoJSON.EncodingOptions) throws(CommandFailure) -> String {
        do {
            return try ProtoJSON.encode(wire: message.bytes, descriptor: descriptor, options: options)
        } catch {
            throw CommandFailure("the response is not a valid \(name): \(error.description)")
        }
    }
}
