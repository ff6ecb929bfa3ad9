/// One .proto file as immigctl shows it: its package and what it declares.
struct ProtoFileModel: Sendable {
    var name: String
    var package: String
    var messages: [MessageModel]
    var enums: [EnumModel]
    var services: [ServiceModel]
}

/// A message: its fields in declaration order, oneofs and nested types.
struct MessageModel: Sendable {
    var fullName: String
    var name: String
    var fields: [FieldModel]
    /// Oneofs by index; proto3 `optional` fields' synthetic oneofs are included
    /// (fields say which they belong to) but not shown.
    var oneofs: [String]
    var nestedMessages: [MessageModel]
    var nestedEnums: [EnumModel]
    /// A `map<K, V>` entry protoc synthesised.
    var isMapEntry: Bool
}

/// One field of a message.
struct FieldModel: Sendable {
    enum Label: Sendable { case singular, optional, repeated }

    var name: String
    var jsonName: String
    var number: Int32
    var label: Label
    /// A scalar's proto name (`int64`), or the full name of a message or enum.
    var typeName: String
    var isMessage: Bool
    var oneofIndex: Int?
}

/// An enum and its values.
struct EnumModel: Sendable {
    var fullName: String
    var name: String
    var values: [(name: String, number: Int32)]
}

/// A service and its RPCs.
struct ServiceModel: Sendable {
    var fullName: String
    var name: String
    var package: String
    var methods: [MethodModel]
}

/// One RPC: message types and which side streams.
struct MethodModel: Sendable {
    var name: String
    var inputType: String
    var outputType: String
    var clientStreaming: Bool
    var serverStreaming: Bool

    var kindName: String {
        switch (clientStreaming, serverStreaming) {
        case (false, false): return "unary"
        case (false, true): return "server-streaming"
        case (true, false): return "client-streaming"
        case (true, true): return "bidi-streaming"
        }
    }
}
