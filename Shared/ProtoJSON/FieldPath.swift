/// Where the codec is inside a message, kept as components and turned into text
/// (`person.dateOfBirth.month`, `violations[1].field`, `labels["k"]`) only when an
/// error needs it.
struct FieldPath {
    private enum Component {
        case field(String)
        case index(Int)
        case key(String)
    }

    private var components: [Component] = []

    mutating func push(field name: String) { components.append(.field(name)) }
    mutating func push(index: Int) { components.append(.index(index)) }
    mutating func push(key: String) { components.append(.key(key)) }
    mutating func pop() { components.removeLast() }

    var text: String {
        var result = ""
        for component in components {
            switch component {
            case .field(let name):
                if !result.isEmpty { result += "." }
                result += name
            case .index(let index):
                result += "[\(index)]"
            case .key(let key):
                var writer = JSONWriter(pretty: false, capacity: key.utf8.count + 2)
                writer.writeString(key)
                result += "[" + String(decoding: writer.bytes, as: UTF8.self) + "]"
            }
        }
        return result
    }

    func error(_ reason: String) -> ProtoJSONError {
        ProtoJSONError(path: text, reason: reason)
    }
}
