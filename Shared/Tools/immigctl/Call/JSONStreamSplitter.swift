/// Cuts a stream of request text into one JSON object per message, for client
/// and bidirectional streams: objects one after another (NDJSON, or pretty
/// objects back to back), or one JSON array of objects.
///
/// Only the structure is looked at here (strings, escapes, brackets); each
/// object is then read by ProtoJSON, which reports syntax errors precisely.
/// Fed chunk by chunk, so that requests typed or piped in go out as they come.
struct JSONStreamSplitter {
    private enum Mode { case start, objects, array, arrayEnded }

    private var mode = Mode.start
    private var current: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// In an array: a comma is due before the next element.
    private var expectingComma = false
    private var line = 1
    private var column = 0

    /// The objects completed by this chunk.
    mutating func feed(_ chunk: some Sequence<UInt8>) throws(CommandFailure) -> [[UInt8]] {
        var complete: [[UInt8]] = []
        for byte in chunk {
            if byte == 0x0a { line += 1; column = 0 } else { column += 1 }
            if depth > 0 {
                current.append(byte)
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                    else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        complete.append(current)
                        current = []
                        expectingComma = mode == .array
                    }
                default: break
                }
                continue
            }
            if Self.isWhitespace(byte) { continue }
            switch (mode, byte) {
            case (.start, UInt8(ascii: "[")):
                mode = .array
            case (.start, UInt8(ascii: "{")), (.objects, UInt8(ascii: "{")):
                mode = .objects
                start(byte)
            case (.array, UInt8(ascii: "{")) where !expectingComma:
                start(byte)
            case (.array, UInt8(ascii: ",")) where expectingComma:
                expectingComma = false
            case (.array, UInt8(ascii: "]")):
                mode = .arrayEnded
            default:
                throw unexpected(byte)
            }
        }
        return complete
    }

    /// Checks that the input did not stop inside an object or array.
    func finish() throws(CommandFailure) {
        if depth > 0 || mode == .array {
            throw CommandFailure("request stream: unexpected end of input at line \(line), column \(column)")
        }
    }

    private mutating func start(_ byte: UInt8) {
        current = [byte]
        depth = 1
    }

    private func unexpected(_ byte: UInt8) -> CommandFailure {
        let shown = byte >= 0x20 && byte < 0x7f ? "\"\(Character(Unicode.Scalar(byte)))\"" : "byte \(byte)"
        let expected = switch mode {
        case .start: "a JSON object, or an array of objects"
        case .objects: "a JSON object"
        case .array: expectingComma ? "\",\" or \"]\"" : "a JSON object"
        case .arrayEnded: "nothing after the array"
        }
        return CommandFailure("request stream: expected \(expected), got \(shown) at line \(line), column \(column)")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09
    }
}
