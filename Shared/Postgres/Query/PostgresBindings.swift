/// The bind parameters of a statement: declared types and binary values in one
/// buffer, ready to hand to libpq.
public struct PostgresBindings: Sendable, Hashable {
    /// Declared type of each parameter.
    public private(set) var types: [PostgresType] = []
    /// All values, back to back.
    var bytes: [UInt8] = []
    /// Where each value starts in `bytes`.
    var offsets: [Int] = []
    /// Length of each value; -1 is NULL.
    var lengths: [Int32] = []

    public init() {}

    public var count: Int { types.count }

    /// Appends a parameter (`Optional.none` is NULL of the wrapped type).
    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        if value.isPostgresNull {
            appendNull(Value.postgresType)
            return
        }
        types.append(Value.postgresType)
        offsets.append(bytes.count)
        value.encode(into: &bytes)
        lengths.append(Int32(bytes.count - offsets[offsets.count - 1]))
    }

    public mutating func appendNull(_ type: PostgresType) {
        types.append(type)
        offsets.append(bytes.count)
        lengths.append(-1)
    }

    /// Calls `body` with the argument arrays of `PQexecParams`/`PQexecPrepared`:
    /// value pointers (nil for NULL), lengths and formats (all binary).
    func withLibPQArguments<R>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> R
    ) rethrows -> R {
        if types.isEmpty { return try body(nil, nil, nil) }
        let formats = [Int32](repeating: 1, count: types.count)
        // One spare byte so that an empty, non-NULL value still gets a valid pointer.
        var storage = bytes
        storage.append(0)
        return try storage.withUnsafeBufferPointer { base in
            let start = UnsafeRawPointer(base.baseAddress!)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(types.count)
            for index in 0..<types.count {
                pointers.append(lengths[index] < 0 ? nil
                                : (start + offsets[index]).assumingMemoryBound(to: CChar.self))
            }
            return try pointers.withUnsafeBufferPointer { values in
                try lengths.withUnsafeBufferPointer { lengthsPointer in
                    try formats.withUnsafeBufferPointer { formatsPointer in
                        try body(values.baseAddress, lengthsPointer.baseAddress, formatsPointer.baseAddress)
                    }
                }
            }
        }
    }
}
