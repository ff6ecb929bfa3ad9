/// The parts of a .proto file the generator uses, read from protoc's
/// FileDescriptorProto. Paths are source_code_info paths, for comments.
struct ProtoFile {
    var name: String
    var package: String
    var syntax: String
    var dependencies: [String]
    var messages: [ProtoMessage]
    var enums: [ProtoEnum]
    var services: [ProtoService]
    /// Comments by source path ("4,0,2,1"): leading, else trailing.
    var comments: [String: String]
    /// The FileDescriptorProto without source_code_info, for server reflection.
    var serializedDescriptor: [UInt8]

    func comment(_ path: [Int32]) -> String? {
        comments[path.map(String.init).joined(separator: ",")]
    }
}

struct ProtoMessage {
    var name: String
    var fullName: String
    var fields: [ProtoField]
    var oneofs: [String]
    var nestedMessages: [ProtoMessage]
    var nestedEnums: [ProtoEnum]
    var isMapEntry: Bool
    var path: [Int32]
}

struct ProtoField {
    enum Kind: Int32 {
        case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message, bytes,
             uint32, enumeration, sfixed32, sfixed64, sint32, sint64
    }

    var name: String
    var number: Int32
    var isRepeated: Bool
    var kind: Kind
    /// Fully qualified type name with a leading dot, for messages and enums.
    var typeName: String
    var oneofIndex: Int?
    var isProto3Optional: Bool
    var path: [Int32]
}

struct ProtoEnum {
    var name: String
    var fullName: String
    var values: [(name: String, number: Int32, path: [Int32])]
    var path: [Int32]
}

struct ProtoService {
    var name: String
    var fullName: String
    var methods: [ProtoMethod]
    var path: [Int32]
}

struct ProtoMethod {
    var name: String
    var inputType: String
    var outputType: String
    var clientStreaming: Bool
    var serverStreaming: Bool
    var path: [Int32]
}
