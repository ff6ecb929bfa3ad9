/// Renders one .proto file's messages and enums: Swift value types, their
/// conversions to and from protobuf-c structs, and `WireMessage` conformance.
struct MessageFileRenderer {
    let file: ProtoFile
    let registry: TypeRegistry
    /// The modules the file imports.
    let imports: [String]

    /// The file's text, or nil when it defines nothing the Swift API shows
    /// (the well-known types that map to Swift types).
    func render() throws -> String? {
        var body = SourceWriter()
        var rendered = false
        for value in file.enums {
            try renderEnum(registry.enumeration("." + value.fullName), into: &body)
            body.line()
            rendered = true
        }
        for message in file.messages {
            let info = try registry.message("." + message.fullName)
            guard case .generated = info.mapping else { continue }
            try renderMessage(info, into: &body)
            body.line()
            rendered = true
        }
        var conversions = SourceWriter()
        try renderConversions(file.messages, into: &conversions)
        guard rendered else { return nil }
        var text = GeneratedHeader.text(source: file.name)
        text += "\n" + imports.map { "import \($0)\n" }.joined() + "\n"
        text += body.text + conversions.text
        while text.hasSuffix("\n\n") { text.removeLast() }
        return text
    }

    // MARK: Enums

    func renderEnum(_ info: TypeRegistry.EnumInfo, into out: inout SourceWriter) throws {
        let value = info.value
        let simpleName = info.swiftName.split(separator: ".").last.map(String.init) ?? info.swiftName
        var cases: [(name: String, number: Int32, path: [Int32])] = []
        var aliases: [(name: String, target: String, path: [Int32])] = []
        var seen: [Int32: String] = [:]
        for item in value.values {
            let name = Naming.enumCaseName(value: item.name, enumName: value.name)
            if let target = seen[item.number] {
                aliases.append((name, target, item.path))
            } else {
                seen[item.number] = name
                cases.append((name, item.number, item.path))
            }
        }
        guard let zero = cases.first(where: { $0.number == 0 }) else {
            throw GeneratorError("\(value.fullName): proto3 enums need a value numbered 0")
        }
        out.docComment(file.comment(value.path))
        out.block("public enum \(simpleName): Sendable, Hashable, RawRepresentable, CaseIterable") { out in
            for item in cases {
                out.docComment(file.comment(item.path))
                out.line("case \(Naming.escaped(item.name)) // = \(item.number)")
            }
            out.line("/// A value this contract does not know, kept as received.")
            out.line("case unrecognized(Int32)")
            out.line()
            out.line("/// The zero value, `.\(zero.name)`.")
            out.line("public init() { self = .\(Naming.escaped(zero.name)) }")
            out.line()
            out.block("public init(rawValue: Int32)") { out in
                out.switchBlock("switch rawValue") { out in
                    for item in cases { out.line("case \(item.number): self = .\(Naming.escaped(item.name))") }
                    out.line("default: self = .unrecognized(rawValue)")
                }
            }
            out.line()
            out.block("public var rawValue: Int32") { out in
                out.switchBlock("switch self") { out in
                    for item in cases { out.line("case .\(Naming.escaped(item.name)): \(item.number)") }
                    out.line("case .unrecognized(let value): value")
                }
            }
            out.line()
            out.line("/// The values this contract knows, in declaration order.")
            out.line("public static let allCases: [Self] = [\(cases.map { "." + Naming.escaped($0.name) }.joined(separator: ", "))]")
            for alias in aliases {
                out.line()
                out.docComment(file.comment(alias.path))
                out.line("public static let \(Naming.escaped(alias.name)) = Self.\(Naming.escaped(alias.target))")
            }
        }
    }

    // MARK: Messages

    /// A field as the Swift API shows it.
    struct FieldPlan {
        enum Shape {
            case scalar
            case optional(boxed: Bool)
            case repeated
            case map(key: ValueCodec, value: ValueCodec, entry: TypeRegistry.MessageInfo)
            case oneofMember(oneof: Int)
            case presenceOneof(oneof: Int, boxed: Bool)
        }

        var field: ProtoField
        var codec: ValueCodec
        var shape: Shape
        var property: String
        var cMember: String
    }

    func plans(_ info: TypeRegistry.MessageInfo) throws -> [FieldPlan] {
        let message = info.message
        return try message.fields.map { field in
            let path = message.fullName + "." + field.name
            let codec = try ValueCodec(field: field, registry: registry, fieldPath: path)
            let boxed: Bool
            if case .message(let target) = codec.kind {
                boxed = registry.reachesInline(from: "." + target.message.fullName, to: "." + message.fullName)
            } else {
                boxed = false
            }
            let shape: FieldPlan.Shape
            if let oneof = field.oneofIndex {
                let members = message.fields.filter { $0.oneofIndex == oneof }
                shape = members.count == 1 ? .presenceOneof(oneof: oneof, boxed: boxed) : .oneofMember(oneof: oneof)
            } else if field.isRepeated, field.kind == .message, let entry = registry.messages[field.typeName],
                      entry.message.isMapEntry {
                let key = entry.message.fields.first { $0.number == 1 }!
                let value = entry.message.fields.first { $0.number == 2 }!
                shape = .map(key: try ValueCodec(field: key, registry: registry, fieldPath: path + ".key"),
                             value: try ValueCodec(field: value, registry: registry, fieldPath: path + ".value"),
                             entry: entry)
            } else if field.isRepeated {
                shape = .repeated
            } else if codec.isPointer {
                shape = .optional(boxed: boxed)
            } else {
                shape = .scalar
            }
            return FieldPlan(field: field, codec: codec, shape: shape, property: Naming.propertyName(field.name),
                             cMember: Naming.cMember(field.name))
        }
    }

    func oneofPropertyName(_ message: ProtoMessage, _ index: Int) -> String {
        Naming.propertyName(message.oneofs[index])
    }

    func oneofTypeName(_ message: ProtoMessage, _ index: Int) -> String {
        "OneOf_" + Naming.upperCamel(message.oneofs[index])
    }

    func renderMessage(_ info: TypeRegistry.MessageInfo, into out: inout SourceWriter) throws {
        let message = info.message
        let simpleName = info.swiftName.split(separator: ".").last.map(String.init) ?? info.swiftName
        let fields = try plans(info)
        out.docComment(file.comment(message.path))
        try out.block("public struct \(simpleName): Sendable, Hashable") { out in
            var renderedOneofs: Set<Int> = []
            for plan in fields {
                let property = Naming.escaped(plan.property)
                let type = plan.codec.swiftType
                switch plan.shape {
                case .scalar:
                    out.docComment(file.comment(plan.field.path))
                    out.line("public var \(property): \(type) = \(plan.codec.defaultValue)")
                case .repeated:
                    out.docComment(file.comment(plan.field.path))
                    out.line("public var \(property): [\(type)] = []")
                case .map(let key, let value, _):
                    out.docComment(file.comment(plan.field.path))
                    out.line("public var \(property): [\(key.swiftType): \(value.swiftType)] = [:]")
                case .optional(let boxed), .presenceOneof(_, let boxed):
                    out.docComment(file.comment(plan.field.path))
                    if boxed {
                        out.block("public var \(property): \(type)?") { out in
                            out.line("get { _\(plan.property)?.value }")
                            out.line("set { _\(plan.property) = newValue.map { Indirect($0) } }")
                        }
                        out.line("fileprivate var _\(plan.property): Indirect<\(type)>? = nil")
                    } else {
                        out.line("public var \(property): \(type)? = nil")
                    }
                case .oneofMember(let oneof):
                    guard renderedOneofs.insert(oneof).inserted else { continue }
                    out.docComment(file.comment(message.path + [8, Int32(oneof)]))
                    out.line("public var \(Naming.escaped(oneofPropertyName(message, oneof))): \(oneofTypeName(message, oneof))? = nil")
                }
                out.line()
            }
            out.line("/// Fields received that this contract does not know; encoded again as received.")
            out.line("public var unknownFields = UnknownFields()")
            out.line()
            out.line("/// A message with every field at its default.")
            out.line("public init() {}")
            // Accessors for each oneof member, and the oneof enums.
            for (index, _) in message.oneofs.enumerated() {
                let members = fields.filter {
                    if case .oneofMember(let oneof) = $0.shape { return oneof == index }
                    return false
                }
                guard !members.isEmpty else { continue }
                let oneofProperty = Naming.escaped(oneofPropertyName(message, index))
                for member in members {
                    out.line()
                    out.docComment(file.comment(member.field.path))
                    out.block("public var \(Naming.escaped(member.property)): \(member.codec.swiftType)") { out in
                        out.block("get") { out in
                            out.line("if case .\(Naming.escaped(member.property))(let value)? = \(oneofProperty) { return value }")
                            out.line("return \(member.codec.defaultValue)")
                        }
                        out.line("set { \(oneofProperty) = .\(Naming.escaped(member.property))(newValue) }")
                    }
                }
                let indirect = members.contains {
                    if case .message(let target) = $0.codec.kind {
                        return registry.reachesInline(from: "." + target.message.fullName, to: "." + message.fullName)
                    }
                    return false
                }
                out.line()
                out.docComment(file.comment(message.path + [8, Int32(index)]))
                out.block("public \(indirect ? "indirect " : "")enum \(oneofTypeName(message, index)): Sendable, Hashable") { out in
                    for member in members {
                        out.docComment(file.comment(member.field.path))
                        out.line("case \(Naming.escaped(member.property))(\(member.codec.swiftType))")
                    }
                }
            }
            for nested in message.nestedEnums {
                out.line()
                try renderEnum(registry.enumeration("." + nested.fullName), into: &out)
            }
            for nested in message.nestedMessages where !nested.isMapEntry {
                let nestedInfo = try registry.message("." + nested.fullName)
                guard case .generated = nestedInfo.mapping else { continue }
                out.line()
                try renderMessage(nestedInfo, into: &out)
            }
        }
    }

    // MARK: Conversions

    func renderConversions(_ messages: [ProtoMessage], into out: inout SourceWriter) throws {
        for message in messages where !message.isMapEntry {
            let info = try registry.message("." + message.fullName)
            guard case .generated = info.mapping else { continue }
            try ConversionRenderer(info: info, fields: plans(info), file: file).render(into: &out)
            out.line()
            try renderConversions(message.nestedMessages, into: &out)
        }
    }
}
