import Foundation

/// The header of an intake CSV file: each column names a field of
/// `immigration.records.v1.IntakeRow` as a dotted path, in the proto's names
/// or their JSON names (`person.details.name.family_name`,
/// `crossing.crossedAt`). A record becomes the JSON of an IntakeRow: empty
/// cells are left out (so one file may mix persons, documents and crossings),
/// a repeated field's values are separated by `;`, and each value is written
/// as its field's type needs (numbers bare, `true`/`false`, the rest quoted).
struct CSVColumns {
    /// One column: the JSON names along its path, and its last field.
    struct Column {
        var path: [String]
        var field: FieldModel
    }

    static let rowType = "immigration.records.v1.IntakeRow"

    let columns: [Column]

    init(header: [String], catalog: ContractCatalog = .embedded) throws(CommandFailure) {
        guard case .message(let row, _)? = catalog.symbol(Self.rowType) else {
            throw CommandFailure("no descriptor for \(Self.rowType) in this build of immigctl")
        }
        var columns: [Column] = []
        var seen = Set<[String]>()
        for (index, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            var message = row
            var path: [String] = []
            var found: FieldModel?
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            for (depth, part) in parts.enumerated() {
                guard let field = message.fields.first(where: { $0.name == part || $0.jsonName == part }) else {
                    throw CommandFailure("CSV header column \(index + 1) \"\(name)\": \(message.fullName) has no field \"\(part)\"")
                }
                path.append(field.jsonName)
                if depth == parts.count - 1 {
                    found = field
                } else if field.isMessage, case .message(let next, _)? = catalog.symbol(field.typeName),
                          !Self.isScalarLike(field.typeName) {
                    message = next
                } else {
                    throw CommandFailure("CSV header column \(index + 1) \"\(name)\": \"\(part)\" has no fields")
                }
            }
            guard let found, !(found.isMessage && !Self.isScalarLike(found.typeName)) else {
                throw CommandFailure("CSV header column \(index + 1) \"\(name)\": name a field inside it, not the message")
            }
            guard found.name != "row_number" || path.count > 1 else {
                throw CommandFailure("CSV header column \(index + 1): row numbers are the file's line numbers")
            }
            guard seen.insert(path).inserted else {
                throw CommandFailure("CSV header column \(index + 1) \"\(name)\" names a field already named")
            }
            columns.append(Column(path: path, field: found))
        }
        self.columns = columns
    }

    /// Message types written as one JSON string (or number) in proto3 JSON.
    static func isScalarLike(_ typeName: String) -> Bool {
        typeName.hasPrefix("google.protobuf.") && typeName != "google.protobuf.Any" && typeName != "google.protobuf.Struct"
    }

    /// The JSON of the IntakeRow in `record`.
    func json(_ record: [String]) throws(CommandFailure) -> String {
        guard record.count == columns.count else {
            throw CommandFailure("\(record.count) fields where the header has \(columns.count)")
        }
        var root = Node()
        for (column, cell) in zip(columns, record) where !cell.isEmpty {
            let value: String
            if column.field.label == .repeated {
                value = "[" + cell.split(separator: ";").map { literal(String($0), column.field) }.joined(separator: ",") + "]"
            } else {
                value = literal(cell, column.field)
            }
            root.set(column.path, value)
        }
        return root.render()
    }

    private func literal(_ text: String, _ field: FieldModel) -> String {
        switch field.typeName {
        case "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64",
             "float", "double", "google.protobuf.Int32Value", "google.protobuf.UInt32Value":
            if Int64(text) != nil || (Double(text) != nil && (field.typeName == "float" || field.typeName == "double")) {
                return text
            }
            return Self.quoted(text)
        case "bool", "google.protobuf.BoolValue":
            switch text.lowercased() {
            case "true": return "true"
            case "false": return "false"
            default: return Self.quoted(text)
            }
        default:
            return Self.quoted(text)
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// A JSON object being built from paths.
    private struct Node {
        var members: [(String, Value)] = []
        indirect enum Value { case literal(String), object(Node) }

        mutating func set(_ path: [String], _ value: String) {
            let key = path[0]
            let index = members.firstIndex { $0.0 == key }
            if path.count == 1 {
                if let index { members[index].1 = .literal(value) } else { members.append((key, .literal(value))) }
                return
            }
            var child = Node()
            if let index, case .object(let existing) = members[index].1 { child = existing }
            child.set(Array(path.dropFirst()), value)
            if let index { members[index].1 = .object(child) } else { members.append((key, .object(child))) }
        }

        func render() -> String {
            "{" + members.map { key, value in
                let text: String
                switch value {
                case .literal(let literal): text = literal
                case .object(let node): text = node.render()
                }
                return CSVColumns.quoted(key) + ":" + text
            }.joined(separator: ",") + "}"
        }
    }
}
