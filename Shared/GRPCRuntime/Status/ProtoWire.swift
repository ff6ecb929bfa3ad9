/// Just enough of the protobuf wire format to write and read
/// `google.rpc.Status`: varints and length-delimited fields.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ field: Int, _ value: UInt64) {
        rawVarint(UInt64(field << 3))
        rawVarint(value)
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        rawVarint(UInt64(field << 3 | 2))
        rawVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    private mutating func rawVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

/// Reads fields one by one; throws on truncation or an invalid wire type.
struct ProtoReader {
    enum Value { case varint(UInt64), bytes(ArraySlice<UInt8>), fixed }
    struct Malformed: Error {}

    private var rest: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

    mutating func next() throws -> (Int, Value)? {
        guard !rest.isEmpty else { return nil }
        let key = try rawVarint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0 else { throw Malformed() }
        switch key & 7 {
        case 0: return (field, .varint(try rawVarint()))
        case 1: try skip(8); return (field, .fixed)
        case 2:
            let length = try rawVarint()
            guard length <= UInt64(rest.count) else { throw Malformed() }
            let value = rest.prefix(Int(length))
            rest = rest.dropFirst(Int(length))
            return (field, .bytes(value))
        case 5: try skip(4); return (field, .fixed)
        default: throw Malformed()
        }
    }

    private mutating func skip(_ count: Int) throws {
        guard rest.count >= count else { throw Malformed() }
        rest = rest.dropFirst(count)
    }

    private mutating func rawVarint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = rest.first {
            rest = rest.dropFirst()
            guard shift < 64 else { throw Malformed() }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw Malformed()
    }
}
