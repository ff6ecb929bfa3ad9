/// The Swift layer over the protobuf-c runtime that generated contract code stands on.
public enum ProtobufCRuntime {}
