/// The canonical proto3 JSON mapping over protobuf-c descriptors.
public enum ProtoJSON {}
