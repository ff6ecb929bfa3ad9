import CDescriptor
import CProtobufC
import Contracts

extension ContractCatalog {
    /// The catalog of every contract compiled into this binary.
    static let embedded: ContractCatalog = {
        ContractCatalog(files: ContractDescriptors.files.compactMap { read($0.serializedDescriptor) })
    }()

    /// Decodes one FileDescriptorProto with protobuf-c (descriptor.proto compiled
    /// into CDescriptor) and copies it into Swift values; the C message is freed
    /// before returning. `nil` for bytes that are not a FileDescriptorProto.
    static func read(_ bytes: [UInt8]) -> ProtoFileModel? {
        guard let file = bytes.withUnsafeBufferPointer({
            google__protobuf__file_descriptor_proto__unpack(nil, $0.count, $0.baseAddress)
        }) else { return nil }
        defer { google__protobuf__file_descriptor_proto__free_unpacked(file, nil) }
        let c = file.pointee
        let package = string(c.package)
        let prefix = package.isEmpty ? "" : package + "."
        return ProtoFileModel(
            name: string(c.name), package: package,
            messages: items(c.message_type, c.n_message_type).map { message(prefix, $0) },
            enums: items(c.enum_type, c.n_enum_type).map { enumeration(prefix, $0) },
            services: items(c.service, c.n_service).map { service(package, prefix, $0) })
    }

    private static func message(_ prefix: String,
                                _ pointer: UnsafeMutablePointer<Google__Protobuf__DescriptorProto>) -> MessageModel {
        let c = pointer.pointee
        let name = string(c.name)
        let fullName = prefix + name
        return MessageModel(
            fullName: fullName, name: name,
            fields: items(c.field, c.n_field).map(field),
            oneofs: items(c.oneof_decl, c.n_oneof_decl).map { string($0.pointee.name) },
            nestedMessages: items(c.nested_type, c.n_nested_type).map { message(fullName + ".", $0) },
            nestedEnums: items(c.enum_type, c.n_enum_type).map { enumeration(fullName + ".", $0) },
            isMapEntry: c.options.map { $0.pointee.has_map_entry != 0 && $0.pointee.map_entry != 0 } ?? false)
    }

    private static func field(_ pointer: UnsafeMutablePointer<Google__Protobuf__FieldDescriptorProto>) -> FieldModel {
        let c = pointer.pointee
        let label: FieldModel.Label
        if c.label == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED {
            label = .repeated
        } else if c.has_proto3_optional != 0 && c.proto3_optional != 0 {
            label = .optional
        } else {
            label = .singular
        }
        let isNamed = c.type == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_MESSAGE
            || c.type == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_ENUM
        var typeName = isNamed ? string(c.type_name) : scalarName(c.type)
        if typeName.hasPrefix(".") { typeName.removeFirst() }
        let name = string(c.name)
        return FieldModel(
            name: name, jsonName: c.json_name.map { String(cString: $0) } ?? name, number: c.number, label: label,
            typeName: typeName, isMessage: c.type == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_MESSAGE,
            oneofIndex: c.has_oneof_index != 0 && !(c.has_proto3_optional != 0 && c.proto3_optional != 0)
                ? Int(c.oneof_index) : nil)
    }

    private static func enumeration(_ prefix: String,
                                    _ pointer: UnsafeMutablePointer<Google__Protobuf__EnumDescriptorProto>) -> EnumModel {
        let c = pointer.pointee
        let name = string(c.name)
        return EnumModel(fullName: prefix + name, name: name,
                         values: items(c.value, c.n_value).map { (string($0.pointee.name), $0.pointee.number) })
    }

    private static func service(_ package: String, _ prefix: String,
                                _ pointer: UnsafeMutablePointer<Google__Protobuf__ServiceDescriptorProto>) -> ServiceModel {
        let c = pointer.pointee
        let name = string(c.name)
        let methods = items(c.method, c.n_method).map { pointer -> MethodModel in
            let m = pointer.pointee
            return MethodModel(name: string(m.name), inputType: typeName(m.input_type), outputType: typeName(m.output_type),
                               clientStreaming: m.has_client_streaming != 0 && m.client_streaming != 0,
                               serverStreaming: m.has_server_streaming != 0 && m.server_streaming != 0)
        }
        return ServiceModel(fullName: prefix + name, name: name, package: package, methods: methods)
    }

    private static func typeName(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        let name = string(pointer)
        return name.hasPrefix(".") ? String(name.dropFirst()) : name
    }

    private static func scalarName(_ type: Google__Protobuf__FieldDescriptorProto__Type) -> String {
        switch type {
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_DOUBLE: return "double"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FLOAT: return "float"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_INT64: return "int64"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_UINT64: return "uint64"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_INT32: return "int32"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FIXED64: return "fixed64"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FIXED32: return "fixed32"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_BOOL: return "bool"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_STRING: return "string"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_BYTES: return "bytes"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_UINT32: return "uint32"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SFIXED32: return "sfixed32"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SFIXED64: return "sfixed64"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SINT32: return "sint32"
        case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SINT64: return "sint64"
        default: return "group"
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static func items<T>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int)
        -> [UnsafeMutablePointer<T>] {
        guard let pointer else { return [] }
        return (0..<count).compactMap { pointer[$0] }
    }
}
