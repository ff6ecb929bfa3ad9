/// Decodes the base64 text that generated code uses to embed binary data
/// (serialized file descriptors for server reflection): a string literal
/// compiles far faster than a large array literal.
public enum EmbeddedBytes {
    /// The bytes of standard base64 `text` (padding optional); traps on a
    /// character outside the alphabet, since the text is generated.
    public static func base64(_ text: String) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in text.utf8 where character != UInt8(ascii: "=") {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            default: preconditionFailure("EmbeddedBytes.base64: character \(character) outside the alphabet")
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }
}
