/// An example request in JSON for `describe --template`: every field of a
/// message at its default (nested messages filled in, one element in each
/// list and map, the first member of each oneof), ready to edit and pass to
/// `call --data`. The test suite checks that every message's template reads
/// back through ProtoJSON.
struct MessageTemplate {
    let catalog: ContractCatalog
    /// Deeper messages are written as `{}`.
    var maxDepth = 6

    func json(for message: MessageModel) -> String {
        render(value(message, stack: []), indent: "")
    }

    private indirect enum Value {
        case literal(String)
        case object([(String, Value)])
        case array([Value])
    }

    private func value(_ message: MessageModel, stack: [String]) -> Value {
        if let known = wellKnown(message.fullName) { return known }
        guard !stack.contains(message.fullName), stack.count < maxDepth else { return .object([]) }
        let stack = stack + [message.fullName]
        var members: [(String, Value)] = []
        var oneofsWritten = Set<Int>()
        for field in message.fields {
            if let index = field.oneofIndex {
                guard !oneofsWritten.contains(index) else { continue }
                oneofsWritten.insert(index)
            }
            members.append((field.jsonName, fieldValue(field, in: message, stack: stack)))
        }
        return .object(members)
    }

    private func fieldValue(_ field: FieldModel, in message: MessageModel, stack: [String]) -> Value {
        if field.label == .repeated,
           let entry = message.nestedMessages.first(where: { $0.isMapEntry && $0.fullName == field.typeName }),
           entry.fields.count == 2 {
            let key = mapKey(entry.fields[0].typeName)
            return .object([(key, single(entry.fields[1], stack: stack))])
        }
        let one = single(field, stack: stack)
        return field.label == .repeated ? .array([one]) : one
    }

    private func single(_ field: FieldModel, stack: [String]) -> Value {
        switch catalog.symbol(field.typeName) {
        case .message(let message, _)?: return value(message, stack: stack)
        case .enumeration(let enumeration, _)?: return .literal(quoted(enumeration.values.first?.name ?? "0"))
        default: return scalar(field.typeName)
        }
    }

    private func scalar(_ type: String) -> Value {
        switch type {
        case "int64", "uint64", "sint64", "fixed64", "sfixed64": return .literal(#""0""#)
        case "bool": return .literal("false")
        case "string", "bytes": return .literal(#""""#)
        default: return .literal("0")
        }
    }

    private func mapKey(_ type: String) -> String {
        switch type {
        case "string": return "key"
        case "bool": return "false"
        default: return "0"
        }
    }

    private func wellKnown(_ name: String) -> Value? {
        switch name {
        case "google.protobuf.Timestamp": return .literal(#""1970-01-01T00:00:00Z""#)
        case "google.protobuf.Duration": return .literal(#""0s""#)
        case "google.protobuf.Int64Value", "google.protobuf.UInt64Value": return .literal(#""0""#)
        case "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
             "google.protobuf.DoubleValue", "google.protobuf.FloatValue": return .literal("0")
        case "google.protobuf.BoolValue": return .literal("false")
        case "google.protobuf.StringValue", "google.protobuf.BytesValue": return .literal(#""""#)
        case "google.protobuf.Empty", "google.protobuf.Any": return .object([])
        default: return nil
        }
    }

    private func quoted(_ text: String) -> String { "\"\(text)\"" }

    private func render(_ value: Value, indent: String) -> String {
        let inner = indent + "  "
        switch value {
        case .literal(let text):
            return text
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let lines = members.map { "\(inner)\(quoted($0.0)): \(render($0.1, indent: inner))" }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        case .array(let elements):
            let lines = elements.map { inner + render($0, indent: inner) }
            return "[\n" + lines.joined(separator: ",\n") + "\n\(indent)]"
        }
    }
}
