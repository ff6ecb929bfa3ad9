import GRPCRuntime

/// A message that accepts only well-formed protobuf wire data (known wire
/// types, varints of at most ten bytes, lengths inside the buffer, field
/// numbers in range), so that mutated payloads fail to decode the way
/// generated messages do.
struct StrictProto: WireMessage, Equatable {
    var bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    init(serializedBytes: [UInt8]) throws {
        guard StrictProto.isWellFormed(serializedBytes[...]) else { throw Malformed() }
        bytes = serializedBytes
    }

    func serializedBytes() throws -> [UInt8] { bytes }

    struct Malformed: Error {}

    static func isWellFormed(_ input: ArraySlice<UInt8>) -> Bool {
        var rest = input
        func varint() -> UInt64? {
            var value: UInt64 = 0
            for index in 0..<10 {
                guard let byte = rest.first else { return nil }
                rest = rest.dropFirst()
                value |= UInt64(byte & 0x7f) << (7 * UInt64(index))
                if byte < 0x80 { return value }
            }
            return nil
        }
        while !rest.isEmpty {
            guard let key = varint() else { return false }
            let field = key >> 3
            guard field >= 1, field <= 536_870_911 else { return false }
            switch key & 7 {
            case 0: guard varint() != nil else { return false }
            case 1: guard rest.count >= 8 else { return false }; rest = rest.dropFirst(8)
            case 2:
                guard let length = varint(), length <= UInt64(rest.count) else { return false }
                rest = rest.dropFirst(Int(length))
            case 5: guard rest.count >= 4 else { return false }; rest = rest.dropFirst(4)
            default: return false
            }
        }
        return true
    }

    /// A well-formed message: a varint, a string, a nested message, fixed fields.
    static func sample(_ seed: Int) -> [UInt8] {
        var out: [UInt8] = [0x08, UInt8(seed & 0x7f)]
        let text = Array("HAN-T2-07 #\(seed)".utf8)
        out += [0x12, UInt8(text.count)] + text
        let nested: [UInt8] = [0x08, 0x96, 0x01, 0x1a, 0x03, 0x61, 0x62, 0x63]
        out += [0x1a, UInt8(nested.count)] + nested
        out += [0x21] + [UInt8](repeating: 7, count: 8)
        out += [0x2d, 1, 2, 3, 4]
        return out
    }
}

/// Mutations of a well-formed payload: random bytes, truncations, huge
/// declared lengths, wrong wire types, and oversized payloads.
struct PayloadMutator {
    var generator: any RandomNumberGenerator

    enum Kind: CaseIterable { case randomBytes, truncated, hugeLength, wrongWireType, flippedByte, oversized, intact }

    mutating func mutate(_ base: [UInt8], oversizeLimit: Int) -> [UInt8] {
        switch Kind.allCases.randomElement(using: &generator)! {
        case .randomBytes:
            return (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case .truncated:
            return Array(base.prefix(Int.random(in: 0..<base.count, using: &generator)))
        case .hugeLength:
            var out = base
            if let index = out.firstIndex(of: 0x12) {
                out.replaceSubrange((index + 1)...(index + 1), with: [0xff, 0xff, 0xff, 0xff, 0x0f])
            }
            return out
        case .wrongWireType:
            var out = base
            out[0] = (out[0] & ~7) | [3, 4, 6, 7].randomElement(using: &generator)!
            return out
        case .flippedByte:
            var out = base
            out[Int.random(in: 0..<out.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            return out
        case .oversized:
            return base + [0x3a] + varint(UInt64(oversizeLimit)) + [UInt8](repeating: 0x41, count: oversizeLimit)
        case .intact:
            return base
        }
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 { out.append(UInt8(value & 0x7f) | 0x80); value >>= 7 }
        out.append(UInt8(value))
        return out
    }
}

/// SplitMix64, so that a failing run can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
