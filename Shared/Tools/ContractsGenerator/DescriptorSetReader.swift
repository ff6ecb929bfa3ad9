import CDescriptor
import CProtobufC

/// Decodes a FileDescriptorSet with protobuf-c (descriptor.proto compiled by
/// protoc-c into CDescriptor) and copies what the generator needs into Swift values.
enum DescriptorSetReader {
    static func read(_ bytes: [UInt8]) throws -> [ProtoFile] {
        guard let set = bytes.withUnsafeBufferPointer({
            google__protobuf__file_descriptor_set__unpack(nil, $0.count, $0.baseAddress)
        }) else {
            throw GeneratorError("the descriptor set is not a valid FileDescriptorSet")
        }
        defer { google__protobuf__file_descriptor_set__free_unpacked(set, nil) }
        var files: [ProtoFile] = []
        for index in 0..<set.pointee.n_file {
            guard let file = set.pointee.file[index] else { continue }
            files.append(try readFile(file))
        }
        return files.sorted { $0.name < $1.name }
    }

    static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    static func items<T>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int) -> [UnsafeMutablePointer<T>] {
        guard let pointer else { return [] }
        return (0..<count).compactMap { pointer[$0] }
    }

    static func readFile(_ file: UnsafeMutablePointer<Google__Protobuf__FileDescriptorProto>) throws -> ProtoFile {
        let c = file.pointee
        let name = string(c.name)
        let syntax = string(c.syntax)
        guard syntax == "proto3" else {
            throw GeneratorError("\(name): only proto3 is supported (syntax is \"\(syntax.isEmpty ? "proto2" : syntax)\")")
        }
        let package = string(c.package)
        var comments: [String: String] = [:]
        if let info = c.source_code_info {
            for location in items(info.pointee.location, info.pointee.n_location) {
                let path = (0..<location.pointee.n_path).map { location.pointee.path[$0] }
                var text = string(location.pointee.leading_comments)
                if text.isEmpty { text = string(location.pointee.trailing_comments) }
                if !text.isEmpty { comments[path.map(String.init).joined(separator: ",")] = text }
            }
        }
        // Reflection serves the descriptor without comments and positions.
        let sourceInfo = file.pointee.source_code_info
        file.pointee.source_code_info = nil
        let size = google__protobuf__file_descriptor_proto__get_packed_size(file)
        let serialized = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = google__protobuf__file_descriptor_proto__pack(file, buffer.baseAddress)
        }
        file.pointee.source_code_info = sourceInfo

        let messages = items(c.message_type, c.n_message_type).enumerated().map { index, message in
            readMessage(message, scope: package, path: [4, Int32(index)])
        }
        let enums = items(c.enum_type, c.n_enum_type).enumerated().map { index, value in
            readEnum(value, scope: package, path: [5, Int32(index)])
        }
        let services = items(c.service, c.n_service).enumerated().map { index, service in
            let serviceName = string(service.pointee.name)
            let methods = items(service.pointee.method, service.pointee.n_method).enumerated().map { methodIndex, method in
                ProtoMethod(
                    name: string(method.pointee.name),
                    inputType: string(method.pointee.input_type),
                    outputType: string(method.pointee.output_type),
                    clientStreaming: method.pointee.client_streaming != 0,
                    serverStreaming: method.pointee.server_streaming != 0,
                    path: [6, Int32(index), 2, Int32(methodIndex)])
            }
            return ProtoService(name: serviceName, fullName: qualified(package, serviceName), methods: methods,
                                path: [6, Int32(index)])
        }
        let dependencies = (0..<c.n_dependency).map { string(c.dependency[$0]) }
        return ProtoFile(name: name, package: package, syntax: syntax, dependencies: dependencies,
                         messages: messages, enums: enums, services: services, comments: comments,
                         serializedDescriptor: serialized)
    }

    static func qualified(_ scope: String, _ name: String) -> String {
        scope.isEmpty ? name : scope + "." + name
    }

    static func readMessage(_ message: UnsafeMutablePointer<Google__Protobuf__DescriptorProto>, scope: String,
                            path: [Int32]) -> ProtoMessage {
        let c = message.pointee
        let name = string(c.name)
        let fullName = qualified(scope, name)
        let fields = items(c.field, c.n_field).enumerated().map { index, field in
            let f = field.pointee
            return ProtoField(
                name: string(f.name), number: f.number,
                isRepeated: f.label == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED,
                kind: ProtoField.Kind(rawValue: Int32(f.type.rawValue)) ?? .group,
                typeName: string(f.type_name),
                oneofIndex: f.has_oneof_index != 0 ? Int(f.oneof_index) : nil,
                isProto3Optional: f.has_proto3_optional != 0 && f.proto3_optional != 0,
                path: path + [2, Int32(index)])
        }
        let oneofs = items(c.oneof_decl, c.n_oneof_decl).map { string($0.pointee.name) }
        let nestedMessages = items(c.nested_type, c.n_nested_type).enumerated().map { index, nested in
            readMessage(nested, scope: fullName, path: path + [3, Int32(index)])
        }
        let nestedEnums = items(c.enum_type, c.n_enum_type).enumerated().map { index, nested in
            readEnum(nested, scope: fullName, path: path + [4, Int32(index)])
        }
        let isMapEntry = c.options.map { $0.pointee.map_entry != 0 } ?? false
        return ProtoMessage(name: name, fullName: fullName, fields: fields, oneofs: oneofs,
                            nestedMessages: nestedMessages, nestedEnums: nestedEnums, isMapEntry: isMapEntry, path: path)
    }

    static func readEnum(_ value: UnsafeMutablePointer<Google__Protobuf__EnumDescriptorProto>, scope: String,
                         path: [Int32]) -> ProtoEnum {
        let name = string(value.pointee.name)
        let values = items(value.pointee.value, value.pointee.n_value).enumerated().map { index, item in
            (name: string(item.pointee.name), number: item.pointee.number, path: path + [2, Int32(index)])
        }
        return ProtoEnum(name: name, fullName: qualified(scope, name), values: values, path: path)
    }
}
