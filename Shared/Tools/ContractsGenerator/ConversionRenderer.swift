/// Renders one message's `ProtobufCConvertible` and `WireMessage` conformances:
/// reading the protobuf-c struct field by field, and filling one.
struct ConversionRenderer {
    typealias FieldPlan = MessageFileRenderer.FieldPlan

    let info: TypeRegistry.MessageInfo
    let fields: [FieldPlan]
    let file: ProtoFile

    var message: ProtoMessage { info.message }

    func oneofCaseMember(_ index: Int) -> String {
        Naming.escaped(Naming.cCamelToLower(message.oneofs[index]) + "_case")
    }

    func oneofCaseType(_ index: Int) -> String {
        Naming.cTypeName(message.fullName + "." + message.oneofs[index]) + "Case"
    }

    func render(into out: inout SourceWriter) throws {
        let name = info.swiftName
        try out.block("extension \(name): ProtobufCConvertible") { out in
            out.line("public typealias CStruct = \(info.cType)")
            out.line()
            out.line("public static let protoMessageName = \(swiftStringLiteral(message.fullName))")
            out.line()
            out.block("public static func initializeProtobufC(_ c: UnsafeMutablePointer<\(info.cType)>)") { out in
                out.line("\(info.cFunctionPrefix)__init(c)")
            }
            out.line()
            out.line("nonisolated(unsafe) public static let protobufCDescriptor = ProtobufCRead.descriptor(")
            out.line("    of: \(info.cType).self, \(info.cFunctionPrefix)__init)")
            out.line()
            try out.block("public mutating func read(protobufC c: UnsafePointer<\(info.cType)>) throws") { out in
                try renderReads(into: &out)
                out.line("unknownFields = UnknownFields(protobufC: c.pointee.base)")
            }
            out.line()
            try out.block("public func fill(protobufC c: UnsafeMutablePointer<\(info.cType)>, arena: ProtobufCArena) throws") { out in
                try renderWrites(into: &out)
                out.line("unknownFields.write(into: &c.pointee.base, arena: arena)")
            }
        }
        out.line()
        out.block("extension \(name): WireMessage") { out in
            out.block("public init(serializedBytes bytes: [UInt8]) throws") { out in
                out.line("try self.init(protobufCBytes: bytes)")
            }
            out.line()
            out.block("public func serializedBytes() throws -> [UInt8]") { out in
                out.line("try protobufCBytes()")
            }
            out.line()
            out.block("public init(serializedBuffer buffer: UnsafeRawBufferPointer) throws") { out in
                out.line("try self.init(protobufCBuffer: buffer)")
            }
            out.line()
            out.block("public func withSerializedBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result") { out in
                out.line("try withProtobufCBytes(body)")
            }
        }
    }

    private func tryPrefix(_ throwing: Bool) -> String { throwing ? "try " : "" }

    // MARK: Reading

    private func renderReads(into out: inout SourceWriter) throws {
        var renderedOneofs: Set<Int> = []
        for plan in fields {
            let property = "self." + Naming.escaped(plan.property)
            let c = "c.pointee." + plan.cMember
            let codec = plan.codec
            switch plan.shape {
            case .scalar:
                out.line("\(property) = \(codec.read(c))")
            case .optional:
                out.line("if let pointer = \(c) { \(property) = \(codec.read("pointer")) }")
            case .repeated:
                let count = "c.pointee." + Naming.cCountMember(plan.field.name)
                if codec.isBitwiseArray {
                    out.line("\(property) = ProtobufCRead.array(\(c), count: \(count))")
                } else if case .message(let target) = codec.kind {
                    out.line("\(property) = try ProtobufCRead.messages(\(c), count: \(count), as: \(target.swiftName).self)")
                } else {
                    out.line("\(property) = \(tryPrefix(codec.readThrows))ProtobufCRead.array(\(c), count: \(count)) { element in \(codec.readElement("element")) }")
                }
            case .map(let key, let value, _):
                let count = "c.pointee." + Naming.cCountMember(plan.field.name)
                out.block("if \(count) > 0, let entries = \(c)") { out in
                    out.line("var map = [\(key.swiftType): \(value.swiftType)](minimumCapacity: \(count))")
                    out.block("for index in 0..<\(count)") { out in
                        out.line("guard let entry = entries[index]?.pointee else { continue }")
                        out.line("map[\(key.read("entry.key"))] = \(value.readElement("entry.value"))")
                    }
                    out.line("\(property) = map")
                }
            case .presenceOneof(let oneof, _):
                out.line("if c.pointee.\(oneofCaseMember(oneof)).rawValue == \(plan.field.number) { \(property) = \(codec.readElement(c)) }")
            case .oneofMember(let oneof):
                guard renderedOneofs.insert(oneof).inserted else { continue }
                let members = fields.filter {
                    if case .oneofMember(let index) = $0.shape { return index == oneof }
                    return false
                }
                let oneofProperty = "self." + Naming.escaped(Naming.propertyName(message.oneofs[oneof]))
                out.switchBlock("switch c.pointee.\(oneofCaseMember(oneof)).rawValue") { out in
                    for member in members {
                        let memberC = "c.pointee." + member.cMember
                        let read = member.codec.readElement(memberC)
                        out.line("case \(member.field.number): \(oneofProperty) = .\(Naming.escaped(member.property))(\(read))")
                    }
                    out.line("default: break")
                }
            }
        }
    }

    // MARK: Writing

    private func renderWrites(into out: inout SourceWriter) throws {
        var renderedOneofs: Set<Int> = []
        for plan in fields {
            let property = "self." + Naming.escaped(plan.property)
            let c = "c.pointee." + plan.cMember
            let codec = plan.codec
            switch plan.shape {
            case .scalar:
                if case .scalar(let scalar) = codec.kind, scalar == .string || scalar == .bytes {
                    out.line("if !\(property).isEmpty { \(c) = \(codec.write(property)) }")
                } else {
                    out.line("\(c) = \(codec.write(property))")
                }
            case .optional:
                out.line("if let value = \(property) { \(c) = \(codec.write("value")) }")
            case .repeated:
                let count = "c.pointee." + Naming.cCountMember(plan.field.name)
                out.block("if !\(property).isEmpty") { out in
                    out.line("\(count) = \(property).count")
                    if codec.isBitwiseArray {
                        out.line("\(c) = arena.array(\(property))")
                    } else if case .message = codec.kind {
                        out.line("\(c) = try arena.messages(\(property))")
                    } else {
                        out.line("\(c) = \(tryPrefix(codec.writeThrows))arena.array(\(property)) { element in \(codec.write("element")) }")
                    }
                }
            case .map(let key, let value, let entry):
                let count = "c.pointee." + Naming.cCountMember(plan.field.name)
                let order = key.swiftType == "Bool" ? "{ !$0.key && $1.key }" : "{ $0.key < $1.key }"
                out.block("if !\(property).isEmpty") { out in
                    out.line("let entries = arena.allocate(UnsafeMutablePointer<\(entry.cType)>?.self, count: \(property).count)")
                    out.block("for (index, item) in \(property).sorted(by: \(order)).enumerated()") { out in
                        out.line("let entry = arena.allocate(\(entry.cType).self)")
                        out.line("\(entry.cFunctionPrefix)__init(entry)")
                        out.line("entry.pointee.key = \(key.write("item.key"))")
                        out.line("entry.pointee.value = \(value.write("item.value"))")
                        out.line("(entries + index).initialize(to: entry)")
                    }
                    out.line("\(count) = \(property).count")
                    out.line("\(c) = entries")
                }
            case .presenceOneof(let oneof, _):
                out.block("if let value = \(property)") { out in
                    out.line("c.pointee.\(oneofCaseMember(oneof)) = \(oneofCaseType(oneof))(rawValue: \(plan.field.number))")
                    out.line("\(c) = \(codec.write("value"))")
                }
            case .oneofMember(let oneof):
                guard renderedOneofs.insert(oneof).inserted else { continue }
                let members = fields.filter {
                    if case .oneofMember(let index) = $0.shape { return index == oneof }
                    return false
                }
                let oneofProperty = "self." + Naming.escaped(Naming.propertyName(message.oneofs[oneof]))
                out.switchBlock("switch \(oneofProperty)") { out in
                    for member in members {
                        out.line("case .\(Naming.escaped(member.property))(let value)?:")
                        out.line("    c.pointee.\(oneofCaseMember(oneof)) = \(oneofCaseType(oneof))(rawValue: \(member.field.number))")
                        out.line("    c.pointee.\(member.cMember) = \(member.codec.write("value"))")
                    }
                    out.line("case nil: break")
                }
            }
        }
    }
}
