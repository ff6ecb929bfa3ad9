/// Where the codec is inside a message, kept as components and turned into text
/// (`person.dateOfBirth.month`, `violations[1].field`, `labels["k"]`) only when an
/// error needs it.
struct FieldPath {
    private var components: [String] = []

    mutating func push(field name: String) { components.append(name) }
    mutating func push(index: Int) { components.append("[\(index)]") }
    mutating func push(key: String) {
        var writer = JSONWriter(pretty: false, capacity: key.utf8.count + 4)
        writer.writeString(key)
        components.append("[" + String(decoding: writer.bytes, as: UTF8.self) + "]")
    }
    mutating func pop() { components.removeLast() }

    var text: String {
        var result = ""
        for component in components {
            if !result.isEmpty && !component.hasPrefix("[") { result += "." }
            result += component
        }
        return result
    }

    func error(_ reason: String) -> ProtoJSONError {
        ProtoJSONError(path: text, reason: reason)
    }
}
