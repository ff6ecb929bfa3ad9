/// Writes descriptors back in .proto syntax, for `describe`: the form readers of
/// the contracts know. Type names are written in full; a field whose JSON name is
/// not its .proto name says so in a comment, since that is what `call` reads.
enum ProtoText {
    static func message(_ message: MessageModel, indent: String = "") -> String {
        var lines = ["\(indent)message \(message.name) {"]
        let inner = indent + "  "
        let mapEntries = Dictionary(message.nestedMessages.filter(\.isMapEntry).map { ($0.fullName, $0) },
                                    uniquingKeysWith: { first, _ in first })
        var writtenOneofs = Set<Int>()
        for field in message.fields {
            if let index = field.oneofIndex {
                guard !writtenOneofs.contains(index) else { continue }
                writtenOneofs.insert(index)
                lines.append("\(inner)oneof \(message.oneofs[index]) {")
                for member in message.fields where member.oneofIndex == index {
                    lines.append(self.field(member, indent: inner + "  ", mapEntries: mapEntries))
                }
                lines.append("\(inner)}")
            } else {
                lines.append(self.field(field, indent: inner, mapEntries: mapEntries))
            }
        }
        for nested in message.nestedMessages where !nested.isMapEntry {
            lines.append(self.message(nested, indent: inner))
        }
        for nested in message.nestedEnums {
            lines.append(enumeration(nested, indent: inner))
        }
        lines.append("\(indent)}")
        return lines.joined(separator: "\n")
    }

    static func field(_ field: FieldModel, indent: String, mapEntries: [String: MessageModel] = [:]) -> String {
        var type = field.typeName
        var label = ""
        if field.label == .repeated, let entry = mapEntries[field.typeName], entry.fields.count == 2 {
            type = "map<\(entry.fields[0].typeName), \(entry.fields[1].typeName)>"
        } else if field.label == .repeated {
            label = "repeated "
        } else if field.label == .optional {
            label = "optional "
        }
        let json = field.jsonName == field.name ? "" : "  // JSON: \(field.jsonName)"
        return "\(indent)\(label)\(type) \(field.name) = \(field.number);\(json)"
    }

    static func enumeration(_ enumeration: EnumModel, indent: String = "") -> String {
        var lines = ["\(indent)enum \(enumeration.name) {"]
        for value in enumeration.values { lines.append("\(indent)  \(value.name) = \(value.number);") }
        lines.append("\(indent)}")
        return lines.joined(separator: "\n")
    }

    static func service(_ service: ServiceModel) -> String {
        var lines = ["service \(service.name) {"]
        for method in service.methods { lines.append(self.method(method, indent: "  ")) }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    static func method(_ method: MethodModel, indent: String = "") -> String {
        let input = (method.clientStreaming ? "stream " : "") + method.inputType
        let output = (method.serverStreaming ? "stream " : "") + method.outputType
        return "\(indent)rpc \(method.name)(\(input)) returns (\(output));"
    }
}
