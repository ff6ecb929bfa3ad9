/// Renders `ContractDescriptors`' data: every file's serialized descriptor
/// (without source info), dependencies and symbols, for server reflection; the
/// protobuf-c descriptor of every message by full name; and every RPC by path.
struct DescriptorsRenderer {
    let files: [ProtoFile]
    let registry: TypeRegistry

    func render() -> String {
        var out = SourceWriter()
        out.block("extension ContractDescriptors") { out in
            out.line("/// Every .proto file of the contracts and the well-known types they import, by name.")
            out.line("static let generatedFiles: [File] = [")
            out.indented { out in
                for file in files {
                    out.line("File(")
                    out.line("    name: \(swiftStringLiteral(file.name)),")
                    out.line("    dependencies: [\(file.dependencies.map(swiftStringLiteral).joined(separator: ", "))],")
                    out.line("    symbols: [")
                    for symbol in symbols(of: file) { out.line("        \(swiftStringLiteral(symbol)),") }
                    out.line("    ],")
                    out.line("    serializedDescriptorBase64: \"\(Base64.encode(file.serializedDescriptor))\"),")
                }
            }
            out.line("]")
            out.line()
            out.line("/// protobuf-c's descriptor of every message, by full name.")
            out.block("static func generatedMessageDescriptors() -> [String: UnsafePointer<ProtobufCMessageDescriptor>]") { out in
                out.line("[")
                for file in files {
                    for message in allMessages(file.messages) {
                        let info = registry.messages["." + message.fullName]!
                        out.line("    \(swiftStringLiteral(message.fullName)): ProtobufCRead.descriptor(of: \(info.cType).self, \(info.cFunctionPrefix)__init),")
                    }
                }
                out.line("]")
            }
            out.line()
            out.line("/// Every RPC by its path, `/package.Service/Method`.")
            out.line("static let generatedMethods: [String: Method] = [")
            out.indented { out in
                for file in files {
                    for service in file.services {
                        for method in service.methods {
                            let kind = switch (method.clientStreaming, method.serverStreaming) {
                            case (false, false): "unary"
                            case (false, true): "serverStreaming"
                            case (true, false): "clientStreaming"
                            case (true, true): "bidirectionalStreaming"
                            }
                            out.line("\(swiftStringLiteral("/" + service.fullName + "/" + method.name)): Method(")
                            out.line("    descriptor: MethodDescriptor(service: \(swiftStringLiteral(service.fullName)), method: \(swiftStringLiteral(method.name)), kind: .\(kind)),")
                            out.line("    requestType: \(swiftStringLiteral(String(method.inputType.dropFirst()))),")
                            out.line("    responseType: \(swiftStringLiteral(String(method.outputType.dropFirst())))),")
                        }
                    }
                }
            }
            out.line("]")
        }
        var text = GeneratedHeader.text(source: "every .proto file")
        text += "\nimport CContracts\nimport CProtobufC\nimport GRPCRuntime\nimport ProtobufC\n\n" + out.text
        return text
    }

    func allMessages(_ messages: [ProtoMessage]) -> [ProtoMessage] {
        messages.flatMap { [$0] + allMessages($0.nestedMessages) }
    }

    func symbols(of file: ProtoFile) -> [String] {
        var symbols: [String] = []
        func addEnum(_ value: ProtoEnum, scope: String) {
            symbols.append(value.fullName)
            for item in value.values { symbols.append(scope.isEmpty ? item.name : scope + "." + item.name) }
        }
        func addMessage(_ message: ProtoMessage) {
            symbols.append(message.fullName)
            for nested in message.nestedMessages { addMessage(nested) }
            for nested in message.nestedEnums { addEnum(nested, scope: message.fullName) }
        }
        for message in file.messages { addMessage(message) }
        for value in file.enums { addEnum(value, scope: file.package) }
        for service in file.services {
            symbols.append(service.fullName)
            for method in service.methods { symbols.append(service.fullName + "." + method.name) }
        }
        return symbols
    }
}

/// Standard base64 with padding.
enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << UInt32(16 - 8 * offset) }
            for position in 0..<4 {
                if position <= chunk.count {
                    output.append(alphabet[Int((value >> UInt32(18 - 6 * position)) & 63)])
                } else {
                    output.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
