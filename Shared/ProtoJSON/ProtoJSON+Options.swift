import CProtobufC

extension ProtoJSON {
    /// How messages are written as JSON. The defaults give the canonical proto3
    /// form, compact.
    public struct EncodingOptions: Sendable {
        /// Also write fields that hold their default value (0, "", false, empty
        /// lists and maps, the zero enum value). Unset message fields and unset
        /// oneofs are still left out.
        public var emitDefaultValues: Bool
        /// Write the .proto field names (`date_of_birth`) instead of the JSON
        /// names (`dateOfBirth`).
        public var useProtoFieldNames: Bool
        /// Indent by two spaces, one member per line (for people, such as immigctl's output).
        public var prettyPrinted: Bool
        /// Messages that `google.protobuf.Any` values may hold.
        public var typeRegistry: TypeRegistry
        /// How deep messages may nest before encoding gives up.
        public var maxDepth: Int

        public init(emitDefaultValues: Bool = false, useProtoFieldNames: Bool = false,
                    prettyPrinted: Bool = false, typeRegistry: TypeRegistry = TypeRegistry(),
                    maxDepth: Int = 100) {
            self.emitDefaultValues = emitDefaultValues
            self.useProtoFieldNames = useProtoFieldNames
            self.prettyPrinted = prettyPrinted
            self.typeRegistry = typeRegistry
            self.maxDepth = maxDepth
        }
    }

    /// How JSON is read into messages. The defaults are strict: unknown field
    /// names are errors.
    public struct DecodingOptions: Sendable {
        /// Skip fields (and enum value names) this message type does not know,
        /// instead of failing; for reading JSON written against a newer contract.
        public var ignoreUnknownFields: Bool
        /// Messages that `google.protobuf.Any` values may hold.
        public var typeRegistry: TypeRegistry
        /// How deep JSON arrays and objects may nest (guards against hostile input).
        public var maxDepth: Int

        public init(ignoreUnknownFields: Bool = false, typeRegistry: TypeRegistry = TypeRegistry(),
                    maxDepth: Int = 100) {
            self.ignoreUnknownFields = ignoreUnknownFields
            self.typeRegistry = typeRegistry
            self.maxDepth = maxDepth
        }
    }

    /// The message types that `google.protobuf.Any` values may name in their
    /// type URL. protobuf-c has no global registry, so callers list the
    /// descriptors they expect (for `google.rpc.Status` details, the error
    /// detail messages). The descriptors are static C data, never freed or
    /// changed, which is why sharing them across threads is safe.
    public struct TypeRegistry: @unchecked Sendable {
        private var byName: [String: UnsafePointer<ProtobufCMessageDescriptor>] = [:]

        public init(_ descriptors: [UnsafePointer<ProtobufCMessageDescriptor>] = []) {
            for descriptor in descriptors { add(descriptor) }
        }

        public mutating func add(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
            byName[String(cString: descriptor.pointee.name)] = descriptor
        }

        /// The descriptor for a full message name such as `google.rpc.BadRequest`.
        public func descriptor(named fullName: String) -> UnsafePointer<ProtobufCMessageDescriptor>? {
            byName[fullName]
        }
    }
}
