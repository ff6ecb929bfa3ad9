import GRPCRuntime

/// A message that is nothing but its wire bytes.
///
/// immigctl learns message types at run time, from the embedded descriptors, so
/// the runtime's typed calls carry these and ProtoJSON turns them into JSON and back.
struct RawMessage: WireMessage {
    let bytes: [UInt8]

    init(serializedBytes: [UInt8]) { bytes = serializedBytes }

    func serializedBytes() -> [UInt8] { bytes }
}
