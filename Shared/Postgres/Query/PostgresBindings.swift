/// The bind parameters of a statement: declared types and binary values in one
/// buffer, ready to hand to libpq.
public struct PostgresBindings: Sendable, Hashable {
    /// Declared type of each parameter.
    public private(set) var types: [PostgresType] = []
    /// All values, back to back (each starts where the previous non-NULL one ends).
    var bytes: [UInt8] = []
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
        let start = bytes.count
        value.encode(into: &bytes)
        lengths.append(Int32(bytes.count - start))
    }

    public mutating func appendNull(_ type: PostgresType) {
        types.append(type)
        lengths.append(-1)
    }

    /// Calls `body` with the argument arrays of `PQexecParams`/`PQexecPrepared`:
    /// value pointers (nil for NULL), lengths and formats (all binary). The pointer
    /// and format arrays live on the stack: no allocation per statement.
    func withLibPQArguments<R>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> R
    ) rethrows -> R {
        let count = types.count
        if count == 0 { return try body(nil, nil, nil) }
        return try withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { formats in
            formats.initialize(repeating: 1)
            return try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { pointers in
                try bytes.withUnsafeBytes { storage in
                    // An empty, non-NULL value still needs a valid pointer (libpq reads 0 bytes).
                    let start = storage.baseAddress ?? UnsafeRawPointer(PostgresBindings.emptyValue.utf8Start)
                    var offset = 0
                    for index in 0..<count {
                        let length = Int(lengths[index])
                        pointers[index] = length < 0 ? nil : (start + offset).assumingMemoryBound(to: CChar.self)
                        offset += max(length, 0)
                    }
                    return try lengths.withUnsafeBufferPointer { lengthsPointer in
                        try body(UnsafePointer(pointers.baseAddress), lengthsPointer.baseAddress,
                                 UnsafePointer(formats.baseAddress))
                    }
                }
            }
        }
    }

    private static let emptyValue: StaticString = ""
}
