import Foundation

/// UUIDs read from the text form every id field of the contracts carries: 36
/// characters, hexadecimal digits (either case) in groups of 8-4-4-4-12
/// separated by hyphens, and nothing else.
///
/// Why not `UUID(uuidString:)`: on Linux it reads the digits with `sscanf`,
/// which also takes a sign or a leading blank in a group, so that
/// `" f2504e0-4f89-…"` is read as `F2504E00-…` and `"+f2504e0-…"` as
/// `0F2504E0-…`: a malformed id became another id (NOT_FOUND, or another
/// request's retry key) instead of INVALID_ARGUMENT. It also cost 0.7 µs a
/// parse timed alone, 2.5 % of the service's CPU samples on GetPerson
/// (docs/benchmarks.md, RecordsService, "Session 9").
extension UUID {
    /// The UUID `text` spells in the canonical form, or nil.
    init?(canonicalText text: String) {
        var text = text
        guard let id = text.withUTF8({ bytes -> UUID? in
            guard bytes.count == 36 else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &value) { out -> Bool in
                var at = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {   // 8-4-4-4-12
                        guard bytes[at] == UInt8(ascii: "-") else { return false }
                        at += 1
                    }
                    guard let high = Self.hexValue(of: bytes[at]), let low = Self.hexValue(of: bytes[at + 1]) else { return false }
                    out[index] = high << 4 | low
                    at += 2
                }
                return true
            }
            return parsed ? UUID(uuid: value) : nil
        }) else { return nil }
        self = id
    }

    /// The value of one hexadecimal digit (0-9, a-f, A-F), or nil.
    private static func hexValue(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
